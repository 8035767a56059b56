//! The staff portal over HTTP against a real database: sign-in with a password and a TOTP
//! second factor (enrolment included), the triage of a real request for support through to the
//! outcome email at a real SMTP server and the family's status page, lockout, session expiry
//! (with the app's injectable clock, no sleeping), CSRF rejection, and every role × every staff
//! route.

use crate::common::journey::Visitor;
use crate::common::smtp::SmtpSink;
use crate::common::{spawn_app_with, TestApp};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use signpost::clock::Clock;
use signpost::mail::MailTransport;
use signpost::staff::{totp, users};
use sqlx::Row;
use std::collections::BTreeMap;
use std::time::Duration;

const PASSWORD: &str = "harbour lantern pebble";

/// A browser with a cookie jar, redirects not followed.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

pub(crate) struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    /// Sends the next requests to another server on the same database, with the same cookies.
    pub(crate) fn switch_to(&mut self, app: &'a TestApp) {
        self.app = app;
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(COOKIE, header.join("; "));
        }
        let response = request.send().await.expect("request");
        for set in response.headers().get_all(SET_COOKIE) {
            let text = set.to_str().unwrap_or_default();
            assert!(text.contains("HttpOnly"), "{text}");
            assert!(text.contains("SameSite=Strict"), "{text}");
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: response.text().await.unwrap_or_default(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let request = self.app.client.get(self.app.url(path));
        self.send(request).await
    }

    pub(crate) async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Page {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let request = self
            .app
            .client
            .post(self.app.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }
}

pub(crate) fn csrf_in(body: &str) -> String {
    let start = body.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    body[start..start + 64].to_owned()
}

pub(crate) async fn add_user(app: &TestApp, email: &str, role: &str) {
    users::create(
        app.db.pool(),
        &Clock::system(),
        &users::NewUser {
            email,
            name: &format!("Test {role}"),
            role,
            password: PASSWORD,
        },
        None,
    )
    .await
    .expect("account created");
}

/// The password step; returns the page it redirects to.
async fn password_step(b: &mut Browser<'_>, email: &str, password: &str) -> Page {
    let page = b.get("/staff/sign-in").await;
    assert_eq!(page.status, 200);
    let csrf = csrf_in(&page.body);
    b.post(
        "/staff/sign-in",
        &[("csrf", &csrf), ("email", email), ("password", password)],
    )
    .await
}

/// First sign-in: password, then the authenticator app set up from the enrolment page. Returns
/// the secret (as the app would hold it).
pub(crate) async fn enrol(b: &mut Browser<'_>, clock: &Clock, email: &str) -> String {
    let page = password_step(b, email, PASSWORD).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/staff/enrol"));
    let page = b.get("/staff/enrol").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<svg role=\"img\""),
        "the QR code is inline SVG"
    );
    let marker = r#"id="totp-secret" class="signpost-secret">"#;
    let start = page.body.find(marker).expect("key") + marker.len();
    let end = start + page.body[start..].find('<').expect("end of key");
    let secret: String = page.body[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let csrf = csrf_in(&page.body);
    let code = totp::code_at(&secret, clock.unix()).expect("code");
    let page = b
        .post("/staff/enrol", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.body.matches("<li><code>").count(),
        totp::RECOVERY_CODES
    );
    secret
}

/// A later sign-in: password, then a code.
async fn sign_in(b: &mut Browser<'_>, clock: &Clock, email: &str, secret: &str) -> Page {
    let page = password_step(b, email, PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/staff/sign-in/code"),
        "{}",
        page.body
    );
    let page = b.get("/staff/sign-in/code").await;
    let csrf = csrf_in(&page.body);
    // The next time step, so a code used at enrolment is never replayed.
    clock.advance(Duration::from_secs(30));
    let code = totp::code_at(secret, clock.unix()).expect("code");
    b.post("/staff/sign-in/code", &[("csrf", &csrf), ("code", &code)])
        .await
}

/// Where a staff page asked for before signing in sends the browser.
fn back_after_sign_in(path: &str) -> String {
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    format!("/staff/sign-in?next={next}")
}

pub(crate) async fn app_with(clock: &Clock, sink: Option<&SmtpSink>, demo: bool) -> TestApp {
    let clock = clock.clone();
    let smtp = sink.map(SmtpSink::url);
    spawn_app_with(move |s| {
        s.staff.clock = clock;
        s.demo_data = demo;
        if let Some(url) = smtp {
            s.mail.transport = MailTransport::Smtp(url.parse().expect("smtp url"));
            s.mail.poll_interval = Duration::from_millis(100);
        }
    })
    .await
}

pub(crate) async fn submit_request(app: &TestApp) -> (String, String) {
    let mut v = Visitor::new(app);
    v.parent_answers("Alexandra Testperson").await;
    let reference = v.send().await;
    let id: String = sqlx::query("SELECT id FROM early_help_request WHERE reference = $1")
        .bind(&reference)
        .fetch_one(app.db.pool())
        .await
        .expect("request")
        .try_get(0)
        .expect("id");
    (reference, id)
}

/// A carer's "contact me" after their self-assessment, through the public form: the referral
/// lands in the carers team's queue. Returns its reference and id.
pub(crate) async fn submit_carers_referral(app: &TestApp) -> (String, String) {
    use crate::carers::{adult_answers, finish, ADULT};
    let mut carer = Visitor::new(app);
    adult_answers(&mut carer, "yes").await;
    let (_, reference) = finish(&mut carer, ADULT, "CA").await;
    let reply = carer.post(&format!("{ADULT}/summary/contact"), &[]).await;
    assert_eq!(reply.status, 303);
    let id: String = sqlx::query("SELECT id FROM carer_referral WHERE reference = $1")
        .bind(&reference)
        .fetch_one(app.db.pool())
        .await
        .expect("referral")
        .try_get(0)
        .expect("id");
    (reference, id)
}

#[tokio::test]
async fn a_hub_user_signs_in_with_totp_triages_and_the_family_sees_the_outcome() {
    let sink = SmtpSink::start().await;
    let clock = Clock::system();
    let app = app_with(&clock, Some(&sink), true).await;
    let (reference, id) = submit_request(&app).await;
    let mail = sink.wait_for(2, Duration::from_secs(10)).await;
    let ack = mail
        .iter()
        .find(|m| m.body().contains("received your request"))
        .expect("ack");
    let ack_body = ack.body();
    let link_start = ack_body
        .find("/request-support/status/")
        .expect("status link");
    let link: String = ack_body[link_start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();

    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "hub@brackenshire.example").await;
    // Sign out and in again with a code, as on any later day.
    let page = b.get("/staff/account").await;
    let csrf = csrf_in(&page.body);
    let page = b.post("/staff/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(page.status, 200);
    assert_eq!(b.get("/staff/queue").await.status, 303, "signed out");
    let page = sign_in(&mut b, &clock, "hub@brackenshire.example", &secret).await;
    assert_eq!(page.location.as_deref(), Some("/staff/queue"));

    let queue = b.get("/staff/queue").await;
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains(&reference),
        "the new request is in the queue"
    );
    assert!(!queue.body.contains("Alexandra"), "no names in the queue");

    let page = b.get(&format!("/staff/requests/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Alexandra Testperson"),
        "all the answers"
    );
    assert!(page.body.contains("Request received"), "history");
    let csrf = csrf_in(&page.body);
    let page = b
        .post(&format!("/staff/requests/{id}/assign"), &[("csrf", &csrf)])
        .await;
    assert_eq!(page.status, 303);

    // The family's status page says it is being looked at.
    let mut family = Browser::new(&app);
    let status = family.get(&link).await;
    assert_eq!(status.status, 200, "{}", status.body);
    assert!(status.body.contains(&reference));
    assert!(!status.body.contains("Alexandra"));

    let services: Vec<(String, String)> = sqlx::query(
        "SELECT id, name FROM service WHERE status = 'active' ORDER BY name, id LIMIT 2",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("services")
    .iter()
    .map(|r| (r.try_get(0).expect("id"), r.try_get(1).expect("name")))
    .collect();
    assert_eq!(services.len(), 2);
    let page = b
        .get(&format!(
            "/staff/requests/{id}/decision?q={}",
            &services[0].1[..4]
        ))
        .await;
    assert_eq!(page.status, 200);
    let csrf = csrf_in(&page.body);
    // The reason is mandatory.
    let path = format!("/staff/requests/{id}/decision");
    let level = "Level 2: early help from one service";
    let page = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("outcome", "signpost"),
                ("service", &services[0].0),
                ("service", &services[1].0),
                ("level", level),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Enter the reason for the decision"));
    let page = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("outcome", "signpost"),
                ("service", &services[0].0),
                ("service", &services[1].0),
                ("level", level),
                ("reason", "Needs parenting support; two local groups fit."),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let mail = sink.wait_for(3, Duration::from_secs(10)).await;
    let outcome = mail
        .iter()
        .find(|m| {
            m.header("Subject")
                .unwrap_or_default()
                .contains("An update on your request")
        })
        .expect("the outcome email");
    assert_eq!(outcome.header("To").as_deref(), Some("alex@family.example"));
    let body = outcome.body();
    assert!(body.contains(&reference));
    for (sid, name) in &services {
        assert!(body.contains(name.as_str()), "{name} listed");
        assert!(body.contains(&format!("/services/{sid}")));
    }
    for secret in crate::common::journey::SECRETS {
        if *secret != "alex@family.example" {
            assert!(
                !body.contains(secret),
                "the outcome email contains {secret:?}"
            );
        }
    }
    assert!(
        !body.contains("parenting support"),
        "the reason stays internal"
    );

    // By reference and email, the family sees the decision's plain-English meaning.
    let page = family
        .post(
            "/request-support/status",
            &[
                ("reference", &reference.to_lowercase()),
                ("email", "Alex@Family.example"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("We have found services in your area that can help"));
    assert!(!page.body.contains("Alexandra"));
    let wrong = family
        .post(
            "/request-support/status",
            &[("reference", &reference), ("email", "someone@else.example")],
        )
        .await;
    assert_eq!(wrong.status, 422);

    // Audited: the view, the assignment and the decision, with who and from where.
    let actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_event WHERE reference = $1 ORDER BY at, action")
            .bind(&reference)
            .fetch_all(app.db.pool())
            .await
            .expect("audit")
            .iter()
            .map(|r| r.try_get(0).expect("action"))
            .collect();
    for wanted in ["view_request", "assign", "decision"] {
        assert!(
            actions.iter().any(|a| a == wanted),
            "{wanted} in {actions:?}"
        );
    }
    let ip: String = sqlx::query("SELECT ip FROM audit_event WHERE action = 'decision'")
        .fetch_one(app.db.pool())
        .await
        .expect("row")
        .try_get(0)
        .expect("ip");
    assert_eq!(ip, "127.0.0.1");

    // The performance figures count the decision; the CSV export is audited. Searches that
    // found nothing are counted by outward code (the gap report).
    for (outcode, count) in [
        (Some("BK7"), 0),
        (Some("BK7"), 0),
        (Some("BK2"), 3),
        (None, 0),
    ] {
        sqlx::query(
            "INSERT INTO search_event (id, searched_at, query, filters, outcode, result_count) \
             VALUES ($1, '2026-11-20T10:00:00Z', 'zzz', '', $2, $3)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(outcode)
        .bind(count as i64)
        .execute(app.db.pool())
        .await
        .expect("search event");
    }
    for (form, referred) in [
        ("carer-self-assessment", Some("2026-11-20")),
        ("carer-self-assessment", None),
        ("carer-self-assessment", None),
        ("young-carer-self-assessment", None),
    ] {
        sqlx::query(
            "INSERT INTO self_assessment_outcome (id, form, completed_on, referred_on) \
             VALUES ($1, $2, '2026-11-19', $3)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(form)
        .bind(referred)
        .execute(app.db.pool())
        .await
        .expect("self-assessment outcome");
    }
    let page = b.get("/staff/kpis").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Searches that found nothing, by area"));
    let table = section(&page.body, "id=\"self-assessments\"");
    assert!(
        table.contains(r#"Adult carers</th><td class="govuk-table__cell govuk-table__cell--numeric">3</td><td class="govuk-table__cell govuk-table__cell--numeric">1</td>"#),
        "{table}"
    );
    assert!(
        table.contains(r#"Young carers</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td><td class="govuk-table__cell govuk-table__cell--numeric">0</td>"#),
        "{table}"
    );
    // The pictures: SVG drawn on the server, well-formed XML, each with its title and
    // description, and as many bars as the data has values.
    let chart = |id: &str| -> String {
        let start = page
            .body
            .find(&format!("aria-labelledby=\"{id}-title {id}-desc\""))
            .and_then(|at| page.body[..at].rfind("<svg"))
            .unwrap_or_else(|| panic!("the chart {id} is on the page"));
        let rest = &page.body[start..];
        let end = rest.find("</svg>").expect("the chart ends") + "</svg>".len();
        rest[..end].to_owned()
    };
    let bars = |svg: &str| svg.matches("<rect").count();
    for id in [
        "chart-decision-time",
        "chart-requests",
        "chart-carers",
        "chart-gaps",
    ] {
        let svg = chart(id);
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{id} is XML: {e}\n{svg}"));
        assert!(svg.contains(&format!("<title id=\"{id}-title\">")), "{svg}");
        assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")), "{svg}");
        assert!(svg.contains("role=\"img\""), "{svg}");
    }
    // The gap report: two areas (BK7 twice, no postcode once), ranked, with their words.
    let gaps = chart("chart-gaps");
    assert_eq!(bars(&gaps), 1 + 2, "the background and two bars: {gaps}");
    assert!(
        gaps.find("BK7") < gaps.find("No postcode"),
        "most first: {gaps}"
    );
    assert!(gaps.contains("zzz"), "the commonest words: {gaps}");
    // One month of carers: finished (4) and asked to be contacted (1), side by side, each with a
    // legend swatch; the background and the legend's box (its fill and its border) are
    // rectangles too.
    assert_eq!(
        bars(&chart("chart-carers")),
        1 + 2 + 2 + 2,
        "{}",
        chart("chart-carers")
    );
    // One week with one decided request: one bar, six legend swatches.
    assert_eq!(
        bars(&chart("chart-requests")),
        1 + 1 + 2 + 6,
        "{}",
        chart("chart-requests")
    );
    let csv = b.get("/staff/kpis.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains(",1,0,0,0,0,0\n"), "{}", csv.body);
    assert!(csv.body.contains("decided,1\n"));
    assert!(csv.body.contains("decided_within_1_working_day,1\n"));
    assert!(!csv.body.contains(&reference), "aggregates only");
    assert!(csv.body.contains(
        "self_assessments_completed,Adult carers,3\nself_assessments_referred,Adult carers,1\n"
    ));
    assert!(csv.body.contains(
        "self_assessments_completed,Young carers,1\nself_assessments_referred,Young carers,0\n"
    ));
    assert!(
        csv.body.contains("zero_result_searches,BK7,2\n"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("zero_result_searches,No postcode,1\n"));
    assert!(
        !csv.body.contains("zero_result_searches,BK2"),
        "BK2's search found services"
    );
    let exports: i64 = sqlx::query("SELECT COUNT(*) FROM audit_event WHERE action = 'export'")
        .fetch_one(app.db.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!(exports, 1);
}

#[tokio::test]
async fn the_carers_team_signs_in_sees_its_queue_and_decides_a_carers_referral() {
    let clock = Clock::system();
    let app = app_with(&clock, None, true).await;
    let (early_reference, _) = submit_request(&app).await;
    let (reference, id) = submit_carers_referral(&app).await;
    add_user(&app, "carers@brackenshire.example", "carers").await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "carers@brackenshire.example").await;
    let csrf = csrf_in(&b.get("/staff/account").await.body);
    b.post("/staff/sign-out", &[("csrf", &csrf)]).await;
    let page = sign_in(&mut b, &clock, "carers@brackenshire.example", &secret).await;
    assert_eq!(page.location.as_deref(), Some("/staff/queue"));

    // Their queue: the carers' referrals, not the Hub's requests, and no names.
    let queue = b.get("/staff/queue").await;
    assert_eq!(queue.status, 200);
    assert!(queue
        .body
        .contains(r#"<h1 class="govuk-heading-l">Carers' referrals</h1>"#));
    assert!(queue.body.contains(&reference), "the referral is queued");
    assert!(!queue.body.contains(&early_reference), "not the Hub's");
    assert!(!queue.body.contains("Morwenna"), "no names in the queue");
    // And the Hub's queue does not hold the referral.
    let mut hub = Browser::new(&app);
    enrol(&mut hub, &clock, "hub@brackenshire.example").await;
    let hub_queue = hub.get("/staff/queue").await;
    assert!(hub_queue.body.contains(&early_reference));
    assert!(!hub_queue.body.contains(&reference));

    // The referral's page: what the carer answered, as a carer's referral.
    let page = b.get(&format!("/staff/requests/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains(r#"<span class="govuk-caption-l">Carer's referral</span>"#));
    assert!(!page.body.contains("Request for early help"));
    assert!(
        page.body.contains("Morwenna Pendragon-Smith"),
        "the answers"
    );
    assert!(page.body.contains("Gwendolyn"));
    let csrf = csrf_in(&page.body);
    assert_eq!(
        b.post(&format!("/staff/requests/{id}/assign"), &[("csrf", &csrf)])
            .await
            .status,
        303
    );

    // The decision: the carers team's outcomes, not the Hub's; no level of need.
    let path = format!("/staff/requests/{id}/decision");
    let page = b.get(&path).await;
    assert_eq!(page.status, 200);
    for wanted in [
        "Carer&#39;s referral: ",
        "Contact the carer and offer an assessment",
        "Signpost to community services",
        "Needs more information",
        "No further action",
        "The carer is not emailed the decision",
    ] {
        let wanted_alt = wanted.replace("&#39;", "'");
        assert!(
            page.body.contains(wanted) || page.body.contains(&wanted_alt),
            "{wanted} on the decision page"
        );
    }
    for hub_only in [
        "Request for early help",
        "Allocate to a targeted service",
        "children&#39;s social care",
        "children's social care",
        "Level of need",
        "Targeted service",
        "Services to send the family",
    ] {
        assert!(
            !page.body.contains(hub_only),
            "{hub_only} on the carers' form"
        );
    }
    // Services from the directory, to tell the carer about.
    let name: String =
        sqlx::query("SELECT name FROM service WHERE status = 'active' ORDER BY name, id LIMIT 1")
            .fetch_one(app.db.pool())
            .await
            .expect("a service")
            .try_get(0)
            .expect("name");
    let q: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let page = b.get(&format!("{path}?q={q}")).await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("Services to tell the carer about (if signposting)"));
    assert!(!page.body.contains("Services to send the family"));
    let page = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("outcome", "signpost"),
                ("reason", "No service ticked"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose at least one service"));
    // A Hub outcome is refused for a carer's referral.
    let page = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("outcome", "targeted"),
                ("targeted", "Family centre"),
                ("reason", "Wrong list"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Select a decision"));
    let page = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("outcome", "carer_assessment"),
                ("reason", "Caring 35 hours a week; wants a break."),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = b.get(&format!("/staff/requests/{id}")).await;
    assert!(page
        .body
        .contains("Contact the carer and offer an assessment"));
    assert!(!page.body.contains("Level of need"));
    assert!(!page.body.contains("Outcome not emailed"));
    let row = sqlx::query(
        "SELECT status, outcome, level_of_need, decided_by FROM triage_case WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .expect("case");
    assert_eq!(row.try_get::<String, _>(0).expect("status"), "decided");
    assert_eq!(
        row.try_get::<Option<String>, _>(1)
            .expect("outcome")
            .as_deref(),
        Some("carer_assessment")
    );
    assert_eq!(row.try_get::<Option<String>, _>(2).expect("level"), None);
    assert!(row.try_get::<Option<String>, _>(3).expect("by").is_some());
    let outcome_emails: i64 =
        sqlx::query("SELECT COUNT(*) FROM outbox_email WHERE kind = 'early_help_outcome'")
            .fetch_one(app.db.pool())
            .await
            .expect("count")
            .try_get(0)
            .expect("n");
    assert_eq!(
        outcome_emails, 0,
        "the carer is contacted by the team, not emailed"
    );
    let csrf = csrf_in(&page.body);
    assert_eq!(
        b.post(&format!("/staff/requests/{id}/close"), &[("csrf", &csrf)])
            .await
            .status,
        303
    );
    let actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_event WHERE reference = $1 ORDER BY at, action")
            .bind(&reference)
            .fetch_all(app.db.pool())
            .await
            .expect("audit")
            .iter()
            .map(|r| r.try_get(0).expect("action"))
            .collect();
    for wanted in ["view_request", "assign", "decision", "close"] {
        assert!(
            actions.iter().any(|a| a == wanted),
            "{wanted} in {actions:?}"
        );
    }
}

/// The queue's rows: each request's reference and its age cell (the number and any badge).
fn queue_rows(body: &str) -> Vec<(String, String)> {
    let Some(start) = body.find(r#"<tbody class="govuk-table__body">"#) else {
        return Vec::new();
    };
    body[start..]
        .split(r#"<tr class="govuk-table__row">"#)
        .skip(1)
        .map(|tr| {
            let cells: Vec<&str> = tr.split(r#"<td class="govuk-table__cell">"#).collect();
            let link = cells.get(1).copied().unwrap_or_default();
            let reference = link
                .split_once("\">")
                .and_then(|(_, rest)| rest.split_once("</a>"))
                .map(|(r, _)| r.to_owned())
                .unwrap_or_default();
            let age = cells
                .get(3)
                .and_then(|c| c.split_once("</td>"))
                .map(|(a, _)| a.to_owned())
                .unwrap_or_default();
            (reference, age)
        })
        .collect()
}

async fn queue_refs(b: &mut Browser<'_>, query: &str) -> Vec<String> {
    let page = b.get(&format!("/staff/queue{query}")).await;
    assert_eq!(page.status, 200, "{query}");
    queue_rows(&page.body).into_iter().map(|(r, _)| r).collect()
}

#[tokio::test]
async fn the_queue_filters_sorts_and_shows_what_is_due_today_or_overdue() {
    let clock = Clock::system();
    let app_clock = clock.clone();
    // No bank holidays, so only weekends are not working days, whatever the date.
    let app = spawn_app_with(move |s| {
        s.staff.clock = app_clock;
        s.staff.bank_holidays = Default::default();
    })
    .await;
    let mut cases = Vec::new();
    for _ in 0..4 {
        cases.push(submit_request(&app).await);
    }
    // Now is a Wednesday at 12:00 UTC, at least a week ahead.
    let now = clock.unix();
    let today = now.div_euclid(86_400);
    let wednesday = today + (2 - (today + 3).rem_euclid(7)).rem_euclid(7) + 7;
    clock.advance(Duration::from_secs(
        u64::try_from(wednesday * 86_400 + 12 * 3600 - now).expect("ahead"),
    ));
    let at = |day: i64, hour: i64| Clock::system_at(day * 86_400 + hour * 3600);
    // (received, area, urgency flags): the Friday before (3 working days ago), Monday (2),
    // Tuesday (1, due today) and this morning (0).
    let setup = [
        (at(wednesday - 5, 10), "BK3", "[]"),
        (
            at(wednesday - 2, 10),
            "BK1",
            r#"["A child may be at risk"]"#,
        ),
        (at(wednesday - 1, 10), "BK2", "[]"),
        (at(wednesday, 9), "BK1", "[]"),
    ];
    for ((_, id), (received, area, flags)) in cases.iter().zip(&setup) {
        sqlx::query(
            "UPDATE triage_case SET received_at = $1, outcode = $2, urgency_flags = $3 WHERE id = $4",
        )
        .bind(received)
        .bind(*area)
        .bind(*flags)
        .bind(id)
        .execute(app.db.pool())
        .await
        .expect("update");
    }
    let r: Vec<String> = cases
        .iter()
        .map(|(reference, _)| reference.clone())
        .collect();
    let (friday, monday, tuesday, today_ref) =
        (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str());
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "hub@brackenshire.example").await;

    let page = b.get("/staff/queue").await;
    let rows = queue_rows(&page.body);
    let refs: Vec<&str> = rows.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(refs, [friday, monday, tuesday, today_ref], "oldest first");
    let overdue = r#"<strong class="govuk-tag govuk-tag--red">Overdue</strong>"#;
    let due = r#"<strong class="govuk-tag govuk-tag--orange">Due today</strong>"#;
    assert_eq!(rows[0].1, format!("3 {overdue}"));
    assert_eq!(rows[1].1, format!("2 {overdue}"));
    assert_eq!(rows[2].1, format!("1 {due}"));
    assert_eq!(rows[3].1, "0");

    assert_eq!(
        queue_refs(&mut b, "?sort=newest").await,
        [today_ref, tuesday, monday, friday]
    );
    assert_eq!(queue_refs(&mut b, "?area=bk1").await, [monday, today_ref]);
    assert_eq!(queue_refs(&mut b, "?flagged=yes").await, [monday]);
    assert_eq!(
        queue_refs(&mut b, "?area=BK1&flagged=yes&sort=newest").await,
        [monday]
    );
    let csrf = csrf_in(&page.body);
    let assign = format!("/staff/requests/{}/assign", cases[2].1);
    assert_eq!(b.post(&assign, &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(queue_refs(&mut b, "?assignee=me").await, [tuesday]);
    assert_eq!(
        queue_refs(&mut b, "?assignee=unassigned").await,
        [friday, monday, today_ref]
    );
    assert_eq!(queue_refs(&mut b, "?status=in_triage").await, [tuesday]);
    assert_eq!(
        queue_refs(&mut b, "?status=new").await,
        [friday, monday, today_ref]
    );

    // Friday's request is decided now, after 3 working days: its age stops there.
    let page = b
        .post(
            &format!("/staff/requests/{}/decision", cases[0].1),
            &[
                ("csrf", &csrf),
                ("outcome", "nfa"),
                ("level", "Level 1: universal services"),
                ("reason", "No help needed"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(
        !queue_refs(&mut b, "").await.iter().any(|r| r == friday),
        "no longer open"
    );
    let decided = queue_rows(&b.get("/staff/queue?status=decided").await.body);
    assert_eq!(decided, [(friday.to_owned(), "3".to_owned())]);
    // A week later: the open requests are older, the decided one is not.
    clock.advance(Duration::from_secs(7 * 86_400));
    sign_in(&mut b, &clock, "hub@brackenshire.example", &secret).await;
    let decided = queue_rows(&b.get("/staff/queue?status=decided").await.body);
    assert_eq!(
        decided,
        [(friday.to_owned(), "3".to_owned())],
        "stopped at the decision"
    );
    let open = queue_rows(&b.get("/staff/queue?area=BK2").await.body);
    assert_eq!(open, [(tuesday.to_owned(), format!("6 {overdue}"))]);
    let csrf = csrf_in(&b.get("/staff/account").await.body);
    let close = format!("/staff/requests/{}/close", cases[0].1);
    assert_eq!(b.post(&close, &[("csrf", &csrf)]).await.status, 303);
    let closed = queue_rows(&b.get("/staff/queue?status=closed").await.body);
    assert_eq!(closed, [(friday.to_owned(), "3".to_owned())]);
    assert_eq!(queue_refs(&mut b, "?status=all").await.len(), 4);
}

#[tokio::test]
async fn closed_requests_lose_their_personal_data_after_the_retention_period() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    let (reference, id) = submit_request(&app).await;
    let (_, open_id) = submit_request(&app).await;
    let (carer_reference, carer_id) = submit_carers_referral(&app).await;
    let (_, open_carer_id) = submit_carers_referral(&app).await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    add_user(&app, "carers@brackenshire.example", "carers").await;
    // The carers team decides and closes one referral; the other stays open.
    let mut carers = Browser::new(&app);
    let carers_secret = enrol(&mut carers, &clock, "carers@brackenshire.example").await;
    let csrf = csrf_in(
        &carers
            .get(&format!("/staff/requests/{carer_id}"))
            .await
            .body,
    );
    let page = carers
        .post(
            &format!("/staff/requests/{carer_id}/decision"),
            &[
                ("csrf", &csrf),
                ("outcome", "nfa"),
                ("level", "Level 1: universal services"),
                ("reason", "Carer managing well"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = carers
        .post(
            &format!("/staff/requests/{carer_id}/close"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "hub@brackenshire.example").await;
    let csrf = csrf_in(&b.get(&format!("/staff/requests/{id}")).await.body);
    let level = "Level 1: universal services";
    let page = b
        .post(
            &format!("/staff/requests/{id}/decision"),
            &[
                ("csrf", &csrf),
                ("outcome", "nfa"),
                ("level", level),
                ("reason", "Family doing well"),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    let page = b
        .post(&format!("/staff/requests/{id}/close"), &[("csrf", &csrf)])
        .await;
    assert_eq!(page.status, 303);
    let days = 30;
    // Not yet.
    clock.advance(Duration::from_secs(29 * 86_400));
    assert_eq!(
        signpost::staff::casework::retention::run_once(&app.db, &clock, days)
            .await
            .expect("run"),
        0
    );
    clock.advance(Duration::from_secs(2 * 86_400));
    assert_eq!(
        signpost::staff::casework::retention::run_once(&app.db, &clock, days)
            .await
            .expect("run"),
        2,
        "the closed request and the closed carer's referral"
    );
    let count = |sql: &'static str, id: String| {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query(sql)
                .bind(id)
                .fetch_one(&pool)
                .await
                .expect("count")
                .try_get::<i64, _>(0)
                .expect("n")
        }
    };
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM carer_referral WHERE id = $1",
            carer_id.clone()
        )
        .await,
        0,
        "the carer's answers are deleted"
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM carer_referral WHERE id = $1",
            open_carer_id.clone()
        )
        .await,
        1,
        "an open referral keeps its answers"
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM triage_case WHERE id = $1 AND purged_at IS NOT NULL \
             AND decision_reason IS NULL AND outcode IS NULL AND outcome = 'nfa'",
            carer_id.clone()
        )
        .await,
        1,
        "the referral's figures stay, its personal data goes"
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM triage_event WHERE case_id = $1 AND detail IS NOT NULL",
            carer_id.clone()
        )
        .await,
        0
    );
    let left: i64 = sqlx::query("SELECT COUNT(*) FROM early_help_request WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!(left, 0, "the answers are deleted");
    let row = sqlx::query(
        "SELECT reference, outcome, decision_reason, purged_at FROM triage_case WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .expect("case");
    assert_eq!(row.try_get::<String, _>(0).expect("ref"), reference);
    assert_eq!(
        row.try_get::<Option<String>, _>(1)
            .expect("outcome")
            .as_deref(),
        Some("nfa")
    );
    assert_eq!(row.try_get::<Option<String>, _>(2).expect("reason"), None);
    assert!(row
        .try_get::<Option<String>, _>(3)
        .expect("purged")
        .is_some());
    // An open request is untouched, however old.
    let open: i64 = sqlx::query("SELECT COUNT(*) FROM early_help_request WHERE id = $1")
        .bind(&open_id)
        .fetch_one(app.db.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!(open, 1);
    // Staff see that the answers were deleted; the audit log says so.
    let page = sign_in(&mut b, &clock, "hub@brackenshire.example", &secret).await;
    assert_eq!(page.status, 303);
    let page = b.get(&format!("/staff/requests/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The answers were deleted on"));
    assert!(!page.body.contains("Alexandra"));
    let page = sign_in(
        &mut carers,
        &clock,
        "carers@brackenshire.example",
        &carers_secret,
    )
    .await;
    assert_eq!(page.status, 303);
    let page = carers.get(&format!("/staff/requests/{carer_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&carer_reference));
    assert!(page.body.contains("The answers were deleted on"));
    assert!(!page.body.contains("Morwenna"));
    let purges: i64 =
        sqlx::query("SELECT COUNT(*) FROM audit_event WHERE action = 'retention_purge'")
            .fetch_one(app.db.pool())
            .await
            .expect("count")
            .try_get(0)
            .expect("n");
    assert_eq!(purges, 1, "one run, one audit entry");
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_address_for_15_minutes() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    for _ in 0..4 {
        let page = password_step(&mut b, "hub@brackenshire.example", "wrong password here").await;
        assert_eq!(page.status, 422);
        assert!(page
            .body
            .contains("Enter a correct email address and password"));
    }
    let page = password_step(&mut b, "hub@brackenshire.example", "wrong password here").await;
    assert_eq!(page.status, 429);
    // Even the right password is refused while locked.
    let page = password_step(&mut b, "hub@brackenshire.example", PASSWORD).await;
    assert_eq!(page.status, 429);
    // An address no account has locks the same way (nothing to learn from the lockout).
    for _ in 0..5 {
        password_step(&mut b, "nobody@brackenshire.example", "wrong password here").await;
    }
    assert_eq!(
        password_step(&mut b, "nobody@brackenshire.example", "x")
            .await
            .status,
        429
    );
    clock.advance(Duration::from_secs(15 * 60 + 1));
    let page = password_step(&mut b, "hub@brackenshire.example", PASSWORD).await;
    assert_eq!(page.status, 303, "unlocked after 15 minutes");
    let locked: i64 =
        sqlx::query("SELECT COUNT(*) FROM audit_event WHERE action = 'sign_in_locked'")
            .fetch_one(app.db.pool())
            .await
            .expect("count")
            .try_get(0)
            .expect("n");
    assert!(locked >= 2);
}

async fn attempt(b: &mut Browser<'_>, csrf: String) -> u16 {
    b.post(
        "/staff/sign-in",
        &[
            ("csrf", csrf.as_str()),
            ("email", "hub@brackenshire.example"),
            ("password", "wrong password here"),
        ],
    )
    .await
    .status
}

#[tokio::test]
async fn wrong_passwords_sent_at_once_all_count_towards_the_lockout() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    // Five browsers, each with its own sign-in form, send a wrong password at the same time: a
    // counter read and then written would lose some of them and never lock.
    let mut browsers = [
        Browser::new(&app),
        Browser::new(&app),
        Browser::new(&app),
        Browser::new(&app),
        Browser::new(&app),
    ];
    let mut tokens = Vec::new();
    for b in &mut browsers {
        tokens.push(csrf_in(&b.get("/staff/sign-in").await.body));
    }
    let [b1, b2, b3, b4, b5] = &mut browsers;
    let statuses = tokio::join!(
        attempt(b1, tokens[0].clone()),
        attempt(b2, tokens[1].clone()),
        attempt(b3, tokens[2].clone()),
        attempt(b4, tokens[3].clone()),
        attempt(b5, tokens[4].clone()),
    );
    let mut statuses = vec![statuses.0, statuses.1, statuses.2, statuses.3, statuses.4];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [422, 422, 422, 422, 429],
        "the fifth failure locks"
    );
    let mut b = Browser::new(&app);
    let page = password_step(&mut b, "hub@brackenshire.example", PASSWORD).await;
    assert_eq!(
        page.status, 429,
        "locked: even the right password is refused"
    );
    let row =
        sqlx::query("SELECT failures, locked_until FROM staff_login_throttle WHERE email = $1")
            .bind("hub@brackenshire.example")
            .fetch_one(app.db.pool())
            .await
            .expect("throttle row");
    assert_eq!(row.try_get::<i64, _>(0).expect("failures"), 0);
    assert!(row.try_get::<i64, _>(1).expect("until") > clock.unix());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_counted_at_the_same_moment_are_none_of_them_lost() {
    use signpost::staff::{count_failure, MAX_FAILURES};
    let app = app_with(&Clock::system(), None, false).await;
    let now = Clock::system().unix();
    // Many failures for one address at once, straight at the database: every fifth locks it
    // (and starts the count again), so exactly four of twenty do.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..MAX_FAILURES * 4 {
        let pool = app.db.pool().clone();
        tasks.spawn(async move {
            count_failure(&pool, "many@brackenshire.example", now)
                .await
                .expect("counted")
        });
    }
    let mut locks = 0;
    while let Some(locked) = tasks.join_next().await {
        if locked.expect("task") {
            locks += 1;
        }
    }
    assert_eq!(locks, 4, "one lock per {MAX_FAILURES} failures");
    let row = sqlx::query("SELECT failures FROM staff_login_throttle WHERE email = $1")
        .bind("many@brackenshire.example")
        .fetch_one(app.db.pool())
        .await
        .expect("throttle row");
    assert_eq!(row.try_get::<i64, _>(0).expect("failures"), 0);
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lockout_and_codes_work_once() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "hub@brackenshire.example").await;
    let mut other = Browser::new(&app);
    let page = password_step(&mut other, "hub@brackenshire.example", PASSWORD).await;
    assert_eq!(page.location.as_deref(), Some("/staff/sign-in/code"));
    let csrf = csrf_in(&other.get("/staff/sign-in/code").await.body);
    // The code used at enrolment is not accepted again.
    let used = totp::code_at(&secret, clock.unix()).expect("code");
    let page = other
        .post("/staff/sign-in/code", &[("csrf", &csrf), ("code", &used)])
        .await;
    assert_eq!(page.status, 422);
    for _ in 0..3 {
        let page = other
            .post(
                "/staff/sign-in/code",
                &[("csrf", &csrf), ("code", "000000")],
            )
            .await;
        assert_eq!(page.status, 422);
    }
    let page = other
        .post(
            "/staff/sign-in/code",
            &[("csrf", &csrf), ("code", "000001")],
        )
        .await;
    assert_eq!(page.status, 429, "the fifth failure locks");
    assert_eq!(
        other.get("/staff/sign-in/code").await.status,
        303,
        "half session ended"
    );
}

#[tokio::test]
async fn sessions_end_after_30_idle_minutes_or_12_hours_and_everywhere_on_request() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "hub@brackenshire.example").await;
    // Active every 29 minutes: still signed in.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(29 * 60));
        assert_eq!(b.get("/staff/queue").await.status, 200);
    }
    clock.advance(Duration::from_secs(31 * 60));
    let page = b.get("/staff/queue").await;
    assert_eq!(page.status, 303, "idle for 31 minutes");
    assert_eq!(
        page.location.as_deref(),
        Some(back_after_sign_in("/staff/queue").as_str())
    );

    // Absolute limit: busy all day, out after 12 hours.
    let page = sign_in(&mut b, &clock, "hub@brackenshire.example", &secret).await;
    assert_eq!(page.status, 303);
    for _ in 0..24 {
        clock.advance(Duration::from_secs(29 * 60));
        assert_eq!(b.get("/staff/queue").await.status, 200);
    }
    clock.advance(Duration::from_secs(25 * 60));
    assert_eq!(
        b.get("/staff/queue").await.status,
        303,
        "12 hours after signing in"
    );

    // Sign out everywhere ends the other browser's session too.
    clock.advance(Duration::from_secs(60));
    sign_in(&mut b, &clock, "hub@brackenshire.example", &secret).await;
    let mut other = Browser::new(&app);
    sign_in(&mut other, &clock, "hub@brackenshire.example", &secret).await;
    assert_eq!(other.get("/staff/queue").await.status, 200);
    let csrf = csrf_in(&b.get("/staff/account").await.body);
    let page = b
        .post("/staff/sign-out-everywhere", &[("csrf", &csrf)])
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(other.get("/staff/queue").await.status, 303);
    assert_eq!(b.get("/staff/queue").await.status, 303);
}

#[tokio::test]
async fn state_changing_requests_without_the_right_csrf_token_are_refused() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    let (_, id) = submit_request(&app).await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    enrol(&mut b, &clock, "hub@brackenshire.example").await;
    let path = format!("/staff/requests/{id}/assign");
    for token in [
        "",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let page = b.post(&path, &[("csrf", token)]).await;
        assert_eq!(page.status, 403, "token {token:?}");
        assert!(page.body.contains("This form has expired"));
    }
    let assigned: Option<String> = sqlx::query("SELECT assignee_id FROM triage_case WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("case")
        .try_get(0)
        .expect("assignee");
    assert_eq!(assigned, None, "nothing changed");
    // The sign-in form too: without its double-submit token the password is not even checked.
    let mut fresh = Browser::new(&app);
    let page = fresh
        .post(
            "/staff/sign-in",
            &[
                ("email", "hub@brackenshire.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    // With the right token it works.
    let csrf = csrf_in(&b.get(&format!("/staff/requests/{id}")).await.body);
    assert_eq!(b.post(&path, &[("csrf", &csrf)]).await.status, 303);
}

/// Who may use a staff route, in the role × route table.
enum Access {
    /// Staff with one of these roles get the page or the form's own answer (200, 303, 404 or
    /// 422, never the sign-in page); any other role gets 403; anonymous visitors are sent to
    /// sign in.
    Roles(&'static [&'static str]),
    /// The same answer for everyone, signed in or not: the steps of signing in, which a full
    /// session does not open (their own tests cover them in depth).
    Everyone(u16, Option<&'static str>),
}

const ANY_ROLE: &[&str] = &["hub", "carers", "directory", "admin"];

/// One row of the role × route table: a route of `signpost::staff::STAFF_ROUTES` (its path as
/// the router spells it) tried at a real address.
struct RouteRow {
    method: &'static str,
    template: &'static str,
    path: String,
    access: Access,
    /// Signing out: the browser signs in again after it.
    ends_session: bool,
}

fn row(method: &'static str, template: &'static str, id: &str, access: Access) -> RouteRow {
    RouteRow {
        method,
        template,
        path: template.replace("{id}", id),
        access,
        ends_session: false,
    }
}

#[tokio::test]
async fn every_role_and_anonymous_against_every_staff_route() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    let (_, early_help) = submit_request(&app).await;
    let (_, carers_referral) = submit_carers_referral(&app).await;
    let roles = ["hub", "carers", "directory", "admin"];
    let mut browsers = Vec::new();
    for role in roles {
        let email = format!("{role}@brackenshire.example");
        add_user(&app, &email, role).await;
        let mut b = Browser::new(&app);
        let secret = enrol(&mut b, &clock, &email).await;
        browsers.push((Some((role, email, secret)), b));
    }
    browsers.push((None, Browser::new(&app)));
    use Access::{Everyone, Roles};
    // POSTs carry the browser's own CSRF token and a form that is incomplete on purpose
    // (allowed = 422 or a redirect to the page, never 403). An id nothing has: allowed = 404,
    // refused = 403.
    let none = "no-such-thing";
    let mut routes: Vec<RouteRow> = vec![
        row("GET", "/staff", none, Roles(ANY_ROLE)),
        row("GET", "/staff/", none, Roles(ANY_ROLE)),
        row("GET", "/staff/sign-in", none, Everyone(200, None)),
        // Without the sign-in form's own token.
        row("POST", "/staff/sign-in", none, Everyone(403, None)),
        // No half-finished sign-in: back to the start.
        row(
            "GET",
            "/staff/sign-in/code",
            none,
            Everyone(303, Some("/staff/sign-in")),
        ),
        row(
            "POST",
            "/staff/sign-in/code",
            none,
            Everyone(303, Some("/staff/sign-in")),
        ),
        row(
            "GET",
            "/staff/enrol",
            none,
            Everyone(303, Some("/staff/sign-in")),
        ),
        row(
            "POST",
            "/staff/enrol",
            none,
            Everyone(303, Some("/staff/sign-in")),
        ),
        row("GET", "/staff/account", none, Roles(ANY_ROLE)),
        row("GET", "/staff/account/password", none, Roles(ANY_ROLE)),
        // An empty form: 422.
        row("POST", "/staff/account/password", none, Roles(ANY_ROLE)),
        row("GET", "/staff/queue", none, Roles(&["hub", "carers"])),
        // A request for early help: the Hub's.
        row("GET", "/staff/requests/{id}", &early_help, Roles(&["hub"])),
        row(
            "GET",
            "/staff/requests/{id}/decision",
            &early_help,
            Roles(&["hub"]),
        ),
        row(
            "POST",
            "/staff/requests/{id}/decision",
            &early_help,
            Roles(&["hub"]),
        ),
        row(
            "POST",
            "/staff/requests/{id}/assign",
            &early_help,
            Roles(&["hub"]),
        ),
        row(
            "POST",
            "/staff/requests/{id}/close",
            &early_help,
            Roles(&["hub"]),
        ),
        // A carer's referral: the carers team's.
        row(
            "GET",
            "/staff/requests/{id}",
            &carers_referral,
            Roles(&["carers"]),
        ),
        row(
            "GET",
            "/staff/requests/{id}/decision",
            &carers_referral,
            Roles(&["carers"]),
        ),
        row(
            "POST",
            "/staff/requests/{id}/decision",
            &carers_referral,
            Roles(&["carers"]),
        ),
        row(
            "POST",
            "/staff/requests/{id}/assign",
            &carers_referral,
            Roles(&["carers"]),
        ),
        row(
            "POST",
            "/staff/requests/{id}/close",
            &carers_referral,
            Roles(&["carers"]),
        ),
        row("GET", "/staff/audit", none, Roles(&["admin"])),
        row("GET", "/staff/kpis", none, Roles(&["hub", "admin"])),
        row("GET", "/staff/kpis.csv", none, Roles(&["hub", "admin"])),
        row("GET", "/staff/directory", none, Roles(&["directory"])),
        row(
            "POST",
            "/staff/directory/{id}/archive",
            none,
            Roles(&["directory"]),
        ),
        row(
            "POST",
            "/staff/directory/{id}/reviewed",
            none,
            Roles(&["directory"]),
        ),
        row(
            "GET",
            "/staff/directory/services/new",
            none,
            Roles(&["directory"]),
        ),
        // No service id in the form: allowed = 404, refused = 403.
        row(
            "POST",
            "/staff/directory/services/new",
            none,
            Roles(&["directory"]),
        ),
        row(
            "GET",
            "/staff/directory/services/{id}/edit",
            none,
            Roles(&["directory"]),
        ),
        row(
            "POST",
            "/staff/directory/services/{id}/edit",
            none,
            Roles(&["directory"]),
        ),
        row(
            "GET",
            "/staff/directory/review",
            none,
            Roles(&["directory"]),
        ),
        row(
            "POST",
            "/staff/directory/review/suggestions/{id}/reject",
            none,
            Roles(&["directory"]),
        ),
        row(
            "POST",
            "/staff/directory/review/reports/{id}/resolve",
            none,
            Roles(&["directory"]),
        ),
        row("GET", "/staff/users", none, Roles(&["admin"])),
        row("POST", "/staff/users", none, Roles(&["admin"])),
        row("POST", "/staff/users/{id}/disable", none, Roles(&["admin"])),
        row(
            "POST",
            "/staff/users/{id}/reset-second-factor",
            none,
            Roles(&["admin"]),
        ),
        row("GET", "/staff/users/{id}", none, Roles(&["admin"])),
        row("POST", "/staff/users/{id}/role", none, Roles(&["admin"])),
        row(
            "POST",
            "/staff/users/{id}/password",
            none,
            Roles(&["admin"]),
        ),
        row("GET", "/staff/synonyms", none, Roles(&["admin"])),
        // No terms in the form: allowed = 422, refused = 403.
        row("POST", "/staff/synonyms", none, Roles(&["admin"])),
        // An id no synonym group has: allowed = 404, refused = 403.
        row(
            "POST",
            "/staff/synonyms/{id}/remove",
            none,
            Roles(&["admin"]),
        ),
    ];
    // Last, as they end the session (the browser signs in again after each).
    for template in ["/staff/sign-out", "/staff/sign-out-everywhere"] {
        let mut r = row("POST", template, none, Roles(ANY_ROLE));
        r.ends_session = true;
        routes.push(r);
    }

    // Every staff route the router has is in the table (a new page fails here until its row
    // says who may open it), and every row is a route the router has.
    for (path, method) in signpost::staff::STAFF_ROUTES {
        assert!(
            routes
                .iter()
                .any(|r| r.template == *path && r.method == method.as_str()),
            "the role × route table does not cover {method} {path}: add a row for it"
        );
    }
    for r in &routes {
        assert!(
            signpost::staff::STAFF_ROUTES
                .iter()
                .any(|(p, m)| *p == r.template && m.as_str() == r.method),
            "{} {} is not a staff route",
            r.method,
            r.template
        );
    }

    for (who, b) in &mut browsers {
        let mut csrf = match who {
            Some(_) => csrf_in(&b.get("/staff/account").await.body),
            None => String::new(),
        };
        for r in &routes {
            let (method, path) = (r.method, r.path.as_str());
            let page = if method == "GET" {
                b.get(path).await
            } else {
                b.post(path, &[("csrf", &csrf)]).await
            };
            let role = who.as_ref().map(|(role, _, _)| *role);
            let name = role.unwrap_or("anonymous");
            match (&r.access, role) {
                (Everyone(status, location), _) => {
                    assert_eq!(page.status, *status, "{name} {method} {path}");
                    assert_eq!(
                        page.location.as_deref(),
                        *location,
                        "{name} {method} {path}"
                    );
                }
                (Roles(_), None) => {
                    assert_eq!(page.status, 303, "anonymous {method} {path}");
                    // A staff page asked for by GET is where signing in leads back to.
                    let expected = if method == "GET" && path.len() > "/staff/".len() {
                        back_after_sign_in(path)
                    } else {
                        "/staff/sign-in".to_owned()
                    };
                    assert_eq!(
                        page.location.as_deref(),
                        Some(expected.as_str()),
                        "anonymous {method} {path}"
                    );
                }
                (Roles(allowed), Some(role)) if allowed.contains(&role) => {
                    assert!(
                        matches!(page.status, 200 | 303 | 404 | 422)
                            && !page
                                .location
                                .as_deref()
                                .is_some_and(|l| l.starts_with("/staff/sign-in")),
                        "{role} may {method} {path}: got {} {:?}",
                        page.status,
                        page.location
                    );
                    if r.template == "/staff" || r.template == "/staff/" {
                        let home = match role {
                            "hub" | "carers" => "/staff/queue",
                            "directory" => "/staff/directory",
                            _ => "/staff/audit",
                        };
                        assert_eq!(page.location.as_deref(), Some(home), "{role}'s start page");
                    }
                }
                (Roles(_), Some(role)) => {
                    assert_eq!(page.status, 403, "{role} may not {method} {path}")
                }
            }
            if r.ends_session {
                if let Some((_, email, secret)) = who.as_ref() {
                    assert_eq!(
                        b.get("/staff/account").await.status,
                        303,
                        "{name}: {path} ended the session"
                    );
                    let page = sign_in(b, &clock, email, secret).await;
                    assert_eq!(page.status, 303);
                    csrf = csrf_in(&b.get("/staff/account").await.body);
                }
            }
        }
    }
}

#[tokio::test]
async fn weak_passwords_are_refused_when_accounts_are_created() {
    let app = app_with(&Clock::system(), None, false).await;
    for (password, why) in [("short", "12 characters"), ("qwertyuiop12", "too common")] {
        let err = users::create(
            app.db.pool(),
            &Clock::system(),
            &users::NewUser {
                email: "a@brackenshire.example",
                name: "A",
                role: "hub",
                password,
            },
            None,
        )
        .await
        .expect_err("refused");
        assert!(err.to_string().contains(why), "{err}");
    }
    let hash: String = {
        add_user(&app, "b@brackenshire.example", "admin").await;
        sqlx::query("SELECT password_hash FROM staff_user WHERE email = 'b@brackenshire.example'")
            .fetch_one(app.db.pool())
            .await
            .expect("row")
            .try_get(0)
            .expect("hash")
    };
    assert!(hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn an_admin_disables_an_account_and_resets_a_lost_second_factor() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    add_user(&app, "admin@brackenshire.example", "admin").await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    add_user(&app, "lost@brackenshire.example", "hub").await;
    let mut admin = Browser::new(&app);
    enrol(&mut admin, &clock, "admin@brackenshire.example").await;
    let mut hub = Browser::new(&app);
    enrol(&mut hub, &clock, "hub@brackenshire.example").await;
    let mut lost = Browser::new(&app);
    enrol(&mut lost, &clock, "lost@brackenshire.example").await;
    let pool = app.db.pool().clone();
    let id = |email: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query("SELECT id FROM staff_user WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .expect("user")
                .try_get::<String, _>(0)
                .expect("id")
        }
    };
    let page = admin.get("/staff/users").await;
    assert_eq!(page.status, 200);
    let csrf = csrf_in(&page.body);
    let hub_id = id("hub@brackenshire.example").await;
    let page = admin
        .post(
            &format!("/staff/users/{hub_id}/disable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        hub.get("/staff/queue").await.status,
        303,
        "their session ended"
    );
    let page = password_step(&mut hub, "hub@brackenshire.example", PASSWORD).await;
    assert_eq!(page.status, 422, "a disabled account cannot sign in");

    let lost_id = id("lost@brackenshire.example").await;
    let page = admin
        .post(
            &format!("/staff/users/{lost_id}/reset-second-factor"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(lost.get("/staff/queue").await.status, 303);
    let page = password_step(&mut lost, "lost@brackenshire.example", PASSWORD).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/staff/enrol"),
        "sets up a new app"
    );

    // An admin cannot disable themselves (someone else must).
    let admin_id = id("admin@brackenshire.example").await;
    let page = admin
        .post(
            &format!("/staff/users/{admin_id}/disable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 403);
    let actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_event WHERE subject LIKE 'user:%' ORDER BY at")
            .fetch_all(app.db.pool())
            .await
            .expect("audit")
            .iter()
            .map(|r| r.try_get(0).expect("action"))
            .collect();
    for wanted in [
        "user_created",
        "totp_enrolled",
        "user_disabled",
        "second_factor_reset",
    ] {
        assert!(
            actions.iter().any(|a| a == wanted),
            "{wanted} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn an_admin_changes_a_role_and_sets_a_temporary_password() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    add_user(&app, "admin@brackenshire.example", "admin").await;
    add_user(&app, "sam@brackenshire.example", "hub").await;
    let mut admin = Browser::new(&app);
    enrol(&mut admin, &clock, "admin@brackenshire.example").await;
    let mut sam = Browser::new(&app);
    let sam_secret = enrol(&mut sam, &clock, "sam@brackenshire.example").await;
    let id_of = |email: &'static str| {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query("SELECT id FROM staff_user WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .expect("user")
                .try_get::<String, _>(0)
                .expect("id")
        }
    };
    let role_of = || {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query("SELECT role FROM staff_user WHERE email = 'sam@brackenshire.example'")
                .fetch_one(&pool)
                .await
                .expect("user")
                .try_get::<String, _>(0)
                .expect("role")
        }
    };
    let sam_id = id_of("sam@brackenshire.example").await;
    let admin_id = id_of("admin@brackenshire.example").await;
    let account = format!("/staff/users/{sam_id}");

    // From the accounts page to the account's own page.
    let page = admin.get("/staff/users").await;
    assert!(page.body.contains(&format!(
        r#"href="{account}" class="govuk-link">Change role or password"#
    )));
    let page = admin.get(&account).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Set a temporary password"));
    let csrf = csrf_in(&page.body);

    // The role: refused without the form's token or a role; then changed, at once.
    let role_path = format!("{account}/role");
    let page = admin
        .post(&role_path, &[("csrf", ""), ("role", "carers")])
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(role_of().await, "hub", "nothing changed");
    let page = admin
        .post(&role_path, &[("csrf", &csrf), ("role", "superuser")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose the new role"));
    assert_eq!(
        sam.get("/staff/kpis").await.status,
        200,
        "the Hub sees figures"
    );
    let page = admin
        .post(&role_path, &[("csrf", &csrf), ("role", "carers")])
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(role_of().await, "carers");
    let queue = sam.get("/staff/queue").await;
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains("Carers' referrals"),
        "the new role at once"
    );
    assert_eq!(sam.get("/staff/kpis").await.status, 403);

    // A forgotten password, after Sam locked the address trying.
    let mut other = Browser::new(&app);
    for _ in 0..5 {
        password_step(
            &mut other,
            "sam@brackenshire.example",
            "not my password at all",
        )
        .await;
    }
    assert_eq!(
        password_step(&mut other, "sam@brackenshire.example", PASSWORD)
            .await
            .status,
        429
    );
    let password_path = format!("{account}/password");
    for (weak, why) in [
        ("shortpw1", "12 characters"),
        ("qwertyuiop12", "too common"),
        // The account's name is "Test hub".
        ("i am test hub really", "email address or name"),
    ] {
        let page = admin
            .post(&password_path, &[("csrf", &csrf), ("password", weak)])
            .await;
        assert_eq!(page.status, 422, "{weak}");
        assert!(page.body.contains(why), "{weak}: {why}");
        assert!(!page.body.contains(weak), "the password is not shown again");
    }
    let temporary = "otter meadow lantern";
    let page = admin
        .post(&password_path, &[("csrf", &csrf), ("password", temporary)])
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        sam.get("/staff/queue").await.status,
        303,
        "every session of the account ended"
    );
    let mut fresh = Browser::new(&app);
    assert_eq!(
        password_step(&mut fresh, "sam@brackenshire.example", PASSWORD)
            .await
            .status,
        422,
        "the old password no longer works (and the lockout was lifted)"
    );
    let page = password_step(&mut fresh, "sam@brackenshire.example", temporary).await;
    assert_eq!(page.location.as_deref(), Some("/staff/sign-in/code"));
    let csrf_code = csrf_in(&fresh.get("/staff/sign-in/code").await.body);
    clock.advance(Duration::from_secs(30));
    let code = totp::code_at(&sam_secret, clock.unix()).expect("code");
    let page = fresh
        .post(
            "/staff/sign-in/code",
            &[("csrf", &csrf_code), ("code", &code)],
        )
        .await;
    assert_eq!(page.status, 303);
    // Signed in with the temporary password: nothing opens until Sam chooses their own.
    for path in ["/staff/queue", "/staff/account", "/staff"] {
        let page = fresh.get(path).await;
        assert_eq!(
            page.location.as_deref(),
            Some("/staff/account/password"),
            "{path}"
        );
    }
    let page = fresh.get("/staff/account/password").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("temporary password"));
    let csrf_sam = csrf_in(&page.body);
    let blocked = fresh
        .post(
            "/staff/requests/no-such-request/assign",
            &[("csrf", &csrf_sam)],
        )
        .await;
    assert_eq!(blocked.location.as_deref(), Some("/staff/account/password"));
    let own = "kestrel orchard quilt";
    for (fields, why) in [
        (
            [("current", "wrong wrong wrong"), ("password", own)],
            "Your current password is not correct",
        ),
        (
            [("current", temporary), ("password", temporary)],
            "must be different",
        ),
        (
            [("current", temporary), ("password", "shortpw1")],
            "12 characters",
        ),
    ] {
        let mut pairs = vec![("csrf", csrf_sam.as_str())];
        pairs.extend(fields);
        let page = fresh.post("/staff/account/password", &pairs).await;
        assert_eq!(page.status, 422, "{why}");
        assert!(page.body.contains(why), "{why}");
    }
    let page = fresh
        .post(
            "/staff/account/password",
            &[
                ("csrf", &csrf_sam),
                ("current", temporary),
                ("password", own),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/staff/queue"));
    assert_eq!(fresh.get("/staff/queue").await.status, 200, "free to work");
    let mut again = Browser::new(&app);
    assert_eq!(
        password_step(&mut again, "sam@brackenshire.example", own)
            .await
            .location
            .as_deref(),
        Some("/staff/sign-in/code"),
        "their own password works"
    );

    // Never one's own account (another admin must).
    assert_eq!(
        admin.get(&format!("/staff/users/{admin_id}")).await.status,
        403
    );
    let page = admin
        .post(
            &format!("/staff/users/{admin_id}/role"),
            &[("csrf", &csrf), ("role", "hub")],
        )
        .await;
    assert_eq!(page.status, 403);
    let page = admin
        .post(
            &format!("/staff/users/{admin_id}/password"),
            &[("csrf", &csrf), ("password", temporary)],
        )
        .await;
    assert_eq!(page.status, 403);

    let events: Vec<(String, Option<String>)> = sqlx::query(
        "SELECT action, detail FROM audit_event WHERE subject = $1 ORDER BY at, action",
    )
    .bind(format!("user:{sam_id}"))
    .fetch_all(app.db.pool())
    .await
    .expect("audit")
    .iter()
    .map(|r| (r.try_get(0).expect("action"), r.try_get(1).expect("detail")))
    .collect();
    assert!(
        events.contains(&("role_changed".to_owned(), Some("hub to carers".to_owned()))),
        "{events:?}"
    );
    assert!(
        events.iter().any(|(a, _)| a == "password_set"),
        "{events:?}"
    );
    assert!(
        events.iter().any(|(a, _)| a == "password_changed"),
        "{events:?}"
    );
    let leaked: i64 = sqlx::query(
        "SELECT COUNT(*) FROM audit_event WHERE detail LIKE '%otter%' OR detail LIKE '%kestrel%'",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("count")
    .try_get(0)
    .expect("n");
    assert_eq!(leaked, 0, "the password is never in the audit log");
}

#[tokio::test]
async fn directory_editors_see_stale_listings_and_archive_or_review_them() {
    let clock = Clock::system();
    let app = app_with(&clock, None, true).await;
    let ids: Vec<(String, String)> =
        sqlx::query("SELECT id, name FROM service WHERE status = 'active' ORDER BY id LIMIT 2")
            .fetch_all(app.db.pool())
            .await
            .expect("services")
            .iter()
            .map(|r| (r.try_get(0).expect("id"), r.try_get(1).expect("name")))
            .collect();
    // Every listing reviewed recently, except these two.
    let today = clock.today().expect("today").to_string();
    sqlx::query("UPDATE service SET last_reviewed = $1")
        .bind(&today)
        .execute(app.db.pool())
        .await
        .expect("update");
    for (id, _) in &ids {
        sqlx::query("UPDATE service SET last_reviewed = '2024-01-15' WHERE id = $1")
            .bind(id)
            .execute(app.db.pool())
            .await
            .expect("update");
    }
    add_user(&app, "editor@brackenshire.example", "directory").await;
    let mut b = Browser::new(&app);
    enrol(&mut b, &clock, "editor@brackenshire.example").await;
    let page = b.get("/staff/directory").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("2 listings not reviewed for 12 months"),
        "{}",
        page.body
    );
    let csrf = csrf_in(&page.body);
    let (archived, archived_name) = &ids[0];
    let query: String = url::form_urlencoded::byte_serialize(archived_name.as_bytes()).collect();
    let before = app
        .get(&format!("/search?q={query}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        before.contains(&format!("/services/{archived}")),
        "found before archiving"
    );
    let page = b
        .post(
            &format!("/staff/directory/{archived}/archive"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    let page = b
        .post(
            &format!("/staff/directory/{}/reviewed", ids[1].0),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    let page = b.get("/staff/directory").await;
    assert!(page.body.contains("Every listing has been reviewed"));
    // The archived service leaves the public page and, through the sync queue, the search.
    let public = app.get(&format!("/services/{archived}")).await;
    assert_eq!(public.status().as_u16(), 404);
    let mut gone = false;
    for _ in 0..50 {
        let body = app
            .get(&format!("/search?q={query}"))
            .await
            .text()
            .await
            .expect("body");
        if !body.contains(&format!("/services/{archived}")) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the archived service is still in the search results");
    let actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_event WHERE subject LIKE 'service:%'")
            .fetch_all(app.db.pool())
            .await
            .expect("audit")
            .iter()
            .map(|r| r.try_get(0).expect("action"))
            .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
}

/// The text from `marker` to the end of its element's table (or of the page).
fn section<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or(html.len());
    let rest = &html[start..];
    let end = rest.find("</table>").unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn a_link_opened_before_signing_in_leads_back_to_its_page_and_nowhere_else() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    let (reference, id) = submit_request(&app).await;
    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut b = Browser::new(&app);
    let secret = enrol(&mut b, &clock, "hub@brackenshire.example").await;
    let csrf = csrf_in(&b.get("/staff/account").await.body);
    b.post("/staff/sign-out", &[("csrf", &csrf)]).await;

    // The triage email's link, opened while signed out.
    let wanted = format!("/staff/requests/{id}");
    let page = b.get(&wanted).await;
    assert_eq!(page.status, 303);
    let sign_in_page = back_after_sign_in(&wanted);
    assert_eq!(page.location.as_deref(), Some(sign_in_page.as_str()));
    let page = b.get(&sign_in_page).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!(
            r#"<input type="hidden" name="next" value="{wanted}">"#
        )),
        "the sign-in form carries the page"
    );
    // Signed in already, the link from an email arrives without the cookie (SameSite=Strict);
    // a click on the page's own link sends it.
    assert!(page.body.contains(&format!(
        r#"href="{wanted}" class="govuk-link">go to the page you asked for"#
    )));
    let csrf = csrf_in(&page.body);
    let page = b
        .post(
            "/staff/sign-in",
            &[
                ("csrf", &csrf),
                ("next", &wanted),
                ("email", "hub@brackenshire.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let code_page = page.location.clone().expect("on to the code");
    assert!(
        code_page.starts_with("/staff/sign-in/code?next="),
        "{code_page}"
    );
    let page = b.get(&code_page).await;
    let csrf = csrf_in(&page.body);
    clock.advance(Duration::from_secs(30));
    let code = totp::code_at(&secret, clock.unix()).expect("code");
    let page = b
        .post(
            "/staff/sign-in/code",
            &[("csrf", &csrf), ("next", &wanted), ("code", &code)],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some(wanted.as_str()),
        "back to the request"
    );
    let request = b.get(&wanted).await;
    assert_eq!(request.status, 200);
    assert!(request.body.contains(&reference));

    // Anywhere else is refused: the role's start page instead.
    for hostile in [
        "//evil.example/staff/",
        "https://evil.example/staff/queue",
        "/staff/../request-support",
        "/staff/%2e%2e/x",
        "/staff\\evil.example",
        "/request-support/status",
        "/staff/sign-in?next=/staff/queue",
    ] {
        let csrf = csrf_in(&b.get("/staff/account").await.body);
        b.post("/staff/sign-out", &[("csrf", &csrf)]).await;
        let page = b
            .get(&format!(
                "/staff/sign-in?next={}",
                url::form_urlencoded::byte_serialize(hostile.as_bytes()).collect::<String>()
            ))
            .await;
        assert!(
            !page.body.contains(r#"name="next""#),
            "{hostile} is not carried"
        );
        let csrf = csrf_in(&page.body);
        let page = b
            .post(
                "/staff/sign-in",
                &[
                    ("csrf", &csrf),
                    ("next", hostile),
                    ("email", "hub@brackenshire.example"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            page.location.as_deref(),
            Some("/staff/sign-in/code"),
            "{hostile}"
        );
        let csrf = csrf_in(&b.get("/staff/sign-in/code").await.body);
        clock.advance(Duration::from_secs(30));
        let code = totp::code_at(&secret, clock.unix()).expect("code");
        let page = b
            .post(
                "/staff/sign-in/code",
                &[("csrf", &csrf), ("next", hostile), ("code", &code)],
            )
            .await;
        assert_eq!(page.location.as_deref(), Some("/staff/queue"), "{hostile}");
    }
}
