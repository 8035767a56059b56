//! Throttling and lockout of signing in. 5 failed attempts (password or second factor) for one
//! email address lock it for 15 minutes, whether or not an account has that address, so the
//! lockout reveals nothing. Each IP address may also try only `sign_ins_per_ip` times per 15
//! minutes ([`SignInLimit`]).

use super::Result;
use crate::limit::RateLimiter;
use crate::staff::view;
use crate::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use sqlx::Row;

pub const MAX_FAILURES: i64 = 5;
// count_failure's first failure (the INSERT) never locks.
const _: () = assert!(MAX_FAILURES > 1);
pub const LOCKOUT_SECS: i64 = 15 * 60;

/// The sign-in attempts each IP address may make per 15 minutes.
pub struct SignInLimit(pub RateLimiter);

pub(super) fn locked_page() -> Response {
    view::message(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts to sign in",
        &[
            "For your security, signing in with this email address is paused for 15 minutes.",
            "If you did not try to sign in, tell an administrator straight away.",
        ],
    )
}

/// Whether `email` is locked out at `now`.
pub(super) async fn locked(state: &AppState, email: &str, now: i64) -> Result<bool> {
    let row = sqlx::query("SELECT locked_until FROM staff_login_throttle WHERE email = $1")
        .bind(email)
        .fetch_optional(state.db.pool())
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>(0)? > now,
        None => false,
    })
}

/// Counts a failed sign-in (password or code) for `email`; returns true when it locked the
/// address. One statement, so attempts in parallel each count (no read-then-write to lose an
/// increment): the failure that reaches [`MAX_FAILURES`] sets the lock and starts the count
/// again, and the database's row lock (PostgreSQL) or single writer (SQLite) orders them. Public
/// for the tests, which call it many times at once.
pub async fn count_failure(
    pool: &sqlx::AnyPool,
    email: &str,
    now: i64,
) -> std::result::Result<bool, sqlx::Error> {
    let until = now + LOCKOUT_SECS;
    let row = sqlx::query(
        "INSERT INTO staff_login_throttle (email, failures, locked_until) VALUES ($1, 1, 0) \
         ON CONFLICT (email) DO UPDATE SET \
         failures = CASE WHEN staff_login_throttle.failures + 1 >= $2 THEN 0 \
         ELSE staff_login_throttle.failures + 1 END, \
         locked_until = CASE WHEN staff_login_throttle.failures + 1 >= $2 THEN $3 \
         ELSE staff_login_throttle.locked_until END \
         RETURNING failures, locked_until",
    )
    .bind(email)
    .bind(MAX_FAILURES)
    .bind(until)
    .fetch_one(pool)
    .await?;
    let failures: i64 = row.try_get(0)?;
    let locked_until: i64 = row.try_get(1)?;
    Ok(failures == 0 && locked_until == until)
}

pub(super) async fn clear_failures(state: &AppState, email: &str) -> Result<()> {
    sqlx::query("DELETE FROM staff_login_throttle WHERE email = $1")
        .bind(email)
        .execute(state.db.pool())
        .await?;
    Ok(())
}

/// How long an address's failure count is kept once no lock is in force.
pub const FORGET_SECS: i64 = 24 * 3600;

/// Retention (run by `crate::retention`): forgets the addresses typed into the sign-in form.
/// The table has no time of the last failure, so each pass stamps the rows it has not seen
/// before (`first_seen_unix`), and deletes those seen more than [`FORGET_SECS`] ago whose lock
/// (if any) has ended. Returns how many were deleted.
pub async fn purge(pool: &sqlx::AnyPool, now: i64) -> std::result::Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE staff_login_throttle SET first_seen_unix = $1 WHERE first_seen_unix IS NULL",
    )
    .bind(now)
    .execute(pool)
    .await?;
    Ok(sqlx::query(
        "DELETE FROM staff_login_throttle WHERE first_seen_unix < $1 AND locked_until < $2",
    )
    .bind(now - FORGET_SECS)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected())
}
