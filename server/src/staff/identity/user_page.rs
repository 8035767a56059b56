//! One staff account's page for admins (`/staff/users/{id}`): change its role or set a
//! temporary password. Never one's own account: another admin must, so there is always one who
//! can.

use super::password::Password;
use super::roles::{self, may, Role};
use super::{audit, field, session, Result, Staff, StaffError, StaffForm};
use crate::staff::view::form::{
    error_for, Button, ErrorSummary, FieldError, Radios, SummaryList, SummaryRow, TextInput,
};
use crate::staff::view::{self, Csrf};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::{AnyPool, Row};

/// One account, as its page shows it.
struct Account {
    id: String,
    name: String,
    email: String,
    role: Option<Role>,
    active: bool,
    enrolled: bool,
}

async fn load_account(pool: &AnyPool, id: &str) -> Result<Option<Account>> {
    let row = sqlx::query(
        "SELECT id, name, email, role, active, totp_secret FROM staff_user WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    Ok(Some(Account {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        email: r.try_get(2)?,
        role: Role::parse(&r.try_get::<String, _>(3)?),
        active: r.try_get::<i64, _>(4)? == 1,
        enrolled: r.try_get::<Option<String>, _>(5)?.is_some(),
    }))
}

/// An account another admin may change (never one's own: someone else must, so there is
/// always an admin who can), or 403/404.
async fn other_account(state: &AppState, staff: &Staff, id: &str) -> Result<Account> {
    staff.require(may::ADMIN)?;
    if id == staff.id {
        return Err(StaffError::Forbidden);
    }
    load_account(state.db.pool(), id)
        .await?
        .ok_or(StaffError::NotFound)
}

fn account_response(
    status: StatusCode,
    staff: &Staff,
    account: Account,
    errors: Vec<FieldError>,
    role: &str,
) -> Response {
    let title = if errors.is_empty() {
        format!("Staff account: {}", account.name)
    } else {
        format!("Error: Staff account: {}", account.name)
    };
    let (csrf, role) = (staff.session.csrf.clone(), role.to_owned());
    view::page(status, &title, Some(staff), move || {
        account_view(account, csrf, errors, role)
    })
}

fn account_view(
    account: Account,
    csrf: String,
    errors: Vec<FieldError>,
    role: String,
) -> impl IntoView {
    let roles: Vec<(String, String)> = roles::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect();
    let role_error = error_for(&errors, "role");
    let password_error = error_for(&errors, "password");
    view! {
        <a href="/staff/users" class="govuk-back-link">"Back to staff accounts"</a>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors/>
                <span class="govuk-caption-l">"Staff account"</span>
                <h1 class="govuk-heading-l">{account.name}</h1>
                <SummaryList>
                    <SummaryRow key="Email address">{account.email}</SummaryRow>
                    <SummaryRow key="Role">
                        {account.role.map(Role::label).unwrap_or("Unknown")}
                    </SummaryRow>
                    <SummaryRow key="Authenticator app">
                        {if account.enrolled { "Set up" } else { "Not yet" }}
                    </SummaryRow>
                    <SummaryRow key="Account">
                        {if account.active { "Active" } else { "Disabled" }}
                    </SummaryRow>
                </SummaryList>
                <form method="post" action=format!("/staff/users/{}/role", account.id) novalidate>
                    <Csrf token=csrf.clone()/>
                    <Radios name="role" legend="Change role" options=roles chosen=role error=role_error/>
                    <p class="govuk-body">
                        "The new role applies from their next click: they see only what it allows."
                    </p>
                    <Button text="Change role"/>
                </form>
                <h2 class="govuk-heading-m">"Set a temporary password"</h2>
                <p class="govuk-body">
                    "If they have forgotten their password. Every session of the account ends and any lockout is lifted; they sign in with the temporary password and their authenticator app, and must then choose a new password of their own. Give it to them in person or by phone, never by email, and ask them to tell you when they have used it."
                </p>
                <form method="post" action=format!("/staff/users/{}/password", account.id) novalidate>
                    <Csrf token=csrf/>
                    <TextInput
                        name="password"
                        label="Temporary password (12 characters or more, not a common password)"
                        value=""
                        error=password_error
                        kind="password"
                        autocomplete="new-password"
                        label_class="govuk-label"
                    />
                    <Button text="Set temporary password" class="govuk-button--warning"/>
                </form>
            </div>
        </div>
    }
}

/// `GET /staff/users/{id}` (admins): another account, to change its role or set a temporary
/// password.
pub async fn user_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let account = other_account(&state, &staff, &id).await?;
    let role = account.role.map(Role::as_str).unwrap_or_default();
    Ok(account_response(
        StatusCode::OK,
        &staff,
        account,
        Vec::new(),
        role,
    ))
}

/// `POST /staff/users/{id}/role` (admins): changes another account's role (audited
/// `role_changed`, from and to). It applies at the account's next request, which reads the role.
pub async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    let account = other_account(&state, &staff, &id).await?;
    let typed = field(&fields, "role");
    let Some(role) = Role::parse(typed) else {
        let errors = vec![FieldError::new("role", "Choose the new role")];
        return Ok(account_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &staff,
            account,
            errors,
            typed,
        ));
    };
    if account.role == Some(role) {
        return Ok(Redirect::to("/staff/users").into_response());
    }
    let now = state.staff.clock.now();
    let mut tx = state.db.pool().begin().await?;
    sqlx::query("UPDATE staff_user SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role.as_str())
        .bind(&now)
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    let mut e = staff.event("role_changed");
    let subject = format!("user:{}", account.id);
    let detail = format!(
        "{} to {}",
        account.role.map(Role::as_str).unwrap_or("unknown"),
        role.as_str()
    );
    e.subject = Some(&subject);
    e.detail = Some(&detail);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/users").into_response())
}

/// `POST /staff/users/{id}/password` (admins): a temporary password for a forgotten one, under
/// the same rules as any ([`Password`]). Every session of the account ends and its lockout is
/// lifted, in one transaction with the audit entry (`password_set`; never the password); after
/// signing in with it the person must choose their own before any other page opens.
pub async fn set_password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    let account = other_account(&state, &staff, &id).await?;
    let role = account.role.map(Role::as_str).unwrap_or_default();
    let password = match Password::new(field(&fields, "password"), &[&account.email, &account.name])
    {
        Ok(p) => p,
        Err(e) => {
            let errors = vec![FieldError::new("password", e.to_string())];
            return Ok(account_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &staff,
                account,
                errors,
                role,
            ));
        }
    };
    let hash = password.hash_off_runtime().await.ok_or(StaffError::Hash)?;
    let now = state.staff.clock.now();
    let mut tx = state.db.pool().begin().await?;
    sqlx::query(
        "UPDATE staff_user SET password_hash = $1, must_change_password = 1, updated_at = $2, \
         enrol_before = CASE WHEN totp_secret IS NULL THEN $4 ELSE enrol_before END \
         WHERE id = $3",
    )
    .bind(&hash)
    .bind(&now)
    .bind(&account.id)
    .bind(super::users::enrol_deadline(&state.staff.clock))
    .execute(&mut *tx)
    .await?;
    session::end_all(&mut *tx, &account.id).await?;
    sqlx::query("DELETE FROM staff_login_throttle WHERE email = $1")
        .bind(&account.email)
        .execute(&mut *tx)
        .await?;
    let mut e = staff.event("password_set");
    let subject = format!("user:{}", account.id);
    e.subject = Some(&subject);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/users").into_response())
}
