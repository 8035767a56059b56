//! `/healthz` (the process is alive) and `/readyz` (the database is reachable and every
//! migration this binary knows is applied); the detail also shows the search engine, where this
//! server's index stands in the directory's change feed, and the outbox's counts. `/metrics`
//! adds the leases and who holds them.

use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let readiness = state.db.readiness().await;
    let follower = state.search.feed().snapshot();
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
                "pending_changes": follower.lag,
                "follower": follower,
            },
            "mail": mail,
        })),
    )
}

/// `GET /metrics`: Prometheus text format. Gauges of the email outbox by status and the leases
/// (read from the database at each scrape, so every server reports the same), and this server's
/// search follower: its cursor in the change feed, the feed's head, the lag between them and how
/// long since it was last caught up (each server reports its own: scrape every server).
pub async fn metrics(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mail = crate::mail::counts(&state.db).await;
    let leases = crate::lease::holders(&state.db, &state.clock).await;
    let (Ok(mail), Ok(leases)) = (mail, leases) else {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
    };
    let follower = state.search.feed().snapshot();
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
        "# HELP signpost_search_sync_pending Directory changes not yet in this server's search index.\n\
         # TYPE signpost_search_sync_pending gauge\n\
         signpost_search_sync_pending {lag}\n\
         # HELP signpost_search_feed_head The directory change feed's last change number.\n\
         # TYPE signpost_search_feed_head gauge\n\
         signpost_search_feed_head {head}\n\
         # HELP signpost_search_cursor The last change this server's search index took in.\n\
         # TYPE signpost_search_cursor gauge\n\
         signpost_search_cursor {cursor}\n\
         # HELP signpost_search_seconds_since_caught_up Seconds since this server's index last reached the feed's head.\n\
         # TYPE signpost_search_seconds_since_caught_up gauge\n\
         signpost_search_seconds_since_caught_up {since}\n\
         # HELP signpost_search_rebuilds_total Full rebuilds of this server's index since it started.\n\
         # TYPE signpost_search_rebuilds_total counter\n\
         signpost_search_rebuilds_total {rebuilds}\n\
         # HELP signpost_search_failed_passes_total Follower passes that could not reach the index.\n\
         # TYPE signpost_search_failed_passes_total counter\n\
         signpost_search_failed_passes_total {failed}\n",
        lag = follower.lag,
        head = follower.head,
        cursor = follower.cursor.unwrap_or(-1),
        since = follower.seconds_since_caught_up.unwrap_or(-1.0),
        rebuilds = follower.rebuilds,
        failed = follower.failed_passes,
    ));
    out.push_str(
        "# HELP signpost_lease_live Leases by job and holder (1: held, 0: ran out).\n\
         # TYPE signpost_lease_live gauge\n",
    );
    for lease in leases {
        out.push_str(&format!(
            "signpost_lease_live{{name=\"{}\",holder=\"{}\"}} {}\n",
            prometheus_label(&lease.name),
            prometheus_label(&lease.holder),
            u8::from(lease.live)
        ));
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// A label value with `\`, `"` and new lines escaped (Prometheus text format).
fn prometheus_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
