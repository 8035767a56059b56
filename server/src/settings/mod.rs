//! Plain settings types, below every feature: `config.rs` parses flags and environment
//! variables into them, `startup.rs` hands them to the features and the state. Nothing here
//! imports a feature, so configuration and features never import one another in a circle.

pub mod database;
pub mod feeds;
pub mod mail;
pub mod retention;
pub mod site;
pub mod staff;

pub use feeds::FeedSettings;
pub use mail::{MailConfigError, MailSettings, MailTransport, RawMailConfig};
pub use retention::RetentionSettings;
pub use site::{RawSiteConfig, SiteConfigError, SiteSettings};
pub use staff::StaffSettings;

/// Pages of search results kept in memory by default (`SIGNPOST_SEARCH_CACHE`).
pub const DEFAULT_SEARCH_CACHE_ENTRIES: usize = 1000;
