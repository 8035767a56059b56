//! The identity room: who is signed in and what they may do. Signing in (password, then a TOTP
//! code or a recovery code, enrolment, lockout) is in [`sign_in`], a person's own account
//! (password change, signing out everywhere) in [`account`], accounts and roles administered by
//! admins in [`users`] and [`roles`], sessions in [`session`], password rules in [`password`],
//! the authenticator app in [`totp`], and the audit log (its records and its page) in [`audit`].
//!
//! Every staff handler learns who is asking through the [`Staff`] extractor, and every
//! state-changing one takes [`StaffForm`], which checks the session's CSRF token, so no handler
//! can forget it.

pub mod account;
pub mod audit;
pub mod enrol;
pub mod lockout;
pub mod password;
pub mod roles;
pub mod session;
pub mod sign_in;
pub mod totp;
pub mod user_page;
pub mod users;

use super::view;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use roles::Role;
use sqlx::Row;
use std::net::SocketAddr;

/// Why a staff request failed.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("cannot hash a password")]
    Hash,
    #[error("not signed in")]
    NotSignedIn,
    /// Not signed in, on the way to a staff page: after signing in they land on it.
    #[error("not signed in")]
    SignInToSee(String),
    #[error("not allowed")]
    Forbidden,
    #[error("the form's security token did not match")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("unsupported form encoding")]
    NotAForm,
    /// Signed in with a temporary password: every page but the one to change it sends there.
    #[error("must change the temporary password first")]
    MustChangePassword,
}

impl IntoResponse for StaffError {
    fn into_response(self) -> Response {
        match self {
            StaffError::Database(_) | StaffError::Hash => {
                tracing::error!(error = %self, "staff portal request failed");
                crate::middleware::problem_response("/pkg/signpost.css")
            }
            StaffError::NotSignedIn => Redirect::to("/staff/sign-in").into_response(),
            StaffError::SignInToSee(next) => Redirect::to(&sign_in::sign_in_to_see(&next)).into_response(),
            StaffError::Forbidden => view::message(
                StatusCode::FORBIDDEN,
                "You do not have access to this page",
                &["Your account's role does not include this page. Ask an administrator if you need it."],
            ),
            StaffError::Csrf => {
                tracing::warn!("staff form refused: CSRF token missing or wrong");
                view::message(
                    StatusCode::FORBIDDEN,
                    "This form has expired",
                    &["Go back, reload the page and try again. If you opened the form before signing in again, it no longer works."],
                )
            }
            StaffError::NotFound => view::message(
                StatusCode::NOT_FOUND,
                "Page not found",
                &["If you followed a link from an email, the request may have been removed."],
            ),
            StaffError::MustChangePassword => {
                Redirect::to(account::CHANGE_PASSWORD).into_response()
            }
            StaffError::NotAForm => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the form as application/x-www-form-urlencoded",
            )
                .into_response(),
        }
    }
}

pub type Result<T> = std::result::Result<T, StaffError>;

/// A signed-in member of staff (the session is fully signed in and live).
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub session: session::Session,
    pub ip: String,
    /// An admin set a temporary password: they must choose their own before anything else.
    pub must_change_password: bool,
}

impl Staff {
    /// Refuses unless the account's role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(StaffError::Forbidden)
        }
    }

    pub fn event<'a>(&'a self, action: &'a str) -> audit::Event<'a> {
        audit::Event {
            actor_id: Some(&self.id),
            actor_email: Some(&self.email),
            action,
            subject: None,
            reference: None,
            detail: None,
            ip: Some(&self.ip),
        }
    }
}

fn peer_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// Loads the account behind a live session of the wanted stage.
async fn load_staff(
    state: &AppState,
    headers: &HeaderMap,
    ip: String,
    stages: &[session::Stage],
) -> Result<Staff> {
    let token = session::cookie(headers, session::COOKIE).ok_or(StaffError::NotSignedIn)?;
    let now = state.staff.clock.unix();
    let session = session::load(state.db.pool(), &token, now)
        .await?
        .filter(|s| stages.contains(&s.stage))
        .ok_or(StaffError::NotSignedIn)?;
    let row =
        sqlx::query("SELECT email, name, role, must_change_password FROM staff_user WHERE id = $1")
            .bind(&session.user_id)
            .fetch_optional(state.db.pool())
            .await?
            .ok_or(StaffError::NotSignedIn)?;
    let role = Role::parse(&row.try_get::<String, _>(2)?).ok_or(StaffError::Forbidden)?;
    Ok(Staff {
        id: session.user_id.clone(),
        email: row.try_get(0)?,
        name: row.try_get(1)?,
        role,
        session,
        ip,
        must_change_password: row.try_get::<i64, _>(3)? == 1,
    })
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = StaffError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let ip = peer_ip(parts);
        match load_staff(state, &parts.headers, ip, &[session::Stage::Full]).await {
            // A temporary password: only changing it (or signing out) until it is changed.
            Ok(staff)
                if staff.must_change_password
                    && !matches!(
                        parts.uri.path(),
                        account::CHANGE_PASSWORD | "/staff/sign-out" | "/staff/sign-out-everywhere"
                    ) =>
            {
                Err(StaffError::MustChangePassword)
            }
            // A page opened from a link (in an email, say) before signing in: come back to it.
            Err(StaffError::NotSignedIn) if parts.method == axum::http::Method::GET => {
                let wanted = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or_default();
                Err(match sign_in::return_path(wanted) {
                    Some(next) => StaffError::SignInToSee(next.to_owned()),
                    None => StaffError::NotSignedIn,
                })
            }
            other => other,
        }
    }
}

/// A URL-encoded form body, with repeated names kept, and its first value of a name.
pub use crate::web::form::{field, Fields};

pub(crate) fn parse_form(headers: &HeaderMap, body: &Bytes) -> Result<Fields> {
    crate::web::form::parse(headers, body).map_err(|_| StaffError::NotAForm)
}

/// A POST from a signed-in member of staff whose CSRF token matched the session's. Every
/// state-changing staff handler takes this, so none can forget the check.
pub struct StaffForm {
    pub staff: Staff,
    pub fields: Fields,
}

impl FromRequest<AppState> for StaffForm {
    type Rejection = StaffError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self> {
        let (mut parts, body) = req.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| StaffError::NotAForm)?;
        let fields = parse_form(&parts.headers, &body)?;
        if !session::tokens_match(&staff.session.csrf, field(&fields, "csrf")) {
            return Err(StaffError::Csrf);
        }
        Ok(StaffForm { staff, fields })
    }
}
