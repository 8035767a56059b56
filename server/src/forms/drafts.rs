//! Drafts of the form engine's forms in progress (every form alike), keyed by a random token the
//! browser holds in an HttpOnly cookie. Only the token's SHA-256 is stored, so a copy of the database cannot be used to resume
//! someone's form. Drafts expire [`LIFETIME`] after they were last saved; a finished one (the
//! carers' summary, the request's confirmation) a short time after finishing
//! ([`finished_expiry`]); "Delete my answers" deletes one at once ([`delete`]). Expired drafts
//! are deleted by the retention pass ([`purge_expired`], `crate::retention`).

use crate::clock::Clock;
use app::forms::FormData;
use sqlx::{AnyPool, Row};
use std::time::Duration;

/// How long a draft of any form (and a resume link) lives after it was last saved: the engine's
/// one setting for every form. The cookie's `Max-Age`, the resume email and the expired-link
/// page all follow it.
pub const LIFETIME: Duration = Duration::from_secs(LIFETIME_DAYS * 24 * 3600);

/// [`LIFETIME`] in days, as the pages and emails say it.
pub const LIFETIME_DAYS: u64 = 30;

use crate::web::token::{hash, new_token};

fn expiry(clock: &Clock) -> String {
    clock.millis_in(LIFETIME)
}

/// When a draft finished now stops being readable: `window` from now (the summary's or the
/// confirmation's short life, `SIGNPOST_SUMMARY_MINUTES`).
pub fn finished_expiry(clock: &Clock, window: Duration) -> String {
    clock.millis_in(window)
}

/// A stored draft.
#[derive(Debug, Clone)]
pub struct Draft {
    pub id: String,
    pub data: FormData,
    /// Set once the form was sent.
    pub submitted_reference: Option<String>,
}

/// The live draft of `form` for a cookie token, if any.
pub async fn load(
    pool: &AnyPool,
    clock: &Clock,
    form: &str,
    token: &str,
) -> Result<Option<Draft>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, answers, submitted_reference FROM form_draft \
         WHERE token_hash = $1 AND form = $2 AND expires_at > $3",
    )
    .bind(hash(token))
    .bind(form)
    .bind(clock.now_millis())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let answers: String = row.try_get(1)?;
    Ok(Some(Draft {
        id: row.try_get(0)?,
        // A draft written by an older version that no longer parses starts again empty.
        data: serde_json::from_str(&answers).unwrap_or_default(),
        submitted_reference: row.try_get(2)?,
    }))
}

/// Stores a new draft; returns its id and the token for the cookie.
pub async fn create(
    pool: &AnyPool,
    clock: &Clock,
    form: &str,
    data: &FormData,
) -> Result<(String, String), sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let token = new_token();
    let now = clock.now_millis();
    sqlx::query(
        "INSERT INTO form_draft (id, form, token_hash, answers, created_at, updated_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(form)
    .bind(hash(&token))
    .bind(json(data))
    .bind(&now)
    .bind(&now)
    .bind(expiry(clock))
    .execute(pool)
    .await?;
    Ok((id, token))
}

/// Saves the answers of a draft not yet sent (a sent draft is never changed again).
pub async fn save(
    pool: &AnyPool,
    clock: &Clock,
    id: &str,
    data: &FormData,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE form_draft SET answers = $1, updated_at = $2, expires_at = $3 \
         WHERE id = $4 AND submitted_reference IS NULL",
    )
    .bind(json(data))
    .bind(clock.now_millis())
    .bind(expiry(clock))
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives a draft a resume token (stored hashed, valid for [`LIFETIME`]). Runs on the caller's
/// connection so the email with the link is stored in the same transaction.
pub async fn set_resume_token(
    conn: &mut sqlx::AnyConnection,
    clock: &Clock,
    id: &str,
    token: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE form_draft SET resume_token_hash = $1, resume_expires_at = $2 \
         WHERE id = $3 AND submitted_reference IS NULL",
    )
    .bind(hash(token))
    .bind(expiry(clock))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Exchanges a resume token for a new cookie token (the link works once). Returns the new
/// cookie token, or None when the link is unknown, used, expired or its form was sent.
pub async fn resume(
    pool: &AnyPool,
    clock: &Clock,
    token: &str,
) -> Result<Option<String>, sqlx::Error> {
    let cookie = new_token();
    let now = clock.now_millis();
    let changed = sqlx::query(
        "UPDATE form_draft SET token_hash = $1, resume_token_hash = NULL, resume_expires_at = NULL, \
         updated_at = $2, expires_at = $3 \
         WHERE resume_token_hash = $4 AND resume_expires_at > $5 AND submitted_reference IS NULL",
    )
    .bind(hash(&cookie))
    .bind(&now)
    .bind(expiry(clock))
    .bind(hash(token))
    .bind(&now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok((changed == 1).then_some(cookie))
}

/// "Delete my answers": deletes the draft (its answers, its resume link). Returns whether there
/// was one.
pub async fn delete(pool: &AnyPool, id: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM form_draft WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        == 1)
}

/// Deletes expired drafts (their answers included). Returns how many.
pub async fn purge_expired(pool: &AnyPool, clock: &Clock) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM form_draft WHERE expires_at <= $1")
        .bind(clock.now_millis())
        .execute(pool)
        .await?
        .rows_affected())
}

pub fn json(data: &FormData) -> String {
    serde_json::to_string(data).unwrap_or_else(|_| "{}".into())
}
