//! The current date and time, in the forms the database stores (no date-time crate needed).

use app::domain::{DateError, IsoDate};
use std::time::{SystemTime, UNIX_EPOCH};

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
    use super::{civil_from_days, timestamp_millis};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn millisecond_timestamps_have_one_width() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_000_000_007);
        assert_eq!(timestamp_millis(at), "2026-11-18T11:06:40.007Z");
        assert_eq!(timestamp_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
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
