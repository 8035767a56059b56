//! Leases: a named job runs on one server at a time, on SQLite and PostgreSQL alike.
//!
//! A lease is one row of `lease` (name, holder, expiry). [`try_acquire`] takes it when it is
//! free, already this holder's, or ran out (its server died or stopped renewing), in one
//! conditional upsert, so two servers asking at once cannot both get it. A holder renews it by
//! asking again before it runs out ([`Keeper`] does that in the background for a job that holds
//! a lease for as long as the server runs, e.g. the Meilisearch follower). `/metrics` lists the
//! holders ([`holders`]).
//!
//! A lease decides who *should* run a job; it is not a fence. A holder that stalls for longer than
//! the lease (a paused process) may run once more after another server took over, so a job under
//! a lease must still be safe to repeat (every job here is: deletes of expired rows, idempotent
//! index writes).

use crate::clock::{self, Clock};
use crate::db::Db;
use sqlx::Row;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// This server's name in leases and claims: host name, process id and a random suffix (two
/// servers in one process, as in the tests, get different names).
pub fn server_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "server".into());
    let suffix: String = uuid::Uuid::new_v4().simple().to_string()[..6].to_owned();
    format!("{host}-{}-{suffix}", std::process::id())
}

fn at(clock: &Clock, plus: Duration) -> String {
    let secs = u64::try_from(clock.unix()).unwrap_or_default();
    // The clock has whole seconds; the wall clock's milliseconds keep renewals apart.
    let millis = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_millis())
        .unwrap_or_default();
    clock::timestamp_millis(
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis.into()) + plus,
    )
}

/// Takes (or renews) lease `name` for `holder` until `ttl` from now. True when `holder` holds it.
pub async fn try_acquire(
    db: &Db,
    clock: &Clock,
    name: &str,
    holder: &str,
    ttl: Duration,
) -> Result<bool, sqlx::Error> {
    let now = at(clock, Duration::ZERO);
    let until = at(clock, ttl);
    let done = sqlx::query(
        "INSERT INTO lease (name, holder, expires_at, acquired_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
         expires_at = excluded.expires_at, \
         acquired_at = CASE WHEN lease.holder = excluded.holder THEN lease.acquired_at \
         ELSE excluded.acquired_at END \
         WHERE lease.holder = excluded.holder OR lease.expires_at < excluded.acquired_at",
    )
    .bind(name)
    .bind(holder)
    .bind(&until)
    .bind(&now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives the lease up (when `holder` holds it), so another server can take it at once.
pub async fn release(db: &Db, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM lease WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A lease as `/metrics` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holder {
    pub name: String,
    pub holder: String,
    pub expires_at: String,
    /// False when it ran out (nobody holds it until the next server asks).
    pub live: bool,
}

/// Every lease and who holds it.
pub async fn holders(db: &Db, clock: &Clock) -> Result<Vec<Holder>, sqlx::Error> {
    let now = at(clock, Duration::ZERO);
    let rows = sqlx::query("SELECT name, holder, expires_at FROM lease ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            let expires_at: String = r.try_get(2)?;
            Ok(Holder {
                name: r.try_get(0)?,
                holder: r.try_get(1)?,
                live: expires_at >= now,
                expires_at,
            })
        })
        .collect()
}

/// Runs `job` only if this server holds (or can take) lease `name`; otherwise does nothing and
/// returns `None`. For periodic jobs: whichever server asks first after the lease ran out runs
/// the next round.
pub async fn run_exclusive<F, T>(
    db: &Db,
    clock: &Clock,
    name: &str,
    holder: &str,
    ttl: Duration,
    job: F,
) -> Option<T>
where
    F: std::future::Future<Output = T>,
{
    match try_acquire(db, clock, name, holder, ttl).await {
        Ok(true) => Some(job.await),
        Ok(false) => None,
        Err(_) => {
            tracing::warn!(lease = name, "cannot read the lease; skipping this round");
            None
        }
    }
}

/// Keeps a lease for as long as it can: asks for it every third of its life in the background,
/// and says whether this server holds it now.
#[derive(Clone)]
pub struct Keeper {
    held: Arc<AtomicBool>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl Keeper {
    pub fn start(db: Db, clock: Clock, name: String, holder: String, ttl: Duration) -> Self {
        let held = Arc::new(AtomicBool::new(false));
        let flag = held.clone();
        let task = tokio::spawn(async move {
            loop {
                let ok = try_acquire(&db, &clock, &name, &holder, ttl)
                    .await
                    .unwrap_or(false);
                if ok != flag.swap(ok, Ordering::AcqRel) {
                    if ok {
                        tracing::info!(lease = %name, holder = %holder, "lease taken");
                    } else {
                        tracing::info!(lease = %name, holder = %holder, "lease lost or not free");
                    }
                }
                tokio::time::sleep(ttl / 3).await;
            }
        });
        Self {
            held,
            task: Arc::new(task),
        }
    }

    /// Whether this server held the lease at the last renewal.
    pub fn held(&self) -> bool {
        self.held.load(Ordering::Acquire)
    }

    pub fn stop(&self) {
        self.task.abort();
    }
}
