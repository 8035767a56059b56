//! The directory's pages: `GET /search` (results, [`search`]) and `GET /services/{id}` (one
//! service, [`service`]), with the filters declared once ([`filters`]), their counts
//! ([`facets`]) and how a listing reads ([`wording`]).
//!
//! These are axum handlers, not plain Leptos routes: each one parses the request, asks the search
//! engine and the database for everything the page shows, builds the page's model
//! ([`app::pages::directory`]) and only then renders the Leptos application with the model as
//! context. The search types live in this crate (the app crate cannot call them), the status
//! code (400 for a bad search, 404 for an unknown service) is known before the first byte is
//! sent, and nothing is serialised into the page for hydration: the pages have no island.

mod facets;
mod filters;
pub mod search;
pub mod service;
pub mod wording;

use crate::startup::AppState;
use app::components::FieldError;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http::StatusCode;

pub use search::{cards, MAX_FILTER_AGE, MAX_RADIUS_KM, PER_PAGE};
pub use service::service_model;
pub use wording::{ages_text, costs_text, miles, modes_text, Cost};

/// The paths these handlers serve (left out of the Leptos route list).
pub const PATHS: [&str; 2] = ["/search", "/services/{id}"];

/// The results page, its suggestions and the service page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search::search_page))
        .route("/search/suggest", get(search::suggest))
        .route("/services/{id}", get(service::service_page))
}

/// Renders the application for this request with `model` as context.
pub(super) async fn render_with<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    model: T,
    req: Request<Body>,
) -> Response {
    crate::web::render::render(&state.leptos_options, model, req).await
}

/// Renders like [`render_with`], with `status` (a page that failed keeps its own status).
pub(super) async fn render_with_status<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    model: T,
    req: Request<Body>,
    status: StatusCode,
) -> Response {
    crate::web::render::render_with_status(&state.leptos_options, model, req, status).await
}

/// A message for one field of a one-page form (the error summary links to the field's id).
pub(super) fn form_error(field: &str, message: &str) -> FieldError {
    FieldError::new(field, message)
}
