//! The current date and time, in the forms the database stores: RFC 3339 UTC instants
//! (`2026-11-22T04:30:00Z`, or with milliseconds where they are compared in SQL) and ISO dates.
//! The calendar arithmetic is `jiff`'s; [`crate::calendar`] has the days of England and Wales.

use app::domain::{DateError, IsoDate};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn since_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The current instant as RFC 3339 UTC, e.g. `2026-11-22T04:30:00Z`.
pub fn now() -> String {
    rfc3339(since_epoch())
}

/// The instant `seconds` from now, in the same form as [`now`] (so the two compare as text).
pub fn in_seconds(seconds: u64) -> String {
    rfc3339(since_epoch().saturating_add(seconds))
}

/// An instant in Unix seconds (beyond jiff's range, its last instant).
fn timestamp(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(if secs < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

fn rfc3339(secs: u64) -> String {
    let at = timestamp(i64::try_from(secs).unwrap_or(i64::MAX));
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An instant as RFC 3339 UTC with milliseconds, e.g. `2026-11-22T04:30:00.250Z`: the form of
/// the timestamps that are compared in SQL (the outbox's next attempt and lease), which sort as
/// text because they all have the same width.
pub fn timestamp_millis(at: SystemTime) -> String {
    // Before 1970 (never, in practice) counts as 1970, as it always has.
    let at = Timestamp::try_from(at.max(UNIX_EPOCH)).unwrap_or(Timestamp::UNIX_EPOCH);
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Today's date (UTC).
pub fn today() -> Result<IsoDate, DateError> {
    date_of_unix(i64::try_from(since_epoch()).unwrap_or(i64::MAX))
}

/// An injectable clock: the system time plus an offset that tests move forward (session
/// expiry, lockout, working days) instead of sleeping. Clones share the offset. The staff
/// portal reads time only through this.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock (no offset).
    pub fn system() -> Self {
        Self::default()
    }

    /// Seconds since 1970-01-01 UTC.
    pub fn unix(&self) -> i64 {
        (since_epoch() as i64).saturating_add(self.offset.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone) forward.
    pub fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }

    /// The current instant as RFC 3339 UTC, like [`now`].
    pub fn now(&self) -> String {
        rfc3339(u64::try_from(self.unix()).unwrap_or_default())
    }

    /// Today's date (UTC).
    pub fn today(&self) -> Result<IsoDate, DateError> {
        date_of_unix(self.unix())
    }

    /// The current instant with milliseconds, like [`timestamp_millis`] (the form of the
    /// timestamps compared in SQL: drafts' expiry, the outbox's attempts).
    pub fn now_millis(&self) -> String {
        self.millis_in(Duration::ZERO)
    }

    /// The instant `ahead` from now, with milliseconds, like [`Clock::now_millis`].
    pub fn millis_in(&self, ahead: Duration) -> String {
        let offset = self.offset.load(Ordering::Relaxed);
        let now = SystemTime::now() + ahead;
        let at = if offset >= 0 {
            now + Duration::from_secs(offset.unsigned_abs())
        } else {
            now - Duration::from_secs(offset.unsigned_abs())
        };
        timestamp_millis(at)
    }

    /// An instant in Unix seconds as RFC 3339 UTC, like [`now`].
    pub fn system_at(secs: i64) -> String {
        rfc3339(u64::try_from(secs).unwrap_or_default())
    }
}

/// The UTC date of an instant in Unix seconds.
pub fn date_of_unix(secs: i64) -> Result<IsoDate, DateError> {
    let date = TimeZone::UTC.to_datetime(timestamp(secs)).date();
    iso_date(date)
}

/// A `jiff` date as the app's [`IsoDate`] (years 1900 to 2100).
pub fn iso_date(date: jiff::civil::Date) -> Result<IsoDate, DateError> {
    let year = u16::try_from(date.year()).map_err(|_| DateError::Year)?;
    IsoDate::new(year, date.month().unsigned_abs(), date.day().unsigned_abs())
}

/// Unix seconds of an RFC 3339 UTC instant as this module writes it
/// (`2026-11-22T04:30:00Z`, optionally with milliseconds).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    text.parse::<Timestamp>().ok().map(Timestamp::as_second)
}

#[cfg(test)]
mod tests {
    use super::{date_of_unix, parse_rfc3339, rfc3339, timestamp_millis, Clock};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn millisecond_timestamps_have_one_width() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_000_000_007);
        assert_eq!(timestamp_millis(at), "2026-11-18T11:06:40.007Z");
        assert_eq!(timestamp_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        // Milliseconds are cut, not rounded (a rounded .9996 would become the next second).
        let late = UNIX_EPOCH + Duration::from_nanos(1_795_000_000_999_600_000);
        assert_eq!(timestamp_millis(late), "2026-11-18T11:06:40.999Z");
        assert_eq!(
            timestamp_millis(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn instants_are_written_in_utc_without_fractions() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        // In British Summer Time the stored instant is still UTC.
        assert_eq!(rfc3339(1_782_864_000), "2026-07-01T00:00:00Z");
    }

    #[test]
    fn instants_read_back() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-11-18T11:06:40.007Z"),
            Some(1_795_000_000)
        );
        assert_eq!(parse_rfc3339("2026-11-18 11:06:40"), None);
        assert_eq!(parse_rfc3339("2026-13-18T11:06:40Z"), None);
        for secs in [0, 951_782_400, 1_704_067_200, 1_772_323_200, 1_795_000_000] {
            assert_eq!(parse_rfc3339(&rfc3339(secs)), Some(secs as i64));
        }
    }

    #[test]
    fn the_clock_moves_when_told() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = clock.unix();
        other.advance(Duration::from_secs(3600));
        assert!(clock.unix() >= before + 3600);
    }

    #[test]
    fn instants_become_utc_dates() {
        let day = |n: i64| date_of_unix(n * 86_400).unwrap().to_string();
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(19_723), "2024-01-01");
        assert_eq!(day(20_513), "2026-03-01");
        assert_eq!(day(20_514), "2026-03-02");
        assert_eq!(day(11_016), "2000-02-29");
        // 23:30 UTC is still the same UTC date.
        assert_eq!(
            date_of_unix(20_513 * 86_400 + 84_600).unwrap().to_string(),
            "2026-03-01"
        );
    }
}
