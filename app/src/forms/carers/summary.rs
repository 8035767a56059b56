//! The summary page of a finished carer's self-assessment (`{base}/summary` and its print
//! version): the carer's reference, the directory's services that match their answers, "ask the
//! team to contact me", "tell us once" into a request for early help, an email to themselves and
//! their answers. The server puts a [`Summary`] in the context; [`render`] shows it.

use crate::components::errors::ErrorSummary;
use crate::components::fields::TextInput;
use crate::components::layout::FisPhoneLink;
use crate::forms::view::{answers_list, title, DeleteAnswers, ExitThisPage, Warning};
use crate::forms::{FieldError, FormData, FormSpec, Interrupt};
use leptos::prelude::*;
use leptos_meta::Title;

/// What the summary page of a finished self-assessment shows.
#[derive(Debug, Clone)]
pub struct Summary {
    pub spec: &'static FormSpec,
    pub reference: String,
    pub data: FormData,
    pub matches: Vec<MatchedNeed>,
    /// The team's name, e.g. "carers' team".
    pub team: &'static str,
    /// Set once the carer asked the team to contact them.
    pub referred: bool,
    /// Safeguarding answers or a carer who cannot carry on: show the immediate help again.
    pub urgent: Option<&'static Interrupt>,
    /// Set after the summary was emailed.
    pub emailed: bool,
    /// The print view: answers and services only.
    pub print: bool,
    /// The email address as typed, and its error, on the email-yourself form.
    pub email: String,
    pub errors: Vec<FieldError>,
    /// How long after finishing the summary can be read here (then its answers are deleted).
    pub minutes: u64,
}

/// One rule that matched, with the services found for it.
#[derive(Debug, Clone)]
pub struct MatchedNeed {
    pub why: String,
    pub services: Vec<MatchedService>,
}

#[derive(Debug, Clone)]
pub struct MatchedService {
    pub id: String,
    pub name: String,
    pub summary: String,
    /// e.g. "1.2 km away".
    pub distance: Option<String>,
}

fn matched_services(spec: &FormSpec, matches: Vec<MatchedNeed>) -> impl IntoView {
    let empty = matches.iter().all(|m| m.services.is_empty());
    let (directory, directory_text) = if super::is_young(spec) {
        ("/young-carers", "See all the help for young carers")
    } else {
        ("/carers", "See all the help for carers")
    };
    view! {
        <h2 class="govuk-heading-l" id="services">"Services that may help you"</h2>
        {empty.then(|| view! {
            <p class="govuk-body">
                "We did not find services that match your answers. "
                <a class="govuk-link" href=directory>{directory_text}</a>
                " or call the Family Information Service on " <FisPhoneLink/> "."
            </p>
        })}
        {matches
            .into_iter()
            .filter(|m| !m.services.is_empty())
            .map(|m| view! {
                <div class="signpost-match">
                    <h3 class="govuk-heading-m">{m.why.clone()}</h3>
                    <ul class="govuk-list">
                        {m.services
                            .into_iter()
                            .map(|s| view! {
                                <li class="govuk-!-margin-bottom-4">
                                    <a class="govuk-link govuk-!-font-weight-bold" href=format!("/services/{}", s.id)>{s.name}</a>
                                    <p class="govuk-body govuk-!-margin-bottom-1">{s.summary}</p>
                                    {s.distance.map(|d| view! { <p class="govuk-body-s govuk-!-margin-bottom-0">{d}</p> })}
                                </li>
                            })
                            .collect_view()}
                    </ul>
                    <p class="govuk-body-s">{format!("Why we show these: {}.", m.why)}</p>
                </div>
            })
            .collect_view()}
    }
}

fn summary_page(summary: Summary) -> AnyView {
    let Summary {
        spec,
        reference,
        data,
        matches,
        team,
        referred,
        urgent,
        emailed,
        print,
        email,
        errors,
        minutes,
    } = summary;
    let base = spec.base;
    if print {
        return view! {
            <Title text="Your summary (print version)"/>
            <div class="govuk-grid-row">
                <div class="govuk-grid-column-full">
                    <span class="govuk-caption-l">{spec.title}</span>
                    <h1 class="govuk-heading-l">"Your summary"</h1>
                    <p class="govuk-body">"Reference: " <strong id="reference">{reference.clone()}</strong></p>
                    {answers_list(spec, &data, false)}
                    {matched_services(spec, matches)}
                    <p class="govuk-body govuk-!-display-none-print">
                        <a class="govuk-link" href=format!("{base}/summary")>"Back to your summary"</a>
                    </p>
                </div>
            </div>
        }
        .into_any();
    }
    let error = errors.first().map(|e| e.message.clone());
    let own = super::own_email(spec, &data);
    let email = if email.is_empty() { own } else { email };
    view! {
        <Title text=title("Your summary", &errors)/>
        <ExitThisPage/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors.clone()/>
                <div class="govuk-panel govuk-panel--confirmation">
                    <h1 class="govuk-panel__title">"Your summary"</h1>
                    <div class="govuk-panel__body">
                        "Your reference" <br/> <strong id="reference">{reference.clone()}</strong>
                    </div>
                </div>
                {urgent.map(|i| view! {
                    <div class="govuk-inset-text" id="immediate-help">
                        <h2 class="govuk-heading-m">{i.title}</h2>
                        {i.warning.map(|w| view! { <Warning text=w/> })}
                        {i.paragraphs.iter().map(|p| view! { <p class="govuk-body">{*p}</p> }).collect_view()}
                        <ul class="govuk-list">
                            {i.links.iter().map(|(text, href)| view! { <li><a class="govuk-link" href=*href>{*text}</a></li> }).collect_view()}
                        </ul>
                    </div>
                })}
                <p class="govuk-body">
                    "This summary is yours to keep. It is not a decision about what support you can get."
                </p>
                <div class="govuk-inset-text" id="summary-time">
                    {format!(
                        "You can see this summary on this device for {minutes} minutes after you finished. \
                         After that your answers are deleted from our website. To keep it, print it or email it to yourself."
                    )}
                </div>
                <ul class="govuk-list">
                    <li><a class="govuk-link" href=format!("{base}/summary/print")>"Print your summary"</a></li>
                    <li><a class="govuk-link" href="#services">"Services that may help you"</a></li>
                    <li><a class="govuk-link" href="#contact-me">{format!("Ask the {team} to contact you")}</a></li>
                    <li><a class="govuk-link" href="#your-answers">"Your answers"</a></li>
                </ul>
                <h2 class="govuk-heading-l" id="contact-me">{format!("Ask the {team} to contact you")}</h2>
                {if referred {
                    view! {
                        <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="referred-title" data-module="govuk-notification-banner">
                            <div class="govuk-notification-banner__header">
                                <h3 class="govuk-notification-banner__title" id="referred-title">"Success"</h3>
                            </div>
                            <div class="govuk-notification-banner__content">
                                <p class="govuk-notification-banner__heading" id="referred">
                                    {format!("We have asked the {team} to contact you. Quote reference {reference}.")}
                                </p>
                                <p class="govuk-body">"They will usually be in touch within 5 working days, in the way you asked."</p>
                            </div>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="govuk-body">
                            {format!(
                                "If you would like to talk about support, the {team} can contact you. We will send them your answers and they will use the contact details you gave. If you did not give a phone number or email address, {}.",
                                spec.words.phone_instead,
                            )}
                        </p>
                        <form method="post" action=format!("{base}/summary/contact") novalidate>
                            <button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">
                                {format!("Ask the {team} to contact me")}
                            </button>
                        </form>
                    }
                    .into_any()
                }}
                {matched_services(spec, matches)}
                {super::offers_early_help(spec, &data).then(|| view! {
                    <h2 class="govuk-heading-l" id="early-help">"Ask for early help for your family"</h2>
                    <p class="govuk-body">
                        "If your family needs more help, you can ask the Early Help Hub. We will fill in "
                        "your contact details and what you would like to change, so you do not have to "
                        "type them again. You check every answer before you send it."
                    </p>
                    <form method="post" action=format!("{base}/summary/early-help") novalidate>
                        <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">
                            "Start a request for early help with these answers"
                        </button>
                    </form>
                })}
                <h2 class="govuk-heading-l" id="email-summary">"Email your summary to yourself"</h2>
                {emailed.then(|| view! { <p class="govuk-body" id="emailed">"We have sent your summary to your email address."</p> })}
                <p class="govuk-body">"Only do this if it is safe for you to get email about caring. The email includes your answers."</p>
                <form method="post" action=format!("{base}/summary/email") novalidate>
                    <TextInput name="email" label="Email address" input_type="email"
                        autocomplete="email" value=email error=error.clone()/>
                    <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">"Email my summary"</button>
                </form>
                <h2 class="govuk-heading-l" id="your-answers">"Your answers"</h2>
                {answers_list(spec, &data, false)}
                <h2 class="govuk-heading-m" id="delete-answers">"Delete your answers now"</h2>
                <DeleteAnswers base=base/>
            </div>
        </div>
    }
    .into_any()
}

/// The summary, when the server put one in the context.
pub fn render() -> Option<AnyView> {
    use_context::<Summary>().map(summary_page)
}
