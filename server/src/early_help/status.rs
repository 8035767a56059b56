//! The family status page: `/request-support/status`. With their reference and the email
//! address they gave (or the link in their acknowledgement email), a family sees a timeline of
//! their request — received, being looked at, decided with what the decision means — and no
//! other personal data. Look-ups are limited per IP address, and a wrong reference or address
//! gets the same answer as an unknown one. The case comes from `crate::cases`; the page is
//! `app::pages::request_support::StatusPage`.

use crate::cases::{self, Case, Outcome};
use crate::forms::{self, FormBody, Result};
use crate::limit::{Rule, Subject};
use crate::state::AppState;
use crate::web;
use crate::web::form::field;
use app::forms::early_help as eh;
use app::forms::{FieldError, FormData};
use app::pages::request_support::{Decision, StatusPage, Timeline};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use sqlx::Row;
use std::net::SocketAddr;
use std::time::Duration;

/// Look-ups allowed per IP address per hour.
const LOOKUPS_PER_HOUR: u32 = 20;

/// The look-ups' limit.
const LOOKUPS: Rule<'static> = Rule {
    purpose: "status_lookup",
    max: LOOKUPS_PER_HOUR,
    window: Duration::from_secs(3600),
};

/// The status page's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/request-support/status", get(lookup_page).post(lookup))
        .route("/request-support/status/{token}", get(by_link))
}

/// Renders the page; never cached (it can show a request's progress).
async fn page(state: &AppState, uri: &Uri, status: StatusCode, page: StatusPage) -> Response {
    let mut response = forms::render(state, uri, status, page).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        target: field.into(),
        message: message.into(),
    }
}

/// `GET /request-support/status`.
async fn lookup_page(State(state): State<AppState>, uri: Uri) -> Response {
    let lookup = StatusPage::Lookup {
        reference: String::new(),
        email: String::new(),
        errors: Vec::new(),
    };
    page(&state, &uri, StatusCode::OK, lookup).await
}

/// `POST /request-support/status`: reference + email address.
async fn lookup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    FormBody(fields): FormBody,
) -> Result<Response> {
    let reference = field(&fields, "reference").trim().to_uppercase();
    let email = field(&fields, "email").trim().to_owned();
    let mut errors = Vec::new();
    if reference.is_empty() {
        errors.push(error("reference", "Enter your reference number"));
    }
    if email.is_empty() {
        errors.push(error("email", "Enter your email address"));
    }
    if errors.is_empty() && !state.limits.allow(&LOOKUPS, Subject::Ip(peer.ip())).await {
        let too_many = StatusPage::TooManyAttempts;
        return Ok(page(&state, &uri, StatusCode::TOO_MANY_REQUESTS, too_many).await);
    }
    if errors.is_empty() {
        if let Some(case) = by_reference_and_email(&state, &reference, &email).await? {
            return timeline(&state, &uri, &case).await;
        }
        errors.push(error(
            "reference",
            "We could not find a request with that reference number and email address. Check both and try again",
        ));
    }
    let lookup = StatusPage::Lookup {
        reference,
        email,
        errors,
    };
    Ok(page(&state, &uri, StatusCode::UNPROCESSABLE_ENTITY, lookup).await)
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
    Ok(cases::load_case(pool, &id).await?)
}

/// `GET /request-support/status/{token}`: the link in the acknowledgement email.
async fn by_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
) -> Result<Response> {
    let id = if web::token::looks_like_token(&token) {
        sqlx::query("SELECT id FROM triage_case WHERE status_token_hash = $1")
            .bind(web::token::hash(&token))
            .fetch_optional(state.db.pool())
            .await?
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?
    } else {
        None
    };
    let case = match id {
        Some(id) => cases::load_case(state.db.pool(), &id).await?,
        None => None,
    };
    match case {
        Some(case) => timeline(&state, &uri, &case).await,
        None => Ok(page(&state, &uri, StatusCode::NOT_FOUND, StatusPage::BadLink).await),
    }
}

/// The timeline: received → being looked at → decided (with what it means).
async fn timeline(state: &AppState, uri: &Uri, case: &Case) -> Result<Response> {
    let looked_at: Option<String> = sqlx::query(
        "SELECT MIN(at) FROM triage_event WHERE case_id = $1 AND kind IN ('assigned', 'decided')",
    )
    .bind(&case.id)
    .fetch_one(state.db.pool())
    .await?
    .try_get(0)?;
    let decision = case
        .outcome
        .filter(|_| case.status == "decided" || case.status == "closed")
        .map(|outcome| Decision {
            at: cases::when(case.decided_at.as_deref().unwrap_or("")),
            meaning: outcome.meaning(),
            services_emailed: outcome == Outcome::Signpost,
        });
    let timeline = StatusPage::Timeline(Timeline {
        reference: case.reference.clone(),
        received: cases::when(&case.received_at),
        looked_at: looked_at.as_deref().map(cases::when),
        decision,
    });
    Ok(page(state, uri, StatusCode::OK, timeline).await)
}
