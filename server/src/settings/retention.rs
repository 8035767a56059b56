//! How long personal data is kept: the periods `crate::retention` applies (its `TABLES` list says
//! which table each one governs and why). Plain values, filled by `config.rs` from flags and
//! environment variables; the README's retention table shows the defaults.

use clap::Args;
use std::time::Duration;

/// The retention options as given, before validation.
#[derive(Debug, Clone, Args)]
pub struct RawRetentionConfig {
    /// Minutes a finished self-assessment's summary (and a request's confirmation page) can be
    /// read on the device that finished it; then its answers are deleted.
    #[arg(long, env = "SIGNPOST_SUMMARY_MINUTES", default_value_t = DEFAULT_SUMMARY_MINUTES, global = true)]
    pub summary_minutes: u32,

    /// Days an email's row stays in the outbox after it was sent or failed (a sent email's
    /// address and text are blanked as soon as it is sent).
    #[arg(long, env = "SIGNPOST_OUTBOX_RETENTION_DAYS", default_value_t = DEFAULT_OUTBOX_DAYS, global = true)]
    pub outbox_days: u32,

    /// Days a request can stay at "needs more information" before it is closed automatically
    /// (its closed-request retention period then starts).
    #[arg(long, env = "SIGNPOST_MORE_INFO_CLOSE_DAYS", default_value_t = DEFAULT_MORE_INFO_DAYS, global = true)]
    pub more_info_days: u32,

    /// Days after a "report a problem" is resolved, or a suggested change decided, before the
    /// visitor's words and the suggester's contact details are deleted.
    #[arg(long, env = "SIGNPOST_FEEDBACK_RETENTION_DAYS", default_value_t = DEFAULT_FEEDBACK_DAYS, global = true)]
    pub feedback_days: u32,

    /// Days before the IP addresses and typed email addresses in the audit log are blanked.
    #[arg(long, env = "SIGNPOST_AUDIT_IP_DAYS", default_value_t = DEFAULT_AUDIT_IP_DAYS, global = true)]
    pub audit_ip_days: u32,

    /// Days an audit log entry is kept.
    #[arg(long, env = "SIGNPOST_AUDIT_RETENTION_DAYS", default_value_t = DEFAULT_AUDIT_DAYS, global = true)]
    pub audit_days: u32,

    /// Days a search is kept in the gap report's log.
    #[arg(long, env = "SIGNPOST_SEARCH_LOG_DAYS", default_value_t = DEFAULT_SEARCH_LOG_DAYS, global = true)]
    pub search_log_days: u32,
}

pub const DEFAULT_SUMMARY_MINUTES: u32 = 60;
pub const DEFAULT_OUTBOX_DAYS: u32 = 30;
pub const DEFAULT_MORE_INFO_DAYS: u32 = 90;
pub const DEFAULT_FEEDBACK_DAYS: u32 = 180;
pub const DEFAULT_AUDIT_IP_DAYS: u32 = 90;
pub const DEFAULT_AUDIT_DAYS: u32 = 6 * 365;
pub const DEFAULT_SEARCH_LOG_DAYS: u32 = 2 * 365;

/// Validated retention periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionSettings {
    pub summary: Duration,
    pub outbox_days: u32,
    pub more_info_days: u32,
    pub feedback_days: u32,
    pub audit_ip_days: u32,
    pub audit_days: u32,
    pub search_log_days: u32,
    /// Days after a request is closed before its personal data is deleted
    /// (`SIGNPOST_CLOSED_RETENTION_DAYS`, also in the staff portal's settings).
    pub closed_days: u32,
}

/// A retention period that is not a whole number above 0.
#[derive(Debug, thiserror::Error)]
#[error("{0} must be a whole number greater than 0")]
pub struct RetentionConfigError(pub &'static str);

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            summary: Duration::from_secs(u64::from(DEFAULT_SUMMARY_MINUTES) * 60),
            outbox_days: DEFAULT_OUTBOX_DAYS,
            more_info_days: DEFAULT_MORE_INFO_DAYS,
            feedback_days: DEFAULT_FEEDBACK_DAYS,
            audit_ip_days: DEFAULT_AUDIT_IP_DAYS,
            audit_days: DEFAULT_AUDIT_DAYS,
            search_log_days: DEFAULT_SEARCH_LOG_DAYS,
            closed_days: crate::settings::staff::DEFAULT_CLOSED_RETENTION_DAYS,
        }
    }
}

impl RetentionSettings {
    pub fn from_raw(
        raw: &RawRetentionConfig,
        closed_days: u32,
    ) -> Result<Self, RetentionConfigError> {
        for (value, name) in [
            (raw.summary_minutes, "SIGNPOST_SUMMARY_MINUTES"),
            (raw.outbox_days, "SIGNPOST_OUTBOX_RETENTION_DAYS"),
            (raw.more_info_days, "SIGNPOST_MORE_INFO_CLOSE_DAYS"),
            (raw.feedback_days, "SIGNPOST_FEEDBACK_RETENTION_DAYS"),
            (raw.audit_ip_days, "SIGNPOST_AUDIT_IP_DAYS"),
            (raw.audit_days, "SIGNPOST_AUDIT_RETENTION_DAYS"),
            (raw.search_log_days, "SIGNPOST_SEARCH_LOG_DAYS"),
        ] {
            if value == 0 {
                return Err(RetentionConfigError(name));
            }
        }
        Ok(Self {
            summary: Duration::from_secs(u64::from(raw.summary_minutes) * 60),
            outbox_days: raw.outbox_days,
            more_info_days: raw.more_info_days,
            feedback_days: raw.feedback_days,
            audit_ip_days: raw.audit_ip_days,
            audit_days: raw.audit_days,
            search_log_days: raw.search_log_days,
            closed_days,
        })
    }

    /// The summary's window in whole minutes, as pages say it.
    pub fn summary_minutes(&self) -> u64 {
        self.summary.as_secs() / 60
    }
}
