//! The Early Help request for support's own pages: the start page, the safety information page,
//! once sent the confirmation ([`RequestSent`]), and the family status page ([`StatusPage`]:
//! look-up, timeline). The form's question pages are rendered by the form engine (`forms::view`)
//! from the server's draft.

use crate::components::errors::ErrorSummary;
use crate::components::fields::{error_for, TextInput};
use crate::forms::early_help::{HUB_PHONE, HUB_TEL, OUT_OF_HOURS_PHONE, OUT_OF_HOURS_TEL, SPEC};
use crate::forms::view::ExitThisPage;
use crate::forms::FieldError;
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
                    "This form saves your answers as you go, until you close your browser (longer "
                    "only if you ask for a link to come back later). Every page has a \"Delete my "
                    "answers\" button that deletes them at once. We never send your answers in an "
                    "email."
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

/// What `/request-support/confirmation` shows once the request is sent (the server puts it in
/// the context).
#[derive(Debug, Clone)]
pub struct RequestSent {
    pub reference: String,
    /// The acknowledgement email went out (the requester gave an address that is safe to use).
    pub acknowledged: bool,
}

/// The family status page (`/request-support/status`), as the server found it.
#[derive(Debug, Clone)]
pub enum StatusPage {
    /// The look-up form: the reference and email address as typed, and their errors.
    Lookup {
        reference: String,
        email: String,
        errors: Vec<FieldError>,
    },
    /// Too many look-ups from one address.
    TooManyAttempts,
    /// A status link that does not work.
    BadLink,
    /// The request's timeline.
    Timeline(Timeline),
}

/// A request's timeline: received, being looked at, decided (with what it means).
#[derive(Debug, Clone)]
pub struct Timeline {
    pub reference: String,
    /// When it arrived, as people read it.
    pub received: String,
    /// When the Hub first looked at it (assigned or decided).
    pub looked_at: Option<String>,
    pub decision: Option<Decision>,
}

/// The Hub's decision, as the family reads it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub at: String,
    /// What the decision means for the family, in plain English.
    pub meaning: &'static str,
    /// Signposting: the services' details went by email.
    pub services_emailed: bool,
}

/// The request for support's server-rendered pages, when the server put one in the context.
pub fn render() -> Option<AnyView> {
    use_context::<RequestSent>()
        .map(request_sent)
        .or_else(|| use_context::<StatusPage>().map(status_page))
}

fn status_page(page: StatusPage) -> AnyView {
    match page {
        StatusPage::Lookup {
            reference,
            email,
            errors,
        } => view! {
            <Title text=if errors.is_empty() {
                "Check the progress of your request"
            } else {
                "Error: Check the progress of your request"
            }/>
            <div class="govuk-grid-row">
                <div class="govuk-grid-column-two-thirds">
                    <ErrorSummary errors=errors.clone()/>
                    <h1 class="govuk-heading-l">"Check the progress of your request for early help"</h1>
                    <p class="govuk-body">
                        "Enter the reference number from your confirmation email and the email address you gave us."
                    </p>
                    <form method="post" action="/request-support/status" novalidate>
                        <TextInput name="reference" label="Reference number, for example EH-7K3Q-9M2P"
                            autocomplete="off" value=reference error=error_for(&errors, "reference")/>
                        <TextInput name="email" label="Email address" input_type="email"
                            autocomplete="email" value=email error=error_for(&errors, "email")/>
                        <button type="submit" class="govuk-button">"Check progress"</button>
                    </form>
                    <p class="govuk-body">
                        "You can also call the Early Help Hub on "
                        <a class="govuk-link" href=format!("tel:{HUB_TEL}")>{HUB_PHONE}</a> "."
                    </p>
                </div>
            </div>
        }
        .into_any(),
        StatusPage::TooManyAttempts => view! {
            <Title text="Too many attempts"/>
            <h1 class="govuk-heading-l">"Too many attempts"</h1>
            <p class="govuk-body">
                "Try again in an hour, or call the Early Help Hub on "
                <a class="govuk-link" href=format!("tel:{HUB_TEL}")>{HUB_PHONE}</a> "."
            </p>
        }
        .into_any(),
        StatusPage::BadLink => view! {
            <Title text="This link does not work"/>
            <h1 class="govuk-heading-l">"This link does not work"</h1>
            <p class="govuk-body">
                "Check you copied the whole link from the email, or "
                <a class="govuk-link" href="/request-support/status">"check progress with your reference number"</a>
                "."
            </p>
        }
        .into_any(),
        StatusPage::Timeline(timeline) => timeline_page(timeline),
    }
}

/// One step of the timeline; "Not yet" until it happened.
#[component]
fn Step(done: bool, title: &'static str, children: Children) -> impl IntoView {
    view! {
        <li class="signpost-timeline__item">
            <h2 class="govuk-heading-s govuk-!-margin-bottom-1">
                {title}
                {(!done).then(|| view! { " " <strong class="govuk-tag govuk-tag--grey">"Not yet"</strong> })}
            </h2>
            {children()}
        </li>
    }
}

fn timeline_page(timeline: Timeline) -> AnyView {
    let Timeline {
        reference,
        received,
        looked_at,
        decision,
    } = timeline;
    view! {
        <Title text="Your request for early help"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <span class="govuk-caption-l">{reference}</span>
                <h1 class="govuk-heading-l">"Your request for early help"</h1>
                <ol class="govuk-list signpost-timeline" id="timeline">
                    <Step done=true title="Request received">
                        <p class="govuk-body">{received}</p>
                    </Step>
                    <Step done=looked_at.is_some() title="Being looked at by the Early Help Hub">
                        {looked_at.clone().map(|at| view! { <p class="govuk-body">{at}</p> })}
                    </Step>
                    <Step done=decision.is_some() title="Decision">
                        {match decision.clone() {
                            Some(d) => view! {
                                <p class="govuk-body">{d.at}</p>
                                <p class="govuk-body" id="outcome">{d.meaning}</p>
                                {d.services_emailed.then(|| view! {
                                    <p class="govuk-body">"We have emailed you the services' details."</p>
                                })}
                            }
                            .into_any(),
                            None => view! {
                                <p class="govuk-body">"We aim to decide within 1 working day."</p>
                            }
                            .into_any(),
                        }}
                    </Step>
                </ol>
                <p class="govuk-body">
                    "If a child is in immediate danger, call 999. Out of hours, call the emergency duty team on "
                    <a class="govuk-link" href=format!("tel:{OUT_OF_HOURS_TEL}")>{OUT_OF_HOURS_PHONE}</a>
                    "."
                </p>
            </div>
        </div>
    }
    .into_any()
}

fn request_sent(
    RequestSent {
        reference,
        acknowledged,
    }: RequestSent,
) -> AnyView {
    let spec = &SPEC;
    view! {
        <Title text="Request sent"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <div class="govuk-panel govuk-panel--confirmation">
                    <h1 class="govuk-panel__title">"Request sent"</h1>
                    <div class="govuk-panel__body">
                        "Your reference number"
                        <br/>
                        <strong id="reference">{reference}</strong>
                    </div>
                </div>
                {acknowledged.then(|| view! {
                    <p class="govuk-body">"We have sent a confirmation email with your reference number."</p>
                })}
                <h2 class="govuk-heading-m">"What happens next"</h2>
                <p class="govuk-body">
                    "The Early Help Hub will look at your request and decide next steps within 1 working day."
                </p>
                <p class="govuk-body">"They may:"</p>
                <ul class="govuk-list govuk-list--bullet">
                    <li>"give you information about services that can help"</li>
                    <li>"offer support from a family worker or another service"</li>
                    <li>"ask a social worker to assess what support the family needs"</li>
                </ul>
                <p class="govuk-body">"We will contact you in the ways you told us are safe."</p>
                <div class="govuk-inset-text">
                    "If a child is in immediate danger, call 999. Out of hours, call the emergency duty team on "
                    <a class="govuk-link" href=format!("tel:{}", OUT_OF_HOURS_TEL)>{OUT_OF_HOURS_PHONE}</a>
                    "."
                </div>
                <p class="govuk-body">
                    <a class="govuk-link" href="/">{format!("Return to {}", crate::site::SERVICE_NAME)}</a>
                </p>
                <p class="govuk-body govuk-!-display-none-print">
                    {format!("To make another request, go to {}.", spec.title.to_lowercase())}
                    " "
                    <a class="govuk-link" href=spec.base>"Start a new request"</a>
                </p>
            </div>
        </div>
    }
    .into_any()
}
