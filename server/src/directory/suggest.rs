//! "Suggest a change to this listing" (`/services/{id}/suggest-change`), for providers: the
//! listing's wording, filled in, changed where it is wrong. What changed is stored in
//! `suggested_change` for the directory team's review queue (`/staff/directory/review`, which
//! shows it as a diff and opens it in the editor) and the team is emailed through the outbox in
//! the same transaction: the reference, the listing's name and a link, never the suggester's
//! details or words. Rate-limited per connection like "report a problem".

use super::edit::ListingForm;
use super::pages::{form_error, render_with, render_with_status};
use super::report::{listed_service, not_found, valid_reference};
use crate::limit::{Rule, Subject};
use crate::mail::{self, NewEmail};
use crate::state::AppState;
use app::pages::suggest::{check, SuggestFormModel, SuggestSentModel, FIELDS};
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use http::StatusCode;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

/// Suggestions accepted from one IP address per hour (a type of its own, so it is not confused
/// with the report's).
#[derive(Clone, Copy)]
struct SuggestLimit(u32);

pub fn routes(submissions_per_hour: u32) -> Router<AppState> {
    let limiter = SuggestLimit(submissions_per_hour);
    Router::new()
        .route("/services/{id}/suggest-change", get(form).post(submit))
        .route("/services/{id}/suggest-change/sent", get(sent))
        .layer(Extension(limiter))
}

/// The listing's values, by the form's field names ("times" is the provider's own words, so
/// it starts empty).
fn current_values(service: &super::oruk::Service) -> Vec<(String, String)> {
    let listing = ListingForm::from_service(service);
    FIELDS
        .iter()
        .map(|(name, _, _)| {
            (
                (*name).to_owned(),
                listing.text(name).unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request<Body>,
) -> Response {
    match listed_service(&state, &id).await {
        Ok(Some(service)) => {
            let current = current_values(&service);
            let model = SuggestFormModel {
                service_id: id,
                service_name: service.name,
                values: current.clone(),
                current,
                ..SuggestFormModel::default()
            };
            render_with(&state, model, req).await
        }
        Ok(None) => not_found(&state, req).await,
        Err(response) => response,
    }
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(limiter): Extension<SuggestLimit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Response {
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts, Body::empty());
    let service = match listed_service(&state, &id).await {
        Ok(Some(service)) => service,
        Ok(None) => return not_found(&state, req).await,
        Err(response) => return response,
    };
    let Ok(bytes) = axum::body::to_bytes(body, 128 * 1024).await else {
        return (
            StatusCode::BAD_REQUEST,
            "The form could not be read. Go back and try again.",
        )
            .into_response();
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut model = SuggestFormModel {
        service_id: id.clone(),
        service_name: service.name.clone(),
        current: current_values(&service),
        values: FIELDS
            .iter()
            .map(|(name, _, _)| ((*name).to_owned(), value(name)))
            .collect(),
        suggester_name: value("suggester_name"),
        suggester_organisation: value("suggester_organisation"),
        suggester_email: value("suggester_email"),
        errors: Vec::new(),
    };
    model.errors = check(&model);
    if !model.errors.is_empty() {
        // Don't echo an absurd amount of text back.
        for (_, v) in &mut model.values {
            *v = v.chars().take(20_000).collect();
        }
        return render_with_status(&state, model, req, StatusCode::BAD_REQUEST).await;
    }
    let rule = Rule::per_hour("suggested_change", limiter.0);
    if !state.limits.allow(&rule, Subject::Ip(peer.ip())).await {
        model.errors.push(form_error(
            "name",
            "Too many changes have been sent from this connection. Try again in an hour, or call the Family Information Service",
        ));
        return render_with_status(&state, model, req, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let changes: BTreeMap<String, String> = model.changes().into_iter().collect();
    let proposed = match serde_json::to_string(&changes) {
        Ok(p) => p,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let suggestion_id = uuid::Uuid::new_v4().to_string();
    let reference = app::forms::reference("SC", rand::random());
    let settings = state.mail.settings.clone();
    let email = NewEmail {
        kind: "suggested_change",
        to: settings.directory.clone(),
        subject: format!("Change suggested to a listing: {reference}"),
        body: format!(
            "A provider has suggested a change to a listing in the directory.\n\n\
             Reference: {reference}\nListing: {name}\n\n\
             See the change in the review queue (you will need to sign in): \
             {url}/staff/directory/review#suggestion-{reference}\n\
             The listing: {url}/services/{id}\n",
            name = service.name,
            url = state.site.public_url,
        ),
    };
    let stored = async {
        let mut tx = state.db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO suggested_change (id, reference, service_id, proposed, suggester_name, \
             suggester_organisation, suggester_email, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8)",
        )
        .bind(&suggestion_id)
        .bind(&reference)
        .bind(&id)
        .bind(&proposed)
        .bind(&model.suggester_name)
        .bind(&model.suggester_organisation)
        .bind(&model.suggester_email)
        .bind(state.clock.now())
        .execute(&mut *tx)
        .await?;
        mail::enqueue(&mut tx, &email, settings.message_id_domain()).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, "suggest a change: storing it failed");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    state.mail.wake();
    crate::web::redirect::see_other(&format!(
        "/services/{id}/suggest-change/sent?reference={reference}"
    ))
}

async fn sent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    let reference = query
        .get("reference")
        .and_then(|r| valid_reference("SC", r));
    match (listed_service(&state, &id).await, reference) {
        (Ok(Some(service)), Some(reference)) => {
            let model = SuggestSentModel {
                service_id: id,
                service_name: service.name,
                reference,
            };
            render_with(&state, model, req).await
        }
        (Err(response), _) => response,
        _ => not_found(&state, req).await,
    }
}
