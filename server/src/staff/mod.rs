//! The staff portal at `/staff`: sign-in with a password and a second factor (TOTP), sessions
//! in the database, roles, the audit log, and the triage queue over the requests for support
//! (whose case model is `crate::cases`).
//!
//! Three rooms: [`identity`] (signing in, sessions, passwords, the second factor, accounts,
//! roles and the audit log), the casework pages (queue, request page, decisions, KPIs,
//! retention, working days) and directory upkeep (the directory page, the editor, the review
//! queue, synonyms). Pages are Leptos components rendered on the server without JavaScript
//! ([`view`]). Every POST carries the session's CSRF token ([`StaffForm`]). Personal data is shown only on a request's own
//! page, and every such view is audited.

pub mod casework;
pub mod identity;
pub mod upkeep;
pub mod view;
// Working days live in the casework room; the settings reach them by this path.
pub use casework::workdays;

// The identity room's parts every other room uses, by their short names.
pub use identity::lockout::{reserve_attempt, Attempt, MAX_FAILURES};
pub use identity::{audit, password, roles, session, totp, users};
pub use identity::{field, Fields, Result, Staff, StaffError, StaffForm};

use crate::state::AppState;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Extension, Router};
use identity::{account, enrol, lockout, sign_in, user_page};
use upkeep::{directory, editor, feeds, review, synonyms};

/// The staff portal's settings (plain values, defined below the features).
pub use crate::settings::staff::{
    split_list, StaffSettings, DEFAULT_CLOSED_RETENTION_DAYS, DEFAULT_LEVELS_OF_NEED,
    DEFAULT_TARGETED_SERVICES,
};

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
    ("/staff/directory/{id}/give-back", Method::POST),
    ("/staff/directory/mapping", Method::GET),
    ("/staff/directory/mapping", Method::POST),
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
        "/staff/sign-in" if get_ => get(sign_in::sign_in_page),
        "/staff/sign-in" if post_ => post(sign_in::sign_in),
        "/staff/sign-in/code" if get_ => get(sign_in::code_page),
        "/staff/sign-in/code" if post_ => post(sign_in::code),
        "/staff/enrol" if get_ => get(enrol::enrol_page),
        "/staff/enrol" if post_ => post(enrol::enrol),
        "/staff/sign-out" if post_ => post(account::sign_out),
        "/staff/account" if get_ => get(account::account_page),
        "/staff/account/password" if get_ => get(account::password_page),
        "/staff/account/password" if post_ => post(account::change_password),
        "/staff/sign-out-everywhere" if post_ => post(account::sign_out_everywhere),
        "/staff/queue" if get_ => get(casework::queue),
        "/staff/requests/{id}" if get_ => get(casework::request_page),
        "/staff/requests/{id}/assign" if post_ => post(casework::assign),
        "/staff/requests/{id}/close" if post_ => post(casework::close),
        "/staff/requests/{id}/decision" if get_ => get(casework::decision_page),
        "/staff/requests/{id}/decision" if post_ => post(casework::decide),
        "/staff/audit" if get_ => get(audit::page),
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
        "/staff/directory/{id}/give-back" if post_ => post(feeds::give_back),
        "/staff/directory/mapping" if get_ => get(feeds::mapping_page),
        "/staff/directory/mapping" if post_ => post(feeds::map_term),
        "/staff/kpis" if get_ => get(casework::kpi::page),
        "/staff/kpis.csv" if get_ => get(casework::kpi::export),
        "/staff/users" if get_ => get(users::users_page),
        "/staff/users" if post_ => post(users::create_user),
        "/staff/users/{id}/disable" if post_ => post(users::disable),
        "/staff/users/{id}/reset-second-factor" if post_ => post(users::reset_second_factor),
        "/staff/users/{id}" if get_ => get(user_page::user_page),
        "/staff/users/{id}/role" if post_ => post(user_page::change_role),
        "/staff/users/{id}/password" if post_ => post(user_page::set_password),
        "/staff/synonyms" if get_ => get(synonyms::page),
        "/staff/synonyms" if post_ => post(synonyms::add),
        "/staff/synonyms/{id}/remove" if post_ => post(synonyms::remove),
        _ => return None,
    })
}

/// The staff routes (every one from [`STAFF_ROUTES`]).
pub fn routes(settings: &crate::config::Settings) -> Router<AppState> {
    let sign_in_limit = lockout::SignInLimit(settings.staff.sign_ins_per_ip);
    let mut router = Router::new();
    for (path, method) in STAFF_ROUTES {
        match endpoint(path, method) {
            // The same path's methods are merged by the router.
            Some(handler) => router = router.route(path, handler),
            None => tracing::error!(path, %method, "a staff route without a handler"),
        }
    }
    router
        // Keep this after every route: a `/staff` route added here instead of to STAFF_ROUTES
        // (so the role × route test never sees it) refuses to serve.
        .route_layer(axum::middleware::from_fn(listed_staff_routes_only))
        .layer(Extension(sign_in_limit))
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
