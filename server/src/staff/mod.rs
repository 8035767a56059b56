//! The staff portal at `/staff`: sign-in with a password and a second factor (TOTP), sessions
//! in the database, roles, the audit log, and the triage queue over the requests for support.
//! The family status page (`/request-support/status`) lives here too, because it reads the
//! triage state.
//!
//! Every page is plain server-rendered HTML without JavaScript ([`html`]). Every POST carries
//! the session's CSRF token ([`StaffForm`]). Personal data is shown only on a request's own
//! page, and every such view is audited.

pub mod audit;
mod auth;
pub mod directory;
mod editor;
pub mod html;
pub mod kpi;
pub mod password;
pub mod retention;
mod review;
pub mod roles;
pub mod session;
mod status;
mod synonyms;
pub mod totp;
pub mod triage;
pub mod users;
pub mod workdays;

use crate::limit::RateLimiter;
use crate::startup::AppState;
pub use auth::{count_failure, MAX_FAILURES};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Extension, Router};
use roles::Role;
use sqlx::Row;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The staff portal's settings (plain values, defined below the features).
pub use crate::settings::staff::{
    split_list, StaffSettings, DEFAULT_CLOSED_RETENTION_DAYS, DEFAULT_LEVELS_OF_NEED,
    DEFAULT_TARGETED_SERVICES,
};

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
            StaffError::SignInToSee(next) => Redirect::to(&auth::sign_in_to_see(&next)).into_response(),
            StaffError::Forbidden => html::message(
                StatusCode::FORBIDDEN,
                "You do not have access to this page",
                &["Your account's role does not include this page. Ask an administrator if you need it."],
            ),
            StaffError::Csrf => {
                tracing::warn!("staff form refused: CSRF token missing or wrong");
                html::message(
                    StatusCode::FORBIDDEN,
                    "This form has expired",
                    &["Go back, reload the page and try again. If you opened the form before signing in again, it no longer works."],
                )
            }
            StaffError::NotFound => html::message(
                StatusCode::NOT_FOUND,
                "Page not found",
                &["If you followed a link from an email, the request may have been removed."],
            ),
            StaffError::MustChangePassword => {
                Redirect::to(auth::CHANGE_PASSWORD).into_response()
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

    pub fn header(&self) -> html::Header<'_> {
        html::Header {
            name: &self.name,
            links: self.role.menu(),
            csrf: &self.session.csrf,
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
                        auth::CHANGE_PASSWORD | "/staff/sign-out" | "/staff/sign-out-everywhere"
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
                Err(match auth::return_path(wanted) {
                    Some(next) => StaffError::SignInToSee(next.to_owned()),
                    None => StaffError::NotSignedIn,
                })
            }
            other => other,
        }
    }
}

/// A URL-encoded form body, with repeated names kept.
pub use crate::web::form::{field, Fields};

fn parse_form(headers: &HeaderMap, body: &Bytes) -> Result<Fields> {
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

/// Every staff route: its path (as the router spells it) and method. The router is built from
/// this list ([`endpoint`] gives each its handler), and the role × route test
/// (`every_role_and_anonymous_against_every_staff_route`) fails for a route here that its table
/// does not cover, so a new staff page cannot ship without saying who may open it.
pub const STAFF_ROUTES: &[(&str, Method)] = &[
    ("/staff", Method::GET),
    ("/staff/", Method::GET),
    ("/staff/sign-in", Method::GET),
    ("/staff/sign-in", Method::POST),
    ("/staff/sign-in/code", Method::GET),
    ("/staff/sign-in/code", Method::POST),
    ("/staff/enrol", Method::GET),
    ("/staff/enrol", Method::POST),
    ("/staff/sign-out", Method::POST),
    ("/staff/account", Method::GET),
    ("/staff/account/password", Method::GET),
    ("/staff/account/password", Method::POST),
    ("/staff/sign-out-everywhere", Method::POST),
    ("/staff/queue", Method::GET),
    ("/staff/requests/{id}", Method::GET),
    ("/staff/requests/{id}/assign", Method::POST),
    ("/staff/requests/{id}/close", Method::POST),
    ("/staff/requests/{id}/decision", Method::GET),
    ("/staff/requests/{id}/decision", Method::POST),
    ("/staff/audit", Method::GET),
    ("/staff/directory", Method::GET),
    ("/staff/directory/services/new", Method::GET),
    ("/staff/directory/services/new", Method::POST),
    ("/staff/directory/services/{id}/edit", Method::GET),
    ("/staff/directory/services/{id}/edit", Method::POST),
    ("/staff/directory/review", Method::GET),
    (
        "/staff/directory/review/suggestions/{id}/reject",
        Method::POST,
    ),
    ("/staff/directory/review/reports/{id}/resolve", Method::POST),
    ("/staff/directory/{id}/reviewed", Method::POST),
    ("/staff/directory/{id}/archive", Method::POST),
    ("/staff/kpis", Method::GET),
    ("/staff/kpis.csv", Method::GET),
    ("/staff/users", Method::GET),
    ("/staff/users", Method::POST),
    ("/staff/users/{id}/disable", Method::POST),
    ("/staff/users/{id}/reset-second-factor", Method::POST),
    ("/staff/users/{id}", Method::GET),
    ("/staff/users/{id}/role", Method::POST),
    ("/staff/users/{id}/password", Method::POST),
    ("/staff/synonyms", Method::GET),
    ("/staff/synonyms", Method::POST),
    ("/staff/synonyms/{id}/remove", Method::POST),
];

/// The handler of one entry of [`STAFF_ROUTES`] (None: a pair the list has but no handler, which
/// the unit test below refuses).
fn endpoint(path: &str, method: &Method) -> Option<MethodRouter<AppState>> {
    let get_ = *method == Method::GET;
    let post_ = *method == Method::POST;
    Some(match path {
        "/staff" | "/staff/" if get_ => get(home),
        "/staff/sign-in" if get_ => get(auth::sign_in_page),
        "/staff/sign-in" if post_ => post(auth::sign_in),
        "/staff/sign-in/code" if get_ => get(auth::code_page),
        "/staff/sign-in/code" if post_ => post(auth::code),
        "/staff/enrol" if get_ => get(auth::enrol_page),
        "/staff/enrol" if post_ => post(auth::enrol),
        "/staff/sign-out" if post_ => post(auth::sign_out),
        "/staff/account" if get_ => get(auth::account_page),
        "/staff/account/password" if get_ => get(auth::password_page),
        "/staff/account/password" if post_ => post(auth::change_password),
        "/staff/sign-out-everywhere" if post_ => post(auth::sign_out_everywhere),
        "/staff/queue" if get_ => get(triage::queue),
        "/staff/requests/{id}" if get_ => get(triage::request_page),
        "/staff/requests/{id}/assign" if post_ => post(triage::assign),
        "/staff/requests/{id}/close" if post_ => post(triage::close),
        "/staff/requests/{id}/decision" if get_ => get(triage::decision_page),
        "/staff/requests/{id}/decision" if post_ => post(triage::decide),
        "/staff/audit" if get_ => get(users::audit_page),
        "/staff/directory" if get_ => get(directory::stale_page),
        "/staff/directory/services/new" if get_ => get(editor::new_page),
        "/staff/directory/services/new" if post_ => post(editor::create),
        "/staff/directory/services/{id}/edit" if get_ => get(editor::edit_page),
        "/staff/directory/services/{id}/edit" if post_ => post(editor::update),
        "/staff/directory/review" if get_ => get(review::page),
        "/staff/directory/review/suggestions/{id}/reject" if post_ => post(review::reject),
        "/staff/directory/review/reports/{id}/resolve" if post_ => post(review::resolve),
        "/staff/directory/{id}/reviewed" if post_ => post(directory::reviewed),
        "/staff/directory/{id}/archive" if post_ => post(directory::archive),
        "/staff/kpis" if get_ => get(kpi::page),
        "/staff/kpis.csv" if get_ => get(kpi::export),
        "/staff/users" if get_ => get(users::users_page),
        "/staff/users" if post_ => post(users::create_user),
        "/staff/users/{id}/disable" if post_ => post(users::disable),
        "/staff/users/{id}/reset-second-factor" if post_ => post(users::reset_second_factor),
        "/staff/users/{id}" if get_ => get(users::user_page),
        "/staff/users/{id}/role" if post_ => post(users::change_role),
        "/staff/users/{id}/password" if post_ => post(users::set_password),
        "/staff/synonyms" if get_ => get(synonyms::page),
        "/staff/synonyms" if post_ => post(synonyms::add),
        "/staff/synonyms/{id}/remove" if post_ => post(synonyms::remove),
        _ => return None,
    })
}

/// The staff routes (every one from [`STAFF_ROUTES`]) and the family status page.
pub fn routes(settings: &crate::config::Settings) -> Router<AppState> {
    let sign_in_limit = Arc::new(auth::SignInLimit(RateLimiter::new(
        settings.staff.sign_ins_per_ip,
        Duration::from_secs(15 * 60),
    )));
    let status_limit = Arc::new(status::StatusLimit(RateLimiter::new(
        20,
        Duration::from_secs(3600),
    )));
    let mut router = Router::new();
    for (path, method) in STAFF_ROUTES {
        match endpoint(path, method) {
            // The same path's methods are merged by the router.
            Some(handler) => router = router.route(path, handler),
            None => tracing::error!(path, %method, "a staff route without a handler"),
        }
    }
    router
        .route(
            "/request-support/status",
            get(status::lookup_page).post(status::lookup),
        )
        .route("/request-support/status/{token}", get(status::by_link))
        // Keep this after every route: a `/staff` route added here instead of to STAFF_ROUTES
        // (so the role × route test never sees it) refuses to serve.
        .route_layer(axum::middleware::from_fn(listed_staff_routes_only))
        .layer(Extension(sign_in_limit))
        .layer(Extension(status_limit))
}

/// Whether `path` (as the router spells it) and `method` are in [`STAFF_ROUTES`] (HEAD as GET).
pub fn is_listed(path: &str, method: &Method) -> bool {
    let method = if *method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    STAFF_ROUTES.iter().any(|(p, m)| *p == path && m == method)
}

/// Refuses (500, logged) a request routed to a `/staff` route that [`STAFF_ROUTES`] does not list,
/// so a staff page cannot be added to the router by another way than the list the role × route
/// test checks.
async fn listed_staff_routes_only(
    matched: Option<axum::extract::MatchedPath>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    if let Some(path) = matched.as_ref().map(axum::extract::MatchedPath::as_str) {
        if path.starts_with("/staff") && !is_listed(path, req.method()) {
            tracing::error!(path, method = %req.method(), "a staff route missing from STAFF_ROUTES was refused");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    next.run(req).await
}

/// `GET /staff`: the role's start page, or the sign-in page.
async fn home(staff: std::result::Result<Staff, StaffError>) -> Response {
    match staff {
        Ok(staff) => Redirect::to(staff.role.home()).into_response(),
        Err(e @ StaffError::MustChangePassword) => e.into_response(),
        Err(_) => Redirect::to("/staff/sign-in").into_response(),
    }
}

/// Every 10 minutes: deletes expired sessions and applies the retention period to closed
/// requests. Started by the application.
pub async fn housekeeping(db: crate::db::Db, settings: StaffSettings) {
    loop {
        if session::purge(db.pool(), settings.clock.unix())
            .await
            .is_err()
        {
            tracing::warn!("could not delete expired staff sessions");
        }
        match retention::run_once(&db, &settings.clock, settings.closed_retention_days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "deleted the personal data of closed requests"),
            Err(_) => tracing::warn!("could not apply the retention period to closed requests"),
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[cfg(test)]
mod route_tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_staff_route_missing_from_the_list_does_not_serve() {
        let app: Router = Router::new()
            .route("/staff/not-listed", get(|| async { "not listed" }))
            .route("/staff/queue", get(|| async { "listed" }))
            .route("/elsewhere", get(|| async { "not a staff page" }))
            .route_layer(axum::middleware::from_fn(listed_staff_routes_only));
        for (method, path, status) in [
            (
                Method::GET,
                "/staff/not-listed",
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (Method::GET, "/staff/queue", StatusCode::OK),
            (Method::HEAD, "/staff/queue", StatusCode::OK),
            (Method::GET, "/elsewhere", StatusCode::OK),
        ] {
            let request = Request::builder()
                .method(method.clone())
                .uri(path)
                .body(Body::empty())
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("response");
            assert_eq!(response.status(), status, "{method} {path}");
        }
    }

    #[test]
    fn every_staff_route_has_a_handler_and_is_listed_once() {
        for (i, (path, method)) in STAFF_ROUTES.iter().enumerate() {
            assert!(path.starts_with("/staff"), "{path}");
            assert!(endpoint(path, method).is_some(), "{method} {path}");
            assert!(
                !STAFF_ROUTES[..i]
                    .iter()
                    .any(|(p, m)| p == path && m == method),
                "{method} {path} twice"
            );
        }
    }
}
