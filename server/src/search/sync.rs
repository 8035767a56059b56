//! Keeping every server's search index in step with the directory: a change feed.
//!
//! * Every directory write calls [`enqueue`] (a service changed) or [`record_synonyms`] inside
//!   its own transaction: a row in `directory_change` under a **change number** that only goes
//!   up, in commit order. On PostgreSQL a writing transaction takes one number and holds the
//!   feed's counter row until it commits ([`begin_change`]: writers take it first thing, so two
//!   writers queue for the number before either touches a service row); on SQLite writers are
//!   serialised and each change takes its own number. Either way, once a number is visible every
//!   smaller one is committed (or rolled back and reused): a follower never skips a change.
//! * Every server **follows** the feed with its own cursor ([`run_once`], [`spawn_worker`]):
//!   it reads the changes after its cursor, loads those services' documents, applies them to its
//!   index and records the new cursor *with the index* (the embedded index's commit payload,
//!   Meilisearch's `<index>_state` document), so an index always knows which change it reflects.
//!   Nothing is deleted by a follower: a server that was down catches up from its cursor at
//!   start-up; one whose cursor is older than what was pruned ([`prune`], after
//!   [`FEED_RETENTION_DAYS`]) rebuilds its index from the database.
//! * **Meilisearch** is one index shared by every server: only the holder of the lease
//!   `search:<index>` follows the feed and writes it; the others watch the shared index's cursor
//!   and, when it moves, drop their cached results (and reload the synonyms they highlight with).
//! * Each server's results cache and directory cache are kept for one `Search::generation`,
//!   which moves whenever this server's index takes in a change (its cursor moves).
//! * [`prepare`] runs at start-up: the synonyms, then the index kept when its cursor is in the
//!   feed (after catching up) and its fingerprint is the directory's, otherwise rebuilt.
//! * [`rebuild`] is `signpost reindex`.
//!
//! A pass that cannot reach the index leaves the cursor where it was and is retried with
//! exponential backoff and jitter (1 s, 2 s, 4 s … up to 5 minutes); the database write is never
//! undone or lost.

use super::{document, synonyms, Engine, Search, SearchError, Suggester};
use crate::clock::{self, Clock};
use crate::db::Db;
use crate::db::Tx;
use sqlx::{AnyConnection, AnyPool, Row};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Change numbers read per pass at most.
const BATCH: i64 = 5_000;
/// A pass touching more services than this rebuilds the index instead.
const REBUILD_ABOVE: usize = 20_000;
/// The longest wait between attempts.
const MAX_BACKOFF_SECS: u64 = 300;
/// How long the feed keeps a change. A server down for longer rebuilds its index at start-up.
pub const FEED_RETENTION_DAYS: i64 = 7;
/// How long the Meilisearch follower's lease lasts without renewal.
pub const SHARED_LEASE: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name()
        .to_ascii_lowercase()
        .contains("postgres")
}

/// Takes this transaction's change number (on PostgreSQL, once per transaction, holding the
/// feed's counter until commit). Directory writers call it right after `begin`, before they
/// touch a service, so that two writers never wait for each other in opposite orders;
/// [`enqueue`] calls it anyway.
pub async fn begin_change(tx: &mut Tx<'_>) -> Result<i64, sqlx::Error> {
    take_number(tx).await
}

async fn take_number(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    if is_postgres(conn) {
        sqlx::query(
            "UPDATE directory_feed SET last_seq = last_seq + 1, \
             taken_by = CAST(pg_current_xact_id() AS TEXT) \
             WHERE id = 1 AND taken_by <> CAST(pg_current_xact_id() AS TEXT)",
        )
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("UPDATE directory_feed SET last_seq = last_seq + 1 WHERE id = 1")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("SELECT last_seq FROM directory_feed WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)
}

async fn append(
    conn: &mut AnyConnection,
    kind: &str,
    service_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let seq = take_number(conn).await?;
    sqlx::query(
        "INSERT INTO directory_change (seq, kind, service_id, changed_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(seq)
    .bind(kind)
    .bind(service_id)
    .bind(clock::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records, in the transaction that changed it, that a service changed: every server's index
/// follows.
pub async fn enqueue(tx: &mut Tx<'_>, service_id: &str) -> Result<(), sqlx::Error> {
    append(tx, "service", Some(service_id)).await
}

/// Records, in the transaction that changed them, that the synonyms changed.
pub async fn record_synonyms(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    append(conn, "synonyms", None).await
}

/// The feed as the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last change number given out (and committed).
    pub last_seq: i64,
    /// Changes up to here were pruned.
    pub pruned_through: i64,
    pub feed_id: String,
}

/// The feed's head (giving the feed its id on first use).
pub async fn head(pool: &AnyPool) -> Result<Head, sqlx::Error> {
    let read = || async {
        let r = sqlx::query(
            "SELECT last_seq, pruned_through, feed_id FROM directory_feed WHERE id = 1",
        )
        .fetch_one(pool)
        .await?;
        Ok::<_, sqlx::Error>(Head {
            last_seq: r.try_get(0)?,
            pruned_through: r.try_get(1)?,
            feed_id: r.try_get(2)?,
        })
    };
    let head = read().await?;
    if !head.feed_id.is_empty() {
        return Ok(head);
    }
    sqlx::query("UPDATE directory_feed SET feed_id = $1 WHERE id = 1 AND feed_id = ''")
        .bind(uuid::Uuid::new_v4().to_string())
        .execute(pool)
        .await?;
    read().await
}

/// Deletes the changes older than [`FEED_RETENTION_DAYS`] and records up to which number the
/// feed is pruned. Safe on every server at once. Returns the rows deleted.
pub async fn prune(db: &Db, clock: &Clock) -> Result<u64, sqlx::Error> {
    let before = Clock::system_at(clock.unix() - FEED_RETENTION_DAYS * 86_400);
    prune_before(db, &before).await
}

/// Prunes every change made before `before` (RFC 3339).
pub async fn prune_before(db: &Db, before: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let through: Option<i64> =
        sqlx::query("SELECT MAX(seq) FROM directory_change WHERE changed_at < $1")
            .bind(before)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
    let Some(through) = through else {
        return Ok(0);
    };
    // Record first: a follower that reads the feed meanwhile rebuilds rather than miss a change.
    sqlx::query(
        "UPDATE directory_feed SET pruned_through = $1 WHERE id = 1 AND pruned_through < $1",
    )
    .bind(through)
    .execute(&mut *tx)
    .await?;
    let deleted = sqlx::query("DELETE FROM directory_change WHERE seq <= $1")
        .bind(through)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(deleted)
}

/// Where an index stands: the feed it follows, the last change it took in, and the directory's
/// fingerprint when it did. Stored with the index as `feed1|<feed id>|<number>|<fingerprint>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub feed_id: String,
    pub seq: i64,
    pub fingerprint: String,
}

impl Position {
    pub fn encode(&self) -> String {
        format!("feed1|{}|{}|{}", self.feed_id, self.seq, self.fingerprint)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(4, '|');
        if parts.next()? != "feed1" {
            return None;
        }
        Some(Self {
            feed_id: parts.next()?.to_owned(),
            seq: parts.next()?.parse().ok()?,
            fingerprint: parts.next()?.to_owned(),
        })
    }
}

/// What this server's follower has done, for `/metrics` and `/readyz`.
#[derive(Debug, Default)]
pub struct FeedStatus {
    position: Mutex<Option<Position>>,
    /// The feed's last change number at the last pass.
    head: AtomicI64,
    /// Unix milliseconds of the last pass that reached the head.
    caught_up_at_ms: AtomicI64,
    /// Unix milliseconds of the last change applied.
    applied_at_ms: AtomicI64,
    rebuilds: AtomicU64,
    applied: AtomicU64,
    failures: AtomicU64,
}

/// A snapshot of [`FeedStatus`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FollowerState {
    /// The last change this server's index took in (None before start-up finished).
    pub cursor: Option<i64>,
    /// The feed's last change number when this server last looked.
    pub head: i64,
    /// Changes not yet in this server's index (head − cursor, as last seen).
    pub lag: i64,
    /// Seconds since this server last found its index caught up (None: never).
    pub seconds_since_caught_up: Option<f64>,
    pub rebuilds: u64,
    pub changes_applied: u64,
    pub failed_passes: u64,
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

impl FeedStatus {
    pub fn position(&self) -> Option<Position> {
        match self.position.lock() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_position(&self, position: Position) {
        match self.position.lock() {
            Ok(mut p) => *p = Some(position),
            Err(poisoned) => *poisoned.into_inner() = Some(position),
        }
    }

    fn caught_up(&self, head: i64) {
        self.head.store(head, Ordering::Release);
        self.caught_up_at_ms.store(unix_ms(), Ordering::Release);
    }

    pub fn snapshot(&self) -> FollowerState {
        let cursor = self.position().map(|p| p.seq);
        let head = self.head.load(Ordering::Acquire);
        let caught = self.caught_up_at_ms.load(Ordering::Acquire);
        FollowerState {
            cursor,
            head,
            lag: cursor.map(|c| (head - c).max(0)).unwrap_or(head),
            seconds_since_caught_up: (caught > 0)
                .then(|| (unix_ms() - caught).max(0) as f64 / 1000.0),
            rebuilds: self.rebuilds.load(Ordering::Relaxed),
            changes_applied: self.applied.load(Ordering::Relaxed),
            failed_passes: self.failures.load(Ordering::Relaxed),
        }
    }
}

/// How many services have a search document (as `document::load` reads them).
async fn services_indexable(pool: &AnyPool) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM service s JOIN organization o ON o.id = s.organization_id \
         WHERE s.status <> 'archived'",
    )
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    Ok(u64::try_from(n).unwrap_or_default())
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
    // Every change up to `head` is in what is read next (later ones are applied again after:
    // applying a change twice is harmless).
    let head = head(db.pool()).await?;
    let fingerprint = document::fingerprint(db.pool()).await?;
    let documents = document::load(db.pool(), None).await?;
    // The database's synonyms, not whatever the live index holds.
    let synonyms = synonyms::load(db.pool()).await?;
    let count = documents.len();
    let position = Position {
        feed_id: head.feed_id,
        seq: head.last_seq,
        fingerprint,
    };
    search.set_suggester(suggester(&documents));
    search
        .index()
        .replace_all(documents, &synonyms, &position.encode())
        .await?;
    search.set_local_synonyms(synonyms);
    search.changed();
    let status = search.feed();
    status.set_position(position);
    status.rebuilds.fetch_add(1, Ordering::Relaxed);
    status.caught_up(head.last_seq);
    Ok(count)
}

/// How start-up found the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prepared {
    /// Kept (after taking in the changes it had missed).
    InStep {
        documents: u64,
        caught_up: usize,
    },
    Rebuilt {
        documents: usize,
    },
    /// Meilisearch, written by another server (the lease holder): left to it.
    Shared {
        documents: u64,
    },
}

/// At start-up: settings and synonyms applied; the index kept when its cursor is still in the
/// feed (it takes in what it missed) and it then matches the directory, rebuilt otherwise.
/// `leader` is false for a Meilisearch server that does not hold the follower's lease: it
/// neither writes nor rebuilds the shared index.
pub async fn prepare(db: &Db, search: &Search) -> Result<Prepared, SyncError> {
    prepare_as(db, search, true).await
}

pub async fn prepare_as(db: &Db, search: &Search, leader: bool) -> Result<Prepared, SyncError> {
    let synonyms = synonyms::load(db.pool()).await?;
    if leader {
        search.set_synonyms(synonyms).await?;
    } else {
        search.set_local_synonyms(synonyms);
    }
    let status = search.index().status().await?;
    let head = head(db.pool()).await?;
    let kept = status
        .fingerprint
        .as_deref()
        .and_then(Position::decode)
        .filter(|p| p.feed_id == head.feed_id && p.seq >= head.pruned_through);
    if !leader {
        if let Some(position) = kept {
            search.feed().set_position(position);
        }
        search.feed().caught_up(head.last_seq);
        search.set_suggester(suggester(&document::load(db.pool(), None).await?));
        return Ok(Prepared::Shared {
            documents: status.documents,
        });
    }
    if let Some(position) = kept {
        search.feed().set_position(position);
        let mut caught_up = 0;
        loop {
            let pass = run_once(db, search).await?;
            if pass.failed > 0 {
                return Err(SyncError::Search(SearchError::Unavailable(
                    "the index cannot take in the changes it missed".into(),
                )));
            }
            caught_up += pass.applied;
            if pass.rebuilt {
                return Ok(Prepared::Rebuilt {
                    documents: pass.applied,
                });
            }
            if !pass.more {
                break;
            }
        }
        // A change made behind the feed's back (by hand in SQL) shows in the fingerprint.
        let position = search.feed().position();
        let fingerprint = document::fingerprint(db.pool()).await?;
        if position.map(|p| p.fingerprint) == Some(fingerprint) {
            let indexed = search.index().status().await?.documents;
            if let Some(words) = search.index().vocabulary() {
                // The embedded index: its words, and a count, instead of every document.
                if indexed == services_indexable(db.pool()).await? {
                    search.set_suggester(Suggester::from_counts(words));
                    return Ok(Prepared::InStep {
                        documents: indexed,
                        caught_up,
                    });
                }
            } else {
                let documents = document::load(db.pool(), None).await?;
                if documents.len() as u64 == indexed {
                    search.set_suggester(suggester(&documents));
                    return Ok(Prepared::InStep {
                        documents: indexed,
                        caught_up,
                    });
                }
            }
        }
    }
    let documents = rebuild(db, search).await?;
    Ok(Prepared::Rebuilt { documents })
}

/// Seconds to wait after the `attempts`-th failure: 1, 2, 4 … capped, plus up to a second of
/// jitter so that many servers do not retry in step.
fn backoff_secs(attempts: u64, jitter_ms: u64) -> u64 {
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

/// What one pass of the follower did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Services applied (or indexed, by a rebuild).
    pub applied: usize,
    /// Services that could not reach the index (the cursor stayed).
    pub failed: usize,
    /// The index was rebuilt (its cursor was unknown or older than the pruned feed).
    pub rebuilt: bool,
    /// More changes are waiting (the pass read a full batch).
    pub more: bool,
}

/// The changes after `after`, at most [`BATCH`] change numbers: (last number read, whether the
/// synonyms changed, the services changed).
async fn changes_after(
    pool: &AnyPool,
    after: i64,
) -> Result<Option<(i64, bool, Vec<String>, bool)>, sqlx::Error> {
    let numbers = sqlx::query(&format!(
        "SELECT DISTINCT seq FROM directory_change WHERE seq > $1 ORDER BY seq LIMIT {BATCH}"
    ))
    .bind(after)
    .fetch_all(pool)
    .await?;
    let Some(last) = numbers.last() else {
        return Ok(None);
    };
    let upto: i64 = last.try_get(0)?;
    let full = numbers.len() as i64 == BATCH;
    let rows = sqlx::query(
        "SELECT kind, service_id FROM directory_change WHERE seq > $1 AND seq <= $2 ORDER BY seq",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(pool)
    .await?;
    let mut synonyms = false;
    let mut ids: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        let kind: String = r.try_get(0)?;
        let id: Option<String> = r.try_get(1)?;
        match (kind.as_str(), id) {
            ("service", Some(id)) => {
                if seen.insert(id.clone()) {
                    ids.push(id);
                }
            }
            _ => synonyms = true,
        }
    }
    Ok(Some((upto, synonyms, ids, full)))
}

/// Takes in the changes after this server's cursor, once (at most one batch). For Meilisearch
/// only the lease holder calls this (see [`spawn_worker`]).
pub async fn run_once(db: &Db, search: &Search) -> Result<Pass, SyncError> {
    let status = search.feed();
    if search.engine() == Engine::Meilisearch {
        // The shared index's own cursor: another server may have moved it.
        let shared = search
            .index()
            .status()
            .await?
            .fingerprint
            .as_deref()
            .and_then(Position::decode);
        if let Some(p) = shared {
            status.set_position(p);
        }
    }
    let head = head(db.pool()).await?;
    let position = status
        .position()
        .filter(|p| p.feed_id == head.feed_id && p.seq >= head.pruned_through);
    let Some(position) = position else {
        tracing::info!("search index behind the pruned change feed (or new): rebuilding");
        let applied = rebuild(db, search).await?;
        return Ok(Pass {
            applied,
            rebuilt: true,
            ..Pass::default()
        });
    };
    if position.seq >= head.last_seq {
        status.caught_up(head.last_seq);
        return Ok(Pass::default());
    }
    let Some((upto, synonyms_changed, ids, more)) = changes_after(db.pool(), position.seq).await?
    else {
        // Numbers taken without a change (a writer that took one and wrote nothing): every
        // number up to the head is committed, so there is nothing to take in up to it.
        status.set_position(Position {
            seq: head.last_seq,
            ..position
        });
        status.caught_up(head.last_seq);
        return Ok(Pass::default());
    };
    // Nothing beyond `upto` was read: when the batch was not full, the head is reached.
    let upto = if more { upto } else { upto.max(head.last_seq) };
    if ids.len() > REBUILD_ABOVE {
        let applied = rebuild(db, search).await?;
        return Ok(Pass {
            applied,
            rebuilt: true,
            ..Pass::default()
        });
    }
    if synonyms_changed {
        let synonyms = synonyms::load(db.pool()).await?;
        if let Err(error) = search.set_synonyms(synonyms).await {
            status.failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %error, "cannot apply the synonyms; will retry");
            return Ok(Pass {
                failed: 1,
                ..Pass::default()
            });
        }
    }
    let documents = document::load(db.pool(), Some(&ids)).await?;
    let deletes: Vec<String> = ids
        .iter()
        .filter(|id| !documents.iter().any(|d| &d.id == *id))
        .cloned()
        .collect();
    let fingerprint = document::fingerprint(db.pool()).await?;
    let texts: Vec<String> = documents.iter().map(|d| d.vocabulary_text()).collect();
    let next = Position {
        feed_id: position.feed_id,
        seq: upto,
        fingerprint,
    };
    match search
        .index()
        .apply(documents, deletes, &next.encode())
        .await
    {
        Ok(()) => {
            search.changed();
            search.learn(texts.iter().map(String::as_str));
            status.set_position(next);
            status
                .applied
                .fetch_add(ids.len() as u64, Ordering::Relaxed);
            status.applied_at_ms.store(unix_ms(), Ordering::Release);
            if more {
                status.head.store(head.last_seq, Ordering::Release);
            } else {
                status.caught_up(head.last_seq.max(upto));
            }
            Ok(Pass {
                applied: ids.len(),
                more,
                ..Pass::default()
            })
        }
        Err(error) => {
            status.failures.fetch_add(1, Ordering::Relaxed);
            status.head.store(head.last_seq, Ordering::Release);
            // Only the engine's message is logged: directory data is public and no personal
            // data is indexed.
            tracing::warn!(error = %error, services = ids.len(), "search index update failed; will retry");
            Ok(Pass {
                failed: ids.len().max(1),
                ..Pass::default()
            })
        }
    }
}

/// For a server that does not write the shared (Meilisearch) index: when the index's cursor
/// moves, its cached results are dropped, and its synonyms reloaded when they changed.
pub async fn observe_once(db: &Db, search: &Search) -> Result<bool, SyncError> {
    let status = search.feed();
    let shared = search
        .index()
        .status()
        .await?
        .fingerprint
        .as_deref()
        .and_then(Position::decode);
    let head = head(db.pool()).await?;
    let Some(shared) = shared else {
        status.head.store(head.last_seq, Ordering::Release);
        return Ok(false);
    };
    let before = status.position();
    if before.as_ref() == Some(&shared) {
        if shared.seq >= head.last_seq {
            status.caught_up(head.last_seq);
        } else {
            status.head.store(head.last_seq, Ordering::Release);
        }
        return Ok(false);
    }
    let from = before.map(|p| p.seq).unwrap_or(0);
    let synonyms_changed = from < head.pruned_through
        || sqlx::query(
            "SELECT COUNT(*) FROM directory_change WHERE kind = 'synonyms' AND seq > $1 \
             AND seq <= $2",
        )
        .bind(from)
        .bind(shared.seq)
        .fetch_one(db.pool())
        .await?
        .try_get::<i64, _>(0)?
            > 0;
    if synonyms_changed {
        search.set_local_synonyms(synonyms::load(db.pool()).await?);
    }
    search.changed();
    let seq = shared.seq;
    status.set_position(shared);
    if seq >= head.last_seq {
        status.caught_up(head.last_seq);
    } else {
        status.head.store(head.last_seq, Ordering::Release);
    }
    Ok(true)
}

/// Follows the feed every `interval` (sooner while there is more to do), until aborted. With
/// Meilisearch, `keeper` says whether this server holds the follower's lease.
pub fn spawn_worker(
    db: Db,
    search: Search,
    interval: Duration,
    keeper: Option<crate::lease::Keeper>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut failures: u64 = 0;
        loop {
            let leader = keeper.as_ref().is_none_or(|k| k.held());
            let outcome = if leader {
                run_once(&db, &search).await
            } else {
                observe_once(&db, &search).await.map(|_| Pass::default())
            };
            let pass = match outcome {
                Ok(pass) => pass,
                Err(error) => {
                    search.feed().failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %error, "search follower pass failed; will retry");
                    Pass {
                        failed: 1,
                        ..Pass::default()
                    }
                }
            };
            if pass.failed > 0 {
                failures += 1;
                let wait = Duration::from_secs(backoff_secs(failures, jitter_ms()));
                tokio::time::sleep(wait.max(interval)).await;
            } else {
                failures = 0;
                if !pass.more {
                    tokio::time::sleep(interval).await;
                }
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

    #[test]
    fn positions_read_back() {
        let p = Position {
            feed_id: "f".into(),
            seq: 42,
            fingerprint: "v1-3-00ff".into(),
        };
        assert_eq!(Position::decode(&p.encode()), Some(p));
        // An index written before the feed (a bare fingerprint) has no position: rebuilt.
        assert_eq!(Position::decode("v1-355-0123456789abcdef"), None);
        assert_eq!(Position::decode("feed1|f|x|v1"), None);
    }
}
