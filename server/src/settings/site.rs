//! Site-wide settings: the service's public address (links in emails, and whether cookies are
//! `Secure`) and how many submissions of each public form one IP address may make per hour.

use clap::Args;
use std::net::SocketAddr;

/// The site-wide options as given, before validation.
#[derive(Debug, Clone, Args)]
pub struct RawSiteConfig {
    /// The service's public address, used in links in emails (default: http://LEPTOS_SITE_ADDR).
    #[arg(long, env = "SIGNPOST_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Submissions of a form accepted from one IP address per hour.
    #[arg(
        long,
        env = "SIGNPOST_SUBMISSIONS_PER_HOUR",
        default_value_t = 10,
        global = true
    )]
    pub submissions_per_hour: u32,

    /// New form drafts (a first answer saved) accepted from one IP address per hour.
    #[arg(
        long,
        env = "SIGNPOST_DRAFTS_PER_HOUR",
        default_value_t = 50,
        global = true
    )]
    pub drafts_per_hour: u32,

    /// The key of the rate limits' hashed addresses, shared by every server (at least 32
    /// characters; default: one generated once into the database).
    #[arg(
        long,
        env = "SIGNPOST_LIMIT_KEY",
        hide_env_values = true,
        global = true
    )]
    pub limit_key: Option<String>,

    /// Seconds a connection may take to send a request's headers before it is closed.
    #[arg(
        long,
        env = "SIGNPOST_HEADER_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub header_timeout_secs: u64,

    /// Connections served at once; more wait to be accepted.
    #[arg(
        long,
        env = "SIGNPOST_MAX_CONNECTIONS",
        default_value_t = 1024,
        global = true
    )]
    pub max_connections: u32,
}

/// Validated site-wide settings.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    /// Without a trailing slash, e.g. `https://family.brackenshire.example`.
    pub public_url: String,
    /// Submissions of each public form accepted from one IP address per hour.
    pub submissions_per_hour: u32,
    /// New drafts accepted from one IP address per hour.
    pub drafts_per_hour: u32,
    /// The rate limits' hashing key (None: generated into the database).
    pub limit_key: Option<String>,
    /// How long a connection may take to send a request's headers.
    pub header_timeout: std::time::Duration,
    /// Connections served at once.
    pub max_connections: u32,
}

/// A mistake in the site-wide settings, as one line that says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum SiteConfigError {
    #[error("SIGNPOST_PUBLIC_URL '{0}' is not an http(s) address: set it like https://family.example.org")]
    PublicUrl(String),
    #[error("{0} must be a whole number greater than 0")]
    Positive(&'static str),
    #[error("SIGNPOST_LIMIT_KEY must be at least 32 characters: generate one, e.g. with `openssl rand -hex 32`")]
    LimitKey,
}

impl SiteSettings {
    pub fn from_raw(raw: RawSiteConfig, site_addr: SocketAddr) -> Result<Self, SiteConfigError> {
        let public_url = match raw.public_url {
            Some(url) => {
                let parsed = url::Url::parse(url.trim())
                    .map_err(|_| SiteConfigError::PublicUrl(url.clone()))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                    return Err(SiteConfigError::PublicUrl(url));
                }
                parsed.as_str().trim_end_matches('/').to_owned()
            }
            None => format!("http://{site_addr}"),
        };
        for (value, name) in [
            (raw.submissions_per_hour, "SIGNPOST_SUBMISSIONS_PER_HOUR"),
            (raw.drafts_per_hour, "SIGNPOST_DRAFTS_PER_HOUR"),
            (raw.max_connections, "SIGNPOST_MAX_CONNECTIONS"),
        ] {
            if value == 0 {
                return Err(SiteConfigError::Positive(name));
            }
        }
        if raw.header_timeout_secs == 0 {
            return Err(SiteConfigError::Positive("SIGNPOST_HEADER_TIMEOUT_SECS"));
        }
        let limit_key = match raw.limit_key.map(|k| k.trim().to_owned()) {
            Some(k) if k.is_empty() => None,
            Some(k) if k.chars().count() < 32 => return Err(SiteConfigError::LimitKey),
            other => other,
        };
        Ok(Self {
            public_url,
            submissions_per_hour: raw.submissions_per_hour,
            drafts_per_hour: raw.drafts_per_hour,
            limit_key,
            header_timeout: std::time::Duration::from_secs(raw.header_timeout_secs),
            max_connections: raw.max_connections,
        })
    }

    /// The defaults for a server at `site_addr`, for tests that build `Settings` by hand.
    pub fn defaults(site_addr: SocketAddr) -> Self {
        Self {
            public_url: format!("http://{site_addr}"),
            submissions_per_hour: 10,
            drafts_per_hour: 50,
            limit_key: None,
            header_timeout: std::time::Duration::from_secs(10),
            max_connections: 1024,
        }
    }

    /// The origin (`scheme://host[:port]`) of the public address: what browsers send as
    /// `Origin` on this site's own form posts.
    pub fn public_origin(&self) -> String {
        url::Url::parse(&self.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| self.public_url.clone())
    }

    /// Whether the site is served over https (cookies are then `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> SocketAddr {
        "127.0.0.1:3000".parse().unwrap()
    }

    fn raw(public_url: Option<&str>) -> RawSiteConfig {
        RawSiteConfig {
            public_url: public_url.map(str::to_owned),
            submissions_per_hour: 10,
            drafts_per_hour: 50,
            limit_key: None,
            header_timeout_secs: 10,
            max_connections: 1024,
        }
    }

    #[test]
    fn links_go_to_the_site_address_by_default() {
        let s = SiteSettings::from_raw(raw(None), addr()).unwrap();
        assert_eq!(s.public_url, "http://127.0.0.1:3000");
        assert!(!s.is_https());
        assert_eq!(s.public_url, SiteSettings::defaults(addr()).public_url);
    }

    #[test]
    fn public_url_loses_its_trailing_slash_and_must_be_http() {
        let s = SiteSettings::from_raw(raw(Some("https://family.example/")), addr()).unwrap();
        assert_eq!(s.public_url, "https://family.example");
        assert!(s.is_https());
        assert!(SiteSettings::from_raw(raw(Some("ftp://x")), addr()).is_err());
    }

    #[test]
    fn a_limit_key_must_be_long_and_the_origin_has_no_path() {
        let short = RawSiteConfig {
            limit_key: Some("too short".into()),
            ..raw(None)
        };
        assert!(matches!(
            SiteSettings::from_raw(short, addr()),
            Err(SiteConfigError::LimitKey)
        ));
        let long = RawSiteConfig {
            limit_key: Some("k".repeat(32)),
            ..raw(Some("https://family.example/"))
        };
        let s = SiteSettings::from_raw(long, addr()).unwrap();
        assert_eq!(s.limit_key.as_deref(), Some("k".repeat(32).as_str()));
        assert_eq!(s.public_origin(), "https://family.example");
        assert_eq!(
            SiteSettings::defaults(addr()).public_origin(),
            "http://127.0.0.1:3000"
        );
    }

    #[test]
    fn submissions_must_be_positive() {
        let e = SiteSettings::from_raw(
            RawSiteConfig {
                submissions_per_hour: 0,
                ..raw(None)
            },
            addr(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "SIGNPOST_SUBMISSIONS_PER_HOUR must be a whole number greater than 0"
        );
    }
}
