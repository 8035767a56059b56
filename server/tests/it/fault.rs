//! Fault tests with the real `signpost` binary: the process is killed with SIGKILL after a request
//! was committed and before its emails were delivered; after a restart exactly one of each email
//! arrives. Runs on SQLite, or PostgreSQL with `TEST_DATABASE_URL`.

use crate::common::journey::Visitor;
use crate::common::smtp::{free_port, SmtpSink};
use crate::common::{fresh_database, TestApp};
use signpost::db::Db;
use sqlx::Row;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database_url: &str, smtp_port: u16, mail_dir: &std::path::Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", "../target/site")
        .env("SIGNPOST_DEMO_DATA", "false")
        .env("SIGNPOST_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
        .env("SIGNPOST_MAIL_DIR", mail_dir)
        // The first retry after about a second: the test kills the process between attempts.
        .env("SIGNPOST_MAIL_RETRY_SECS", "1")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("signpost starts");
    Server {
        child,
        address: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_ready(address: &str) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{address}/readyz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server not ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn killed_after_the_commit_and_before_delivery_each_email_arrives_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let url = database.connect_url();
    let smtp_port = free_port();
    let mail_dir = dir.path().join("mail");

    let server = start(&url, smtp_port, &mail_dir);
    wait_ready(&server.address).await;
    let db = Db::connect_with(&database, 2, Duration::from_secs(10))
        .await
        .unwrap();
    // The journey helpers drive any address; `TestApp` needs no in-process server for that.
    let app = TestApp::external(&server.address, db.clone(), database.clone());
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;
    let reference = parent.send().await;

    // Nothing listens on the SMTP port: wait until both emails have had a failed attempt and are
    // pending again (not claimed), then kill the process before the next attempt.
    let started = Instant::now();
    loop {
        let rows = sqlx::query("SELECT status, attempts FROM outbox_email")
            .fetch_all(db.pool())
            .await
            .unwrap();
        let waiting = rows.len() == 2
            && rows
                .iter()
                .all(|r| r.get::<String, _>(0) == "pending" && r.get::<i64, _>(1) >= 1);
        if waiting {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no attempt seen"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut server = server;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("killed");

    let requests = sqlx::query("SELECT COUNT(*) FROM early_help_request")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get::<i64, _>(0);
    assert_eq!(requests, 1, "the committed request survived the kill");

    let sink = SmtpSink::start_on(smtp_port).await;
    let restarted = start(&url, smtp_port, &mail_dir);
    wait_ready(&restarted.address).await;
    let mail = sink.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(mail.len(), 2);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mail = sink.received();
    assert_eq!(mail.len(), 2, "each email exactly once");
    assert!(mail.iter().all(|m| m.everything().contains(&reference)));
    let recipients: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    assert!(recipients.iter().any(|r| r.contains("early-help-hub@")));
    assert!(recipients.iter().any(|r| r.contains("alex@family.example")));
    drop(restarted);
    db.close().await;
}
