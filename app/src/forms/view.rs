//! The form engine's pages in GOV.UK Frontend markup: question pages, add-another lists, the
//! task list, check your answers, interrupts and save-and-return. A form's own pages live with it
//! (the carers' summary in `carers::summary`, the request for support's confirmation in
//! `pages::request_support`).
//!
//! Long on purpose: every kind of field and page of the engine, kept together so a GOV.UK
//! component is written once.
//!
//! Every page is a plain HTML form (`method="post"`, `novalidate`, no `required`): the server
//! validates, saves and redirects (POST/redirect/GET), or renders the page again with the error
//! summary and the answers as typed.

use super::{
    first, Field, FieldError, Fields, FormData, FormSpec, Interrupt, Kind, ListSpec, Page, Status,
    TextRule,
};
use crate::components::errors::ErrorSummary;
use crate::components::fields::TextInput;
use crate::components::layout::FisPhoneLink;
use crate::text::capitalise;
use leptos::prelude::*;
use leptos_meta::Title;

/// What the server asks the shell to render in place of a route (the router's fallback reads
/// it from the context).
#[derive(Debug, Clone)]
pub enum FormPage {
    Question {
        spec: &'static FormSpec,
        page: &'static Page,
        values: Fields,
        errors: Vec<FieldError>,
        change: bool,
        back: String,
    },
    ListSummary {
        spec: &'static FormSpec,
        page: &'static Page,
        items: Vec<Fields>,
        errors: Vec<FieldError>,
        change: bool,
        back: String,
    },
    ListItem {
        spec: &'static FormSpec,
        page: &'static Page,
        /// 1-based.
        number: usize,
        values: Fields,
        errors: Vec<FieldError>,
        change: bool,
    },
    Tasks {
        spec: &'static FormSpec,
        data: FormData,
    },
    Check {
        spec: &'static FormSpec,
        data: FormData,
        errors: Vec<FieldError>,
    },
    Save {
        spec: &'static FormSpec,
        email: String,
        errors: Vec<FieldError>,
    },
    Saved {
        spec: &'static FormSpec,
    },
    /// After "Delete my answers".
    Deleted {
        spec: &'static FormSpec,
    },
    /// Immediate help or a route elsewhere, shown after the answer that calls for it.
    Interrupt {
        spec: &'static FormSpec,
        interrupt: &'static Interrupt,
        /// Where "Continue" goes; None when the form cannot go on with this answer.
        continue_to: Option<String>,
        back: String,
    },
    /// A page of plain paragraphs (too many requests, an expired link...).
    Message {
        title: &'static str,
        paragraphs: Vec<String>,
    },
}

/// Renders a [`FormPage`].
pub fn render(page: FormPage) -> AnyView {
    match page {
        FormPage::Question {
            spec,
            page,
            values,
            errors,
            change,
            back,
        } => {
            let action = with_change(format!("{}/{}", spec.base, page.slug), change);
            view! {
                <QuestionForm
                    spec
                    page
                    fields=page.fields
                    values
                    errors
                    action
                    back
                    heading=page.title
                />
            }
            .into_any()
        }
        FormPage::ListSummary {
            spec,
            page,
            items,
            errors,
            change,
            back,
        } => list_summary(spec, page, items, errors, change, back),
        FormPage::ListItem {
            spec,
            page,
            number,
            values,
            errors,
            change,
        } => {
            let Some(list) = page.list else {
                return ().into_any();
            };
            let action = with_change(format!("{}/{}/{number}", spec.base, page.slug), change);
            let back = with_change(format!("{}/{}", spec.base, page.slug), change);
            let heading = if number == 1 && list.min > 0 {
                format!("Tell us about the {}", list.item)
            } else {
                format!("{} {number}", capitalise(list.item))
            };
            view! {
                <QuestionForm spec page fields=list.fields values errors action back heading/>
            }
            .into_any()
        }
        FormPage::Tasks { spec, data } => tasks(spec, data),
        FormPage::Check { spec, data, errors } => check(spec, data, errors),
        FormPage::Save {
            spec,
            email,
            errors,
        } => save(spec, email, errors),
        FormPage::Saved { spec } => saved(spec),
        FormPage::Deleted { spec } => deleted(spec),
        FormPage::Interrupt {
            spec,
            interrupt,
            continue_to,
            back,
        } => interrupt_page(spec, interrupt, continue_to, back),
        FormPage::Message { title, paragraphs } => view! {
            <Title text=title/>
            <div class="govuk-grid-row">
                <div class="govuk-grid-column-two-thirds">
                    <h1 class="govuk-heading-l">{title}</h1>
                    {paragraphs
                        .into_iter()
                        .map(|p| view! { <p class="govuk-body">{p}</p> })
                        .collect_view()}
                    <p class="govuk-body">
                        "You can also call the Family Information Service on " <FisPhoneLink/> "."
                    </p>
                </div>
            </div>
        }
        .into_any(),
    }
}

fn with_change(path: String, change: bool) -> String {
    if change {
        format!("{path}?change=1")
    } else {
        path
    }
}

/// "Error: " in front of the title when the page shows errors.
pub(crate) fn title(text: &str, errors: &[FieldError]) -> String {
    if errors.is_empty() {
        text.to_owned()
    } else {
        format!("Error: {text}")
    }
}

/// "Exit this page": a link to an ordinary site (the island adds Shift pressed three times).
#[component]
pub fn ExitThisPage() -> impl IntoView {
    view! {
        <div class="govuk-exit-this-page" data-module="govuk-exit-this-page">
            <a
                href=crate::site::EXIT_URL
                role="button"
                draggable="false"
                class="govuk-button govuk-button--warning govuk-exit-this-page__button govuk-js-exit-this-page-button"
                data-module="govuk-button"
                rel="nofollow noreferrer"
            >
                <span class="govuk-visually-hidden">"Emergency"</span>
                " Exit this page"
            </a>
        </div>
        <crate::components::exit::ExitShortcut/>
    }
}

#[component]
fn QuestionForm(
    spec: &'static FormSpec,
    page: &'static Page,
    fields: &'static [Field],
    values: Fields,
    errors: Vec<FieldError>,
    action: String,
    back: String,
    #[prop(into)] heading: String,
) -> impl IntoView {
    let single = fields.len() == 1;
    let page_title = if single {
        fields[0].label.to_owned()
    } else {
        heading.clone()
    };
    let fields_view = fields
        .iter()
        .map(|field| {
            let error = errors
                .iter()
                .find(|e| e.field == field.name)
                .map(|e| e.message.clone());
            view! { <FieldInput field values=values.clone() error single/> }
        })
        .collect_view();
    view! {
        <Title text=title(&page_title, &errors)/>
        <ExitThisPage/>
        <a href=back class="govuk-back-link">"Back"</a>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors.clone()/>
                <span class="govuk-caption-l">{spec.title}</span>
                {(!single).then(|| view! { <h1 class="govuk-heading-l">{heading.clone()}</h1> })}
                {page.intro.iter().map(|p| view! { <p class="govuk-body">{*p}</p> }).collect_view()}
                {page.warning.map(|w| view! { <Warning text=w/> })}
                <form method="post" action=action novalidate>
                    {fields_view}
                    <div class="govuk-button-group">
                        <button type="submit" class="govuk-button" data-module="govuk-button">
                            "Continue"
                        </button>
                        <a class="govuk-link" href=format!("{}/save", spec.base)>
                            "Save and come back later"
                        </a>
                    </div>
                </form>
                <DeleteAnswers base=spec.base/>
            </div>
        </div>
    }
}

/// "Delete my answers": on every page of a form and on the carers' summary. A POST form of its
/// own (forms cannot nest), so it works without JavaScript; the server deletes the draft, removes
/// the cookie and shows [`FormPage::Deleted`].
#[component]
pub fn DeleteAnswers(base: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=format!("{base}/delete-answers") class="signpost-delete-answers" novalidate>
            <p class="govuk-body">
                "Using a shared or public device? You can delete what you have typed."
            </p>
            <button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button">
                "Delete my answers"
            </button>
        </form>
    }
}

#[component]
pub fn Warning(text: &'static str) -> impl IntoView {
    view! {
        <div class="govuk-warning-text">
            <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
            <strong class="govuk-warning-text__text">
                <span class="govuk-visually-hidden">"Warning"</span>
                {text}
            </strong>
        </div>
    }
}

fn describedby(parts: &[Option<String>]) -> Option<String> {
    let joined: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
    (!joined.is_empty()).then(|| joined.join(" "))
}

/// One field in GOV.UK markup; `single`: its label or legend is the page's h1.
#[component]
fn FieldInput(
    field: &'static Field,
    values: Fields,
    error: Option<String>,
    single: bool,
) -> impl IntoView {
    let name = field.name;
    let hint_id = field.hint.map(|_| format!("{name}-hint"));
    let error_id = error.as_ref().map(|_| format!("{name}-error"));
    let group_class = if error.is_some() {
        "govuk-form-group govuk-form-group--error"
    } else {
        "govuk-form-group"
    };
    let hint = field
        .hint
        .map(|h| view! { <div id=format!("{name}-hint") class="govuk-hint">{h}</div> });
    let error_view = error.clone().map(|e| {
        view! {
            <p id=format!("{name}-error") class="govuk-error-message">
                <span class="govuk-visually-hidden">"Error:"</span>
                " "
                {e}
            </p>
        }
    });
    let value = first(&values, name).to_owned();
    let label = move || {
        if single {
            view! {
                <h1 class="govuk-label-wrapper">
                    <label class="govuk-label govuk-label--l" for=name>{field.label}</label>
                </h1>
            }
            .into_any()
        } else {
            view! { <label class="govuk-label govuk-label--s" for=name>{field.label}</label> }
                .into_any()
        }
    };
    let legend = move || {
        if single {
            view! {
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--l">
                    <h1 class="govuk-fieldset__heading">{field.label}</h1>
                </legend>
            }
            .into_any()
        } else {
            view! {
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{field.label}</legend>
            }
            .into_any()
        }
    };
    match field.kind {
        Kind::Text(rule) => {
            let (input_type, autocomplete, class, spellcheck) = match rule {
                TextRule::Plain { autocomplete, .. } => ("text", autocomplete, "govuk-input", None),
                TextRule::Email => ("email", Some("email"), "govuk-input", Some("false")),
                TextRule::Phone => (
                    "tel",
                    Some("tel"),
                    "govuk-input govuk-input--width-20",
                    None,
                ),
                TextRule::Postcode => (
                    "text",
                    Some("postal-code"),
                    "govuk-input govuk-input--width-10",
                    None,
                ),
                TextRule::NhsNumber => (
                    "text",
                    None,
                    "govuk-input govuk-input--width-10",
                    Some("false"),
                ),
            };
            let class = if error.is_some() {
                format!("{class} govuk-input--error")
            } else {
                class.to_owned()
            };
            view! {
                <div class=group_class>
                    {label()}
                    {hint}
                    {error_view}
                    <input
                        class=class
                        id=name
                        name=name
                        type=input_type
                        value=value
                        autocomplete=autocomplete
                        spellcheck=spellcheck
                        aria-describedby=describedby(&[hint_id, error_id])
                    />
                </div>
            }
            .into_any()
        }
        Kind::TextArea { max } => {
            let info_id = format!("{name}-info");
            let class = if error.is_some() {
                "govuk-textarea govuk-js-character-count govuk-textarea--error"
            } else {
                "govuk-textarea govuk-js-character-count"
            };
            view! {
                <div
                    class=format!("{group_class} govuk-character-count")
                    data-module="govuk-character-count"
                    data-maxlength=max.to_string()
                >
                    {label()}
                    {hint}
                    {error_view}
                    <textarea
                        class=class
                        id=name
                        name=name
                        rows="6"
                        aria-describedby=describedby(&[Some(info_id.clone()), hint_id, error_id])
                    >
                        {crate::components::fields::textarea_text(&value)}
                    </textarea>
                    <div id=info_id class="govuk-hint govuk-character-count__message">
                        {format!("You can enter up to {} characters", super::thousands(max))}
                    </div>
                </div>
            }
            .into_any()
        }
        Kind::Radios(choices) | Kind::Checkboxes(choices) => {
            let radios = matches!(field.kind, Kind::Radios(_));
            let (list_class, item_class, input_class, label_class, hint_class, input_type) =
                if radios {
                    (
                        "govuk-radios",
                        "govuk-radios__item",
                        "govuk-radios__input",
                        "govuk-label govuk-radios__label",
                        "govuk-hint govuk-radios__hint",
                        "radio",
                    )
                } else {
                    (
                        "govuk-checkboxes",
                        "govuk-checkboxes__item",
                        "govuk-checkboxes__input",
                        "govuk-label govuk-checkboxes__label",
                        "govuk-hint govuk-checkboxes__hint",
                        "checkbox",
                    )
                };
            let chosen: Vec<String> = values.get(name).cloned().unwrap_or_default();
            let items = choices
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let id = if i == 0 {
                        name.to_owned()
                    } else {
                        format!("{name}-{}", i + 1)
                    };
                    let item_hint_id = c.hint.map(|_| format!("{id}-item-hint"));
                    let checked = chosen.iter().any(|v| v == c.value);
                    view! {
                        <div class=item_class>
                            <input
                                class=input_class
                                id=id.clone()
                                name=name
                                type=input_type
                                value=c.value
                                checked=checked
                                aria-describedby=item_hint_id.clone()
                            />
                            <label class=label_class for=id>{c.label}</label>
                            {c.hint.map(|h| view! { <div id=item_hint_id class=hint_class>{h}</div> })}
                        </div>
                    }
                })
                .collect_view();
            view! {
                <div class=group_class>
                    <fieldset class="govuk-fieldset" aria-describedby=describedby(&[hint_id, error_id])>
                        {legend()}
                        {hint}
                        {error_view}
                        <div class=list_class data-module=list_class>{items}</div>
                    </fieldset>
                </div>
            }
            .into_any()
        }
        Kind::Date { .. } => {
            let parts = [("day", "Day", "govuk-input--width-2"), ("month", "Month", "govuk-input--width-2"), ("year", "Year", "govuk-input--width-4")]
                .into_iter()
                .map(|(part, text, width)| {
                    let id = format!("{name}-{part}");
                    let value = values
                        .get(&id)
                        .and_then(|v| v.first().cloned())
                        .or_else(|| date_part(first(&values, name), part))
                        .unwrap_or_default();
                    let class = if error.is_some() {
                        format!("govuk-input govuk-date-input__input {width} govuk-input--error")
                    } else {
                        format!("govuk-input govuk-date-input__input {width}")
                    };
                    view! {
                        <div class="govuk-date-input__item">
                            <div class="govuk-form-group">
                                <label class="govuk-label govuk-date-input__label" for=id.clone()>{text}</label>
                                <input class=class id=id.clone() name=id type="text" inputmode="numeric" value=value/>
                            </div>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <div class=group_class>
                    <fieldset class="govuk-fieldset" role="group" aria-describedby=describedby(&[hint_id, error_id])>
                        {legend()}
                        {hint}
                        {error_view}
                        <div class="govuk-date-input" id=name>{parts}</div>
                    </fieldset>
                </div>
            }
            .into_any()
        }
    }
}

/// The day, month or year of a stored `YYYY-MM-DD` date, without leading zeros.
fn date_part(stored: &str, part: &str) -> Option<String> {
    let mut it = stored.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    let text = match part {
        "day" => d,
        "month" => m,
        _ => y,
    };
    Some(text.trim_start_matches('0').to_owned())
}

fn item_name(list: &ListSpec, item: &Fields) -> String {
    list.name_fields
        .iter()
        .map(|f| first(item, f))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn list_summary(
    spec: &'static FormSpec,
    page: &'static Page,
    items: Vec<Fields>,
    errors: Vec<FieldError>,
    change: bool,
    back: String,
) -> AnyView {
    let Some(list) = page.list else {
        return ().into_any();
    };
    let heading = if items.is_empty() {
        page.title.to_owned()
    } else if items.len() == 1 {
        format!("You have added 1 {}", list.item)
    } else {
        format!("You have added {} {}", items.len(), plural(list.item))
    };
    let question = if items.is_empty() {
        list.empty_question.to_owned()
    } else {
        format!("Do you need to add another {}?", list.item)
    };
    let full = items.len() >= list.max;
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let n = i + 1;
            let name = item_name(list, item);
            let change_href = with_change(format!("{}/{}/{n}", spec.base, page.slug), change);
            let remove_action = format!("{}/{}/{n}/remove", spec.base, page.slug);
            view! {
                <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key">{name.clone()}</dt>
                    <dd class="govuk-summary-list__actions">
                        <ul class="govuk-summary-list__actions-list">
                            <li class="govuk-summary-list__actions-list-item">
                                <a class="govuk-link" href=change_href>
                                    "Change"
                                    <span class="govuk-visually-hidden">{format!(" {name}")}</span>
                                </a>
                            </li>
                            <li class="govuk-summary-list__actions-list-item">
                                <form method="post" action=remove_action class="signpost-inline-form">
                                    <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">
                                        "Remove"
                                        <span class="govuk-visually-hidden">{format!(" {name}")}</span>
                                    </button>
                                </form>
                            </li>
                        </ul>
                    </dd>
                </div>
            }
        })
        .collect_view();
    let error = errors.first().map(|e| e.message.clone());
    let group_class = if error.is_some() {
        "govuk-form-group govuk-form-group--error"
    } else {
        "govuk-form-group"
    };
    let action = with_change(format!("{}/{}", spec.base, page.slug), change);
    view! {
        <Title text=title(&heading, &errors)/>
        <ExitThisPage/>
        <a href=back class="govuk-back-link">"Back"</a>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors.clone()/>
                <span class="govuk-caption-l">{spec.title}</span>
                <h1 class="govuk-heading-l">{heading}</h1>
                {page.intro.iter().map(|p| view! { <p class="govuk-body">{*p}</p> }).collect_view()}
                {(!items.is_empty()).then(|| view! { <dl class="govuk-summary-list">{rows}</dl> })}
                <form method="post" action=action novalidate>
                    {if full {
                        view! {
                            <p class="govuk-body">
                                {format!("You cannot add more than {} {} here. Tell us about anyone else in the next questions.", list.max, plural(list.item))}
                            </p>
                            <input type="hidden" name="add_another" value="no"/>
                        }
                            .into_any()
                    } else {
                        view! {
                            <div class=group_class>
                                <fieldset class="govuk-fieldset" aria-describedby=error.as_ref().map(|_| "add_another-error")>
                                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">{question}</legend>
                                    {error.clone().map(|e| view! {
                                        <p id="add_another-error" class="govuk-error-message">
                                            <span class="govuk-visually-hidden">"Error:"</span> " " {e}
                                        </p>
                                    })}
                                    <div class="govuk-radios govuk-radios--inline" data-module="govuk-radios">
                                        <div class="govuk-radios__item">
                                            <input class="govuk-radios__input" id="add_another" name="add_another" type="radio" value="yes"/>
                                            <label class="govuk-label govuk-radios__label" for="add_another">"Yes"</label>
                                        </div>
                                        <div class="govuk-radios__item">
                                            <input class="govuk-radios__input" id="add_another-2" name="add_another" type="radio" value="no"/>
                                            <label class="govuk-label govuk-radios__label" for="add_another-2">"No"</label>
                                        </div>
                                    </div>
                                </fieldset>
                            </div>
                        }
                            .into_any()
                    }}
                    <button type="submit" class="govuk-button" data-module="govuk-button">"Continue"</button>
                </form>
                <DeleteAnswers base=spec.base/>
            </div>
        </div>
    }
    .into_any()
}

fn plural(item: &str) -> String {
    match item {
        "child" => "children".into(),
        "person" => "people".into(),
        other => format!("{other}s"),
    }
}

fn tasks(spec: &'static FormSpec, data: FormData) -> AnyView {
    let complete = spec.is_complete(&data);
    let done = spec
        .sections
        .iter()
        .filter(|s| spec.status(s, &data) == Status::Completed)
        .count();
    let items = spec
        .sections
        .iter()
        .map(|section| {
            let status = spec.status(section, &data);
            let status_id = format!("{}-status", section.id);
            let href = spec
                .section_start(section, &data)
                .map(|p| format!("{}/{}", spec.base, p.slug))
                .unwrap_or_default();
            let status_view = match status {
                Status::Completed => status.label().into_any(),
                Status::InProgress => view! { <strong class="govuk-tag govuk-tag--light-blue">{status.label()}</strong> }.into_any(),
                Status::NotStarted => view! { <strong class="govuk-tag govuk-tag--blue">{status.label()}</strong> }.into_any(),
                Status::CannotStart => status.label().into_any(),
            };
            let can_start = status != Status::CannotStart;
            view! {
                <li class="govuk-task-list__item" class:govuk-task-list__item--with-link=can_start>
                    <div class="govuk-task-list__name-and-hint">
                        {if can_start {
                            view! {
                                <a class="govuk-link govuk-task-list__link" href=href aria-describedby=status_id.clone()>
                                    {section.title}
                                </a>
                            }
                                .into_any()
                        } else {
                            view! { <div>{section.title}</div> }.into_any()
                        }}
                    </div>
                    <div
                        class="govuk-task-list__status"
                        class:govuk-task-list__status--cannot-start-yet=!can_start
                        id=status_id
                    >
                        {status_view}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text=spec.title/>
        <ExitThisPage/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-l">{spec.title}</h1>
                <p class="govuk-body">
                    {format!("You have completed {done} of {} sections.", spec.sections.len())}
                </p>
                <p class="govuk-body">
                    "Your answers are saved as you go, until you close your browser. "
                    <a class="govuk-link" href=format!("{}/save", spec.base)>"Get a link to come back later"</a>
                    "."
                </p>
                <ul class="govuk-task-list">{items}</ul>
                <h2 class="govuk-heading-m">"Check and send"</h2>
                {if complete {
                    view! {
                        <a class="govuk-button" data-module="govuk-button" href=format!("{}/check-answers", spec.base)>
                            "Check your answers"
                        </a>
                    }
                        .into_any()
                } else {
                    view! { <p class="govuk-body">{spec.words.not_ready}</p> }
                        .into_any()
                }}
                <DeleteAnswers base=spec.base/>
            </div>
        </div>
    }
    .into_any()
}

/// One summary-list row, with a change link when `href` is given.
fn row(key: String, value: String, href: Option<String>) -> impl IntoView {
    let hidden = format!(" {}", key.to_lowercase());
    let lines: Vec<String> = if value.is_empty() {
        vec!["Not answered".to_owned()]
    } else {
        value.split('\n').map(str::to_owned).collect()
    };
    let count = lines.len();
    let class = if href.is_some() {
        "govuk-summary-list__row"
    } else {
        "govuk-summary-list__row govuk-summary-list__row--no-actions"
    };
    view! {
        <div class=class>
            <dt class="govuk-summary-list__key">{key}</dt>
            <dd class="govuk-summary-list__value">
                {lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, l)| view! { {l} {(i + 1 < count).then(|| view! { <br/> })} })
                    .collect_view()}
            </dd>
            {href.map(|href| view! {
                <dd class="govuk-summary-list__actions">
                    <a class="govuk-link" href=href>
                        "Change"
                        <span class="govuk-visually-hidden">{hidden.clone()}</span>
                    </a>
                </dd>
            })}
        </div>
    }
}

/// Every answer, section by section, with change links when `change` (check your answers) or
/// without (the summary the carer keeps).
pub(crate) fn answers_list(
    spec: &'static FormSpec,
    data: &FormData,
    change: bool,
) -> impl IntoView {
    let link = move |href: String| change.then_some(href);
    spec
        .sections
        .iter()
        .map(|section| {
            let pages = section
                .pages
                .iter()
                .filter(|p| p.is_visible(data))
                .map(|page| {
                    if let Some(list) = page.list {
                        let items = data.list(list.key).to_vec();
                        let cards = items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| {
                                let n = i + 1;
                                let href = format!("{}/{}/{n}?change=1", spec.base, page.slug);
                                view! {
                                    <h3 class="govuk-heading-s">{format!("{} {n}", capitalise(list.item))}</h3>
                                    <dl class="govuk-summary-list">
                                        {list
                                            .fields
                                            .iter()
                                            .map(|f| row(f.short.to_owned(), f.display(item), link(href.clone())))
                                            .collect_view()}
                                    </dl>
                                }
                            })
                            .collect_view();
                        view! {
                            {(items.is_empty()).then(|| view! {
                                <p class="govuk-body">{format!("No {} added.", plural(list.item))}</p>
                            })}
                            {cards}
                            {change.then(|| view! {
                                <p class="govuk-body">
                                    <a class="govuk-link" href=format!("{}/{}?change=1", spec.base, page.slug)>
                                        {format!("Add or remove {}", plural(list.item))}
                                    </a>
                                </p>
                            })}
                        }
                        .into_any()
                    } else {
                        let href = format!("{}/{}?change=1", spec.base, page.slug);
                        view! {
                            <dl class="govuk-summary-list">
                                {page
                                    .fields
                                    .iter()
                                    .map(|f| row(f.short.to_owned(), f.display(&data.values), link(href.clone())))
                                    .collect_view()}
                            </dl>
                        }
                        .into_any()
                    }
                })
                .collect_view();
            view! {
                <h2 class="govuk-heading-m">{section.title}</h2>
                {pages}
            }
        })
        .collect_view()
}

fn check(spec: &'static FormSpec, data: FormData, errors: Vec<FieldError>) -> AnyView {
    let sections = answers_list(spec, &data, true);
    view! {
        <Title text=title(spec.words.check_title, &errors)/>
        <ExitThisPage/>
        <a href=format!("{}/tasks", spec.base) class="govuk-back-link">"Back"</a>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors.clone()/>
                <h1 class="govuk-heading-l">{spec.words.check_title}</h1>
                {sections}
                <h2 class="govuk-heading-m">{spec.words.send_heading}</h2>
                <p class="govuk-body">
                    {spec.words.declaration} ", as described in the "
                    <a class="govuk-link" href="/privacy">"privacy notice"</a> "."
                </p>
                <form method="post" action=format!("{}/check-answers", spec.base) novalidate>
                    <div class="govuk-visually-hidden" aria-hidden="true">
                        <label for="website">"Leave this empty"</label>
                        <input id="website" name="website" type="text" tabindex="-1" autocomplete="off"/>
                    </div>
                    <button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">
                        {spec.words.send_button}
                    </button>
                </form>
                <DeleteAnswers base=spec.base/>
            </div>
        </div>
    }
    .into_any()
}

fn save(spec: &'static FormSpec, email: String, errors: Vec<FieldError>) -> AnyView {
    let error = errors.first().map(|e| e.message.clone());
    view! {
        <Title text=title("Get a link to come back to your answers", &errors)/>
        <ExitThisPage/>
        <a href=format!("{}/tasks", spec.base) class="govuk-back-link">"Back"</a>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors.clone()/>
                <h1 class="govuk-heading-l">"Get a link to come back to your answers"</h1>
                <p class="govuk-body">
                    "Your answers are saved on this device as you go, until you close your browser. "
                    "We can email you a link to carry on later, from this or another device. If you "
                    "ask for one, this device also keeps your answers for 30 days."
                </p>
                <p class="govuk-body">"Only ask for a link if it is safe for you to get email about this."</p>
                <form method="post" action=format!("{}/save", spec.base) novalidate>
                    <TextInput name="email" label="Email address" hint="The link works for 30 days"
                        input_type="email" autocomplete="email" value=email error=error.clone()/>
                    <button type="submit" class="govuk-button" data-module="govuk-button">"Send me a link"</button>
                </form>
                <DeleteAnswers base=spec.base/>
            </div>
        </div>
    }
    .into_any()
}

fn saved(spec: &'static FormSpec) -> AnyView {
    view! {
        <Title text="We have sent you a link"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-l">"We have sent you a link"</h1>
                <p class="govuk-body">
                    "Use the link in the email to come back to your answers. It works for 30 days. "
                    "After that your answers are deleted."
                </p>
                <p class="govuk-body">
                    <a class="govuk-link" href=format!("{}/tasks", spec.base)>"Carry on with your request"</a>
                </p>
            </div>
        </div>
    }
    .into_any()
}

/// The confirmation after "Delete my answers" (the GOV.UK confirmation pattern).
fn deleted(spec: &'static FormSpec) -> AnyView {
    view! {
        <Title text="Your answers have been deleted"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <div class="govuk-panel govuk-panel--confirmation">
                    <h1 class="govuk-panel__title">"Your answers have been deleted"</h1>
                </div>
                <p class="govuk-body">
                    "We have deleted the answers you gave on this device, and this device no longer "
                    "holds a link to them. Any link we emailed you to come back to them no longer works."
                </p>
                <p class="govuk-body">
                    "If you asked us to email you something, that email has already been sent to the "
                    "address you gave."
                </p>
                <p class="govuk-body">
                    <a class="govuk-link" href=spec.base>{format!("Start {} again", spec.title)}</a>
                </p>
                <p class="govuk-body">
                    "You can also call the Family Information Service on " <FisPhoneLink/> "."
                </p>
            </div>
        </div>
    }
    .into_any()
}

fn interrupt_page(
    spec: &'static FormSpec,
    interrupt: &'static Interrupt,
    continue_to: Option<String>,
    back: String,
) -> AnyView {
    view! {
        <Title text=interrupt.title/>
        <ExitThisPage/>
        <a href=back class="govuk-back-link">"Back"</a>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <span class="govuk-caption-l">{spec.title}</span>
                <h1 class="govuk-heading-l">{interrupt.title}</h1>
                {interrupt.warning.map(|w| view! { <Warning text=w/> })}
                {interrupt.paragraphs.iter().map(|p| view! { <p class="govuk-body">{*p}</p> }).collect_view()}
                {(!interrupt.links.is_empty()).then(|| view! {
                    <ul class="govuk-list">
                        {interrupt
                            .links
                            .iter()
                            .map(|(text, href)| view! { <li><a class="govuk-link" href=*href>{*text}</a></li> })
                            .collect_view()}
                    </ul>
                })}
                {continue_to.map(|to| view! {
                    <a href=to role="button" draggable="false" class="govuk-button" data-module="govuk-button">
                        "Continue"
                    </a>
                })}
            </div>
        </div>
    }
    .into_any()
}
