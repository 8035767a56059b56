//! The GOV.UK components the staff pages share, as Leptos components: the error summary and
//! `FieldError` (the site's own, from `app::components::errors`), a field's error message, text
//! inputs and textareas, selects, radios, checkboxes, buttons, summary lists, tables, success
//! banners and tags. A field's `id` is its `name` (for radios and checkboxes, the first item's),
//! which is where the error summary links.
//!
//! The public site's `app::components::fields` take `&'static` names and labels, which the staff
//! pages' generated names (`schedule-0-days`) and labels from the database do not fit; the text
//! inside a `<textarea>` goes through its [`textarea_text`] (Leptos does not escape it).

pub use app::components::errors::{ErrorSummary, FieldError};
pub use app::components::fields::error_for;
use app::components::fields::textarea_text;
use leptos::prelude::*;

/// The form group's classes, with the error modifier when the field has an error.
pub fn group_class(has_error: bool) -> &'static str {
    if has_error {
        "govuk-form-group govuk-form-group--error"
    } else {
        "govuk-form-group"
    }
}

/// `aria-describedby` from the ids that describe a field (None when none does).
fn described_by(ids: &[Option<String>]) -> Option<String> {
    let ids: Vec<&str> = ids.iter().flatten().map(String::as_str).collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A field's error message (`{id}-error`), when it has one.
#[component]
pub fn ErrorMessage(id: String, message: Option<String>) -> impl IntoView {
    message.map(|m| {
        view! {
            <p id=format!("{id}-error") class="govuk-error-message">
                <span class="govuk-visually-hidden">"Error:"</span>
                {format!(" {m}")}
            </p>
        }
    })
}

/// A hint (`{id}-hint`), when there is one.
#[component]
fn Hint(id: String, hint: Option<String>) -> impl IntoView {
    hint.filter(|h| !h.is_empty())
        .map(|h| view! { <div class="govuk-hint" id=format!("{id}-hint")>{h}</div> })
}

/// A text input with its label, hint and error. `kind` is the input's type; `width` a GOV.UK
/// width class (or empty); `label_class` the label's classes; `autocomplete` (for addresses,
/// names and passwords) and `no_spellcheck` turn the spell checker off.
#[component]
pub fn TextInput(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] width: &'static str,
    #[prop(default = "govuk-label govuk-label--s")] label_class: &'static str,
    #[prop(optional)] no_spellcheck: bool,
) -> impl IntoView {
    let has_error = error.is_some();
    let spellcheck = (no_spellcheck || autocomplete.is_some()).then_some("false");
    let hint = hint.filter(|h| !h.is_empty());
    let describedby = described_by(&[
        hint.as_ref().map(|_| format!("{name}-hint")),
        has_error.then(|| format!("{name}-error")),
    ]);
    let class = [
        "govuk-input",
        if has_error { "govuk-input--error" } else { "" },
        width,
    ]
    .into_iter()
    .filter(|c| !c.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    view! {
        <div class=group_class(has_error)>
            <label class=label_class for=name.clone()>{label}</label>
            <Hint id=name.clone() hint=hint/>
            <ErrorMessage id=name.clone() message=error/>
            <input
                class=class
                id=name.clone()
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                spellcheck=spellcheck
                aria-describedby=describedby
            />
        </div>
    }
}

/// A textarea with its label, hint and error.
#[component]
pub fn TextArea(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = 5)] rows: u8,
) -> impl IntoView {
    let has_error = error.is_some();
    let hint = hint.filter(|h| !h.is_empty());
    let describedby = described_by(&[
        hint.as_ref().map(|_| format!("{name}-hint")),
        has_error.then(|| format!("{name}-error")),
    ]);
    let class = if has_error {
        "govuk-textarea govuk-textarea--error"
    } else {
        "govuk-textarea"
    };
    view! {
        <div class=group_class(has_error)>
            <label class="govuk-label govuk-label--s" for=name.clone()>{label}</label>
            <Hint id=name.clone() hint=hint/>
            <ErrorMessage id=name.clone() message=error/>
            <textarea
                class=class
                id=name.clone()
                name=name
                rows=rows.to_string()
                aria-describedby=describedby
            >
                {textarea_text(&value)}
            </textarea>
        </div>
    }
}

/// A select with its label, hint and error, `options` as (value, label); `chosen` is
/// selected.
#[component]
pub fn Select(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(into)] chosen: String,
    error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "govuk-label govuk-label--s")] label_class: &'static str,
) -> impl IntoView {
    let has_error = error.is_some();
    let hint = hint.filter(|h| !h.is_empty());
    let describedby = described_by(&[hint.as_ref().map(|_| format!("{name}-hint"))]);
    view! {
        <div class=group_class(has_error)>
            <label class=label_class for=name.clone()>{label}</label>
            <Hint id=name.clone() hint=hint/>
            <ErrorMessage id=name.clone() message=error/>
            <select class="govuk-select" id=name.clone() name=name aria-describedby=describedby>
                {options
                    .into_iter()
                    .map(|(value, label)| {
                        let selected = value == chosen;
                        view! { <option value=value selected=selected>{label}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The id of item `i` of a group of radios or checkboxes: the first carries the field's own id
/// (where the error summary links).
fn item_id(name: &str, i: usize) -> String {
    if i == 0 {
        name.to_owned()
    } else {
        format!("{name}-{i}")
    }
}

/// GOV.UK radios in a fieldset, `options` as (value, label); `chosen` is checked.
/// `legend_class` sizes the legend.
#[component]
pub fn Radios(
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    options: Vec<(String, String)>,
    #[prop(into)] chosen: String,
    error: Option<String>,
    #[prop(default = "govuk-fieldset__legend govuk-fieldset__legend--m")]
    legend_class: &'static str,
) -> impl IntoView {
    let has_error = error.is_some();
    view! {
        <div class=group_class(has_error)>
            <fieldset class="govuk-fieldset">
                <legend class=legend_class>{legend}</legend>
                <ErrorMessage id=name.clone() message=error/>
                <div class="govuk-radios">
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (value, label))| {
                            let id = item_id(&name, i);
                            let checked = value == chosen;
                            view! {
                                <div class="govuk-radios__item">
                                    <input
                                        class="govuk-radios__input"
                                        id=id.clone()
                                        name=name.clone()
                                        type="radio"
                                        value=value
                                        checked=checked
                                    />
                                    <label class="govuk-label govuk-radios__label" for=id>
                                        {label}
                                    </label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// GOV.UK small checkboxes in a fieldset, `options` as (value, label); those in `chosen` are
/// ticked.
#[component]
pub fn Checkboxes(
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    options: Vec<(String, String)>,
    chosen: Vec<String>,
    error: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let has_error = error.is_some();
    view! {
        <div class=group_class(has_error)>
            <fieldset class="govuk-fieldset">
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
                {hint
                    .filter(|h| !h.is_empty())
                    .map(|h| view! { <div class="govuk-hint">{h}</div> })}
                <ErrorMessage id=name.clone() message=error/>
                <div class="govuk-checkboxes govuk-checkboxes--small">
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (value, label))| {
                            let id = item_id(&name, i);
                            let checked = chosen.contains(&value);
                            view! {
                                <div class="govuk-checkboxes__item">
                                    <input
                                        class="govuk-checkboxes__input"
                                        id=id.clone()
                                        name=name.clone()
                                        type="checkbox"
                                        value=value
                                        checked=checked
                                    />
                                    <label class="govuk-label govuk-checkboxes__label" for=id>
                                        {label}
                                    </label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// A submit button; `class` adds GOV.UK modifiers (`govuk-button--secondary`...).
#[component]
pub fn Button(#[prop(into)] text: String, #[prop(optional)] class: &'static str) -> impl IntoView {
    let class = if class.is_empty() {
        "govuk-button".to_owned()
    } else {
        format!("govuk-button {class}")
    };
    view! { <button type="submit" class=class>{text}</button> }
}

/// A GOV.UK summary list of its [`SummaryRow`]s.
#[component]
pub fn SummaryList(
    #[prop(optional)] id: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! { <dl class="govuk-summary-list" id=id>{children()}</dl> }
}

/// One row of a summary list: the key and the value (any view).
#[component]
pub fn SummaryRow(#[prop(into)] key: String, children: Children) -> impl IntoView {
    view! {
        <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{key}</dt>
            <dd class="govuk-summary-list__value">{children()}</dd>
        </div>
    }
}

/// A GOV.UK table: a medium caption, the column headings, and its rows (the children, each a
/// `<tr class="govuk-table__row">`).
#[component]
pub fn Table(
    #[prop(into)] caption: String,
    heads: Vec<&'static str>,
    #[prop(optional)] id: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <table class="govuk-table" id=id>
            <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    {heads
                        .into_iter()
                        .map(|h| view! { <th scope="col" class="govuk-table__header">{h}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody class="govuk-table__body">{children()}</tbody>
        </table>
    }
}

/// A GOV.UK success banner (`role="alert"`): "Success" as its title (`title_id`), then the
/// children.
#[component]
pub fn SuccessBanner(
    title_id: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div
            class="govuk-notification-banner govuk-notification-banner--success"
            role="alert"
            aria-labelledby=title_id
            data-module="govuk-notification-banner"
            id=id
        >
            <div class="govuk-notification-banner__header">
                <h2 class="govuk-notification-banner__title" id=title_id>"Success"</h2>
            </div>
            <div class="govuk-notification-banner__content">{children()}</div>
        </div>
    }
}

/// A GOV.UK tag; `class` adds its colour (`govuk-tag--grey`...).
#[component]
pub fn Tag(#[prop(into)] text: String, #[prop(optional)] class: &'static str) -> impl IntoView {
    let class = if class.is_empty() {
        "govuk-tag".to_owned()
    } else {
        format!("govuk-tag {class}")
    };
    view! { <strong class=class>{text}</strong> }
}

#[cfg(test)]
mod tests {
    use super::super::to_html;
    use super::*;

    #[test]
    fn an_input_with_an_error_is_linked_from_the_summary() {
        let errors = vec![FieldError::new("email", "Enter your email address")];
        let html = to_html(move || {
            let error = error_for(&errors, "email");
            view! {
                <ErrorSummary errors=errors/>
                <TextInput name="email" label="Email address" value="a&b" error=error
                    kind="email" autocomplete="username"/>
            }
        });
        assert!(
            html.contains(r##"<li><a href="#email">Enter your email address</a></li>"##),
            "{html}"
        );
        assert!(
            html.contains(r#"<div class="govuk-form-group govuk-form-group--error">"#),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<span class="govuk-visually-hidden">Error:</span> Enter your email address</p>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"value="a&amp;b""#), "{html}");
        assert!(html.contains(r#"aria-describedby="email-error""#), "{html}");
    }

    #[test]
    fn textarea_text_cannot_end_the_element() {
        let html = to_html(|| {
            view! { <TextArea name="notes" label="Notes" value="</textarea><b>x" error=None/> }
        });
        assert!(!html.contains("</textarea><b>"), "{html}");
    }

    #[test]
    fn the_first_radio_carries_the_field_id_and_the_chosen_one_is_checked() {
        let html = to_html(|| {
            let options = vec![
                ("a".to_owned(), "A".to_owned()),
                ("b".to_owned(), "B".to_owned()),
            ];
            view! { <Radios name="role" legend="Role" options=options chosen="b" error=None/> }
        });
        assert!(
            html.contains(r#"id="role" name="role" type="radio" value="a" class="#),
            "{html}"
        );
        assert!(
            html.contains(r#"id="role-1" name="role" type="radio" value="b" checked"#),
            "{html}"
        );
    }
}
