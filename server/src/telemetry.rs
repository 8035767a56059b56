//! Logs: readable in development, JSON in production. Request logs carry the method, the path
//! (never the query string: it can hold search words or postcodes), the status, the time taken
//! and the request id — never headers, cookies, bodies or form answers.

use crate::config::LogFormat;
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

/// Installs the global subscriber. Logs go to standard output; standard error is kept for the
/// one-line start-up errors.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(false),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
    };
    // Already installed (tests start several servers in one process): keep the first.
    let _ = result;
}
