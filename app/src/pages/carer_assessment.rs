//! The start pages of the carer self-assessments and the adult form's crisis page (shown before
//! the form, so nobody in crisis has to fill it in first). The forms' own pages are rendered by
//! the form engine from the server's draft.

use crate::forms::carers::{
    ADULT_BASE, ADULT_OUT_OF_HOURS_PHONE, ADULT_OUT_OF_HOURS_TEL, CARERS_PHONE, CARERS_TEL,
    CHILDLINE_PHONE, CHILDLINE_TEL, YOUNG_BASE, YOUNG_CARERS_PHONE, YOUNG_CARERS_TEL, YOUNG_START,
};
use crate::forms::view::{ExitThisPage, Warning};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn StartButton(href: String, #[prop(into)] text: String) -> impl IntoView {
    view! {
        <a href=href role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button">
            {text}
            <svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>
            </svg>
        </a>
    }
}

/// `/carers/self-assessment`.
#[component]
pub fn CarerStartPage() -> impl IntoView {
    view! {
        <Title text="Carer's self-assessment"/>
        <ExitThisPage/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-xl">"Carer's self-assessment"</h1>
                <p class="govuk-body">
                    "If you look after an adult who could not manage without your help, because of "
                    "illness, disability, a mental health condition or an addiction, you are a carer. "
                    "You have a right to a carer's assessment, whatever your level of need or money, "
                    "and whether or not the person you care for gets support (Care Act 2014, section 10)."
                </p>
                <p class="govuk-body">
                    "This is a supported self-assessment. You tell us how caring affects you and what "
                    "would help. At the end you get a summary to keep and a list of services near you "
                    "that match your answers. If you want, the carers' team will then contact you to "
                    "talk it through."
                </p>
                <p class="govuk-body">
                    "It takes about 30 minutes. Your answers are saved as you go, and you can get a link "
                    "to come back later."
                </p>
                <StartButton href=format!("{ADULT_BASE}/before-you-start") text="Start now"/>
                <h2 class="govuk-heading-m">"Other ways to do this"</h2>
                <p class="govuk-body">
                    "Phone the carers' team on "
                    <a class="govuk-link" href=format!("tel:{CARERS_TEL}")>{CARERS_PHONE}</a>
                    " (Monday to Friday, 9am to 5pm) to do it by phone, ask for a paper form, or get "
                    "someone to help you fill it in."
                </p>
                <p class="govuk-body">
                    "If you are under 18, use the "
                    <a class="govuk-link" href=YOUNG_BASE>"young carers' form"</a> "."
                </p>
            </div>
        </div>
    }
}

/// `/carers/self-assessment/before-you-start`: the crisis page before the form.
#[component]
pub fn CarerCrisisPage() -> impl IntoView {
    view! {
        <Title text="If you cannot carry on caring or someone is at risk"/>
        <ExitThisPage/>
        <a href=ADULT_BASE class="govuk-back-link">"Back"</a>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-l">"If you cannot carry on caring or someone is at risk"</h1>
                <Warning text="If someone is in danger or needs urgent medical help, call 999 now."/>
                <p class="govuk-body">"Do not fill in this form first. Phone us now:"</p>
                <ul class="govuk-list govuk-list--bullet">
                    <li>
                        "the carers' team on "
                        <a class="govuk-link" href=format!("tel:{CARERS_TEL}")>{CARERS_PHONE}</a>
                        " (Monday to Friday, 9am to 5pm)"
                    </li>
                    <li>
                        "adult social care out of hours on "
                        <a class="govuk-link" href=format!("tel:{ADULT_OUT_OF_HOURS_TEL}")>{ADULT_OUT_OF_HOURS_PHONE}</a>
                    </li>
                    <li>"NHS 111 if you or the person you care for needs medical help"</li>
                </ul>
                <p class="govuk-body">"If this is not a crisis, carry on to the self-assessment."</p>
                <a href=format!("{ADULT_BASE}/your-age") role="button" draggable="false" class="govuk-button" data-module="govuk-button">
                    "Continue to the self-assessment"
                </a>
            </div>
        </div>
    }
}

/// `/young-carers/self-assessment`.
#[component]
pub fn YoungCarerStartPage() -> impl IntoView {
    view! {
        <Title text="Young carers: tell us about you"/>
        <ExitThisPage/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-xl">"Young carers: tell us about you"</h1>
                {YOUNG_START
                    .iter()
                    .map(|p| view! { <p class="govuk-body">{*p}</p> })
                    .collect_view()}
                <Warning text="If you are in danger now, call 999."/>
                <p class="govuk-body">
                    "You can talk to Childline any time for free on "
                    <a class="govuk-link" href=format!("tel:{CHILDLINE_TEL}")>{CHILDLINE_PHONE}</a> "."
                </p>
                <StartButton href=format!("{YOUNG_BASE}/your-age") text="Start now"/>
                <h2 class="govuk-heading-m">"Want help with this?"</h2>
                <p class="govuk-body">
                    "A grown-up at school can help you. Or ask a grown-up to call the young carers "
                    "service on "
                    <a class="govuk-link" href=format!("tel:{YOUNG_CARERS_TEL}")>{YOUNG_CARERS_PHONE}</a> "."
                </p>
            </div>
        </div>
    }
}
