//! The calendar of England and Wales: local days (GMT in winter, BST in summer) and working
//! days for the Hub's 1-working-day decision standard: Monday to Friday, less the bank holidays
//! (a configurable list; the default below comes from the UK government's published dates).
//! Below every feature, so the settings can hold the bank holidays.
//!
//! Dates are dates in England and Wales (GMT in winter, BST in summer), so a request sent at
//! 00:30 BST on a Tuesday arrived on Tuesday, not on Monday as its UTC time says. A request's age is the number of working days after the day it arrived,
//! up to and including today: a request from Friday is 1 working day old on Monday and due that
//! day; on Tuesday it is 2 and late.

use crate::clock::iso_date;
use app::domain::IsoDate;
use jiff::civil::{Date, Weekday};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// England and Wales bank holidays 2025 to 2028 (substitute days included).
pub const DEFAULT_BANK_HOLIDAYS: &str = "2025-01-01,2025-04-18,2025-04-21,2025-05-05,2025-05-26,\
2025-08-25,2025-12-25,2025-12-26,\
2026-01-01,2026-04-03,2026-04-06,2026-05-04,2026-05-25,2026-08-31,2026-12-25,2026-12-28,\
2027-01-01,2027-03-26,2027-03-29,2027-05-03,2027-05-31,2027-08-30,2027-12-27,2027-12-28,\
2028-01-03,2028-04-14,2028-04-17,2028-05-01,2028-05-29,2028-08-28,2028-12-25,2028-12-26";

/// The time zone of England and Wales, from the IANA database bundled into the binary (so the
/// host's copy, or its absence, changes nothing). A unit test proves the name is there.
static LONDON: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZoneDatabase::bundled()
        .get("Europe/London")
        .unwrap_or(TimeZone::UTC)
});

const EPOCH: Date = jiff::civil::date(1970, 1, 1);

/// The days that are not working days besides weekends, as days since 1970-01-01.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankHolidays(BTreeSet<i64>);

impl BankHolidays {
    /// Parses a comma-separated list of YYYY-MM-DD dates.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut days = BTreeSet::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let date = IsoDate::parse(item).map_err(|_| item.to_owned())?;
            days.insert(day_number(&date).ok_or_else(|| item.to_owned())?);
        }
        Ok(Self(days))
    }

    /// Whether `day` (since 1970-01-01) is Monday to Friday and not a bank holiday.
    pub fn is_working_day(&self, day: i64) -> bool {
        is_weekday(day) && !self.0.contains(&day)
    }

    /// Working days after `from`'s date up to and including `to`'s date (Unix seconds), with
    /// dates as they are in England and Wales.
    pub fn working_days_between(&self, from: i64, to: i64) -> i64 {
        let (a, b) = (uk_day(from), uk_day(to));
        if b <= a {
            return 0;
        }
        // Whole weeks at once (five weekdays less the bank holidays among them), then the rest
        // day by day (a request can be years old).
        let mut count = 0;
        let mut day = a + 1;
        while b - day >= 7 {
            let holidays = self
                .0
                .range(day..day + 7)
                .filter(|d| is_weekday(**d))
                .count();
            count += 5 - holidays as i64;
            day += 7;
        }
        while day <= b {
            if self.is_working_day(day) {
                count += 1;
            }
            day += 1;
        }
        count
    }

    /// The date a decision is due for something received at `received` (Unix seconds): the
    /// first working day after the day it arrived in England and Wales.
    pub fn due_date(&self, received: i64) -> Option<IsoDate> {
        let mut day = uk_day(received) + 1;
        while !self.is_working_day(day) {
            day += 1;
        }
        iso_date(date_of_day(day)?).ok()
    }
}

/// The day (since 1970-01-01) it is in England and Wales at `unix` (seconds).
pub fn uk_day(unix: i64) -> i64 {
    let at = Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH);
    let date = LONDON.to_datetime(at).date();
    date.duration_since(EPOCH).as_secs().div_euclid(86_400)
}

/// How far clocks in England and Wales are ahead of UTC at `unix`, in seconds: an hour in
/// British Summer Time (from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
/// Sunday of October), none in winter.
pub fn uk_offset(unix: i64) -> i64 {
    let at = Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH);
    i64::from(LONDON.to_offset(at).seconds())
}

/// The date of day `day` since 1970-01-01.
fn date_of_day(day: i64) -> Option<Date> {
    EPOCH
        .checked_add(jiff::Span::new().try_days(day).ok()?)
        .ok()
}

fn is_weekday(day: i64) -> bool {
    date_of_day(day).is_some_and(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
}

/// Days since 1970-01-01 of an ISO date.
fn day_number(date: &IsoDate) -> Option<i64> {
    let month = i8::try_from(date.month()).ok()?;
    let day = i8::try_from(date.day()).ok()?;
    let date = Date::new(i16::try_from(date.year()).ok()?, month, day).ok()?;
    Some(date.duration_since(EPOCH).as_secs().div_euclid(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, hour: i64) -> i64 {
        let d = IsoDate::parse(date).unwrap();
        day_number(&d).unwrap() * 86_400 + hour * 3600
    }

    #[test]
    fn the_shipped_holidays_are_weekdays() {
        let list = BankHolidays::parse(DEFAULT_BANK_HOLIDAYS).unwrap();
        let none = BankHolidays::default();
        assert_eq!(list.0.len(), 32);
        for day in &list.0 {
            assert!(none.is_working_day(*day), "day {day} falls on a weekend");
        }
    }

    #[test]
    fn the_bundled_database_knows_london() {
        assert!(TimeZoneDatabase::bundled().get("Europe/London").is_ok());
        // 1970-01-01 was a Thursday, 2026-11-21 a Saturday.
        assert!(is_weekday(0));
        assert!(!is_weekday(
            day_number(&IsoDate::parse("2026-11-21").unwrap()).unwrap()
        ));
    }

    #[test]
    fn clocks_change_at_one_in_the_morning_utc_on_the_last_sundays() {
        // 2025: 30 March and 26 October; 2028: 26 March and 29 October.
        for (spring, autumn) in [
            ("2025-03-30", "2025-10-26"),
            ("2026-03-29", "2026-10-25"),
            ("2028-03-26", "2028-10-29"),
        ] {
            assert_eq!(uk_offset(at(spring, 1) - 1), 0, "{spring}");
            assert_eq!(uk_offset(at(spring, 1)), 3_600, "{spring}");
            assert_eq!(uk_offset(at(autumn, 1) - 1), 3_600, "{autumn}");
            assert_eq!(uk_offset(at(autumn, 1)), 0, "{autumn}");
        }
        // 00:30 UTC on the autumn Sunday is 01:30 BST, still that Sunday; 23:30 UTC on the
        // Saturday before the spring change is still Saturday (GMT).
        let sunday = day_number(&IsoDate::parse("2026-10-25").unwrap()).unwrap();
        assert_eq!(uk_day(at("2026-10-25", 0) + 1_800), sunday);
        let saturday = day_number(&IsoDate::parse("2026-03-28").unwrap()).unwrap();
        assert_eq!(uk_day(at("2026-03-28", 23) + 1_800), saturday);
        // 23:30 UTC on a summer Saturday is already Sunday in England.
        assert_eq!(uk_day(at("2026-07-04", 23) + 1_800), saturday + 99);
    }

    #[test]
    fn a_friday_evening_request_in_summer_is_due_on_monday() {
        let h = BankHolidays::parse(DEFAULT_BANK_HOLIDAYS).unwrap();
        // 22:30 UTC on Friday 3 July 2026 is 23:30 BST, still Friday.
        let friday_night = at("2026-07-03", 22) + 1_800;
        assert_eq!(h.due_date(friday_night).unwrap().to_string(), "2026-07-06");
        // 23:30 UTC is 00:30 BST on Saturday: also due Monday, and on Monday it is 1 day old.
        let saturday_early = at("2026-07-03", 23) + 1_800;
        assert_eq!(
            h.due_date(saturday_early).unwrap().to_string(),
            "2026-07-06"
        );
        assert_eq!(
            h.working_days_between(saturday_early, at("2026-07-06", 9)),
            1
        );
        // Over the late summer bank holiday (Monday 31 August 2026): due Tuesday.
        assert_eq!(
            h.due_date(at("2026-08-28", 15)).unwrap().to_string(),
            "2026-09-01"
        );
        assert_eq!(
            h.working_days_between(at("2026-08-28", 15), at("2026-09-01", 9)),
            1
        );
    }

    #[test]
    fn weekends_and_bank_holidays_do_not_count() {
        let h = BankHolidays::parse(DEFAULT_BANK_HOLIDAYS).unwrap();
        // Friday 20 November 2026 → Monday 23rd: 1 working day; Tuesday: 2.
        assert_eq!(
            h.working_days_between(at("2026-11-20", 16), at("2026-11-23", 9)),
            1
        );
        assert_eq!(
            h.working_days_between(at("2026-11-20", 16), at("2026-11-24", 9)),
            2
        );
        assert_eq!(
            h.working_days_between(at("2026-11-20", 9), at("2026-11-20", 17)),
            0
        );
        assert_eq!(
            h.due_date(at("2026-11-20", 16)).unwrap().to_string(),
            "2026-11-23"
        );
        // Thursday 24 December 2026: Christmas Friday and the substitute Boxing Day Monday are
        // holidays, so the decision is due on Tuesday 29th.
        assert_eq!(
            h.due_date(at("2026-12-24", 12)).unwrap().to_string(),
            "2026-12-29"
        );
        assert_eq!(
            h.working_days_between(at("2026-12-24", 12), at("2026-12-29", 9)),
            1
        );
        // Good Friday and Easter Monday 2026.
        assert_eq!(
            h.working_days_between(at("2026-04-02", 12), at("2026-04-07", 12)),
            1
        );
        // Long spans agree with counting day by day.
        let (from, to) = (at("2025-01-01", 0), at("2028-06-30", 0));
        let mut slow = 0;
        for day in (uk_day(from) + 1)..=uk_day(to) {
            if h.is_working_day(day) {
                slow += 1;
            }
        }
        assert_eq!(h.working_days_between(from, to), slow);
    }

    #[test]
    fn days_are_those_of_england_and_wales() {
        // BST 2026: from 01:00 UTC on Sunday 29 March to 01:00 UTC on Sunday 25 October.
        assert_eq!(uk_offset(at("2026-03-29", 0) + 3_599), 0);
        assert_eq!(uk_offset(at("2026-03-29", 1)), 3_600);
        assert_eq!(uk_offset(at("2026-10-25", 0) + 3_599), 3_600);
        assert_eq!(uk_offset(at("2026-10-25", 1)), 0);
        // 2027: 28 March and 31 October (a Sunday that is the month's last day).
        assert_eq!(uk_offset(at("2027-03-28", 1)), 3_600);
        assert_eq!(uk_offset(at("2027-10-31", 0)), 3_600);
        assert_eq!(uk_offset(at("2027-10-31", 1)), 0);
        assert_eq!(uk_offset(at("2026-12-31", 23)), 0);
        // 23:30 UTC on Monday 1 June 2026 is 00:30 BST on Tuesday: it arrived on Tuesday.
        let h = BankHolidays::parse(DEFAULT_BANK_HOLIDAYS).unwrap();
        let late_monday_utc = at("2026-06-01", 23) + 1_800;
        assert_eq!(
            uk_day(late_monday_utc),
            day_number(&IsoDate::parse("2026-06-02").unwrap()).unwrap()
        );
        assert_eq!(
            h.due_date(late_monday_utc).unwrap().to_string(),
            "2026-06-03"
        );
        // Decided at 09:00 BST on Wednesday: within 1 working day.
        assert_eq!(
            h.working_days_between(late_monday_utc, at("2026-06-03", 8)),
            1
        );
        // In winter UTC is the UK's time: 23:30 on Monday 7 December is Monday.
        assert_eq!(
            h.due_date(at("2026-12-07", 23) + 1_800)
                .unwrap()
                .to_string(),
            "2026-12-08"
        );
    }

    #[test]
    fn bad_dates_are_named() {
        assert_eq!(
            BankHolidays::parse("2026-13-01").err().as_deref(),
            Some("2026-13-01")
        );
    }
}
