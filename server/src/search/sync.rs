//! Keeping the search index in step with the directory.
//!
//! * A directory write calls [`enqueue`] inside its own transaction, so the queue row exists if
//!   and only if the write committed.
//! * [`Worker`] applies queued rows to the index in batches: services that exist (and are not
//!   archived) are upserted, the rest deleted. A batch that fails stays queued and is retried
//!   with exponential backoff and jitter (1 s, 2 s, 4 s … up to 5 minutes); the database write is
//!   never undone. A row queued again while its batch was being applied has a higher
//!   `generation` and stays queued.
//! * [`prepare`] runs at start-up: it applies the settings and synonyms, and rebuilds the index
//!   when it is missing or its fingerprint is not the directory's.
//! * [`rebuild`] is `signpost reindex`.

use super::{document, synonyms, Search, SearchError, Suggester};
use crate::clock;
use crate::db::Db;
use crate::db::Tx;
use sqlx::{AnyPool, Row};
use std::time::Duration;

/// Services per batch.
const BATCH: i64 = 500;
/// The longest wait between attempts.
const MAX_BACKOFF_SECS: u64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Queues a service for the index, in the transaction that changed it.
pub async fn enqueue(tx: &mut Tx<'_>, service_id: &str) -> Result<(), sqlx::Error> {
    let now = clock::now();
    sqlx::query(
        "INSERT INTO search_sync (service_id, generation, queued_at, attempts, next_attempt_at) \
         VALUES ($1, 1, $2, 0, $2) \
         ON CONFLICT (service_id) DO UPDATE SET generation = search_sync.generation + 1, \
         queued_at = excluded.queued_at, attempts = 0, next_attempt_at = excluded.next_attempt_at, \
         last_error = NULL",
    )
    .bind(service_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the queue holds: rows waiting, and how many of them have failed at least once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct QueueState {
    pub pending: i64,
    pub retrying: i64,
}

pub async fn queue_state(pool: &AnyPool) -> Result<QueueState, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) \
         FROM search_sync",
    )
    .fetch_one(pool)
    .await?;
    Ok(QueueState {
        pending: row.try_get(0)?,
        retrying: row.try_get(1)?,
    })
}

/// A suggester learnt from every document.
fn suggester(documents: &[document::SearchDocument]) -> Suggester {
    let mut s = Suggester::default();
    for d in documents {
        s.add(&d.vocabulary_text());
    }
    s
}

/// Rebuilds the index from the database. Returns the number of services indexed.
pub async fn rebuild(db: &Db, search: &Search) -> Result<usize, SyncError> {
    // What is queued now is covered by this rebuild; anything queued later stays queued.
    let queued = queued_rows(db.pool(), None).await?;
    let fingerprint = document::fingerprint(db.pool()).await?;
    let documents = document::load(db.pool(), None).await?;
    // The database's synonyms, not whatever the live index holds.
    let synonyms = synonyms::load(db.pool()).await?;
    let count = documents.len();
    search.set_suggester(suggester(&documents));
    search
        .index()
        .replace_all(documents, &synonyms, &fingerprint)
        .await?;
    search.changed();
    forget(db, &queued).await?;
    Ok(count)
}

/// How start-up found the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prepared {
    InStep { documents: u64 },
    Rebuilt { documents: usize },
}

/// At start-up: settings and synonyms applied; the index rebuilt if it is missing or out of date.
pub async fn prepare(db: &Db, search: &Search) -> Result<Prepared, SyncError> {
    let synonyms = synonyms::load(db.pool()).await?;
    search.set_synonyms(synonyms).await?;
    let status = search.index().status().await?;
    let fingerprint = document::fingerprint(db.pool()).await?;
    if status.fingerprint.as_deref() == Some(fingerprint.as_str()) {
        let documents = document::load(db.pool(), None).await?;
        if documents.len() as u64 == status.documents {
            search.set_suggester(suggester(&documents));
            return Ok(Prepared::InStep {
                documents: status.documents,
            });
        }
    }
    let documents = rebuild(db, search).await?;
    Ok(Prepared::Rebuilt { documents })
}

async fn queued_rows(
    pool: &AnyPool,
    due_before: Option<&str>,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let rows = match due_before {
        None => {
            sqlx::query("SELECT service_id, generation, attempts FROM search_sync")
                .fetch_all(pool)
                .await?
        }
        Some(now) => {
            sqlx::query(&format!(
                "SELECT service_id, generation, attempts FROM search_sync \
                 WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT {BATCH}"
            ))
            .bind(now)
            .fetch_all(pool)
            .await?
        }
    };
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Deletes queue rows that were applied (unless queued again since). On PostgreSQL the rows are
/// locked with `SKIP LOCKED`: a row that a directory write holds is being queued again (its
/// generation moves on, so it would not be deleted anyway) and the worker never waits for it —
/// waiting there deadlocked with imports that queue many services in their own order.
async fn forget(db: &Db, rows: &[(String, i64, i64)]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(BATCH as usize) {
        match db.backend() {
            crate::db::Backend::Postgres => {
                let pairs: Vec<String> = (0..chunk.len())
                    .map(|i| format!("(${}, CAST(${} AS BIGINT))", 2 * i + 1, 2 * i + 2))
                    .collect();
                let sql = format!(
                    "DELETE FROM search_sync WHERE service_id IN (SELECT service_id FROM search_sync \
                     WHERE (service_id, generation) IN (VALUES {}) FOR UPDATE SKIP LOCKED)",
                    pairs.join(", ")
                );
                let mut query = sqlx::query(&sql);
                for (id, generation, _) in chunk {
                    query = query.bind(id).bind(*generation);
                }
                query.execute(db.pool()).await?;
            }
            crate::db::Backend::Sqlite => {
                let mut tx = db.pool().begin().await?;
                for (id, generation, _) in chunk {
                    sqlx::query(
                        "DELETE FROM search_sync WHERE service_id = $1 AND generation = $2",
                    )
                    .bind(id)
                    .bind(generation)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }
        }
    }
    Ok(())
}

/// Seconds to wait after the `attempts`-th failure: 1, 2, 4 … capped, plus up to a second of
/// jitter so that many rows do not retry in step.
fn backoff_secs(attempts: i64, jitter_ms: u64) -> u64 {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    let base = 1u64.checked_shl(exp).unwrap_or(MAX_BACKOFF_SECS);
    base.min(MAX_BACKOFF_SECS) + u64::from(jitter_ms >= 500)
}

fn jitter_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_millis()))
        .unwrap_or_default()
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub applied: usize,
    pub failed: usize,
}

/// Applies the due queue rows once (one batch).
pub async fn run_once(db: &Db, search: &Search) -> Result<Pass, SyncError> {
    let now = clock::now();
    let rows = queued_rows(db.pool(), Some(&now)).await?;
    if rows.is_empty() {
        return Ok(Pass::default());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let documents = document::load(db.pool(), Some(&ids)).await?;
    let deletes: Vec<String> = ids
        .iter()
        .filter(|id| !documents.iter().any(|d| &d.id == *id))
        .cloned()
        .collect();
    let fingerprint = document::fingerprint(db.pool()).await?;
    let texts: Vec<String> = documents.iter().map(|d| d.vocabulary_text()).collect();
    match search.index().apply(documents, deletes, &fingerprint).await {
        Ok(()) => {
            search.changed();
            search.learn(texts.iter().map(String::as_str));
            forget(db, &rows).await?;
            Ok(Pass {
                applied: rows.len(),
                failed: 0,
            })
        }
        Err(error) => {
            // Only service ids and the engine's message are logged: directory data is public
            // and no personal data is indexed.
            tracing::warn!(error = %error, services = rows.len(), "search index update failed; will retry");
            let message: String = error.to_string().chars().take(500).collect();
            // Row by row, each its own transaction: the worker never holds one row while it
            // waits for another (see `forget`).
            for (id, generation, attempts) in &rows {
                let attempts = attempts + 1;
                sqlx::query(
                    "UPDATE search_sync SET attempts = $1, next_attempt_at = $2, last_error = $3 \
                     WHERE service_id = $4 AND generation = $5",
                )
                .bind(attempts)
                .bind(clock::in_seconds(backoff_secs(attempts, jitter_ms())))
                .bind(&message)
                .bind(id)
                .bind(generation)
                .execute(db.pool())
                .await?;
            }
            Ok(Pass {
                applied: 0,
                failed: rows.len(),
            })
        }
    }
}

/// Runs [`run_once`] every `interval` (sooner while there is more to do) and reloads the
/// synonyms when they change, until the returned handle is aborted.
pub fn spawn_worker(db: Db, search: Search, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut synonyms_version = synonyms::version(db.pool()).await.ok();
        loop {
            let pass = match run_once(&db, &search).await {
                Ok(pass) => pass,
                Err(error) => {
                    tracing::warn!(error = %error, "search sync pass failed; will retry");
                    Pass::default()
                }
            };
            if let Ok(version) = synonyms::version(db.pool()).await {
                if synonyms_version.as_ref() != Some(&version) {
                    match synonyms::load(db.pool()).await {
                        Ok(s) => match search.set_synonyms(s).await {
                            Ok(()) => {
                                tracing::info!("search synonyms reloaded");
                                synonyms_version = Some(version);
                            }
                            Err(error) => {
                                tracing::warn!(error = %error, "cannot apply synonyms; will retry")
                            }
                        },
                        Err(error) => {
                            tracing::warn!(error = %error, "cannot read synonyms; will retry")
                        }
                    }
                }
            }
            if pass.applied < BATCH as usize {
                tokio::time::sleep(interval).await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff_secs(1, 0), 1);
        assert_eq!(backoff_secs(2, 0), 2);
        assert_eq!(backoff_secs(4, 0), 8);
        assert_eq!(backoff_secs(4, 900), 9);
        assert_eq!(backoff_secs(12, 0), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(60, 0), MAX_BACKOFF_SECS);
    }
}
