//! Ages in whole years, and the age ranges services are for.
//!
//! The directory covers children and young people from birth to 25 (the upper age of the SEND
//! Local Offer), so an [`Age`] is a whole number of years from 0 to 25, and an [`AgeRange`] is two
//! of them with the youngest not above the oldest.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an age or an age range was refused. The messages are for the person who typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum AgeError {
    /// Nothing was entered (or only spaces).
    #[error("Enter an age")]
    Empty,
    /// Not a number at all ("five", "5 years", "+5").
    #[error("Enter an age as a number, like 5")]
    NotANumber,
    /// A number with a fraction ("5.5").
    #[error("Enter an age in whole years, like 5")]
    NotWholeYears,
    /// A number below 0 or above 25.
    #[error("Enter an age from 0 to 25")]
    OutOfRange,
    /// An age range whose youngest age is above its oldest.
    #[error("The youngest age must be the same as or lower than the oldest age")]
    MinAboveMax,
}

/// An age in whole years, from 0 (under one) to 25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Age(u8);

impl Age {
    /// The oldest age the directory covers, in years.
    pub const MAX_YEARS: u8 = 25;
    /// Age 0: under one year old.
    pub const YOUNGEST: Age = Age(0);
    /// Age 25.
    pub const OLDEST: Age = Age(Self::MAX_YEARS);

    /// An age of `years`, from 0 to 25.
    pub fn new(years: u8) -> Result<Age, AgeError> {
        if years <= Self::MAX_YEARS {
            Ok(Age(years))
        } else {
            Err(AgeError::OutOfRange)
        }
    }

    /// Parses an age typed as whole years in ASCII digits ("5", " 12 ", "05"). Refuses blanks,
    /// words, signs, decimals and ages outside 0 to 25, each with its own message.
    pub fn parse(input: &str) -> Result<Age, AgeError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(AgeError::Empty);
        }
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if let Some((whole, fraction)) = unsigned.split_once('.') {
            if all_digits(whole) && !fraction.is_empty() && all_digits(fraction) {
                return Err(AgeError::NotWholeYears);
            }
            return Err(AgeError::NotANumber);
        }
        if unsigned.is_empty() || !all_digits(unsigned) {
            return Err(AgeError::NotANumber);
        }
        if negative {
            return Err(AgeError::OutOfRange);
        }
        let significant = unsigned.trim_start_matches('0');
        if significant.len() > 2 {
            return Err(AgeError::OutOfRange);
        }
        let years = significant.bytes().fold(0u8, |n, b| n * 10 + (b - b'0'));
        Age::new(years)
    }

    /// The age in years.
    pub fn get(self) -> u8 {
        self.0
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// The number of years, as it would be typed: "5".
impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u8> for Age {
    type Error = AgeError;
    fn try_from(years: u8) -> Result<Age, AgeError> {
        Age::new(years)
    }
}

impl From<Age> for u8 {
    fn from(age: Age) -> u8 {
        age.0
    }
}

impl std::str::FromStr for Age {
    type Err = AgeError;
    fn from_str(input: &str) -> Result<Age, AgeError> {
        Age::parse(input)
    }
}

/// The ages a service is for, both ends included: "0 to 5 years". The youngest age is never above
/// the oldest.
// Deliberately not `Ord`: ranges have no natural order, and `Ord::min`/`Ord::max` would shadow
// the `min()` and `max()` accessors on a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "AgeRangeFields", into = "AgeRangeFields")]
pub struct AgeRange {
    min: Age,
    max: Age,
}

/// The serde form of an [`AgeRange`]: `{"min": 0, "max": 5}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgeRangeFields {
    min: Age,
    max: Age,
}

impl AgeRange {
    /// Every age the directory covers, 0 to 25.
    pub const ALL: AgeRange = AgeRange {
        min: Age::YOUNGEST,
        max: Age::OLDEST,
    };

    /// The ages from `min` to `max`, both included. Refuses `min` above `max`.
    pub fn new(min: Age, max: Age) -> Result<AgeRange, AgeError> {
        if min <= max {
            Ok(AgeRange { min, max })
        } else {
            Err(AgeError::MinAboveMax)
        }
    }

    /// The ages from `min` to `max` years: both must be from 0 to 25 and in order.
    pub fn from_years(min: u8, max: u8) -> Result<AgeRange, AgeError> {
        AgeRange::new(Age::new(min)?, Age::new(max)?)
    }

    /// Just one age.
    pub fn single(age: Age) -> AgeRange {
        AgeRange { min: age, max: age }
    }

    /// The youngest age included.
    pub fn min(&self) -> Age {
        self.min
    }

    /// The oldest age included.
    pub fn max(&self) -> Age {
        self.max
    }

    /// Whether `age` is in the range (both ends count).
    pub fn contains(&self, age: Age) -> bool {
        self.min <= age && age <= self.max
    }

    /// Whether the two ranges share at least one age: a service for 0 to 5 overlaps a search for
    /// 5 to 8.
    pub fn overlaps(&self, other: &AgeRange) -> bool {
        self.min <= other.max && other.min <= self.max
    }
}

/// Plain English: "Under 1", "1 year", "5 years", "0 to 5 years", "0 to 1 year". The unit agrees
/// with the last number, as it is read aloud.
impl fmt::Display for AgeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (min, max) = (self.min.0, self.max.0);
        let unit = if max == 1 { "year" } else { "years" };
        match (min, max) {
            (0, 0) => f.write_str("Under 1"),
            _ if min == max => write!(f, "{max} {unit}"),
            _ => write!(f, "{min} to {max} {unit}"),
        }
    }
}

impl TryFrom<AgeRangeFields> for AgeRange {
    type Error = AgeError;
    fn try_from(fields: AgeRangeFields) -> Result<AgeRange, AgeError> {
        AgeRange::new(fields.min, fields.max)
    }
}

impl From<AgeRange> for AgeRangeFields {
    fn from(range: AgeRange) -> AgeRangeFields {
        AgeRangeFields {
            min: range.min,
            max: range.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(years: u8) -> Age {
        Age::new(years).unwrap()
    }

    fn range(min: u8, max: u8) -> AgeRange {
        AgeRange::from_years(min, max).unwrap()
    }

    #[test]
    fn new_accepts_0_to_25_only() {
        for years in 0..=25 {
            assert_eq!(Age::new(years).map(Age::get), Ok(years));
        }
        for years in [26, 30, 99, 100, 255] {
            assert_eq!(Age::new(years), Err(AgeError::OutOfRange));
        }
        assert_eq!(Age::YOUNGEST.get(), 0);
        assert_eq!(Age::OLDEST.get(), 25);
    }

    #[test]
    fn parses_typed_ages() {
        let cases = [
            ("0", 0),
            ("5", 5),
            ("25", 25),
            (" 12 ", 12),
            ("\t7\n", 7),
            ("05", 5),
            ("00", 0),
            ("0000000000000000000000000000000000000018", 18),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Age::parse(input).map(Age::get),
                Ok(expected),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn refuses_bad_ages_with_the_right_message() {
        let long = "9".repeat(10_000);
        let cases: &[(&str, AgeError)] = &[
            ("", AgeError::Empty),
            ("   ", AgeError::Empty),
            ("-1", AgeError::OutOfRange),
            ("-0", AgeError::OutOfRange),
            ("-25", AgeError::OutOfRange),
            ("26", AgeError::OutOfRange),
            ("100", AgeError::OutOfRange),
            ("256", AgeError::OutOfRange),
            ("99999999999999999999999", AgeError::OutOfRange),
            (long.as_str(), AgeError::OutOfRange),
            ("5.5", AgeError::NotWholeYears),
            ("5.0", AgeError::NotWholeYears),
            (".5", AgeError::NotWholeYears),
            ("-1.5", AgeError::NotWholeYears),
            ("5.", AgeError::NotANumber),
            ("5.5.5", AgeError::NotANumber),
            ("5,5", AgeError::NotANumber),
            ("five", AgeError::NotANumber),
            ("5 years", AgeError::NotANumber),
            ("+5", AgeError::NotANumber),
            ("-", AgeError::NotANumber),
            ("--5", AgeError::NotANumber),
            ("1e1", AgeError::NotANumber),
            ("0x10", AgeError::NotANumber),
            ("5; DROP TABLE", AgeError::NotANumber),
            ("\u{ff15}", AgeError::NotANumber), // full-width 5
            ("\u{665}", AgeError::NotANumber),  // Arabic-Indic 5
            ("5\u{0}", AgeError::NotANumber),
            ("1 2", AgeError::NotANumber),
        ];
        for &(input, expected) in cases {
            assert_eq!(Age::parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn error_messages_are_for_people() {
        assert_eq!(AgeError::Empty.to_string(), "Enter an age");
        assert_eq!(
            AgeError::OutOfRange.to_string(),
            "Enter an age from 0 to 25"
        );
        assert_eq!(
            AgeError::NotANumber.to_string(),
            "Enter an age as a number, like 5"
        );
        assert_eq!(
            AgeError::NotWholeYears.to_string(),
            "Enter an age in whole years, like 5"
        );
        assert_eq!(
            AgeError::MinAboveMax.to_string(),
            "The youngest age must be the same as or lower than the oldest age"
        );
    }

    #[test]
    fn age_conversions() {
        assert_eq!("7".parse::<Age>(), Ok(age(7)));
        assert_eq!(Age::try_from(7u8), Ok(age(7)));
        assert_eq!(Age::try_from(26u8), Err(AgeError::OutOfRange));
        assert_eq!(u8::from(age(7)), 7);
        assert_eq!(age(7).to_string(), "7");
        assert!(age(3) < age(4));
    }

    #[test]
    fn range_needs_min_not_above_max() {
        assert_eq!(
            AgeRange::new(age(5), age(5)).map(|r| (r.min(), r.max())),
            Ok((age(5), age(5)))
        );
        assert_eq!(AgeRange::new(age(0), age(25)), Ok(AgeRange::ALL));
        assert_eq!(AgeRange::new(age(6), age(5)), Err(AgeError::MinAboveMax));
        assert_eq!(AgeRange::from_years(25, 0), Err(AgeError::MinAboveMax));
        assert_eq!(AgeRange::from_years(0, 26), Err(AgeError::OutOfRange));
        assert_eq!(AgeRange::from_years(30, 40), Err(AgeError::OutOfRange));
        assert_eq!(AgeRange::single(age(4)), range(4, 4));
    }

    #[test]
    fn range_display_in_plain_english() {
        let cases = [
            ((0, 5), "0 to 5 years"),
            ((8, 12), "8 to 12 years"),
            ((18, 25), "18 to 25 years"),
            ((0, 25), "0 to 25 years"),
            ((5, 5), "5 years"),
            ((25, 25), "25 years"),
            ((1, 1), "1 year"),
            ((0, 0), "Under 1"),
            ((0, 1), "0 to 1 year"),
            ((0, 2), "0 to 2 years"),
        ];
        for ((min, max), expected) in cases {
            assert_eq!(range(min, max).to_string(), expected);
        }
    }

    #[test]
    fn contains_includes_both_ends() {
        let r = range(8, 12);
        for years in 0..=25 {
            assert_eq!(
                r.contains(age(years)),
                (8..=12).contains(&years),
                "age {years}"
            );
        }
        assert!(AgeRange::ALL.contains(age(0)));
        assert!(AgeRange::ALL.contains(age(25)));
        assert!(range(0, 0).contains(age(0)));
        assert!(!range(0, 0).contains(age(1)));
    }

    #[test]
    fn overlaps_is_symmetric_and_includes_touching_ranges() {
        let cases = [
            ((0, 5), (5, 8), true),
            ((0, 5), (6, 8), false),
            ((0, 25), (12, 12), true),
            ((8, 12), (0, 7), false),
            ((8, 12), (0, 8), true),
            ((8, 12), (12, 25), true),
            ((8, 12), (13, 25), false),
            ((8, 12), (9, 10), true),
            ((3, 3), (3, 3), true),
            ((3, 3), (4, 4), false),
        ];
        for ((a, b), (c, d), expected) in cases {
            let (x, y) = (range(a, b), range(c, d));
            assert_eq!(x.overlaps(&y), expected, "{x} and {y}");
            assert_eq!(y.overlaps(&x), expected, "{y} and {x}");
        }
        // Exhaustively: overlapping means sharing an age.
        for (a, b, c, d) in [(0u8, 3u8, 2u8, 9u8), (4, 4, 0, 3), (10, 20, 15, 16)] {
            let (x, y) = (range(a, b), range(c, d));
            let shares = (0..=25).any(|n| x.contains(age(n)) && y.contains(age(n)));
            assert_eq!(x.overlaps(&y), shares);
        }
    }

    #[test]
    fn serde_round_trip() {
        let r = range(0, 5);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"min":0,"max":5}"#);
        assert_eq!(serde_json::from_str::<AgeRange>(&json).unwrap(), r);
        assert_eq!(serde_json::to_string(&age(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<Age>("7").unwrap(), age(7));
    }

    #[test]
    fn serde_rejects_bad_data() {
        for bad in ["26", "-1", "300", "5.5", r#""5""#, "null"] {
            assert!(serde_json::from_str::<Age>(bad).is_err(), "{bad}");
        }
        let bad_ranges = [
            r#"{"min":6,"max":5}"#,
            r#"{"min":0,"max":26}"#,
            r#"{"min":-1,"max":5}"#,
            r#"{"min":0}"#,
            r#"{"max":5}"#,
            r#"{"min":0,"max":5,"extra":1}"#,
            r#""0 to 5""#,
        ];
        for bad in bad_ranges {
            assert!(serde_json::from_str::<AgeRange>(bad).is_err(), "{bad}");
        }
        let error = serde_json::from_str::<AgeRange>(r#"{"min":6,"max":5}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("The youngest age must be"), "{error}");
    }
}
