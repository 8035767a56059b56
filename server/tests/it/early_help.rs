//! The request for support through HTTP against the real database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`) and a real SMTP server on loopback.

use crate::common::journey::{error_lines, reference_in, Visitor, SECRETS};
use crate::common::smtp::SmtpSink;
use crate::common::{spawn_app_with, TestApp};
use signpost::mail::MailTransport;
use sqlx::Row;
use std::time::Duration;

async fn app_with_smtp(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(move |s| {
        s.mail.transport = MailTransport::Smtp(url);
        s.mail.poll_interval = Duration::from_millis(100);
        s.mail.retry_base = Duration::from_millis(200);
        // The production default, so a 100 KB answer reaches the form's own check.
        s.max_body_bytes = 256 * 1024;
    })
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

#[tokio::test]
async fn a_parents_request_is_stored_with_two_emails_and_the_triage_email_has_no_personal_data() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;

    let check = parent.get("/request-support/check-answers").await;
    assert_eq!(check.status, 200);
    for shown in [
        "Alexandra Testperson",
        "Zephyrine",
        "14 March 2019",
        "BK1 4AB",
        "01632 960 001",
    ] {
        assert!(check.body.contains(shown), "check answers shows {shown}");
    }
    assert!(check
        .body
        .contains("/request-support/your-details?change=1"));

    let reference = parent.send().await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM early_help_request").await,
        1
    );
    let row = sqlx::query(
        "SELECT requester_type, outcode, urgency_flags FROM early_help_request WHERE reference = $1",
    )
    .bind(&reference)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>(0), "parent");
    assert_eq!(row.get::<String, _>(1), "BK1");
    assert!(row.get::<String, _>(2).contains("Domestic abuse"));

    let mail = sink.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 2, "the triage email and the acknowledgement");
    let triage = mail
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("early-help-hub@")))
        .expect("triage email");
    let ack = mail
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("alex@family.example")))
        .expect("acknowledgement");
    let triage_text = triage.everything();
    assert!(triage_text.contains(&reference));
    assert!(triage.body().contains("Area: BK1"));
    assert!(triage.body().contains("Parent or carer"));
    // Flagged, but the shared mailbox is not told which flags (issue 16, item 6).
    assert!(triage
        .body()
        .contains("Urgency flags: [flagged: see the request]"));
    assert!(!triage.everything().contains("Domestic abuse"));
    assert!(triage.body().contains("/staff/requests/"));
    for secret in SECRETS {
        assert!(
            !triage_text.contains(secret),
            "the triage email contains {secret:?}"
        );
    }
    let ack_text = ack.body();
    assert!(ack_text.contains(&reference));
    assert!(ack_text.contains("1 working day"));
    assert!(ack_text.contains("999"));
    assert!(!ack.everything().contains("Zephyrine"));
    assert!(!ack.everything().contains("XYZZY"));
    // The Message-ID is the outbox row's, stable across attempts.
    let ids: Vec<String> = sqlx::query("SELECT message_id FROM outbox_email ORDER BY message_id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    let mut sent: Vec<String> = mail.iter().filter_map(|m| m.header("Message-ID")).collect();
    sent.sort();
    assert_eq!(ids, sent);
}

#[tokio::test]
async fn a_practitioners_request_without_agreement_is_flagged_and_acknowledged_at_work() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut practitioner = Visitor::new(&app);
    practitioner.practitioner_answers().await;
    let reference = practitioner.send().await;
    let mail = sink.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 2);
    let triage = mail
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("early-help-hub@")))
        .unwrap();
    assert!(triage.body().contains("Practitioner"));
    assert!(triage.body().contains("[flagged: see the request]"));
    assert!(!triage
        .everything()
        .contains("Made without the family's agreement"));
    assert!(triage.body().contains("Area: BK2"));
    assert!(triage.everything().contains(&reference));
    for secret in SECRETS {
        assert!(!triage.everything().contains(secret), "{secret:?}");
    }
    assert!(mail
        .iter()
        .any(|m| m.to.iter().any(|t| t.contains("dsl@millbrook.example"))));
}

#[tokio::test]
async fn sending_twice_or_at_once_creates_one_request() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;
    // A double click: two POSTs at the same moment with the same cookie.
    let mut a = Visitor::new(&app);
    a.cookie = parent.cookie.clone();
    let mut b = Visitor::new(&app);
    b.cookie = parent.cookie.clone();
    let (ra, rb) = tokio::join!(
        a.post("/request-support/check-answers", &[]),
        b.post("/request-support/check-answers", &[])
    );
    assert_eq!((ra.status, rb.status), (303, 303));
    // A refresh (replay) of the final POST later.
    let again = parent.post("/request-support/check-answers", &[]).await;
    assert_eq!(again.status, 303);
    assert_eq!(
        again.location.as_deref(),
        Some("/request-support/confirmation")
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM early_help_request").await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox_email").await, 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.wait_for(2, Duration::from_secs(10)).await.len(), 2);
    // The answers no longer sit in the draft once sent.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM form_draft WHERE answers <> '{}'"
        )
        .await,
        0
    );
    // A new answer after sending starts a new draft, not a change to the sent one.
    let next = parent
        .answer("/request-support/who", &[("who", "parent")])
        .await;
    assert_eq!(next, "/request-support/your-details");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 2);
}

#[tokio::test]
async fn every_required_field_has_its_message_linked_to_the_field() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut v = Visitor::new(&app);
    let reply = v.post("/request-support/who", &[]).await;
    assert_eq!(reply.status, 422);
    assert!(reply
        .body
        .contains("<title>Error: Who is filling in this form?"));
    assert!(reply
        .body
        .contains(r##"<a href="#who">Select who is filling in this form</a>"##));
    assert!(reply.body.contains("govuk-error-summary"));
    assert!(reply.body.contains("novalidate"));
    assert!(!reply.body.contains(" required"));
    v.answer("/request-support/who", &[("who", "practitioner")])
        .await;
    let reply = v
        .post(
            "/request-support/practitioner-details",
            &[
                ("practitioner_name", ""),
                ("practitioner_email", "not an email"),
                ("practitioner_phone", "999"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422);
    for (field, message) in [
        ("practitioner_name", "Enter your full name"),
        ("practitioner_role", "Enter your job title or role"),
        (
            "practitioner_organisation",
            "Enter the organisation you work for",
        ),
        (
            "practitioner_email",
            "Enter an email address in the correct format",
        ),
        ("practitioner_phone", "Enter a telephone number"),
    ] {
        assert!(
            reply
                .body
                .contains(&format!(r##"<a href="#{field}">{message}"##)),
            "{field}: {}",
            error_lines(&reply.body)
        );
    }
    // The answers as typed are kept.
    assert!(reply.body.contains(r#"value="not an email""#));
    let reply = v
        .post(
            "/request-support/children/1",
            &[
                ("child_dob-day", "31"),
                ("child_dob-month", "2"),
                ("child_dob-year", "2019"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply
        .body
        .contains(r##"<a href="#child_dob-day">Date of birth or due date must be a real date"##));
    assert!(
        reply
            .body
            .contains(r##"<a href="#child_first_name">Enter the child&#x27;s first name"##)
            || reply
                .body
                .contains(r##"<a href="#child_first_name">Enter the child's first name"##)
    );
}

#[tokio::test]
async fn html_is_stored_as_text_and_shown_escaped() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut parent = Visitor::new(&app);
    parent
        .parent_answers("<script>alert('x')</script><b>Bold</b>")
        .await;
    let check = parent.get("/request-support/check-answers").await;
    assert!(!check.body.contains("<script>alert"));
    assert!(!check.body.contains("<b>Bold</b>"));
    assert!(check.body.contains("&lt;script&gt;"));
    parent.send().await;
    let stored: String = sqlx::query("SELECT answers FROM early_help_request")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get(0);
    assert!(stored.contains("<script>alert('x')</script><b>Bold</b>"));
}

#[tokio::test]
async fn wrong_methods_and_content_types_are_refused() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let r = app
            .client
            .request(method.clone(), app.url("/request-support/who"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method}");
    }
    let r = app
        .client
        .post(app.url("/request-support/who"))
        .header("content-type", "application/json")
        .body(r#"{"who":"parent"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let r = app
        .client
        .post(app.url("/request-support/staying-safe-online"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let r = app.get("/request-support/no-such-page").await;
    assert_eq!(r.status(), 404);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 0);
}

#[tokio::test]
async fn long_answers_get_a_clear_message_and_huge_bodies_are_refused() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut v = Visitor::new(&app);
    v.answer("/request-support/who", &[("who", "parent")]).await;
    let long = "a".repeat(5_001);
    let reply = v
        .post("/request-support/worries", &[("worries", &long)])
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply
        .body
        .contains("What you are worried about must be 5,000 characters or fewer"));
    let huge = "a".repeat(100 * 1024);
    let reply = v
        .post("/request-support/worries", &[("worries", &huge)])
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply
        .body
        .contains("What you are worried about must be 5,000 characters or fewer"));
    assert!(
        reply.body.len() < 60_000,
        "the 100 KB answer is not echoed back"
    );
    let too_big = format!("worries={}", "a".repeat(300 * 1024));
    let reply = v.post_raw("/request-support/worries", too_big).await;
    assert_eq!(reply.status, 413);
}

#[tokio::test]
async fn the_hidden_field_and_the_rate_limit_stop_automated_sending() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(move |s| {
        s.mail.transport = MailTransport::Smtp(url);
        s.site.submissions_per_hour = 1;
    })
    .await;
    let mut bot = Visitor::new(&app);
    bot.parent_answers("Alexandra Testperson").await;
    let reply = bot
        .post(
            "/request-support/check-answers",
            &[("website", "http://spam.example")],
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("could not be sent"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM early_help_request").await,
        0
    );

    let mut first = Visitor::new(&app);
    first.parent_answers("Alexandra Testperson").await;
    first.send().await;
    let mut second = Visitor::new(&app);
    second.parent_answers("Alexandra Testperson").await;
    let reply = second.post("/request-support/check-answers", &[]).await;
    assert_eq!(reply.status, 429);
    assert!(reply.body.contains("Too many requests"));
    assert!(reply.body.contains("Your answers are saved"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM early_help_request").await,
        1
    );
}

#[tokio::test]
async fn drafts_survive_going_back_and_lists_can_be_changed() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut v = Visitor::new(&app);
    v.parent_answers("Alexandra Testperson").await;
    // Back to an earlier page: the answer is there.
    let page = v.get("/request-support/your-details").await;
    assert!(page.body.contains(r#"value="Alexandra Testperson""#));
    // Add a second child from check answers, then remove it.
    let next = v
        .answer(
            "/request-support/children/2?change=1",
            &[
                ("child_first_name", "Bea"),
                ("child_last_name", "Quartermaine"),
                ("child_dob-day", "1"),
                ("child_dob-month", "1"),
                ("child_dob-year", "2021"),
            ],
        )
        .await;
    assert_eq!(next, "/request-support/children?change=1");
    let list = v.get("/request-support/children").await;
    assert!(list.body.contains("You have added 2 children"));
    let next = v.answer("/request-support/children/2/remove", &[]).await;
    assert_eq!(next, "/request-support/children");
    let list = v.get("/request-support/children").await;
    assert!(list.body.contains("You have added 1 child"));
    // Change who is filling it in from the check page: new questions first, then back to check.
    let next = v
        .answer("/request-support/who?change=1", &[("who", "practitioner")])
        .await;
    assert_eq!(next, "/request-support/practitioner-details?change=1");
    let check = v.get("/request-support/check-answers").await;
    assert_eq!(check.status, 303, "incomplete: back to the task list");
}

#[tokio::test]
async fn a_resume_link_is_emailed_and_works_once() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut v = Visitor::new(&app);
    v.answer("/request-support/who", &[("who", "parent")]).await;
    let reply = v.post("/request-support/save", &[("email", "nope")]).await;
    assert_eq!(reply.status, 422);
    let next = v
        .answer("/request-support/save", &[("email", "alex@family.example")])
        .await;
    assert_eq!(next, "/request-support/saved");
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 1);
    let body = mail[0].body();
    let link = body
        .lines()
        .find(|l| l.contains("/request-support/resume/"))
        .expect("a link")
        .trim()
        .to_owned();
    let path = &link[link.find("/request-support").unwrap()..];
    // Only the token's hash is stored.
    let token = path.rsplit('/').next().unwrap();
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM form_draft WHERE resume_token_hash = '{token}'")
        )
        .await,
        0
    );
    let mut other_device = Visitor::new(&app);
    let reply = other_device.get(path).await;
    assert_eq!(reply.status, 303);
    assert!(other_device.cookie.is_some());
    let page = other_device.get("/request-support/who").await;
    assert!(page.body.contains(r#"value="parent" checked"#));
    let again = Visitor::new(&app).get(path).await;
    assert_eq!(again.status, 404);
    assert!(again.body.contains("expired or has already been used"));
    assert!(reference_in(&body).is_none());
}

#[tokio::test]
async fn expired_drafts_are_deleted_and_cannot_be_resumed() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut v = Visitor::new(&app);
    v.answer("/request-support/who", &[("who", "parent")]).await;
    let mut fresh = Visitor::new(&app);
    fresh
        .answer("/request-support/who", &[("who", "practitioner")])
        .await;
    // The first draft's 30 days are over.
    sqlx::query(
        "UPDATE form_draft SET expires_at = '2020-01-01T00:00:00.000Z' \
         WHERE answers LIKE '%\"parent\"%'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let page = v.get("/request-support/who").await;
    assert!(
        !page.body.contains("checked"),
        "an expired draft is not shown"
    );
    let deleted =
        signpost::forms::drafts::purge_expired(app.db.pool(), &signpost::clock::Clock::system())
            .await
            .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 1);
    let page = fresh.get("/request-support/who").await;
    assert!(page.body.contains("checked"), "the live draft is kept");
}
