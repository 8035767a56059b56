//! Retention of requests (the rules are listed, with every other table's, in
//! `crate::retention`, which runs these): the personal data of a request (a request for early
//! help or a carer's referral, whose answers are in `early_help_request` or `carer_referral`) is
//! deleted a configurable time after the request was closed (`SIGNPOST_CLOSED_RETENTION_DAYS`,
//! [`run_once`]). A request left at "needs more information" cannot be closed by staff (it waits
//! for the family), so after `SIGNPOST_MORE_INFO_CLOSE_DAYS` without a new decision it is closed
//! by [`close_unanswered`] and its closed-request period starts. What stays of a purged request
//! is what the performance figures need — reference, dates, outcome, level of need — never
//! answers, the decision's free-text reason, the area or the status link.

use crate::clock::Clock;
use crate::db::Db;
use crate::staff::audit;
use sqlx::Row;

/// Deletes the personal data of requests closed more than `days` days ago; returns how many.
pub async fn run_once(db: &Db, clock: &Clock, days: u32) -> Result<u64, sqlx::Error> {
    let cutoff = {
        let secs = clock.unix() - i64::from(days) * 86_400;
        crate::clock::Clock::system_at(secs)
    };
    let pool = db.pool();
    let due: Vec<(String, String)> = sqlx::query(
        "SELECT id, kind FROM triage_case WHERE status = 'closed' AND purged_at IS NULL \
         AND closed_at IS NOT NULL AND closed_at < $1",
    )
    .bind(&cutoff)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let now = clock.now();
    let mut count = 0;
    for (id, kind) in &due {
        let mut tx = pool.begin().await?;
        // The request's own row holds the answers: every kind's is deleted.
        let table = match kind.as_str() {
            crate::cases::EARLY_HELP => Some("early_help_request"),
            crate::cases::CARERS_REFERRAL => Some("carer_referral"),
            _ => None,
        };
        match table {
            Some(table) => {
                sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            // A kind this worker does not know: leave it unpurged (so it is tried again once
            // it is known) rather than mark it purged with its answers still stored.
            None => {
                tracing::warn!(kind = %kind, "retention: unknown kind of request, not purged");
                tx.rollback().await?;
                continue;
            }
        }
        sqlx::query(
            "UPDATE triage_case SET purged_at = $1, decision_reason = NULL, outcode = NULL, \
             status_token_hash = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE triage_event SET detail = NULL WHERE case_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        count += 1;
    }
    if count > 0 {
        let detail = format!("{count} closed request(s) older than {days} days");
        audit::record(
            pool,
            &now,
            &audit::Event {
                actor_id: None,
                actor_email: Some("retention worker"),
                action: "retention_purge",
                subject: None,
                reference: None,
                detail: Some(&detail),
                ip: None,
            },
        )
        .await?;
    }
    Ok(count)
}

/// Closes the requests decided "needs more information" more than `days` days ago and not
/// decided again since (nobody can close them by hand); each gets a history entry. Returns how
/// many.
pub async fn close_unanswered(db: &Db, clock: &Clock, days: u32) -> Result<u64, sqlx::Error> {
    let cutoff = crate::clock::Clock::system_at(clock.unix() - i64::from(days) * 86_400);
    let pool = db.pool();
    let due: Vec<String> = sqlx::query(
        "SELECT id FROM triage_case WHERE status = 'decided' AND outcome = 'more_info' \
         AND decided_at IS NOT NULL AND decided_at < $1",
    )
    .bind(&cutoff)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, sqlx::Error>>()?;
    let now = clock.now();
    let mut count = 0;
    for id in &due {
        let mut tx = pool.begin().await?;
        let closed = sqlx::query(
            "UPDATE triage_case SET status = 'closed', closed_at = $1, updated_at = $1 \
             WHERE id = $2 AND status = 'decided' AND outcome = 'more_info'",
        )
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed == 1 {
            crate::cases::add_event(
                &mut tx,
                id,
                &now,
                None,
                "closed",
                Some("Closed automatically: no more information came"),
            )
            .await?;
            count += 1;
        }
        tx.commit().await?;
    }
    if count > 0 {
        let detail = format!("{count} request(s) waiting for more information for {days} days");
        audit::record(
            pool,
            &now,
            &audit::Event {
                actor_id: None,
                actor_email: Some("retention worker"),
                action: "retention_close",
                subject: None,
                reference: None,
                detail: Some(&detail),
                ip: None,
            },
        )
        .await?;
    }
    Ok(count)
}
