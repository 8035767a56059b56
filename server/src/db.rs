//! Storage: one sqlx `AnyPool` over SQLite (the default, a file) or PostgreSQL, with the same
//! queries and the same migrations (`migrations/`, portable SQL) for both.
//!
//! Portable SQL here means: `TEXT` ids (UUIDs as strings), `TEXT` timestamps in RFC 3339 UTC,
//! `BIGINT`/`INTEGER`, `BOOLEAN`, `$1`-style parameters (both drivers accept them), no
//! backend-specific functions.

use crate::settings::database::DatabaseUrl;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};
use std::collections::BTreeSet;
use std::time::Duration;

/// A transaction on either database (every write that must land together).
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// The migrations, embedded in the binary.
///
/// `ignore_missing`: a database may hold migrations this binary does not know, applied by a
/// newer release. During a rolling upgrade (docs/operations.md) the older servers keep running
/// and may restart on the schema the newer one has expanded; migrations are written
/// expand-then-contract so that the previous release works on it. Without this, sqlx refuses
/// to start an older binary on that database (and a rollback would need the database edited).
pub static MIGRATOR: Migrator = Migrator {
    ignore_missing: true,
    ..sqlx::migrate!("../migrations")
};

/// Which database engine a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The application's database handle (cheap to clone).
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// Why the database cannot be used, as one line that says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "cannot reach the PostgreSQL server at {server}: {reason}. Check DATABASE_URL and that \
         the server is running and accepts connections"
    )]
    Unreachable { server: String, reason: String },
    #[error("cannot open the SQLite database {path}: {reason}. Check DATABASE_URL and that the folder is writable")]
    Sqlite { path: String, reason: String },
    #[error("the database refused the connection: {0}. Check the user, password and database name in DATABASE_URL")]
    Refused(String),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(String),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// What `/readyz` reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Readiness {
    pub database: bool,
    pub migrations_applied: usize,
    pub migrations_expected: usize,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database && self.migrations_applied == self.migrations_expected
    }
}

impl Db {
    /// Connects, creating the SQLite file (and its folder) when needed.
    pub async fn connect_with(
        url: &DatabaseUrl,
        max_connections: u32,
        timeout: Duration,
    ) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = match url {
            DatabaseUrl::Sqlite { path } => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| DbError::Sqlite {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    })?;
                }
                Backend::Sqlite
            }
            DatabaseUrl::Postgres { .. } => Backend::Postgres,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite {
                // One writer at a time is SQLite's model; a few readers share the file.
                max_connections.min(4)
            } else {
                max_connections
            })
            .acquire_timeout(timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url.connect_url())
            .await;
        let pool = match pool {
            Ok(pool) => pool,
            // The pool only says it timed out; one direct attempt says why (refused, unknown
            // host, bad password...).
            Err(sqlx::Error::PoolTimedOut) => {
                let direct = tokio::time::timeout(
                    timeout,
                    <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connect_url()),
                )
                .await;
                return Err(match direct {
                    Ok(Err(e)) => connect_error(url, e),
                    _ => connect_error(url, sqlx::Error::PoolTimedOut),
                });
            }
            Err(e) => return Err(connect_error(url, e)),
        };
        Ok(Self { pool, backend })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies any migrations not yet applied.
    pub async fn migrate(&self) -> Result<(), DbError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| DbError::Migrate(e.to_string()))
    }

    /// Is the database reachable, and are all of this binary's migrations applied?
    pub async fn readiness(&self) -> Readiness {
        let expected: BTreeSet<i64> = MIGRATOR
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| m.version)
            .collect();
        let applied = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_all(&self.pool)
            .await;
        match applied {
            Ok(rows) => {
                let applied: BTreeSet<i64> = rows
                    .iter()
                    .filter_map(|row: &AnyRow| row.try_get::<i64, _>(0).ok())
                    .collect();
                Readiness {
                    database: true,
                    migrations_applied: expected.intersection(&applied).count(),
                    migrations_expected: expected.len(),
                }
            }
            // The table is missing before the first migration; the database may still be up.
            Err(_) => Readiness {
                database: sqlx::query("SELECT 1").execute(&self.pool).await.is_ok(),
                migrations_applied: 0,
                migrations_expected: expected.len(),
            },
        }
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn connect_error(url: &DatabaseUrl, error: sqlx::Error) -> DbError {
    let reason = one_line(&error.to_string());
    match url {
        DatabaseUrl::Sqlite { path } => DbError::Sqlite {
            path: path.display().to_string(),
            reason,
        },
        DatabaseUrl::Postgres { .. } => match &error {
            sqlx::Error::Database(_) => DbError::Refused(reason),
            _ => DbError::Unreachable {
                server: url.server().unwrap_or_default(),
                reason,
            },
        },
    }
}

/// Error texts from drivers can span lines; messages to the operator must not.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
