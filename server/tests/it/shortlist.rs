//! The shortlist, "report a problem", the carers' landing pages and the search analytics,
//! through HTTP on the demo county (SQLite, or PostgreSQL with `TEST_DATABASE_URL`), with a real
//! SMTP server on loopback for the emails. As a browser without JavaScript: forms and redirects.

use crate::common::journey::Visitor;
use crate::common::smtp::SmtpSink;
use crate::common::{spawn_app_with, spawn_app_with_demo, TestApp};
use signpost::directory::demo;
use signpost::mail::MailTransport;
use sqlx::Row;
use std::time::Duration;

fn service_id(key: &str) -> String {
    demo::id("service", key).to_string()
}

const AUTISM_GROUP: &str = "spectrum-autism-family-group-brackenfield";

/// Two demo services from the results of a search, as (id, name).
async fn two_services(app: &TestApp) -> [(String, String); 2] {
    let rows = sqlx::query("SELECT id, name FROM service ORDER BY name LIMIT 2")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let pick = |i: usize| {
        (
            rows[i].try_get::<String, _>("id").unwrap(),
            rows[i].try_get::<String, _>("name").unwrap(),
        )
    };
    [pick(0), pick(1)]
}

async fn app_with_smtp(sink: &SmtpSink, per_hour: u32) -> TestApp {
    let url = sink.url();
    spawn_app_with(move |s| {
        s.demo_data = true;
        s.mail.transport = MailTransport::Smtp(url);
        s.mail.poll_interval = Duration::from_millis(100);
        s.site.submissions_per_hour = per_hour;
    })
    .await
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('\'', "&#39;")
}

#[tokio::test]
async fn services_are_added_listed_printed_and_removed_without_javascript() {
    let app = spawn_app_with_demo().await;
    let mut visitor = Visitor::new(&app);
    let [(a, a_name), (b, b_name)] = two_services(&app).await;

    let empty = visitor.get("/shortlist").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Your shortlist is empty."));

    let added = visitor
        .post(
            "/shortlist/add",
            &[("back", "/search?q=autism"), ("id", &a)],
        )
        .await;
    assert_eq!(added.status, 303);
    assert_eq!(
        added.location,
        Some(format!("/search?q=autism#result-{a}")),
        "back to the same card"
    );
    let cookie = visitor
        .cookie
        .clone()
        .expect("the shortlist is in a cookie");
    assert!(cookie.starts_with("signpost_shortlist="), "{cookie}");
    assert!(cookie.contains(&a));
    let added = visitor
        .post(
            "/shortlist/add",
            &[("id", &b), ("back", &format!("/services/{b}"))],
        )
        .await;
    assert_eq!(added.location, Some(format!("/services/{b}")));

    let list = visitor.get("/shortlist").await;
    assert_eq!(list.status, 200);
    for name in [&a_name, &b_name] {
        assert!(list.body.contains(&escaped(name)), "{name} is listed");
    }
    assert!(list.body.contains("2 services saved on this device"));
    assert!(list.body.contains(">Remove<span"));
    assert!(list.body.contains("href=\"/shortlist/print\""));
    assert!(list.body.contains("href=\"/shortlist/email\""));
    assert!(list.body.contains("href=\"/shortlist/send\""));
    // Copy as text: one line per service, "Name – contact".
    let start = list.body.find("id=\"shortlist-text\"").expect("text box");
    let text = &list.body[start..list.body[start..].find("</textarea>").unwrap() + start];
    assert!(text.contains(&format!("{} – ", escaped(&a_name))), "{text}");

    let print = visitor.get("/shortlist/print").await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains(&escaped(&b_name)));
    assert!(!print.body.contains(">Remove<span"), "no buttons to print");
    assert!(print.body.contains("signpost-print"));

    // The results page and the service page know what is on the shortlist.
    let results = visitor.get("/search").await;
    assert!(results.body.contains("Your shortlist (2)"));
    assert!(results.body.contains("id=\"shortlist-remove\""));
    assert!(results.body.contains(&format!(
        "form=\"shortlist-remove\" name=\"id\" value=\"{a}\""
    )));
    let service = visitor.get(&format!("/services/{a}")).await;
    assert!(service.body.contains(">Remove<span"));
    assert!(service
        .body
        .contains(&format!("href=\"/services/{a}/report\"")));

    let removed = visitor
        .post("/shortlist/remove", &[("id", &a), ("back", "/shortlist")])
        .await;
    assert_eq!(removed.status, 303);
    let list = visitor.get("/shortlist").await;
    assert!(!list.body.contains(&escaped(&a_name)));
    assert!(list.body.contains(&escaped(&b_name)));
}

#[tokio::test]
async fn shortlist_changes_refuse_bad_input_and_never_redirect_off_site() {
    let app = spawn_app_with_demo().await;
    let mut visitor = Visitor::new(&app);
    let id = service_id(AUTISM_GROUP);
    for back in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "",
    ] {
        let reply = visitor
            .post("/shortlist/add", &[("id", &id), ("back", back)])
            .await;
        assert_eq!(reply.status, 303);
        assert_eq!(reply.location.as_deref(), Some("/shortlist"), "{back:?}");
    }
    for bad in ["not-an-id", "<script>alert(1)</script>", ""] {
        let reply = visitor.post("/shortlist/add", &[("id", bad)]).await;
        assert_eq!(reply.status, 400, "{bad:?}");
        assert!(!reply.body.contains("<script>"));
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    let reply = visitor.post("/shortlist/add", &[("id", &unknown)]).await;
    assert_eq!(reply.status, 400);
    // A cookie full of junk is an empty shortlist, not an error.
    visitor.cookie = Some("signpost_shortlist=<script>.x.y".into());
    let list = visitor.get("/shortlist").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Your shortlist is empty."));
}

#[tokio::test]
async fn the_list_is_emailed_and_sent_to_a_family_through_a_real_smtp_server() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink, 10).await;
    let mut visitor = Visitor::new(&app);
    let [(a, a_name), (b, b_name)] = two_services(&app).await;
    for id in [&a, &b] {
        visitor.post("/shortlist/add", &[("id", id)]).await;
    }

    let form = visitor.get("/shortlist/email").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Your email address"));
    let wrong = visitor
        .post("/shortlist/email", &[("email", "not-an-address")])
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("govuk-error-summary"));
    assert!(wrong
        .body
        .contains("Enter an email address in the correct format"));
    assert!(
        wrong.body.contains("value=\"not-an-address\""),
        "what was typed is kept"
    );

    let sent = visitor
        .post("/shortlist/email", &[("email", "parent@family.example")])
        .await;
    assert_eq!(sent.status, 303);
    assert_eq!(sent.location.as_deref(), Some("/shortlist/email/sent"));
    let confirmation = visitor.get("/shortlist/email/sent").await;
    assert!(confirmation.body.contains("Your shortlist is on its way"));
    let mail = sink.wait_for(1, Duration::from_secs(20)).await;
    let to_parent = &mail[0];
    assert!(to_parent.everything().contains("parent@family.example"));
    let body = to_parent.body();
    for name in [&a_name, &b_name] {
        assert!(body.contains(name.as_str()), "{name} in the email: {body}");
    }
    assert!(body.contains(&format!("/services/{a}")));

    let missing = visitor.post("/shortlist/send", &[("email", "")]).await;
    assert_eq!(missing.status, 400);
    for message in [
        "Enter the family",
        "Enter your name",
        "Enter your organisation",
    ] {
        assert!(missing.body.contains(message), "{message}");
    }
    let sent = visitor
        .post(
            "/shortlist/send",
            &[
                ("email", "family@home.example"),
                ("name", "Priya Worker"),
                ("organisation", "Hollowmere Primary School"),
                ("note", "These are the groups we talked about on Tuesday."),
            ],
        )
        .await;
    assert_eq!(sent.status, 303);
    assert_eq!(sent.location.as_deref(), Some("/shortlist/send/sent"));
    let mail = sink.wait_for(2, Duration::from_secs(20)).await;
    let to_family = mail
        .iter()
        .find(|m| m.everything().contains("family@home.example"))
        .expect("the family's email");
    let body = to_family.body();
    assert!(body.contains("Priya Worker from Hollowmere Primary School"));
    assert!(body.contains("These are the groups we talked about on Tuesday."));
    assert!(body.contains(b_name.as_str()));
}

#[tokio::test]
async fn emails_from_one_connection_are_rate_limited() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink, 2).await;
    let mut visitor = Visitor::new(&app);
    visitor
        .post("/shortlist/add", &[("id", &service_id(AUTISM_GROUP))])
        .await;
    for _ in 0..2 {
        let ok = visitor
            .post("/shortlist/email", &[("email", "parent@family.example")])
            .await;
        assert_eq!(ok.status, 303);
    }
    let limited = visitor
        .post("/shortlist/email", &[("email", "parent@family.example")])
        .await;
    assert_eq!(limited.status, 429);
    assert!(limited.body.contains("Too many emails"));
}

/// Sends the shortlist by email as a visitor behind `forwarded_for`; the reply's status.
async fn email_shortlist_from(app: &TestApp, forwarded_for: &str) -> u16 {
    let mut visitor = Visitor::new(app);
    visitor.forwarded_for = Some(forwarded_for.to_owned());
    visitor
        .post("/shortlist/add", &[("id", &service_id(AUTISM_GROUP))])
        .await;
    visitor
        .post("/shortlist/email", &[("email", "parent@family.example")])
        .await
        .status
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_visitor_has_their_own_limit_and_nobody_else_can_claim_one() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(move |s| {
        s.demo_data = true;
        s.mail.transport = MailTransport::Smtp(url);
        s.site.submissions_per_hour = 1;
        // The tests' requests come from 127.0.0.1: here that is the proxy.
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    // Two families behind the same proxy: each has their own limit.
    assert_eq!(email_shortlist_from(&app, "203.0.113.7").await, 303);
    assert_eq!(email_shortlist_from(&app, "198.51.100.20").await, 303);
    assert_eq!(email_shortlist_from(&app, "203.0.113.7").await, 429);
    // A made-up address to the left of the one the proxy added is not believed.
    assert_eq!(
        email_shortlist_from(&app, "192.0.2.99, 203.0.113.7").await,
        429
    );
    app.stop().await;

    // Without SIGNPOST_TRUSTED_PROXIES the header is ignored: it cannot buy a new limit.
    let app = app_with_smtp(&sink, 1).await;
    assert_eq!(email_shortlist_from(&app, "203.0.113.7").await, 303);
    assert_eq!(email_shortlist_from(&app, "198.51.100.20").await, 429);
    app.stop().await;
}

#[tokio::test]
async fn a_reported_problem_is_stored_and_the_team_is_emailed_a_reference_only() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink, 10).await;
    let mut visitor = Visitor::new(&app);
    let id = service_id(AUTISM_GROUP);
    let path = format!("/services/{id}/report");

    let form = visitor.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Report a problem with this listing"));
    let empty = visitor.post(&path, &[]).await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("Select what is wrong with the listing"));
    assert!(empty
        .body
        .contains("Enter what the listing should say instead"));
    let hostile = visitor
        .post(
            &path,
            &[
                ("problem", "<b>x</b>"),
                ("details", "<script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(hostile.status, 400);
    assert!(!hostile.body.contains("<script>alert(1)"));
    assert!(hostile
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let details = "<script>alert(1)</script> It moved to Thursdays. Call me on 07700 900123";
    let sent = visitor
        .post(&path, &[("problem", "times"), ("details", details)])
        .await;
    assert_eq!(sent.status, 303);
    let location = sent.location.expect("a confirmation");
    assert!(location.starts_with(&format!("/services/{id}/report/sent?reference=LR-")));
    let reference = location.rsplit('=').next().unwrap().to_owned();
    let confirmation = visitor.get(&location).await;
    assert_eq!(confirmation.status, 200);
    assert!(confirmation.body.contains(&reference));

    let row = sqlx::query("SELECT service_id, problem, details, status FROM listing_report")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("service_id").unwrap(), id);
    assert_eq!(row.try_get::<String, _>("problem").unwrap(), "times");
    assert_eq!(row.try_get::<String, _>("details").unwrap(), details);
    assert_eq!(row.try_get::<String, _>("status").unwrap(), "new");

    let mail = sink.wait_for(1, Duration::from_secs(20)).await;
    let everything = mail[0].everything();
    assert!(everything.contains("directory-team@brackenshire.example"));
    assert!(everything.contains(&reference));
    for secret in ["07700", "Thursdays", "<script>"] {
        assert!(!everything.contains(secret), "{secret} must not be emailed");
    }

    // Unknown listings and made-up references are not found.
    let unknown = format!("/services/{}/report", uuid::Uuid::new_v4());
    assert_eq!(visitor.get(&unknown).await.status, 404);
    assert_eq!(
        visitor.post(&unknown, &[("problem", "times")]).await.status,
        404
    );
    let fake = format!("/services/{id}/report/sent?reference=%3Cscript%3E");
    assert_eq!(visitor.get(&fake).await.status, 404);
}

#[tokio::test]
async fn the_carers_landing_pages_show_services_from_the_search() {
    let app = spawn_app_with_demo().await;
    for (path, headings) in [
        (
            "/young-carers",
            &[
                "Groups for 8 to 11 year olds",
                "Groups for 12 to 17 year olds",
                "In the evening",
                "In the school holidays",
            ][..],
        ),
        (
            "/carers",
            &[
                "Peer support groups",
                "Groups in the evening",
                "Breaks and respite",
                "Money and benefits advice",
            ][..],
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        for heading in headings {
            assert!(html.contains(heading), "{path}: {heading}");
        }
        assert!(
            html.contains("href=\"/search?category="),
            "{path}: see-all links"
        );
        assert!(
            html.matches("href=\"/services/").count() >= 4,
            "{path}: services listed"
        );
    }
    let young = app.get("/young-carers").await.text().await.unwrap();
    assert!(young.contains("href=\"/young-carers/self-assessment\""));
    // The evening section only lists evening services: its link narrows the search the same way.
    assert!(young.contains("href=\"/search?category=young-carers&amp;time=evening\""));
}

#[tokio::test]
async fn searches_are_recorded_for_the_gap_report_without_the_full_postcode() {
    let app = spawn_app_with_demo().await;
    let response = app
        .get("/search?q=swimming&postcode=BK1+4AB&cost=free")
        .await;
    assert_eq!(response.status(), 200);
    app.get("/search?q=zzzqqqxx").await;
    // Someone types their own details into the search box: the report keeps none of them.
    app.get("/search?q=Jane.Doe%40example.com+01632+960+123+BK3+2DE+respite")
        .await;
    // Later pages of the same search are not counted again.
    app.get("/search?q=swimming&postcode=BK1+4AB&cost=free&page=2")
        .await;
    let mut rows = Vec::new();
    for _ in 0..50 {
        rows = sqlx::query(
            "SELECT query, filters, outcode, result_count FROM search_event ORDER BY query",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        if rows.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0].try_get::<String, _>("query").unwrap(),
        "[email] [number] bk3 respite"
    );
    let rows = &rows[1..];
    let swimming = &rows[0];
    assert_eq!(swimming.try_get::<String, _>("query").unwrap(), "swimming");
    assert_eq!(
        swimming.try_get::<String, _>("filters").unwrap(),
        "cost=free"
    );
    assert_eq!(
        swimming
            .try_get::<Option<String>, _>("outcode")
            .unwrap()
            .as_deref(),
        Some("BK1")
    );
    let nothing = &rows[1];
    assert_eq!(nothing.try_get::<String, _>("query").unwrap(), "zzzqqqxx");
    assert_eq!(nothing.try_get::<i64, _>("result_count").unwrap(), 0);
    let all: Vec<String> =
        sqlx::query("SELECT query || filters || COALESCE(outcode, '') FROM search_event")
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>(0).unwrap())
            .collect();
    assert!(
        all.iter().all(|r| !r.contains("4AB")
            && !r.to_lowercase().contains("2de")
            && !r.contains("jane")
            && !r.contains("960")),
        "never the full postcode: {all:?}"
    );
}
