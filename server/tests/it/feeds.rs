//! Feeds from other systems, on SQLite and PostgreSQL: a real HTTP server in the test serves a
//! neighbouring system's ORUK API from files (`tests/data/feeds/`); Signpost pulls it page by
//! page, keeps its taxonomy and maps it, holds back what is unmapped, archives what is gone,
//! leaves alone what staff edited, lets one puller at a time hold a feed, and fails cleanly —
//! nothing half-written — on hostile answers (huge strings, 10,000 services, invalid UTF-8, a
//! server that stalls).

use crate::common::{spawn_app, TestApp};
use crate::staff::{add_user, app_with, csrf_in, enrol, Browser};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use signpost::clock::Clock;
use signpost::directory::feeds::{self, FeedError, FeedName, FeedUrl};
use signpost::directory::import::ImportReport;
use signpost::directory::mapping;
use signpost::settings::FeedSettings;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const A: &str = "a0000000-0000-4000-8000-00000000000a";
const B: &str = "b0000000-0000-4000-8000-00000000000b";
const C: &str = "c0000000-0000-4000-8000-00000000000c";
const STAY_AND_PLAY: &str = "5b1f0000-0000-4000-8000-000000000001";

fn data(name: &str) -> Option<Vec<u8>> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/feeds")
            .join(name),
    )
    .ok()
}

fn json_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The neighbouring system's API: `version` picks the files it serves; every request is noted.
#[derive(Clone, Default)]
struct FileFeed {
    version: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FileFeed {
    fn router(&self) -> Router {
        Router::new()
            .route("/api/services", get(file_page))
            .route("/api/services/{id}", get(file_service))
            .route("/api/taxonomy_terms/{id}", get(file_term))
            .with_state(self.clone())
    }
    fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn file_page(
    State(feed): State<FileFeed>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let page = query.get("page").cloned().unwrap_or_else(|| "1".into());
    if let Ok(mut r) = feed.requests.lock() {
        r.push(format!(
            "page={page}&per_page={}",
            query.get("per_page").cloned().unwrap_or_default()
        ));
    }
    let v = feed.version.load(Ordering::SeqCst);
    match data(&format!("v{v}-page-{page}.json")) {
        Some(body) => json_response(body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn file_service(State(feed): State<FileFeed>, Path(id): Path<String>) -> Response {
    if let Ok(mut r) = feed.requests.lock() {
        r.push(format!("service={id}"));
    }
    let v = feed.version.load(Ordering::SeqCst);
    match data(&format!("v{v}-service-{id}.json")) {
        Some(body) => json_response(body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn file_term(State(feed): State<FileFeed>, Path(id): Path<String>) -> Response {
    if let Ok(mut r) = feed.requests.lock() {
        r.push(format!("term={id}"));
    }
    let v = feed.version.load(Ordering::SeqCst);
    match data(&format!("v{v}-term-{id}.json")) {
        Some(body) => json_response(body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Serves `router` on a random loopback port; its base address.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// Quick settings for tests: no pauses, short waits.
fn quick() -> FeedSettings {
    FeedSettings {
        pause: Duration::ZERO,
        backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(10),
        ..FeedSettings::defaults()
    }
}

async fn register(app: &TestApp, name: &str, url: &str) {
    feeds::add(
        &app.db,
        &FeedName::parse(name).expect("name"),
        &FeedUrl::parse(url).expect("url"),
        &Clock::system().now(),
    )
    .await
    .expect("registered");
}

async fn load_mapping(app: &TestApp, csv: &str) -> usize {
    let categories = mapping::categories_by_code(app.db.pool())
        .await
        .expect("categories");
    let rows = mapping::parse_csv(csv, &categories).expect("mapping file");
    let now = Clock::system().now();
    let mut tx = signpost::directory::repo::begin_write(app.db.pool())
        .await
        .expect("tx");
    for (row, category) in &rows {
        mapping::set(&mut tx, row.kind, &row.value, *category, &now)
            .await
            .expect("set");
    }
    let changed = mapping::apply(&mut tx, &now).await.expect("apply");
    tx.commit().await.expect("commit");
    changed
}

async fn status_of(app: &TestApp, path: &str) -> u16 {
    app.get(path).await.status().as_u16()
}

async fn one(app: &TestApp, sql: &str, id: &str) -> String {
    sqlx::query(sql)
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get(0)
        .expect("a value")
}

/// Everything Signpost holds of the directory, as text (to prove a failed pull wrote nothing).
async fn snapshot(app: &TestApp) -> String {
    let services = signpost::directory::import::export_services(&app.db)
        .await
        .expect("export");
    let provenance: Vec<(String, String, Option<String>, i64)> =
        sqlx::query("SELECT id, source, source_hash, awaiting_mapping FROM service ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .expect("provenance")
            .iter()
            .map(|r| {
                (
                    r.try_get(0).unwrap(),
                    r.try_get(1).unwrap(),
                    r.try_get(2).unwrap(),
                    r.try_get(3).unwrap(),
                )
            })
            .collect();
    let terms: i64 = sqlx::query("SELECT COUNT(*) FROM foreign_term")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    format!(
        "{}\n{provenance:?}\n{terms}",
        serde_json::to_string(&services).unwrap()
    )
}

#[tokio::test]
async fn a_feed_is_pulled_page_by_page_mapped_and_kept_in_step() {
    let app = spawn_app().await;
    let feed = FileFeed::default();
    feed.version.store(1, Ordering::SeqCst);
    let base = serve(feed.router()).await;
    register(&app, "Wessex", &format!("{base}/api")).await;
    // The mapping file: "Young Carers" by name, the helpline's term by id; "Stay & Play" unmapped.
    let csv = String::from_utf8(data("mapping.csv").unwrap()).unwrap();
    assert_eq!(load_mapping(&app, &csv).await, 0, "nothing to map yet");
    let settings = quick();
    let clock = Clock::system();

    let report = feeds::pull(&app.db, &settings, &clock, "Wessex", "test")
        .await
        .expect("first pull");
    assert_eq!(
        report,
        ImportReport {
            created: 3,
            waiting: 1,
            ..ImportReport::default()
        }
    );
    // Both pages with the largest page size, then the nested record the list lacked.
    assert_eq!(
        feed.requests(),
        vec![
            "page=1&per_page=1000".to_owned(),
            "page=2&per_page=1000".to_owned(),
            format!("service={C}"),
            // The term C only references by id, read from the feed to keep its name.
            "term=5b1f0000-0000-4000-8000-000000000003".to_owned(),
        ]
    );
    assert_eq!(
        one(&app, "SELECT source FROM service WHERE id = $1", B).await,
        "Wessex"
    );

    // The unmapped service is stored but not public anywhere.
    assert_eq!(status_of(&app, &format!("/services/{A}")).await, 404);
    assert_eq!(
        status_of(&app, &format!("/api/oruk/services/{A}")).await,
        404
    );
    assert_eq!(
        status_of(
            &app,
            "/api/oruk/service_at_locations/a0000000-0000-4000-8000-000000005a10"
        )
        .await,
        404,
        "nor is its place"
    );
    let list: Value = app.get("/api/oruk/services").await.json().await.unwrap();
    assert_eq!(list["total_items"], 2, "{list}");
    assert_eq!(status_of(&app, &format!("/services/{B}")).await, 200);

    // Both taxonomies in the API: Signpost's category and the feed's own term.
    let b: Value = app
        .get(&format!("/api/oruk/services/{B}"))
        .await
        .json()
        .await
        .unwrap();
    let terms: Vec<(String, String)> = b["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["taxonomy_term"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                a["taxonomy_term"]["taxonomy"]
                    .as_str()
                    .or(a["taxonomy_term"]["code"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert!(
        terms.contains(&(
            "Groups and clubs".into(),
            "young-carers.groups-and-clubs".into()
        )),
        "{terms:?}"
    );
    assert!(
        terms.contains(&("Young Carers".into(), "Wessex Needs".into())),
        "{terms:?}"
    );
    // The helpline's term was only referenced by id: mapped by id.
    let c: Value = app
        .get(&format!("/api/oruk/services/{C}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(c.to_string().contains("parenting.family-support"), "{c}");
    assert!(
        c.to_string().contains("Parenting Support"),
        "the feed's name for it: {c}"
    );
    // The feed's term is an ORUK taxonomy term of its own, and filters services.
    assert_eq!(
        status_of(&app, &format!("/api/oruk/taxonomy_terms/{STAY_AND_PLAY}")).await,
        200
    );

    // Pulled again unchanged: nothing is written.
    let again = feeds::pull(&app.db, &settings, &clock, "Wessex", "test")
        .await
        .expect("second pull");
    assert_eq!(
        again,
        ImportReport {
            unchanged: 3,
            waiting: 1,
            ..ImportReport::default()
        }
    );

    // Mapping "Stay & Play" makes the waiting service public at once.
    let changed = load_mapping(
        &app,
        "match,value,category\nname,stay-play,parenting.baby-and-toddler-groups\n",
    )
    .await;
    assert_eq!(changed, 1);
    assert_eq!(status_of(&app, &format!("/services/{A}")).await, 200);
    let page: Value = app
        .get("/api/oruk/services?taxonomy_term_id=5b1f0000-0000-4000-8000-000000000001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total_items"], 1, "{page}");

    // The second version: B changed, C gone.
    feed.version.store(2, Ordering::SeqCst);
    let report = feeds::pull(&app.db, &settings, &clock, "Wessex", "test")
        .await
        .expect("pull of version 2");
    assert_eq!(
        report,
        ImportReport {
            updated: 1,
            unchanged: 1,
            archived: 1,
            ..ImportReport::default()
        }
    );
    assert_eq!(
        one(&app, "SELECT name FROM service WHERE id = $1", B).await,
        "Wessex Young Carers Club (Tuesdays)"
    );
    // Archived, not deleted.
    assert_eq!(
        one(&app, "SELECT status FROM service WHERE id = $1", C).await,
        "archived"
    );
    assert_eq!(status_of(&app, &format!("/services/{C}")).await, 404);

    // Staff edit B here: the next pull leaves it as they left it (and brings C back).
    sqlx::query("UPDATE service SET name = 'Edited here', local_override = 1 WHERE id = $1")
        .bind(B)
        .execute(app.db.pool())
        .await
        .unwrap();
    feed.version.store(1, Ordering::SeqCst);
    let report = feeds::pull(&app.db, &settings, &clock, "Wessex", "test")
        .await
        .expect("pull of version 1 again");
    assert_eq!(
        report,
        ImportReport {
            updated: 1,
            unchanged: 1,
            kept: 1,
            ..ImportReport::default()
        }
    );
    assert_eq!(
        one(&app, "SELECT name FROM service WHERE id = $1", B).await,
        "Edited here"
    );
    assert_eq!(
        one(&app, "SELECT status FROM service WHERE id = $1", C).await,
        "active"
    );

    let listed = feeds::list(app.db.pool()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_outcome.as_deref(), Some("ok"));
    assert_eq!(listed[0].report.kept, 1);
    assert_eq!(listed[0].overridden, 1);
    assert!(listed[0].claimed_until.is_none(), "the claim is let go");

    // Search follows (the same sync as every directory write).
    let mut found = false;
    for _ in 0..60 {
        let body = app
            .get("/search?q=stay+and+play")
            .await
            .text()
            .await
            .unwrap();
        if body.contains(&format!("/services/{A}")) {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "the mapped service reaches the search index");
}

#[tokio::test]
async fn one_puller_holds_a_feed_at_a_time_and_a_dead_ones_claim_expires() {
    let app = spawn_app().await;
    register(&app, "Wessex", "http://127.0.0.1:9/api").await;
    let clock = Clock::system();
    let hour = Duration::from_secs(3600);
    // Two servers at once: exactly one claim succeeds.
    let (one_claim, other) = tokio::join!(
        feeds::claim(app.db.pool(), "Wessex", "server-1", &clock, hour, None),
        feeds::claim(app.db.pool(), "Wessex", "server-2", &clock, hour, None),
    );
    assert!(one_claim.unwrap() ^ other.unwrap(), "exactly one holds it");
    // A pull meanwhile is refused, and writes nothing.
    let busy = feeds::pull(&app.db, &quick(), &clock, "Wessex", "server-3").await;
    assert!(matches!(busy, Err(FeedError::Busy(_))), "{busy:?}");
    // The holder died: after its claim's hour, another server takes the feed.
    assert!(
        !feeds::claim(app.db.pool(), "Wessex", "server-3", &clock, hour, None)
            .await
            .unwrap()
    );
    clock.advance(hour + Duration::from_secs(1));
    assert!(
        feeds::claim(app.db.pool(), "Wessex", "server-3", &clock, hour, None)
            .await
            .unwrap()
    );
    // A scheduled pull takes only feeds that are due.
    clock.advance(hour + Duration::from_secs(1));
    let pulled = feeds::pull_due(&app.db, &quick(), &clock, Duration::from_secs(86_400), "s4")
        .await
        .unwrap();
    assert!(pulled.is_empty(), "pulled within the last day: not due");
}

#[tokio::test]
async fn the_server_pulls_registered_feeds_on_its_schedule() {
    let feed = FileFeed::default();
    feed.version.store(2, Ordering::SeqCst);
    let base = serve(feed.router()).await;
    let app = crate::common::spawn_app_with(|s| {
        s.feeds = FeedSettings {
            pull_every: Some(Duration::from_millis(200)),
            ..quick()
        };
    })
    .await;
    register(&app, "Wessex", &format!("{base}/api/services")).await;
    let mut pulled = false;
    for _ in 0..100 {
        let feeds = feeds::list(app.db.pool()).await.unwrap();
        if feeds[0].last_outcome.as_deref() == Some("ok") {
            pulled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(pulled, "the scheduled pull ran");
    // Nothing is mapped: both services wait.
    assert_eq!(feeds::list(app.db.pool()).await.unwrap()[0].waiting, 2);
}

/// A feed API whose one page is whatever `body` gives.
async fn hostile(body: impl Fn() -> Response + Clone + Send + Sync + 'static) -> String {
    let router = Router::new().route(
        "/services",
        get(move || {
            let body = body.clone();
            async move { body() }
        }),
    );
    serve(router).await
}

fn nested_service(i: usize, description: &str) -> Value {
    let id = format!("00000000-0000-4000-8000-{i:012}");
    json!({
        "id": id,
        "name": format!("Service {i}"),
        "description": description,
        "status": "active",
        "organization": {
            "id": "7d0c6a51-3f43-4f7e-9a55-1f5d2c0a0002",
            "name": "Hostile Org",
            "description": "An organisation."
        },
        "url": "https://hostile.example/",
        "attributes": [{
            "id": format!("00000000-0000-4000-9000-{i:012}"),
            "taxonomy_term_id": "hostile-1",
            "taxonomy_term": {"id": "hostile-1", "name": "Anything", "description": "", "taxonomy": "Hostile"}
        }]
    })
}

fn page_of(services: Vec<Value>) -> Value {
    let n = services.len();
    json!({
        "total_items": n, "total_pages": 1, "page_number": 1, "size": n,
        "first_page": true, "last_page": true, "empty": n == 0, "contents": services
    })
}

/// Pulls `url` as feed `name` after a good pull of the file feed, and checks that it failed with
/// `needle` in its message and left the directory exactly as it was.
async fn fails_cleanly(
    app: &TestApp,
    name: &str,
    url: &str,
    settings: &FeedSettings,
    needle: &str,
) {
    register(app, name, url).await;
    let before = snapshot(app).await;
    let started = std::time::Instant::now();
    let result = feeds::pull(&app.db, settings, &Clock::system(), name, "test").await;
    let error = match result {
        Ok(report) => panic!("{name}: the pull succeeded: {report}"),
        Err(e) => e.details(),
    };
    assert!(error.contains(needle), "{name}: {error}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{name} failed in good time"
    );
    assert_eq!(snapshot(app).await, before, "{name}: nothing was written");
    let status = feeds::list(app.db.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap();
    assert_eq!(status.last_outcome.as_deref(), Some("failed"));
    assert!(status.last_error.unwrap_or_default().contains(needle));
    assert!(status.claimed_until.is_none());
}

#[tokio::test]
async fn hostile_feeds_fail_cleanly_with_nothing_half_written() {
    let app = spawn_app().await;
    // A good feed first, so there is something a bad pull could damage.
    let feed = FileFeed::default();
    feed.version.store(1, Ordering::SeqCst);
    let good = serve(feed.router()).await;
    register(&app, "Wessex", &format!("{good}/api")).await;
    feeds::pull(&app.db, &quick(), &Clock::system(), "Wessex", "test")
        .await
        .expect("good pull");

    // Huge strings: a 2 MB description is refused with its record's message.
    let huge = "x".repeat(2 * 1024 * 1024);
    let url = hostile(move || {
        json_response(serde_json::to_vec(&page_of(vec![nested_service(1, &huge)])).unwrap())
    })
    .await;
    fails_cleanly(
        &app,
        "Huge",
        &url,
        &quick(),
        "description: is 2097152 characters long",
    )
    .await;

    // An answer larger than the limit is not read to its end.
    let big = "y".repeat(3 * 1024 * 1024);
    let url = hostile(move || {
        json_response(serde_json::to_vec(&page_of(vec![nested_service(1, &big)])).unwrap())
    })
    .await;
    let small = FeedSettings {
        max_response_bytes: 1024 * 1024,
        ..quick()
    };
    fails_cleanly(&app, "Big", &url, &small, "larger than 1048576 bytes").await;

    // 10,000 services, the last one bad: every record is checked before anything is written.
    let mut many: Vec<Value> = (1..=10_000)
        .map(|i| nested_service(i, "A service among many."))
        .collect();
    many[9_999]["status"] = json!("maybe");
    let many = Arc::new(serde_json::to_vec(&page_of(many)).unwrap());
    let url = hostile({
        let many = many.clone();
        move || json_response(many.as_ref().clone())
    })
    .await;
    fails_cleanly(
        &app,
        "Many",
        &url,
        &quick(),
        "00000000-0000-4000-8000-000000010000: status: 'maybe' is not one of",
    )
    .await;
    // And more services than the limit allows.
    let url = hostile(move || json_response(many.as_ref().clone())).await;
    let limited = FeedSettings {
        max_services: 5_000,
        ..quick()
    };
    fails_cleanly(&app, "Limited", &url, &limited, "more than 5000 services").await;

    // Invalid UTF-8 inside a string.
    let url = hostile(|| {
        let mut body =
            br#"{"total_items":1,"total_pages":1,"contents":[{"id":"x","name":""#.to_vec();
        body.extend_from_slice(&[0xff, 0xfe, 0x80]);
        body.extend_from_slice(br#""}]}"#);
        json_response(body)
    })
    .await;
    fails_cleanly(&app, "Garbled", &url, &quick(), "not ORUK JSON").await;

    // A server that answers the headers, then stalls in the body; and one that never answers.
    let url = raw_server(Some(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{\"total_items\":1,\"contents\":[".to_vec(),
    ))
    .await;
    let impatient = FeedSettings {
        timeout: Duration::from_secs(1),
        attempts: 2,
        ..quick()
    };
    fails_cleanly(
        &app,
        "Stalls",
        &url,
        &impatient,
        "no answer within the timeout",
    )
    .await;
    let silent = raw_server(None).await;
    fails_cleanly(&app, "Silent", &silent, &impatient, "after 2 tries").await;

    // The good feed is as it was, and still pulls.
    let report = feeds::pull(&app.db, &quick(), &Clock::system(), "Wessex", "test")
        .await
        .expect("good pull again");
    assert_eq!(report.unchanged, 3);
}

/// A TCP server that reads each request, writes `start` (if any) and then holds the connection
/// open without another byte.
async fn raw_server(start: Option<Vec<u8>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            if let Some(bytes) = &start {
                let _ = socket.write_all(bytes).await;
                let _ = socket.flush().await;
            }
            held.push(socket);
        }
    });
    format!("http://{addr}/")
}

#[tokio::test]
async fn directory_editors_map_a_feeds_category_and_see_each_feeds_last_pull() {
    let clock = Clock::system();
    let app = app_with(&clock, None, false).await;
    let feed = FileFeed::default();
    feed.version.store(2, Ordering::SeqCst);
    let base = serve(feed.router()).await;
    register(&app, "Wessex", &format!("{base}/api")).await;
    register(&app, "Broken", "http://127.0.0.1:9/api").await;
    feeds::pull(&app.db, &quick(), &clock, "Wessex", "test")
        .await
        .expect("pull");
    let refused = FeedSettings {
        attempts: 1,
        ..quick()
    };
    assert!(feeds::pull(&app.db, &refused, &clock, "Broken", "test")
        .await
        .is_err());

    add_user(&app, "editor@brackenshire.example", "directory").await;
    let mut b = Browser::new(&app);
    enrol(&mut b, &clock, "editor@brackenshire.example").await;
    let page = b.get("/staff/directory").await;
    assert_eq!(page.status, 200);
    let feeds_table = &page.body[page.body.find(r#"id="feeds""#).expect("feeds table")..];
    assert!(feeds_table.contains("Wessex"));
    assert!(feeds_table.contains("2 new, 0 updated, 0 unchanged, 2 waiting for a category"));
    assert!(
        feeds_table.contains("Failed"),
        "the broken feed's pull failed"
    );
    assert!(feeds_table.contains("cannot connect"), "with its error");

    let page = b.get("/staff/directory/mapping").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Stay &amp; Play"), "the unmapped term");
    assert!(page.body.contains(r#"id="waiting""#));
    assert!(page.body.contains("Wessex Stay and Play"));
    let form = b
        .get(&format!("/staff/directory/mapping?term={STAY_AND_PLAY}"))
        .await;
    assert_eq!(form.status, 200);
    let csrf = csrf_in(&form.body);
    // A category must be chosen.
    let refused = b
        .post(
            "/staff/directory/mapping",
            &[
                ("csrf", &csrf),
                ("term", STAY_AND_PLAY),
                ("match", "name"),
                ("category", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Choose one of our categories"));
    let category = sqlx::query(
        "SELECT id FROM taxonomy_term WHERE code = 'parenting.baby-and-toddler-groups'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap()
    .try_get::<String, _>(0)
    .unwrap();
    let done = b
        .post(
            "/staff/directory/mapping",
            &[
                ("csrf", &csrf),
                ("term", STAY_AND_PLAY),
                ("match", "name"),
                ("category", &category),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = b.get(done.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("1 service got the category."),
        "{}",
        page.body
    );
    assert_eq!(status_of(&app, &format!("/services/{A}")).await, 200);
    let audited: i64 =
        sqlx::query("SELECT COUNT(*) FROM audit_event WHERE action = 'taxonomy_mapped'")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
    assert_eq!(audited, 1);

    // Editing a feed's listing here makes it a local override, shown as such; giving it back
    // lets the next pull update it again.
    let path = format!("/staff/directory/services/{B}/edit");
    let form = b.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(form
        .body
        .contains("comes from the feed Wessex. Saving it here"));
    let mut values = crate::directory_editing::form_values(&form.body, &path);
    crate::directory_editing::set(&mut values, "name", "Young Carers Club (edited here)");
    crate::directory_editing::set(&mut values, "categories", &category);
    crate::directory_editing::set(&mut values, "action", "save");
    let saved = crate::directory_editing::post_values(&mut b, &path, &values).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let state = |app: &TestApp| {
        let pool = app.db.pool().clone();
        async move {
            let r =
                sqlx::query("SELECT local_override, awaiting_mapping FROM service WHERE id = $1")
                    .bind(B)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            (
                r.try_get::<i64, _>(0).unwrap(),
                r.try_get::<i64, _>(1).unwrap(),
            )
        }
    };
    assert_eq!(
        state(&app).await,
        (1, 0),
        "edited here, and public with its category"
    );
    assert_eq!(status_of(&app, &format!("/services/{B}")).await, 200);
    let page = b.get("/staff/directory").await;
    assert!(page.body.contains(r#"id="overridden""#));
    let form = b.get(&path).await;
    assert!(form.body.contains("has been edited here"));
    let give_back = b
        .post(
            &format!("/staff/directory/{B}/give-back"),
            &[("csrf", &csrf_in(&page.body))],
        )
        .await;
    assert_eq!(give_back.status, 303);
    assert_eq!(state(&app).await.0, 0);
    let report = feeds::pull(&app.db, &quick(), &clock, "Wessex", "test")
        .await
        .expect("pull after giving back");
    assert_eq!(report.updated, 1, "the feed's version again: {report}");
    assert_eq!(
        one(&app, "SELECT name FROM service WHERE id = $1", B).await,
        "Wessex Young Carers Club (Tuesdays)"
    );
}

#[tokio::test]
async fn the_command_line_registers_pulls_and_maps_a_feed() {
    let dir = tempfile::tempdir().unwrap();
    let feed = FileFeed::default();
    feed.version.store(1, Ordering::SeqCst);
    let base = serve(feed.router()).await;
    let database = format!("sqlite://{}/signpost.db", dir.path().display());
    let index = dir.path().join("search-index");
    let mapping_file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/feeds/mapping.csv");
    let run = |args: Vec<String>| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_signpost"));
        command
            .args(args)
            .env("DATABASE_URL", &database)
            .env("SIGNPOST_SEARCH_DIR", &index)
            .env("SIGNPOST_FEED_PAUSE_MS", "0")
            .env_remove("RUST_LOG")
            .env_remove("SIGNPOST_SEARCH")
            .stdin(std::process::Stdio::null());
        async move {
            let output = tokio::time::timeout(Duration::from_secs(60), command.output())
                .await
                .expect("the command ends")
                .expect("the command runs");
            (
                output.status.success(),
                String::from_utf8_lossy(&output.stdout).to_string(),
                String::from_utf8_lossy(&output.stderr).to_string(),
            )
        }
    };
    let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let url = format!("{base}/api");

    let (ok, _, err) = run(args(&["feeds", "add", "Wessex", &url])).await;
    assert!(ok, "{err}");
    assert!(err.contains("registered the feed Wessex"), "{err}");
    let (ok, _, err) = run(args(&["feeds", "add", "Wessex", &url])).await;
    assert!(!ok && err.contains("already a feed called Wessex"), "{err}");
    let (ok, _, err) = run(args(&["feeds", "add", "Bad", "ftp://x.example/"])).await;
    assert!(!ok && err.contains("is not an http(s) address"), "{err}");

    let (ok, _, err) = run(vec![
        "mapping".into(),
        "load".into(),
        mapping_file.display().to_string(),
    ])
    .await;
    assert!(ok, "{err}");
    assert!(err.contains("loaded 2 mapping row(s)"), "{err}");

    let (ok, _, err) = run(args(&["feeds", "pull"])).await;
    assert!(ok, "{err}");
    assert!(
        err.contains("Wessex: 3 created, 0 updated, 0 unchanged, 1 waiting for a category mapping"),
        "{err}"
    );
    let (ok, out, _) = run(args(&["mapping", "list"])).await;
    assert!(ok);
    assert!(
        out.contains("name,young carers,young-carers.groups-and-clubs"),
        "{out}"
    );
    let (ok, out, _) = run(args(&["feeds", "list"])).await;
    assert!(ok);
    assert!(
        out.contains("Wessex") && out.contains("2 listed, 1 waiting"),
        "{out}"
    );
    let (ok, _, err) = run(args(&["feeds", "pull", "Nowhere"])).await;
    assert!(!ok && err.contains("no feed called Nowhere"), "{err}");
}
