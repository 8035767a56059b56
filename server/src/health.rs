//! `/healthz` (the process is alive) and `/readyz` (the database is reachable and every
//! migration this binary knows is applied), with the outbox's counts as detail.

use crate::startup::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let readiness = state.db.readiness().await;
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
            "mail": mail,
        })),
    )
}
