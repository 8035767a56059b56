//! Recording a decision (`GET`/`POST /staff/requests/{id}/decision`): the kind's outcomes, the
//! services to signpost to (found with the [picker](super::picker)), the targeted service and
//! level of need (the Hub's requests only) and the reason; then the outcome email to the
//! requester, queued in the decision's transaction.

use super::case_for;
use super::picker::{find_services, services_by_id};
use crate::cases::{
    add_event, decidable, kind_label, outcomes_for, uses_levels_of_need, Case, Outcome, EARLY_HELP,
};
use crate::mail::{self, NewEmail};
use crate::staff::view::form::{
    error_for, group_class, Button, Checkboxes, ErrorMessage, ErrorSummary, FieldError, Radios,
    TextArea,
};
use crate::staff::view::{self, Csrf};
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::state::AppState;
use app::forms::early_help::{self as eh, SPEC};
use app::forms::FormData;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::{AnyPool, Row};
use std::fmt::Write;

/// The outcome email's address for a request, if the requester gave one that is safe to use.
async fn requester_address(pool: &AnyPool, case: &Case) -> Result<Option<String>> {
    if case.kind != EARLY_HELP || case.purged_at.is_some() {
        return Ok(None);
    }
    let answers: String = sqlx::query("SELECT answers FROM early_help_request WHERE id = $1")
        .bind(&case.id)
        .fetch_optional(pool)
        .await?
        .ok_or(StaffError::NotFound)?
        .try_get(0)?;
    let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
    Ok(eh::acknowledgement_address(&data).map(str::to_owned))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DecisionQuery {
    #[serde(default)]
    q: String,
}

/// What was typed in the decision form, for showing it again.
#[derive(Default)]
struct DecisionForm {
    outcome: String,
    services: Vec<String>,
    targeted: String,
    level: String,
    reason: String,
}

/// The decision form for `case`, as typed, with the services found for `q` after those ticked.
async fn decision_form(
    state: &AppState,
    staff: &Staff,
    case: &Case,
    typed: DecisionForm,
    q: &str,
    errors: Vec<FieldError>,
) -> Result<Response> {
    let mut choices = services_by_id(state.db.pool(), &typed.services).await?;
    for s in find_services(state, q, false).await? {
        if !choices.iter().any(|c| c.id == s.id) {
            choices.push(s);
        }
    }
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Record a decision")
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, "Error: Record a decision")
    };
    let page = DecisionPage {
        kind: case.kind.clone(),
        reference: case.reference.clone(),
        id: case.id.clone(),
        q: q.to_owned(),
        csrf: staff.session.csrf.clone(),
        services: choices.into_iter().map(|s| (s.id, s.name)).collect(),
        targeted_services: state.staff.targeted_services.clone(),
        levels_of_need: state.staff.levels_of_need.clone(),
        typed,
        errors,
    };
    Ok(view::page(status, title, Some(staff), move || page.view()))
}

/// Everything the decision form shows.
struct DecisionPage {
    kind: String,
    reference: String,
    id: String,
    /// The directory search's words.
    q: String,
    csrf: String,
    /// The services to choose from, (id, name): those ticked, then those found.
    services: Vec<(String, String)>,
    targeted_services: Vec<String>,
    levels_of_need: Vec<String>,
    typed: DecisionForm,
    errors: Vec<FieldError>,
}

/// Each value as its own label.
fn same_label(values: Vec<String>) -> Vec<(String, String)> {
    values.into_iter().map(|v| (v.clone(), v)).collect()
}

impl DecisionPage {
    fn view(self) -> impl IntoView {
        let DecisionPage {
            kind,
            reference,
            id,
            q,
            csrf,
            services,
            targeted_services,
            levels_of_need,
            typed,
            errors,
        } = self;
        let levels_used = uses_levels_of_need(&kind);
        let outcomes: Vec<(String, String)> = outcomes_for(&kind)
            .iter()
            .map(|o| (o.as_str().to_owned(), o.label().to_owned()))
            .collect();
        let error = |field: &str| error_for(&errors, field);
        let services = if services.is_empty() {
            let has_error = error("service").is_some();
            view! {
                <div class=group_class(has_error) id="service">
                    <ErrorMessage id="service".to_owned() message=error("service")/>
                    <p class="govuk-body">"Search the directory above to choose services."</p>
                </div>
            }
            .into_any()
        } else {
            let legend = if levels_used {
                "Services to send the family (if signposting)"
            } else {
                "Services to tell the carer about (if signposting)"
            };
            view! {
                <Checkboxes
                    name="service"
                    legend
                    options=services
                    chosen=typed.services
                    error=error("service")
                />
            }
            .into_any()
        };
        let hub_fields = levels_used.then(|| {
            view! {
                <Radios
                    name="targeted"
                    legend="Targeted service (if allocating)"
                    options=same_label(targeted_services)
                    chosen=typed.targeted
                    error=error("targeted")
                />
                <Radios
                    name="level"
                    legend="Level of need"
                    options=same_label(levels_of_need)
                    chosen=typed.level
                    error=error("level")
                />
            }
        });
        let who = if levels_used { "family" } else { "carer" };
        let afterwards = if levels_used {
            "The requester will be emailed the outcome and what happens next (with the services' details if signposting), if they gave an address that is safe to use."
        } else {
            "The carer is not emailed the decision: contact them the way they asked (their answers say how) and tell them about any services you chose."
        };
        let action = format!("/staff/requests/{id}/decision");
        view! {
            <div class="govuk-grid-row">
                <div class="govuk-grid-column-two-thirds">
                    <ErrorSummary errors=errors.clone()/>
                    <span class="govuk-caption-l">
                        {format!("{}: {reference}", kind_label(&kind))}
                    </span>
                    <h1 class="govuk-heading-l">"Record a decision"</h1>
                    <form method="get" action=action.clone() class="govuk-!-margin-bottom-6">
                        <div class="govuk-form-group">
                            <label class="govuk-label govuk-label--s" for="q">
                                "Find services in the directory (for signposting)"
                            </label>
                            <div class="govuk-hint" id="q-hint">
                                "Search as families do (by name or what the service offers; spelling mistakes are allowed), then tick the services below. Services you ticked stay ticked."
                            </div>
                            <input
                                class="govuk-input govuk-!-width-two-thirds"
                                id="q"
                                name="q"
                                type="search"
                                value=q
                                aria-describedby="q-hint"
                            />
                            " "
                            <Button
                                text="Search"
                                class="govuk-button--secondary govuk-!-margin-bottom-0"
                            />
                        </div>
                    </form>
                    <form method="post" action=action novalidate>
                        <Csrf token=csrf/>
                        <Radios
                            name="outcome"
                            legend="Decision"
                            options=outcomes
                            chosen=typed.outcome
                            error=error("outcome")
                        />
                        {services}
                        {hub_fields}
                        <TextArea
                            name="reason"
                            label="Reason for the decision"
                            hint=format!("Recorded in the case history. The {who} does not see it.")
                            value=typed.reason
                            error=error("reason")
                        />
                        <p class="govuk-body">{afterwards}</p>
                        <Button text="Record decision"/>
                    </form>
                </div>
            </div>
        }
    }
}

/// `GET /staff/requests/{id}/decision`.
pub async fn decision_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<DecisionQuery>,
) -> Result<Response> {
    let case = case_for(&state, &staff, &id).await?;
    if !decidable(&case) {
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    decision_form(
        &state,
        &staff,
        &case,
        DecisionForm::default(),
        &query.q,
        Vec::new(),
    )
    .await
}

/// `POST /staff/requests/{id}/decision`: records the decision and queues the outcome email, in
/// one transaction.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    let case = case_for(&state, &staff, &id).await?;
    if !decidable(&case) {
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    let pool = state.db.pool();
    let typed = DecisionForm {
        outcome: field(&fields, "outcome").to_owned(),
        services: fields
            .iter()
            .filter(|(k, _)| k == "service")
            .map(|(_, v)| v.clone())
            .take(20)
            .collect(),
        targeted: field(&fields, "targeted").to_owned(),
        level: field(&fields, "level").to_owned(),
        reason: field(&fields, "reason").trim().to_owned(),
    };
    let levels_used = uses_levels_of_need(&case.kind);
    let outcome = Outcome::parse(&typed.outcome).filter(|o| outcomes_for(&case.kind).contains(o));
    let services = services_by_id(pool, &typed.services).await?;
    let mut errors = Vec::new();
    match outcome {
        None => errors.push(FieldError {
            field: "outcome".into(),
            message: "Select a decision".into(),
        }),
        Some(Outcome::Signpost) if services.is_empty() => errors.push(FieldError {
            field: "service".into(),
            message: "Choose at least one service to send the family".into(),
        }),
        Some(Outcome::Targeted) if !state.staff.targeted_services.contains(&typed.targeted) => {
            errors.push(FieldError {
                field: "targeted".into(),
                message: "Select the targeted service".into(),
            })
        }
        _ => {}
    }
    if levels_used && !state.staff.levels_of_need.contains(&typed.level) {
        errors.push(FieldError {
            field: "level".into(),
            message: "Select the level of need".into(),
        });
    }
    if typed.reason.is_empty() {
        errors.push(FieldError {
            field: "reason".into(),
            message: "Enter the reason for the decision".into(),
        });
    } else if typed.reason.chars().count() > 5000 {
        errors.push(FieldError {
            field: "reason".into(),
            message: "Reason must be 5,000 characters or fewer".into(),
        });
    }
    let Some(outcome) = outcome.filter(|_| errors.is_empty()) else {
        return decision_form(&state, &staff, &case, typed, "", errors).await;
    };
    let detail = match outcome {
        Outcome::Signpost => Some(
            services
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Outcome::Targeted => Some(typed.targeted.clone()),
        _ => None,
    };
    let level = levels_used.then_some(typed.level.as_str());
    let address = requester_address(pool, &case).await?;
    let clock = &state.staff.clock;
    let now = clock.now();
    let settings = &state.mail.settings;
    let mut tx = pool.begin().await?;
    // Only if nobody decided meanwhile (the status is checked again inside the transaction).
    let changed = sqlx::query(
        "UPDATE triage_case SET status = 'decided', outcome = $1, outcome_detail = $2, \
         level_of_need = $3, decision_reason = $4, decided_at = $5, decided_by = $6, \
         assignee_id = COALESCE(assignee_id, $6), updated_at = $5 \
         WHERE id = $7 AND (status IN ('new', 'in_triage') OR (status = 'decided' AND outcome = 'more_info'))",
    )
    .bind(outcome.as_str())
    .bind(detail.as_deref())
    .bind(level)
    .bind(&typed.reason)
    .bind(&now)
    .bind(&staff.id)
    .bind(&case.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    sqlx::query("DELETE FROM triage_signpost WHERE case_id = $1")
        .bind(&case.id)
        .execute(&mut *tx)
        .await?;
    if outcome == Outcome::Signpost {
        for (i, s) in services.iter().enumerate() {
            sqlx::query(
                "INSERT INTO triage_signpost (case_id, service_id, position) VALUES ($1, $2, $3)",
            )
            .bind(&case.id)
            .bind(&s.id)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
    }
    let summary = match level {
        Some(level) => format!("{} ({level})", outcome.label()),
        None => outcome.label().to_owned(),
    };
    add_event(
        &mut tx,
        &case.id,
        &now,
        Some(&staff.id),
        "decided",
        Some(&summary),
    )
    .await?;
    match address.as_deref().and_then(|a| a.parse().ok()) {
        // A carer's referral: the team contacts the carer as they asked, no outcome email.
        _ if case.kind != EARLY_HELP => {}
        Some(to) => {
            let listed: Vec<(String, String)> = services
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        format!("{}/services/{}", state.site.public_url, s.id),
                    )
                })
                .collect();
            let (subject, body) = outcome_email(
                &state.site.public_url,
                &case.reference,
                outcome,
                detail.as_deref(),
                &listed,
            );
            mail::enqueue(
                &mut tx,
                &NewEmail {
                    kind: "early_help_outcome",
                    to,
                    subject,
                    body,
                },
                settings.message_id_domain(),
            )
            .await?;
            add_event(&mut tx, &case.id, &now, None, "outcome_emailed", None).await?;
        }
        None => {
            add_event(
                &mut tx,
                &case.id,
                &now,
                None,
                "outcome_not_emailed",
                Some("The requester gave no email address that is safe to use: tell them another way"),
            )
            .await?;
        }
    }
    let mut e = staff.event("decision");
    let subject = format!("{}:{}", case.kind, case.id);
    e.subject = Some(&subject);
    e.reference = Some(&case.reference);
    e.detail = Some(outcome.as_str());
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response())
}

/// The outcome email: the reference, what the decision means and what happens next, and for
/// signposting the services' names and public pages. Nothing the requester typed.
pub fn outcome_email(
    public_url: &str,
    reference: &str,
    outcome: Outcome,
    targeted: Option<&str>,
    services: &[(String, String)],
) -> (String, String) {
    let subject = format!("An update on your request for early help: {reference}");
    let mut body = format!(
        "The Early Help Hub has looked at your request for early help.\n\
         \n\
         Your reference number is {reference}\n\
         \n\
         {meaning}\n",
        meaning = outcome.meaning()
    );
    match outcome {
        Outcome::Signpost => {
            body.push_str("\nServices that can help\n\n");
            for (name, url) in services {
                let _ = write!(body, "- {name}\n  {url}\n");
            }
            body.push_str("\nYou can contact these services yourself. Their pages say how.\n");
        }
        Outcome::Targeted => {
            if let Some(t) = targeted {
                let _ = write!(body, "\nThe service: {t}\n");
            }
        }
        _ => {}
    }
    let _ = write!(
        body,
        "\nYou can see where your request is up to at {public_url}{base}/status with your reference number and email address.\n\
         \n\
         If a child is in immediate danger, call 999. Out of hours, call the emergency duty team on {phone}.\n\
         \n\
         {council}\n",
        base = SPEC.base,
        phone = eh::OUT_OF_HOURS_PHONE,
        council = app::site::COUNCIL_NAME,
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(kind: &str, services: Vec<(String, String)>, errors: Vec<FieldError>) -> String {
        let page = DecisionPage {
            kind: kind.to_owned(),
            reference: "CR-AAAA-BBBB".to_owned(),
            id: "case-1".to_owned(),
            q: "stay & play".to_owned(),
            csrf: "c".repeat(64),
            services,
            targeted_services: vec!["Family centre".to_owned()],
            levels_of_need: vec!["Level 1: universal services".to_owned()],
            typed: DecisionForm {
                outcome: "signpost".to_owned(),
                services: vec!["s2".to_owned()],
                reason: "</textarea><b>typed</b>".to_owned(),
                ..DecisionForm::default()
            },
            errors,
        };
        view::to_html(move || page.view()).replace("<!>", "")
    }

    #[test]
    fn a_carers_referral_gets_the_carers_outcomes_and_what_was_typed_comes_back_escaped() {
        let services = vec![
            ("s1".to_owned(), "Carers <centre>".to_owned()),
            ("s2".to_owned(), "Young carers group".to_owned()),
        ];
        let errors = vec![FieldError::new(
            "reason",
            "Enter the reason for the decision",
        )];
        let html = page(crate::cases::CARERS_REFERRAL, services, errors);
        assert!(html.contains("Carer's referral: CR-AAAA-BBBB"), "{html}");
        assert!(
            html.contains("Contact the carer and offer an assessment"),
            "{html}"
        );
        assert!(!html.contains("Level of need"), "{html}");
        assert!(!html.contains("Targeted service"), "{html}");
        assert!(html.contains("Services to tell the carer about (if signposting)"));
        assert!(html.contains("Carers &lt;centre&gt;"), "{html}");
        assert!(html.contains(r#"value="s2" checked"#), "{html}");
        assert!(html.contains(r#"value="stay &amp; play""#), "{html}");
        assert!(!html.contains("</textarea><b>"), "{html}");
        assert!(
            html.contains(r##"<li><a href="#reason">Enter the reason for the decision</a></li>"##),
            "{html}"
        );
        assert!(html.contains(r#"name="csrf" value=""#), "{html}");
        assert!(html.contains("The carer does not see it."), "{html}");
    }

    #[test]
    fn a_request_for_early_help_asks_for_the_targeted_service_and_the_level_of_need() {
        let html = page(crate::cases::EARLY_HELP, Vec::new(), Vec::new());
        assert!(
            html.contains("Request for early help: CR-AAAA-BBBB"),
            "{html}"
        );
        assert!(html.contains("Targeted service (if allocating)"), "{html}");
        assert!(html.contains("Level of need"), "{html}");
        assert!(
            html.contains("Search the directory above to choose services."),
            "{html}"
        );
        assert!(!html.contains("govuk-error-summary"), "{html}");
    }
}
