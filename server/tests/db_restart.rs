//! Fault test: PostgreSQL restarts while the server runs. Answers saved before the restart are
//! kept, the request sent after it is stored once, and every email arrives once. Needs
//! `TEST_PG_RESTART` (a command that restarts the test cluster; `scripts/with-postgres.sh` sets
//! it); otherwise it says loudly that it did not run. In its own test binary, so no other test is
//! running when the database goes away.

#[path = "it/common/mod.rs"]
mod common;

use common::journey::Visitor;
use common::smtp::{free_port, SmtpSink};
use common::{fresh_database, TestApp};
use signpost::db::Db;
use sqlx::Row;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_postgresql_restart_during_a_run_loses_no_request() {
    let restart = match std::env::var("TEST_PG_RESTART") {
        Ok(r) if !r.is_empty() && common::backend() == signpost::db::Backend::Postgres => r,
        _ => {
            common::loud_skip(
                "PostgreSQL restart: TEST_PG_RESTART is not set (scripts/with-postgres.sh sets \
                 it for its own cluster), so the database-restart fault test did not run",
            );
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let sink = SmtpSink::start().await;
    let port = free_port();
    let address = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_signpost"))
            .env("DATABASE_URL", database.connect_url())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", "../target/site")
            .env("SIGNPOST_DEMO_DATA", "false")
            .env("SIGNPOST_SEARCH_DIR", dir.path().join("search-index"))
            .env("SIGNPOST_SMTP_URL", sink.url())
            .env("SIGNPOST_MAIL_DIR", dir.path().join("mail"))
            .env("SIGNPOST_MAIL_RETRY_SECS", "1")
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("signpost starts"),
    );
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server not ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let db = Db::connect_with(&database, 2, Duration::from_secs(10))
        .await
        .unwrap();
    let app = TestApp::external(&address, db.clone(), database.clone());

    // One request sent before the restart; a second one answered (saved as a draft) before it.
    let mut first = Visitor::new(&app);
    first.parent_answers("Alexandra Testperson").await;
    let first_reference = first.send().await;
    let mut second = Visitor::new(&app);
    second.parent_answers("Bartholomew Testperson").await;
    db.close().await;

    let status = Command::new(&restart)
        .stdout(Stdio::null())
        .status()
        .expect("the restart command runs");
    assert!(status.success(), "PostgreSQL restarted");

    // The server's pool replaces its dead connections: the saved draft is there and sends.
    let second_reference = second.send().await;
    assert_ne!(first_reference, second_reference);

    let db = Db::connect_with(&database, 2, Duration::from_secs(10))
        .await
        .unwrap();
    let stored: Vec<String> =
        sqlx::query("SELECT reference FROM early_help_request ORDER BY reference")
            .fetch_all(db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
    let mut expected = vec![first_reference.clone(), second_reference.clone()];
    expected.sort();
    assert_eq!(stored, expected, "both requests stored, once each");

    // Two emails per request (triage and acknowledgement), each exactly once.
    let mail = sink.wait_for(4, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 4);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mail = sink.received();
    assert_eq!(mail.len(), 4, "no email twice");
    for reference in [&first_reference, &second_reference] {
        assert_eq!(
            mail.iter()
                .filter(|m| m.everything().contains(reference.as_str()))
                .count(),
            2,
            "two emails for {reference}"
        );
    }
    db.close().await;
}
