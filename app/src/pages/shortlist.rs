//! The shortlist (no account: a cookie of service ids) and what a family or practitioner can do
//! with it: see it (`/shortlist`), print it (`/shortlist/print`), copy it as text, email it to
//! themselves (`/shortlist/email`) and, for practitioners, send it to a family
//! (`/shortlist/send`). The server's handlers build the models below and provide one as context;
//! the application's fallback route renders it ([`render`]).

use crate::components::errors::{ErrorSummary, FieldError};
use crate::components::fields::{error_for, TextArea, TextInput};
use leptos::prelude::*;
use leptos_meta::Title;

/// The most services a shortlist holds.
pub const MAX_SHORTLIST: usize = 30;
/// The longest note a practitioner can add, in characters.
pub const MAX_NOTE: usize = 1000;

/// One service on the shortlist.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShortlistItem {
    pub id: String,
    pub name: String,
    pub organisation: Option<String>,
    pub summary: Option<String>,
    /// "Phone: 01632 960 123", "Email: …", "Website: …".
    pub contacts: Vec<String>,
    /// Where it runs, one line.
    pub address: Option<String>,
    pub when: Vec<String>,
}

/// `/shortlist` and `/shortlist/print`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShortlistModel {
    pub items: Vec<ShortlistItem>,
    /// The list as text: one short line per service, for a text message.
    pub text: String,
    /// The print view.
    pub print: bool,
}

/// Which form: email the list to yourself, or (a practitioner) send it to a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendKind {
    #[default]
    ToMyself,
    ToFamily,
}

/// `/shortlist/email` and `/shortlist/send`: the form, as typed, with any errors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SendFormModel {
    pub kind: SendKind,
    pub count: usize,
    pub email: String,
    pub name: String,
    pub organisation: String,
    pub note: String,
    pub errors: Vec<FieldError>,
}

/// `/shortlist/email/sent` and `/shortlist/send/sent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentModel {
    pub kind: SendKind,
}

/// The page for whichever of the models above is in the context, if any.
pub fn render() -> Option<AnyView> {
    if let Some(model) = use_context::<ShortlistModel>() {
        return Some(view! { <ShortlistPage model/> }.into_any());
    }
    if let Some(model) = use_context::<SendFormModel>() {
        return Some(view! { <SendFormPage model/> }.into_any());
    }
    use_context::<SentModel>().map(|model| view! { <SentPage model/> }.into_any())
}

/// An "Add to shortlist" or "Remove from shortlist" button. `form`: the id of a form elsewhere on
/// the page that the button submits, sending the service's id as the button's own value (on the
/// results page the cards sit inside the search form, and forms cannot nest).
#[component]
pub fn ShortlistButton(
    id: String,
    name: String,
    shortlisted: bool,
    #[prop(optional)] form: Option<String>,
) -> impl IntoView {
    // "Add <name> to shortlist": the name is for screen readers, which list buttons out of
    // context (the GOV.UK "Change <thing>" pattern).
    let (verb, preposition) = if shortlisted {
        ("Remove", " from shortlist")
    } else {
        ("Add", " to shortlist")
    };
    let button = view! {
        <button
            type="submit"
            class="govuk-button govuk-button--secondary"
            data-module="govuk-button"
            form=form.clone()
            name=form.is_some().then_some("id")
            value=form.is_some().then(|| id.clone())
        >
            {verb}
            <span class="govuk-visually-hidden">{format!(" {name}")}</span>
            {preposition}
        </button>
    };
    match form {
        Some(_) => button.into_any(),
        None => view! {
            <ShortlistForm id=id shortlisted=shortlisted back=None form_id=None>
                {button}
            </ShortlistForm>
        }
        .into_any(),
    }
}

/// The form behind a [`ShortlistButton`]: `back` is where to return to (this page by default).
#[component]
pub fn ShortlistForm(
    id: String,
    shortlisted: bool,
    back: Option<String>,
    form_id: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let action = if shortlisted {
        "/shortlist/remove"
    } else {
        "/shortlist/add"
    };
    view! {
        <form method="post" action=action id=form_id class="signpost-shortlist-form govuk-!-display-none-print">
            <input type="hidden" name="id" value=id/>
            {back.map(|b| view! { <input type="hidden" name="back" value=b/> })}
            {children.map(|c| c())}
        </form>
    }
}

#[component]
fn ShortlistPage(model: ShortlistModel) -> impl IntoView {
    let count = model.items.len();
    let title = if model.print {
        "Print your shortlist"
    } else {
        "Your shortlist"
    };
    let print = model.print;
    view! {
        <Title text=title/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds signpost-shortlist" class:signpost-print=print>
                <h1 class="govuk-heading-l">{if print { "Services shortlist" } else { "Your shortlist" }}</h1>
                {(count == 0).then(|| view! {
                    <p class="govuk-body">"Your shortlist is empty."</p>
                    <p class="govuk-body">
                        "Use the "<strong>"Add to shortlist"</strong>" buttons in "
                        <a class="govuk-link" href="/search">"search results"</a>
                        " and on service pages to keep services here while you look."
                    </p>
                })}
                {(count > 0 && !print).then(|| view! {
                    <p class="govuk-body">
                        {format!("{count} {} saved on this device. ", if count == 1 { "service" } else { "services" })}
                        "Your shortlist is kept in a cookie on this device for 30 days; nobody else can see it."
                    </p>
                    <ul class="govuk-list signpost-shortlist-actions">
                        <li><a class="govuk-link" href="/shortlist/print">"Print your shortlist"</a></li>
                        <li><a class="govuk-link" href="/shortlist/email">"Email your shortlist to yourself"</a></li>
                        <li><a class="govuk-link" href="#as-text">"Copy your shortlist as text"</a></li>
                        <li><a class="govuk-link" href="/shortlist/send">"Practitioners: send this shortlist to a family"</a></li>
                    </ul>
                })}
                <ol class="govuk-list signpost-shortlist-list">
                    {model.items.into_iter().map(|item| view! { <Item item print/> }).collect_view()}
                </ol>
                {(count > 0 && !print).then(|| view! {
                    <h2 class="govuk-heading-m" id="as-text">"Copy as text"</h2>
                    <div class="govuk-form-group">
                        <label class="govuk-label" for="shortlist-text">
                            "Each service on one short line, ready to paste into a text message"
                        </label>
                        <textarea class="govuk-textarea" id="shortlist-text" rows="6" readonly=true>
                            {crate::components::fields::textarea_text(&model.text)}
                        </textarea>
                    </div>
                })}
                {print.then(|| view! {
                    <p class="govuk-body govuk-!-display-none-print">
                        "Use your browser's print option to print this page. "
                        <a class="govuk-link" href="/shortlist">"Back to your shortlist"</a>
                    </p>
                })}
            </div>
        </div>
    }
}

#[component]
fn Item(item: ShortlistItem, print: bool) -> impl IntoView {
    let id = item.id.clone();
    let name = item.name.clone();
    view! {
        <li class="signpost-shortlist-item">
            <h2 class="govuk-heading-s govuk-!-margin-bottom-1">
                {if print {
                    view! { <span>{item.name.clone()}</span> }.into_any()
                } else {
                    view! { <a class="govuk-link" href=format!("/services/{}", item.id)>{item.name.clone()}</a> }.into_any()
                }}
            </h2>
            {item.organisation.map(|o| view! { <p class="govuk-body-s govuk-!-margin-bottom-1">{o}</p> })}
            {item.summary.map(|s| view! { <p class="govuk-body govuk-!-margin-bottom-1">{s}</p> })}
            <ul class="govuk-list govuk-!-margin-bottom-2">
                {item.when.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                {item.address.map(|a| view! { <li>{a}</li> })}
                {item.contacts.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
            {(!print).then(|| view! { <ShortlistButton id name shortlisted=true/> })}
        </li>
    }
}

#[component]
fn SendFormPage(model: SendFormModel) -> impl IntoView {
    let (heading, action) = match model.kind {
        SendKind::ToMyself => ("Email your shortlist to yourself", "/shortlist/email"),
        SendKind::ToFamily => ("Send this shortlist to a family", "/shortlist/send"),
    };
    let title = if model.errors.is_empty() {
        heading.to_owned()
    } else {
        format!("Error: {heading}")
    };
    let errors = model.errors.clone();
    let e = |name: &str| error_for(&errors, name);
    view! {
        <Title text=title/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=model.errors.clone()/>
                <h1 class="govuk-heading-l">{heading}</h1>
                {if model.count == 0 {
                    view! {
                        <p class="govuk-body">
                            "Your shortlist is empty. Add services to it from "
                            <a class="govuk-link" href="/search">"search results"</a> " first."
                        </p>
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="govuk-body">
                            {format!(
                                "We will email the {} {} on your shortlist, with their contact details.",
                                model.count,
                                if model.count == 1 { "service" } else { "services" },
                            )}
                        </p>
                        <form method="post" action=action novalidate=true>
                            {match model.kind {
                                SendKind::ToMyself => view! {
                                    <TextInput name="email" label="Your email address" input_type="email"
                                        autocomplete="email" value=model.email.clone() error=e("email")/>
                                }.into_any(),
                                SendKind::ToFamily => view! {
                                    <TextInput name="email" label="The family's email address" input_type="email"
                                        autocomplete="off" value=model.email.clone() error=e("email")/>
                                    <TextInput name="name" label="Your name"
                                        hint="The family will see who sent the list" autocomplete="name"
                                        value=model.name.clone() error=e("name")/>
                                    <TextInput name="organisation" label="Your organisation"
                                        hint="For example, Hollowmere Primary School" autocomplete="organization"
                                        value=model.organisation.clone() error=e("organisation")/>
                                    <TextArea name="note" label="A note for the family (optional)"
                                        hint="Do not include anything the family would not want others to see: emails can be read by anyone with access to the inbox."
                                        value=model.note.clone() error=e("note")/>
                                }.into_any(),
                            }}
                            <button type="submit" class="govuk-button" data-module="govuk-button">
                                {match model.kind {
                                    SendKind::ToMyself => "Send the email",
                                    SendKind::ToFamily => "Send to the family",
                                }}
                            </button>
                        </form>
                    }
                    .into_any()
                }}
                <p class="govuk-body">
                    <a class="govuk-link" href="/shortlist">"Back to your shortlist"</a>
                </p>
            </div>
        </div>
    }
}

#[component]
fn SentPage(model: SentModel) -> impl IntoView {
    let (title, body) = match model.kind {
        SendKind::ToMyself => (
            "Your shortlist is on its way",
            "We have emailed your shortlist. It should arrive in a few minutes: if it does not, check your spam or junk folder.",
        ),
        SendKind::ToFamily => (
            "The shortlist is on its way to the family",
            "We have emailed the shortlist and your note to the family. It should arrive in a few minutes.",
        ),
    };
    view! {
        <Title text=title/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <div class="govuk-panel govuk-panel--confirmation">
                    <h1 class="govuk-panel__title">{title}</h1>
                </div>
                <p class="govuk-body">{body}</p>
                <p class="govuk-body">
                    <a class="govuk-link" href="/shortlist">"Back to your shortlist"</a>
                </p>
            </div>
        </div>
    }
}
