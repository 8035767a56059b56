//! Limits on how often one visitor may do something (send a form, start a draft, try a password),
//! kept in the database so that they hold across every server behind the proxy.
//!
//! Each limit is a [`Rule`]: a purpose, at most `max` in any `window`. A visitor is a
//! [`Subject`]: an IP address (IPv4 by address, IPv6 by its /64, the block one household or phone
//! is given, so walking the addresses of one /64 gains nothing) or a draft. The database never
//! holds the address itself: only an HMAC-SHA256 of it under a key every server shares
//! (`SIGNPOST_LIMIT_KEY`, or one generated once into `app_setting`), so a copy of the table says
//! nothing about who used the site.
//!
//! Counting is a two-window weighted counter (the "sliding window counter"): the current
//! fixed window's count plus the previous window's count weighted by how much of it still lies
//! inside the sliding window. One `INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING`
//! statement checks and counts together, so two servers (or two requests) at the same moment
//! can never both take the last place; a refused attempt is not counted. Rows are deleted
//! ([`purge`]) once both windows they could count in have passed.
//!
//! Why not a library: `governor`, `tower_governor` and the like keep their counters in the
//! process's memory, so with two servers each would allow the limit on its own; nothing in the
//! ecosystem rate-limits over sqlx's `Any` pool on both SQLite and PostgreSQL.

use crate::clock::Clock;
use crate::db::Db;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::Row;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// At most `max` times in any `window`, per subject.
#[derive(Debug, Clone, Copy)]
pub struct Rule<'a> {
    /// What is limited (a short fixed name; the database key's first part).
    pub purpose: &'a str,
    pub max: u32,
    pub window: Duration,
}

impl<'a> Rule<'a> {
    pub fn per_hour(purpose: &'a str, max: u32) -> Self {
        Self {
            purpose,
            max,
            window: Duration::from_secs(3600),
        }
    }
}

/// Who a limit counts.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A visitor's address (`crate::middleware::client_ip`).
    Ip(IpAddr),
    /// A form draft (its id).
    Draft(&'a str),
}

impl Subject<'_> {
    /// The text that is hashed: IPv4 by address, IPv6 by /64 (an IPv4-mapped IPv6 address is
    /// its IPv4 address).
    fn text(&self) -> String {
        match self {
            Subject::Ip(IpAddr::V4(a)) => format!("ip4:{a}"),
            Subject::Ip(IpAddr::V6(a)) => match a.to_ipv4_mapped() {
                Some(v4) => format!("ip4:{v4}"),
                None => {
                    let s = a.segments();
                    format!("ip6:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
            Subject::Draft(id) => format!("draft:{id}"),
        }
    }
}

/// The database-backed limiter every server shares. Cheap to clone.
#[derive(Clone)]
pub struct Limiter {
    db: Db,
    key: Arc<[u8]>,
    clock: Clock,
}

/// 32 random bytes as hex.
fn new_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The `app_setting` row holding the generated key (when `SIGNPOST_LIMIT_KEY` is unset).
const KEY_SETTING: &str = "rate_limit_key";

impl Limiter {
    /// The limiter over `db`, hashing with `configured` (`SIGNPOST_LIMIT_KEY`) or, without it,
    /// the key generated once into the database (the first server to start writes it; every
    /// other reads the same).
    pub async fn load(
        db: &Db,
        configured: Option<&str>,
        clock: Clock,
    ) -> Result<Self, sqlx::Error> {
        let key: Vec<u8> = match configured {
            Some(k) => k.as_bytes().to_vec(),
            None => {
                sqlx::query(
                    "INSERT INTO app_setting (key, value, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(KEY_SETTING)
                .bind(new_key())
                .bind(clock.now())
                .execute(db.pool())
                .await?;
                let value: String = sqlx::query("SELECT value FROM app_setting WHERE key = $1")
                    .bind(KEY_SETTING)
                    .fetch_one(db.pool())
                    .await?
                    .try_get(0)?;
                value.into_bytes()
            }
        };
        Ok(Self {
            db: db.clone(),
            key: key.into(),
            clock,
        })
    }

    /// The keyed hash stored for `subject` (hex, 128 bits).
    fn hashed(&self, subject: &Subject<'_>) -> String {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            // HMAC takes a key of any length; this arm cannot be reached.
            Err(_) => return String::new(),
        };
        mac.update(subject.text().as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// Counts one attempt by `subject` under `rule` and says whether it is allowed. A refused
    /// attempt is not counted. If the database cannot be reached the attempt is allowed (and
    /// logged): whatever it was for needs the database too and will fail on its own.
    pub async fn allow(&self, rule: &Rule<'_>, subject: Subject<'_>) -> bool {
        match self.try_allow(rule, subject).await {
            Ok(allowed) => allowed,
            Err(_) => {
                tracing::warn!(
                    purpose = rule.purpose,
                    "rate limit not checked: database error"
                );
                true
            }
        }
    }

    /// As [`Limiter::allow`], with the database's error.
    pub async fn try_allow(
        &self,
        rule: &Rule<'_>,
        subject: Subject<'_>,
    ) -> Result<bool, sqlx::Error> {
        let window = i64::try_from(rule.window.as_secs())
            .unwrap_or(i64::MAX / 4)
            .max(1);
        let now = self.clock.unix();
        let current = now - now.rem_euclid(window);
        let previous = current - window;
        // The share of the previous window still inside the sliding window, in seconds.
        let weight = window - (now - current);
        let max = i64::from(rule.max).saturating_mul(window);
        let row = sqlx::query(
            "INSERT INTO rate_limit (purpose, subject, window_start, hits, expires_at) \
             SELECT $1, $2, $3, 1, $4 \
             WHERE COALESCE((SELECT p.hits FROM rate_limit p WHERE p.purpose = $1 \
                 AND p.subject = $2 AND p.window_start = $5), 0) * $6 < $7 \
             ON CONFLICT (purpose, subject, window_start) DO UPDATE SET hits = rate_limit.hits + 1 \
             WHERE rate_limit.hits * $8 + COALESCE((SELECT p.hits FROM rate_limit p \
                 WHERE p.purpose = $1 AND p.subject = $2 AND p.window_start = $5), 0) * $6 < $7 \
             RETURNING hits",
        )
        .bind(rule.purpose)
        .bind(self.hashed(&subject))
        .bind(current)
        // Counted in this window and, weighted, in the next one.
        .bind(current + 2 * window)
        .bind(previous)
        .bind(weight)
        .bind(max)
        .bind(window)
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.is_some())
    }
}

/// Deletes the windows that can no longer count (the table's retention rule: a row lives at
/// most two windows; run by `crate::retention`). Returns how many rows went.
pub async fn purge(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM rate_limit WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_keyed_by_its_64_and_ipv4_by_address() {
        let text = |s: &str| Subject::Ip(s.parse().unwrap()).text();
        assert_eq!(
            text("2001:db8:1:2:aaaa::1"),
            text("2001:db8:1:2:ffff:1:2:3")
        );
        assert_ne!(text("2001:db8:1:2::1"), text("2001:db8:1:3::1"));
        assert_eq!(text("::ffff:192.0.2.1"), text("192.0.2.1"));
        assert_ne!(text("192.0.2.1"), text("192.0.2.2"));
        assert_ne!(Subject::Draft("a").text(), Subject::Draft("b").text());
    }
}
