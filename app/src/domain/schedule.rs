//! Opening times: when a session runs, as ORUK 3.0 carries them (iCalendar-style `freq` and
//! `byday`, opening and closing times, an optional date range) plus the season it runs in, and
//! the plain-English wording the directory shows ("Tuesdays, 6pm to 8pm, term time only").
//!
//! Only the two shapes the directory needs are supported: weekly sessions on plain weekdays
//! (`WEEKLY`, `MO,WE`) and monthly sessions on numbered weekdays (`MONTHLY`, `1SA` for the first
//! Saturday, `-1WE` for the last Wednesday). A session opens and closes on the same day.
//!
//! Times and dates are small types of their own ([`TimeOfDay`], [`IsoDate`]) so that this module
//! compiles for the browser without a date-time crate.
//!
//! Long on purpose: every schedule rule (frequency, days, times, seasons, date ranges) and its wording, one family of types.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::capitalise;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why some text is not a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum TimeError {
    /// Nothing was entered.
    #[error("Enter a time")]
    Empty,
    /// Not `HH:MM` or `HH:MM:00`.
    #[error("Enter a time in the 24-hour format, like 09:30 or 18:00")]
    Format,
    /// The right format, but no such time ("25:00", "09:60").
    #[error("Enter a real time, from 00:00 to 23:59")]
    NotReal,
}

/// Why some text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum DateError {
    /// Nothing was entered.
    #[error("Enter a date")]
    Empty,
    /// Not `YYYY-MM-DD`.
    #[error("Enter a date in the format YYYY-MM-DD, like 2026-05-14")]
    Format,
    /// The right format, but no such day ("2026-02-30").
    #[error("Enter a real date")]
    NotReal,
    /// A year outside 1900 to 2100: almost certainly a typing mistake.
    #[error("Enter a year from 1900 to 2100")]
    Year,
}

/// Why a schedule, or one of its parts, was refused. Each message says what to enter; use
/// [`ScheduleError::field`] to put it next to the right form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum ScheduleError {
    #[error("Enter how often the session happens: WEEKLY or MONTHLY")]
    Freq,
    #[error("Enter at least one day, like MO")]
    NoDays,
    #[error("Enter days as two-letter codes separated by commas, like MO,WE")]
    Day,
    #[error(
        "Enter the week of the month as 1 to 5, or -1 to -5 counting back from the end of the \
         month, like 1SA or -1WE"
    )]
    Ordinal,
    #[error("Enter each day only once")]
    DuplicateDay,
    #[error("A weekly session must not have a week of the month: enter the day only, like SA")]
    WeeklyWithOrdinal,
    #[error(
        "A monthly session must have a week of the month, like 1SA for the first Saturday or \
         -1WE for the last Wednesday"
    )]
    MonthlyWithoutOrdinal,
    #[error("Enter the opening time in the 24-hour format, like 09:30")]
    OpensAt(#[source] TimeError),
    #[error("Enter the closing time in the 24-hour format, like 17:00")]
    ClosesAt(#[source] TimeError),
    #[error("The closing time must be after the opening time")]
    ClosesBeforeOpens,
    #[error("Enter when the session runs: all_year, term_time or school_holidays")]
    Season,
    #[error("Enter the start date as a real date in the format YYYY-MM-DD, like 2026-05-14")]
    ValidFrom(#[source] DateError),
    #[error("Enter the end date as a real date in the format YYYY-MM-DD, like 2026-07-22")]
    ValidTo(#[source] DateError),
    #[error("The end date must be the same as or after the start date")]
    EndBeforeStart,
    #[error("The description must be 500 characters or fewer")]
    DescriptionTooLong,
}

impl ScheduleError {
    /// The [`ScheduleInput`] field the error is about: "freq", "byday", "opens_at", "closes_at",
    /// "season", "valid_from", "valid_to" or "description".
    pub fn field(&self) -> &'static str {
        match self {
            ScheduleError::Freq => "freq",
            ScheduleError::NoDays
            | ScheduleError::Day
            | ScheduleError::Ordinal
            | ScheduleError::DuplicateDay
            | ScheduleError::WeeklyWithOrdinal
            | ScheduleError::MonthlyWithoutOrdinal => "byday",
            ScheduleError::OpensAt(_) => "opens_at",
            ScheduleError::ClosesAt(_) | ScheduleError::ClosesBeforeOpens => "closes_at",
            ScheduleError::Season => "season",
            ScheduleError::ValidFrom(_) => "valid_from",
            ScheduleError::ValidTo(_) | ScheduleError::EndBeforeStart => "valid_to",
            ScheduleError::DescriptionTooLong => "description",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Freq
// ---------------------------------------------------------------------------------------------

/// How often a session repeats: iCalendar's `FREQ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Freq {
    Weekly,
    Monthly,
}

impl Freq {
    /// "WEEKLY" or "MONTHLY", in any case, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Freq, ScheduleError> {
        let text = input.trim();
        if text.eq_ignore_ascii_case("WEEKLY") {
            Ok(Freq::Weekly)
        } else if text.eq_ignore_ascii_case("MONTHLY") {
            Ok(Freq::Monthly)
        } else {
            Err(ScheduleError::Freq)
        }
    }

    /// "WEEKLY" or "MONTHLY".
    pub fn as_ical(self) -> &'static str {
        match self {
            Freq::Weekly => "WEEKLY",
            Freq::Monthly => "MONTHLY",
        }
    }
}

impl fmt::Display for Freq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_ical())
    }
}

text_conversions!(Freq, ScheduleError, |v| v.as_ical().to_owned());

// ---------------------------------------------------------------------------------------------
// Weekday
// ---------------------------------------------------------------------------------------------

/// A day of the week, Monday first (the UK convention), with iCalendar's two-letter codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Weekday {
    Mo,
    Tu,
    We,
    Th,
    Fr,
    Sa,
    Su,
}

impl Weekday {
    /// Monday to Sunday.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mo,
        Weekday::Tu,
        Weekday::We,
        Weekday::Th,
        Weekday::Fr,
        Weekday::Sa,
        Weekday::Su,
    ];

    /// An iCalendar code ("MO", "tu"), in any case, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Weekday, ScheduleError> {
        let text = input.trim();
        Weekday::ALL
            .into_iter()
            .find(|day| text.eq_ignore_ascii_case(day.as_ical()))
            .ok_or(ScheduleError::Day)
    }

    /// "MO" to "SU".
    pub fn as_ical(self) -> &'static str {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][self.index()]
    }

    /// "Monday" to "Sunday".
    pub fn name(self) -> &'static str {
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][self.index()]
    }

    /// "Mondays" to "Sundays", as in "Open on Mondays".
    pub fn plural(self) -> &'static str {
        [
            "Mondays",
            "Tuesdays",
            "Wednesdays",
            "Thursdays",
            "Fridays",
            "Saturdays",
            "Sundays",
        ][self.index()]
    }

    /// 1 for Monday to 7 for Sunday (ISO 8601).
    pub fn number_from_monday(self) -> u8 {
        // At most 7: the cast cannot truncate.
        self.index() as u8 + 1
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The English name: "Monday".
impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

text_conversions!(Weekday, ScheduleError, |v| v.as_ical().to_owned());

// ---------------------------------------------------------------------------------------------
// ByDay
// ---------------------------------------------------------------------------------------------

/// One entry of iCalendar's `BYDAY`: a weekday, with, for monthly sessions, which one in the
/// month: `TU` (every Tuesday), `1SA` (the first Saturday), `-1WE` (the last Wednesday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ByDay {
    ordinal: Option<i8>,
    weekday: Weekday,
}

impl ByDay {
    /// A weekday with an optional ordinal: 1 to 5 count from the start of the month, -1 to -5
    /// from the end. 0 and anything beyond 5 are refused.
    pub fn new(ordinal: Option<i8>, weekday: Weekday) -> Result<ByDay, ScheduleError> {
        match ordinal {
            Some(n) if !(1..=5).contains(&n.unsigned_abs()) => Err(ScheduleError::Ordinal),
            _ => Ok(ByDay { ordinal, weekday }),
        }
    }

    /// Every `weekday`, with no ordinal.
    pub fn every(weekday: Weekday) -> ByDay {
        ByDay {
            ordinal: None,
            weekday,
        }
    }

    /// Parses "TU", "1SA", "-1WE" or "+2MO", in any case, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<ByDay, ScheduleError> {
        let text = input.trim();
        if !text.is_ascii() || text.len() < 2 || text.len() > 5 {
            return Err(ScheduleError::Day);
        }
        let (prefix, code) = text.split_at(text.len() - 2);
        let weekday = Weekday::parse(code)?;
        if prefix.is_empty() {
            return Ok(ByDay::every(weekday));
        }
        let (negative, number) = match prefix.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, prefix.strip_prefix('+').unwrap_or(prefix)),
        };
        // One or two digits: at most 99, which fits an i8.
        let magnitude = digits(number, 1..=2)
            .and_then(|n| i8::try_from(n).ok())
            .ok_or(ScheduleError::Day)?;
        ByDay::new(Some(if negative { -magnitude } else { magnitude }), weekday)
    }

    /// The ordinal, if any: 1 to 5 or -1 to -5.
    pub fn ordinal(self) -> Option<i8> {
        self.ordinal
    }

    /// The weekday.
    pub fn weekday(self) -> Weekday {
        self.weekday
    }

    /// The iCalendar form: "TU", "1SA", "-1WE" (a plus sign is never written).
    pub fn as_ical(self) -> String {
        match self.ordinal {
            Some(n) => format!("{n}{}", self.weekday.as_ical()),
            None => self.weekday.as_ical().to_owned(),
        }
    }

    /// Monday first; within a day, first to fifth, then fifth-to-last to last (the order they
    /// fall in a month), then no ordinal.
    fn sort_key(self) -> (Weekday, i8) {
        let position = match self.ordinal {
            Some(n) if n > 0 => n,
            Some(n) => 10 + n,
            None => 0,
        };
        (self.weekday, position)
    }
}

/// The iCalendar form: "1SA".
impl fmt::Display for ByDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_ical())
    }
}

text_conversions!(ByDay, ScheduleError, |v| v.as_ical());

/// "first", "second", …, "last", "second to last", …
fn ordinal_words(n: i8) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        -1 => "last",
        -2 => "second to last",
        -3 => "third to last",
        -4 => "fourth to last",
        _ => "fifth to last",
    }
}

// ---------------------------------------------------------------------------------------------
// TimeOfDay
// ---------------------------------------------------------------------------------------------

/// A time of day to the minute, from 00:00 to 23:59.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay {
    h: u8,
    m: u8,
}

impl TimeOfDay {
    /// 00:00.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay { h: 0, m: 0 };
    /// 12:00.
    pub const MIDDAY: TimeOfDay = TimeOfDay { h: 12, m: 0 };

    /// `hour` 0 to 23 and `minute` 0 to 59.
    pub fn new(hour: u8, minute: u8) -> Result<TimeOfDay, TimeError> {
        if hour < 24 && minute < 60 {
            Ok(TimeOfDay { h: hour, m: minute })
        } else {
            Err(TimeError::NotReal)
        }
    }

    /// The time `minutes` after midnight, 0 to 1439.
    pub fn from_minutes(minutes: u16) -> Result<TimeOfDay, TimeError> {
        if minutes < 24 * 60 {
            // Both below 60 and 24: the casts cannot truncate.
            Ok(TimeOfDay {
                h: (minutes / 60) as u8,
                m: (minutes % 60) as u8,
            })
        } else {
            Err(TimeError::NotReal)
        }
    }

    /// Parses a 24-hour time, "HH:MM" or "HH:MM:SS" ("09:30", "9:30", "18:00:00"). The hour may
    /// have one digit, the minutes and seconds have two; seconds must be "00" (opening times are
    /// to the minute, and anything else is a sign of bad data).
    pub fn parse(input: &str) -> Result<TimeOfDay, TimeError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(TimeError::Empty);
        }
        if text.len() > 8 {
            return Err(TimeError::Format);
        }
        let mut parts = text.split(':');
        let (hour, minute, second) = (parts.next(), parts.next(), parts.next());
        if parts.next().is_some() {
            return Err(TimeError::Format);
        }
        let (Some(hour), Some(minute)) = (hour, minute) else {
            return Err(TimeError::Format);
        };
        let hour = digits(hour, 1..=2).ok_or(TimeError::Format)?;
        let minute = digits(minute, 2..=2).ok_or(TimeError::Format)?;
        if let Some(second) = second {
            if second != "00" {
                return Err(TimeError::Format);
            }
        }
        match (u8::try_from(hour), u8::try_from(minute)) {
            (Ok(h), Ok(m)) => TimeOfDay::new(h, m),
            _ => Err(TimeError::NotReal),
        }
    }

    /// The hour, 0 to 23.
    pub fn hour(self) -> u8 {
        self.h
    }

    /// The minute, 0 to 59.
    pub fn minute(self) -> u8 {
        self.m
    }

    /// "09:30": the 24-hour form that [`TimeOfDay::parse`] reads and the database stores.
    pub fn as_hhmm(self) -> String {
        format!("{:02}:{:02}", self.h, self.m)
    }

    /// Minutes after midnight, 0 to 1439.
    pub fn minutes(self) -> u16 {
        u16::from(self.h) * 60 + u16::from(self.m)
    }
}

/// GOV.UK style: "9am", "9:30am", "midday", "5pm", "6:45pm", "midnight", "12:30pm".
impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.h, self.m) {
            (0, 0) => f.write_str("midnight"),
            (12, 0) => f.write_str("midday"),
            (h, m) => {
                let hour = match h % 12 {
                    0 => 12,
                    other => other,
                };
                let suffix = if h < 12 { "am" } else { "pm" };
                if m == 0 {
                    write!(f, "{hour}{suffix}")
                } else {
                    write!(f, "{hour}:{m:02}{suffix}")
                }
            }
        }
    }
}

text_conversions!(TimeOfDay, TimeError, |v| v.as_hhmm());

/// The value of `text` if it is all ASCII digits and its length is in `len`.
fn digits(text: &str, len: std::ops::RangeInclusive<usize>) -> Option<u16> {
    if !len.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // At most four digits are ever asked for: no overflow.
    Some(text.bytes().fold(0u16, |n, b| n * 10 + u16::from(b - b'0')))
}

// ---------------------------------------------------------------------------------------------
// IsoDate
// ---------------------------------------------------------------------------------------------

/// A calendar date, from 1900-01-01 to 2100-12-31. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IsoDate {
    y: u16,
    m: u8,
    d: u8,
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl IsoDate {
    /// The earliest year accepted.
    pub const MIN_YEAR: u16 = 1900;
    /// The latest year accepted.
    pub const MAX_YEAR: u16 = 2100;

    /// The date `year`-`month`-`day`, if it exists in the Gregorian calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Result<IsoDate, DateError> {
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            return Err(DateError::Year);
        }
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::NotReal);
        }
        Ok(IsoDate {
            y: year,
            m: month,
            d: day,
        })
    }

    /// Parses "YYYY-MM-DD" exactly (ASCII digits, zero-padded), surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<IsoDate, DateError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(DateError::Empty);
        }
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DateError::Format);
        }
        let (Some(y), Some(m), Some(d)) = (
            digits(&text[0..4], 4..=4),
            digits(&text[5..7], 2..=2),
            digits(&text[8..10], 2..=2),
        ) else {
            return Err(DateError::Format);
        };
        match (u8::try_from(m), u8::try_from(d)) {
            (Ok(m), Ok(d)) => IsoDate::new(y, m, d),
            _ => Err(DateError::NotReal),
        }
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.y
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.m
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.d
    }

    /// GOV.UK style: "14 May 2026".
    pub fn long(self) -> String {
        format!("{} {} {}", self.d, self.month_name(), self.y)
    }

    /// "January" to "December".
    pub fn month_name(self) -> &'static str {
        MONTH_NAMES[usize::from(self.m - 1)]
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday, index 3 counting from Monday.
        let index = (self.days_since_1970() + 3).rem_euclid(7);
        Weekday::ALL[index as usize]
    }

    /// Days since 1970-01-01 (negative before it), by Howard Hinnant's `days_from_civil`.
    fn days_since_1970(self) -> i64 {
        let (m, d) = (i64::from(self.m), i64::from(self.d));
        let y = i64::from(self.y) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

fn is_leap_year(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO 8601: "2026-05-14".
impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

text_conversions!(IsoDate, DateError, |v| v.to_string());

// ---------------------------------------------------------------------------------------------
// Season
// ---------------------------------------------------------------------------------------------

/// The part of the year a session runs in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum Season {
    #[default]
    AllYear,
    TermTime,
    SchoolHolidays,
}

impl Season {
    /// All three, in order.
    pub const ALL: [Season; 3] = [Season::AllYear, Season::TermTime, Season::SchoolHolidays];

    /// "all_year", "term_time" or "school_holidays", in any case, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Season, ScheduleError> {
        let text = input.trim();
        Season::ALL
            .into_iter()
            .find(|season| text.eq_ignore_ascii_case(season.as_str()))
            .ok_or(ScheduleError::Season)
    }

    /// "all_year", "term_time" or "school_holidays": the stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Season::AllYear => "all_year",
            Season::TermTime => "term_time",
            Season::SchoolHolidays => "school_holidays",
        }
    }

    /// "All year", "Term time" or "School holidays": for a label or a filter.
    pub fn label(self) -> &'static str {
        match self {
            Season::AllYear => "All year",
            Season::TermTime => "Term time",
            Season::SchoolHolidays => "School holidays",
        }
    }

    /// What a schedule's summary adds: nothing for all year, "term time only" or "school holidays
    /// only".
    pub fn qualifier(self) -> Option<&'static str> {
        match self {
            Season::AllYear => None,
            Season::TermTime => Some("term time only"),
            Season::SchoolHolidays => Some("school holidays only"),
        }
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

text_conversions!(Season, ScheduleError, |v| v.as_str().to_owned());

// ---------------------------------------------------------------------------------------------
// TimeOfDayBand
// ---------------------------------------------------------------------------------------------

/// The parts of the day people search by. A session belongs to every band it touches, and always
/// to at least one:
///
/// * **morning**: it opens before midday (12:00);
/// * **afternoon**: it is open at some time between midday and 5pm, that is it opens before 17:00
///   and closes after 12:00;
/// * **evening**: it opens at 5pm (17:00) or later, or closes after 5:30pm (17:30), so an
///   after-school club ending at 5:30pm is not an evening session, one ending at 6pm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeOfDayBand {
    Morning,
    Afternoon,
    Evening,
}

/// 12:00, 17:00 and 17:30, in minutes after midnight.
const BAND_MIDDAY: u16 = 12 * 60;
const BAND_AFTERNOON_ENDS: u16 = 17 * 60;
const BAND_EVENING_CLOSES_AFTER: u16 = 17 * 60 + 30;

impl TimeOfDayBand {
    /// Morning, afternoon, evening.
    pub const ALL: [TimeOfDayBand; 3] = [
        TimeOfDayBand::Morning,
        TimeOfDayBand::Afternoon,
        TimeOfDayBand::Evening,
    ];

    /// The bands a session from `opens` to `closes` touches, in order (see the type's rules).
    pub fn for_session(opens: TimeOfDay, closes: TimeOfDay) -> Vec<TimeOfDayBand> {
        let (opens, closes) = (opens.minutes(), closes.minutes());
        let mut bands = Vec::with_capacity(3);
        if opens < BAND_MIDDAY {
            bands.push(TimeOfDayBand::Morning);
        }
        if opens < BAND_AFTERNOON_ENDS && closes > BAND_MIDDAY {
            bands.push(TimeOfDayBand::Afternoon);
        }
        if opens >= BAND_AFTERNOON_ENDS || closes > BAND_EVENING_CLOSES_AFTER {
            bands.push(TimeOfDayBand::Evening);
        }
        bands
    }

    /// "morning", "afternoon" or "evening", in any case, surrounding spaces ignored: for a search
    /// filter in a query string.
    pub fn parse(input: &str) -> Option<TimeOfDayBand> {
        let text = input.trim();
        TimeOfDayBand::ALL
            .into_iter()
            .find(|band| text.eq_ignore_ascii_case(band.as_str()))
    }

    /// "morning", "afternoon" or "evening".
    pub fn as_str(self) -> &'static str {
        match self {
            TimeOfDayBand::Morning => "morning",
            TimeOfDayBand::Afternoon => "afternoon",
            TimeOfDayBand::Evening => "evening",
        }
    }

    /// "Morning", "Afternoon" or "Evening": a filter's label.
    pub fn label(self) -> &'static str {
        match self {
            TimeOfDayBand::Morning => "Morning",
            TimeOfDayBand::Afternoon => "Afternoon",
            TimeOfDayBand::Evening => "Evening",
        }
    }

    /// The rule in words, for a filter's hint text.
    pub fn hint(self) -> &'static str {
        match self {
            TimeOfDayBand::Morning => "Starts before midday",
            TimeOfDayBand::Afternoon => "Open at some time between midday and 5pm",
            TimeOfDayBand::Evening => "Starts from 5pm or finishes after 5:30pm",
        }
    }
}

impl fmt::Display for TimeOfDayBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

// ---------------------------------------------------------------------------------------------
// Schedule
// ---------------------------------------------------------------------------------------------

/// A schedule as text, the way an ORUK feed, the database or a form gives it. Parse it with
/// [`Schedule::parse`]. A blank `season` means all year; a blank `valid_from`, `valid_to` or
/// `description` means none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ScheduleInput {
    /// "WEEKLY" or "MONTHLY".
    pub freq: String,
    /// Comma-separated `BYDAY` entries: "MO,WE" or "1SA,-1WE".
    pub byday: String,
    /// "HH:MM" or "HH:MM:SS", 24-hour.
    pub opens_at: String,
    /// "HH:MM" or "HH:MM:SS", 24-hour, after `opens_at`.
    pub closes_at: String,
    /// "all_year", "term_time" or "school_holidays"; blank means all year.
    pub season: String,
    /// "YYYY-MM-DD": the first day the schedule applies.
    pub valid_from: Option<String>,
    /// "YYYY-MM-DD": the last day the schedule applies.
    pub valid_to: Option<String>,
    /// Free text shown under the times, at most 500 characters.
    pub description: Option<String>,
}

/// When a session runs. Always has at least one day and no day twice (weekly sessions plain
/// weekdays, monthly sessions numbered ones), closes after it opens on the same day, and ends on
/// or after the day it starts. Days are kept in a fixed order (Monday first; within a day, first
/// to last), so equal schedules compare equal however their days were typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ScheduleInput", into = "ScheduleInput")]
pub struct Schedule {
    freq: Freq,
    byday: Vec<ByDay>,
    opens_at: TimeOfDay,
    closes_at: TimeOfDay,
    season: Season,
    valid_from: Option<IsoDate>,
    valid_to: Option<IsoDate>,
    description: Option<String>,
}

impl Schedule {
    /// The longest description, in characters.
    pub const DESCRIPTION_MAX_CHARS: usize = 500;

    /// Parses a schedule, stopping at the first problem (in field order). To show every problem
    /// on a form at once, use [`Schedule::parse_all_errors`].
    pub fn parse(input: ScheduleInput) -> Result<Schedule, ScheduleError> {
        Schedule::parse_all_errors(input).map_err(|errors| {
            // Never empty: every missing field recorded its error.
            errors.first().copied().unwrap_or(ScheduleError::Freq)
        })
    }

    /// Parses a schedule, or gives every problem found, in field order (never an empty list).
    pub fn parse_all_errors(input: ScheduleInput) -> Result<Schedule, Vec<ScheduleError>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let freq = keep(e, Freq::parse(&input.freq));
        let byday = keep(e, parse_byday(freq, &input.byday));
        let opens_at = keep(
            e,
            TimeOfDay::parse(&input.opens_at).map_err(ScheduleError::OpensAt),
        );
        let closes_at = keep(
            e,
            TimeOfDay::parse(&input.closes_at).map_err(ScheduleError::ClosesAt),
        );
        if let (Some(opens), Some(closes)) = (opens_at, closes_at) {
            if closes <= opens {
                e.push(ScheduleError::ClosesBeforeOpens);
            }
        }
        let season = keep(
            e,
            if input.season.trim().is_empty() {
                Ok(Season::AllYear)
            } else {
                Season::parse(&input.season)
            },
        );
        let valid_from = keep(
            e,
            optional_date(input.valid_from.as_deref()).map_err(ScheduleError::ValidFrom),
        );
        let valid_to = keep(
            e,
            optional_date(input.valid_to.as_deref()).map_err(ScheduleError::ValidTo),
        );
        if let (Some(Some(from)), Some(Some(to))) = (valid_from, valid_to) {
            if to < from {
                e.push(ScheduleError::EndBeforeStart);
            }
        }
        let description = keep(e, parse_description(input.description.as_deref()));

        match (
            freq,
            byday,
            opens_at,
            closes_at,
            season,
            valid_from,
            valid_to,
            description,
        ) {
            (
                Some(freq),
                Some(byday),
                Some(opens_at),
                Some(closes_at),
                Some(season),
                Some(valid_from),
                Some(valid_to),
                Some(description),
            ) if errors.is_empty() => Ok(Schedule {
                freq,
                byday,
                opens_at,
                closes_at,
                season,
                valid_from,
                valid_to,
                description,
            }),
            _ => Err(errors),
        }
    }

    /// Weekly or monthly.
    pub fn freq(&self) -> Freq {
        self.freq
    }

    /// The days, never empty, in order (Monday first; within a day, first to last).
    pub fn byday(&self) -> &[ByDay] {
        &self.byday
    }

    /// The days in iCalendar form: "MO,WE" or "1SA,-1WE".
    pub fn byday_ical(&self) -> String {
        let codes: Vec<String> = self.byday.iter().map(|day| day.as_ical()).collect();
        codes.join(",")
    }

    /// The weekdays the session is on, each once, Monday first.
    pub fn weekdays(&self) -> Vec<Weekday> {
        let mut days: Vec<Weekday> = self.byday.iter().map(|day| day.weekday).collect();
        days.dedup(); // sorted by weekday already
        days
    }

    /// When it opens.
    pub fn opens_at(&self) -> TimeOfDay {
        self.opens_at
    }

    /// When it closes, always after it opens.
    pub fn closes_at(&self) -> TimeOfDay {
        self.closes_at
    }

    /// How long each session lasts, in minutes (at least 1).
    pub fn duration_minutes(&self) -> u16 {
        self.closes_at.minutes() - self.opens_at.minutes()
    }

    /// All year, term time or school holidays.
    pub fn season(&self) -> Season {
        self.season
    }

    /// The first day the schedule applies, if it has one.
    pub fn valid_from(&self) -> Option<IsoDate> {
        self.valid_from
    }

    /// The last day the schedule applies, if it has one; never before `valid_from`.
    pub fn valid_to(&self) -> Option<IsoDate> {
        self.valid_to
    }

    /// Free text about the session, trimmed, never empty.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The bands of the day the session touches (see [`TimeOfDayBand`]), never empty.
    pub fn bands(&self) -> Vec<TimeOfDayBand> {
        TimeOfDayBand::for_session(self.opens_at, self.closes_at)
    }

    /// The whole schedule in plain English: "Tuesdays, 6pm to 8pm, term time only",
    /// "First Saturday of the month, 10am to midday". The dates and the description are not
    /// included (see [`Schedule::dates_summary`]).
    pub fn summary(&self) -> String {
        let mut text = format!("{}, {}", self.days_summary(), self.times_summary());
        if let Some(qualifier) = self.season.qualifier() {
            text.push_str(", ");
            text.push_str(qualifier);
        }
        text
    }

    /// The days in plain English: "Mondays to Fridays", "Tuesdays and Thursdays", "Every day",
    /// "Second and fourth Tuesday of the month".
    pub fn days_summary(&self) -> String {
        match self.freq {
            Freq::Weekly => weekly_days(&self.weekdays()),
            Freq::Monthly => monthly_days(&self.byday),
        }
    }

    /// The times in plain English: "9:30am to 11:30am".
    pub fn times_summary(&self) -> String {
        format!("{} to {}", self.opens_at, self.closes_at)
    }

    /// The dates in plain English, if there are any: "From 14 May 2026 to 22 July 2026",
    /// "From 14 May 2026", "Until 22 July 2026".
    pub fn dates_summary(&self) -> Option<String> {
        match (self.valid_from, self.valid_to) {
            (Some(from), Some(to)) => Some(format!("From {} to {}", from.long(), to.long())),
            (Some(from), None) => Some(format!("From {}", from.long())),
            (None, Some(to)) => Some(format!("Until {}", to.long())),
            (None, None) => None,
        }
    }

    /// The schedule as text again, in normal form: parsing it gives an equal schedule.
    pub fn to_input(&self) -> ScheduleInput {
        ScheduleInput {
            freq: self.freq.as_ical().to_owned(),
            byday: self.byday_ical(),
            opens_at: self.opens_at.as_hhmm(),
            closes_at: self.closes_at.as_hhmm(),
            season: self.season.as_str().to_owned(),
            valid_from: self.valid_from.map(|date| date.to_string()),
            valid_to: self.valid_to.map(|date| date.to_string()),
            description: self.description.clone(),
        }
    }
}

/// The summary.
impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

impl TryFrom<ScheduleInput> for Schedule {
    type Error = ScheduleError;
    fn try_from(input: ScheduleInput) -> Result<Schedule, ScheduleError> {
        Schedule::parse(input)
    }
}

impl From<Schedule> for ScheduleInput {
    fn from(schedule: Schedule) -> ScheduleInput {
        schedule.to_input()
    }
}

/// The value, or `None` with the error added to `errors`.
fn keep<T>(errors: &mut Vec<ScheduleError>, result: Result<T, ScheduleError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

/// The comma-separated days, checked against `freq` when it is known, in canonical order.
fn parse_byday(freq: Option<Freq>, text: &str) -> Result<Vec<ByDay>, ScheduleError> {
    if text.trim().is_empty() {
        return Err(ScheduleError::NoDays);
    }
    let mut days: Vec<ByDay> = Vec::new();
    for part in text.split(',') {
        let day = ByDay::parse(part)?;
        if days.contains(&day) {
            return Err(ScheduleError::DuplicateDay);
        }
        days.push(day);
    }
    match freq {
        Some(Freq::Weekly) if days.iter().any(|day| day.ordinal.is_some()) => {
            return Err(ScheduleError::WeeklyWithOrdinal)
        }
        Some(Freq::Monthly) if days.iter().any(|day| day.ordinal.is_none()) => {
            return Err(ScheduleError::MonthlyWithoutOrdinal)
        }
        _ => {}
    }
    days.sort_by_key(|day| day.sort_key());
    Ok(days)
}

fn optional_date(text: Option<&str>) -> Result<Option<IsoDate>, DateError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => IsoDate::parse(text).map(Some),
    }
}

/// Trimmed, line endings made `\n`, other control characters (which mean nothing on a page and
/// that some databases refuse) dropped; blank is none.
fn parse_description(text: Option<&str>) -> Result<Option<String>, ScheduleError> {
    let Some(text) = text else { return Ok(None) };
    let cleaned: String = text
        .replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        Ok(None)
    } else if trimmed.chars().count() > Schedule::DESCRIPTION_MAX_CHARS {
        Err(ScheduleError::DescriptionTooLong)
    } else {
        Ok(Some(trimmed.to_owned()))
    }
}

/// "Mondays to Fridays", "Tuesdays and Thursdays", "Mondays, Wednesdays and Fridays",
/// "Every day". `days` is sorted and has no repeats. Runs of three or more days in a row become
/// "X to Y"; the week does not wrap round from Sunday to Monday.
fn weekly_days(days: &[Weekday]) -> String {
    if days.len() == 7 {
        return "Every day".to_owned();
    }
    let mut items = Vec::new();
    let mut start = 0;
    while start < days.len() {
        let mut end = start;
        while end + 1 < days.len() && days[end + 1].index() == days[end].index() + 1 {
            end += 1;
        }
        if end - start >= 2 {
            items.push(format!(
                "{} to {}",
                days[start].plural(),
                days[end].plural()
            ));
        } else {
            items.extend(days[start..=end].iter().map(|day| day.plural().to_owned()));
        }
        start = end + 1;
    }
    join_and(&items)
}

/// "First Saturday of the month", "Second and fourth Tuesday of the month",
/// "First Monday and last Friday of the month". `days` is in canonical order.
fn monthly_days(days: &[ByDay]) -> String {
    let mut groups = Vec::new();
    for weekday in Weekday::ALL {
        let ordinals: Vec<String> = days
            .iter()
            .filter(|day| day.weekday == weekday)
            .filter_map(|day| day.ordinal)
            .map(|n| ordinal_words(n).to_owned())
            .collect();
        if !ordinals.is_empty() {
            groups.push(format!("{} {}", join_and(&ordinals), weekday.name()));
        }
    }
    capitalise(&format!("{} of the month", join_and(&groups)))
}

/// "a", "a and b", "a, b and c" (no serial comma, GOV.UK style).
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> TimeOfDay {
        TimeOfDay::parse(text).unwrap()
    }

    fn date(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    fn input(freq: &str, byday: &str, opens: &str, closes: &str, season: &str) -> ScheduleInput {
        ScheduleInput {
            freq: freq.into(),
            byday: byday.into(),
            opens_at: opens.into(),
            closes_at: closes.into(),
            season: season.into(),
            ..ScheduleInput::default()
        }
    }

    fn schedule(freq: &str, byday: &str, opens: &str, closes: &str, season: &str) -> Schedule {
        Schedule::parse(input(freq, byday, opens, closes, season))
            .unwrap_or_else(|e| panic!("{freq} {byday} {opens}-{closes} {season}: {e}"))
    }

    // --- Freq ----------------------------------------------------------------------------------

    #[test]
    fn freq_parses_in_any_case() {
        for (text, expected) in [
            ("WEEKLY", Freq::Weekly),
            ("weekly", Freq::Weekly),
            (" Weekly ", Freq::Weekly),
            ("MONTHLY", Freq::Monthly),
            ("monthly", Freq::Monthly),
        ] {
            assert_eq!(Freq::parse(text), Ok(expected), "{text:?}");
        }
        for text in [
            "",
            "DAILY",
            "YEARLY",
            "WEEK",
            "WEEKLY;",
            "bi-weekly",
            "ＷＥＥＫＬＹ",
        ] {
            assert_eq!(Freq::parse(text), Err(ScheduleError::Freq), "{text:?}");
        }
        assert_eq!(Freq::Weekly.as_ical(), "WEEKLY");
        assert_eq!(Freq::Monthly.to_string(), "MONTHLY");
    }

    // --- Weekday -------------------------------------------------------------------------------

    #[test]
    fn weekday_codes_and_names() {
        let expected = [
            ("MO", "Monday", "Mondays"),
            ("TU", "Tuesday", "Tuesdays"),
            ("WE", "Wednesday", "Wednesdays"),
            ("TH", "Thursday", "Thursdays"),
            ("FR", "Friday", "Fridays"),
            ("SA", "Saturday", "Saturdays"),
            ("SU", "Sunday", "Sundays"),
        ];
        for (n, (day, (code, name, plural))) in Weekday::ALL.iter().zip(expected).enumerate() {
            assert_eq!(day.as_ical(), code);
            assert_eq!(day.name(), name);
            assert_eq!(day.to_string(), name);
            assert_eq!(day.plural(), plural);
            assert_eq!(usize::from(day.number_from_monday()), n + 1);
            assert_eq!(Weekday::parse(code), Ok(*day));
            assert_eq!(Weekday::parse(&code.to_lowercase()), Ok(*day));
        }
        for bad in ["", "M", "MON", "Monday", "XX", "1MO", "М0"] {
            assert_eq!(Weekday::parse(bad), Err(ScheduleError::Day), "{bad:?}");
        }
    }

    // --- ByDay ---------------------------------------------------------------------------------

    #[test]
    fn byday_parses_with_and_without_ordinals() {
        let cases = [
            ("TU", None, Weekday::Tu, "TU"),
            ("tu", None, Weekday::Tu, "TU"),
            (" FR ", None, Weekday::Fr, "FR"),
            ("1SA", Some(1), Weekday::Sa, "1SA"),
            ("-1WE", Some(-1), Weekday::We, "-1WE"),
            ("+2MO", Some(2), Weekday::Mo, "2MO"),
            ("5su", Some(5), Weekday::Su, "5SU"),
            ("-5TH", Some(-5), Weekday::Th, "-5TH"),
            ("01SA", Some(1), Weekday::Sa, "1SA"), // a leading zero is harmless
        ];
        for (text, ordinal, weekday, ical) in cases {
            let day = ByDay::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(
                (day.ordinal(), day.weekday()),
                (ordinal, weekday),
                "{text:?}"
            );
            assert_eq!(day.as_ical(), ical);
            assert_eq!(day.to_string(), ical);
        }
    }

    #[test]
    fn byday_refuses_bad_entries() {
        let cases: &[(&str, ScheduleError)] = &[
            ("", ScheduleError::Day),
            ("T", ScheduleError::Day),
            ("XX", ScheduleError::Day),
            ("0SA", ScheduleError::Ordinal),
            ("+0SA", ScheduleError::Ordinal),
            ("-0SA", ScheduleError::Ordinal),
            ("6SA", ScheduleError::Ordinal),
            ("-6SA", ScheduleError::Ordinal),
            ("53MO", ScheduleError::Ordinal),
            ("+-1SA", ScheduleError::Day),
            ("1 SA", ScheduleError::Day),
            ("1.5SA", ScheduleError::Day),
            ("ASA", ScheduleError::Day),
            ("-SA", ScheduleError::Day),
            ("+SA", ScheduleError::Day),
            ("100MO", ScheduleError::Day),
            ("MO;DROP", ScheduleError::Day),
            ("\u{661}SA", ScheduleError::Day),
            ("1\u{421}A", ScheduleError::Day), // Cyrillic С
        ];
        for &(text, expected) in cases {
            assert_eq!(ByDay::parse(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn byday_new_checks_the_ordinal() {
        for n in [1, 2, 3, 4, 5, -1, -2, -3, -4, -5] {
            assert!(ByDay::new(Some(n), Weekday::Mo).is_ok(), "{n}");
        }
        for n in [0, 6, -6, i8::MIN, i8::MAX] {
            assert_eq!(
                ByDay::new(Some(n), Weekday::Mo),
                Err(ScheduleError::Ordinal),
                "{n}"
            );
        }
        assert_eq!(ByDay::new(None, Weekday::Mo), Ok(ByDay::every(Weekday::Mo)));
    }

    // --- TimeOfDay -----------------------------------------------------------------------------

    #[test]
    fn time_parses_24_hour_forms() {
        let cases = [
            ("09:30", 9, 30),
            ("9:30", 9, 30),
            ("00:00", 0, 0),
            ("23:59", 23, 59),
            ("12:00", 12, 0),
            ("18:00:00", 18, 0),
            (" 07:05 ", 7, 5),
        ];
        for (text, h, m) in cases {
            let t = TimeOfDay::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!((t.hour(), t.minute()), (h, m), "{text:?}");
        }
        assert_eq!(time("9:05").as_hhmm(), "09:05");
        assert_eq!(time("18:30:00").as_hhmm(), "18:30");
        assert_eq!(time("00:00").minutes(), 0);
        assert_eq!(time("23:59").minutes(), 1439);
        assert_eq!(time("09:30").minutes(), 570);
    }

    #[test]
    fn time_refuses_bad_input() {
        let long = "1".repeat(10_000);
        let cases: &[(&str, TimeError)] = &[
            ("", TimeError::Empty),
            ("  ", TimeError::Empty),
            ("24:00", TimeError::NotReal),
            ("25:00", TimeError::NotReal),
            ("99:99", TimeError::NotReal),
            ("09:60", TimeError::NotReal),
            ("09:30:15", TimeError::Format), // seconds must be 00
            ("09:30:60", TimeError::Format),
            ("09:30:0", TimeError::Format),
            ("0930", TimeError::Format),
            ("9", TimeError::Format),
            ("9:3", TimeError::Format),
            ("009:30", TimeError::Format),
            ("09:300", TimeError::Format),
            ("09.30", TimeError::Format),
            ("9am", TimeError::Format),
            ("9:30am", TimeError::Format),
            ("-1:00", TimeError::Format),
            ("+9:00", TimeError::Format),
            (":30", TimeError::Format),
            ("09:", TimeError::Format),
            ("09:30:00:00", TimeError::Format),
            ("\u{ff10}\u{ff19}:30", TimeError::Format), // full-width digits
            ("09:30; DROP", TimeError::Format),
            (long.as_str(), TimeError::Format),
        ];
        for &(text, expected) in cases {
            assert_eq!(TimeOfDay::parse(text), Err(expected), "{text:?}");
        }
        assert_eq!(TimeOfDay::new(24, 0), Err(TimeError::NotReal));
        assert_eq!(TimeOfDay::new(0, 60), Err(TimeError::NotReal));
        assert_eq!(TimeOfDay::new(23, 59), Ok(time("23:59")));
    }

    #[test]
    fn time_displays_in_gov_uk_style() {
        let cases = [
            ("09:00", "9am"),
            ("09:30", "9:30am"),
            ("12:00", "midday"),
            ("00:00", "midnight"),
            ("17:00", "5pm"),
            ("18:45", "6:45pm"),
            ("12:30", "12:30pm"),
            ("00:15", "12:15am"),
            ("01:00", "1am"),
            ("11:59", "11:59am"),
            ("13:05", "1:05pm"),
            ("23:59", "11:59pm"),
        ];
        for (text, expected) in cases {
            assert_eq!(time(text).to_string(), expected, "{text}");
        }
        assert_eq!(TimeOfDay::MIDDAY.to_string(), "midday");
        assert_eq!(TimeOfDay::MIDNIGHT.to_string(), "midnight");
    }

    #[test]
    fn time_from_minutes_round_trips() {
        for minutes in 0..24 * 60 {
            let t = TimeOfDay::from_minutes(minutes).unwrap();
            assert_eq!(t.minutes(), minutes);
            assert_eq!(TimeOfDay::parse(&t.as_hhmm()), Ok(t));
        }
        assert_eq!(TimeOfDay::from_minutes(1440), Err(TimeError::NotReal));
        assert!(time("09:00") < time("09:01"));
        assert!(time("09:59") < time("10:00"));
    }

    // --- IsoDate -------------------------------------------------------------------------------

    #[test]
    fn date_parses_real_dates() {
        let cases = [
            ("2026-05-14", (2026, 5, 14)),
            (" 2026-01-01 ", (2026, 1, 1)),
            ("2026-12-31", (2026, 12, 31)),
            ("2024-02-29", (2024, 2, 29)), // leap year
            ("2000-02-29", (2000, 2, 29)), // divisible by 400: leap
            ("1900-01-01", (1900, 1, 1)),
            ("2100-12-31", (2100, 12, 31)),
            ("2026-04-30", (2026, 4, 30)),
        ];
        for (text, (y, m, d)) in cases {
            let date = IsoDate::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!((date.year(), date.month(), date.day()), (y, m, d));
            assert_eq!(date.to_string(), text.trim());
        }
    }

    #[test]
    fn date_refuses_unreal_and_badly_formatted_dates() {
        let cases: &[(&str, DateError)] = &[
            ("", DateError::Empty),
            (" ", DateError::Empty),
            ("2026-02-29", DateError::NotReal), // not a leap year
            ("1900-02-29", DateError::NotReal), // divisible by 100 but not 400
            ("2100-02-29", DateError::NotReal),
            ("2026-02-30", DateError::NotReal),
            ("2026-04-31", DateError::NotReal),
            ("2026-06-31", DateError::NotReal),
            ("2026-09-31", DateError::NotReal),
            ("2026-11-31", DateError::NotReal),
            ("2026-01-32", DateError::NotReal),
            ("2026-13-01", DateError::NotReal),
            ("2026-00-10", DateError::NotReal),
            ("2026-01-00", DateError::NotReal),
            ("1899-12-31", DateError::Year),
            ("2101-01-01", DateError::Year),
            ("0000-01-01", DateError::Year),
            ("9999-12-31", DateError::Year),
            ("2026-5-14", DateError::Format),
            ("14/05/2026", DateError::Format),
            ("14 May 2026", DateError::Format),
            ("20260514", DateError::Format),
            ("2026-05-14T00:00:00Z", DateError::Format),
            ("2026-05-1a", DateError::Format),
            ("+026-05-14", DateError::Format),
            ("2026/05/14", DateError::Format),
            ("２０２６-05-14", DateError::Format),
            ("2026-05-14; DROP TABLE", DateError::Format),
        ];
        for &(text, expected) in cases {
            assert_eq!(IsoDate::parse(text), Err(expected), "{text:?}");
        }
        assert_eq!(IsoDate::new(2026, 2, 29), Err(DateError::NotReal));
        assert_eq!(IsoDate::new(1800, 1, 1), Err(DateError::Year));
    }

    #[test]
    fn date_long_form_and_weekday() {
        let cases = [
            ("2026-05-14", "14 May 2026", Weekday::Th),
            ("2026-01-01", "1 January 2026", Weekday::Th),
            ("2024-02-29", "29 February 2024", Weekday::Th),
            ("2000-01-01", "1 January 2000", Weekday::Sa),
            ("1970-01-01", "1 January 1970", Weekday::Th),
            ("1900-01-01", "1 January 1900", Weekday::Mo),
            ("2025-12-25", "25 December 2025", Weekday::Th),
            ("2026-07-22", "22 July 2026", Weekday::We),
            ("2100-12-31", "31 December 2100", Weekday::Fr),
        ];
        for (text, long, weekday) in cases {
            assert_eq!(date(text).long(), long);
            assert_eq!(date(text).weekday(), weekday, "{text}");
        }
        // Every day from 1999 to 2001 is one weekday on from the day before, across month ends,
        // year ends and leap days.
        let mut previous = date("1998-12-31").weekday();
        let mut count = 0;
        for y in 1999..=2001 {
            for m in 1..=12 {
                for d in 1..=31 {
                    let Ok(today) = IsoDate::new(y, m, d) else {
                        continue;
                    };
                    let today = today.weekday();
                    assert_eq!(
                        today.number_from_monday() % 7,
                        (previous.number_from_monday() + 1) % 7
                    );
                    previous = today;
                    count += 1;
                }
            }
        }
        assert_eq!(count, 365 + 366 + 365);
        assert_eq!(date("2024-01-01").weekday(), Weekday::Mo);
    }

    #[test]
    fn dates_order_by_time() {
        let mut dates = ["2026-05-14", "2025-12-31", "2026-01-02", "2026-01-01"].map(date);
        dates.sort();
        assert_eq!(
            dates.map(|d| d.to_string()),
            ["2025-12-31", "2026-01-01", "2026-01-02", "2026-05-14"]
        );
        assert!(date("2026-02-01") > date("2026-01-31"));
    }

    // --- Season and bands ----------------------------------------------------------------------

    #[test]
    fn season_parses_and_describes() {
        for (text, season, label) in [
            ("all_year", Season::AllYear, "All year"),
            ("TERM_TIME", Season::TermTime, "Term time"),
            (
                " school_holidays ",
                Season::SchoolHolidays,
                "School holidays",
            ),
        ] {
            assert_eq!(Season::parse(text), Ok(season));
            assert_eq!(season.label(), label);
            assert_eq!(season.to_string(), label);
            assert_eq!(Season::parse(season.as_str()), Ok(season));
        }
        for bad in ["", "term time", "holidays", "all-year", "summer"] {
            assert_eq!(Season::parse(bad), Err(ScheduleError::Season), "{bad:?}");
        }
        assert_eq!(Season::AllYear.qualifier(), None);
        assert_eq!(Season::TermTime.qualifier(), Some("term time only"));
        assert_eq!(Season::default(), Season::AllYear);
    }

    #[test]
    fn bands_follow_the_documented_rules() {
        use TimeOfDayBand::{Afternoon as A, Evening as E, Morning as M};
        let cases: &[(&str, &str, &[TimeOfDayBand])] = &[
            ("09:00", "12:00", &[M]),
            ("09:00", "11:30", &[M]),
            ("11:30", "12:30", &[M, A]),
            ("09:00", "17:00", &[M, A]),
            ("09:00", "17:30", &[M, A]),
            ("09:00", "18:00", &[M, A, E]),
            ("12:00", "13:00", &[A]),
            ("13:00", "15:00", &[A]),
            ("15:30", "17:30", &[A]), // after school: not evening
            ("15:30", "17:31", &[A, E]),
            ("16:59", "17:15", &[A]),
            ("17:00", "17:15", &[E]), // starts at 5pm: evening
            ("17:00", "19:00", &[E]),
            ("18:00", "20:00", &[E]),
            ("19:00", "23:59", &[E]),
            ("00:00", "01:00", &[M]),
            ("00:00", "23:59", &[M, A, E]),
        ];
        for &(opens, closes, expected) in cases {
            let s = schedule("WEEKLY", "MO", opens, closes, "");
            assert_eq!(s.bands(), expected, "{opens}-{closes}");
        }
    }

    #[test]
    fn every_session_has_at_least_one_band() {
        for opens in (0..24 * 60).step_by(15) {
            for closes in (opens + 1..24 * 60).step_by(15) {
                let o = TimeOfDay::from_minutes(opens).unwrap();
                let c = TimeOfDay::from_minutes(closes).unwrap();
                assert!(!TimeOfDayBand::for_session(o, c).is_empty(), "{o}-{c}");
            }
        }
    }

    #[test]
    fn band_names() {
        for band in TimeOfDayBand::ALL {
            assert_eq!(TimeOfDayBand::parse(band.as_str()), Some(band));
            assert_eq!(
                TimeOfDayBand::parse(&band.label().to_uppercase()),
                Some(band)
            );
            assert!(!band.hint().is_empty());
        }
        assert_eq!(TimeOfDayBand::parse("night"), None);
        assert_eq!(
            serde_json::to_string(&TimeOfDayBand::Evening).unwrap(),
            r#""evening""#
        );
    }

    // --- Schedule: parsing ---------------------------------------------------------------------

    #[test]
    fn parses_a_full_schedule() {
        let s = Schedule::parse(ScheduleInput {
            freq: "weekly".into(),
            byday: "we, mo".into(),
            opens_at: "09:30:00".into(),
            closes_at: "11:30".into(),
            season: "term_time".into(),
            valid_from: Some("2026-05-14".into()),
            valid_to: Some("2026-07-22".into()),
            description: Some("  Bring a packed lunch.  ".into()),
        })
        .unwrap();
        assert_eq!(s.freq(), Freq::Weekly);
        assert_eq!(
            s.byday(),
            [ByDay::every(Weekday::Mo), ByDay::every(Weekday::We)]
        );
        assert_eq!(s.byday_ical(), "MO,WE");
        assert_eq!(s.weekdays(), [Weekday::Mo, Weekday::We]);
        assert_eq!(s.opens_at(), time("09:30"));
        assert_eq!(s.closes_at(), time("11:30"));
        assert_eq!(s.duration_minutes(), 120);
        assert_eq!(s.season(), Season::TermTime);
        assert_eq!(s.valid_from(), Some(date("2026-05-14")));
        assert_eq!(s.valid_to(), Some(date("2026-07-22")));
        assert_eq!(s.description(), Some("Bring a packed lunch."));
        assert_eq!(
            s.summary(),
            "Mondays and Wednesdays, 9:30am to 11:30am, term time only"
        );
        assert_eq!(s.to_string(), s.summary());
        assert_eq!(
            s.dates_summary().as_deref(),
            Some("From 14 May 2026 to 22 July 2026")
        );
    }

    #[test]
    fn blank_optional_fields_mean_none() {
        let mut i = input("WEEKLY", "TU", "18:00", "20:00", "  ");
        i.valid_from = Some("".into());
        i.valid_to = Some("   ".into());
        i.description = Some(" \n\t ".into());
        let s = Schedule::parse(i).unwrap();
        assert_eq!(s.season(), Season::AllYear);
        assert_eq!(s.valid_from(), None);
        assert_eq!(s.valid_to(), None);
        assert_eq!(s.description(), None);
        assert_eq!(s.dates_summary(), None);
    }

    #[test]
    fn days_are_kept_in_canonical_order() {
        let a = schedule("WEEKLY", "FR,MO,WE", "10:00", "12:00", "");
        let b = schedule("WEEKLY", "mo,we,fr", "10:00", "12:00", "");
        assert_eq!(a, b);
        assert_eq!(a.byday_ical(), "MO,WE,FR");
        let m = schedule("MONTHLY", "-1TU,2TU,1SA,4TU,-2TU", "13:00", "15:00", "");
        assert_eq!(m.byday_ical(), "2TU,4TU,-2TU,-1TU,1SA");
        assert_eq!(m.weekdays(), [Weekday::Tu, Weekday::Sa]);
    }

    #[test]
    fn refuses_bad_schedules() {
        let ok = || input("WEEKLY", "MO", "09:00", "17:00", "all_year");
        let with = |f: &dyn Fn(&mut ScheduleInput)| {
            let mut i = ok();
            f(&mut i);
            i
        };
        let long = "x".repeat(501);
        let cases: Vec<(ScheduleInput, ScheduleError)> = vec![
            (with(&|i| i.freq = "".into()), ScheduleError::Freq),
            (with(&|i| i.freq = "DAILY".into()), ScheduleError::Freq),
            (with(&|i| i.byday = "".into()), ScheduleError::NoDays),
            (with(&|i| i.byday = " ".into()), ScheduleError::NoDays),
            (with(&|i| i.byday = "MO,".into()), ScheduleError::Day),
            (with(&|i| i.byday = "MO,,WE".into()), ScheduleError::Day),
            (with(&|i| i.byday = "MO WE".into()), ScheduleError::Day),
            (with(&|i| i.byday = "MO;WE".into()), ScheduleError::Day),
            (
                with(&|i| i.byday = "MO,MO".into()),
                ScheduleError::DuplicateDay,
            ),
            (
                with(&|i| i.byday = "MO,mo".into()),
                ScheduleError::DuplicateDay,
            ),
            (
                with(&|i| i.byday = "1SA".into()),
                ScheduleError::WeeklyWithOrdinal,
            ),
            (
                with(&|i| i.byday = "MO,1SA".into()),
                ScheduleError::WeeklyWithOrdinal,
            ),
            (
                with(&|i| {
                    i.freq = "MONTHLY".into();
                    i.byday = "SA".into();
                }),
                ScheduleError::MonthlyWithoutOrdinal,
            ),
            (
                with(&|i| {
                    i.freq = "MONTHLY".into();
                    i.byday = "1SA,SA".into();
                }),
                ScheduleError::MonthlyWithoutOrdinal,
            ),
            (
                with(&|i| {
                    i.freq = "MONTHLY".into();
                    i.byday = "1SA,+1SA".into();
                }),
                ScheduleError::DuplicateDay,
            ),
            (with(&|i| i.byday = "0MO".into()), ScheduleError::Ordinal),
            (
                with(&|i| i.opens_at = "".into()),
                ScheduleError::OpensAt(TimeError::Empty),
            ),
            (
                with(&|i| i.opens_at = "9am".into()),
                ScheduleError::OpensAt(TimeError::Format),
            ),
            (
                with(&|i| i.closes_at = "25:00".into()),
                ScheduleError::ClosesAt(TimeError::NotReal),
            ),
            (
                with(&|i| i.closes_at = "09:00".into()),
                ScheduleError::ClosesBeforeOpens,
            ),
            (
                with(&|i| i.closes_at = "08:59".into()),
                ScheduleError::ClosesBeforeOpens,
            ),
            (
                with(&|i| {
                    i.opens_at = "22:00".into();
                    i.closes_at = "00:00".into();
                }),
                ScheduleError::ClosesBeforeOpens,
            ),
            (with(&|i| i.season = "summer".into()), ScheduleError::Season),
            (
                with(&|i| i.valid_from = Some("2026-02-30".into())),
                ScheduleError::ValidFrom(DateError::NotReal),
            ),
            (
                with(&|i| i.valid_to = Some("tomorrow".into())),
                ScheduleError::ValidTo(DateError::Format),
            ),
            (
                with(&|i| {
                    i.valid_from = Some("2026-05-14".into());
                    i.valid_to = Some("2026-05-13".into());
                }),
                ScheduleError::EndBeforeStart,
            ),
            (
                with(&|i| i.description = Some(long.clone())),
                ScheduleError::DescriptionTooLong,
            ),
        ];
        for (bad, expected) in cases {
            assert_eq!(Schedule::parse(bad.clone()), Err(expected), "{bad:?}");
        }
        assert!(Schedule::parse(ScheduleInput::default()).is_err());
    }

    #[test]
    fn same_start_and_end_date_is_fine() {
        let mut i = input("WEEKLY", "SA", "10:00", "12:00", "school_holidays");
        i.valid_from = Some("2026-08-01".into());
        i.valid_to = Some("2026-08-01".into());
        let s = Schedule::parse(i).unwrap();
        assert_eq!(
            s.dates_summary().as_deref(),
            Some("From 1 August 2026 to 1 August 2026")
        );
    }

    #[test]
    fn one_minute_session_is_fine() {
        let s = schedule("WEEKLY", "MO", "09:00", "09:01", "");
        assert_eq!(s.duration_minutes(), 1);
    }

    #[test]
    fn parse_all_errors_reports_every_field() {
        let bad = ScheduleInput {
            freq: "DAILY".into(),
            byday: "XX".into(),
            opens_at: "9am".into(),
            closes_at: "".into(),
            season: "summer".into(),
            valid_from: Some("2026-02-30".into()),
            valid_to: Some("soon".into()),
            description: Some("y".repeat(600)),
        };
        let errors = Schedule::parse_all_errors(bad.clone()).unwrap_err();
        assert_eq!(
            errors,
            [
                ScheduleError::Freq,
                ScheduleError::Day,
                ScheduleError::OpensAt(TimeError::Format),
                ScheduleError::ClosesAt(TimeError::Empty),
                ScheduleError::Season,
                ScheduleError::ValidFrom(DateError::NotReal),
                ScheduleError::ValidTo(DateError::Format),
                ScheduleError::DescriptionTooLong,
            ]
        );
        let fields: Vec<&str> = errors.iter().map(ScheduleError::field).collect();
        assert_eq!(
            fields,
            [
                "freq",
                "byday",
                "opens_at",
                "closes_at",
                "season",
                "valid_from",
                "valid_to",
                "description"
            ]
        );
        assert_eq!(Schedule::parse(bad), Err(ScheduleError::Freq));

        let mut order = input("WEEKLY", "MO", "10:00", "09:00", "");
        order.valid_from = Some("2026-05-14".into());
        order.valid_to = Some("2026-01-01".into());
        assert_eq!(
            Schedule::parse_all_errors(order).unwrap_err(),
            [
                ScheduleError::ClosesBeforeOpens,
                ScheduleError::EndBeforeStart
            ]
        );
    }

    #[test]
    fn description_is_cleaned() {
        let with_description = |text: &str| {
            let mut i = input("WEEKLY", "MO", "09:00", "10:00", "");
            i.description = Some(text.into());
            Schedule::parse(i)
        };
        let cleaned =
            with_description("  Line one\r\nLine two\rLine\u{0} three\u{1b}[31m  ").unwrap();
        assert_eq!(
            cleaned.description(),
            Some("Line one\nLine two\nLine three[31m")
        );
        let exactly_500 = "é".repeat(500); // counted in characters, not bytes
        assert_eq!(
            with_description(&exactly_500).unwrap().description(),
            Some(exactly_500.as_str())
        );
        let padded = format!("   {}   ", "a".repeat(500));
        assert!(with_description(&padded).is_ok());
        assert_eq!(
            with_description(&"a".repeat(501)),
            Err(ScheduleError::DescriptionTooLong)
        );
        assert_eq!(with_description("\u{0}\u{7}").unwrap().description(), None);
        let html = with_description("<script>alert(1)</script>").unwrap();
        assert_eq!(html.description(), Some("<script>alert(1)</script>")); // escaped when shown
    }

    #[test]
    fn error_messages_are_for_people() {
        assert_eq!(
            ScheduleError::ClosesBeforeOpens.to_string(),
            "The closing time must be after the opening time"
        );
        assert_eq!(
            ScheduleError::OpensAt(TimeError::Format).to_string(),
            "Enter the opening time in the 24-hour format, like 09:30"
        );
        assert_eq!(
            TimeError::NotReal.to_string(),
            "Enter a real time, from 00:00 to 23:59"
        );
        assert_eq!(DateError::NotReal.to_string(), "Enter a real date");
        assert_eq!(
            ScheduleError::EndBeforeStart.to_string(),
            "The end date must be the same as or after the start date"
        );
        let source = std::error::Error::source(&ScheduleError::ValidTo(DateError::Format));
        assert_eq!(
            source.map(|e| e.to_string()).as_deref(),
            Some("Enter a date in the format YYYY-MM-DD, like 2026-05-14")
        );
    }

    // --- Schedule: wording ---------------------------------------------------------------------

    #[test]
    fn summaries_in_plain_english() {
        let cases = [
            (("WEEKLY", "TU", "18:00", "20:00", "term_time"), "Tuesdays, 6pm to 8pm, term time only"),
            (("WEEKLY", "MO,TU,WE,TH,FR", "09:00", "17:00", "all_year"), "Mondays to Fridays, 9am to 5pm"),
            (
                ("WEEKLY", "TU,TH", "09:30", "11:30", "school_holidays"),
                "Tuesdays and Thursdays, 9:30am to 11:30am, school holidays only",
            ),
            (("WEEKLY", "MO,WE,FR", "10:00", "12:00", ""), "Mondays, Wednesdays and Fridays, 10am to midday"),
            (("MONTHLY", "1SA", "10:00", "12:00", ""), "First Saturday of the month, 10am to midday"),
            (("MONTHLY", "-1WE", "19:00", "21:00", ""), "Last Wednesday of the month, 7pm to 9pm"),
            (
                ("MONTHLY", "2TU,4TU", "13:00", "15:00", ""),
                "Second and fourth Tuesday of the month, 1pm to 3pm",
            ),
            (("WEEKLY", "SA,SU", "10:00", "16:00", ""), "Saturdays and Sundays, 10am to 4pm"),
            (("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59", ""), "Every day, midnight to 11:59pm"),
            (("WEEKLY", "MO,TU", "09:00", "10:00", ""), "Mondays and Tuesdays, 9am to 10am"),
            (("WEEKLY", "MO,TU,WE", "09:00", "10:00", ""), "Mondays to Wednesdays, 9am to 10am"),
            (
                ("WEEKLY", "MO,TU,WE,FR", "09:00", "10:00", ""),
                "Mondays to Wednesdays and Fridays, 9am to 10am",
            ),
            (
                ("WEEKLY", "MO,WE,TH,FR,SU", "09:00", "10:00", ""),
                "Mondays, Wednesdays to Fridays and Sundays, 9am to 10am",
            ),
            (
                ("WEEKLY", "MO,TU,TH,FR", "09:00", "10:00", ""),
                "Mondays, Tuesdays, Thursdays and Fridays, 9am to 10am",
            ),
            (
                ("WEEKLY", "SA,SU,MO", "09:00", "10:00", ""), // the week does not wrap round
                "Mondays, Saturdays and Sundays, 9am to 10am",
            ),
            (
                ("WEEKLY", "TU,WE,TH,FR,SA,SU", "09:00", "10:00", ""),
                "Tuesdays to Sundays, 9am to 10am",
            ),
            (
                ("MONTHLY", "1MO,-1FR", "09:00", "10:00", ""),
                "First Monday and last Friday of the month, 9am to 10am",
            ),
            (
                ("MONTHLY", "1TU,3TU,1TH", "09:00", "10:00", "term_time"),
                "First and third Tuesday and first Thursday of the month, 9am to 10am, term time only",
            ),
            (
                ("MONTHLY", "-2SU", "14:00", "16:30", ""),
                "Second to last Sunday of the month, 2pm to 4:30pm",
            ),
            (
                ("MONTHLY", "1SA,-1SA", "10:00", "11:00", ""),
                "First and last Saturday of the month, 10am to 11am",
            ),
            (
                ("MONTHLY", "5FR", "18:15", "19:45", "school_holidays"),
                "Fifth Friday of the month, 6:15pm to 7:45pm, school holidays only",
            ),
        ];
        for ((freq, byday, opens, closes, season), expected) in cases {
            assert_eq!(
                schedule(freq, byday, opens, closes, season).summary(),
                expected
            );
        }
    }

    #[test]
    fn dates_summary_wording() {
        let with_dates = |from: Option<&str>, to: Option<&str>| {
            let mut i = input("WEEKLY", "MO", "09:00", "10:00", "");
            i.valid_from = from.map(Into::into);
            i.valid_to = to.map(Into::into);
            Schedule::parse(i).unwrap().dates_summary()
        };
        assert_eq!(
            with_dates(Some("2026-05-14"), None).as_deref(),
            Some("From 14 May 2026")
        );
        assert_eq!(
            with_dates(None, Some("2026-07-22")).as_deref(),
            Some("Until 22 July 2026")
        );
        assert_eq!(with_dates(None, None), None);
    }

    #[test]
    fn join_and_wording() {
        let words =
            |list: &[&str]| join_and(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(words(&[]), "");
        assert_eq!(words(&["a"]), "a");
        assert_eq!(words(&["a", "b"]), "a and b");
        assert_eq!(words(&["a", "b", "c"]), "a, b and c");
    }

    // --- serde ---------------------------------------------------------------------------------

    #[test]
    fn small_types_round_trip_through_serde() {
        assert_eq!(serde_json::to_string(&time("09:30")).unwrap(), r#""09:30""#);
        assert_eq!(
            serde_json::from_str::<TimeOfDay>(r#""9:30:00""#).unwrap(),
            time("09:30")
        );
        assert_eq!(
            serde_json::to_string(&date("2026-05-14")).unwrap(),
            r#""2026-05-14""#
        );
        assert_eq!(
            serde_json::from_str::<IsoDate>(r#""2026-05-14""#).unwrap(),
            date("2026-05-14")
        );
        assert_eq!(
            serde_json::to_string(&Freq::Monthly).unwrap(),
            r#""MONTHLY""#
        );
        assert_eq!(
            serde_json::from_str::<Freq>(r#""weekly""#).unwrap(),
            Freq::Weekly
        );
        assert_eq!(serde_json::to_string(&Weekday::Sa).unwrap(), r#""SA""#);
        assert_eq!(
            serde_json::to_string(&Season::TermTime).unwrap(),
            r#""term_time""#
        );
        assert_eq!(
            serde_json::from_str::<Season>(r#""TERM_TIME""#).unwrap(),
            Season::TermTime
        );
        let day = ByDay::parse("-1we").unwrap();
        assert_eq!(serde_json::to_string(&day).unwrap(), r#""-1WE""#);
        assert_eq!(serde_json::from_str::<ByDay>(r#""-1WE""#).unwrap(), day);
        for (json, what) in [
            (r#""24:00""#, "time"),
            (r#""2026-02-29""#, "date"),
            (r#""DAILY""#, "freq"),
            (r#""XX""#, "weekday"),
            (r#""0SA""#, "byday"),
            (r#""summer""#, "season"),
        ] {
            let failed = match what {
                "time" => serde_json::from_str::<TimeOfDay>(json).is_err(),
                "date" => serde_json::from_str::<IsoDate>(json).is_err(),
                "freq" => serde_json::from_str::<Freq>(json).is_err(),
                "weekday" => serde_json::from_str::<Weekday>(json).is_err(),
                "byday" => serde_json::from_str::<ByDay>(json).is_err(),
                _ => serde_json::from_str::<Season>(json).is_err(),
            };
            assert!(failed, "{what} {json}");
        }
    }

    #[test]
    fn schedule_round_trips_through_serde_and_input() {
        let mut i = input("monthly", "4tu,2TU", "13:00:00", "15:00", "TERM_TIME");
        i.valid_from = Some("2026-01-05".into());
        i.description = Some(" Drop in ".into());
        let s = Schedule::parse(i).unwrap();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "freq": "MONTHLY",
                "byday": "2TU,4TU",
                "opens_at": "13:00",
                "closes_at": "15:00",
                "season": "term_time",
                "valid_from": "2026-01-05",
                "valid_to": null,
                "description": "Drop in",
            })
        );
        assert_eq!(serde_json::from_value::<Schedule>(json).unwrap(), s);
        assert_eq!(Schedule::parse(s.to_input()), Ok(s.clone()));
        assert_eq!(Schedule::try_from(ScheduleInput::from(s.clone())), Ok(s));
    }

    #[test]
    fn schedule_serde_rejects_bad_data() {
        let bad = [
            serde_json::json!({"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "09:00"}),
            serde_json::json!({"freq": "WEEKLY", "byday": "1MO", "opens_at": "09:00", "closes_at": "10:00"}),
            serde_json::json!({"freq": "WEEKLY", "byday": "", "opens_at": "09:00", "closes_at": "10:00"}),
            serde_json::json!({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00"}),
            serde_json::json!({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "10:00",
                               "valid_from": "2026-02-01", "valid_to": "2026-01-01"}),
            serde_json::json!({}),
            serde_json::json!("Mondays, 9am to 10am"),
        ];
        for json in bad {
            assert!(
                serde_json::from_value::<Schedule>(json.clone()).is_err(),
                "{json}"
            );
        }
        let minimal = serde_json::json!({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "10:00"});
        let s = serde_json::from_value::<Schedule>(minimal).unwrap();
        assert_eq!(s.season(), Season::AllYear);
        let input: ScheduleInput = serde_json::from_str("{}").unwrap();
        assert_eq!(input, ScheduleInput::default());
    }
}
