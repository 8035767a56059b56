//! The directory: Open Referral UK data, its validation, storage, import/export, the demo county,
//! the ORUK API and the public pages that find and show services.
//!
//! [`routes`] is everything the directory serves; `startup` only mounts it.
pub mod api;
pub mod cache;
pub mod demo;
pub mod edit;
pub mod feeds;
pub mod import;
pub mod landing;
pub mod mapping;
pub mod model;
pub mod oruk;
pub mod pages;
pub mod postcodes;
pub mod repo;
pub mod report;
pub mod retention;
pub mod search_log;
pub mod shortlist;
pub mod suggest;

use crate::state::AppState;
use axum::Router;

/// The paths the directory's own handlers render with the Leptos application (left out of the
/// Leptos route list, which would otherwise serve them without their data).
pub const HANDLED_PATHS: [&str; 2] = pages::PATHS;

/// Every route of the directory: the ORUK API, the results and service pages, the shortlist,
/// "report a problem", "suggest a change" and the carers' landing pages. `public_url` is the
/// service's address (for links in the shortlist's emails); the public forms accept
/// `submissions_per_hour` from one address.
pub fn routes(public_url: &str, submissions_per_hour: u32) -> Router<AppState> {
    Router::new()
        .nest("/api/oruk", api::routes())
        // `/api/oruk/` as well as `/api/oruk`: clients join the base URL and `/`.
        .route("/api/oruk/", api::meta_route())
        .merge(pages::routes())
        // The public forms and what they re-show (typed addresses, notes, a visitor's words):
        // never kept in a browser's cache.
        .merge(
            Router::new()
                .merge(shortlist::routes(public_url, submissions_per_hour))
                .merge(report::routes(submissions_per_hour))
                .merge(suggest::routes(submissions_per_hour))
                .layer(no_store()),
        )
        .merge(landing::routes())
}

/// `Cache-Control: no-store` on every response of the routes it wraps.
fn no_store() -> tower_http::set_header::SetResponseHeaderLayer<axum::http::HeaderValue> {
    tower_http::set_header::SetResponseHeaderLayer::overriding(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    )
}
