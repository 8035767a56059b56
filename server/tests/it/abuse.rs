//! Abuse of the public forms and of slow connections, over HTTP against a real database
//! (SQLite, or PostgreSQL with `TEST_DATABASE_URL`): the limits in the database holding across
//! two servers on one database, IPv6 keyed by /64, cross-site posts refused, the email forms no
//! relay (limits per draft and address, only the carer's own address, no header injection, no
//! links from strangers), draft creation limited, and a client that stalls in its headers
//! disconnected.

use crate::common::journey::Visitor;
use crate::common::smtp::SmtpSink;
use crate::common::{spawn_app_with, spawn_second, TestApp};
use reqwest::header::{CONTENT_TYPE, ORIGIN, SET_COOKIE};
use signpost::clock::Clock;
use signpost::directory::demo;
use signpost::mail::MailTransport;
use sqlx::Row;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.db.pool())
        .await
        .expect("count")
        .try_get::<i64, _>(0)
        .expect("a number")
}

fn report_path() -> String {
    let id = demo::id("service", "spectrum-autism-family-group-brackenfield");
    format!("/services/{id}/report")
}

async fn report(app: &TestApp) -> u16 {
    Visitor::new(app)
        .post(
            &report_path(),
            &[("problem", "times"), ("details", "It moved to Thursdays.")],
        )
        .await
        .status
}

#[tokio::test]
async fn the_public_form_limit_holds_across_two_servers_on_one_database() {
    let clock = Clock::system();
    let c = clock.clone();
    let a = spawn_app_with(move |s| {
        s.demo_data = true;
        s.staff.clock = c;
    })
    .await;
    let c = clock.clone();
    let b = spawn_second(&a, move |s| s.staff.clock = c).await;
    // Ten reports an hour from one address, whichever server takes each (as a round-robin
    // proxy would hand them out).
    for i in 0..10 {
        let server = if i % 2 == 0 { &a } else { &b };
        assert_eq!(report(server).await, 303, "report {i}");
    }
    assert_eq!(report(&a).await, 429, "the 11th on the first server");
    assert_eq!(report(&b).await, 429, "and on the second");
    assert_eq!(count(&a, "SELECT COUNT(*) FROM listing_report").await, 10);
    // The address is not stored: only keyed hashes.
    let subjects: Vec<String> = sqlx::query("SELECT subject FROM rate_limit")
        .fetch_all(a.db.pool())
        .await
        .expect("rows")
        .iter()
        .map(|r| r.try_get::<String, _>(0).expect("subject"))
        .collect();
    assert!(!subjects.is_empty());
    for s in &subjects {
        assert!(!s.contains("127.0.0.1") && !s.contains("ip4"), "{s}");
        assert_eq!(s.len(), 32, "a 128-bit hash: {s}");
    }
    // An hour and a bit later the sliding window has moved on far enough for one more.
    clock.advance(Duration::from_secs(2 * 3600));
    assert_eq!(report(&b).await, 303);
    // Expired windows are deleted (the table's retention rule).
    let purged = signpost::limit::purge(&a.db, clock.unix() + 3 * 3600)
        .await
        .expect("purge");
    assert!(purged >= 1);
    assert_eq!(count(&a, "SELECT COUNT(*) FROM rate_limit").await, 0);
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn one_ipv6_64_shares_one_limit_and_ipv4_addresses_do_not() {
    let app = spawn_app_with(|s| {
        // The tests' requests come from 127.0.0.1: here that is the proxy.
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    // Status look-ups: 20 an hour per visitor.
    let lookup = |from: String| {
        let app = &app;
        async move {
            let mut v = Visitor::new(app);
            v.forwarded_for = Some(from);
            v.post(
                "/request-support/status",
                &[("reference", "EH-AAAA-BBBB"), ("email", "a@b.example")],
            )
            .await
            .status
        }
    };
    let mut refused = 0;
    for i in 0..100u32 {
        // A hundred addresses in one /64, as one phone or household may use.
        let status = lookup(format!("2001:db8:7:8:{:x}:{:x}::1", i * 7, i)).await;
        assert_ne!(status, 500);
        if status == 429 {
            refused += 1;
        } else {
            assert!(i < 20, "address {i} of the /64 was allowed: {status}");
        }
    }
    assert_eq!(refused, 80, "the /64 has one limit of 20");
    assert_ne!(lookup("2001:db8:7:9::1".into()).await, 429, "the next /64");
    assert_ne!(lookup("192.0.2.1".into()).await, 429);
    assert_ne!(lookup("192.0.2.2".into()).await, 429, "IPv4 by address");
    app.stop().await;
}

async fn post_with(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.to_owned());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.expect("POST")
}

#[tokio::test]
async fn a_cross_site_post_is_refused_and_sets_no_cookie() {
    let app = spawn_app_with(|_| {}).await;
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")][..],
        &[("sec-fetch-site", "cross-site")][..],
        &[
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-site"),
        ][..],
    ] {
        let response = post_with(&app, "/request-support/who", headers, "who=parent").await;
        assert_eq!(response.status(), 403, "{headers:?}");
        assert!(response.headers().get(SET_COOKIE).is_none(), "{headers:?}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 0);
    // From the site's own page (the public address, or its other loopback name), and from a
    // program that sends no Origin at all: accepted.
    for headers in [
        &[
            (ORIGIN.as_str(), "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ][..],
        &[(ORIGIN.as_str(), "http://localhost:3000")][..],
        &[][..],
    ] {
        let response = post_with(&app, "/request-support/who", headers, "who=parent").await;
        assert_eq!(response.status(), 303, "{headers:?}");
        assert!(response.headers().get(SET_COOKIE).is_some());
    }
    app.stop().await;
}

#[tokio::test]
async fn starting_drafts_is_limited_per_address() {
    let app = spawn_app_with(|s| s.site.drafts_per_hour = 3).await;
    for i in 0..3 {
        let reply = Visitor::new(&app)
            .post("/request-support/who", &[("who", "parent")])
            .await;
        assert_eq!(reply.status, 303, "draft {i}");
    }
    let mut fourth = Visitor::new(&app);
    let reply = fourth
        .post("/request-support/who", &[("who", "parent")])
        .await;
    assert_eq!(reply.status, 429);
    assert!(fourth.cookie.is_none(), "no draft, no cookie");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM form_draft").await, 3);
    app.stop().await;
}

async fn app_with_sink(sink: &SmtpSink, clock: &Clock) -> TestApp {
    let url = sink.url();
    let clock = clock.clone();
    spawn_app_with(move |s| {
        s.demo_data = true;
        s.staff.clock = clock;
        s.mail.transport = MailTransport::Smtp(url.parse().expect("smtp url"));
        s.mail.poll_interval = Duration::from_millis(100);
        s.site.submissions_per_hour = 100;
    })
    .await
}

#[tokio::test]
async fn fifty_summary_emails_from_one_draft_are_refused_after_the_limit() {
    use crate::carers::{adult_answers, finish, ADULT};
    let sink = SmtpSink::start().await;
    let clock = Clock::system();
    let app = app_with_sink(&sink, &clock).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    finish(&mut carer, ADULT, "CA").await;
    let mut statuses = Vec::new();
    for _ in 0..50 {
        let reply = carer
            .post(
                &format!("{ADULT}/summary/email"),
                &[("email", "carer@family.example")],
            )
            .await;
        statuses.push(reply.status);
    }
    let sent = statuses.iter().filter(|s| **s == 303).count();
    assert_eq!(sent, 3, "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.wait_for(3, Duration::from_secs(10)).await.len(), 3);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox_email WHERE kind = 'carer_summary_copy'"
        )
        .await,
        3
    );
    app.stop().await;
}

async fn save(v: &mut Visitor<'_>) -> u16 {
    v.post("/request-support/save", &[("email", "alex@family.example")])
        .await
        .status
}

#[tokio::test]
async fn save_and_return_sends_one_link_per_draft_per_hour() {
    let sink = SmtpSink::start().await;
    let clock = Clock::system();
    let app = app_with_sink(&sink, &clock).await;
    let mut v = Visitor::new(&app);
    v.answer("/request-support/who", &[("who", "parent")]).await;
    assert_eq!(save(&mut v).await, 303);
    for _ in 0..5 {
        assert_eq!(save(&mut v).await, 429);
    }
    clock.advance(Duration::from_secs(2 * 3600));
    assert_eq!(save(&mut v).await, 303, "the next hour");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox_email WHERE kind = 'form_resume_link'"
        )
        .await,
        2
    );
    app.stop().await;
}

/// The header block of a received message (before the first empty line).
fn headers_of(data: &str) -> String {
    let data = data.replace("\r\n", "\n");
    data.split("\n\n").next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_cr_or_lf_in_any_field_never_adds_a_header_or_a_recipient() {
    use crate::carers::{adult_answers, finish, ADULT};
    let sink = SmtpSink::start().await;
    let clock = Clock::system();
    let app = app_with_sink(&sink, &clock).await;
    let injections = [
        "x\r\nBcc: victim@evil.example",
        "x\nBcc: victim@evil.example",
        "x\rBcc: victim@evil.example",
        "x%0d%0aBcc: victim@evil.example",
        "a@family.example\r\nBcc: victim@evil.example",
        "a@family.example>\r\nBcc: <victim@evil.example",
        "a@family.example, victim@evil.example",
        "\"a\r\nBcc: victim@evil.example\" <a@family.example>",
    ];
    let mut shopper = Visitor::new(&app);
    let id = demo::id("service", "spectrum-autism-family-group-brackenfield").to_string();
    shopper.post("/shortlist/add", &[("id", &id)]).await;
    let mut saver = Visitor::new(&app);
    saver
        .answer("/request-support/who", &[("who", "parent")])
        .await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    finish(&mut carer, ADULT, "CA").await;
    for bad in injections {
        for (field, fixed) in [
            ("email", None),
            ("name", Some("family@home.example")),
            ("organisation", Some("family@home.example")),
            ("note", Some("family@home.example")),
        ] {
            let mut pairs = vec![
                ("email", fixed.unwrap_or(bad)),
                ("name", "Priya Worker"),
                ("organisation", "Hollowmere Primary School"),
                ("note", "See you soon"),
            ];
            for p in &mut pairs {
                if p.0 == field {
                    p.1 = bad;
                }
            }
            let reply = shopper.post("/shortlist/send", &pairs).await;
            assert!(reply.status < 500, "{field}: {bad:?}");
        }
        let reply = shopper.post("/shortlist/email", &[("email", bad)]).await;
        assert!(reply.status < 500, "{bad:?}");
        let reply = saver.post("/request-support/save", &[("email", bad)]).await;
        assert!(reply.status < 500, "{bad:?}");
        let reply = carer
            .post(&format!("{ADULT}/summary/email"), &[("email", bad)])
            .await;
        assert!(reply.status < 500, "{bad:?}");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let queued = count(&app, "SELECT COUNT(*) FROM outbox_email").await;
    let received = sink
        .wait_for(
            usize::try_from(queued).expect("count"),
            Duration::from_secs(20),
        )
        .await;
    assert_eq!(received.len() as i64, queued);
    for message in &received {
        assert_eq!(message.to.len(), 1, "one recipient: {:?}", message.to);
        assert!(!message.to[0].contains("evil"), "{:?}", message.to);
        let headers = headers_of(&message.data);
        assert!(!headers.to_lowercase().contains("bcc"), "{headers}");
        assert!(!headers.contains("evil.example"), "{headers}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_family_email_has_a_fixed_subject_a_warning_line_and_no_links_from_the_sender() {
    let sink = SmtpSink::start().await;
    let clock = Clock::system();
    let app = app_with_sink(&sink, &clock).await;
    let mut v = Visitor::new(&app);
    let id = demo::id("service", "spectrum-autism-family-group-brackenfield").to_string();
    v.post("/shortlist/add", &[("id", &id)]).await;
    let pairs = |note: &'static str, org: &'static str| {
        vec![
            ("email", "family@home.example"),
            ("name", "Priya Worker"),
            ("organisation", org),
            ("note", note),
        ]
    };
    for (note, org) in [
        ("Claim your refund at https://evil.example/claim", "School"),
        ("Go to www.evil.example", "School"),
        ("Go to evil.example/claim now", "School"),
        ("See you soon", "evil.example"),
    ] {
        let reply = v.post("/shortlist/send", &pairs(note, org)).await;
        assert_eq!(reply.status, 400, "{note} / {org}");
        assert!(reply.body.contains("Remove"), "{note} / {org}");
    }
    let reply = v
        .post(
            "/shortlist/send",
            &pairs("See you on Tuesday.", "Hollowmere School"),
        )
        .await;
    assert_eq!(reply.status, 303);
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0].header("Subject").as_deref(),
        Some("Services that might help you")
    );
    assert!(mail[0]
        .body()
        .contains("This list was sent by someone who used our website."));
    app.stop().await;
}

/// Reads until the server closes the connection (or `limit` passes); what it sent.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_client_that_stalls_in_its_headers_is_disconnected_and_connections_are_capped() {
    let app = spawn_app_with(|s| {
        s.site.header_timeout = Duration::from_secs(1);
        s.site.max_connections = 2;
    })
    .await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let stall = || async {
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: signpost\r\nX-Slow: ")
            .await
            .expect("write");
        stream
    };
    // Half a header block, then nothing: closed within the timeout (plus a little).
    let started = Instant::now();
    let mut slow = stall().await;
    let closed = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "still open after 5 s");
    assert!(started.elapsed() < Duration::from_secs(4));
    // Two stalled connections take both places: a third, complete request waits until the
    // timeout frees one.
    let _one = stall().await;
    let _two = stall().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut third = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: signpost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let answer = read_until_closed(&mut third, Duration::from_secs(8))
        .await
        .expect("answered once a place is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "served while both places were taken: {:?}",
        started.elapsed()
    );
    app.stop().await;
}
