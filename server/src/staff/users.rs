//! Staff accounts (created with `signpost create-user` or by an admin at `/staff/users`) and
//! the admin's audit log page.

use super::html::{self, esc, FieldError};
use super::password::{Password, PasswordError};
use super::roles::{self, may, Role};
use super::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::clock::Clock;
use crate::startup::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{AnyPool, Row};
use std::fmt::Write;

/// Why an account could not be created, as the message the person sees.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("Enter an email address in the correct format, like name@example.com")]
    Email,
    #[error("Enter the person's name")]
    Name,
    #[error("Choose a role: hub, carers, directory or admin")]
    Role,
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("An account with this email address already exists")]
    Exists,
    #[error("cannot hash the password")]
    Hash,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl CreateUserError {
    fn field(&self) -> &'static str {
        match self {
            Self::Email | Self::Exists => "email",
            Self::Name => "name",
            Self::Role => "role",
            Self::Password(_) => "password",
            Self::Hash | Self::Database(_) => "email",
        }
    }
}

/// A new account, without an authenticator app: it enrols one when it first signs in.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password: &'a str,
}

/// Creates an account; returns its id. Audited as `user_created` by `actor` (None: the CLI).
pub async fn create(
    pool: &AnyPool,
    clock: &Clock,
    new: &NewUser<'_>,
    actor: Option<&Staff>,
) -> std::result::Result<String, CreateUserError> {
    let email = app::domain::Email::parse(new.email.trim())
        .map_err(|_| CreateUserError::Email)?
        .as_str()
        .to_lowercase();
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(CreateUserError::Name);
    }
    let role = Role::parse(new.role).ok_or(CreateUserError::Role)?;
    let password = Password::new(new.password, &[&email, name])?;
    let hash = password
        .hash_off_runtime()
        .await
        .ok_or(CreateUserError::Hash)?;
    let exists = sqlx::query("SELECT 1 FROM staff_user WHERE email = $1")
        .bind(&email)
        .fetch_optional(pool)
        .await?
        .is_some();
    if exists {
        return Err(CreateUserError::Exists);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = clock.now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO staff_user (id, email, name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(&email)
    .bind(name)
    .bind(role.as_str())
    .bind(&hash)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let subject = format!("user:{id}");
    let detail = format!("{email} as {role}");
    let event = audit::Event {
        actor_id: actor.map(|a| a.id.as_str()),
        actor_email: Some(actor.map(|a| a.email.as_str()).unwrap_or("command line")),
        action: "user_created",
        subject: Some(&subject),
        reference: None,
        detail: Some(&detail),
        ip: actor.map(|a| a.ip.as_str()),
    };
    audit::record(&mut *tx, &now, &event).await?;
    tx.commit().await?;
    Ok(id)
}

fn users_html(
    staff: &Staff,
    rows: &str,
    errors: &[FieldError],
    typed: (&str, &str, &str),
) -> String {
    let (email, name, role) = typed;
    let (role_error, role_class) = html::field_error(errors, "role");
    let mut options = String::new();
    for (i, r) in roles::ALL.iter().enumerate() {
        let id = if i == 0 {
            "role".to_owned()
        } else {
            format!("role-{i}")
        };
        let _ = write!(
            options,
            r#"<div class="govuk-radios__item"><input class="govuk-radios__input" id="{id}" name="role" type="radio" value="{v}"{c}><label class="govuk-label govuk-radios__label" for="{id}">{l}</label></div>"#,
            v = r.as_str(),
            l = r.label(),
            c = if r.as_str() == role { " checked" } else { "" },
        );
    }
    format!(
        r#"{summary}<h1 class="govuk-heading-l">Staff accounts</h1><table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--m">Accounts</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Name</th><th scope="col" class="govuk-table__header">Email address</th><th scope="col" class="govuk-table__header">Role</th><th scope="col" class="govuk-table__header">Authenticator app</th><th scope="col" class="govuk-table__header">Actions</th></tr></thead><tbody class="govuk-table__body">{rows}</tbody></table><h2 class="govuk-heading-m">Add an account</h2><p class="govuk-body">The person sets up their authenticator app the first time they sign in. Give them the password in person or by phone, never by email.</p><form method="post" action="/staff/users" novalidate>{csrf}{name}{email}<div class="govuk-form-group{role_class}"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Role</legend>{role_error}<div class="govuk-radios">{options}</div></fieldset></div>{password}<button type="submit" class="govuk-button">Add account</button></form>"#,
        summary = html::error_summary(errors),
        csrf = html::csrf_field(&staff.session.csrf),
        name = html::text_input(errors, "name", "Name", name, "text", "off"),
        email = html::text_input(errors, "email", "Email address", email, "email", "off"),
        password = html::text_input(
            errors,
            "password",
            "First password (12 characters or more, not a common password)",
            "",
            "password",
            "new-password"
        ),
    )
}

async fn user_rows(pool: &AnyPool, staff: &Staff) -> Result<String> {
    let mut rows = String::new();
    for r in sqlx::query(
        "SELECT name, email, role, totp_secret, id, active FROM staff_user ORDER BY name, email",
    )
    .fetch_all(pool)
    .await?
    {
        let name: String = r.try_get(0)?;
        let role: String = r.try_get(2)?;
        let enrolled = r.try_get::<Option<String>, _>(3)?.is_some();
        let id: String = r.try_get(4)?;
        let active = r.try_get::<i64, _>(5)? == 1;
        let mut actions = String::new();
        if id != staff.id {
            let _ = write!(
                actions,
                r#"<p class="govuk-body govuk-!-margin-bottom-2"><a class="govuk-link" href="/staff/users/{id}">Change role or password<span class="govuk-visually-hidden"> for {n}</span></a></p>"#,
                id = esc(&id),
                n = esc(&name),
            );
        }
        if id != staff.id && active {
            let _ = write!(
                actions,
                r#"<form method="post" action="/staff/users/{id}/reset-second-factor">{csrf}<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1">Reset authenticator app<span class="govuk-visually-hidden"> for {n}</span></button></form><form method="post" action="/staff/users/{id}/disable">{csrf}<button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0">Disable<span class="govuk-visually-hidden"> {n}</span></button></form>"#,
                id = esc(&id),
                csrf = html::csrf_field(&staff.session.csrf),
                n = esc(&name),
            );
        }
        let _ = write!(
            rows,
            r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{actions}</td></tr>"#,
            esc(&name),
            esc(&r.try_get::<String, _>(1)?),
            Role::parse(&role).map(Role::label).unwrap_or("Unknown"),
            match (active, enrolled) {
                (false, _) => "Disabled",
                (true, true) => "Set up",
                (true, false) => "Not yet",
            },
        );
    }
    Ok(rows)
}

/// What an admin can do to another account.
enum AccountChange {
    Disable,
    ResetSecondFactor,
}

async fn change_account(
    state: &AppState,
    form: StaffForm,
    id: &str,
    change: AccountChange,
) -> Result<Response> {
    let staff = form.staff;
    staff.require(may::ADMIN)?;
    if id == staff.id {
        return Err(StaffError::Forbidden);
    }
    let pool = state.db.pool();
    let now = state.staff.clock.now();
    let mut tx = pool.begin().await?;
    let (sql, action) = match change {
        AccountChange::Disable => (
            "UPDATE staff_user SET active = 0, updated_at = $1 WHERE id = $2",
            "user_disabled",
        ),
        AccountChange::ResetSecondFactor => (
            "UPDATE staff_user SET totp_secret = NULL, totp_last_step = NULL, updated_at = $1 \
             WHERE id = $2",
            "second_factor_reset",
        ),
    };
    let changed = sqlx::query(sql)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed != 1 {
        return Err(StaffError::NotFound);
    }
    sqlx::query("DELETE FROM staff_recovery_code WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::session::end_all(&mut *tx, id).await?;
    let mut e = staff.event(action);
    let subject = format!("user:{id}");
    e.subject = Some(&subject);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/users").into_response())
}

/// `POST /staff/users/{id}/disable` (admins): the account can no longer sign in; its sessions
/// end.
pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    change_account(&state, form, &id, AccountChange::Disable).await
}

/// `POST /staff/users/{id}/reset-second-factor` (admins): a lost phone. The person sets up an
/// authenticator app again at their next sign-in; their sessions and recovery codes end.
pub async fn reset_second_factor(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    change_account(&state, form, &id, AccountChange::ResetSecondFactor).await
}

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

fn account_html(staff: &Staff, account: &Account, errors: &[FieldError], role: &str) -> String {
    let roles: Vec<(String, String)> = roles::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect();
    let row = |key: &str, value: &str| {
        format!(
            r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt><dd class="govuk-summary-list__value">{}</dd></div>"#,
            esc(value)
        )
    };
    format!(
        r#"<a href="/staff/users" class="govuk-back-link">Back to staff accounts</a><div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">{summary}<span class="govuk-caption-l">Staff account</span><h1 class="govuk-heading-l">{name}</h1><dl class="govuk-summary-list">{email}{current}{app}{status}</dl><form method="post" action="/staff/users/{id}/role" novalidate>{csrf}{role_radios}<p class="govuk-body">The new role applies from their next click: they see only what it allows.</p><button type="submit" class="govuk-button">Change role</button></form><h2 class="govuk-heading-m">Set a temporary password</h2><p class="govuk-body">If they have forgotten their password. Every session of the account ends and any lockout is lifted; they sign in with the temporary password and their authenticator app, and must then choose a new password of their own. Give it to them in person or by phone, never by email, and ask them to tell you when they have used it.</p><form method="post" action="/staff/users/{id}/password" novalidate>{csrf}{password}<button type="submit" class="govuk-button govuk-button--warning">Set temporary password</button></form></div></div>"#,
        summary = html::error_summary(errors),
        name = esc(&account.name),
        email = row("Email address", &account.email),
        current = row("Role", account.role.map(Role::label).unwrap_or("Unknown")),
        app = row(
            "Authenticator app",
            if account.enrolled {
                "Set up"
            } else {
                "Not yet"
            }
        ),
        status = row(
            "Account",
            if account.active { "Active" } else { "Disabled" }
        ),
        id = esc(&account.id),
        csrf = html::csrf_field(&staff.session.csrf),
        role_radios = html::radios("role", "Change role", &roles, role, errors),
        password = html::text_input(
            errors,
            "password",
            "Temporary password (12 characters or more, not a common password)",
            "",
            "password",
            "new-password"
        ),
    )
}

fn account_response(
    status: StatusCode,
    staff: &Staff,
    account: &Account,
    errors: &[FieldError],
    role: &str,
) -> Response {
    let title = if errors.is_empty() {
        format!("Staff account: {}", account.name)
    } else {
        format!("Error: Staff account: {}", account.name)
    };
    html::page(
        status,
        &title,
        Some(staff.header()),
        &account_html(staff, account, errors, role),
    )
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
        &account,
        &[],
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
        let errors = [FieldError {
            field: "role".into(),
            message: "Choose the new role".into(),
        }];
        return Ok(account_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &staff,
            &account,
            &errors,
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
            let errors = [FieldError {
                field: "password".into(),
                message: e.to_string(),
            }];
            return Ok(account_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &staff,
                &account,
                &errors,
                role,
            ));
        }
    };
    let hash = password.hash_off_runtime().await.ok_or(StaffError::Hash)?;
    let now = state.staff.clock.now();
    let mut tx = state.db.pool().begin().await?;
    sqlx::query(
        "UPDATE staff_user SET password_hash = $1, must_change_password = 1, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(&hash)
    .bind(&now)
    .bind(&account.id)
    .execute(&mut *tx)
    .await?;
    super::session::end_all(&mut *tx, &account.id).await?;
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

/// `GET /staff/users` (admins).
pub async fn users_page(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require(may::ADMIN)?;
    let rows = user_rows(state.db.pool(), &staff).await?;
    let main = users_html(&staff, &rows, &[], ("", "", ""));
    Ok(html::page(
        StatusCode::OK,
        "Staff accounts",
        Some(staff.header()),
        &main,
    ))
}

/// `POST /staff/users` (admins): adds an account.
pub async fn create_user(State(state): State<AppState>, form: StaffForm) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    staff.require(may::ADMIN)?;
    let new = NewUser {
        email: field(&fields, "email"),
        name: field(&fields, "name"),
        role: field(&fields, "role"),
        password: field(&fields, "password"),
    };
    match create(state.db.pool(), &state.staff.clock, &new, Some(&staff)).await {
        Ok(_) => Ok(Redirect::to("/staff/users").into_response()),
        Err(CreateUserError::Database(e)) => Err(StaffError::Database(e)),
        Err(CreateUserError::Hash) => Err(StaffError::Hash),
        Err(e) => {
            let rows = user_rows(state.db.pool(), &staff).await?;
            let errors = [FieldError {
                field: e.field().into(),
                message: e.to_string(),
            }];
            let main = users_html(&staff, &rows, &errors, (new.email, new.name, new.role));
            Ok(html::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Error: Staff accounts",
                Some(staff.header()),
                &main,
            ))
        }
    }
}

/// `GET /staff/audit` (admins): the log, newest first, filtered.
pub async fn audit_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(filter): Query<audit::Filter>,
) -> Result<Response> {
    staff.require(may::ADMIN)?;
    let pool = state.db.pool();
    let rows = audit::search(pool, &filter, 500).await?;
    let mut e = staff.event("audit_viewed");
    let detail = format!(
        "actor={} action={} reference={} from={} to={}",
        filter.actor, filter.action, filter.reference, filter.from, filter.to
    );
    e.detail = Some(&detail);
    audit::record(pool, &state.staff.clock.now(), &e).await?;
    let mut body = String::new();
    for r in &rows {
        let _ = write!(
            body,
            r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td></tr>"#,
            esc(&r.at),
            esc(&r.actor),
            esc(&r.action),
            esc(&r.reference),
            esc(&r.subject),
            esc(&r.detail),
            esc(&r.ip),
        );
    }
    let mut actions = String::from(r#"<option value="">Any</option>"#);
    for a in audit::ACTIONS {
        let _ = write!(
            actions,
            r#"<option value="{a}"{}>{a}</option>"#,
            if *a == filter.action { " selected" } else { "" }
        );
    }
    let input = |name: &str, label: &str, value: &str, hint: &str| {
        format!(
            r#"<div class="govuk-form-group"><label class="govuk-label" for="{name}">{label}</label>{hint}<input class="govuk-input govuk-input--width-20" id="{name}" name="{name}" type="text" value="{v}" spellcheck="false"></div>"#,
            v = esc(value),
        )
    };
    let main = format!(
        r#"<h1 class="govuk-heading-l">Audit log</h1><form method="get" action="/staff/audit">{actor}<div class="govuk-form-group"><label class="govuk-label" for="action">Action</label><select class="govuk-select" id="action" name="action">{actions}</select></div>{reference}{from}{to}<button type="submit" class="govuk-button govuk-button--secondary">Filter</button></form><table class="govuk-table" id="audit"><caption class="govuk-table__caption govuk-table__caption--m">{count} event{s}, newest first</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">When (UTC)</th><th scope="col" class="govuk-table__header">Who</th><th scope="col" class="govuk-table__header">What</th><th scope="col" class="govuk-table__header">Reference</th><th scope="col" class="govuk-table__header">Subject</th><th scope="col" class="govuk-table__header">Detail</th><th scope="col" class="govuk-table__header">From</th></tr></thead><tbody class="govuk-table__body">{body}</tbody></table>"#,
        actor = input("actor", "Who (email address)", &filter.actor, ""),
        reference = input("reference", "Reference", &filter.reference, ""),
        from = input("from", "From date (YYYY-MM-DD)", &filter.from, ""),
        to = input("to", "To date (YYYY-MM-DD)", &filter.to, ""),
        count = rows.len(),
        s = if rows.len() == 1 { "" } else { "s" },
    );
    Ok(html::page(
        StatusCode::OK,
        "Audit log",
        Some(staff.header()),
        &main,
    ))
}
