//! `/healthz` (the process is alive) and `/readyz` (the database is reachable and every
//! migration this binary knows is applied); the detail also shows the search engine, how many
//! directory changes are waiting to reach its index, and the outbox's counts.

use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let readiness = state.db.readiness().await;
    let queue = crate::search::sync::queue_state(state.db.pool()).await.ok();
    // Email delivery does not decide readiness (requests are stored and delivered later), but
    // its state is shown: failed and in-doubt emails need a person.
    let mail = crate::mail::counts(&state.db).await.ok();
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if readiness.is_ready() { "ready" } else { "not ready" },
            "database": readiness.database,
            "migrations": {
                "applied": readiness.migrations_applied,
                "expected": readiness.migrations_expected,
            },
            "search": {
                "engine": state.search.engine().as_str(),
                "pending_changes": queue.map(|q| q.pending),
                "retrying_changes": queue.map(|q| q.retrying),
            },
            "mail": mail,
        })),
    )
}

/// `GET /metrics`: Prometheus text format. Gauges of the email outbox by status and of the search
/// sync queue, read from the database at each scrape (so every process reports the same).
pub async fn metrics(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mail = crate::mail::counts(&state.db).await;
    let queue = crate::search::sync::queue_state(state.db.pool()).await;
    let (Ok(mail), Ok(queue)) = (mail, queue) else {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
    };
    let mut out = String::new();
    out.push_str(
        "# HELP signpost_outbox_emails Emails in the outbox by status.\n\
         # TYPE signpost_outbox_emails gauge\n",
    );
    for (status, n) in [
        ("pending", mail.pending),
        ("sending", mail.sending),
        ("sent", mail.sent),
        ("failed", mail.failed),
        ("in_doubt", mail.in_doubt),
    ] {
        out.push_str(&format!(
            "signpost_outbox_emails{{status=\"{status}\"}} {n}\n"
        ));
    }
    out.push_str(&format!(
        "# HELP signpost_search_sync_pending Directory changes waiting to reach the search index.\n\
         # TYPE signpost_search_sync_pending gauge\n\
         signpost_search_sync_pending {}\n\
         # HELP signpost_search_sync_retrying Queued changes that failed at least once.\n\
         # TYPE signpost_search_sync_retrying gauge\n\
         signpost_search_sync_retrying {}\n",
        queue.pending, queue.retrying
    ));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
