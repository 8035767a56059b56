//! The staff portal's settings: plain values that `config.rs` fills from flags and the portal
//! reads from the state. Kept below the features so neither the configuration nor the state
//! imports the portal.

use crate::calendar::{BankHolidays, DEFAULT_BANK_HOLIDAYS};
use crate::clock::Clock;

/// The staff portal's settings (from `config.rs`).
#[derive(Debug, Clone)]
pub struct StaffSettings {
    /// Send the session cookie with `Secure` (off only for local http).
    pub cookie_secure: bool,
    /// The clock every staff decision about time uses: a clone of the state's one clock, so
    /// tests that move either move both.
    pub clock: Clock,
    pub bank_holidays: BankHolidays,
    /// "Allocate to a targeted service": the services a request can be allocated to.
    pub targeted_services: Vec<String>,
    /// The levels of need the Hub assigns (Continuum of Support style).
    pub levels_of_need: Vec<String>,
    /// Sign-in attempts allowed per IP address per 15 minutes (on top of the lockout).
    pub sign_ins_per_ip: u32,
    /// Days after a request is closed before its personal data is deleted.
    pub closed_retention_days: u32,
    /// The key TOTP secrets are encrypted with (`SIGNPOST_TOTP_KEY`); None: stored in clear
    /// (development only).
    pub totp_key: Option<TotpKey>,
}

/// A 256-bit key for the TOTP secrets, from 64 hex digits. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpKey([u8; 32]);

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpKey(…)")
    }
}

impl TotpKey {
    /// 64 hex digits (e.g. from `openssl rand -hex 32`).
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        let bytes: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(bytes))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Six years after closing (set to the council's retention schedule).
pub const DEFAULT_CLOSED_RETENTION_DAYS: u32 = 6 * 365;

pub const DEFAULT_TARGETED_SERVICES: &str =
    "Family centre,Family support programme,Targeted youth support";
pub const DEFAULT_LEVELS_OF_NEED: &str = "Level 1: universal services,Level 2: early help from one \
service,Level 3: targeted early help (several services),Level 4: specialist (children's social care)";

impl StaffSettings {
    /// The shipped defaults; `cookie_secure` as given.
    pub fn defaults(cookie_secure: bool) -> Self {
        Self {
            cookie_secure,
            clock: Clock::system(),
            bank_holidays: BankHolidays::parse(DEFAULT_BANK_HOLIDAYS).unwrap_or_default(),
            targeted_services: split_list(DEFAULT_TARGETED_SERVICES),
            levels_of_need: split_list(DEFAULT_LEVELS_OF_NEED),
            sign_ins_per_ip: 30,
            closed_retention_days: DEFAULT_CLOSED_RETENTION_DAYS,
            totp_key: None,
        }
    }
}

/// A comma-separated list, trimmed, without empty items.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_list_the_shipped_services_and_levels() {
        let s = StaffSettings::defaults(true);
        assert_eq!(s.targeted_services.len(), 3);
        assert_eq!(s.levels_of_need.len(), 4);
        assert_eq!(split_list(" a, ,b ,"), vec!["a", "b"]);
    }
}
