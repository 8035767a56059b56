//! Test harness: starts the real server (the same `startup::Application` as production) on an
//! ephemeral port against a fresh database.
//!
//! The database is SQLite (a temporary file) unless `TEST_DATABASE_URL` is set to a PostgreSQL
//! server, in which case each test gets its own new database on that server (the user must be
//! allowed to create databases). `make test` runs the suite both ways.
#![allow(dead_code)]

pub mod journey;
pub mod smtp;

use signpost::config::{DatabaseUrl, Environment, LogFormat, SearchSettings, Settings};
use signpost::db::{Backend, Db};
use signpost::mail::MailSettings;
use signpost::settings::SiteSettings;
use signpost::startup::Application;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub database: DatabaseUrl,
    /// The search engine this server was started with.
    pub search: SearchSettings,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// A server started some other way (e.g. the binary), for the same request helpers.
    pub fn external(address: &str, db: Db, database: DatabaseUrl) -> TestApp {
        TestApp {
            address: address.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            db,
            database,
            search: SearchSettings::Embedded {
                dir: PathBuf::from("search-index"),
            },
            stop: None,
            _dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Which backend this test run uses.
pub fn backend() -> Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// A fresh, empty database for one test.
pub async fn fresh_database(dir: &std::path::Path) -> DatabaseUrl {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let admin =
                DatabaseUrl::parse(&url).expect("TEST_DATABASE_URL is not a PostgreSQL URL");
            let DatabaseUrl::Postgres { url: admin_url } = admin.clone() else {
                panic!("TEST_DATABASE_URL must be a postgres:// URL");
            };
            static COUNTER: AtomicU32 = AtomicU32::new(0);
            let name = format!(
                "signpost_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or_default()
            );
            let db = Db::connect_with(&admin, 1, Duration::from_secs(10))
                .await
                .expect("cannot connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(db.pool())
                .await
                .expect("cannot create a test database (does the user have CREATEDB?)");
            db.close().await;
            let mut url = admin_url;
            url.set_path(&format!("/{name}"));
            DatabaseUrl::Postgres { url }
        }
        _ => DatabaseUrl::Sqlite {
            path: dir.join("signpost-test.db"),
        },
    }
}

/// The search engine for tests: Meilisearch when `TEST_SEARCH=meilisearch` and `MEILI_URL` are
/// set (each test gets its own index), otherwise the embedded engine in the test's folder.
pub fn search_settings(dir: &std::path::Path) -> SearchSettings {
    match (
        std::env::var("TEST_SEARCH").as_deref(),
        std::env::var("MEILI_URL"),
    ) {
        (Ok("meilisearch"), Ok(url)) if !url.trim().is_empty() => SearchSettings::Meilisearch {
            url,
            key: std::env::var("MEILI_MASTER_KEY").ok(),
            index: unique_name("signpost_test"),
        },
        _ => SearchSettings::Embedded {
            dir: dir.join("search-index"),
        },
    }
}

/// A fresh, migrated database with the demo county loaded, without a server.
pub async fn demo_database(dir: &std::path::Path) -> Db {
    let url = fresh_database(dir).await;
    let db = Db::connect_with(&url, 5, Duration::from_secs(10))
        .await
        .expect("database");
    db.migrate().await.expect("migrations");
    signpost::startup::prepare_directory(&db, true, &signpost::clock::Clock::system())
        .await
        .expect("demo county");
    db
}

/// The engine `search_settings` picks: "embedded" or "meilisearch".
pub fn search_engine_name() -> &'static str {
    match search_settings(std::path::Path::new(".")) {
        SearchSettings::Embedded { .. } => "embedded",
        SearchSettings::Meilisearch { .. } => "meilisearch",
    }
}

/// Says on the terminal that a test skipped something. Written straight to standard error, not
/// through `eprintln!`, which the test harness captures (and hides) for passing tests: a skip
/// must never pass silently.
pub fn loud_skip(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n!!! SKIPPED: {message} !!!\n");
}

/// A name no other test in any run uses.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default()
    )
}

pub fn settings(database: DatabaseUrl, dir: &std::path::Path) -> Settings {
    Settings {
        database,
        site_addr: "127.0.0.1:0".parse().expect("address"),
        site_root: PathBuf::from("../target/site"),
        environment: Environment::Development,
        log_format: LogFormat::Pretty,
        log_filter: "warn".into(),
        request_timeout: Duration::from_secs(10),
        max_body_bytes: 64 * 1024,
        db_max_connections: 5,
        db_timeout: Duration::from_secs(10),
        // Most tests want an empty directory; `spawn_app_with_demo` loads the demo county.
        demo_data: false,
        search: search_settings(dir),
        search_sync_interval: Duration::from_millis(100),
        search_cache: signpost::search::cache::DEFAULT_ENTRIES,
        trusted_proxies: Vec::new(),
        // Emails go to files in the test's own folder (set in `spawn_app_with`) unless a test
        // points them at an SMTP server.
        mail: MailSettings::files(dir.join("mail")).expect("mail settings"),
        // Links in emails point at the usual local address.
        site: SiteSettings::defaults("127.0.0.1:3000".parse().expect("address")),
        // Plain http in the tests: no Secure flag, or the client would not send the cookie.
        staff: signpost::staff::StaffSettings::defaults(false),
    }
}

/// Starts the application on a random port against a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the application with the demo county loaded (as on a first real start).
pub async fn spawn_app_with_demo() -> TestApp {
    spawn_app_with(|s| s.demo_data = true).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = fresh_database(dir.path()).await;
    start_in(dir, database, adjust).await
}

/// Starts another server on an existing database (as a second server behind a proxy would be):
/// its own folder, so its own embedded index and mail folder.
pub async fn spawn_app_on(database: &DatabaseUrl, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    start_in(dir, database.clone(), adjust).await
}

async fn start_in(
    dir: tempfile::TempDir,
    database: DatabaseUrl,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = settings(database.clone(), dir.path());
    adjust(&mut settings);
    let app = Application::build(&settings)
        .await
        .expect("application builds");
    let address = format!("http://{}", app.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let db = Db::connect_with(&database, 2, Duration::from_secs(10))
        .await
        .expect("test connection");
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        database,
        search: settings.search.clone(),
        stop: Some(stop),
        _dir: dir,
    }
}
