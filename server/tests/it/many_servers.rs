//! Two servers on one database (issue #17), on SQLite and PostgreSQL: an edit through one is
//! found by search on the other once its follower has run; a server started later catches up
//! from its cursor without a rebuild; a pruned feed makes a lagging server rebuild; two mail
//! workers on one outbox never send an email twice, and a dead worker's claimed email is taken
//! back when its claim runs out; leases go to one server at a time; a request for support and a
//! staff session work when every request goes to the other server.

use crate::common::journey::Visitor;
use crate::common::smtp::SmtpSink;
use crate::common::{search_engine_name, spawn_app_on, spawn_second, TestApp};
use crate::directory_editing::{editor, form_values, one, post_values, set};
use crate::staff::app_with;
use serde_json::Value;
use signpost::clock::Clock;
use signpost::config::SearchSettings;
use signpost::directory::{demo, import};
use signpost::mail::{self, MailTransport, NewEmail};
use signpost::search::sync;
use sqlx::Row;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long the scale-out test allows for an edit to reach search on every server.
const WITHIN: Duration = Duration::from_secs(3);

async fn search_has(app: &TestApp, q: &str, id: &str) -> bool {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let body = app
        .get(&format!("/search?q={q}"))
        .await
        .text()
        .await
        .expect("body");
    body.contains(&format!("/services/{id}"))
}

/// Polls search on `app` until it finds `id` for `q`; returns how long that took.
async fn found_within(app: &TestApp, q: &str, id: &str, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if search_has(app, q, id).await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn follower(app: &TestApp) -> Value {
    let ready: Value = app.get("/readyz").await.json().await.expect("json");
    ready["search"]["follower"].clone()
}

/// A second server on `first`'s database, sharing its clock, optionally on a given index folder
/// (embedded engine); with Meilisearch, on the same shared index.
async fn second(first: &TestApp, clock: &Clock, index: Option<&Path>) -> TestApp {
    let clock = clock.clone();
    let index = index.map(Path::to_path_buf);
    spawn_second(first, move |s| {
        s.staff.clock = clock;
        if let (Some(dir), SearchSettings::Embedded { .. }) = (index, &s.search) {
            s.search = SearchSettings::Embedded { dir };
        }
    })
    .await
}

/// Renames a demo service through the ordinary import (as a feed or the CLI would).
async fn rename(app: &TestApp, key: &str, name: &str) -> String {
    let id = demo::id("service", key).to_string();
    let services = import::export_services(&app.db).await.unwrap();
    let mut service = serde_json::to_value(services.iter().find(|s| s.id == id).unwrap()).unwrap();
    service["name"] = Value::String(name.to_owned());
    import::import_services(&app.db, &[service]).await.unwrap();
    id
}

#[tokio::test]
async fn an_edit_through_one_server_is_found_by_search_on_the_other() {
    let clock = Clock::system();
    let a = app_with(&clock, None, true).await;
    let b = second(&a, &clock, None).await;
    // The editor signs in on A; the session and its CSRF tokens work on B too.
    let mut browser = editor(&a, &clock).await;
    let id = one(
        &a,
        "SELECT id FROM service WHERE status = 'active' ORDER BY name LIMIT 1",
    )
    .await;
    let path = format!("/staff/directory/services/{id}/edit");
    browser.switch_to(&b);
    let form = browser.get(&path).await;
    assert_eq!(form.status, 200, "B knows A's session");
    let mut values = form_values(&form.body, &path);
    set(&mut values, "name", "Zanzibarwick Toddler Group");
    set(&mut values, "action", "save");
    // The form (and its CSRF token) came from B; it is sent to A.
    browser.switch_to(&a);
    let saved = post_values(&mut browser, &path, &values).await;
    assert_eq!(saved.status, 303, "A takes B's form: {}", saved.body);
    for (name, server) in [("B", &b), ("A", &a)] {
        let took = found_within(server, "zanzibarwick", &id, WITHIN).await;
        assert!(
            took.is_some(),
            "search on {name} finds the edit within {WITHIN:?}"
        );
    }
    for server in [&a, &b] {
        let f = follower(server).await;
        assert_eq!(f["lag"], 0, "{f}");
        assert_eq!(f["cursor"], f["head"], "{f}");
    }
    let metrics = b.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("signpost_search_cursor "), "{metrics}");
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn a_server_started_later_catches_up_from_its_cursor() {
    if search_engine_name() != "embedded" {
        crate::common::loud_skip(
            "a server's own index catching up: embedded engine only (Meilisearch is one shared \
             index)",
        );
        return;
    }
    let clock = Clock::system();
    let a = app_with(&clock, None, true).await;
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let b = second(&a, &clock, Some(&index)).await;
    assert_eq!(follower(&b).await["rebuilds"], 1, "a new index is built");
    b.stop().await;
    // B is down: three changes.
    let ids = [
        rename(&a, "focus-adhd-helpline", "Quillhampton ADHD helpline").await,
        rename(
            &a,
            "spectrum-autism-family-group-brackenfield",
            "Quillhampton autism group",
        )
        .await,
        rename(&a, "focus-adhd-helpline", "Quillhampton ADHD line").await,
    ];
    let b = second(&a, &clock, Some(&index)).await;
    // At start-up it took in what it missed, from its cursor, without a rebuild: searchable at
    // once.
    let f = follower(&b).await;
    assert_eq!(f["rebuilds"], 0, "no rebuild: {f}");
    assert_eq!(f["lag"], 0, "{f}");
    assert!(f["changes_applied"].as_u64().unwrap() >= 2, "{f}");
    assert!(search_has(&b, "quillhampton", &ids[0]).await);
    assert!(search_has(&b, "quillhampton", &ids[1]).await);
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn a_pruned_feed_makes_a_lagging_server_rebuild() {
    if search_engine_name() != "embedded" {
        crate::common::loud_skip("a lagging server's own index: embedded engine only");
        return;
    }
    let clock = Clock::system();
    let a = app_with(&clock, None, true).await;
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let b = second(&a, &clock, Some(&index)).await;
    b.stop().await;
    let id = rename(&a, "focus-adhd-helpline", "Plumtreeford ADHD helpline").await;
    // Everything in the feed is older than its retention (as after a week).
    let deleted = sync::prune_before(&a.db, "9999-01-01T00:00:00Z")
        .await
        .unwrap();
    assert!(deleted > 0);
    let head = sync::head(a.db.pool()).await.unwrap();
    assert_eq!(head.pruned_through, head.last_seq);
    let b = second(&a, &clock, Some(&index)).await;
    let f = follower(&b).await;
    assert_eq!(
        f["rebuilds"], 1,
        "its cursor is older than the feed: rebuilt: {f}"
    );
    assert!(search_has(&b, "plumtreeford", &id).await);

    // A follower that falls behind the pruned feed while running rebuilds too.
    let search = signpost::startup::open_search(&SearchSettings::Embedded {
        dir: dir.path().join("lagging"),
    })
    .unwrap();
    sync::prepare(&a.db, &search).await.unwrap();
    let other = rename(&a, "focus-adhd-helpline", "Ravensmoor ADHD helpline").await;
    sync::prune_before(&a.db, "9999-01-01T00:00:00Z")
        .await
        .unwrap();
    let pass = sync::run_once(&a.db, &search).await.unwrap();
    assert!(pass.rebuilt);
    assert!(search.feed().snapshot().cursor >= Some(head.last_seq));
    // B must rebuild its whole index first: the 3 s of an ordinary change do not apply (and the
    // suite runs tests side by side on two cores).
    let found = found_within(&b, "ravensmoor", &other, Duration::from_secs(30)).await;
    assert!(found.is_some(), "the running server B follows too");
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn synonyms_changed_on_one_server_reach_the_other() {
    let clock = Clock::system();
    let a = app_with(&clock, None, true).await;
    let b = second(&a, &clock, None).await;
    let id = rename(&a, "focus-adhd-helpline", "Wobbleton ADHD helpline").await;
    assert!(found_within(&b, "wobbleton", &id, WITHIN).await.is_some());
    assert!(!search_has(&b, "fizzgig", &id).await);
    let mut conn = a.db.pool().acquire().await.unwrap();
    signpost::search::synonyms::add(&mut conn, "fizzgig, wobbleton")
        .await
        .unwrap();
    drop(conn);
    assert!(
        found_within(&b, "fizzgig", &id, WITHIN).await.is_some(),
        "B applies the new synonym from the feed"
    );
    b.stop().await;
    a.stop().await;
}

async fn mail_app(first: Option<&TestApp>, sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    let adjust = move |s: &mut signpost::config::Settings| {
        s.mail.transport = MailTransport::Smtp(url);
        s.mail.poll_interval = Duration::from_millis(20);
        s.mail.retry_base = Duration::from_millis(200);
        s.mail.smtp_timeout = Duration::from_secs(5);
    };
    match first {
        None => crate::common::spawn_app_with(adjust).await,
        Some(first) => spawn_app_on(&first.database, adjust).await,
    }
}

async fn outbox_statuses(app: &TestApp) -> Vec<String> {
    sqlx::query("SELECT status FROM outbox_email ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn two_mail_workers_on_one_outbox_never_send_an_email_twice() {
    let sink = SmtpSink::start().await;
    let a = mail_app(None, &sink).await;
    let b = mail_app(Some(&a), &sink).await;
    const EMAILS: usize = 40;
    for n in 0..EMAILS {
        let mut conn = a.db.pool().acquire().await.unwrap();
        mail::enqueue(
            &mut conn,
            &NewEmail {
                kind: "test",
                to: "someone@family.example".parse().unwrap(),
                subject: format!("Email {n}"),
                body: "Hello.\n".into(),
            },
            "brackenshire.example",
        )
        .await
        .unwrap();
    }
    let received = sink.wait_for(EMAILS, Duration::from_secs(30)).await;
    assert_eq!(received.len(), EMAILS);
    // Both workers poll every 20 ms: give a duplicate time to arrive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = sink.received();
    let mut ids: Vec<String> = received
        .iter()
        .map(|m| m.header("Message-ID").expect("a Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(received.len(), EMAILS, "no email twice");
    assert_eq!(ids.len(), EMAILS);
    assert!(outbox_statuses(&a).await.iter().all(|s| s == "sent"));
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn a_dead_workers_claimed_email_is_retaken_when_its_claim_runs_out() {
    let sink = SmtpSink::start().await;
    let a = mail_app(None, &sink).await;
    let b = mail_app(Some(&a), &sink).await;
    let far =
        signpost::clock::timestamp_millis(std::time::SystemTime::now() + Duration::from_secs(3600));
    // 'gone': claimed by a worker that died before handing it over, its claim run out.
    // 'live': claimed by a live worker on a third server, its claim still good.
    for (id, until) in [("gone", "2026-01-01T00:00:00.000Z"), ("live", far.as_str())] {
        sqlx::query(
            "INSERT INTO outbox_email (id, message_id, kind, recipient, subject, body_text, \
             status, attempts, next_attempt_at, lease_owner, lease_until, created_at) VALUES \
             ($1, $2, 'test', 'someone@family.example', 'S', 'B', 'sending', 1, \
             '2026-01-01T00:00:00.000Z', 'another-server', $3, '2026-01-01T00:00:00Z')",
        )
        .bind(id)
        .bind(format!("<{id}@brackenshire.example>"))
        .bind(until)
        .execute(a.db.pool())
        .await
        .unwrap();
    }
    let received = sink.wait_for(1, Duration::from_secs(30)).await;
    let rows: Vec<(String, String, Option<String>, Option<String>)> =
        sqlx::query("SELECT id, status, lease_until, last_error FROM outbox_email ORDER BY id")
            .fetch_all(a.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
    assert_eq!(received.len(), 1, "{rows:?}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = sink.received();
    assert_eq!(
        received.len(),
        1,
        "sent once, by one of the two live workers"
    );
    assert_eq!(
        received[0].header("Message-ID").as_deref(),
        Some("<gone@brackenshire.example>")
    );
    let status = |id: &'static str| {
        let pool = a.db.pool().clone();
        async move {
            sqlx::query("SELECT status FROM outbox_email WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
                .get::<String, _>(0)
        }
    };
    assert_eq!(status("gone").await, "sent");
    assert_eq!(
        status("live").await,
        "sending",
        "a live claim is left alone"
    );
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn a_lease_goes_to_one_server_at_a_time_and_passes_on_when_it_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::common::demo_database(dir.path()).await;
    let clock = Clock::system();
    let ttl = Duration::from_secs(30);
    use signpost::lease;
    assert!(lease::try_acquire(&db, &clock, "job", "one", ttl)
        .await
        .unwrap());
    assert!(!lease::try_acquire(&db, &clock, "job", "two", ttl)
        .await
        .unwrap());
    assert!(
        lease::try_acquire(&db, &clock, "job", "one", ttl)
            .await
            .unwrap(),
        "the holder renews"
    );
    // Server one dies: nobody renews; after the lease's life, two takes it.
    clock.advance(Duration::from_secs(31));
    assert!(lease::try_acquire(&db, &clock, "job", "two", ttl)
        .await
        .unwrap());
    assert!(!lease::try_acquire(&db, &clock, "job", "one", ttl)
        .await
        .unwrap());
    let holders = lease::holders(&db, &clock).await.unwrap();
    assert_eq!(holders.len(), 1);
    assert_eq!(holders[0].holder, "two");
    assert!(holders[0].live);
    // Asked for at the same moment by many: exactly one gets it.
    let mut tasks = Vec::new();
    for n in 0..8 {
        let db = db.clone();
        let clock = clock.clone();
        tasks.push(tokio::spawn(async move {
            lease::try_acquire(&db, &clock, "race", &format!("s{n}"), ttl)
                .await
                .unwrap()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        winners += usize::from(t.await.unwrap());
    }
    assert_eq!(winners, 1);
    db.close().await;
}

#[tokio::test]
async fn a_request_for_support_alternating_between_two_servers_completes() {
    let clock = Clock::system();
    let a = app_with(&clock, None, false).await;
    let b = second(&a, &clock, None).await;
    let mut visitor = Visitor::new(&a);
    visitor.alternate = Some(&b);
    visitor.parent_answers("Alexandra Testperson").await;
    let reference = visitor.send().await;
    assert!(reference.starts_with("EH-"));
    let requests: i64 = sqlx::query("SELECT COUNT(*) FROM early_help_request")
        .fetch_one(a.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(requests, 1);
    let triage: i64 =
        sqlx::query("SELECT COUNT(*) FROM outbox_email WHERE kind = 'early_help_triage'")
            .fetch_one(a.db.pool())
            .await
            .unwrap()
            .get(0);
    assert_eq!(triage, 1, "one triage email");
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn an_organisation_renamed_reaches_every_one_of_its_services_on_the_other_server() {
    let clock = Clock::system();
    let a = app_with(&clock, None, true).await;
    let b = second(&a, &clock, None).await;
    // An organisation with more than one service.
    let organisation = one(
        &a,
        "SELECT organization_id FROM service GROUP BY organization_id HAVING COUNT(*) > 1 \
         ORDER BY organization_id LIMIT 1",
    )
    .await;
    let ids: Vec<String> = sqlx::query(
        "SELECT id FROM service WHERE organization_id = $1 AND status <> 'archived' ORDER BY id",
    )
    .bind(&organisation)
    .fetch_all(a.db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    // One of its services imported again with the organisation's new name.
    let services = import::export_services(&a.db).await.unwrap();
    let mut service =
        serde_json::to_value(services.iter().find(|s| s.id == ids[0]).unwrap()).unwrap();
    service["organization"]["name"] = Value::String("Xylophoria Trust".into());
    import::import_services(&a.db, &[service]).await.unwrap();
    for id in &ids {
        assert!(
            found_within(&b, "xylophoria", id, WITHIN).await.is_some(),
            "{id} is found by its organisation's new name"
        );
    }
    b.stop().await;
    a.stop().await;
}
