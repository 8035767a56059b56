//! A request's own page (`GET /staff/requests/{id}`): its status, every answer (audited), the
//! decision, the history and the actions; and the actions themselves, "Assign to me"
//! (`POST …/assign`) and "Close the request" (`POST …/close`).

use super::case_for;
use crate::cases::{
    add_event, closable, decidable, event_label, history, kind_label, status_label, when, Case,
    CARERS_REFERRAL, EARLY_HELP,
};
use crate::staff::html::{self, esc};
use crate::staff::roles::{may, Role};
use crate::staff::{audit, Result, Staff, StaffError, StaffForm};
use crate::startup::AppState;
use app::forms::early_help::SPEC;
use app::forms::{FormData, FormSpec};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{AnyPool, Row};
use std::fmt::Write;

/// The answers of an early help request, section by section, as check-your-answers lists.
/// A form's answers as GOV.UK summary lists, one per section.
fn form_answers(spec: &'static FormSpec, data: &FormData) -> String {
    let mut out = String::new();
    let mut current = "";
    for (section, page) in spec.visible_pages(data) {
        if section.title != current {
            if !current.is_empty() {
                out.push_str("</dl>");
            }
            current = section.title;
            let _ = write!(
                out,
                r#"<h3 class="govuk-heading-s">{}</h3><dl class="govuk-summary-list">"#,
                esc(section.title)
            );
        }
        let mut row = |label: &str, value: &str| {
            let value = if value.is_empty() {
                "Not answered".to_owned()
            } else {
                esc(value).replace('\n', "<br>")
            };
            let _ = write!(
                out,
                r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt><dd class="govuk-summary-list__value">{value}</dd></div>"#,
                esc(label)
            );
        };
        match page.list {
            Some(list) => {
                for (i, item) in data.list(list.key).iter().enumerate() {
                    for f in list.fields {
                        row(
                            &format!("{} {}: {}", capitalise(list.item), i + 1, f.label),
                            &f.display(item),
                        );
                    }
                }
            }
            None => {
                for f in page.fields {
                    row(f.label, &f.display(&data.values));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push_str("</dl>");
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The request's answers, by kind (the carers' referral adds its own arm).
async fn answers_html(pool: &AnyPool, case: &Case) -> Result<String> {
    if let Some(at) = &case.purged_at {
        return Ok(format!(
            r#"<p class="govuk-body">The answers were deleted on {} under the retention policy.</p>"#,
            esc(&when(at))
        ));
    }
    match case.kind.as_str() {
        EARLY_HELP => {
            let answers: String =
                sqlx::query("SELECT answers FROM early_help_request WHERE id = $1")
                    .bind(&case.id)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StaffError::NotFound)?
                    .try_get(0)?;
            let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
            Ok(form_answers(&SPEC, &data))
        }
        CARERS_REFERRAL => {
            let row = sqlx::query("SELECT form, answers FROM carer_referral WHERE id = $1")
                .bind(&case.id)
                .fetch_optional(pool)
                .await?
                .ok_or(StaffError::NotFound)?;
            let form: String = row.try_get(0)?;
            let answers: String = row.try_get(1)?;
            let spec = if form == app::forms::carers::YOUNG.id {
                &app::forms::carers::YOUNG
            } else {
                &app::forms::carers::ADULT
            };
            let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
            Ok(form_answers(spec, &data))
        }
        _ => Err(StaffError::NotFound),
    }
}

/// `GET /staff/requests/{id}`: everything in the request (audited), its history and actions.
pub async fn request_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let case = case_for(&state, &staff, &id).await?;
    let pool = state.db.pool();
    let answers = answers_html(pool, &case).await?;
    let mut e = staff.event("view_request");
    let subject = format!("{}:{}", case.kind, case.id);
    e.subject = Some(&subject);
    e.reference = Some(&case.reference);
    audit::record(pool, &state.staff.clock.now(), &e).await?;
    let events = history(pool, &case.id).await?;
    let mut timeline = String::new();
    for ev in &events {
        let _ = write!(
            timeline,
            r#"<li><strong>{label}</strong> – {at}{by}{detail}</li>"#,
            label = event_label(&ev.kind),
            at = esc(&when(&ev.at)),
            by = ev
                .actor
                .as_deref()
                .map(|a| format!(" by {}", esc(a)))
                .unwrap_or_default(),
            detail = ev
                .detail
                .as_deref()
                .map(|d| format!(": {}", esc(d)))
                .unwrap_or_default(),
        );
    }
    let now = state.staff.clock.unix();
    let received = crate::clock::parse_rfc3339(&case.received_at).unwrap_or(now);
    let holidays = &state.staff.bank_holidays;
    let due = holidays
        .due_date(received)
        .map(|d| app::forms::long_date(&d))
        .unwrap_or_default();
    let (label, class) = status_label(&case.status);
    let mut decision = String::new();
    if let Some(outcome) = case.outcome {
        let _ = write!(
            decision,
            r#"<h2 class="govuk-heading-m">Decision</h2><dl class="govuk-summary-list"><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Outcome</dt><dd class="govuk-summary-list__value">{outcome}{detail}</dd></div>{level}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Reason</dt><dd class="govuk-summary-list__value">{reason}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Decided</dt><dd class="govuk-summary-list__value">{at}</dd></div></dl>"#,
            outcome = outcome.label(),
            detail = case
                .outcome_detail
                .as_deref()
                .map(|d| format!(": {}", esc(d)))
                .unwrap_or_default(),
            level = case
                .level_of_need
                .as_deref()
                .map(|l| format!(
                    r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Level of need</dt><dd class="govuk-summary-list__value">{}</dd></div>"#,
                    esc(l)
                ))
                .unwrap_or_default(),
            reason = esc(case.decision_reason.as_deref().unwrap_or("")).replace('\n', "<br>"),
            at = esc(&when(case.decided_at.as_deref().unwrap_or(""))),
        );
    }
    let mut actions = String::new();
    let can_decide = staff.require(may::DECIDE_EARLY_HELP).is_ok() || staff.role == Role::Carers;
    if can_decide && decidable(&case) {
        if case.assignee_id.as_deref() != Some(staff.id.as_str()) {
            let _ = write!(
                actions,
                r#"<form method="post" action="/staff/requests/{id}/assign" class="govuk-!-display-inline-block govuk-!-margin-right-2">{csrf}<button type="submit" class="govuk-button govuk-button--secondary">Assign to me</button></form>"#,
                id = esc(&case.id),
                csrf = html::csrf_field(&staff.session.csrf),
            );
        }
        let _ = write!(
            actions,
            r#"<a class="govuk-button" href="/staff/requests/{}/decision">Record a decision</a>"#,
            esc(&case.id)
        );
    }
    if can_decide && closable(&case) {
        let _ = write!(
            actions,
            r#"<form method="post" action="/staff/requests/{id}/close">{csrf}<button type="submit" class="govuk-button govuk-button--secondary">Close the request</button></form>"#,
            id = esc(&case.id),
            csrf = html::csrf_field(&staff.session.csrf),
        );
    }
    let flags = if case.flags.is_empty() {
        "None".to_owned()
    } else {
        case.flags
            .iter()
            .map(|f| esc(f))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let main = format!(
        r#"<span class="govuk-caption-l">{kind}</span><h1 class="govuk-heading-l">{reference}</h1><dl class="govuk-summary-list"><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Status</dt><dd class="govuk-summary-list__value"><strong class="govuk-tag {class}">{label}</strong></dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Received</dt><dd class="govuk-summary-list__value">{received}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Decision due</dt><dd class="govuk-summary-list__value">{due}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Urgency flags</dt><dd class="govuk-summary-list__value">{flags}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Assigned to</dt><dd class="govuk-summary-list__value">{assignee}</dd></div></dl><div class="govuk-button-group">{actions}</div>{decision}<h2 class="govuk-heading-m">The request</h2>{answers}<h2 class="govuk-heading-m">History</h2><ul class="govuk-list" id="history">{timeline}</ul>"#,
        kind = kind_label(&case.kind),
        reference = esc(&case.reference),
        received = esc(&when(&case.received_at)),
        due = esc(&due),
        assignee = esc(case.assignee.as_deref().unwrap_or("Nobody")),
    );
    Ok(html::page(
        StatusCode::OK,
        &format!("Request {}", case.reference),
        Some(staff.header()),
        &main,
    ))
}

/// `POST /staff/requests/{id}/assign`: assign to me.
pub async fn assign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = form.staff;
    let case = case_for(&state, &staff, &id).await?;
    if !decidable(&case) {
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    let clock = &state.staff.clock;
    let now = clock.now();
    let mut tx = state.db.pool().begin().await?;
    sqlx::query(
        "UPDATE triage_case SET assignee_id = $1, status = CASE WHEN status = 'new' THEN 'in_triage' ELSE status END, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(&staff.id)
    .bind(&now)
    .bind(&case.id)
    .execute(&mut *tx)
    .await?;
    add_event(
        &mut tx,
        &case.id,
        &now,
        Some(&staff.id),
        "assigned",
        Some(&staff.name),
    )
    .await?;
    let mut e = staff.event("assign");
    let subject = format!("{}:{}", case.kind, case.id);
    e.subject = Some(&subject);
    e.reference = Some(&case.reference);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response())
}

/// `POST /staff/requests/{id}/close`: a decided request is finished with; the retention period
/// starts.
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = form.staff;
    let case = case_for(&state, &staff, &id).await?;
    if closable(&case) {
        let now = state.staff.clock.now();
        let mut tx = state.db.pool().begin().await?;
        sqlx::query(
            "UPDATE triage_case SET status = 'closed', closed_at = $1, updated_at = $1 \
             WHERE id = $2 AND status = 'decided'",
        )
        .bind(&now)
        .bind(&case.id)
        .execute(&mut *tx)
        .await?;
        add_event(&mut tx, &case.id, &now, Some(&staff.id), "closed", None).await?;
        let mut e = staff.event("close");
        let subject = format!("{}:{}", case.kind, case.id);
        e.subject = Some(&subject);
        e.reference = Some(&case.reference);
        audit::record(&mut *tx, &now, &e).await?;
        tx.commit().await?;
    }
    Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response())
}
