//! Other systems' Open Referral UK APIs, kept in step: `signpost feeds add NAME URL` registers
//! one, `signpost feeds pull [NAME]` (or the server, every `SIGNPOST_FEED_PULL_MINUTES`) harvests
//! it.
//!
//! A pull reads every page of the feed's `/services` (asking for large pages, pausing politely
//! between requests, each request with a timeout and retried with exponential backoff), then each
//! service's `/services/{id}` when the list does not carry the nested records, then imports them
//! all through [`super::import::import`] in one transaction: upserted by id, unchanged ones left
//! alone, the feed's services that are gone from it archived (never deleted). Anything wrong —
//! a bad record, an answer that is too big, not JSON or not UTF-8, a server that stalls — fails
//! the whole pull with nothing written, and the error is kept for the staff directory page.
//!
//! Several servers share one database: a pull first claims its feed with one conditional
//! `UPDATE` (free, or its claim expired), and goes on only if that changed the row. The claim
//! lasts as long as a pull may ([`FeedSettings::deadline`]), so a server that dies mid-pull
//! holds the feed no longer than that.

use super::import::{self, ImportError, ImportReport, Provenance};
use super::repo::LOCAL_SOURCE;
use crate::clock::Clock;
use crate::db::Db;
use crate::settings::FeedSettings;
use serde_json::Value;
use sqlx::{AnyPool, Row};
use std::time::Duration;
use url::Url;

/// A feed's name: 1 to 60 letters, digits, spaces, `-`, `_` or `.`, not Signpost's own source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedName(String);

impl FeedName {
    pub fn parse(text: &str) -> Result<Self, FeedError> {
        let name = text.trim();
        let ok = (1..=60).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
            && !name.eq_ignore_ascii_case(LOCAL_SOURCE);
        if ok {
            Ok(Self(name.to_owned()))
        } else {
            Err(FeedError::Name(text.chars().take(80).collect()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A feed's `/services` address: http or https, with a host, no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedUrl(Url);

impl FeedUrl {
    /// From the API's base address (`…/services` is added) or its `/services` address.
    pub fn parse(text: &str) -> Result<Self, FeedError> {
        let bad = || FeedError::Url(text.chars().take(200).collect());
        let mut url = Url::parse(text.trim()).map_err(|_| bad())?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(bad());
        }
        url.set_query(None);
        url.set_fragment(None);
        let path = url.path().trim_end_matches('/').to_owned();
        if !path.ends_with("/services") {
            url.set_path(&format!("{path}/services"));
        } else {
            url.set_path(&path);
        }
        Ok(Self(url))
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    fn page(&self, page: u64, per_page: u32) -> Url {
        let mut url = self.0.clone();
        url.query_pairs_mut()
            .append_pair("page", &page.to_string())
            .append_pair("per_page", &per_page.to_string());
        url
    }
    fn service(&self, id: &str) -> Url {
        let mut url = self.0.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.push(id);
        }
        url
    }
    /// The API's `/taxonomy_terms/{id}` (beside its `/services`).
    fn term(&self, id: &str) -> Url {
        let mut url = self.0.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop().push("taxonomy_terms").push(id);
        }
        url
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("'{0}' is not a feed name: use 1 to 60 letters, digits, spaces, - and _ (and not Brackenshire)")]
    Name(String),
    #[error("'{0}' is not an http(s) address of an ORUK API")]
    Url(String),
    #[error("there is already a feed called {0}")]
    Exists(String),
    #[error("there is no feed called {0} (signpost feeds list)")]
    Unknown(String),
    #[error("{0} is being pulled by another server or command; try again later")]
    Busy(String),
    #[error("{url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: the answer is not ORUK JSON: {reason}")]
    NotJson { url: String, reason: String },
    #[error("the feed has more than {0} services (SIGNPOST_FEED_MAX_SERVICES)")]
    TooMany(usize),
    #[error("the feed listed no services, though {0} of its services are in the directory: nothing was archived (a feed that empties by mistake must not empty the directory)")]
    Empty(i64),
    #[error("the pull took longer than {0} seconds and was abandoned")]
    Deadline(u64),
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl FeedError {
    /// The whole message, with every record problem on its own line (for the staff page and the
    /// command line).
    pub fn details(&self) -> String {
        match self {
            Self::Import(ImportError::Invalid(errors)) => {
                let mut text = self.to_string();
                for e in errors.iter().take(50) {
                    text.push('\n');
                    text.push_str(&e.to_string());
                }
                if errors.len() > 50 {
                    text.push_str(&format!("\n… and {} more", errors.len() - 50));
                }
                text
            }
            _ => self.to_string(),
        }
    }
}

/// Registers a feed.
pub async fn add(db: &Db, name: &FeedName, url: &FeedUrl, now: &str) -> Result<(), FeedError> {
    let done = sqlx::query(
        "INSERT INTO feed (name, url, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name.as_str())
    .bind(url.as_str())
    .bind(now)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(FeedError::Exists(name.as_str().to_owned()));
    }
    Ok(())
}

/// A registered feed and its last pull.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedStatus {
    pub name: String,
    pub url: String,
    pub last_started_at: Option<String>,
    pub last_finished_at: Option<String>,
    /// `ok` or `failed`; `None` before the first pull.
    pub last_outcome: Option<String>,
    pub last_error: Option<String>,
    pub last_ok_at: Option<String>,
    /// The last successful pull's counts.
    pub report: ImportReport,
    /// Its services: listed, waiting for a category, edited here.
    pub listed: i64,
    pub waiting: i64,
    pub overridden: i64,
    /// Being pulled now (claimed until this instant).
    pub claimed_until: Option<String>,
}

/// Every registered feed, by name.
pub async fn list(pool: &AnyPool) -> Result<Vec<FeedStatus>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT f.name, f.url, f.last_started_at, f.last_finished_at, f.last_outcome, f.last_error, \
         f.last_ok_at, f.created_count, f.updated_count, f.unchanged_count, f.waiting_count, \
         f.archived_count, f.kept_count, f.claimed_until, \
         (SELECT COUNT(*) FROM service s WHERE s.source = f.name AND s.status <> 'archived' AND s.awaiting_mapping = 0), \
         (SELECT COUNT(*) FROM service s WHERE s.source = f.name AND s.status <> 'archived' AND s.awaiting_mapping = 1), \
         (SELECT COUNT(*) FROM service s WHERE s.source = f.name AND s.local_override = 1) \
         FROM feed f ORDER BY f.name",
    )
    .fetch_all(pool)
    .await?;
    let count = |r: &sqlx::any::AnyRow, i: usize| -> Result<usize, sqlx::Error> {
        Ok(usize::try_from(r.try_get::<i64, _>(i)?).unwrap_or_default())
    };
    rows.iter()
        .map(|r| {
            Ok(FeedStatus {
                name: r.try_get(0)?,
                url: r.try_get(1)?,
                last_started_at: r.try_get(2)?,
                last_finished_at: r.try_get(3)?,
                last_outcome: r.try_get(4)?,
                last_error: r.try_get(5)?,
                last_ok_at: r.try_get(6)?,
                report: ImportReport {
                    created: count(r, 7)?,
                    updated: count(r, 8)?,
                    unchanged: count(r, 9)?,
                    waiting: count(r, 10)?,
                    archived: count(r, 11)?,
                    kept: count(r, 12)?,
                },
                claimed_until: r.try_get(13)?,
                listed: r.try_get(14)?,
                waiting: r.try_get(15)?,
                overridden: r.try_get(16)?,
            })
        })
        .collect()
}

/// Who is pulling: one random name per process, kept in the claim (for people reading the
/// table; the claim itself is the conditional update).
pub fn holder_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "signpost".to_owned());
    format!(
        "{}:{}:{:08x}",
        host.chars().take(40).collect::<String>(),
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Claims `name` for `holder` until `deadline` from now, if no one holds it (or their claim has
/// expired) and, when `due_before` is given, its last pull started at or before that instant.
/// True when this caller now holds it.
pub async fn claim(
    pool: &AnyPool,
    name: &str,
    holder: &str,
    clock: &Clock,
    deadline: Duration,
    due_before: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = clock.now();
    let until = Clock::system_at(
        clock
            .unix()
            .saturating_add(i64::try_from(deadline.as_secs()).unwrap_or(i64::MAX / 2)),
    );
    let done = sqlx::query(
        "UPDATE feed SET claimed_until = $1, claimed_by = $2, last_started_at = $3 \
         WHERE name = $4 AND (claimed_until IS NULL OR claimed_until < $3) \
         AND ($5 IS NULL OR last_started_at IS NULL OR last_started_at <= $5)",
    )
    .bind(until)
    .bind(holder)
    .bind(&now)
    .bind(name)
    .bind(due_before)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records how a pull ended and lets the feed go.
async fn finish(
    pool: &AnyPool,
    name: &str,
    holder: &str,
    now: &str,
    result: &Result<ImportReport, FeedError>,
) -> Result<(), sqlx::Error> {
    match result {
        Ok(r) => {
            sqlx::query(
                "UPDATE feed SET claimed_until = NULL, claimed_by = NULL, last_finished_at = $1, \
                 last_outcome = 'ok', last_error = NULL, last_ok_at = $1, created_count = $2, \
                 updated_count = $3, unchanged_count = $4, waiting_count = $5, archived_count = $6, \
                 kept_count = $7 WHERE name = $8 AND claimed_by = $9",
            )
            .bind(now)
            .bind(r.created as i64)
            .bind(r.updated as i64)
            .bind(r.unchanged as i64)
            .bind(r.waiting as i64)
            .bind(r.archived as i64)
            .bind(r.kept as i64)
            .bind(name)
            .bind(holder)
            .execute(pool)
            .await?;
        }
        Err(e) => {
            let message: String = e.details().chars().take(4000).collect();
            sqlx::query(
                "UPDATE feed SET claimed_until = NULL, claimed_by = NULL, last_finished_at = $1, \
                 last_outcome = 'failed', last_error = $2 WHERE name = $3 AND claimed_by = $4",
            )
            .bind(now)
            .bind(message)
            .bind(name)
            .bind(holder)
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// Pulls one registered feed now (unless another server or command is pulling it).
pub async fn pull(
    db: &Db,
    settings: &FeedSettings,
    clock: &Clock,
    name: &str,
    holder: &str,
) -> Result<ImportReport, FeedError> {
    let url: String = sqlx::query("SELECT url FROM feed WHERE name = $1")
        .bind(name)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| FeedError::Unknown(name.to_owned()))?
        .try_get(0)?;
    if !claim(db.pool(), name, holder, clock, settings.deadline, None).await? {
        return Err(FeedError::Busy(name.to_owned()));
    }
    pull_claimed(db, settings, clock, name, &url, holder).await
}

/// The pull itself, once the feed is held; the outcome is recorded either way.
async fn pull_claimed(
    db: &Db,
    settings: &FeedSettings,
    clock: &Clock,
    name: &str,
    url: &str,
    holder: &str,
) -> Result<ImportReport, FeedError> {
    let work = async {
        let url = FeedUrl::parse(url)?;
        let values = Harvester::new(settings)?.harvest(&url).await?;
        if values.is_empty() {
            let listed: i64 = sqlx::query(
                "SELECT COUNT(*) FROM service WHERE source = $1 AND status <> 'archived'",
            )
            .bind(name)
            .fetch_one(db.pool())
            .await?
            .try_get(0)?;
            if listed > 0 {
                return Err(FeedError::Empty(listed));
            }
        }
        let today = clock
            .today()
            .map_err(|e| ImportError::Clock(e.to_string()))?;
        let provenance = Provenance {
            source: name,
            archive_missing: true,
        };
        Ok(import::import(db, &values, &provenance, today, &clock.now()).await?)
    };
    let result = match tokio::time::timeout(settings.deadline, work).await {
        Ok(result) => result,
        Err(_) => Err(FeedError::Deadline(settings.deadline.as_secs())),
    };
    match &result {
        Ok(report) => tracing::info!(feed = name, %report, "pulled the feed"),
        Err(e) => tracing::warn!(feed = name, error = %e, "the feed's pull failed"),
    }
    finish(db.pool(), name, holder, &clock.now(), &result).await?;
    result
}

/// Every registered feed's name.
pub async fn names(pool: &AnyPool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query("SELECT name, url FROM feed ORDER BY name")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Pulls each feed that is due (its last pull started `every` ago or more) and that no one else
/// holds. Returns the feeds this call pulled.
pub async fn pull_due(
    db: &Db,
    settings: &FeedSettings,
    clock: &Clock,
    every: Duration,
    holder: &str,
) -> Result<Vec<(String, Result<ImportReport, FeedError>)>, sqlx::Error> {
    let mut pulled = Vec::new();
    for (name, url) in names(db.pool()).await? {
        let due_before = Clock::system_at(
            clock
                .unix()
                .saturating_sub(i64::try_from(every.as_secs()).unwrap_or(i64::MAX / 2)),
        );
        if !claim(
            db.pool(),
            &name,
            holder,
            clock,
            settings.deadline,
            Some(&due_before),
        )
        .await?
        {
            continue;
        }
        let result = pull_claimed(db, settings, clock, &name, &url, holder).await;
        pulled.push((name, result));
    }
    Ok(pulled)
}

/// The server's scheduled pulls: every minute (or `every`, if shorter), each due feed that no
/// other server holds. Started by the application when `SIGNPOST_FEED_PULL_MINUTES` is set.
pub fn spawn_scheduler(
    db: Db,
    settings: FeedSettings,
    clock: Clock,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    let holder = holder_name();
    let tick = every
        .min(Duration::from_secs(60))
        .max(Duration::from_millis(50));
    tokio::spawn(async move {
        loop {
            if let Err(e) = pull_due(&db, &settings, &clock, every, &holder).await {
                tracing::warn!(error = %e, "cannot check the feeds for a scheduled pull");
            }
            tokio::time::sleep(tick).await;
        }
    })
}

/// Reads a remote ORUK API politely.
struct Harvester<'a> {
    client: reqwest::Client,
    settings: &'a FeedSettings,
}

impl<'a> Harvester<'a> {
    fn new(settings: &'a FeedSettings) -> Result<Self, FeedError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!(
                "Signpost/",
                env!("CARGO_PKG_VERSION"),
                " (ORUK feed harvester)"
            ))
            .build()
            .map_err(|e| FeedError::Fetch {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok(Self { client, settings })
    }

    /// Every service of the feed, fully nested, in the feed's order.
    async fn harvest(&self, feed: &FeedUrl) -> Result<Vec<Value>, FeedError> {
        let max = self.settings.max_services;
        let mut listed: Vec<Value> = Vec::new();
        let mut page: u64 = 1;
        loop {
            let url = feed.page(page, self.settings.per_page);
            let body = self.get_json(&url).await?;
            let not_a_page = |reason: &str| FeedError::NotJson {
                url: url.to_string(),
                reason: reason.to_owned(),
            };
            let (contents, last) = match body {
                // A feed that answers with a bare list has one page.
                Value::Array(items) => (items, true),
                Value::Object(mut object) => {
                    let total_pages = object.get("total_pages").and_then(Value::as_u64);
                    let last_flag = object.get("last_page").and_then(Value::as_bool);
                    if let Some(total) = object.get("total_items").and_then(Value::as_u64) {
                        if total > max as u64 {
                            return Err(FeedError::TooMany(max));
                        }
                    }
                    let Some(Value::Array(items)) = object.remove("contents") else {
                        return Err(not_a_page("no `contents` list"));
                    };
                    let last = items.is_empty()
                        || last_flag == Some(true)
                        || total_pages.is_some_and(|t| page >= t)
                        || (last_flag.is_none() && total_pages.is_none());
                    (items, last)
                }
                _ => return Err(not_a_page("neither a page nor a list")),
            };
            listed.extend(contents);
            if listed.len() > max {
                return Err(FeedError::TooMany(max));
            }
            if last {
                break;
            }
            page += 1;
            tokio::time::sleep(self.settings.pause).await;
        }
        // `/services` lists one-to-one fields only (UK profile): the nested record is at
        // `/services/{id}`, unless the feed already sent it.
        let mut services = Vec::with_capacity(listed.len());
        for item in listed {
            if item.get("attributes").is_some_and(Value::is_array) {
                services.push(item);
                continue;
            }
            let Some(id) = item
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
            else {
                // Left to validation, which names the record.
                services.push(item);
                continue;
            };
            tokio::time::sleep(self.settings.pause).await;
            let url = feed.service(id);
            match self.get_json(&url).await? {
                full @ Value::Object(_) => services.push(full),
                _ => {
                    return Err(FeedError::NotJson {
                        url: url.to_string(),
                        reason: "not a service".to_owned(),
                    })
                }
            }
        }
        self.nest_referenced_terms(feed, &mut services).await?;
        Ok(services)
    }

    /// Terms a service only references by id are read from the feed's `/taxonomy_terms/{id}`
    /// (once each) and nested, so that they keep their names and can be mapped by name. A feed
    /// without that endpoint (404) leaves them referenced: they can still be mapped by id.
    async fn nest_referenced_terms(
        &self,
        feed: &FeedUrl,
        services: &mut [Value],
    ) -> Result<(), FeedError> {
        let mut terms: std::collections::BTreeMap<String, Option<Value>> = Default::default();
        for service in services.iter() {
            for attribute in service["attributes"].as_array().into_iter().flatten() {
                if attribute.get("taxonomy_term").is_some_and(Value::is_object) {
                    continue;
                }
                if let Some(id) = attribute["taxonomy_term_id"].as_str() {
                    if !id.is_empty() && id.len() <= 200 {
                        terms.insert(id.to_owned(), None);
                    }
                }
            }
        }
        for (id, term) in terms.iter_mut() {
            tokio::time::sleep(self.settings.pause).await;
            match self.get_json(&feed.term(id)).await {
                Ok(found @ Value::Object(_)) if found["id"].as_str() == Some(id.as_str()) => {
                    *term = Some(found);
                }
                Ok(_) => {}
                Err(FeedError::Fetch { reason, .. }) if reason.contains(" 404 ") => {}
                Err(e) => return Err(e),
            }
        }
        for service in services.iter_mut() {
            for attribute in service["attributes"].as_array_mut().into_iter().flatten() {
                if attribute.get("taxonomy_term").is_some_and(Value::is_object) {
                    continue;
                }
                let found = attribute["taxonomy_term_id"]
                    .as_str()
                    .and_then(|id| terms.get(id))
                    .and_then(Clone::clone);
                if let (Some(term), Some(object)) = (found, attribute.as_object_mut()) {
                    object.insert("taxonomy_term".to_owned(), term);
                }
            }
        }
        Ok(())
    }

    /// GETs `url` as JSON: retried (timeouts, connection errors, 429 and 5xx) with exponential
    /// backoff; an answer larger than the limit, not UTF-8 or not JSON fails at once.
    async fn get_json(&self, url: &Url) -> Result<Value, FeedError> {
        let mut last_error = String::new();
        for attempt in 0..self.settings.attempts.max(1) {
            if attempt > 0 {
                let wait = self
                    .settings
                    .backoff
                    .saturating_mul(2u32.saturating_pow(attempt - 1));
                tokio::time::sleep(wait).await;
            }
            match self.get_once(url).await {
                Ok(body) => {
                    return serde_json::from_slice(&body).map_err(|e| FeedError::NotJson {
                        url: url.to_string(),
                        reason: e.to_string(),
                    })
                }
                Err(Attempt::Retry(reason)) => last_error = reason,
                Err(Attempt::Fail(e)) => return Err(e),
            }
        }
        Err(FeedError::Fetch {
            url: url.to_string(),
            reason: format!(
                "{last_error} (after {} tries)",
                self.settings.attempts.max(1)
            ),
        })
    }

    /// One request: the body, or why it failed and whether to try again.
    async fn get_once(&self, url: &Url) -> Result<Vec<u8>, Attempt> {
        let limit = self.settings.max_response_bytes;
        let mut response = self
            .client
            .get(url.clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| Attempt::Retry(describe(&e)))?;
        let status = response.status();
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(Attempt::Retry(format!("the server answered {status}")));
        }
        if !status.is_success() {
            return Err(Attempt::Fail(FeedError::Fetch {
                url: url.to_string(),
                reason: format!("the server answered {status}"),
            }));
        }
        if response.content_length().is_some_and(|l| l > limit as u64) {
            return Err(Attempt::Fail(FeedError::TooLarge {
                url: url.to_string(),
                limit,
            }));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Attempt::Retry(describe(&e)))?
        {
            if body.len() + chunk.len() > limit {
                return Err(Attempt::Fail(FeedError::TooLarge {
                    url: url.to_string(),
                    limit,
                }));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

enum Attempt {
    Retry(String),
    Fail(FeedError),
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer within the timeout (SIGNPOST_FEED_TIMEOUT_SECS)".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "the connection failed".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_addresses_lead_to_services() {
        let u = FeedUrl::parse("https://feed.example/api/oruk/").unwrap();
        assert_eq!(u.as_str(), "https://feed.example/api/oruk/services");
        let u = FeedUrl::parse("http://127.0.0.1:9/services?x=1").unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:9/services");
        assert_eq!(
            u.page(2, 500).as_str(),
            "http://127.0.0.1:9/services?page=2&per_page=500"
        );
        assert_eq!(
            u.service("a/b").as_str(),
            "http://127.0.0.1:9/services/a%2Fb"
        );
        assert_eq!(
            FeedUrl::parse("https://f.example/api/oruk")
                .unwrap()
                .term("t-1")
                .as_str(),
            "https://f.example/api/oruk/taxonomy_terms/t-1"
        );
        assert!(FeedUrl::parse("ftp://feed.example/").is_err());
        assert!(FeedUrl::parse("https://user:pw@feed.example/").is_err());
        assert!(FeedUrl::parse("not a url").is_err());
    }

    #[test]
    fn feed_names_are_plain_and_not_ours() {
        assert!(FeedName::parse("Hampshire FIS").is_ok());
        assert!(FeedName::parse("brackenshire").is_err());
        assert!(FeedName::parse("").is_err());
        assert!(FeedName::parse("a/b").is_err());
    }
}
