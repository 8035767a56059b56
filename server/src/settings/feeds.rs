//! How Signpost pulls other systems' ORUK feeds (`crate::directory::feeds`): plain values, parsed
//! by `config.rs`.

use std::time::Duration;

/// The feed harvester's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSettings {
    /// How often the server pulls each registered feed (`SIGNPOST_FEED_PULL_MINUTES`); `None`:
    /// never on its own (pull with `signpost feeds pull`).
    pub pull_every: Option<Duration>,
    /// The longest one request may take, body included (`SIGNPOST_FEED_TIMEOUT_SECS`).
    pub timeout: Duration,
    /// The pause between two requests to a feed (`SIGNPOST_FEED_PAUSE_MS`).
    pub pause: Duration,
    /// Tries per request before the pull fails (`SIGNPOST_FEED_ATTEMPTS`).
    pub attempts: u32,
    /// The wait before the first retry; it doubles each time (`SIGNPOST_FEED_BACKOFF_MS`).
    pub backoff: Duration,
    /// The most services one feed may have (`SIGNPOST_FEED_MAX_SERVICES`).
    pub max_services: usize,
    /// The largest response accepted, in bytes (`SIGNPOST_FEED_MAX_MB`).
    pub max_response_bytes: usize,
    /// The page size asked for (feeds that allow less send less).
    pub per_page: u32,
    /// The longest a whole pull may take; the feed is claimed for that long, so another server
    /// takes it over only after it.
    pub deadline: Duration,
}

impl FeedSettings {
    /// The defaults the configuration table documents.
    pub fn defaults() -> Self {
        Self {
            pull_every: None,
            timeout: Duration::from_secs(30),
            pause: Duration::from_millis(500),
            attempts: 4,
            backoff: Duration::from_secs(2),
            max_services: 20_000,
            max_response_bytes: 50 * 1024 * 1024,
            per_page: 1000,
            deadline: Duration::from_secs(60 * 60),
        }
    }
}
