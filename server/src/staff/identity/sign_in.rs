//! Signing in: the password, then the code from an authenticator app or a recovery code (a
//! first sign-in sets the app up instead: [`super::enrol`]), counted towards the lockout
//! ([`super::lockout`]), and back to the page asked for before signing in.

use super::lockout::{
    clear_failures, locked_page, release, reserve_attempt, Attempt, SignInLimit, Step,
};
use super::session::{self, Stage};
use super::{audit, field, load_staff, parse_form, totp, Fields, Result, Staff, StaffError};
use crate::staff::view::form::{
    error_for, group_class, Button, ErrorMessage, ErrorSummary, FieldError, TextInput,
};
use crate::staff::view::{self, Csrf};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use leptos::prelude::*;
use sqlx::Row;
use std::net::SocketAddr;

pub(super) fn with_cookies(mut response: Response, cookies: &[HeaderValue]) -> Response {
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    response
}

/// A staff page to come back to after signing in: a path on this site under `/staff/`, of
/// plain characters, never the sign-in pages themselves. Anything else (another site, `//host`,
/// `..`, a backslash, an encoded character) is refused, so the parameter cannot send anyone away.
pub fn return_path(next: &str) -> Option<&str> {
    let plain = next
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-_?=&.".contains(&b));
    let ok = plain
        && next.len() <= 300
        && next.starts_with("/staff/")
        && !next.contains("//")
        && !next.contains("..")
        && !next.starts_with("/staff/sign-in")
        && !next.starts_with("/staff/sign-out")
        && !next.starts_with("/staff/enrol");
    ok.then_some(next)
}

/// The sign-in page, with the page to come back to.
pub fn sign_in_to_see(next: &str) -> String {
    with_next("/staff/sign-in", next)
}

fn with_next(page: &str, next: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    format!("{page}?{query}")
}

/// The page to come back to, from a sign-in form's fields or the address's query, checked.
fn next_in<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    pairs
        .into_iter()
        .find(|(k, _)| *k == "next")
        .and_then(|(_, v)| return_path(v))
        .map(str::to_owned)
}

fn next_in_query(uri: &axum::http::Uri) -> Option<String> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    next_in(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn next_in_fields(fields: &Fields) -> Option<String> {
    next_in(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The page to come back to, carried through a sign-in form.
#[component]
fn NextField(next: Option<String>) -> impl IntoView {
    next.map(|n| view! { <input type="hidden" name="next" value=n/> })
}

fn sign_in_form(
    errors: Vec<FieldError>,
    email: String,
    token: String,
    next: Option<String>,
) -> impl IntoView {
    let email_error = error_for(&errors, "email");
    let password_error = error_for(&errors, "password");
    // A link from an email arrives without the session cookie (SameSite=Strict keeps it from
    // other sites); a click on this site sends it.
    let already = next.clone().map(|n| {
        view! {
            <p class="govuk-body">
                "If you are already signed in, "
                <a class="govuk-link" href=n>"go to the page you asked for"</a>
                "."
            </p>
        }
    });
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <h1 class="govuk-heading-l">"Sign in to the staff portal"</h1>
                <p class="govuk-body">
                    "You will also need the code from the authenticator app on your phone."
                </p>
                <form method="post" action="/staff/sign-in" novalidate>
                    <Csrf token=token/>
                    <NextField next=next/>
                    <TextInput name="email" label="Email address" value=email error=email_error
                        kind="email" autocomplete="username" label_class="govuk-label"/>
                    <TextInput name="password" label="Password" value="" error=password_error
                        kind="password" autocomplete="current-password" label_class="govuk-label"/>
                    <Button text="Continue"/>
                </form>
                <p class="govuk-body">
                    "If you have forgotten your password or lost your phone, ask an administrator."
                </p>
                {already}
            </div>
        </div>
    }
}

/// The sign-in page, with `errors` (a 422) or without.
fn sign_in_response(
    errors: Vec<FieldError>,
    email: &str,
    token: &str,
    next: Option<String>,
) -> Response {
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Sign in")
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, "Error: Sign in")
    };
    let (email, token) = (email.to_owned(), token.to_owned());
    view::page(status, title, None, move || {
        sign_in_form(errors, email, token, next)
    })
}

/// `GET /staff/sign-in`: the form, with a fresh double-submit token for it.
pub async fn sign_in_page(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    let next = next_in_query(&uri);
    let token = session::new_token();
    let cookie = session::set_cookie(
        session::LOGIN_COOKIE,
        Some(&token),
        state.staff.cookie_secure,
    );
    with_cookies(sign_in_response(Vec::new(), "", &token, next), &[cookie])
}

/// `POST /staff/sign-in`: the password.
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(limit): Extension<SignInLimit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let fields = parse_form(&headers, &body)?;
    let expected = session::cookie(&headers, session::LOGIN_COOKIE).unwrap_or_default();
    if !session::tokens_match(&expected, field(&fields, "csrf")) {
        return Err(StaffError::Csrf);
    }
    let next = next_in_fields(&fields);
    let ip = peer.ip().to_string();
    if !limit.allow(&state, peer.ip(), Step::Password).await {
        tracing::warn!("staff sign-in refused: too many attempts from one address");
        return Ok(locked_page());
    }
    let email = field(&fields, "email").trim().to_lowercase();
    let password = field(&fields, "password");
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    }
    if password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    if !errors.is_empty() {
        return Ok(sign_in_response(errors, &email, &expected, next));
    }
    let clock = &state.staff.clock;
    let now = clock.unix();
    let pool = state.db.pool();
    let event = |action: &'static str| audit::Event {
        actor_id: None,
        actor_email: None,
        action,
        subject: None,
        reference: None,
        detail: None,
        ip: Some(&ip),
    };
    // The attempt takes its place before the password is checked (see `lockout`).
    let attempt = reserve_attempt(pool, &email, now).await?;
    if attempt == Attempt::Refused {
        let mut e = event("sign_in_locked");
        e.actor_email = Some(&email);
        audit::record(pool, &clock.now(), &e).await?;
        return Ok(locked_page());
    }
    let just_locked = matches!(attempt, Attempt::Reserved { locks: true, .. });
    let user = sqlx::query(
        "SELECT id, password_hash, totp_secret, enrol_before FROM staff_user \
         WHERE email = $1 AND active = 1",
    )
    .bind(&email)
    .fetch_optional(pool)
    .await?;
    let (id, hash, secret, enrol_before) = match &user {
        Some(r) => (
            Some(r.try_get::<String, _>(0)?),
            Some(r.try_get::<String, _>(1)?),
            r.try_get::<Option<String>, _>(2)?,
            r.try_get::<Option<i64>, _>(3)?,
        ),
        None => (None, None, None, None),
    };
    let ok = super::password::verify_off_runtime(password.to_owned(), hash).await;
    let Some(id) = id.filter(|_| ok) else {
        let mut e = event(if just_locked {
            "sign_in_locked"
        } else {
            "sign_in_failed"
        });
        e.actor_email = Some(&email);
        audit::record(pool, &clock.now(), &e).await?;
        if just_locked {
            return Ok(locked_page());
        }
        let errors = vec![FieldError::new(
            "email",
            "Enter a correct email address and password",
        )];
        return Ok(sign_in_response(errors, &email, &expected, next));
    };
    release(&state, &email, attempt).await?;
    // An account that never set up its app may do so only for a while after it was created
    // or reset: after that, the password alone must not let anyone enrol their own app.
    if secret.is_none() && enrol_before.is_some_and(|deadline| deadline < now) {
        let mut e = event("enrolment_expired");
        e.actor_email = Some(&email);
        audit::record(pool, &clock.now(), &e).await?;
        return Ok(view::message(
            StatusCode::FORBIDDEN,
            "The time to set up your account has run out",
            &[
                "New accounts must set up an authenticator app within 7 days.",
                "Ask an administrator to reset your account's authenticator app, then sign in again.",
            ],
        ));
    }
    // A session from before (in this browser) ends here.
    if let Some(old) = session::cookie(&headers, session::COOKIE) {
        session::end(pool, &session::hash(&old)).await?;
    }
    let (stage, pending, to) = match secret {
        Some(_) => (
            Stage::Password,
            None,
            match &next {
                Some(next) => with_next("/staff/sign-in/code", next),
                None => "/staff/sign-in/code".to_owned(),
            },
        ),
        None => (
            Stage::Enrol,
            // Kept in the session encrypted, as the account's own secret will be.
            Some(totp::seal(
                state.staff.totp_key.as_ref(),
                &id,
                &totp::new_secret(),
            )),
            "/staff/enrol".to_owned(),
        ),
    };
    let token = session::create(pool, &id, stage, pending.as_deref(), now).await?;
    let secure = state.staff.cookie_secure;
    Ok(with_cookies(
        Redirect::to(&to).into_response(),
        &[
            session::set_cookie(session::COOKIE, Some(&token), secure),
            session::set_cookie(session::LOGIN_COOKIE, None, secure),
        ],
    ))
}

pub(super) async fn partial(
    state: &AppState,
    headers: &HeaderMap,
    ip: &str,
    stage: Stage,
) -> Result<Staff> {
    load_staff(state, headers, ip.to_owned(), &[stage]).await
}

fn code_form(errors: Vec<FieldError>, csrf: String, next: Option<String>) -> impl IntoView {
    let error = error_for(&errors, "code");
    let group = group_class(error.is_some());
    let (input_class, described) = if error.is_some() {
        (
            "govuk-input govuk-input--width-10 govuk-input--error",
            "code-hint code-error",
        )
    } else {
        ("govuk-input govuk-input--width-10", "code-hint")
    };
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <form method="post" action="/staff/sign-in/code" novalidate>
                    <Csrf token=csrf/>
                    <NextField next=next/>
                    <div class=group>
                        <h1 class="govuk-label-wrapper">
                            <label class="govuk-label govuk-label--l" for="code">
                                "Enter the code from your authenticator app"
                            </label>
                        </h1>
                        <div id="code-hint" class="govuk-hint">
                            "The 6-digit code changes every 30 seconds. If you have lost your phone, enter one of your recovery codes instead."
                        </div>
                        <ErrorMessage id="code".to_owned() message=error/>
                        <input
                            class=input_class
                            id="code"
                            name="code"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            spellcheck="false"
                            aria-describedby=described
                        />
                    </div>
                    <Button text="Sign in"/>
                </form>
            </div>
        </div>
    }
}

/// The code page, with `errors` (a 422) or without.
fn code_response(errors: Vec<FieldError>, csrf: &str, next: Option<String>) -> Response {
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Enter the code from your authenticator app")
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error: Enter the code from your authenticator app",
        )
    };
    let csrf = csrf.to_owned();
    view::page(status, title, None, move || code_form(errors, csrf, next))
}

/// `GET /staff/sign-in/code`.
pub async fn code_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response> {
    let staff = partial(&state, &headers, &peer.ip().to_string(), Stage::Password).await?;
    Ok(code_response(
        Vec::new(),
        &staff.session.csrf,
        next_in_query(&uri),
    ))
}

/// Finishes signing in: the partial session is replaced by a new, full one (a new id, so a
/// session id seen before sign-in is worth nothing after).
pub(super) async fn complete(
    state: &AppState,
    staff: &Staff,
    method: &str,
    next: Option<String>,
) -> Result<Response> {
    let pool = state.db.pool();
    let clock = &state.staff.clock;
    session::end(pool, &staff.session.id_hash).await?;
    let token = session::create(pool, &staff.id, Stage::Full, None, clock.unix()).await?;
    clear_failures(state, &staff.email).await?;
    let mut e = staff.event("sign_in");
    e.detail = Some(method);
    audit::record(pool, &clock.now(), &e).await?;
    Ok(with_cookies(
        Redirect::to(next.as_deref().unwrap_or(staff.role.home())).into_response(),
        &[session::set_cookie(
            session::COOKIE,
            Some(&token),
            state.staff.cookie_secure,
        )],
    ))
}

/// A wrong code: counted towards the lockout; a lockout ends the half-signed-in session.
/// `page` is the form again, with its error.
pub(super) async fn wrong_code(
    state: &AppState,
    staff: &Staff,
    attempt: Attempt,
    page: Response,
) -> Result<Response> {
    let clock = &state.staff.clock;
    let just_locked = matches!(attempt, Attempt::Reserved { locks: true, .. });
    let e = staff.event(if just_locked {
        "sign_in_locked"
    } else {
        "second_factor_failed"
    });
    audit::record(state.db.pool(), &clock.now(), &e).await?;
    if just_locked {
        session::end(state.db.pool(), &staff.session.id_hash).await?;
        return Ok(with_cookies(
            locked_page(),
            &[session::set_cookie(
                session::COOKIE,
                None,
                state.staff.cookie_secure,
            )],
        ));
    }
    Ok(page)
}

/// The fields of a POST from a half-signed-in session, its CSRF token checked.
pub(super) async fn partial_form(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
    ip: &str,
    stage: Stage,
) -> Result<(Staff, Fields)> {
    let staff = partial(state, headers, ip, stage).await?;
    let fields = parse_form(headers, body)?;
    if !session::tokens_match(&staff.session.csrf, field(&fields, "csrf")) {
        return Err(StaffError::Csrf);
    }
    Ok((staff, fields))
}

/// `POST /staff/sign-in/code`: the code from the app, or a recovery code.
pub async fn code(
    State(state): State<AppState>,
    Extension(limit): Extension<SignInLimit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let ip = peer.ip().to_string();
    let (staff, fields) = partial_form(&state, &headers, &body, &ip, Stage::Password).await?;
    let pool = state.db.pool();
    let clock = &state.staff.clock;
    let now = clock.unix();
    let attempt = reserve_code_attempt(&state, &limit, peer.ip(), &staff).await?;
    let Some(attempt) = attempt else {
        return Ok(locked_page());
    };
    let typed = field(&fields, "code").trim().to_owned();
    let row = sqlx::query("SELECT totp_secret, totp_last_step FROM staff_user WHERE id = $1")
        .bind(&staff.id)
        .fetch_one(pool)
        .await?;
    let secret: Option<String> = row.try_get(0)?;
    let last: Option<i64> = row.try_get(1)?;
    let secret = secret.and_then(|s| totp::open(state.staff.totp_key.as_ref(), &staff.id, &s));
    if let Some(step) = secret
        .as_deref()
        .and_then(|s| totp::check(s, &typed, now, last))
    {
        // Only if no other request used this step meanwhile.
        let claimed = sqlx::query(
            "UPDATE staff_user SET totp_last_step = $1 WHERE id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(&staff.id)
        .execute(pool)
        .await?
        .rows_affected();
        if claimed == 1 {
            return complete(&state, &staff, "totp", next_in_fields(&fields)).await;
        }
    }
    if typed.chars().filter(char::is_ascii_alphanumeric).count() == 12 {
        let used = sqlx::query(
            "UPDATE staff_recovery_code SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 \
             AND used_at IS NULL",
        )
        .bind(clock.now())
        .bind(&staff.id)
        .bind(totp::recovery_hash(&typed))
        .execute(pool)
        .await?
        .rows_affected();
        if used == 1 {
            audit::record(pool, &clock.now(), &staff.event("recovery_code_used")).await?;
            return complete(&state, &staff, "recovery code", next_in_fields(&fields)).await;
        }
    }
    let message = if typed.is_empty() {
        "Enter the code from your authenticator app"
    } else {
        "The code is not correct or has expired: enter the code your app shows now"
    };
    let page = code_response(
        vec![FieldError::new("code", message)],
        &staff.session.csrf,
        next_in_fields(&fields),
    );
    wrong_code(&state, &staff, attempt, page).await
}

/// Before a code (or a recovery code) is checked: the address's cap and the account's lockout,
/// the attempt reserved as for a password. None: refused (the half-signed-in session is ended
/// when the account is locked).
pub(super) async fn reserve_code_attempt(
    state: &AppState,
    limit: &SignInLimit,
    ip: std::net::IpAddr,
    staff: &Staff,
) -> Result<Option<Attempt>> {
    if !limit.allow(state, ip, Step::Code).await {
        tracing::warn!("staff code refused: too many attempts from one address");
        return Ok(None);
    }
    let pool = state.db.pool();
    let attempt = reserve_attempt(pool, &staff.email, state.staff.clock.unix()).await?;
    if attempt == Attempt::Refused {
        session::end(pool, &staff.session.id_hash).await?;
        return Ok(None);
    }
    Ok(Some(attempt))
}

#[cfg(test)]
mod return_path_tests {
    use super::*;

    #[test]
    fn only_staff_pages_on_this_site_are_returned_to() {
        for ok in [
            "/staff/queue",
            "/staff/requests/0b5c2a9e-1f0e-4f7d-9a55-6c1f7a4f3b21",
            "/staff/queue?status=new&sort=oldest",
            "/staff/directory/review",
        ] {
            assert_eq!(return_path(ok), Some(ok));
        }
        for refused in [
            "",
            "/",
            "/staff",
            "//evil.example/staff/",
            "https://evil.example/staff/queue",
            "/staff//evil.example",
            "/staff/../request-support",
            "/staff/%2e%2e/x",
            "/staff\\evil.example",
            "/staff/queue#x",
            "/staff/sign-in",
            "/staff/sign-in/code?next=/staff/queue",
            "/staff/sign-out",
            "/staff/enrol",
            "/request-support/status",
            "/staff/queue\n",
        ] {
            assert_eq!(return_path(refused), None, "{refused:?}");
        }
        assert_eq!(return_path(&format!("/staff/{}", "a".repeat(400))), None);
        assert_eq!(
            sign_in_to_see("/staff/queue?status=new"),
            "/staff/sign-in?next=%2Fstaff%2Fqueue%3Fstatus%3Dnew"
        );
    }
}
