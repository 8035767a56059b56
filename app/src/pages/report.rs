//! "Report a problem with this listing" (`/services/{id}/report`): what is wrong and what should
//! change. The server stores the report and emails the directory team a reference and a link.

use crate::components::errors::{ErrorSummary, FieldError};
use crate::components::fields::{error_for, Radios, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;

/// The longest description, in characters.
pub const MAX_DETAILS: usize = 1200;

/// The kinds of problem (value, label).
pub const PROBLEMS: &[(&str, &str)] = &[
    ("contact", "The phone number, email or website is wrong"),
    ("times", "The days, times or dates are wrong"),
    ("place", "The address or place is wrong"),
    ("closed", "The service has closed or no longer runs"),
    ("other", "Something else"),
];

/// The label of a problem's value.
pub fn problem_label(value: &str) -> Option<&'static str> {
    PROBLEMS.iter().find(|(v, _)| *v == value).map(|(_, l)| *l)
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportFormModel {
    pub service_id: String,
    pub service_name: String,
    pub problem: String,
    pub details: String,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportSentModel {
    pub service_id: String,
    pub service_name: String,
    pub reference: String,
}

/// The page for whichever of the models above is in the context, if any.
pub fn render() -> Option<AnyView> {
    if let Some(model) = use_context::<ReportFormModel>() {
        return Some(view! { <ReportForm model/> }.into_any());
    }
    use_context::<ReportSentModel>().map(|model| view! { <ReportSent model/> }.into_any())
}

#[component]
fn ReportForm(model: ReportFormModel) -> impl IntoView {
    let heading = "Report a problem with this listing";
    let title = if model.errors.is_empty() {
        heading.to_owned()
    } else {
        format!("Error: {heading}")
    };
    let errors = model.errors.clone();
    view! {
        <Title text=title/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=model.errors.clone()/>
                <span class="govuk-caption-l">{model.service_name.clone()}</span>
                <h1 class="govuk-heading-l">{heading}</h1>
                <p class="govuk-body">
                    "The directory team checks every report and updates the listing. "
                    "This form is only for problems with the listing: if you need help, call the "
                    "Family Information Service on " <crate::components::layout::FisPhoneLink/> "."
                </p>
                <form method="post" action=format!("/services/{}/report", model.service_id) novalidate=true>
                    <Radios name="problem" legend="What is wrong?" options=PROBLEMS
                        value=model.problem.clone() error=error_for(&errors, "problem")/>
                    <TextArea name="details" label="What should it say instead?"
                        hint="Do not include personal details, such as your name or anything about your family."
                        value=model.details.clone() error=error_for(&errors, "details")/>
                    <button type="submit" class="govuk-button" data-module="govuk-button">"Send report"</button>
                </form>
                <p class="govuk-body">
                    <a class="govuk-link" href=format!("/services/{}", model.service_id)>"Back to the listing"</a>
                </p>
            </div>
        </div>
    }
}

#[component]
fn ReportSent(model: ReportSentModel) -> impl IntoView {
    view! {
        <Title text="Thank you for your report"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <div class="govuk-panel govuk-panel--confirmation">
                    <h1 class="govuk-panel__title">"Thank you for your report"</h1>
                    <div class="govuk-panel__body">
                        "Your reference number"<br/><strong>{model.reference.clone()}</strong>
                    </div>
                </div>
                <p class="govuk-body">
                    "The directory team will check the listing for "
                    {model.service_name.clone()}
                    " and update it."
                </p>
                <p class="govuk-body">
                    <a class="govuk-link" href=format!("/services/{}", model.service_id)>"Back to the listing"</a>
                </p>
            </div>
        </div>
    }
}
