//! The searches families make, stored for the gap report (`search_event`), written in batches
//! off the request path.
//!
//! A results page hands its search to [`SearchLog::record`] and moves on; one task writes what
//! has gathered in a single transaction, then waits a moment so that under load one write
//! carries many searches. If the database falls behind and [`CAPACITY`] searches are waiting,
//! further ones are dropped with a warning: the report is a measure, and pages never wait for it.
//! At shutdown what is waiting is written before the database closes.

use crate::clock;
use crate::db::Db;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Searches waiting to be written, at most.
const CAPACITY: usize = 4096;
/// Searches in one transaction, at most.
const BATCH: usize = 500;
/// The pause after each write, in which the next batch gathers.
const PAUSE: Duration = Duration::from_millis(250);

/// One search: its words, its filters (never the postcode), the outward code and the number of
/// results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchEvent {
    pub words: String,
    pub filters: String,
    pub outcode: Option<String>,
    pub total: u64,
}

/// Where the pages send searches (cloning shares the one writer).
#[derive(Clone)]
pub struct SearchLog {
    queue: mpsc::Sender<(String, SearchEvent)>,
}

/// The writer task: ends once every [`SearchLog`] is gone and what was queued is written.
pub struct Writer(JoinHandle<()>);

impl SearchLog {
    pub fn start(db: Db) -> (Self, Writer) {
        let (queue, waiting) = mpsc::channel(CAPACITY);
        (Self { queue }, Writer(tokio::spawn(write_all(db, waiting))))
    }

    /// Queues a search; never waits.
    pub fn record(&self, event: SearchEvent) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.try_send((clock::now(), event))
        {
            tracing::warn!("search analytics queue full: a search was not recorded");
        }
    }
}

impl Writer {
    /// Waits (up to `limit`) for what is queued to be written.
    pub async fn finish(self, limit: Duration) {
        let mut handle = self.0;
        if tokio::time::timeout(limit, &mut handle).await.is_err() {
            tracing::warn!("search analytics: shutdown came before the queue was written");
            handle.abort();
        }
    }
}

async fn write_all(db: Db, mut waiting: mpsc::Receiver<(String, SearchEvent)>) {
    let mut batch = Vec::with_capacity(BATCH);
    while waiting.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = write(&db, &batch).await {
            tracing::warn!(error = %e, searches = batch.len(), "recording searches for the gap report failed");
        }
        batch.clear();
        if !waiting.is_closed() {
            tokio::time::sleep(PAUSE).await;
        }
    }
}

async fn write(db: &Db, batch: &[(String, SearchEvent)]) -> Result<(), sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    for (at, e) in batch {
        sqlx::query(
            "INSERT INTO search_event (id, searched_at, query, filters, outcode, result_count) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(at)
        .bind(&e.words)
        .bind(&e.filters)
        .bind(&e.outcode)
        .bind(i64::try_from(e.total).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
