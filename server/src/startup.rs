//! Building and running the application: used by `main` and by the integration tests alike.

use crate::clock::Clock;
use crate::config::{Environment, SearchSettings, Settings};
use crate::db::{Db, DbError};
use crate::directory::{self, demo, repo};
use crate::mail::{Mail, MailError, Worker};
use crate::search::embedded::EmbeddedIndex;
use crate::search::meili::MeiliIndex;
use crate::search::{sync, Search, SearchError, SearchIndex, Suggester, Synonyms};
use crate::state::AppState;
use crate::{carers, early_help, health, middleware};
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why the server could not start, as one line that says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(
        "cannot listen on {addr}: the port is already in use. Stop the other program or set \
         LEPTOS_SITE_ADDR to a free address, e.g. 127.0.0.1:3001"
    )]
    AddressInUse { addr: SocketAddr },
    #[error(
        "cannot listen on {addr}: {reason}. Set LEPTOS_SITE_ADDR to an address this machine has"
    )]
    Bind { addr: SocketAddr, reason: String },
    #[error("cannot prepare the directory: {0}")]
    Directory(#[from] demo::DemoError),
    #[error("cannot prepare the search index ({engine}): {reason}")]
    Search { engine: String, reason: String },
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// The search engine the settings name, not yet configured or filled.
pub fn open_search(settings: &SearchSettings) -> Result<Search, SearchError> {
    let index: Arc<dyn SearchIndex> = match settings {
        SearchSettings::Embedded { dir } => Arc::new(EmbeddedIndex::open(Some(dir))?),
        SearchSettings::Meilisearch { url, key, index } => {
            Arc::new(MeiliIndex::new(url, key.as_deref(), index)?)
        }
    };
    Ok(Search::new(
        index,
        Synonyms::default(),
        Suggester::default(),
    ))
}

/// The lease a Meilisearch follower holds: one writer per shared index.
pub fn shared_lease_name(settings: &SearchSettings) -> Option<String> {
    match settings {
        SearchSettings::Embedded { .. } => None,
        SearchSettings::Meilisearch { index, .. } => Some(format!("search:{index}")),
    }
}

/// Opens the search engine and brings it in step with the directory (rebuilding it if needed).
/// With Meilisearch only the server holding the index's lease writes it (`server` names this
/// server in leases).
pub async fn prepare_search(
    db: &Db,
    settings: &SearchSettings,
    clock: &Clock,
    server: &str,
) -> Result<Search, StartupError> {
    let failed = |reason: String| StartupError::Search {
        engine: format!("{settings:?}"),
        reason,
    };
    let search = open_search(settings).map_err(|e| failed(e.to_string()))?;
    let leader = match shared_lease_name(settings) {
        None => true,
        Some(name) => crate::lease::try_acquire(db, clock, &name, server, sync::SHARED_LEASE)
            .await
            .map_err(|e| failed(e.to_string()))?,
    };
    match sync::prepare_as(db, &search, leader).await {
        Ok(sync::Prepared::InStep {
            documents,
            caught_up,
        }) => {
            tracing::info!(
                engine = search.engine().as_str(),
                documents,
                caught_up,
                "search index is up to date"
            );
        }
        Ok(sync::Prepared::Rebuilt { documents }) => {
            tracing::info!(
                engine = search.engine().as_str(),
                documents,
                "search index rebuilt from the database"
            );
        }
        Ok(sync::Prepared::Shared { documents }) => {
            tracing::info!(
                engine = search.engine().as_str(),
                documents,
                "search index is written by another server"
            );
        }
        Err(e) => return Err(failed(e.to_string())),
    }
    Ok(search)
}

/// Prunes the change feed once an hour, on one server at a time (lease `feed-prune`).
async fn prune_feed(db: Db, clock: Clock, server: String) {
    loop {
        let pruned = crate::lease::run_exclusive(
            &db,
            &clock,
            "feed-prune",
            &server,
            std::time::Duration::from_secs(50 * 60),
            sync::prune(&db, &clock),
        )
        .await;
        match pruned {
            Some(Ok(0)) | None => {}
            Some(Ok(n)) => tracing::info!(count = n, "pruned the directory change feed"),
            Some(Err(_)) => tracing::warn!("could not prune the directory change feed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// The category tree is stored at every start (it is part of the product); the demo county is
/// loaded once, into an empty directory, when `demo_data` is on.
pub async fn prepare_directory(
    db: &Db,
    demo_data: bool,
    clock: &Clock,
) -> Result<(), demo::DemoError> {
    demo::ensure_taxonomy(db).await?;
    if !demo_data {
        return Ok(());
    }
    let loaded = sqlx::query("SELECT value FROM app_setting WHERE key = 'demo_loaded'")
        .fetch_optional(db.pool())
        .await?
        .is_some();
    if loaded || repo::count_services(db.pool()).await? > 0 {
        return Ok(());
    }
    let count = demo::load(db).await?;
    let now = clock.now();
    sqlx::query(
        "INSERT INTO app_setting (key, value, updated_at) VALUES ('demo_loaded', $1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(count.to_string())
    .bind(now)
    .execute(db.pool())
    .await?;
    tracing::info!(services = count, "loaded the demo county (Brackenshire)");
    Ok(())
}

/// A built application: database connected and migrated, port bound, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    search_worker: tokio::task::JoinHandle<()>,
    search_log_writer: crate::directory::search_log::Writer,
    mail_worker: Worker,
    draft_purge: tokio::task::JoinHandle<()>,
    session_purge: tokio::task::JoinHandle<()>,
    feed_prune: tokio::task::JoinHandle<()>,
    search_lease: Option<crate::lease::Keeper>,
}

impl Application {
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let db = Db::connect_with(
            &settings.database,
            settings.db_max_connections,
            settings.db_timeout,
        )
        .await?;
        db.migrate().await?;
        prepare_directory(&db, settings.demo_data, &settings.staff.clock).await?;
        let server = crate::lease::server_id();
        let clock = settings.staff.clock.clone();
        let search = prepare_search(&db, &settings.search, &clock, &server)
            .await?
            .with_result_cache(settings.search_cache);
        let listener = TcpListener::bind(settings.site_addr)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => StartupError::AddressInUse {
                    addr: settings.site_addr,
                },
                _ => StartupError::Bind {
                    addr: settings.site_addr,
                    reason: e.to_string(),
                },
            })?;
        let local = listener.local_addr().map_err(|e| StartupError::Bind {
            addr: settings.site_addr,
            reason: e.to_string(),
        })?;
        let leptos_options = leptos_options(settings, local);
        let search_lease = shared_lease_name(&settings.search).map(|name| {
            crate::lease::Keeper::start(
                db.clone(),
                clock.clone(),
                name,
                server.clone(),
                sync::SHARED_LEASE,
            )
        });
        let search_worker = sync::spawn_worker(
            db.clone(),
            search.clone(),
            settings.search_sync_interval,
            search_lease.clone(),
        );
        let feed_prune = tokio::spawn(prune_feed(db.clone(), clock.clone(), server.clone()));
        let (search_log, search_log_writer) =
            crate::directory::search_log::SearchLog::start(db.clone());
        let mail = Mail::new(settings.mail.clone());
        let mail_worker = Worker::start(db.clone(), &mail)?;
        let draft_purge = tokio::spawn(crate::forms::purge_drafts(db.clone()));
        let session_purge = tokio::spawn(crate::staff::housekeeping(
            db.clone(),
            settings.staff.clone(),
        ));
        let router = router(
            AppState {
                leptos_options,
                db: db.clone(),
                search,
                mail,
                site: settings.site.clone(),
                clock: settings.staff.clock.clone(),
                staff: settings.staff.clone(),
                directory: Default::default(),
                search_log,
            },
            settings,
        );
        Ok(Self {
            listener,
            router,
            db,
            search_worker,
            search_log_writer,
            mail_worker,
            draft_purge,
            session_purge,
            feed_prune,
            search_lease,
        })
    }

    /// The address actually bound (the port is chosen by the OS when configured as 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight, stops the mail
    /// worker and closes the database pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // With the peer address: the Early Help form limits submissions per IP address.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        self.search_worker.abort();
        self.feed_prune.abort();
        if let Some(lease) = &self.search_lease {
            lease.stop();
        }
        self.search_log_writer
            .finish(std::time::Duration::from_secs(2))
            .await;
        self.draft_purge.abort();
        self.session_purge.abort();
        self.mail_worker
            .stop(std::time::Duration::from_secs(10))
            .await;
        self.db.close().await;
        result
    }
}

fn leptos_options(settings: &Settings, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("signpost")
        .site_root(settings.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(match settings.environment {
            Environment::Development => leptos::config::Env::DEV,
            Environment::Production => leptos::config::Env::PROD,
        })
        .build()
}

fn router(state: AppState, settings: &Settings) -> Router {
    let options = state.leptos_options.clone();
    let stylesheet = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    // The directory's pages have their own handlers (they search before rendering).
    let routes: Vec<_> = generate_route_list(App)
        .into_iter()
        .filter(|r| !directory::HANDLED_PATHS.contains(&r.path()))
        .collect();
    let pages = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(early_help::routes(settings))
        .merge(carers::routes(settings))
        .merge(crate::staff::routes(settings))
        .merge(directory::routes(
            &settings.site.public_url,
            settings.site.submissions_per_hour,
        ))
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state);
    middleware::apply(
        pages,
        middleware::Limits {
            request_timeout: settings.request_timeout,
            max_body_bytes: settings.max_body_bytes,
            stylesheet,
            trusted_proxies: settings.trusted_proxies.clone(),
        },
    )
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
