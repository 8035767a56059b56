//! The family status page: `/request-support/status`. With their reference and the email
//! address they gave (or the link in their acknowledgement email), a family sees a timeline of
//! their request — received, being looked at, decided with what the decision means — and no
//! other personal data. Look-ups are limited per IP address, and a wrong reference or address
//! gets the same answer as an unknown one.

use super::html::{self, esc, FieldError};
use super::{field, parse_form, session, Result};
use crate::cases::{self as triage, Case, Outcome};
use crate::limit::RateLimiter;
use crate::state::AppState;
use app::forms::early_help as eh;
use app::forms::FormData;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use sqlx::Row;
use std::net::SocketAddr;
use std::sync::Arc;

pub struct StatusLimit(pub RateLimiter);

fn form(errors: &[FieldError], reference: &str, email: &str) -> String {
    format!(
        r#"<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">{summary}<h1 class="govuk-heading-l">Check the progress of your request for early help</h1><p class="govuk-body">Enter the reference number from your confirmation email and the email address you gave us.</p><form method="post" action="/request-support/status" novalidate>{reference}{email}<button type="submit" class="govuk-button">Check progress</button></form><p class="govuk-body">You can also call the Early Help Hub on {phone}.</p></div></div>"#,
        summary = html::error_summary(errors),
        reference = html::text_input(
            errors,
            "reference",
            "Reference number, for example EH-7K3Q-9M2P",
            reference,
            "text",
            "off"
        ),
        email = html::text_input(errors, "email", "Email address", email, "email", "email"),
        phone = eh::HUB_PHONE,
    )
}

/// `GET /request-support/status`.
pub async fn lookup_page() -> Response {
    html::public_page(
        StatusCode::OK,
        "Check the progress of your request",
        &form(&[], "", ""),
    )
}

/// `POST /request-support/status`: reference + email address.
pub async fn lookup(
    State(state): State<AppState>,
    Extension(limit): Extension<Arc<StatusLimit>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let fields = parse_form(&headers, &body)?;
    let reference = field(&fields, "reference").trim().to_uppercase();
    let email = field(&fields, "email").trim().to_owned();
    let mut errors = Vec::new();
    if reference.is_empty() {
        errors.push(FieldError {
            field: "reference".into(),
            message: "Enter your reference number".into(),
        });
    }
    if email.is_empty() {
        errors.push(FieldError {
            field: "email".into(),
            message: "Enter your email address".into(),
        });
    }
    if errors.is_empty() && !limit.0.allow(peer.ip()) {
        return Ok(html::public_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            &format!(
                r#"<h1 class="govuk-heading-l">Too many attempts</h1><p class="govuk-body">Try again in an hour, or call the Early Help Hub on {}.</p>"#,
                eh::HUB_PHONE
            ),
        ));
    }
    if errors.is_empty() {
        if let Some(case) = by_reference_and_email(&state, &reference, &email).await? {
            return timeline(&state, &case).await;
        }
        errors.push(FieldError {
            field: "reference".into(),
            message: "We could not find a request with that reference number and email address. Check both and try again".into(),
        });
    }
    Ok(html::public_page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Error: Check the progress of your request",
        &form(&errors, &reference, &email),
    ))
}

async fn by_reference_and_email(
    state: &AppState,
    reference: &str,
    email: &str,
) -> Result<Option<Case>> {
    let pool = state.db.pool();
    let row = sqlx::query(
        "SELECT c.id, r.answers FROM triage_case c JOIN early_help_request r ON r.id = c.id \
         WHERE c.reference = $1",
    )
    .bind(reference)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get(0)?;
    let answers: String = row.try_get(1)?;
    let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
    // The address the acknowledgement went to (the family's if safe, or the practitioner's).
    let known = eh::acknowledgement_address(&data).unwrap_or_default();
    if known.is_empty() || !known.trim().eq_ignore_ascii_case(email) {
        return Ok(None);
    }
    Ok(triage::load_case(pool, &id).await?)
}

/// `GET /request-support/status/{token}`: the link in the acknowledgement email.
pub async fn by_link(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let valid = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let id = if valid {
        sqlx::query("SELECT id FROM triage_case WHERE status_token_hash = $1")
            .bind(session::hash(&token))
            .fetch_optional(state.db.pool())
            .await?
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?
    } else {
        None
    };
    match id {
        Some(id) => match triage::load_case(state.db.pool(), &id).await? {
            Some(case) => timeline(&state, &case).await,
            None => Ok(not_found()),
        },
        None => Ok(not_found()),
    }
}

fn not_found() -> Response {
    html::public_page(
        StatusCode::NOT_FOUND,
        "This link does not work",
        r#"<h1 class="govuk-heading-l">This link does not work</h1><p class="govuk-body">Check you copied the whole link from the email, or <a class="govuk-link" href="/request-support/status">check progress with your reference number</a>.</p>"#,
    )
}

/// The timeline: received → being looked at → decided (with what it means).
async fn timeline(state: &AppState, case: &Case) -> Result<Response> {
    let looked_at: Option<String> = sqlx::query(
        "SELECT MIN(at) FROM triage_event WHERE case_id = $1 AND kind IN ('assigned', 'decided')",
    )
    .bind(&case.id)
    .fetch_one(state.db.pool())
    .await?
    .try_get(0)?;
    let step = |done: bool, title: &str, body: String| {
        format!(
            r#"<li class="signpost-timeline__item"><h2 class="govuk-heading-s govuk-!-margin-bottom-1">{title}{state}</h2>{body}</li>"#,
            state = if done {
                ""
            } else {
                " <strong class=\"govuk-tag govuk-tag--grey\">Not yet</strong>"
            },
        )
    };
    let mut items = step(
        true,
        "Request received",
        format!(
            r#"<p class="govuk-body">{}</p>"#,
            esc(&triage::when(&case.received_at))
        ),
    );
    items.push_str(&step(
        looked_at.is_some(),
        "Being looked at by the Early Help Hub",
        looked_at
            .as_deref()
            .map(|at| format!(r#"<p class="govuk-body">{}</p>"#, esc(&triage::when(at))))
            .unwrap_or_default(),
    ));
    let decided = case
        .outcome
        .filter(|_| case.status == "decided" || case.status == "closed");
    items.push_str(&step(
        decided.is_some(),
        "Decision",
        match decided {
            Some(o) => format!(
                r#"<p class="govuk-body">{at}</p><p class="govuk-body" id="outcome">{meaning}</p>{services}"#,
                at = esc(&triage::when(case.decided_at.as_deref().unwrap_or(""))),
                meaning = esc(o.meaning()),
                services = if o == Outcome::Signpost {
                    "<p class=\"govuk-body\">We have emailed you the services' details.</p>".to_owned()
                } else {
                    String::new()
                },
            ),
            None => r#"<p class="govuk-body">We aim to decide within 1 working day.</p>"#.to_owned(),
        },
    ));
    let main = format!(
        r#"<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds"><span class="govuk-caption-l">{reference}</span><h1 class="govuk-heading-l">Your request for early help</h1><ol class="govuk-list signpost-timeline" id="timeline">{items}</ol><p class="govuk-body">If a child is in immediate danger, call 999. Out of hours, call the emergency duty team on {phone}.</p></div></div>"#,
        reference = esc(&case.reference),
        phone = eh::OUT_OF_HOURS_PHONE,
    );
    Ok(html::public_page(
        StatusCode::OK,
        "Your request for early help",
        &main,
    ))
}
