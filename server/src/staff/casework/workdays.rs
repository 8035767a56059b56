//! Working days for the Hub's 1-working-day decision standard: Monday to Friday, less the bank
//! holidays of England and Wales (a configurable list; the default below comes from the UK
//! government's published dates).
//!
//! Dates are dates in England and Wales (GMT in winter, BST in summer), so a request sent at
//! 00:30 BST on a Tuesday arrived on Tuesday, not on Monday as its UTC time says. A request's age is the number of working days after the day it arrived,
//! up to and including today: a request from Friday is 1 working day old on Monday and due that
//! day; on Tuesday it is 2 and late.

use crate::clock::{date_of_unix, days_from_civil};
use app::domain::IsoDate;
use std::collections::BTreeSet;

/// England and Wales bank holidays 2025 to 2028 (substitute days included).
pub const DEFAULT_BANK_HOLIDAYS: &str = "2025-01-01,2025-04-18,2025-04-21,2025-05-05,2025-05-26,\
2025-08-25,2025-12-25,2025-12-26,\
2026-01-01,2026-04-03,2026-04-06,2026-05-04,2026-05-25,2026-08-31,2026-12-25,2026-12-28,\
2027-01-01,2027-03-26,2027-03-29,2027-05-03,2027-05-31,2027-08-30,2027-12-27,2027-12-28,\
2028-01-03,2028-04-14,2028-04-17,2028-05-01,2028-05-29,2028-08-28,2028-12-25,2028-12-26";

/// The days that are not working days besides weekends, as days since 1970-01-01.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankHolidays(BTreeSet<i64>);

impl BankHolidays {
    /// Parses a comma-separated list of YYYY-MM-DD dates.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut days = BTreeSet::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let date = IsoDate::parse(item).map_err(|_| item.to_owned())?;
            days.insert(day_number(&date));
        }
        Ok(Self(days))
    }

    pub fn is_working_day(&self, day: i64) -> bool {
        // 1970-01-01 was a Thursday: day 0 → weekday index 3 (Monday = 0).
        let weekday = (day + 3).rem_euclid(7);
        weekday < 5 && !self.0.contains(&day)
    }

    /// Working days after `from`'s date up to and including `to`'s date (Unix seconds).
    pub fn working_days_between(&self, from: i64, to: i64) -> i64 {
        let (a, b) = (uk_day(from), uk_day(to));
        if b <= a {
            return 0;
        }
        // Whole weeks at once, then the rest day by day (a request can be years old).
        let mut count = 0;
        let mut day = a + 1;
        while b - day >= 7 {
            count += 5 - self
                .0
                .range(day..day + 7)
                .filter(|d| ((*d + 3).rem_euclid(7)) < 5)
                .count() as i64;
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
    /// first working day after the day it arrived.
    pub fn due_date(&self, received: i64) -> Option<IsoDate> {
        let mut day = uk_day(received) + 1;
        while !self.is_working_day(day) {
            day += 1;
        }
        date_of_unix(day * 86_400).ok()
    }
}

/// The day (since 1970-01-01) it is in England and Wales at `unix` (seconds).
pub fn uk_day(unix: i64) -> i64 {
    (unix + uk_offset(unix)).div_euclid(86_400)
}

/// How far clocks in England and Wales are ahead of UTC at `unix`: an hour in British Summer
/// Time, from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
pub fn uk_offset(unix: i64) -> i64 {
    let year = date_of_unix(unix)
        .map(|d| i64::from(d.year()))
        .unwrap_or(1970);
    let last_sunday = |month: u32| {
        // March and October both have 31 days; day 0 (1970-01-01) was a Thursday.
        let last = days_from_civil(year, month, 31);
        last - ((last + 3).rem_euclid(7) + 1) % 7
    };
    let starts = last_sunday(3) * 86_400 + 3_600;
    let ends = last_sunday(10) * 86_400 + 3_600;
    if (starts..ends).contains(&unix) {
        3_600
    } else {
        0
    }
}

fn day_number(date: &IsoDate) -> i64 {
    days_from_civil(
        i64::from(date.year()),
        u32::from(date.month()),
        u32::from(date.day()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, hour: i64) -> i64 {
        let d = IsoDate::parse(date).unwrap();
        day_number(&d) * 86_400 + hour * 3600
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
        for day in (from / 86_400 + 1)..=(to / 86_400) {
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
            day_number(&IsoDate::parse("2026-06-02").unwrap())
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
