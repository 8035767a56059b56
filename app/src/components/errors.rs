//! The one `FieldError` (a message for one field) and the one GOV.UK error summary, shared by
//! every form: the form engine's pages, the one-page forms, the directory's search and service
//! pages and the server's validation of directory records.

use leptos::prelude::*;

/// One message for one field, linked from the error summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name (what `error_for` looks up).
    pub field: String,
    /// The `id` of the input (or fieldset) the summary links to; usually the field's name.
    pub target: String,
    pub message: String,
}

impl FieldError {
    /// A message for `field`, whose input's `id` is the field's name.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        Self {
            target: field.clone(),
            field,
            message: message.into(),
        }
    }

    /// A message for `field`, linked to the input with `id` `target` (e.g. a date's day box).
    pub fn at(
        field: impl Into<String>,
        target: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            target: target.into(),
            message: message.into(),
        }
    }
}

/// The GOV.UK error summary, when there are errors: each message a link to its field. A form's
/// summary is focused when the page loads (`autofocus`); `focus=false` leaves it unfocused (the
/// directory's search and service pages, where the form is not what was sent).
#[component]
pub fn ErrorSummary(errors: Vec<FieldError>, #[prop(default = true)] focus: bool) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div
                class="govuk-error-summary"
                data-module="govuk-error-summary"
                tabindex=focus.then_some("-1")
                autofocus=focus
            >
                <div role="alert">
                    <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                    <div class="govuk-error-summary__body">
                        <ul class="govuk-list govuk-error-summary__list">
                            {errors
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <li>
                                            <a href=format!("#{}", e.target)>{e.message}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                </div>
            </div>
        }
    })
}

// Rendering to HTML needs the server-side renderer: `cargo test -p app --lib --features ssr`.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn html(errors: Vec<FieldError>, focus: bool) -> String {
        view! { <ErrorSummary errors=errors focus=focus/> }.to_html()
    }

    #[test]
    fn no_errors_no_summary() {
        // `<!>` is the renderer's marker for an empty slot.
        assert!(!html(vec![], true).contains("govuk-error-summary"));
    }

    #[test]
    fn links_each_message_to_its_target() {
        let out = html(
            vec![
                FieldError::at("dob", "dob-day", "Enter a date"),
                FieldError::new("email", "Enter an email address"),
            ],
            true,
        );
        assert!(
            out.contains(r##"<a href="#dob-day">Enter a date</a>"##),
            "{out}"
        );
        assert!(
            out.contains(r##"<a href="#email">Enter an email address</a>"##),
            "{out}"
        );
        assert!(
            out.contains(r#"tabindex="-1""#) && out.contains("autofocus"),
            "{out}"
        );
        assert!(out.contains("There is a problem"), "{out}");
    }

    #[test]
    fn unfocused_summary_has_no_tabindex_or_autofocus() {
        let out = html(vec![FieldError::new("q", "Enter fewer words")], false);
        assert!(
            !out.contains("tabindex") && !out.contains("autofocus"),
            "{out}"
        );
    }
}
