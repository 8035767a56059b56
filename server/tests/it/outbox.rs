//! The outbox and its delivery worker against a real SMTP server on loopback: retries with
//! backoff, permanent failures, the server down and then up, in-doubt emails never resent, and
//! the counts in `/readyz`.

use crate::common::journey::Visitor;
use crate::common::smtp::{free_port, Mode, SmtpSink};
use crate::common::{spawn_app_with, TestApp};
use signpost::mail::{self, MailTransport, NewEmail};
use sqlx::Row;
use std::time::Duration;

async fn app_sending_to(url: String, max_attempts: u32) -> TestApp {
    spawn_app_with(move |s| {
        s.mail.transport = MailTransport::Smtp(url);
        s.mail.poll_interval = Duration::from_millis(50);
        s.mail.retry_base = Duration::from_millis(200);
        s.mail.max_attempts = max_attempts;
        s.mail.smtp_timeout = Duration::from_secs(5);
    })
    .await
}

async fn enqueue(app: &TestApp, kind: &'static str) -> String {
    let mut conn = app.db.pool().acquire().await.unwrap();
    mail::enqueue(
        &mut conn,
        &NewEmail {
            kind,
            to: "someone@family.example".parse().unwrap(),
            subject: "A test".into(),
            body: "Hello.\n".into(),
        },
        "brackenshire.example",
    )
    .await
    .unwrap()
}

struct Row_ {
    status: String,
    attempts: i64,
    next_attempt_at: String,
    last_error: Option<String>,
}

async fn row(app: &TestApp, id: &str) -> Row_ {
    let r = sqlx::query(
        "SELECT status, attempts, next_attempt_at, last_error FROM outbox_email WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    Row_ {
        status: r.get(0),
        attempts: r.get(1),
        next_attempt_at: r.get(2),
        last_error: r.get(3),
    }
}

async fn wait_until(app: &TestApp, id: &str, done: impl Fn(&Row_) -> bool) -> Row_ {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let r = row(app, id).await;
        if done(&r) || tokio::time::Instant::now() > deadline {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn readyz_mail(app: &TestApp) -> serde_json::Value {
    let body: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    body["mail"].clone()
}

#[tokio::test]
async fn transient_failures_are_retried_with_growing_waits_then_sent_once() {
    let sink = SmtpSink::start().await;
    sink.set_mode(Mode::TryLater);
    let app = app_sending_to(sink.url(), 10).await;
    let id = enqueue(&app, "test").await;
    let first = wait_until(&app, &id, |r| r.attempts >= 1 && r.status == "pending").await;
    let second = wait_until(&app, &id, |r| r.attempts >= 2 && r.status == "pending").await;
    assert_eq!(
        first.last_error.as_deref(),
        Some("smtp transient error (4xx)")
    );
    assert!(
        second.next_attempt_at > first.next_attempt_at,
        "the next attempt moves later"
    );
    sink.set_mode(Mode::Accept);
    let sent = wait_until(&app, &id, |r| r.status == "sent").await;
    assert_eq!(sent.status, "sent");
    assert!(sent.attempts >= 3, "{} attempts", sent.attempts);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 1, "sent exactly once");
    assert_eq!(readyz_mail(&app).await["sent"], 1);
}

#[tokio::test]
async fn a_permanent_refusal_fails_at_once_and_shows_in_readyz() {
    let sink = SmtpSink::start().await;
    sink.set_mode(Mode::Refuse);
    let app = app_sending_to(sink.url(), 10).await;
    let id = enqueue(&app, "test").await;
    let failed = wait_until(&app, &id, |r| r.status == "failed").await;
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.attempts, 1);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("smtp permanent error (5xx)")
    );
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200, "mail does not decide readiness");
    assert_eq!(readyz_mail(&app).await["failed"], 1);
}

#[tokio::test]
async fn after_the_last_attempt_an_email_is_marked_failed() {
    let sink = SmtpSink::start().await;
    sink.set_mode(Mode::TryLater);
    let app = app_sending_to(sink.url(), 3).await;
    let id = enqueue(&app, "test").await;
    let failed = wait_until(&app, &id, |r| r.status == "failed").await;
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.attempts, 3);
    sink.set_mode(Mode::Accept);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(sink.received().is_empty(), "a failed email is not retried");
    assert_eq!(readyz_mail(&app).await["failed"], 1);
}

#[tokio::test]
async fn smtp_down_at_submit_then_up_delivers_each_email_exactly_once() {
    let port = free_port();
    let app = app_sending_to(format!("smtp://127.0.0.1:{port}"), 20).await;
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;
    let reference = parent.send().await;
    assert!(reference.starts_with("EH-"), "the request is accepted");
    // Nobody listening: attempts fail and are rescheduled, and nothing is marked sent.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = sqlx::query("SELECT status, attempts, last_error FROM outbox_email")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        for r in &rows {
            assert!(["pending", "sending"].contains(&r.get::<String, _>(0).as_str()));
        }
        let retried = rows.iter().all(|r| {
            r.get::<i64, _>(1) >= 2
                && r.get::<Option<String>, _>(2).as_deref() == Some("smtp connection error")
        });
        if retried {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no retries seen");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let sink = SmtpSink::start_on(port).await;
    let mail = sink.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(mail.len(), 2);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sink.received().len(), 2, "no email twice");
    let sent = sqlx::query("SELECT COUNT(*) FROM outbox_email WHERE status = 'sent'")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get::<i64, _>(0);
    assert_eq!(sent, 2);
    assert!(mail.iter().all(|m| m.everything().contains(&reference)));
}

#[tokio::test]
async fn an_email_claimed_by_a_worker_that_died_is_in_doubt_and_never_resent() {
    let sink = SmtpSink::start().await;
    let app = app_sending_to(sink.url(), 10).await;
    // As a worker leaves it when the process dies while handing the message to the server:
    // 'sending', handed over, with a lease that has run out.
    let mut conn = app.db.pool().acquire().await.unwrap();
    sqlx::query(
        "INSERT INTO outbox_email (id, message_id, kind, recipient, subject, body_text, status, \
         attempts, next_attempt_at, lease_owner, lease_until, created_at, handed_at) VALUES \
         ('x1', '<x1@brackenshire.example>', 'test', 'someone@family.example', 'S', 'B', \
         'sending', 1, '2026-01-01T00:00:00.000Z', 'dead-worker', '2026-01-01T00:00:00.000Z', \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z')",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    let r = wait_until(&app, "x1", |r| r.status == "in_doubt").await;
    assert_eq!(r.status, "in_doubt");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.received().is_empty());
    assert_eq!(readyz_mail(&app).await["in_doubt"], 1);
}

#[tokio::test]
async fn without_smtp_emails_are_written_to_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("mail");
    let target = folder.clone();
    let app = spawn_app_with(move |s| {
        s.mail.transport = MailTransport::Files(target);
        s.mail.poll_interval = Duration::from_millis(50);
    })
    .await;
    let id = enqueue(&app, "test").await;
    let r = wait_until(&app, &id, |r| r.status == "sent").await;
    assert_eq!(r.status, "sent");
    let files: Vec<_> = std::fs::read_dir(&folder).unwrap().collect();
    assert_eq!(files.len(), 1);
}

#[tokio::test]
async fn a_conversation_broken_off_after_the_message_was_sent_is_in_doubt_and_not_resent() {
    let sink = SmtpSink::start().await;
    sink.set_mode(Mode::HangUpAfterData);
    let app = app_sending_to(sink.url(), 10).await;
    let id = enqueue(&app, "test").await;
    let r = wait_until(&app, &id, |r| r.status == "in_doubt").await;
    assert_eq!(r.status, "in_doubt");
    assert_eq!(r.attempts, 1);
    assert_eq!(
        r.last_error.as_deref(),
        Some("smtp conversation broken off")
    );
    sink.set_mode(Mode::Accept);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        sink.received().len(),
        1,
        "the server got it once and never again"
    );
    assert_eq!(readyz_mail(&app).await["in_doubt"], 1);
}
