//! `/healthz` (the process is alive) and `/readyz` (the database is reachable and every
//! migration this binary knows is applied); the detail also shows the search engine, how many
//! directory changes are waiting to reach its index, and the outbox's counts.

use crate::startup::AppState;
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
