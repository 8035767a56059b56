//! Staff accounts, created with `signpost create-user` or by an admin at `/staff/users`, where
//! admins also change a role, set a temporary password, disable an account or reset its
//! authenticator app. One account's own page (role, temporary password) is [`super::user_page`].

use super::password::{Password, PasswordError};
use super::roles::{self, may, Role};
use super::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::clock::Clock;
use crate::staff::view::form::{
    error_for, Button, ErrorSummary, FieldError, Radios, Table, TextInput,
};
use crate::staff::view::{self, Csrf};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::{AnyPool, Row};

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

/// Days a new account (or one whose second factor was reset) has to set up its authenticator
/// app; after that the password alone no longer lets anyone enrol one.
pub const ENROL_DAYS: i64 = 7;

/// The `enrol_before` of an account created or reset now.
pub fn enrol_deadline(clock: &Clock) -> i64 {
    clock.unix() + ENROL_DAYS * 24 * 3600
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
        "INSERT INTO staff_user (id, email, name, role, password_hash, created_at, updated_at, \
         must_change_password, enrol_before) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&email)
    .bind(name)
    .bind(role.as_str())
    .bind(&hash)
    .bind(&now)
    // A first password an admin chose (and so knows) must be replaced at the first sign-in; an
    // account made with `signpost create-user` got its password from the person at the console.
    .bind(i64::from(actor.is_some()))
    .bind(enrol_deadline(clock))
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

/// One account in the accounts table.
struct ListedUser {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    /// "Disabled", "Set up" or "Not yet" (the authenticator app).
    status: &'static str,
    active: bool,
}

async fn list_users(pool: &AnyPool) -> Result<Vec<ListedUser>> {
    let mut users = Vec::new();
    for r in sqlx::query(
        "SELECT name, email, role, totp_secret, id, active FROM staff_user ORDER BY name, email",
    )
    .fetch_all(pool)
    .await?
    {
        let enrolled = r.try_get::<Option<String>, _>(3)?.is_some();
        let active = r.try_get::<i64, _>(5)? == 1;
        users.push(ListedUser {
            id: r.try_get(4)?,
            name: r.try_get(0)?,
            email: r.try_get(1)?,
            role: Role::parse(&r.try_get::<String, _>(2)?)
                .map(Role::label)
                .unwrap_or("Unknown"),
            status: match (active, enrolled) {
                (false, _) => "Disabled",
                (true, true) => "Set up",
                (true, false) => "Not yet",
            },
            active,
        });
    }
    Ok(users)
}

/// What was typed in the "Add an account" form, to show again.
#[derive(Default)]
struct Typed {
    email: String,
    name: String,
    role: String,
}

/// The accounts page: every account, with "Add an account".
fn users_response(
    staff: &Staff,
    users: Vec<ListedUser>,
    errors: Vec<FieldError>,
    typed: Typed,
) -> Response {
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Staff accounts")
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, "Error: Staff accounts")
    };
    let (me, csrf) = (staff.id.clone(), staff.session.csrf.clone());
    view::page(status, title, Some(staff), move || {
        let roles: Vec<(String, String)> = roles::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
            .collect();
        let name_error = error_for(&errors, "name");
        let email_error = error_for(&errors, "email");
        let role_error = error_for(&errors, "role");
        let password_error = error_for(&errors, "password");
        let rows = users
            .into_iter()
            .map(|u| user_row(u, &me, &csrf))
            .collect_view();
        view! {
            <ErrorSummary errors=errors/>
            <h1 class="govuk-heading-l">"Staff accounts"</h1>
            <Table caption="Accounts" heads=vec!["Name", "Email address", "Role", "Authenticator app", "Actions"]>
                {rows}
            </Table>
            <h2 class="govuk-heading-m">"Add an account"</h2>
            <p class="govuk-body">
                "The person sets up their authenticator app the first time they sign in. Give them the password in person or by phone, never by email."
            </p>
            <form method="post" action="/staff/users" novalidate>
                <Csrf token=csrf.clone()/>
                <TextInput name="name" label="Name" value=typed.name error=name_error
                    autocomplete="off" label_class="govuk-label"/>
                <TextInput name="email" label="Email address" value=typed.email error=email_error
                    kind="email" autocomplete="off" label_class="govuk-label"/>
                <Radios name="role" legend="Role" options=roles chosen=typed.role error=role_error
                    legend_class="govuk-fieldset__legend govuk-fieldset__legend--s"/>
                <TextInput
                    name="password"
                    label="First password (12 characters or more, not a common password)"
                    value=""
                    error=password_error
                    kind="password"
                    autocomplete="new-password"
                    label_class="govuk-label"
                />
                <Button text="Add account"/>
            </form>
        }
    })
}

/// One account's row; `me` (the admin's own account) gets no actions.
fn user_row(user: ListedUser, me: &str, csrf: &str) -> impl IntoView {
    let other = user.id != me;
    let change = other.then(|| {
        view! {
            <p class="govuk-body govuk-!-margin-bottom-2">
                <a class="govuk-link" href=format!("/staff/users/{}", user.id)>
                    "Change role or password"
                    <span class="govuk-visually-hidden">{format!(" for {}", user.name)}</span>
                </a>
            </p>
        }
    });
    let actions = (other && user.active).then(|| {
        view! {
            <form method="post" action=format!("/staff/users/{}/reset-second-factor", user.id)>
                <Csrf token=csrf.to_owned()/>
                <button
                    type="submit"
                    class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                >
                    "Reset authenticator app"
                    <span class="govuk-visually-hidden">{format!(" for {}", user.name)}</span>
                </button>
            </form>
            <form method="post" action=format!("/staff/users/{}/disable", user.id)>
                <Csrf token=csrf.to_owned()/>
                <button
                    type="submit"
                    class="govuk-button govuk-button--warning govuk-!-margin-bottom-0"
                >
                    "Disable"
                    <span class="govuk-visually-hidden">{format!(" {}", user.name)}</span>
                </button>
            </form>
        }
    });
    view! {
        <tr class="govuk-table__row">
            <td class="govuk-table__cell">{user.name.clone()}</td>
            <td class="govuk-table__cell">{user.email}</td>
            <td class="govuk-table__cell">{user.role}</td>
            <td class="govuk-table__cell">{user.status}</td>
            <td class="govuk-table__cell">{change}{actions}</td>
        </tr>
    }
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
            "UPDATE staff_user SET totp_secret = NULL, totp_last_step = NULL, updated_at = $1, \
             enrol_before = $3 WHERE id = $2",
            "second_factor_reset",
        ),
    };
    let mut query = sqlx::query(sql).bind(&now).bind(id);
    if matches!(change, AccountChange::ResetSecondFactor) {
        // A new week to set up the app again.
        query = query.bind(enrol_deadline(&state.staff.clock));
    }
    let changed = query.execute(&mut *tx).await?.rows_affected();
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

/// `GET /staff/users` (admins).
pub async fn users_page(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require(may::ADMIN)?;
    let users = list_users(state.db.pool()).await?;
    Ok(users_response(&staff, users, Vec::new(), Typed::default()))
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
            let users = list_users(state.db.pool()).await?;
            let errors = vec![FieldError::new(e.field(), e.to_string())];
            let typed = Typed {
                email: new.email.to_owned(),
                name: new.name.to_owned(),
                role: new.role.to_owned(),
            };
            Ok(users_response(&staff, users, errors, typed))
        }
    }
}
