//! The Early Help request for support's start page and its safety information page. The form's
//! own pages are rendered by the form engine (`forms::view`) from the server's draft.

use crate::forms::early_help::{HUB_PHONE, HUB_TEL, OUT_OF_HOURS_PHONE, OUT_OF_HOURS_TEL};
use crate::forms::view::ExitThisPage;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/request-support`: what the form is for, what to do in an emergency, and the start button.
#[component]
pub fn StartPage() -> impl IntoView {
    view! {
        <Title text="Ask for early help for a child or family"/>
        <ExitThisPage/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-xl">"Ask for early help for a child or family"</h1>
                <div class="govuk-warning-text">
                    <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
                    <strong class="govuk-warning-text__text">
                        <span class="govuk-visually-hidden">"Warning"</span>
                        "If a child is in immediate danger call 999."
                    </strong>
                </div>
                <p class="govuk-body">
                    "If you think a child is at risk of significant harm, phone the Early Help Hub "
                    "now on " <a class="govuk-link" href=format!("tel:{HUB_TEL}")>{HUB_PHONE}</a>
                    " (Monday to Friday, 9am to 5pm) — do not use this form. Out of hours, call the "
                    "emergency duty team on "
                    <a class="govuk-link" href=format!("tel:{OUT_OF_HOURS_TEL}")>{OUT_OF_HOURS_PHONE}</a> "."
                </p>
                <p class="govuk-body">
                    "Use this form to ask the Early Help Hub for support for a child, young person "
                    "or family in Brackenshire. You can use it if you are:"
                </p>
                <ul class="govuk-list govuk-list--bullet">
                    <li>"a parent or carer asking for support for your family"</li>
                    <li>"a young person aged 16 or 17 asking for support for yourself"</li>
                    <li>"a practitioner, such as a teacher, health visitor or support worker"</li>
                </ul>
                <p class="govuk-body">
                    "It takes about 20 minutes. Your answers are saved as you go, so you can come "
                    "back to them. We will look at your request and decide next steps within 1 working day."
                </p>
                <a href="/request-support/who" role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button">
                    "Start now"
                    <svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
                        <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>
                    </svg>
                </a>
                <h2 class="govuk-heading-m">"Staying safe"</h2>
                <p class="govuk-body">
                    "Select “Exit this page” or press the Shift key 3 times to leave this site quickly. "
                    <a class="govuk-link" href="/request-support/staying-safe-online">"How to stay safe online"</a> "."
                </p>
                <h2 class="govuk-heading-m">"Other ways to ask for help"</h2>
                <p class="govuk-body">
                    "You can also phone the Early Help Hub on "
                    <a class="govuk-link" href=format!("tel:{HUB_TEL}")>{HUB_PHONE}</a>
                    " and we will fill in the form with you."
                </p>
            </div>
        </div>
    }
}

/// `/request-support/staying-safe-online`: the safety information page linked from "Exit this page".
#[component]
pub fn SafetyPage() -> impl IntoView {
    view! {
        <Title text="How to stay safe online"/>
        <ExitThisPage/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-l">"How to stay safe online"</h1>
                <p class="govuk-body">
                    "If you are worried someone might see that you have used this site, there are "
                    "things you can do."
                </p>
                <h2 class="govuk-heading-m">"Leave this site quickly"</h2>
                <p class="govuk-body">
                    "Select the “Exit this page” button, or press the Shift key 3 times, to go to "
                    "the BBC weather page straight away. This does not remove the site from your "
                    "browser history."
                </p>
                <h2 class="govuk-heading-m">"Clear your browsing history"</h2>
                <p class="govuk-body">
                    "Your browser keeps a list of the pages you visit. You can delete the pages "
                    "from this site from your history in your browser's settings, or use a private "
                    "or incognito window, which keeps no history."
                </p>
                <h2 class="govuk-heading-m">"Your saved answers"</h2>
                <p class="govuk-body">
                    "This form saves your answers on this device as you go, using a cookie. To "
                    "remove them, clear the cookies for this site. We never send your answers in "
                    "an email."
                </p>
                <h2 class="govuk-heading-m">"Use a device that is safe"</h2>
                <p class="govuk-body">
                    "If someone else uses or checks your phone or computer, use a device they "
                    "cannot get to, such as a friend's phone or a library computer."
                </p>
                <p class="govuk-body">
                    <a class="govuk-link" href="/request-support">"Back to asking for early help"</a>
                </p>
            </div>
        </div>
    }
}
