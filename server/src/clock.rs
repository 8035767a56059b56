//! The current date and time, in the forms the database stores (no date-time crate needed).

use app::domain::{DateError, IsoDate};
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

fn rfc3339(secs: u64) -> String {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// An instant as RFC 3339 UTC with milliseconds, e.g. `2026-11-22T04:30:00.250Z`: the form of
/// the timestamps that are compared in SQL (the outbox's next attempt and lease), which sort as
/// text because they all have the same width.
pub fn timestamp_millis(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Today's date (UTC).
pub fn today() -> Result<IsoDate, DateError> {
    let (y, m, d) = civil_from_days((since_epoch() / 86_400) as i64);
    IsoDate::new(u16::try_from(y).unwrap_or(u16::MAX), m as u8, d as u8)
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

    /// An instant in Unix seconds as RFC 3339 UTC, like [`now`].
    pub fn system_at(secs: i64) -> String {
        rfc3339(u64::try_from(secs).unwrap_or_default())
    }
}

/// The UTC date of an instant in Unix seconds.
pub fn date_of_unix(secs: i64) -> Result<IsoDate, DateError> {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    IsoDate::new(u16::try_from(y).unwrap_or(u16::MAX), m as u8, d as u8)
}

/// Unix seconds of an RFC 3339 UTC instant as this module writes it
/// (`2026-11-22T04:30:00Z`, optionally with milliseconds).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m as u32, d as u32) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 of a civil date (the inverse of `civil_from_days`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a (year, month, day) civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::{civil_from_days, days_from_civil, parse_rfc3339, timestamp_millis, Clock};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn millisecond_timestamps_have_one_width() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_000_000_007);
        assert_eq!(timestamp_millis(at), "2026-11-18T11:06:40.007Z");
        assert_eq!(timestamp_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn instants_read_back() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-11-18T11:06:40.007Z"),
            Some(1_795_000_000)
        );
        assert_eq!(parse_rfc3339("2026-11-18 11:06:40"), None);
        for days in [0, 11_016, 19_723, 20_513, 20_514, -1] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
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
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        assert_eq!(civil_from_days(20_514), (2026, 3, 2));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
