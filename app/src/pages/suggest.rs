//! "Suggest a change to this listing" (`/services/{id}/suggest-change`), for the people who run
//! a service: the listing's wording, filled in, to change where it is wrong, and who is asking.
//! The server keeps what changed for the directory team's review queue and emails the team a
//! reference and a link (never the suggester's details).
//!
//! [`check`] is the form's one set of rules: the same domain types as the rest of the
//! directory (email, web address, phone number, postcode, age), in this crate so that the browser
//! and the server can both run them.

use crate::components::errors::{ErrorSummary, FieldError};
use crate::components::fields::{error_for, TextArea, TextInput};
use crate::domain::{Age, Email, PhoneNumber, Postcode, WebUrl};
use leptos::prelude::*;
use leptos_meta::Title;

/// The listing's fields a provider can suggest new wording for: (name, longest, label).
/// The names are the staff editor's, so a suggestion opens straight in the editor.
pub const FIELDS: &[(&str, usize, &str)] = &[
    ("name", 255, "Name of the service"),
    ("summary", 300, "Summary"),
    ("description", 10_000, "Description"),
    ("times", 1_000, "When it runs"),
    ("minimum_age", 3, "Youngest age"),
    ("maximum_age", 3, "Oldest age"),
    ("address_1", 255, "Address line 1"),
    ("address_2", 255, "Address line 2"),
    ("city", 100, "Town or city"),
    ("postcode", 10, "Postcode"),
    ("phone", 30, "Phone number"),
    ("email", 254, "Email address"),
    ("website", 2_000, "Website"),
    ("cost_description", 2_000, "What it costs"),
];

/// The form: the listing's values (as stored, then as typed) and who is suggesting the change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SuggestFormModel {
    pub service_id: String,
    pub service_name: String,
    /// The listing as it is now, by field name (for "change at least one thing").
    pub current: Vec<(String, String)>,
    /// The values typed, by field name.
    pub values: Vec<(String, String)>,
    pub suggester_name: String,
    pub suggester_organisation: String,
    pub suggester_email: String,
    pub errors: Vec<FieldError>,
}

impl SuggestFormModel {
    /// The value typed for `name` (trimmed), or "".
    pub fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    }

    fn current(&self, name: &str) -> &str {
        self.current
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    }

    /// The values that differ from the listing now, by field name.
    pub fn changes(&self) -> Vec<(String, String)> {
        FIELDS
            .iter()
            .filter(|(name, _, _)| self.value(name) != self.current(name))
            .map(|(name, _, _)| ((*name).to_owned(), self.value(name).to_owned()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SuggestSentModel {
    pub service_id: String,
    pub service_name: String,
    pub reference: String,
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        target: field.to_owned(),
        message: message.into(),
    }
}

/// Everything wrong with the form, in the page's order.
pub fn check(m: &SuggestFormModel) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (name, max, label) in FIELDS {
        let value = m.value(name);
        if value.chars().count() > *max {
            errors.push(error(
                name,
                format!("{label} must be {max} characters or fewer"),
            ));
            continue;
        }
        if value.is_empty() {
            if *name == "name" {
                errors.push(error(name, "Enter the name of the service"));
            }
            continue;
        }
        let problem = match *name {
            "minimum_age" | "maximum_age" => Age::parse(value).err().map(|e| e.to_string()),
            "postcode" => Postcode::parse(value).err().map(|e| e.to_string()),
            "phone" => PhoneNumber::parse(value).err().map(|e| e.to_string()),
            "email" => Email::parse(value).err().map(|e| e.to_string()),
            "website" => WebUrl::parse(value).err().map(|e| e.to_string()),
            _ => None,
        };
        if let Some(p) = problem {
            errors.push(error(name, p));
        }
    }
    if errors.is_empty() && m.changes().is_empty() {
        errors.push(error(
            "name",
            "Change at least one thing, or go back to the listing if it is right",
        ));
    }
    if m.suggester_name.trim().is_empty() {
        errors.push(error("suggester_name", "Enter your name"));
    } else if m.suggester_name.trim().chars().count() > 100 {
        errors.push(error(
            "suggester_name",
            "Your name must be 100 characters or fewer",
        ));
    }
    if m.suggester_organisation.trim().is_empty() {
        errors.push(error(
            "suggester_organisation",
            "Enter the organisation you work for",
        ));
    } else if m.suggester_organisation.trim().chars().count() > 200 {
        errors.push(error(
            "suggester_organisation",
            "The organisation's name must be 200 characters or fewer",
        ));
    }
    if let Err(e) = Email::parse(m.suggester_email.trim()) {
        errors.push(error("suggester_email", e.to_string()));
    }
    errors
}

/// The page for whichever of the models above is in the context, if any.
pub fn render() -> Option<AnyView> {
    if let Some(model) = use_context::<SuggestFormModel>() {
        return Some(view! { <SuggestForm model/> }.into_any());
    }
    use_context::<SuggestSentModel>().map(|model| view! { <SuggestSent model/> }.into_any())
}

#[component]
fn SuggestForm(model: SuggestFormModel) -> impl IntoView {
    let heading = "Suggest a change to this listing";
    let title = if model.errors.is_empty() {
        heading.to_owned()
    } else {
        format!("Error: {heading}")
    };
    let errors = model.errors.clone();
    let v = |name: &str| model.value(name).to_owned();
    let e = |name: &str| error_for(&errors, name);
    view! {
        <Title text=title/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=model.errors.clone()/>
                <span class="govuk-caption-l">{model.service_name.clone()}</span>
                <h1 class="govuk-heading-l">{heading}</h1>
                <p class="govuk-body">
                    "For people who run or work for this service. Change what is wrong below: "
                    "the directory team checks every change with you before it is published."
                </p>
                <p class="govuk-body">
                    "Not from the service? "
                    <a class="govuk-link" href=format!("/services/{}/report", model.service_id)>
                        "Report a problem with the listing"
                    </a>
                    " instead."
                </p>
                <form method="post" action=format!("/services/{}/suggest-change", model.service_id) novalidate=true>
                    <h2 class="govuk-heading-m">"The listing"</h2>
                    <TextInput name="name" label="Name of the service" value=v("name") error=e("name")/>
                    <TextArea name="summary" label="Summary"
                        hint="One or two sentences shown in search results: at most 300 characters."
                        value=v("summary") error=e("summary") rows=2/>
                    <TextArea name="description" label="Description" value=v("description")
                        error=e("description") rows=8/>
                    <TextArea name="times" label="When it runs"
                        hint="The days, times and weeks, in your own words. Leave it empty if the times on the listing are right."
                        value=v("times") error=e("times") rows=3/>
                    <TextInput name="minimum_age" label="Youngest age (optional)" value=v("minimum_age")
                        error=e("minimum_age") class="govuk-input govuk-input--width-2"/>
                    <TextInput name="maximum_age" label="Oldest age (optional)" value=v("maximum_age")
                        error=e("maximum_age") class="govuk-input govuk-input--width-2"/>
                    <TextInput name="address_1" label="Address line 1 (optional)" value=v("address_1")
                        error=e("address_1")/>
                    <TextInput name="address_2" label="Address line 2 (optional)" value=v("address_2")
                        error=e("address_2")/>
                    <TextInput name="city" label="Town or city (optional)" value=v("city") error=e("city")
                        class="govuk-input govuk-!-width-two-thirds"/>
                    <TextInput name="postcode" label="Postcode (optional)" value=v("postcode")
                        error=e("postcode") class="govuk-input govuk-input--width-10"/>
                    <TextInput name="phone" label="Phone number (optional)" value=v("phone") error=e("phone")
                        input_type="tel" class="govuk-input govuk-input--width-20"/>
                    <TextInput name="email" label="Email address for families (optional)" value=v("email")
                        error=e("email") input_type="email"/>
                    <TextInput name="website" label="Website (optional)" value=v("website") error=e("website")/>
                    <TextInput name="cost_description" label="What it costs (optional)"
                        value=v("cost_description") error=e("cost_description")/>
                    <h2 class="govuk-heading-m">"About you"</h2>
                    <p class="govuk-body">
                        "The directory team uses these to check the change with you. "
                        "They are not published."
                    </p>
                    <TextInput name="suggester_name" label="Your name" value=model.suggester_name.clone()
                        error=e("suggester_name") autocomplete="name"/>
                    <TextInput name="suggester_organisation" label="The organisation you work for"
                        value=model.suggester_organisation.clone() error=e("suggester_organisation")
                        autocomplete="organization"/>
                    <TextInput name="suggester_email" label="Your work email address"
                        value=model.suggester_email.clone() error=e("suggester_email")
                        input_type="email" autocomplete="email"/>
                    <button type="submit" class="govuk-button" data-module="govuk-button">"Send the change"</button>
                </form>
                <p class="govuk-body">
                    <a class="govuk-link" href=format!("/services/{}", model.service_id)>"Back to the listing"</a>
                </p>
            </div>
        </div>
    }
}

#[component]
fn SuggestSent(model: SuggestSentModel) -> impl IntoView {
    view! {
        <Title text="Your change has been sent"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <div class="govuk-panel govuk-panel--confirmation">
                    <h1 class="govuk-panel__title">"Your change has been sent"</h1>
                    <div class="govuk-panel__body">
                        "Your reference number"<br/><strong>{model.reference.clone()}</strong>
                    </div>
                </div>
                <h2 class="govuk-heading-m">"What happens next"</h2>
                <p class="govuk-body">
                    "The directory team will check the change to "
                    {model.service_name.clone()}
                    " with you, then update the listing. Quote your reference if you contact them."
                </p>
                <p class="govuk-body">
                    <a class="govuk-link" href=format!("/services/{}", model.service_id)>"Back to the listing"</a>
                </p>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> SuggestFormModel {
        let current: Vec<(String, String)> =
            [("name", "Little Acorns"), ("phone", "01632 960 001")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        SuggestFormModel {
            values: current.clone(),
            current,
            suggester_name: "Sam Provider".into(),
            suggester_organisation: "Little Acorns CIC".into(),
            suggester_email: "sam@acorns.example".into(),
            ..SuggestFormModel::default()
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_suggestion_must_change_something() {
        assert_eq!(fields(&check(&model())), ["name"]);
        let mut m = model();
        m.values[1].1 = "01632 960 999".into();
        assert!(check(&m).is_empty());
        assert_eq!(
            m.changes(),
            [("phone".to_owned(), "01632 960 999".to_owned())]
        );
    }

    #[test]
    fn the_directory_s_own_rules_apply() {
        let mut m = model();
        m.values = vec![
            ("name".into(), String::new()),
            ("phone".into(), "call us".into()),
            ("postcode".into(), "XX".into()),
            ("minimum_age".into(), "-3".into()),
            ("website".into(), "javascript:alert(1)".into()),
            ("summary".into(), "x".repeat(301)),
        ];
        m.suggester_email = "not an email".into();
        m.suggester_name = " ".into();
        assert_eq!(
            fields(&check(&m)),
            [
                "name",
                "summary",
                "minimum_age",
                "postcode",
                "phone",
                "website",
                "suggester_name",
                "suggester_email"
            ]
        );
    }
}
