//! "Report a problem with this listing" (`/services/{id}/report`): stored in `listing_report`
//! and announced to the directory team through the outbox, in the same transaction. The email
//! carries the reference, the listing's name and the kind of problem, never the visitor's words
//! (they may hold personal details; staff read them behind sign-in).

use super::pages::{form_error, render_with, render_with_status};
use super::repo;
use crate::limit::{Rule, Subject};
use crate::mail::{self, NewEmail};
use crate::state::AppState;
use app::forms::FieldError;
use app::pages::report::{problem_label, ReportFormModel, ReportSentModel, MAX_DETAILS};
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use http::StatusCode;
use std::collections::HashMap;
use std::net::SocketAddr;

/// Reports accepted from one IP address per hour.
#[derive(Clone, Copy)]
struct ReportsPerHour(u32);

pub fn routes(submissions_per_hour: u32) -> Router<AppState> {
    Router::new()
        .route("/services/{id}/report", get(form).post(submit))
        .route("/services/{id}/report/sent", get(sent))
        .layer(Extension(ReportsPerHour(submissions_per_hour)))
}

/// The service `id`, if it is listed (not archived).
pub(super) async fn listed_service(
    state: &AppState,
    id: &str,
) -> Result<Option<super::oruk::Service>, Response> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Ok(None);
    }
    match repo::get_listed_service(state.db.pool(), id).await {
        Ok(Some(s))
            if super::model::Status::parse(&s.status) != Some(super::model::Status::Archived) =>
        {
            Ok(Some(s))
        }
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::error!(error = %e, "reading the service failed");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

/// The listing's name, if `id` is a listed (not archived) service.
async fn listed(state: &AppState, id: &str) -> Result<Option<String>, Response> {
    Ok(listed_service(state, id).await?.map(|s| s.name))
}

pub(super) async fn not_found(state: &AppState, req: Request<Body>) -> Response {
    let mut response = render_with(state, (), req).await;
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

async fn form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request<Body>,
) -> Response {
    match listed(&state, &id).await {
        Ok(Some(name)) => {
            let model = ReportFormModel {
                service_id: id,
                service_name: name,
                ..ReportFormModel::default()
            };
            render_with(&state, model, req).await
        }
        Ok(None) => not_found(&state, req).await,
        Err(response) => response,
    }
}

/// The problems with what was typed.
fn check(model: &ReportFormModel) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if problem_label(&model.problem).is_none() {
        errors.push(form_error(
            "problem",
            "Select what is wrong with the listing",
        ));
    }
    if model.details.is_empty() {
        errors.push(form_error(
            "details",
            "Enter what the listing should say instead",
        ));
    } else if model.details.chars().count() > MAX_DETAILS {
        errors.push(form_error(
            "details",
            "What the listing should say must be 1,200 characters or fewer",
        ));
    }
    errors
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(limit): Extension<ReportsPerHour>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Response {
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts, Body::empty());
    let name = match listed(&state, &id).await {
        Ok(Some(name)) => name,
        Ok(None) => return not_found(&state, req).await,
        Err(response) => return response,
    };
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
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
    let mut model = ReportFormModel {
        service_id: id.clone(),
        service_name: name.clone(),
        problem: value("problem"),
        details: value("details"),
        errors: Vec::new(),
    };
    model.errors = check(&model);
    if !model.errors.is_empty() {
        // Don't echo an absurd amount of text back.
        model.details = model.details.chars().take(MAX_DETAILS * 2).collect();
        return render_with_status(&state, model, req, StatusCode::BAD_REQUEST).await;
    }
    let rule = Rule::per_hour("listing_report", limit.0);
    if !state.limits.allow(&rule, Subject::Ip(peer.ip())).await {
        model.errors.push(form_error(
            "details",
            "Too many reports have been sent from this connection. Try again in an hour, or call the Family Information Service",
        ));
        return render_with_status(&state, model, req, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let report_id = uuid::Uuid::new_v4().to_string();
    let reference = app::forms::reference("LR", rand::random());
    let settings = state.mail.settings.clone();
    let label = problem_label(&model.problem).unwrap_or("Something else");
    let email = NewEmail {
        kind: "listing_report",
        to: settings.directory.clone(),
        subject: format!("Listing problem reported: {reference}"),
        body: format!(
            "A problem has been reported with a listing in the directory.\n\n\
             Reference: {reference}\nListing: {name}\nWhat is wrong: {label}\n\n\
             Read the report in the review queue (you will need to sign in): \
             {}/staff/directory/review#report-{reference}\n\
             The listing: {}/services/{id}\n",
            state.site.public_url, state.site.public_url
        ),
    };
    let stored = async {
        let mut tx = state.db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO listing_report (id, reference, service_id, problem, details, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'new', $6)",
        )
        .bind(&report_id)
        .bind(&reference)
        .bind(&id)
        .bind(&model.problem)
        .bind(&model.details)
        .bind(state.clock.now())
        .execute(&mut *tx)
        .await?;
        mail::enqueue(&mut tx, &email, settings.message_id_domain()).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, "report: storing the report failed");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    state.mail.wake();
    crate::web::redirect::see_other(&format!("/services/{id}/report/sent?reference={reference}"))
}

/// A reference as made by [`app::forms::reference`] (`prefix`, "-" and two groups of four), or
/// nothing.
pub(super) fn valid_reference(prefix: &str, reference: &str) -> Option<String> {
    let rest = reference.strip_prefix(prefix)?.strip_prefix('-')?;
    let ok = rest.len() == 9
        && rest.chars().enumerate().all(|(i, c)| {
            if i == 4 {
                c == '-'
            } else {
                app::forms::REFERENCE_ALPHABET.contains(&(c as u8)) && c.is_ascii()
            }
        });
    ok.then(|| reference.to_owned())
}

async fn sent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    let reference = query
        .get("reference")
        .and_then(|r| valid_reference("LR", r));
    match (listed(&state, &id).await, reference) {
        (Ok(Some(name)), Some(reference)) => {
            let model = ReportSentModel {
                service_id: id,
                service_name: name,
                reference,
            };
            render_with(&state, model, req).await
        }
        (Err(response), _) => response,
        _ => not_found(&state, req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_needs_a_known_problem_and_bounded_details() {
        let model = ReportFormModel {
            problem: "<script>".into(),
            details: String::new(),
            ..ReportFormModel::default()
        };
        let fields: Vec<String> = check(&model).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["problem", "details"]);
        let model = ReportFormModel {
            problem: "times".into(),
            details: "x".repeat(MAX_DETAILS + 1),
            ..ReportFormModel::default()
        };
        assert_eq!(check(&model).len(), 1);
        let model = ReportFormModel {
            problem: "times".into(),
            details: "It now runs on Thursdays".into(),
            ..ReportFormModel::default()
        };
        assert!(check(&model).is_empty());
    }

    #[test]
    fn only_real_references_are_shown() {
        assert_eq!(
            valid_reference("LR", "LR-7K3Q-9M2P").as_deref(),
            Some("LR-7K3Q-9M2P")
        );
        assert_eq!(valid_reference("LR", "LR-<scr-ipt>"), None);
        assert_eq!(valid_reference("LR", "EH-7K3Q-9M2P"), None);
        assert_eq!(valid_reference("LR", "LR-7K3Q-9M2PX"), None);
    }
}
