//! `AppState`: what every request handler shares (the database, the search engine, the mail
//! outbox's wake-up, the site's settings, the one clock). Below the features, which all read it;
//! `startup.rs` builds it.

use crate::clock::Clock;
use crate::db::Db;
use crate::mail::Mail;
use crate::search::Search;
use crate::settings::{RetentionSettings, SiteSettings, StaffSettings};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

/// Shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub search: Search,
    /// Email settings and the delivery worker's wake-up (`mail`).
    pub mail: Mail,
    /// Site-wide settings: the public address and the public forms' submission limit.
    pub site: SiteSettings,
    /// The one clock (tests move it; clones share the offset, so `staff.clock` moves with it).
    pub clock: Clock,
    /// The staff portal's settings (`staff`).
    pub staff: StaffSettings,
    /// How long personal data is kept (`crate::retention`; the summary's window).
    pub retention: RetentionSettings,
    /// What the results pages read from the database, kept between directory changes.
    pub directory: crate::directory::cache::DirectoryCache,
    /// The rate limits, kept in the database (shared by every server).
    pub limits: crate::limit::Limiter,
    /// Where the results pages record searches for the gap report.
    pub search_log: crate::directory::search_log::SearchLog,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
