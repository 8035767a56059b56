//! `/healthz` and `/readyz` on the configured database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`).

use crate::common::{backend, spawn_app};

#[tokio::test]
async fn healthz_is_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_is_ok_once_migrated() {
    let app = spawn_app().await;
    assert_eq!(app.db.backend(), backend());
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], true);
    assert_eq!(
        body["migrations"]["applied"],
        body["migrations"]["expected"]
    );
    assert!(body["migrations"]["expected"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn readyz_is_unavailable_when_a_migration_is_missing() {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(app.db.pool())
        .await
        .unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "not ready");
    assert_eq!(body["migrations"]["applied"], 0);
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let app = spawn_app().await;
    // Applying again (as `signpost migrate` would on a migrated database) changes nothing.
    app.db.migrate().await.unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
}

/// A rolling upgrade: a newer release has applied a migration this binary does not know (an
/// additive one: migrations are written expand-then-contract). This older binary still migrates
/// (it may restart mid-upgrade, or be rolled back to) and is ready.
#[tokio::test]
async fn a_newer_release_s_migration_does_not_stop_an_older_binary() {
    let app = spawn_app().await;
    sqlx::query("ALTER TABLE service ADD COLUMN newer_release_note TEXT")
        .execute(app.db.pool())
        .await
        .unwrap();
    let checksum = if backend() == signpost::db::Backend::Postgres {
        "'\\x00'::bytea"
    } else {
        "x'00'"
    };
    sqlx::query(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99991231000000, 'a newer release', TRUE, {checksum}, 0)"
    ))
    .execute(app.db.pool())
    .await
    .unwrap();
    app.db.migrate().await.unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["migrations"]["applied"],
        body["migrations"]["expected"]
    );
}

#[tokio::test]
async fn metrics_count_the_outbox_and_the_search_queue() {
    let app = spawn_app().await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain")));
    let body = response.text().await.unwrap();
    for line in [
        "signpost_outbox_emails{status=\"pending\"} 0",
        "signpost_outbox_emails{status=\"failed\"} 0",
        "signpost_outbox_emails{status=\"in_doubt\"} 0",
        "signpost_search_sync_pending 0",
        "signpost_search_rebuilds_total 1",
        "signpost_search_failed_passes_total 0",
    ] {
        assert!(body.lines().any(|l| l == line), "{line} in {body}");
    }
}
