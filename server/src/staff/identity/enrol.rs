//! Setting up the authenticator app at the first sign-in (or after an admin reset it): the QR
//! code and key of a new secret, kept in the half-signed-in session until a code from the app
//! confirms it; then the recovery codes, shown once.

use super::lockout::SignInLimit;
use super::session::Stage;
use super::sign_in::{
    complete, partial, partial_form, reserve_code_attempt, with_cookies, wrong_code,
};
use super::{audit, field, totp, Result, Staff};
use crate::staff::view::form::{
    error_for, group_class, Button, ErrorMessage, ErrorSummary, FieldError,
};
use crate::staff::view::{self, Csrf};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use leptos::prelude::*;
use std::net::SocketAddr;

fn enrol_form(email: &str, secret: &str, csrf: String, errors: Vec<FieldError>) -> impl IntoView {
    let url = totp::otpauth_url(secret, email).unwrap_or_default();
    // Markup made here from the secret, not text from anyone.
    let qr = totp::qr_svg(&url).unwrap_or_default();
    let key = secret
        .as_bytes()
        .chunks(4)
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    let error = error_for(&errors, "code");
    let group = group_class(error.is_some());
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <h1 class="govuk-heading-l">"Set up your authenticator app"</h1>
                <p class="govuk-body">
                    "Every staff account needs a second step when signing in. Use an authenticator app on your work phone, for example Microsoft Authenticator or Google Authenticator."
                </p>
                <ol class="govuk-list govuk-list--number">
                    <li>"In the app, choose to add an account."</li>
                    <li>"Scan this QR code."</li>
                    <li>"Enter the 6-digit code the app shows."</li>
                </ol>
                <div class="signpost-qr" inner_html=qr></div>
                <details class="govuk-details">
                    <summary class="govuk-details__summary">
                        <span class="govuk-details__summary-text">"I cannot scan the QR code"</span>
                    </summary>
                    <div class="govuk-details__text">
                        <p class="govuk-body">"Enter this key in the app instead (time-based):"</p>
                        <p class="govuk-body">
                            <code id="totp-secret" class="signpost-secret">{key}</code>
                        </p>
                    </div>
                </details>
                <form method="post" action="/staff/enrol" novalidate>
                    <Csrf token=csrf/>
                    <div class=group>
                        <label class="govuk-label govuk-label--s" for="code">"Code from the app"</label>
                        <ErrorMessage id="code".to_owned() message=error/>
                        <input
                            class="govuk-input govuk-input--width-10"
                            id="code"
                            name="code"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            spellcheck="false"
                        />
                    </div>
                    <Button text="Continue"/>
                </form>
            </div>
        </div>
    }
}

/// The enrolment page, with `errors` (a 422) or without.
fn enrol_response(staff: &Staff, secret: &str, errors: Vec<FieldError>) -> Response {
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Set up your authenticator app")
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error: Set up your authenticator app",
        )
    };
    let (email, secret, csrf) = (
        staff.email.clone(),
        secret.to_owned(),
        staff.session.csrf.clone(),
    );
    view::page(status, title, None, move || {
        enrol_form(&email, &secret, csrf, errors)
    })
}

/// The secret being set up, as the session keeps it (encrypted), opened.
fn pending_secret(state: &AppState, staff: &Staff) -> String {
    staff
        .session
        .pending_totp_secret
        .as_deref()
        .and_then(|s| totp::open(state.staff.totp_key.as_ref(), &staff.id, s))
        .unwrap_or_default()
}

/// `GET /staff/enrol`: the QR code of a new secret (kept in the session until confirmed).
pub async fn enrol_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response> {
    let staff = partial(&state, &headers, &peer.ip().to_string(), Stage::Enrol).await?;
    let secret = pending_secret(&state, &staff);
    Ok(enrol_response(&staff, &secret, Vec::new()))
}

/// `POST /staff/enrol`: confirms the app works, stores the secret, shows the recovery codes
/// once.
pub async fn enrol(
    State(state): State<AppState>,
    axum::Extension(limit): axum::Extension<SignInLimit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let ip = peer.ip().to_string();
    let (staff, fields) = partial_form(&state, &headers, &body, &ip, Stage::Enrol).await?;
    let clock = &state.staff.clock;
    let now = clock.unix();
    let pool = state.db.pool();
    let secret = pending_secret(&state, &staff);
    let Some(attempt) = reserve_code_attempt(&state, &limit, peer.ip(), &staff).await? else {
        return Ok(super::lockout::locked_page());
    };
    let Some(step) = totp::check(&secret, field(&fields, "code"), now, None) else {
        let errors = vec![FieldError::new(
            "code",
            "The code is not correct: enter the 6-digit code the app shows now",
        )];
        let page = enrol_response(&staff, &secret, errors);
        return wrong_code(&state, &staff, attempt, page).await;
    };
    let codes = totp::new_recovery_codes();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE staff_user SET totp_secret = $1, totp_last_step = $2, updated_at = $3 WHERE id = $4",
    )
    // Stored encrypted (`totp::seal`) with the account's id, like the session's copy.
    .bind(totp::seal(state.staff.totp_key.as_ref(), &staff.id, &secret))
    .bind(step)
    .bind(clock.now())
    .bind(&staff.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM staff_recovery_code WHERE user_id = $1")
        .bind(&staff.id)
        .execute(&mut *tx)
        .await?;
    for code in &codes {
        sqlx::query("INSERT INTO staff_recovery_code (user_id, code_hash) VALUES ($1, $2)")
            .bind(&staff.id)
            .bind(totp::recovery_hash(code))
            .execute(&mut *tx)
            .await?;
    }
    let mut e = staff.event("totp_enrolled");
    let subject = format!("user:{}", staff.id);
    e.subject = Some(&subject);
    audit::record(&mut *tx, &clock.now(), &e).await?;
    tx.commit().await?;
    let signed_in = complete(&state, &staff, "totp (enrolment)", None).await?;
    let cookies: Vec<HeaderValue> = signed_in
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    let home = staff.role.home();
    let page = view::page(
        StatusCode::OK,
        "Your authenticator app is set up",
        None,
        move || {
            view! {
                <div class="govuk-grid-row">
                    <div class="govuk-grid-column-two-thirds">
                        <div class="govuk-panel govuk-panel--confirmation">
                            <h1 class="govuk-panel__title">"Your authenticator app is set up"</h1>
                        </div>
                        <h2 class="govuk-heading-m">"Your recovery codes"</h2>
                        <p class="govuk-body">
                            "If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe that is not your phone. They will not be shown again."
                        </p>
                        <ul class="govuk-list signpost-recovery-codes" id="recovery-codes">
                            {codes
                                .into_iter()
                                .map(|c| view! { <li><code>{c}</code></li> })
                                .collect_view()}
                        </ul>
                        <a class="govuk-button" href=home>"Continue"</a>
                    </div>
                </div>
            }
        },
    );
    Ok(with_cookies(page, &cookies))
}
