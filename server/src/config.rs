//! Configuration from environment variables (or the equivalent flags), validated at start-up.
//!
//! `Cli` is what clap parses (and documents in `signpost --help`); `Settings` is the validated
//! form the rest of the server uses. Anything wrong becomes one `ConfigError` line that says what
//! is wrong and how to fix it.

use crate::calendar::BankHolidays;
pub use crate::settings::database::{DatabaseUrl, DatabaseUrlError};
use crate::settings::retention::{RawRetentionConfig, RetentionConfigError, RetentionSettings};
use crate::settings::staff::{self, StaffSettings, TotpKey};
use crate::settings::{MailConfigError, MailSettings, RawMailConfig};
use crate::settings::{RawSiteConfig, SiteConfigError, SiteSettings};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

const ABOUT: &str =
    "Signpost: Brackenshire's family information directory and self-referral portal.";

const AFTER_HELP: &str = "Every option can also be set with the environment variable shown \
beside it; the README has the full configuration table.";

#[derive(Debug, Parser)]
#[command(name = "signpost", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub config: RawConfig,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Run the web server (the default when no command is given).
    Serve,
    /// Apply the database migrations, then exit.
    Migrate,
    /// Load data into the directory.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write data out of the directory.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Rebuild the search index (embedded or Meilisearch) from the database.
    Reindex,
    /// Create a staff account. The password is read from standard input (one line); the
    /// person sets up their authenticator app when they first sign in.
    CreateUser {
        /// Their email address (they sign in with it).
        #[arg(long)]
        email: String,
        /// Their name, as other staff see it.
        #[arg(long)]
        name: String,
        /// hub, carers, directory or admin.
        #[arg(long)]
        role: String,
    },
    /// List or edit the search synonyms (groups of words that mean the same).
    #[command(subcommand)]
    Synonyms(SynonymsCommand),
    /// Register and pull other systems' Open Referral UK APIs.
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// The mapping from feeds' own taxonomy terms to Signpost's categories.
    #[command(subcommand)]
    Mapping(MappingCommand),
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum FeedsCommand {
    /// Register a remote ORUK API: its base URL (…/services is added) or its /services URL.
    Add {
        /// A short name for the feed (letters, digits, spaces, - and _); it is each of its
        /// services' source.
        name: String,
        /// The API's address, e.g. https://directory.example/api/oruk
        url: String,
    },
    /// Pull one feed, or every registered feed: all pages, upserted in one transaction; its
    /// services that are gone from it are archived.
    Pull {
        /// The feed's name (every feed when omitted).
        name: Option<String>,
    },
    /// List the registered feeds with their last pull.
    List,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum MappingCommand {
    /// Load mapping rows from a CSV file with the header `match,value,category` (`match`: id or
    /// name; `category`: a category code, docs/taxonomy.md), and apply them to waiting services.
    Load {
        /// The CSV file.
        path: PathBuf,
    },
    /// Print the mapping as that CSV.
    List,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum SynonymsCommand {
    /// Print every group with its number.
    List,
    /// Add a group: words or phrases separated by commas, e.g. "asd, autism, autistic".
    Add {
        /// The group.
        group: String,
    },
    /// Remove group number N (as `synonyms list` shows it).
    Remove {
        /// The group's number.
        number: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ImportCommand {
    /// Load the demo county, Brackenshire (idempotent: ids are stable).
    Demo,
    /// Import an Open Referral UK JSON file: a list of services or a page of `/services`.
    Oruk {
        /// The JSON file.
        path: PathBuf,
    },
    /// Import postcode centroids from an ONS Postcode Directory CSV file.
    Postcodes {
        /// The CSV file.
        path: PathBuf,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ExportCommand {
    /// Write every service as Open Referral UK JSON (the shape `import oruk` reads).
    Oruk {
        /// Where to write; standard output when omitted.
        path: Option<PathBuf>,
    },
}

/// The configuration as given, before validation.
#[derive(Debug, Clone, Args)]
pub struct RawConfig {
    /// Database: `sqlite://PATH` (created if missing) or `postgres://USER:PASSWORD@HOST:PORT/NAME`.
    /// Its value is never printed (it can hold a password).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/signpost.db",
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// Address and port the web server listens on.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub site_addr: String,

    /// Folder with the built site (the `pkg/` WebAssembly, JavaScript and CSS, and `public/` files).
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,

    /// `development` (readable logs) or `production` (JSON logs).
    #[arg(long, env = "SIGNPOST_ENV", value_enum, default_value_t = Environment::Development, global = true)]
    pub environment: Environment,

    /// Log format; defaults to `pretty` in development and `json` in production.
    #[arg(long, env = "SIGNPOST_LOG_FORMAT", value_enum, global = true)]
    pub log_format: Option<LogFormat>,

    /// Which logs to write, as a tracing filter (e.g. `info`, `signpost=debug,info`).
    #[arg(long, env = "RUST_LOG", default_value = "info", global = true)]
    pub log_filter: String,

    /// Seconds a request may take before the server answers 408.
    #[arg(
        long,
        env = "SIGNPOST_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Largest request body accepted, in kilobytes.
    #[arg(
        long,
        env = "SIGNPOST_MAX_BODY_KB",
        default_value_t = 256,
        global = true
    )]
    pub max_body_kb: usize,

    /// Database connections in the pool.
    #[arg(
        long,
        env = "SIGNPOST_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,

    /// Seconds to wait for the database at start-up and for a free connection.
    #[arg(
        long,
        env = "SIGNPOST_DB_TIMEOUT_SECS",
        default_value_t = 5,
        global = true
    )]
    pub db_timeout_secs: u64,

    /// Load the demo county (Brackenshire) into an empty directory at start-up: true or false.
    #[arg(
        long,
        env = "SIGNPOST_DEMO_DATA",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub demo_data: bool,

    /// Search engine: `embedded` (tantivy, in SIGNPOST_SEARCH_DIR) or `meilisearch` (MEILI_URL).
    #[arg(long, env = "SIGNPOST_SEARCH", value_enum, default_value_t = SearchEngineKind::Embedded, global = true)]
    pub search: SearchEngineKind,

    /// Folder of the embedded search index (rebuilt from the database when missing).
    #[arg(
        long,
        env = "SIGNPOST_SEARCH_DIR",
        default_value = "data/search-index",
        global = true
    )]
    pub search_dir: PathBuf,

    /// Meilisearch server, e.g. http://127.0.0.1:7700 (with SIGNPOST_SEARCH=meilisearch).
    #[arg(long, env = "MEILI_URL", global = true)]
    pub meili_url: Option<String>,

    /// Meilisearch API key (its master key or an admin key).
    #[arg(long, env = "MEILI_MASTER_KEY", hide_env_values = true, global = true)]
    pub meili_master_key: Option<String>,

    /// Name of the Meilisearch index of services.
    #[arg(
        long,
        env = "MEILI_INDEX",
        default_value = "signpost_services",
        global = true
    )]
    pub meili_index: String,

    /// Milliseconds between passes of the worker that brings directory changes into the index.
    #[arg(
        long,
        env = "SIGNPOST_SEARCH_SYNC_MS",
        default_value_t = 1000,
        global = true
    )]
    pub search_sync_ms: u64,

    /// Pages of search results kept in memory until the directory next changes (0: none).
    #[arg(
        long,
        env = "SIGNPOST_SEARCH_CACHE",
        default_value_t = crate::settings::DEFAULT_SEARCH_CACHE_ENTRIES,
        global = true
    )]
    pub search_cache: usize,

    /// Addresses of the reverse proxies in front of the server, comma-separated. A request from
    /// one of them is taken to come from the address its `X-Forwarded-For` names (the rate
    /// limits and the audit log use it); from anyone else, that header is ignored.
    #[arg(
        long,
        env = "SIGNPOST_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,

    /// Minutes between two scheduled pulls of each registered ORUK feed (0: only by
    /// `signpost feeds pull`). One server pulls a feed at a time.
    #[arg(
        long,
        env = "SIGNPOST_FEED_PULL_MINUTES",
        default_value_t = 0,
        global = true
    )]
    pub feed_pull_minutes: u64,

    /// The longest one request to a feed may take, in seconds.
    #[arg(
        long,
        env = "SIGNPOST_FEED_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub feed_timeout_secs: u64,

    /// The pause between two requests to a feed, in milliseconds.
    #[arg(
        long,
        env = "SIGNPOST_FEED_PAUSE_MS",
        default_value_t = 500,
        global = true
    )]
    pub feed_pause_ms: u64,

    /// Tries per request to a feed before the pull fails.
    #[arg(
        long,
        env = "SIGNPOST_FEED_ATTEMPTS",
        default_value_t = 4,
        global = true
    )]
    pub feed_attempts: u32,

    /// The wait before a feed request's first retry, in milliseconds (it doubles each time).
    #[arg(
        long,
        env = "SIGNPOST_FEED_BACKOFF_MS",
        default_value_t = 2000,
        global = true
    )]
    pub feed_backoff_ms: u64,

    /// The most services one feed may have.
    #[arg(
        long,
        env = "SIGNPOST_FEED_MAX_SERVICES",
        default_value_t = 20_000,
        global = true
    )]
    pub feed_max_services: usize,

    /// The largest response accepted from a feed, in megabytes.
    #[arg(
        long,
        env = "SIGNPOST_FEED_MAX_MB",
        default_value_t = 50,
        global = true
    )]
    pub feed_max_mb: usize,

    /// Email: SMTP server, sender, the Hub's address, links, retries (`server/src/mail/config.rs`).
    #[command(flatten)]
    pub mail: RawMailConfig,

    /// The public address and the public forms' submission limit (`server/src/settings/site.rs`).
    #[command(flatten)]
    pub site: RawSiteConfig,

    /// Send the staff session cookie with `Secure`: true or false. Defaults to true when
    /// SIGNPOST_PUBLIC_URL is https; set false only for local http.
    #[arg(long, env = "SIGNPOST_STAFF_COOKIE_SECURE", action = clap::ArgAction::Set, global = true)]
    pub staff_cookie_secure: Option<bool>,

    /// Bank holidays (England and Wales) that do not count as working days, as YYYY-MM-DD dates
    /// separated by commas. Defaults to the published dates for 2025 to 2028.
    #[arg(long, env = "SIGNPOST_BANK_HOLIDAYS", global = true)]
    pub bank_holidays: Option<String>,

    /// The targeted services a request can be allocated to, separated by commas.
    #[arg(long, env = "SIGNPOST_TARGETED_SERVICES", default_value = staff::DEFAULT_TARGETED_SERVICES, global = true)]
    pub targeted_services: String,

    /// Days after a request for support is closed before its personal data is deleted.
    #[arg(long, env = "SIGNPOST_CLOSED_RETENTION_DAYS", default_value_t = staff::DEFAULT_CLOSED_RETENTION_DAYS, global = true)]
    pub closed_retention_days: u32,

    /// The levels of need the Hub assigns, separated by commas.
    #[arg(long, env = "SIGNPOST_LEVELS_OF_NEED", default_value = staff::DEFAULT_LEVELS_OF_NEED, global = true)]
    pub levels_of_need: String,

    /// The key staff authenticator secrets are encrypted with: 64 hex digits (e.g.
    /// `openssl rand -hex 32`). Required in production. Never printed.
    #[arg(long, env = "SIGNPOST_TOTP_KEY", hide_env_values = true, global = true)]
    pub totp_key: Option<String>,

    /// How long personal data is kept (`server/src/settings/retention.rs`).
    #[command(flatten)]
    pub retention: RawRetentionConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchEngineKind {
    Embedded,
    Meilisearch,
}

/// Which search engine, and where it is.
#[derive(Clone, PartialEq, Eq)]
pub enum SearchSettings {
    Embedded {
        dir: PathBuf,
    },
    Meilisearch {
        url: String,
        key: Option<String>,
        index: String,
    },
}

impl std::fmt::Debug for SearchSettings {
    // Never print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Embedded { dir } => write!(f, "embedded ({})", dir.display()),
            Self::Meilisearch { url, index, .. } => write!(f, "meilisearch ({url}, index {index})"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseUrl,
    pub site_addr: SocketAddr,
    pub site_root: PathBuf,
    pub environment: Environment,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    pub db_max_connections: u32,
    pub db_timeout: Duration,
    pub demo_data: bool,
    pub search: SearchSettings,
    pub search_sync_interval: Duration,
    pub search_cache: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`crate::middleware::client_ip`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub mail: MailSettings,
    pub site: SiteSettings,
    pub staff: StaffSettings,
    /// Pulling other systems' ORUK feeds (`crate::directory::feeds`).
    pub feeds: crate::settings::FeedSettings,
    /// How long personal data is kept (`crate::retention` applies it).
    pub retention: RetentionSettings,
}

impl TryFrom<RawConfig> for Settings {
    type Error = ConfigError;

    fn try_from(raw: RawConfig) -> Result<Self, ConfigError> {
        let database = DatabaseUrl::parse(&raw.database_url)?;
        let site_addr = raw
            .site_addr
            .trim()
            .parse()
            .map_err(|_| ConfigError::SiteAddr(raw.site_addr.clone()))?;
        if raw.request_timeout_secs == 0 {
            return Err(ConfigError::Positive("SIGNPOST_REQUEST_TIMEOUT_SECS"));
        }
        if raw.max_body_kb == 0 {
            return Err(ConfigError::Positive("SIGNPOST_MAX_BODY_KB"));
        }
        if raw.db_max_connections == 0 {
            return Err(ConfigError::Positive("SIGNPOST_DB_MAX_CONNECTIONS"));
        }
        if raw.db_timeout_secs == 0 {
            return Err(ConfigError::Positive("SIGNPOST_DB_TIMEOUT_SECS"));
        }
        if raw.search_sync_ms == 0 {
            return Err(ConfigError::Positive("SIGNPOST_SEARCH_SYNC_MS"));
        }
        let search = match raw.search {
            SearchEngineKind::Embedded => SearchSettings::Embedded {
                dir: raw.search_dir.clone(),
            },
            SearchEngineKind::Meilisearch => {
                let url = raw
                    .meili_url
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .ok_or(ConfigError::MeiliUrl("it is not set".into()))?;
                match url::Url::parse(url) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {}
                    _ => {
                        return Err(ConfigError::MeiliUrl(format!(
                            "'{url}' is not an http(s) URL"
                        )))
                    }
                }
                let index = raw.meili_index.trim();
                if index.is_empty()
                    || !index
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(ConfigError::MeiliIndex(raw.meili_index.clone()));
                }
                SearchSettings::Meilisearch {
                    url: url.trim_end_matches('/').to_owned(),
                    key: raw.meili_master_key.clone().filter(|k| !k.is_empty()),
                    index: index.to_owned(),
                }
            }
        };
        let log_format = raw.log_format.unwrap_or(match raw.environment {
            Environment::Development => LogFormat::Pretty,
            Environment::Production => LogFormat::Json,
        });
        let mail = MailSettings::from_raw(raw.mail)?;
        let site = SiteSettings::from_raw(raw.site, site_addr)?;
        let mut staff = StaffSettings::defaults(raw.staff_cookie_secure.unwrap_or(site.is_https()));
        if let Some(list) = raw.bank_holidays.as_deref() {
            staff.bank_holidays = BankHolidays::parse(list).map_err(ConfigError::BankHoliday)?;
        }
        staff.targeted_services = staff::split_list(&raw.targeted_services);
        staff.levels_of_need = staff::split_list(&raw.levels_of_need);
        if raw.closed_retention_days == 0 {
            return Err(ConfigError::Positive("SIGNPOST_CLOSED_RETENTION_DAYS"));
        }
        staff.closed_retention_days = raw.closed_retention_days;
        staff.totp_key = match raw.totp_key.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(TotpKey::parse(text).ok_or(ConfigError::TotpKey)?),
        };
        let retention = RetentionSettings::from_raw(&raw.retention, raw.closed_retention_days)?;
        if staff.targeted_services.is_empty() {
            return Err(ConfigError::Empty("SIGNPOST_TARGETED_SERVICES"));
        }
        if staff.levels_of_need.is_empty() {
            return Err(ConfigError::Empty("SIGNPOST_LEVELS_OF_NEED"));
        }
        for (value, name) in [
            (raw.feed_timeout_secs, "SIGNPOST_FEED_TIMEOUT_SECS"),
            (u64::from(raw.feed_attempts), "SIGNPOST_FEED_ATTEMPTS"),
            (raw.feed_max_services as u64, "SIGNPOST_FEED_MAX_SERVICES"),
            (raw.feed_max_mb as u64, "SIGNPOST_FEED_MAX_MB"),
        ] {
            if value == 0 {
                return Err(ConfigError::Positive(name));
            }
        }
        let feeds = crate::settings::FeedSettings {
            pull_every: (raw.feed_pull_minutes > 0)
                .then(|| Duration::from_secs(raw.feed_pull_minutes.saturating_mul(60))),
            timeout: Duration::from_secs(raw.feed_timeout_secs),
            pause: Duration::from_millis(raw.feed_pause_ms),
            attempts: raw.feed_attempts,
            backoff: Duration::from_millis(raw.feed_backoff_ms),
            max_services: raw.feed_max_services,
            max_response_bytes: raw.feed_max_mb.saturating_mul(1024 * 1024),
            ..crate::settings::FeedSettings::defaults()
        };
        Ok(Self {
            database,
            site_addr,
            site_root: raw.site_root,
            environment: raw.environment,
            log_format,
            log_filter: raw.log_filter,
            request_timeout: Duration::from_secs(raw.request_timeout_secs),
            max_body_bytes: raw.max_body_kb.saturating_mul(1024),
            db_max_connections: raw.db_max_connections,
            db_timeout: Duration::from_secs(raw.db_timeout_secs),
            demo_data: raw.demo_data,
            search,
            search_sync_interval: Duration::from_millis(raw.search_sync_ms),
            search_cache: raw.search_cache,
            trusted_proxies: raw
                .trusted_proxies
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse()
                        .map_err(|_| ConfigError::TrustedProxy(s.to_owned()))
                })
                .collect::<Result<_, _>>()?,
            mail,
            site,
            staff,
            feeds,
            retention,
        })
    }
}

impl Settings {
    /// What production must not run with (`SIGNPOST_ENV=production`): a public address over
    /// plain http, email over SMTP without TLS (or written to files instead of sent), the demo
    /// county, or no key for the staff's authenticator secrets. Loopback addresses are allowed
    /// plain: a public URL on 127.0.0.1 is no one's public address, and a relay on the same
    /// machine (`smtp://127.0.0.1:25`) never crosses a network. Each problem is one line.
    pub fn production_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.environment != Environment::Production {
            return problems;
        }
        if !self.site.is_https() && !url_is_loopback(&self.site.public_url) {
            problems.push(
                "SIGNPOST_PUBLIC_URL must be https:// in production (cookies and links would \
                 travel in clear): set it like https://family.brackenshire.example"
                    .to_owned(),
            );
        }
        match &self.mail.transport {
            crate::settings::MailTransport::Files(_) => problems.push(
                "SIGNPOST_SMTP_URL is not set, so emails would be written to files instead of \
                 sent: set it like smtps://USER:PASSWORD@HOST:465"
                    .to_owned(),
            ),
            crate::settings::MailTransport::Smtp(url) if !smtp_uses_tls(url) => problems.push(
                "SIGNPOST_SMTP_URL sends email without TLS: use smtps://HOST:465 or add \
                 ?tls=required (plain smtp:// is allowed only to a relay on this machine)"
                    .to_owned(),
            ),
            crate::settings::MailTransport::Smtp(_) => {}
        }
        if self.demo_data {
            problems.push(
                "SIGNPOST_DEMO_DATA is on: set SIGNPOST_DEMO_DATA=false in production (the demo \
                 county is fictional)"
                    .to_owned(),
            );
        }
        if self.staff.totp_key.is_none() {
            problems.push(
                "SIGNPOST_TOTP_KEY is not set: staff authenticator secrets must be encrypted in \
                 production; set it to 64 hex digits (openssl rand -hex 32) and keep it safe"
                    .to_owned(),
            );
        }
        problems
    }
}

fn url_is_loopback(url: &str) -> bool {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether an SMTP URL (already checked by the mail settings) uses TLS: `smtps://`, or
/// `?tls=required`; or goes to a relay on this machine.
fn smtp_uses_tls(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    parsed.scheme() == "smtps"
        || parsed
            .query_pairs()
            .any(|(k, v)| k == "tls" && v == "required")
        || url_is_loopback(&format!("http://{}", parsed.host_str().unwrap_or_default()))
}

/// A configuration mistake, as one line that says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    DatabaseUrl(#[from] DatabaseUrlError),
    #[error("LEPTOS_SITE_ADDR '{0}' is not an address and port: set it like 127.0.0.1:3000")]
    SiteAddr(String),
    #[error("{0} must be a whole number greater than 0")]
    Positive(&'static str),
    #[error(
        "SIGNPOST_SEARCH=meilisearch needs MEILI_URL: {0}. Set it like http://127.0.0.1:7700, \
         or unset SIGNPOST_SEARCH to use the embedded search"
    )]
    MeiliUrl(String),
    #[error("MEILI_INDEX '{0}' is not an index name: use letters, digits, - and _ only")]
    MeiliIndex(String),
    #[error(transparent)]
    Mail(#[from] MailConfigError),
    #[error(transparent)]
    Site(#[from] SiteConfigError),
    #[error("SIGNPOST_BANK_HOLIDAYS has '{0}', which is not a date: list dates like 2026-12-25,2026-12-28")]
    BankHoliday(String),
    #[error("{0} is empty: list at least one item, separated by commas")]
    Empty(&'static str),
    #[error(
        "SIGNPOST_TRUSTED_PROXIES has '{0}', which is not an IP address: list the proxies' \
         addresses like 10.0.0.5,10.0.0.6"
    )]
    TrustedProxy(String),
    #[error("SIGNPOST_TOTP_KEY is not a key: give 64 hex digits, e.g. from openssl rand -hex 32")]
    TotpKey,
    #[error(transparent)]
    Retention(#[from] RetentionConfigError),
}

#[cfg(test)]
mod production_tests {
    use super::*;

    fn settings(args: &[&str]) -> Settings {
        let mut all = vec!["signpost"];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).expect("parses");
        Settings::try_from(cli.config).expect("valid")
    }

    #[test]
    fn production_refuses_http_plain_smtp_demo_data_and_no_totp_key() {
        let problems = settings(&[
            "--environment",
            "production",
            "--public-url",
            "http://family.example",
            "--smtp-url",
            "smtp://mail.example:25",
        ])
        .production_problems();
        let text = problems.join("\n");
        assert_eq!(problems.len(), 4, "{text}");
        for name in [
            "SIGNPOST_PUBLIC_URL",
            "SIGNPOST_SMTP_URL",
            "SIGNPOST_DEMO_DATA",
            "SIGNPOST_TOTP_KEY",
        ] {
            assert!(text.contains(name), "{name}: {text}");
        }
        let files = settings(&["--environment", "production"]).production_problems();
        assert!(
            files.iter().any(|p| p.contains("written to files")),
            "{files:?}"
        );
    }

    #[test]
    fn production_starts_with_https_tls_and_a_key() {
        let key = "ab".repeat(32);
        for smtp in [
            "smtps://u:p@mail.example:465",
            "smtp://u:p@mail.example:587?tls=required",
            "smtp://127.0.0.1:25",
        ] {
            let s = settings(&[
                "--environment",
                "production",
                "--public-url",
                "https://family.example",
                "--smtp-url",
                smtp,
                "--demo-data",
                "false",
                "--totp-key",
                &key,
            ]);
            assert!(s.production_problems().is_empty(), "{smtp}");
        }
        // Development is not checked.
        assert!(settings(&[]).production_problems().is_empty());
        // A public URL on this machine is no one's public address.
        let local = settings(&[
            "--environment",
            "production",
            "--public-url",
            "http://127.0.0.1:3000",
            "--smtp-url",
            "smtp://127.0.0.1:2525",
            "--demo-data",
            "false",
            "--totp-key",
            &key,
        ]);
        assert!(local.production_problems().is_empty());
    }

    #[test]
    fn a_bad_totp_key_is_one_line() {
        let cli = Cli::try_parse_from(["signpost", "--totp-key", "short"]).expect("parses");
        let e = Settings::try_from(cli.config).unwrap_err();
        assert!(e.to_string().starts_with("SIGNPOST_TOTP_KEY is not a key"));
    }
}
