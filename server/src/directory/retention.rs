//! Retention of what the public tells the directory team and what the directory's search is
//! asked (the rules are listed, with every other table's, in `crate::retention`, which runs
//! these): a "report a problem" (its free text can hold anything a visitor typed) and a
//! suggested change (with the suggester's name, organisation and email) are deleted
//! `SIGNPOST_FEEDBACK_RETENTION_DAYS` after they were resolved or decided; unhandled ones wait in
//! the review queue. Searches leave the gap report's log after `SIGNPOST_SEARCH_LOG_DAYS`.

use crate::clock::Clock;
use sqlx::AnyPool;

fn days_ago(clock: &Clock, days: u32) -> String {
    Clock::system_at(clock.unix() - i64::from(days) * 86_400)
}

/// Deletes reports resolved and suggestions decided more than `days` days ago. Returns how many.
pub async fn purge_feedback(pool: &AnyPool, clock: &Clock, days: u32) -> Result<u64, sqlx::Error> {
    let cutoff = days_ago(clock, days);
    let reports = sqlx::query(
        "DELETE FROM listing_report WHERE status <> 'new' AND resolved_at IS NOT NULL \
         AND resolved_at < $1",
    )
    .bind(&cutoff)
    .execute(pool)
    .await?
    .rows_affected();
    let suggestions = sqlx::query(
        "DELETE FROM suggested_change WHERE status <> 'new' AND decided_at IS NOT NULL \
         AND decided_at < $1",
    )
    .bind(&cutoff)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(reports + suggestions)
}

/// Deletes logged searches older than `days` days. Returns how many.
pub async fn purge_search_log(
    pool: &AnyPool,
    clock: &Clock,
    days: u32,
) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM search_event WHERE searched_at < $1")
            .bind(days_ago(clock, days))
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
