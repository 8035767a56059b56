//! Rendering the Leptos application (the site's shell, layout and router) for one request, with a
//! page's model in the context: the app's router (or its fallback) finds the model and renders the
//! page. Handlers build the model from the database and the search engine first, so the status
//! is known before the first byte is sent.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;

/// Renders the application for `req` with `model` as context.
pub async fn render<T: Clone + Send + Sync + 'static>(
    options: &LeptosOptions,
    model: T,
    req: Request<Body>,
) -> Response {
    let options = options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || provide_context(model.clone()),
        move || app::shell(options.clone()),
    );
    handler(req).await.into_response()
}

/// Renders like [`render`], with `status` when the rendering itself succeeded (a page that
/// failed keeps its own status).
pub async fn render_with_status<T: Clone + Send + Sync + 'static>(
    options: &LeptosOptions,
    model: T,
    req: Request<Body>,
    status: StatusCode,
) -> Response {
    let mut response = render(options, model, req).await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// Renders the page for `uri`'s path (no query, no headers) with `model` as context, answered
/// with `status` whatever the router thought of the path (pages the router does not list).
pub async fn render_at<T: Clone + Send + Sync + 'static>(
    options: &LeptosOptions,
    uri: &Uri,
    status: StatusCode,
    model: T,
) -> Response {
    let request = Request::builder()
        .uri(uri.path())
        .body(Body::empty())
        .unwrap_or_default();
    let mut response = render(options, model, request).await;
    *response.status_mut() = status;
    response
}

/// `response` with `Cache-Control: no-store`: for every page that shows what someone typed
/// (forms, their error re-shows, answers, summaries, print views), so a shared device's browser
/// cache never keeps it.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
