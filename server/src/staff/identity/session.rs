//! Server-side sessions in the database. The browser holds a random 256-bit id in an HttpOnly,
//! SameSite=Strict cookie scoped to `/staff` (Secure unless configured off for local http); only
//! its SHA-256 is stored. A session ends after 30 minutes without a request or 12 hours after
//! sign-in, whichever is first, and every session of an account can be ended at once.
//!
//! Each session has its own random CSRF token, which every staff form carries in a hidden field
//! and every POST must echo.

use crate::web::cookie::{SameSite, SetCookie};
use axum::http::HeaderValue;
use sqlx::{AnyPool, Row};

pub const COOKIE: &str = "signpost_staff";
/// Before signing in: the double-submit token of the sign-in form.
pub const LOGIN_COOKIE: &str = "signpost_staff_login";
pub const IDLE_SECS: i64 = 30 * 60;
pub const ABSOLUTE_SECS: i64 = 12 * 3600;
/// A half-signed-in session (password given, second factor not yet) lasts this long.
pub const PARTIAL_SECS: i64 = 10 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; the code from the authenticator app is next.
    Password,
    /// The password was right; the account has no authenticator app yet.
    Enrol,
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Password => "password",
            Stage::Enrol => "enrol",
            Stage::Full => "full",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "password" => Some(Stage::Password),
            "enrol" => Some(Stage::Enrol),
            "full" => Some(Stage::Full),
            _ => None,
        }
    }
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    pub stage: Stage,
    pub csrf: String,
    pub pending_totp_secret: Option<String>,
}

/// The value of cookie `name`, if it looks like one of our tokens.
pub use crate::web::cookie::token as cookie;
pub use crate::web::token::{hash, new_token, tokens_match};

/// `Set-Cookie` for `name`; `None` as the value deletes it.
pub fn set_cookie(name: &str, value: Option<&str>, secure: bool) -> HeaderValue {
    SetCookie {
        name,
        value: value.unwrap_or_default(),
        path: "/staff",
        // No Max-Age: the cookie goes when the browser closes; the server ends it sooner.
        max_age: value.is_none().then_some(0),
        same_site: SameSite::Strict,
        secure,
    }
    .header()
}

/// Starts a session for `user_id` at `stage`; returns the cookie token.
pub async fn create(
    pool: &AnyPool,
    user_id: &str,
    stage: Stage,
    pending_totp_secret: Option<&str>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO staff_session (id_hash, user_id, stage, csrf_token, pending_totp_secret, \
         created_unix, last_seen_unix) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(hash(&token))
    .bind(user_id)
    .bind(stage.as_str())
    .bind(new_token())
    .bind(pending_totp_secret)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(token)
}

/// The live session of a cookie token, its idle time renewed. Expired sessions are deleted.
pub async fn load(pool: &AnyPool, token: &str, now: i64) -> Result<Option<Session>, sqlx::Error> {
    let id_hash = hash(token);
    let row = sqlx::query(
        "SELECT s.user_id, s.stage, s.csrf_token, s.pending_totp_secret, s.created_unix, \
         s.last_seen_unix, u.active FROM staff_session s JOIN staff_user u ON u.id = s.user_id \
         WHERE s.id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stage = Stage::parse(&row.try_get::<String, _>(1)?);
    let created: i64 = row.try_get(4)?;
    let last_seen: i64 = row.try_get(5)?;
    let active = row.try_get::<i64, _>(6)? == 1;
    let lifetime = if stage == Some(Stage::Full) {
        ABSOLUTE_SECS
    } else {
        PARTIAL_SECS
    };
    let live = active && now - last_seen < IDLE_SECS && now - created < lifetime;
    let Some(stage) = stage.filter(|_| live) else {
        end(pool, &id_hash).await?;
        return Ok(None);
    };
    sqlx::query("UPDATE staff_session SET last_seen_unix = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(&id_hash)
        .execute(pool)
        .await?;
    Ok(Some(Session {
        id_hash,
        user_id: row.try_get(0)?,
        stage,
        csrf: row.try_get(2)?,
        pending_totp_secret: row.try_get(3)?,
    }))
}

pub async fn end(pool: &AnyPool, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_session WHERE id_hash = $1")
        .bind(id_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends every session of an account (sign out everywhere; a disabled account; a new password),
/// on a pool or inside the caller's transaction.
pub async fn end_all<'e, E>(executor: E, user_id: &str) -> Result<u64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query("DELETE FROM staff_session WHERE user_id = $1")
        .bind(user_id)
        .execute(executor)
        .await?
        .rows_affected())
}

/// Deletes sessions past either limit (run with the other periodic work).
pub async fn purge(pool: &AnyPool, now: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM staff_session WHERE last_seen_unix < $1 OR created_unix < $2")
            .bind(now - IDLE_SECS)
            .bind(now - ABSOLUTE_SECS)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_strict_and_secure_when_configured() {
        let on = set_cookie(COOKIE, Some("abc"), true);
        let on = on.to_str().unwrap();
        assert_eq!(
            on,
            "signpost_staff=abc; Path=/staff; HttpOnly; SameSite=Strict; Secure"
        );
        let off = set_cookie(COOKIE, Some("abc"), false);
        assert!(!off.to_str().unwrap().contains("Secure"));
        let gone = set_cookie(COOKIE, None, true);
        assert!(gone.to_str().unwrap().contains("Max-Age=0"));
    }
}
