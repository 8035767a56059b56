//! Throttling and lockout of signing in. 5 attempts in a row that are not followed by a
//! success (password or second factor, or the current password when changing it) for one email
//! address lock it for 15 minutes, whether or not an account has that address, so the lockout
//! reveals nothing. Each IP address may also try only `sign_ins_per_ip` passwords and as many
//! codes per 15 minutes ([`SignInLimit`], in the database's rate limits, so it holds across
//! servers).
//!
//! An attempt is **reserved before it is checked** ([`reserve_attempt`]): one statement counts it
//! and refuses it when the address is locked or its 5 places are taken, so guesses sent in
//! parallel cannot all be checked (the slow argon2 hash made that window wide) and a right one
//! among them cannot get past the lock. A right password gives its place back ([`release`]); a
//! right second factor clears the count ([`clear_failures`]).

use super::Result;
use crate::limit::{Rule, Subject};
use crate::staff::view;
use crate::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use sqlx::Row;
use std::net::IpAddr;
use std::time::Duration;

pub const MAX_FAILURES: i64 = 5;
// The first reservation (the INSERT) never locks.
const _: () = assert!(MAX_FAILURES > 1);
pub const LOCKOUT_SECS: i64 = 15 * 60;

/// The sign-in attempts each IP address may make per 15 minutes.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimit(pub u32);

/// What an attempt from an address is: a password, or a code (sign-in or enrolment). Each has
/// its own `sign_ins_per_ip` per 15 minutes.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    Password,
    Code,
}

impl SignInLimit {
    /// Counts one attempt at `step` from `ip`; false when over the limit.
    pub async fn allow(&self, state: &AppState, ip: IpAddr, step: Step) -> bool {
        let rule = Rule {
            purpose: match step {
                Step::Password => "staff_sign_in",
                Step::Code => "staff_code",
            },
            max: self.0,
            window: Duration::from_secs(LOCKOUT_SECS as u64),
        };
        state.limits.allow(&rule, Subject::Ip(ip)).await
    }
}

/// What [`reserve_attempt`] gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Locked (or all places taken): do not check anything.
    Refused,
    /// May be checked. `locks`: this attempt took the last place and locked the address (if it
    /// fails, say so; if it succeeds, [`release`] lifts the lock). `until`: the lock it set.
    Reserved { locks: bool, until: i64 },
}

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

/// Reserves one attempt for `email` at `now` before anything is checked. One statement, so
/// attempts in parallel (on one server or several) each take a place or are refused: the one
/// that takes the [`MAX_FAILURES`]th place sets the lock at once, and the database's row lock
/// (PostgreSQL) or single writer (SQLite) orders them. An expired lock starts the count again.
/// Public for the tests, which call it many times at once.
pub async fn reserve_attempt(
    pool: &sqlx::AnyPool,
    email: &str,
    now: i64,
) -> std::result::Result<Attempt, sqlx::Error> {
    let until = now + LOCKOUT_SECS;
    let row = sqlx::query(
        "INSERT INTO staff_login_throttle (email, failures, locked_until) VALUES ($1, 1, 0) \
         ON CONFLICT (email) DO UPDATE SET \
         failures = CASE WHEN staff_login_throttle.locked_until <> 0 THEN 1 \
         ELSE staff_login_throttle.failures + 1 END, \
         locked_until = CASE WHEN staff_login_throttle.locked_until = 0 \
         AND staff_login_throttle.failures + 1 >= $2 THEN $4 ELSE 0 END \
         WHERE staff_login_throttle.locked_until <= $3 \
         AND (staff_login_throttle.locked_until <> 0 OR staff_login_throttle.failures < $2) \
         RETURNING locked_until",
    )
    .bind(email)
    .bind(MAX_FAILURES)
    .bind(now)
    .bind(until)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        None => Attempt::Refused,
        Some(row) => {
            let locked_until: i64 = row.try_get(0)?;
            Attempt::Reserved {
                locks: locked_until != 0,
                until: locked_until,
            }
        }
    })
}

/// Gives back the place a right password took (the second factor is still to come, and only a
/// wrong one should count). If that attempt set the lock, the lock goes too; if another,
/// failed attempt has locked the address meanwhile, nothing changes.
pub(super) async fn release(state: &AppState, email: &str, attempt: Attempt) -> Result<()> {
    let Attempt::Reserved { locks, until } = attempt else {
        return Ok(());
    };
    let query = if locks {
        sqlx::query(
            "UPDATE staff_login_throttle SET failures = failures - 1, locked_until = 0 \
             WHERE email = $1 AND locked_until = $2",
        )
        .bind(email)
        .bind(until)
    } else {
        sqlx::query(
            "UPDATE staff_login_throttle SET failures = failures - 1 \
             WHERE email = $1 AND locked_until = 0 AND failures > 0",
        )
        .bind(email)
    };
    query.execute(state.db.pool()).await?;
    Ok(())
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
