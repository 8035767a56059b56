//! The Open Referral UK 3.0 read API, under `/api/oruk`.
//!
//! Public: no key, `Access-Control-Allow-Origin: *`, JSON only, absent values omitted. Lists use
//! the v3 paging envelope. Bad parameters get a 400 with a JSON message naming the parameter.

use super::oruk::Page;
use super::repo::{self, Proximity, ServiceFilter};
use crate::search::{QueryText, SearchError, MAX_RESULT_WINDOW};
use crate::state::AppState;
use app::domain::{Outcode, Postcode, TimeOfDay, Weekday};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest page the API serves.
pub const MAX_PER_PAGE: u64 = 200;
pub const DEFAULT_PER_PAGE: u64 = 50;
const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(meta))
        .route("/openapi.json", get(openapi))
        .route("/services", get(services))
        .route("/services/{id}", get(service))
        .route("/taxonomies", get(taxonomies))
        .route("/taxonomies/{id}", get(taxonomy))
        .route("/taxonomy_terms", get(terms))
        .route("/taxonomy_terms/{id}", get(term))
        .route("/service_at_locations", get(service_at_locations))
        .route("/service_at_locations/{id}", get(service_at_location))
        .fallback(|| async { ApiError::NotFound })
        .layer(open_to_all_origins())
}

/// `Access-Control-Allow-Origin: *`: the directory is public data for any site to read.
fn open_to_all_origins() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    )
}

/// What can go wrong, as an HTTP answer.
#[derive(Debug)]
pub enum ApiError {
    BadParameter {
        name: String,
        reason: String,
    },
    NotFound,
    Internal,
    /// The search engine cannot answer just now.
    SearchUnavailable,
}

impl From<SearchError> for ApiError {
    fn from(error: SearchError) -> Self {
        tracing::error!(error = %error, "ORUK API search error");
        Self::SearchUnavailable
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(error = %error, "ORUK API database error");
        Self::Internal
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::BadParameter { name, reason } => (
                StatusCode::BAD_REQUEST,
                json!({ "error": "bad_parameter", "parameter": name, "message": reason }),
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                json!({ "error": "not_found", "message": "Nothing here has that id or path." }),
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": "internal", "message": "Sorry, something went wrong. Try again later." }),
            ),
            Self::SearchUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "search_unavailable", "message": "Search is not available just now. Try again in a minute." }),
            ),
        };
        (status, Json(body)).into_response()
    }
}

fn bad(name: &str, reason: impl Into<String>) -> ApiError {
    ApiError::BadParameter {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

type Params = HashMap<String, String>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn int_param(params: &Params, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
    match param(params, name) {
        None => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(bad(
                name,
                format!("must be a whole number from {min} to {max}"),
            )),
        },
    }
}

fn paging(params: &Params) -> Result<(u64, u64), ApiError> {
    let page = int_param(params, "page", 1, 1_000_000)?.unwrap_or(1) as u64;
    let per_page = int_param(params, "per_page", 1, MAX_PER_PAGE as i64)?
        .unwrap_or(DEFAULT_PER_PAGE as i64) as u64;
    Ok((page, per_page))
}

fn uuid_param(params: &Params, name: &str) -> Result<Option<String>, ApiError> {
    param(params, name)
        .map(|v| {
            uuid::Uuid::parse_str(v)
                .map(|u| u.to_string())
                .map_err(|_| bad(name, "must be a UUID"))
        })
        .transpose()
}

fn time_param(params: &Params, name: &str) -> Result<Option<String>, ApiError> {
    param(params, name)
        .map(|v| {
            TimeOfDay::parse(v)
                .map(|t| t.as_hhmm())
                .map_err(|_| bad(name, "must be a time like 09:30 or 18:00"))
        })
        .transpose()
}

/// The filters of a request; a `search` goes through the search index (typos, synonyms).
async fn filter(state: &AppState, params: &Params) -> Result<ServiceFilter, ApiError> {
    let matched = match param(params, "search") {
        None => None,
        Some(raw) => {
            let text = QueryText::parse(raw).map_err(|e| bad("search", e.to_string()))?;
            if text.is_empty() {
                None
            } else {
                Some(state.search.matching_ids(text, MAX_RESULT_WINDOW).await?)
            }
        }
    };
    let day = param(params, "day")
        .map(|d| {
            Weekday::parse(d)
                .map(|w| w.as_ical().to_owned())
                .map_err(|_| {
                    bad(
                        "day",
                        "must be an iCalendar day code: MO, TU, WE, TH, FR, SA or SU",
                    )
                })
        })
        .transpose()?;
    Ok(ServiceFilter {
        matched,
        taxonomy_term_id: uuid_param(params, "taxonomy_term_id")?,
        taxonomy_id: uuid_param(params, "taxonomy_id")?,
        minimum_age: int_param(params, "minimum_age", 0, 150)?,
        maximum_age: int_param(params, "maximum_age", 0, 150)?,
        day,
        start_time: time_param(params, "start_time")?,
        end_time: time_param(params, "end_time")?,
    })
}

/// A record as JSON, or 404.
fn found<T: Serialize>(record: Option<T>) -> Result<Response, ApiError> {
    record
        .map(|r| Json(r).into_response())
        .ok_or(ApiError::NotFound)
}

fn page<T: Serialize>(contents: Vec<T>, total: u64, page: u64, per_page: u64) -> Json<Page<T>> {
    Json(Page::new(contents, total, page, per_page))
}

async fn meta(headers: HeaderMap) -> Json<serde_json::Value> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:3000");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|s| *s == "https")
        .unwrap_or("http");
    Json(json!({
        "version": "3.0",
        "profile": "https://openreferraluk.org",
        "openapi_url": format!("{scheme}://{host}/api/oruk/openapi.json"),
    }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn services(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    let (p, per_page) = paging(&params)?;
    let filter = filter(&state, &params).await?;
    let (list, total) = repo::list_services(state.db.pool(), &filter, p, per_page).await?;
    Ok(page(list, total, p, per_page).into_response())
}

async fn service(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let pool = state.db.pool();
    let service = match repo::get_service(pool, &id).await? {
        // A listing waiting for a category is not public yet.
        Some(_) if repo::is_awaiting_mapping(pool, &id).await? => None,
        Some(mut s) => {
            // The feed's own terms beside Signpost's (both taxonomies).
            let sid = s.id.clone();
            s.attributes
                .extend(repo::foreign_attributes(pool, &sid).await?);
            Some(s)
        }
        None => None,
    };
    found(service)
}

async fn taxonomies(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    let (p, per_page) = paging(&params)?;
    let (list, total) = repo::list_taxonomies(state.db.pool(), p, per_page).await?;
    Ok(page(list, total, p, per_page).into_response())
}

async fn taxonomy(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    found(repo::get_taxonomy(state.db.pool(), &id).await?)
}

async fn terms(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    let (p, per_page) = paging(&params)?;
    let (list, total) = repo::list_terms(state.db.pool(), p, per_page).await?;
    Ok(page(list, total, p, per_page).into_response())
}

async fn term(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    found(repo::get_term(state.db.pool(), &id).await?)
}

async fn service_at_locations(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    let (p, per_page) = paging(&params)?;
    let filter = filter(&state, &params).await?;
    let within = int_param(&params, "proximity", 1, 1_000_000)?.map(|m| m as f64);
    let proximity = match param(&params, "postcode") {
        None if within.is_some() => {
            return Err(bad("proximity", "needs a postcode to measure from"))
        }
        None => None,
        Some(raw) => {
            let mut conn = state.db.pool().acquire().await?;
            // A whole postcode, or just its first half (the outward code).
            let point = match (Postcode::parse(raw), Outcode::parse(raw)) {
                (Ok(postcode), _) => repo::locate_postcode(&mut conn, &postcode).await?,
                (Err(_), Ok(outcode)) => repo::locate_outcode(&mut conn, outcode.as_str()).await?,
                (Err(_), Err(_)) => {
                    return Err(bad(
                        "postcode",
                        "must be a UK postcode, like BK1 4AB, or its first half, like BK1",
                    ))
                }
            };
            let (latitude, longitude) =
                point.ok_or_else(|| bad("postcode", "is not a postcode this directory knows"))?;
            Some(Proximity {
                latitude,
                longitude,
                within_metres: within,
            })
        }
    };
    let (list, total) =
        repo::list_service_at_locations(state.db.pool(), &filter, proximity, p, per_page).await?;
    Ok(page(list, total, p, per_page).into_response())
}

async fn service_at_location(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let pool = state.db.pool();
    let sal = match repo::get_service_at_location(pool, &id).await? {
        // The place of a listing waiting for a category is not public yet either.
        Some(sal)
            if repo::is_awaiting_mapping(pool, sal.service_id.as_deref().unwrap_or_default())
                .await? =>
        {
            None
        }
        other => other,
    };
    found(sal)
}

/// `GET /` of the API, for mounting at `/api/oruk/` too.
pub fn meta_route() -> axum::routing::MethodRouter<AppState> {
    get(meta).layer(open_to_all_origins())
}
