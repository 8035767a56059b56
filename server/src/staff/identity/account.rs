//! A signed-in person's own account: the account page, changing their own password (where a
//! temporary password from an admin sends them), and signing out, here or everywhere.

use super::lockout::{locked_page, release, reserve_attempt, Attempt};
use super::sign_in::with_cookies;
use super::{audit, field, password, session, Result, Staff, StaffError, StaffForm};
use crate::staff::view::form::{
    error_for, Button, ErrorSummary, FieldError, SummaryList, SummaryRow, TextInput,
};
use crate::staff::view::{self, Csrf};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::Row;

/// `POST /staff/sign-out`.
pub async fn sign_out(State(state): State<AppState>, form: StaffForm) -> Result<Response> {
    let staff = form.staff;
    session::end(state.db.pool(), &staff.session.id_hash).await?;
    audit::record(
        state.db.pool(),
        &state.staff.clock.now(),
        &staff.event("sign_out"),
    )
    .await?;
    Ok(signed_out(&state))
}

fn signed_out(state: &AppState) -> Response {
    let mut response = view::message(
        StatusCode::OK,
        "You have signed out",
        &["Close the browser window if you are using a shared computer."],
    );
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        session::set_cookie(session::COOKIE, None, state.staff.cookie_secure),
    );
    response
}

/// `POST /staff/sign-out-everywhere`: ends every session of the account.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    form: StaffForm,
) -> Result<Response> {
    let staff = form.staff;
    let ended = session::end_all(state.db.pool(), &staff.id).await?;
    let mut e = staff.event("sign_out_everywhere");
    let detail = format!("{ended} session(s) ended");
    e.detail = Some(&detail);
    audit::record(state.db.pool(), &state.staff.clock.now(), &e).await?;
    Ok(signed_out(&state))
}

/// Where a member of staff changes their own password (and where a temporary one sends them).
pub const CHANGE_PASSWORD: &str = "/staff/account/password";

fn password_form(must_change: bool, csrf: String, errors: Vec<FieldError>) -> impl IntoView {
    let current_error = error_for(&errors, "current");
    let new_error = error_for(&errors, "password");
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <h1 class="govuk-heading-l">"Change your password"</h1>
                {must_change
                    .then(|| {
                        view! {
                            <div class="govuk-inset-text">
                                "You signed in with a temporary password from an administrator. Choose a new password of your own to carry on."
                            </div>
                        }
                    })}
                <p class="govuk-body">
                    "Use 12 characters or more. Three random words are a good way to make a strong password you can remember. Do not use a password you use anywhere else."
                </p>
                <form method="post" action=CHANGE_PASSWORD novalidate>
                    <Csrf token=csrf/>
                    <TextInput name="current" label="Current password" value="" error=current_error
                        kind="password" autocomplete="current-password" label_class="govuk-label"/>
                    <TextInput name="password" label="New password" value="" error=new_error
                        kind="password" autocomplete="new-password" label_class="govuk-label"/>
                    <Button text="Change password"/>
                </form>
            </div>
        </div>
    }
}

/// The password page, with `errors` (a 422) or without.
fn password_response(staff: &Staff, errors: Vec<FieldError>) -> Response {
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Change your password")
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error: Change your password",
        )
    };
    let (must_change, csrf) = (staff.must_change_password, staff.session.csrf.clone());
    view::page(status, title, Some(staff), move || {
        password_form(must_change, csrf, errors)
    })
}

/// `GET /staff/account/password`.
pub async fn password_page(staff: Staff) -> Result<Response> {
    Ok(password_response(&staff, Vec::new()))
}

/// `POST /staff/account/password`: the current password, then a new one under the rules
/// ([`password::Password`]), different from the current one. Clears a temporary
/// password's flag, ends the account's other sessions and is audited (`password_changed`).
pub async fn change_password(State(state): State<AppState>, form: StaffForm) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    let pool = state.db.pool();
    let current = field(&fields, "current").to_owned();
    let new = field(&fields, "password").to_owned();
    let hash: String = sqlx::query("SELECT password_hash FROM staff_user WHERE id = $1")
        .bind(&staff.id)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    // Each try of the current password counts towards the account's lockout, reserved before
    // it is checked, as at sign-in: a stolen session cannot be used to guess the password.
    let attempt = reserve_attempt(pool, &staff.email, state.staff.clock.unix()).await?;
    let current_ok = match attempt {
        Attempt::Refused => false,
        Attempt::Reserved { .. } => password::verify_off_runtime(current.clone(), Some(hash)).await,
    };
    if current_ok {
        release(&state, &staff.email, attempt).await?;
    } else if matches!(
        attempt,
        Attempt::Refused | Attempt::Reserved { locks: true, .. }
    ) {
        // Locked: this session ends too (the person signs in again after 15 minutes).
        session::end(pool, &staff.session.id_hash).await?;
        audit::record(
            pool,
            &state.staff.clock.now(),
            &staff.event("password_change_locked"),
        )
        .await?;
        return Ok(with_cookies(
            locked_page(),
            &[session::set_cookie(
                session::COOKIE,
                None,
                state.staff.cookie_secure,
            )],
        ));
    }
    let mut errors = Vec::new();
    if !current_ok {
        errors.push(FieldError::new(
            "current",
            if current.is_empty() {
                "Enter your current password"
            } else {
                "Your current password is not correct"
            },
        ));
    }
    let password = match password::Password::new(&new, &[&staff.email, &staff.name]) {
        Ok(_) if new == current => {
            Err("Your new password must be different from your current one".to_owned())
        }
        Ok(p) => Ok(p),
        Err(e) => Err(e.to_string()),
    };
    let password = match password {
        Ok(p) if errors.is_empty() => p,
        other => {
            if let Err(message) = other {
                errors.push(FieldError::new("password", message));
            }
            return Ok(password_response(&staff, errors));
        }
    };
    let hash = password.hash_off_runtime().await.ok_or(StaffError::Hash)?;
    let now = state.staff.clock.now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE staff_user SET password_hash = $1, must_change_password = 0, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(&hash)
    .bind(&now)
    .bind(&staff.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM staff_session WHERE user_id = $1 AND id_hash <> $2")
        .bind(&staff.id)
        .bind(&staff.session.id_hash)
        .execute(&mut *tx)
        .await?;
    let mut e = staff.event("password_changed");
    let subject = format!("user:{}", staff.id);
    e.subject = Some(&subject);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to(staff.role.home()).into_response())
}

/// `GET /staff/account`.
pub async fn account_page(staff: Staff) -> Result<Response> {
    let (name, email, role) = (staff.name.clone(), staff.email.clone(), staff.role.label());
    let csrf = staff.session.csrf.clone();
    Ok(view::page(
        StatusCode::OK,
        "Your account",
        Some(&staff),
        move || {
            view! {
                <h1 class="govuk-heading-l">"Your account"</h1>
                <SummaryList>
                    <SummaryRow key="Name">{name}</SummaryRow>
                    <SummaryRow key="Email address">{email}</SummaryRow>
                    <SummaryRow key="Role">{role}</SummaryRow>
                </SummaryList>
                <h2 class="govuk-heading-m">"Signed in somewhere else?"</h2>
                <p class="govuk-body">
                    "If you left yourself signed in on another computer, or think someone else has signed in as you, sign out everywhere. Then tell an administrator."
                </p>
                <form method="post" action="/staff/sign-out-everywhere">
                    <Csrf token=csrf/>
                    <Button text="Sign out everywhere" class="govuk-button--warning"/>
                </form>
                <h2 class="govuk-heading-m">"Your password"</h2>
                <p class="govuk-body">
                    <a class="govuk-link" href=CHANGE_PASSWORD>"Change your password"</a>
                </p>
            }
        },
    ))
}
