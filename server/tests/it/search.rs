//! The search index stays in step with the directory (the database is the source of truth), on
//! SQLite and PostgreSQL: writes reach the index through the queue, a write that cannot reach the
//! index is kept and retried, start-up rebuilds an index that is missing or out of date, and
//! hostile filter values are data, never syntax — on the embedded engine, and on Meilisearch when
//! `MEILI_URL` is set; and, on Meilisearch only, that its settings are applied idempotently and
//! that a task it fails reaches the caller as an error.

use crate::common::spawn_app_with_demo;
use serde_json::Value;
use signpost::config::SearchSettings;
use signpost::db::Db;
use signpost::directory::{demo, import};
use signpost::search::meili::MeiliIndex;
use signpost::search::{
    sync, Filters, QueryText, SearchDocument, SearchError, SearchIndex, SearchQuery, SortOrder,
    Synonyms,
};
use signpost::startup::open_search;
use std::time::{Duration, Instant};

async fn api_total(app: &crate::common::TestApp, search: &str) -> u64 {
    let body: Value = app
        .get(&format!("/api/oruk/services?search={search}"))
        .await
        .json()
        .await
        .unwrap();
    body["total_items"].as_u64().unwrap()
}

/// Exports one demo service, renames it and imports it again (as an editor or a feed would).
async fn rename(db: &Db, key: &str, name: &str) {
    let id = demo::id("service", key).to_string();
    let services = import::export_services(db).await.unwrap();
    let mut service = serde_json::to_value(services.iter().find(|s| s.id == id).unwrap()).unwrap();
    service["name"] = Value::String(name.to_owned());
    import::import_services(db, &[service]).await.unwrap();
}

#[tokio::test]
async fn directory_writes_reach_the_index() {
    let app = spawn_app_with_demo().await;
    assert_eq!(api_total(&app, "Quokkaville").await, 0);
    rename(
        &app.db,
        "spectrum-autism-family-group-brackenfield",
        "Quokkaville autism group",
    )
    .await;
    // The follower (every 100 ms in tests) takes the change in and reaches the feed's head.
    let started = Instant::now();
    loop {
        let found = api_total(&app, "Quokkaville").await == 1;
        let ready: Value = app.get("/readyz").await.json().await.unwrap();
        let pending = ready["search"]["pending_changes"].as_i64().unwrap();
        if found && pending == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the change reached the index and the queue emptied (found: {found}, pending: {pending})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(
        ready["search"]["engine"],
        crate::common::search_engine_name()
    );
    assert_eq!(ready["search"]["pending_changes"], 0);
}

#[tokio::test]
async fn a_change_that_cannot_reach_the_index_is_kept_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    // No server runs here: this test drives the follower's passes itself.
    let db = crate::common::demo_database(dir.path()).await;
    // A real Meilisearch adapter pointed at a port where nothing listens: every update fails.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = open_search(&SearchSettings::Meilisearch {
        url: format!("http://127.0.0.1:{port}"),
        key: None,
        index: "unreachable".into(),
    })
    .unwrap();
    // An embedded index in step with the directory before the edit.
    let up = open_search(&SearchSettings::Embedded {
        dir: dir.path().join("index"),
    })
    .unwrap();
    sync::prepare(&db, &up).await.unwrap();
    let before = up.feed().snapshot().cursor.unwrap();
    rename(&db, "focus-adhd-helpline", "Wombatfield ADHD helpline").await;
    let head = sync::head(db.pool()).await.unwrap();
    assert!(head.last_seq > before);

    // The unreachable engine cannot take it in: an error, and the feed keeps the change.
    assert!(sync::run_once(&db, &down).await.is_err());
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_change WHERE seq > $1")
        .bind(before)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(kept >= 1, "nothing is dropped from the feed");
    // The database write stands.
    let stored = import::export_services(&db).await.unwrap();
    assert!(stored.iter().any(|s| s.name == "Wombatfield ADHD helpline"));

    // The embedded index follows from its own cursor and takes the change in.
    // (The service and its organisation's other services, whose documents name it.)
    let pass = sync::run_once(&db, &up).await.unwrap();
    assert!(pass.applied >= 1);
    assert!(!pass.rebuilt);
    assert_eq!(up.feed().snapshot().cursor, Some(head.last_seq));
    assert_eq!(up.feed().snapshot().lag, 0);
    let query = SearchQuery::new(
        QueryText::parse("wombatfield").unwrap(),
        Filters::default(),
        None,
        SortOrder::Relevance,
        1,
        10,
    )
    .unwrap();
    let found = up.search(&query).await.unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(
        found.hits[0].id,
        demo::id("service", "focus-adhd-helpline").to_string()
    );
    db.close().await;
}

#[tokio::test]
async fn start_up_rebuilds_a_missing_or_stale_index_and_keeps_one_in_step() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::common::demo_database(dir.path()).await;
    let settings = SearchSettings::Embedded {
        dir: dir.path().join("index"),
    };
    let search = open_search(&settings).unwrap();
    assert_eq!(
        sync::prepare(&db, &search).await.unwrap(),
        sync::Prepared::Rebuilt { documents: 355 },
        "a missing index is built"
    );
    drop(search);
    let search = open_search(&settings).unwrap();
    assert_eq!(
        sync::prepare(&db, &search).await.unwrap(),
        sync::Prepared::InStep {
            documents: 355,
            caught_up: 0
        },
        "an index in step is kept"
    );
    // A change made behind the index's back (not through the feed): the fingerprint tells.
    sqlx::query("UPDATE service SET status = 'archived', last_modified = '2026-11-22T09:00:00Z' WHERE id = $1")
        .bind(demo::id("service", "focus-adhd-helpline").to_string())
        .execute(db.pool())
        .await
        .unwrap();
    drop(search);
    let search = open_search(&settings).unwrap();
    assert_eq!(
        sync::prepare(&db, &search).await.unwrap(),
        sync::Prepared::Rebuilt { documents: 354 },
        "a stale index is rebuilt; archived services leave it"
    );
    db.close().await;
}

/// Filter values that try to be filter syntax match nothing and break nothing.
async fn hostile_filters_are_data(settings: SearchSettings) {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::common::demo_database(dir.path()).await;
    let search = open_search(&settings).unwrap();
    sync::prepare(&db, &search).await.unwrap();
    let all = |filters: Filters| {
        SearchQuery::new(
            QueryText::default(),
            filters,
            None,
            SortOrder::Relevance,
            1,
            10,
        )
        .unwrap()
    };
    let everything = search.search(&all(Filters::default())).await.unwrap().total;
    assert_eq!(everything, 355);
    for hostile in [
        r#"young-carers" OR free = false OR categories = "x"#,
        r#"x"] OR id EXISTS OR categories IN ["y"#,
        r"\",
        "\" OR _geoRadius(0, 0, 99999999) OR \"",
        "young-carers OR id EXISTS",
        "",
    ] {
        let filters = Filters {
            categories: vec![hostile.to_owned()],
            ..Filters::default()
        };
        let r = search.search(&all(filters)).await;
        let r = r.unwrap_or_else(|e| panic!("{hostile:?} is an error: {e}"));
        assert_eq!(r.total, 0, "{hostile:?} matches nothing");
        let filters = Filters {
            languages: vec![hostile.to_owned()],
            ..Filters::default()
        };
        assert_eq!(
            search.search(&all(filters)).await.unwrap().total,
            0,
            "{hostile:?}"
        );
    }
    db.close().await;
}

#[tokio::test]
async fn hostile_filter_values_are_data_in_the_embedded_engine() {
    let dir = tempfile::tempdir().unwrap();
    hostile_filters_are_data(SearchSettings::Embedded {
        dir: dir.path().join("index"),
    })
    .await;
}

#[tokio::test]
async fn hostile_filter_values_are_data_in_meilisearch() {
    match std::env::var("MEILI_URL") {
        Ok(url) if !url.trim().is_empty() => {
            hostile_filters_are_data(SearchSettings::Meilisearch {
                url,
                key: std::env::var("MEILI_MASTER_KEY").ok(),
                index: crate::common::unique_name("signpost_hostile"),
            })
            .await;
        }
        _ => crate::common::loud_skip(
            "Meilisearch: MEILI_URL is not set, so hostile filter values were tested on the \
             embedded engine only",
        ),
    }
}

#[tokio::test]
async fn the_follower_never_waits_for_a_directory_write_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::common::demo_database(dir.path()).await;
    if db.backend() != signpost::db::Backend::Postgres {
        println!(
            "NOTE: this test runs on PostgreSQL only (TEST_DATABASE_URL or scripts/with-postgres.sh): \
             SQLite has one writer at a time and no row locks"
        );
        db.close().await;
        return;
    }
    let search = open_search(&SearchSettings::Embedded {
        dir: dir.path().join("index"),
    })
    .unwrap();
    sync::rebuild(&db, &search).await.unwrap();
    let held = demo::id("service", "focus-adhd-helpline").to_string();
    let free = demo::id("service", "spectrum-autism-family-group-brackenfield").to_string();
    let mut tx = db.pool().begin().await.unwrap();
    sync::enqueue(&mut tx, &held).await.unwrap();
    sync::enqueue(&mut tx, &free).await.unwrap();
    tx.commit().await.unwrap();
    // A directory write takes the next change number and keeps its transaction open (as a long
    // import does, while it changes many more services).
    let mut writer = db.pool().begin().await.unwrap();
    sync::enqueue(&mut writer, &held).await.unwrap();
    // The follower takes in the committed change without waiting for the writer.
    let pass = tokio::time::timeout(Duration::from_secs(10), sync::run_once(&db, &search))
        .await
        .expect("the follower waited for a writer")
        .unwrap();
    assert_eq!(pass.applied, 2);
    let cursor = search.feed().snapshot().cursor.unwrap();
    writer.commit().await.unwrap();
    // The writer's change has a higher number: the next pass takes it in.
    let pass = sync::run_once(&db, &search).await.unwrap();
    assert_eq!(pass.applied, 1);
    assert!(search.feed().snapshot().cursor.unwrap() > cursor);
    db.close().await;
}

/// The Meilisearch server the tests may use (`MEILI_URL`, `MEILI_MASTER_KEY`), if any.
fn meilisearch() -> Option<(String, Option<String>)> {
    match std::env::var("MEILI_URL") {
        Ok(url) if !url.trim().is_empty() => Some((url, std::env::var("MEILI_MASTER_KEY").ok())),
        _ => None,
    }
}

/// The index's settings as Meilisearch reports them.
async fn meili_settings(url: &str, key: Option<&str>, uid: &str) -> Value {
    let client = meilisearch_sdk::client::Client::new(url, key).expect("client");
    let settings = client
        .index(uid)
        .get_settings()
        .await
        .expect("settings read back");
    serde_json::to_value(settings).expect("settings as JSON")
}

#[tokio::test]
async fn meilisearch_settings_applied_twice_are_the_same_and_no_error() {
    let Some((url, key)) = meilisearch() else {
        crate::common::loud_skip(
            "Meilisearch: MEILI_URL is not set, so applying the index settings twice was not tested",
        );
        return;
    };
    let uid = crate::common::unique_name("signpost_configure");
    let index = MeiliIndex::new(&url, key.as_deref(), &uid).expect("client");
    let synonyms = Synonyms::from_groups([["asd", "autism"], ["respite", "short breaks"]]);
    index.configure(&synonyms).await.expect("first configure");
    let first = meili_settings(&url, key.as_deref(), &uid).await;
    assert_eq!(
        first["synonyms"]["asd"],
        serde_json::json!(["autism"]),
        "the synonyms are set: {first}"
    );
    assert_eq!(first["stopWords"], serde_json::json!([]), "{first}");
    index
        .configure(&synonyms)
        .await
        .expect("configure again: no error");
    let second = meili_settings(&url, key.as_deref(), &uid).await;
    assert_eq!(first, second, "configuring again changes nothing");
}

#[tokio::test]
async fn a_failed_meilisearch_task_is_an_error_to_the_caller() {
    let Some((url, key)) = meilisearch() else {
        crate::common::loud_skip(
            "Meilisearch: MEILI_URL is not set, so a failing Meilisearch task was not tested",
        );
        return;
    };
    let uid = crate::common::unique_name("signpost_task_failed");
    let index = MeiliIndex::new(&url, key.as_deref(), &uid).expect("client");
    index
        .configure(&Synonyms::default())
        .await
        .expect("configure");
    // Meilisearch accepts the documents (the request succeeds) and then fails the task: a
    // document id may only hold letters, digits, `-` and `_`.
    let document = SearchDocument {
        id: "not a valid id!".into(),
        name: "Stay and play".into(),
        organization: "Brackenshire Council".into(),
        summary: String::new(),
        description: String::new(),
        category_names: vec![],
        place: String::new(),
        categories: vec![],
        age_min: 0,
        age_max: 5,
        age_bands: vec![],
        free: true,
        days: vec![],
        times: vec![],
        school_holidays: false,
        modes: vec![],
        wheelchair: false,
        languages: vec![],
        route: "self".into(),
        geo: None,
    };
    match index.apply(vec![document.clone()], vec![], "test").await {
        Err(SearchError::TaskFailed(message)) => {
            assert!(
                message.to_lowercase().contains("invalid"),
                "Meilisearch's own message: {message}"
            );
        }
        other => panic!("a failed task must be SearchError::TaskFailed, got {other:?}"),
    }
    match index
        .replace_all(vec![document], &Synonyms::default(), "test")
        .await
    {
        Err(SearchError::TaskFailed(_)) => {}
        other => panic!("a failed rebuild task must be SearchError::TaskFailed, got {other:?}"),
    }
}
