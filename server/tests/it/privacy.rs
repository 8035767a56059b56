//! Privacy (issue 16, items 1–6 and 14) through HTTP against a real database (SQLite, or
//! PostgreSQL with `TEST_DATABASE_URL`): retention in one place (every table of the live schema
//! has a rule, and after a journey and a retention pass nothing of it is left in any column of
//! any table), "Delete my answers", the session draft cookie, the summary's short life, no-store
//! on pages that show answers, tokens kept out of the request log, the cookie notice, and TOTP
//! secrets encrypted at rest.

use crate::carers::{adult_answers, finish, ADULT};
use crate::common::journey::Visitor;
use crate::common::smtp::SmtpSink;
use crate::common::{backend, spawn_app_with, TestApp};
use crate::staff::{add_user, csrf_in, enrol, sign_in, Browser};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use signpost::clock::Clock;
use signpost::db::Backend;
use signpost::mail::MailTransport;
use signpost::retention::{self, Kept};
use signpost::settings::RetentionSettings;
use sqlx::Row;
use std::collections::BTreeSet;
use std::time::Duration;

async fn app(clock: &Clock, sink: Option<&SmtpSink>, demo: bool) -> TestApp {
    let clock = clock.clone();
    let smtp = sink.map(SmtpSink::url);
    spawn_app_with(move |s| {
        s.staff.clock = clock;
        s.demo_data = demo;
        if let Some(url) = smtp {
            s.mail.transport = MailTransport::Smtp(url);
            s.mail.poll_interval = Duration::from_millis(100);
        }
    })
    .await
}

/// The application's tables in the live schema.
async fn live_tables(app: &TestApp) -> BTreeSet<String> {
    let sql = match backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        }
    };
    sqlx::query(sql)
        .fetch_all(app.db.pool())
        .await
        .expect("tables")
        .iter()
        .map(|r| r.try_get::<String, _>(0).expect("name"))
        .filter(|t| !retention::NOT_OURS.contains(&t.as_str()))
        .collect()
}

/// The text columns of `table` in the live schema.
async fn text_columns(app: &TestApp, table: &str) -> Vec<String> {
    let sql = match backend() {
        Backend::Sqlite => "SELECT name FROM pragma_table_info($1) WHERE upper(type) = 'TEXT'",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 \
             AND data_type IN ('text', 'character varying')"
        }
    };
    sqlx::query(sql)
        .bind(table)
        .fetch_all(app.db.pool())
        .await
        .expect("columns")
        .iter()
        .map(|r| r.try_get::<String, _>(0).expect("name"))
        .collect()
}

/// Where `needle` appears: every `table.column` of the live schema whose text holds it.
async fn found_in(app: &TestApp, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for table in live_tables(app).await {
        for column in text_columns(app, &table).await {
            let n: i64 = sqlx::query(&format!(
                "SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" LIKE $1"
            ))
            .bind(format!("%{needle}%"))
            .fetch_one(app.db.pool())
            .await
            .expect("search")
            .try_get(0)
            .expect("count");
            if n > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.db.pool())
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("n")
}

#[tokio::test]
async fn every_table_in_the_live_schema_has_a_retention_rule_or_holds_no_personal_data() {
    let app = app(&Clock::system(), None, false).await;
    let live = live_tables(&app).await;
    assert!(live.len() > 30, "the schema was read: {live:?}");
    let unclassified: Vec<&String> = live
        .iter()
        .filter(|t| retention::table(t).is_none())
        .collect();
    assert!(
        unclassified.is_empty(),
        "tables without a retention rule or a 'no personal data' entry in \
         server/src/retention/mod.rs (TABLES): {unclassified:?}"
    );
    let stale: Vec<&str> = retention::TABLES
        .iter()
        .map(|t| t.name)
        .filter(|t| !live.contains(*t))
        .collect();
    assert!(
        stale.is_empty(),
        "TABLES names tables that do not exist: {stale:?}"
    );
    // Every table with a rule is in the README's table (made from the same list).
    let table = retention::readme_table(&RetentionSettings::default());
    for t in retention::TABLES {
        if let Kept::Rule(_) = t.kept {
            assert!(table.contains(&format!("| `{}` |", t.name)), "{}", t.name);
        }
    }
}

/// The resume link's token in the save-and-return email.
fn token_after(body: &str, marker: &str) -> String {
    let start = body.find(marker).expect("a link") + marker.len();
    body[start..start + 64].to_owned()
}

#[tokio::test]
async fn after_a_carers_journey_and_a_retention_pass_nothing_of_it_is_left_in_any_table() {
    let clock = Clock::system();
    let sink = SmtpSink::start().await;
    let app = app(&clock, Some(&sink), false).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    let draft_cookie = carer
        .cookie
        .clone()
        .expect("a draft cookie")
        .split_once('=')
        .map(|(_, v)| v.to_owned())
        .expect("its token");
    // Save and come back later: an email with the resume token.
    let reply = carer
        .post(
            &format!("{ADULT}/save"),
            &[("email", "resume-me@carer.example")],
        )
        .await;
    assert_eq!(reply.status, 303);
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    let resume_token = token_after(&mail[0].body(), &format!("{ADULT}/resume/"));
    let (_, reference) = finish(&mut carer, ADULT, "CA").await;
    // Their own copy of the summary: answers, NHS number, to the address in their answers.
    let reply = carer
        .post(
            &format!("{ADULT}/summary/email"),
            &[("email", "carer@family.example")],
        )
        .await;
    assert_eq!(reply.status, 303);
    // And a request for early help, whose acknowledgement carries the status link's token.
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;
    parent.send().await;
    let mail = sink.wait_for(4, Duration::from_secs(10)).await;
    let copy = mail
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("carer@family.example")))
        .expect("the carer's copy");
    assert!(
        copy.body().contains("943 476 5919"),
        "the copy has the NHS number"
    );
    let ack = mail
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("alex@family.example")))
        .expect("the acknowledgement");
    let status_token = token_after(&ack.body(), "/request-support/status/");

    let needles = [
        "resume-me@carer.example".to_owned(),
        "carer@family.example".to_owned(),
        "Morwenna".to_owned(),
        "Pendragon-Smith".to_owned(),
        "Gwendolyn".to_owned(),
        "943 476 5919".to_owned(),
        "This is the summary you asked us to send you".to_owned(),
        "Use this link to come back to your answers".to_owned(),
        resume_token.clone(),
        signpost::web::token::hash(&resume_token),
        draft_cookie.clone(),
        signpost::web::token::hash(&draft_cookie),
        status_token.clone(),
        "You can see where your request is up to here".to_owned(),
    ];
    // The search finds what is there: the finished draft still holds the answers.
    assert_eq!(found_in(&app, "Gwendolyn").await, ["form_draft.answers"]);
    assert!(!found_in(&app, &signpost::web::token::hash(&draft_cookie))
        .await
        .is_empty());

    // The summary's hour is over, and the outbox's days; one retention pass.
    clock.advance(Duration::from_secs(31 * 86_400));
    let settings = RetentionSettings::default();
    for (job, result) in retention::run_once(&app.db, &clock, &settings).await {
        result.unwrap_or_else(|e| panic!("{job:?}: {e}"));
    }
    for needle in &needles {
        let found = found_in(&app, needle).await;
        assert!(found.is_empty(), "{needle:?} is still in {found:?}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM self_assessment_outcome").await,
        1,
        "the figures keep the finished form (no answers)"
    );
    // The outbox's rows (which kept only the reference) are gone after its days too.
    assert_eq!(found_in(&app, &reference).await, Vec::<String>::new());
    app.stop().await;
}

#[tokio::test]
async fn a_sent_email_loses_its_address_and_text_at_once_and_keeps_its_reference() {
    let clock = Clock::system();
    let sink = SmtpSink::start().await;
    let app = app(&clock, Some(&sink), false).await;
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;
    let reference = parent.send().await;
    sink.wait_for(2, Duration::from_secs(10)).await;
    // The worker records "sent" after the server accepted it.
    let mut sent = 0;
    for _ in 0..50 {
        sent = count(
            &app,
            "SELECT COUNT(*) FROM outbox_email WHERE status = 'sent'",
        )
        .await;
        if sent == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sent, 2);
    let rows =
        sqlx::query("SELECT recipient, subject, body_text, reference, kind FROM outbox_email")
            .fetch_all(app.db.pool())
            .await
            .expect("rows");
    for row in rows {
        for column in 0..3 {
            assert_eq!(row.try_get::<String, _>(column).expect("text"), "");
        }
        assert_eq!(
            row.try_get::<Option<String>, _>(3).expect("reference"),
            Some(reference.clone())
        );
    }
    app.stop().await;
}

/// The `Set-Cookie` header of a response, as text.
fn set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut request = app
        .client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.expect("POST")
}

#[tokio::test]
async fn the_draft_cookie_lasts_the_session_unless_they_save_and_come_back_later() {
    let app = app(&Clock::system(), None, false).await;
    let first = post_form(&app, "/request-support/who", None, &[("who", "parent")]).await;
    assert_eq!(first.status(), 303);
    let cookie = set_cookie(&first).expect("a draft cookie");
    assert!(cookie.starts_with("signpost_draft="), "{cookie}");
    assert!(!cookie.contains("Max-Age"), "a session cookie: {cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/request-support"));
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let saved = post_form(
        &app,
        "/request-support/save",
        Some(&pair),
        &[("email", "later@family.example")],
    )
    .await;
    assert_eq!(saved.status(), 303);
    let kept = set_cookie(&saved).expect("the cookie again, kept longer");
    assert_eq!(
        kept.split(';').next(),
        Some(pair.as_str()),
        "the same token"
    );
    assert!(
        kept.contains("Max-Age=2592000"),
        "30 days once saved: {kept}"
    );
    app.stop().await;
}

#[tokio::test]
async fn delete_my_answers_deletes_the_draft_clears_the_cookie_and_the_summary_is_gone() {
    let clock = Clock::system();
    let app = app(&clock, None, false).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    let (summary, _) = finish(&mut carer, ADULT, "CA").await;
    assert!(summary.contains(&format!("action=\"{ADULT}/delete-answers\"")));
    assert!(summary.contains("Delete my answers"));
    let old_cookie = carer.cookie.clone().expect("cookie");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 1);

    let reply = post_form(
        &app,
        &format!("{ADULT}/delete-answers"),
        Some(&old_cookie),
        &[],
    )
    .await;
    assert_eq!(reply.status(), 303);
    assert_eq!(
        reply
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some(format!("{ADULT}/answers-deleted").as_str())
    );
    let cleared = set_cookie(&reply).expect("the cookie is removed");
    assert!(cleared.starts_with("signpost_draft=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0") && cleared.contains(&format!("Path={ADULT}")));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM form_draft").await,
        0,
        "the row is gone"
    );
    let page = carer.get(&format!("{ADULT}/answers-deleted")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Your answers have been deleted"));
    // The summary and its print view are gone, even for a browser that kept the old cookie.
    carer.cookie = Some(old_cookie);
    for path in [format!("{ADULT}/summary"), format!("{ADULT}/summary/print")] {
        let gone = carer.get(&path).await;
        assert_eq!(gone.status, 404, "{path}");
        assert!(!gone.body.contains("Gwendolyn"));
    }

    // Every page of a form offers it, and it works half-way through.
    let mut parent = Visitor::new(&app);
    parent
        .answer("/request-support/who", &[("who", "parent")])
        .await;
    for path in [
        "/request-support/your-details",
        "/request-support/tasks",
        "/request-support/save",
    ] {
        let page = parent.get(path).await;
        assert!(
            page.body
                .contains("action=\"/request-support/delete-answers\""),
            "{path} offers Delete my answers"
        );
    }
    let reply = parent.post("/request-support/delete-answers", &[]).await;
    assert_eq!(reply.status, 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_finished_summary_is_readable_for_a_short_time_only() {
    let clock = Clock::system();
    let app = app(&clock, None, false).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    let (summary, _) = finish(&mut carer, ADULT, "CA").await;
    assert!(summary.contains("for 60 minutes"), "the page says how long");
    clock.advance(Duration::from_secs(59 * 60));
    assert_eq!(carer.get(&format!("{ADULT}/summary")).await.status, 200);
    clock.advance(Duration::from_secs(2 * 60));
    let gone = carer.get(&format!("{ADULT}/summary")).await;
    assert_eq!(gone.status, 404);
    assert!(!gone.body.contains("Gwendolyn"));
    let deleted = signpost::forms::drafts::purge_expired(app.db.pool(), &clock)
        .await
        .expect("purge");
    assert_eq!(deleted, 1, "and the answers are deleted");
    app.stop().await;
}

#[tokio::test]
async fn pages_that_show_answers_are_never_stored_by_the_browser() {
    let clock = Clock::system();
    let app = app(&clock, None, true).await;
    let no_store = |r: &reqwest::Response, what: &str| {
        assert_eq!(
            r.headers().get(CACHE_CONTROL).and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{what}"
        );
    };
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    let check = app
        .client
        .get(app.url(&format!("{ADULT}/check-answers")))
        .header(COOKIE, carer.cookie.clone().expect("cookie"))
        .send()
        .await
        .expect("GET");
    assert_eq!(check.status(), 200);
    no_store(&check, "check your answers");
    finish(&mut carer, ADULT, "CA").await;
    let cookie = carer.cookie.clone().expect("cookie");
    for path in [format!("{ADULT}/summary"), format!("{ADULT}/summary/print")] {
        let r = app
            .client
            .get(app.url(&path))
            .header(COOKIE, &cookie)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 200, "{path}");
        no_store(&r, &path);
    }
    let r = post_form(
        &app,
        &format!("{ADULT}/summary/email"),
        Some(&cookie),
        &[("email", "nope")],
    )
    .await;
    assert_eq!(r.status(), 422);
    no_store(&r, "the summary re-shown with an error");

    let first = post_form(&app, "/request-support/who", None, &[("who", "parent")]).await;
    let pair = set_cookie(&first)
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    for path in [
        "/request-support/who",
        "/request-support/your-details",
        "/request-support/tasks",
        "/request-support/save",
    ] {
        let r = app
            .client
            .get(app.url(path))
            .header(COOKIE, &pair)
            .send()
            .await
            .expect("GET");
        no_store(&r, path);
    }
    let r = post_form(
        &app,
        "/request-support/your-details",
        Some(&pair),
        &[("your_name", "")],
    )
    .await;
    assert_eq!(r.status(), 422);
    no_store(&r, "a question re-shown with errors");

    let service: String = sqlx::query("SELECT id FROM service WHERE status = 'active' LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("a service")
        .try_get(0)
        .expect("id");
    for path in [
        format!("/services/{service}/report"),
        format!("/services/{service}/suggest-change"),
        "/shortlist/email".to_owned(),
        "/shortlist/send".to_owned(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        no_store(&r, &path);
    }
    let r = post_form(
        &app,
        &format!("/services/{service}/report"),
        None,
        &[("problem", "")],
    )
    .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    no_store(&r, "report a problem re-shown");
    app.stop().await;
}

/// A writer the test's log subscriber writes into.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary from the first call on (a global subscriber: the server's
/// tasks log on whichever thread runs them, and a subscriber set for one thread can miss them).
/// Tests look for their own unique values in it.
fn log_capture() -> Captured {
    static LOG: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other test sets a global subscriber");
        captured
    })
    .clone()
}

#[tokio::test]
async fn the_request_log_never_holds_a_status_or_resume_token() {
    let captured = log_capture();
    let sink = SmtpSink::start().await;
    let app = app(&Clock::system(), Some(&sink), false).await;
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;
    parent.send().await;
    let mail = sink.wait_for(2, Duration::from_secs(10)).await;
    let ack = mail
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("alex@family.example")))
        .expect("the acknowledgement");
    let token = token_after(&ack.body(), "/request-support/status/");
    let page = Visitor::new(&app)
        .get(&format!("/request-support/status/{token}"))
        .await;
    assert_eq!(page.status, 200);
    let resume = Visitor::new(&app)
        .get(&format!("/request-support/resume/{token}"))
        .await;
    assert_eq!(resume.status, 404);
    let log = String::from_utf8_lossy(&captured.0.lock().expect("log")).into_owned();
    assert!(
        log.contains("/request-support/status/[token]"),
        "the visit is logged"
    );
    assert!(log.contains("/request-support/resume/[token]"));
    assert!(!log.contains(&token), "the token is in the log");
    assert!(
        !log.contains(&token[..16]),
        "part of the token is in the log"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_cookie_notice_names_exactly_the_cookies_the_server_sets() {
    let app = app(&Clock::system(), None, false).await;
    let page = app.get("/cookies").await.text().await.expect("page");
    let marker = "<th scope=\"row\" class=\"govuk-table__header\">";
    let named: BTreeSet<String> = page
        .split(marker)
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect();
    let set: BTreeSet<String> = [
        signpost::forms::COOKIE_NAME,
        signpost::directory::shortlist::COOKIE_NAME,
        signpost::staff::session::COOKIE,
        signpost::staff::session::LOGIN_COOKIE,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(named, set);
    app.stop().await;
}

#[tokio::test]
async fn totp_secrets_are_encrypted_at_rest_and_clear_ones_are_encrypted_at_start() {
    let clock = Clock::system();
    let key = signpost::settings::staff::TotpKey::parse(&"5a".repeat(32)).expect("key");
    let app = {
        let clock = clock.clone();
        let key = key.clone();
        spawn_app_with(move |s| {
            s.staff.clock = clock;
            s.staff.totp_key = Some(key);
        })
        .await
    };
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "hub@brackenshire.example").await;
    let stored: String = sqlx::query("SELECT totp_secret FROM staff_user WHERE email = $1")
        .bind("hub@brackenshire.example")
        .fetch_one(app.db.pool())
        .await
        .expect("row")
        .try_get(0)
        .expect("secret");
    assert!(stored.starts_with("enc1:"), "{stored}");
    assert!(!stored.contains(&secret));
    assert!(
        found_in(&app, &secret).await.is_empty(),
        "the clear secret is nowhere"
    );
    // Signing in with the app still works.
    let mut again = Browser::new(&app);
    let page = sign_in(&mut again, &clock, "hub@brackenshire.example", &secret).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = again.get("/staff/queue").await;
    assert_eq!(page.status, 200);
    assert!(!csrf_in(&page.body).is_empty());

    // A secret stored in clear before the key was set is encrypted at the next start, and
    // still signs in.
    add_user(&app, "carers@brackenshire.example", "carers").await;
    let clear = signpost::staff::totp::new_secret();
    sqlx::query("UPDATE staff_user SET totp_secret = $1 WHERE email = $2")
        .bind(&clear)
        .bind("carers@brackenshire.example")
        .execute(app.db.pool())
        .await
        .expect("update");
    let sealed = signpost::staff::totp::seal_stored(app.db.pool(), &key)
        .await
        .expect("seal");
    assert_eq!(sealed, 1);
    assert!(found_in(&app, &clear).await.is_empty());
    let mut carers = Browser::new(&app);
    let page = sign_in(&mut carers, &clock, "carers@brackenshire.example", &clear).await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.stop().await;
}

/// Each rule of `crate::retention` deletes what it says, and keeps the rest.
#[tokio::test]
async fn each_retention_rule_deletes_what_it_says_and_nothing_else() {
    let clock = Clock::system();
    let app = app(&clock, None, false).await;
    let pool = app.db.pool();
    let at = |days_ago: i64| Clock::system_at(clock.unix() - days_ago * 86_400);
    let exec = |sql: String| {
        let pool = pool.clone();
        async move { sqlx::query(&sql).execute(&pool).await.expect(&sql) }
    };
    // Reports and suggestions: handled long ago, handled lately, not handled.
    for (id, status, resolved) in [
        ("r-old", "resolved", Some(at(200))),
        ("r-new", "resolved", Some(at(10))),
        ("r-open", "new", None),
    ] {
        exec(format!(
            "INSERT INTO listing_report (id, reference, service_id, problem, details, status, \
             created_at, resolved_at) VALUES ('{id}', 'LR-{id}', 's', 'p', 'my name is Tamsin', \
             '{status}', '{}', {})",
            at(300),
            resolved
                .as_ref()
                .map(|r| format!("'{r}'"))
                .unwrap_or("NULL".into())
        ))
        .await;
        exec(format!(
            "INSERT INTO suggested_change (id, reference, service_id, proposed, suggester_name, \
             suggester_organisation, suggester_email, status, created_at, decided_at) VALUES \
             ('{id}', 'SC-{id}', 's', '{{}}', 'Tamsin', 'Org', 't@org.example', '{}', '{}', {})",
            if status == "new" { "new" } else { "rejected" },
            at(300),
            resolved.map(|r| format!("'{r}'")).unwrap_or("NULL".into())
        ))
        .await;
    }
    // The audit log: an old failed sign-in with a typed address and an IP, a recent one, and
    // one older than the log's own period.
    for (id, days, actor) in [
        ("a-old", 100, "NULL"),
        ("a-new", 5, "NULL"),
        ("a-ancient", 2200, "NULL"),
    ] {
        exec(format!(
            "INSERT INTO audit_event (id, at, actor_id, actor_email, action, ip) VALUES \
             ('{id}', '{}', {actor}, 'typed@home.example', 'sign_in_failed', '203.0.113.9')",
            at(days)
        ))
        .await;
    }
    // Searches, a sign-in failure, a used and an unused recovery code.
    exec(format!(
        "INSERT INTO search_event (id, searched_at, query, filters, result_count) VALUES \
         ('s-old', '{}', 'q', '', 0), ('s-new', '{}', 'q', '', 0)",
        at(800),
        at(1)
    ))
    .await;
    exec(
        "INSERT INTO staff_login_throttle (email, failures, locked_until) VALUES \
          ('typed@home.example', 2, 0)"
            .into(),
    )
    .await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let user: String = sqlx::query("SELECT id FROM staff_user")
        .fetch_one(pool)
        .await
        .expect("user")
        .try_get(0)
        .expect("id");
    exec(format!(
        "INSERT INTO staff_recovery_code (user_id, code_hash, used_at) VALUES \
         ('{user}', 'used', '{}'), ('{user}', 'unused', NULL)",
        at(1)
    ))
    .await;
    // A request decided "needs more information" 100 days ago, which nobody can close.
    let mut parent = Visitor::new(&app);
    parent.parent_answers("Alexandra Testperson").await;
    let reference = parent.send().await;
    exec(format!(
        "UPDATE triage_case SET status = 'decided', outcome = 'more_info', decided_at = '{}' \
         WHERE reference = '{reference}'",
        at(100)
    ))
    .await;

    let settings = RetentionSettings::default();
    for (job, result) in retention::run_once(&app.db, &clock, &settings).await {
        result.unwrap_or_else(|e| panic!("{job:?}: {e}"));
    }
    let ids = |table: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(&format!("SELECT id FROM {table} ORDER BY id"))
                .fetch_all(&pool)
                .await
                .expect("ids")
                .iter()
                .map(|r| r.try_get::<String, _>(0).expect("id"))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("listing_report").await, ["r-new", "r-open"]);
    assert_eq!(ids("suggested_change").await, ["r-new", "r-open"]);
    assert_eq!(ids("search_event").await, ["s-new"]);
    assert_eq!(
        ids("audit_event")
            .await
            .iter()
            .filter(|i| i.starts_with("a-"))
            .count(),
        2
    );
    let old = sqlx::query("SELECT ip, actor_email FROM audit_event WHERE id = 'a-old'")
        .fetch_one(pool)
        .await
        .expect("row");
    assert_eq!(old.try_get::<Option<String>, _>(0).expect("ip"), None);
    assert_eq!(old.try_get::<Option<String>, _>(1).expect("email"), None);
    let new = sqlx::query("SELECT ip, actor_email FROM audit_event WHERE id = 'a-new'")
        .fetch_one(pool)
        .await
        .expect("row");
    assert!(new.try_get::<Option<String>, _>(0).expect("ip").is_some());
    assert!(new
        .try_get::<Option<String>, _>(1)
        .expect("email")
        .is_some());
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM staff_recovery_code WHERE code_hash = 'used'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM staff_recovery_code").await,
        1
    );
    // The request waiting for information is closed (and purged after the closed period).
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM triage_case WHERE reference = '{reference}' \
                 AND status = 'closed' AND closed_at IS NOT NULL"
            )
        )
        .await,
        1
    );
    // A failed sign-in's typed address: kept a day (a pass stamps it), then forgotten.
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM staff_login_throttle").await,
        1
    );
    clock.advance(Duration::from_secs(86_400 + 60));
    retention::run_once(&app.db, &clock, &settings).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM staff_login_throttle").await,
        0
    );
    // The closed period later, the request's answers go too.
    clock.advance(Duration::from_secs(
        u64::from(settings.closed_days) * 86_400,
    ));
    retention::run_once(&app.db, &clock, &settings).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM early_help_request").await,
        0
    );
    app.stop().await;
}
