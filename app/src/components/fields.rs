//! GOV.UK Frontend form fields for the one-page forms (the shortlist's email forms, "report a
//! problem"): a label, an optional hint, the error message and the field, with the error
//! summary's links pointing at the field's `id`.

use crate::components::errors::FieldError;
use leptos::prelude::*;

/// Text for inside a `<textarea>`. Leptos (tachys 0.2) writes a textarea's children without
/// escaping them (it treats the element like `<script>`), so typed text containing
/// `</textarea>` would end the element and whatever followed would be markup. Escaped here; the
/// browser decodes the references, so the text shows exactly as typed. Every textarea whose
/// content is not a literal must use this.
pub fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The form group's classes, with the error modifier when the field has an error.
fn group_class(has_error: bool) -> &'static str {
    if has_error {
        "govuk-form-group govuk-form-group--error"
    } else {
        "govuk-form-group"
    }
}

/// The message for field `name`, if it has one.
pub fn error_for(errors: &[FieldError], name: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == name)
        .map(|e| e.message.clone())
}

fn describedby(id: &str, hint: bool, error: bool) -> Option<String> {
    let parts: Vec<String> = [
        hint.then(|| format!("{id}-hint")),
        error.then(|| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[component]
fn ErrorMessage(id: String, message: Option<String>) -> impl IntoView {
    message.map(|m| {
        view! {
            <p id=format!("{id}-error") class="govuk-error-message">
                <span class="govuk-visually-hidden">"Error: "</span>
                {m}
            </p>
        }
    })
}

/// A text input (`input_type` "text" or "email").
#[component]
pub fn TextInput(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    value: String,
    error: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(default = "govuk-input")] class: &'static str,
) -> impl IntoView {
    let id = name.to_owned();
    let has_error = error.is_some();
    let group = group_class(has_error);
    let input_class = if has_error {
        format!("{class} govuk-input--error")
    } else {
        class.to_owned()
    };
    view! {
        <div class=group>
            <label class="govuk-label govuk-label--s" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <div id=format!("{id}-hint") class="govuk-hint">{h}</div> })}
            <ErrorMessage id=id.clone() message=error/>
            <input
                class=input_class
                id=id.clone()
                name=name
                type=input_type
                value=value
                autocomplete=autocomplete
                spellcheck=(input_type == "email").then_some("false")
                aria-describedby=describedby(&id, hint.is_some(), has_error)
            />
        </div>
    }
}

/// A textarea.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    value: String,
    error: Option<String>,
    #[prop(default = 5)] rows: u32,
) -> impl IntoView {
    let id = name.to_owned();
    let has_error = error.is_some();
    let group = group_class(has_error);
    let class = if has_error {
        "govuk-textarea govuk-textarea--error"
    } else {
        "govuk-textarea"
    };
    view! {
        <div class=group>
            <label class="govuk-label govuk-label--s" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <div id=format!("{id}-hint") class="govuk-hint">{h}</div> })}
            <ErrorMessage id=id.clone() message=error/>
            <textarea
                class=class
                id=id.clone()
                name=name
                rows=rows.to_string()
                aria-describedby=describedby(&id, hint.is_some(), has_error)
            >
                {textarea_text(&value)}
            </textarea>
        </div>
    }
}

/// Radios: one question, `options` as (value, label). The first radio's id is `name` (where the
/// error summary links).
#[component]
pub fn Radios(
    name: &'static str,
    legend: &'static str,
    options: &'static [(&'static str, &'static str)],
    value: String,
    error: Option<String>,
) -> impl IntoView {
    let id = name.to_owned();
    let has_error = error.is_some();
    let group = group_class(has_error);
    view! {
        <div class=group>
            <fieldset class="govuk-fieldset" aria-describedby=describedby(&id, false, has_error)>
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
                <ErrorMessage id=id.clone() message=error/>
                <div class="govuk-radios" data-module="govuk-radios">
                    {options
                        .iter()
                        .enumerate()
                        .map(|(i, (v, label))| {
                            let radio_id = if i == 0 { id.clone() } else { format!("{id}-{}", i + 1) };
                            view! {
                                <div class="govuk-radios__item">
                                    <input
                                        class="govuk-radios__input"
                                        id=radio_id.clone()
                                        name=name
                                        type="radio"
                                        value=*v
                                        checked=value == *v
                                    />
                                    <label class="govuk-label govuk-radios__label" for=radio_id>
                                        {*label}
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
