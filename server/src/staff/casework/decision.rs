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
use crate::staff::html::{self, esc, FieldError};
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::startup::AppState;
use app::forms::early_help::{self as eh, SPEC};
use app::forms::FormData;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
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

async fn decision_html(
    state: &AppState,
    staff: &Staff,
    case: &Case,
    typed: &DecisionForm,
    q: &str,
    errors: &[FieldError],
) -> Result<String> {
    let pool = state.db.pool();
    let levels_used = uses_levels_of_need(&case.kind);
    let outcomes: Vec<(String, String)> = outcomes_for(&case.kind)
        .iter()
        .map(|o| (o.as_str().to_owned(), o.label().to_owned()))
        .collect();
    let targeted: Vec<(String, String)> = state
        .staff
        .targeted_services
        .iter()
        .map(|s| (s.clone(), s.clone()))
        .collect();
    let levels: Vec<(String, String)> = state
        .staff
        .levels_of_need
        .iter()
        .map(|s| (s.clone(), s.clone()))
        .collect();
    let mut choices = services_by_id(pool, &typed.services).await?;
    for s in find_services(state, q, false).await? {
        if !choices.iter().any(|c| c.id == s.id) {
            choices.push(s);
        }
    }
    let (service_error, service_class) = html::field_error(errors, "service");
    let mut boxes = String::new();
    for (i, s) in choices.iter().enumerate() {
        let id = if i == 0 {
            "service".to_owned()
        } else {
            format!("service-{i}")
        };
        let _ = write!(
            boxes,
            r#"<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{id}" name="service" type="checkbox" value="{v}"{checked}><label class="govuk-label govuk-checkboxes__label" for="{id}">{l}</label></div>"#,
            v = esc(&s.id),
            l = esc(&s.name),
            checked = if typed.services.contains(&s.id) {
                " checked"
            } else {
                ""
            },
        );
    }
    let services = if choices.is_empty() {
        format!(
            r#"<div class="govuk-form-group{service_class}" id="service">{service_error}<p class="govuk-body">Search the directory above to choose services.</p></div>"#
        )
    } else {
        format!(
            r#"<div class="govuk-form-group{service_class}"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>{service_error}<div class="govuk-checkboxes govuk-checkboxes--small">{boxes}</div></fieldset></div>"#,
            legend = if levels_used {
                "Services to send the family (if signposting)"
            } else {
                "Services to tell the carer about (if signposting)"
            },
        )
    };
    let targeted = if levels_used {
        html::radios(
            "targeted",
            "Targeted service (if allocating)",
            &targeted,
            &typed.targeted,
            errors,
        )
    } else {
        String::new()
    };
    let levels = if levels_used {
        html::radios("level", "Level of need", &levels, &typed.level, errors)
    } else {
        String::new()
    };
    let afterwards = if levels_used {
        "The requester will be emailed the outcome and what happens next (with the services' details if signposting), if they gave an address that is safe to use."
    } else {
        "The carer is not emailed the decision: contact them the way they asked (their answers say how) and tell them about any services you chose."
    };
    let (reason_error, reason_class) = html::field_error(errors, "reason");
    Ok(format!(
        r#"<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">{summary}<span class="govuk-caption-l">{kind}: {reference}</span><h1 class="govuk-heading-l">Record a decision</h1><form method="get" action="/staff/requests/{id}/decision" class="govuk-!-margin-bottom-6"><div class="govuk-form-group"><label class="govuk-label govuk-label--s" for="q">Find services in the directory (for signposting)</label><div class="govuk-hint" id="q-hint">Search as families do (by name or what the service offers; spelling mistakes are allowed), then tick the services below. Services you ticked stay ticked.</div><input class="govuk-input govuk-!-width-two-thirds" id="q" name="q" type="search" value="{q}" aria-describedby="q-hint"> <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">Search</button></div></form><form method="post" action="/staff/requests/{id}/decision" novalidate>{csrf}{outcome}{services}{targeted}{levels}<div class="govuk-form-group{reason_class}"><label class="govuk-label govuk-label--m" for="reason">Reason for the decision</label><div class="govuk-hint" id="reason-hint">Recorded in the case history. The {who} does not see it.</div>{reason_error}<textarea class="govuk-textarea" id="reason" name="reason" rows="5" aria-describedby="reason-hint">{reason}</textarea></div><p class="govuk-body">{afterwards}</p><button type="submit" class="govuk-button">Record decision</button></form></div></div>"#,
        summary = html::error_summary(errors),
        kind = kind_label(&case.kind),
        who = if levels_used { "family" } else { "carer" },
        reference = esc(&case.reference),
        id = esc(&case.id),
        q = esc(q),
        csrf = html::csrf_field(&staff.session.csrf),
        outcome = html::radios("outcome", "Decision", &outcomes, &typed.outcome, errors),
        reason = esc(&typed.reason),
    ))
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
    let main = decision_html(
        &state,
        &staff,
        &case,
        &DecisionForm::default(),
        &query.q,
        &[],
    )
    .await?;
    Ok(html::page(
        StatusCode::OK,
        "Record a decision",
        Some(staff.header()),
        &main,
    ))
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
        let main = decision_html(&state, &staff, &case, &typed, "", &errors).await?;
        return Ok(html::page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error: Record a decision",
            Some(staff.header()),
            &main,
        ));
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
                        format!("{}/services/{}", settings.public_url, s.id),
                    )
                })
                .collect();
            let (subject, body) = outcome_email(
                &settings.public_url,
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
