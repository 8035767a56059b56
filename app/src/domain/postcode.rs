//! UK postcodes ("BK1 4AB") and outward codes ("BK1").
//!
//! Input is forgiving about presentation and strict about content: case, spaces and punctuation
//! are ignored (people type "bk14ab", "BK1  4AB" or " bk1-4ab. "), but every letter and digit must
//! be ASCII and together they must have the shape of a UK postcode. Letters or digits from other
//! scripts (a Cyrillic "В" that looks like "B", full-width digits) are refused, never dropped, so
//! "BK1 4AB" followed by a lookalike letter cannot sneak through as "BK1 4AB".
//!
//! The shape is checked, not the existence: Brackenshire's `BK` area is fictional, and whether a
//! postcode is in use is a question for a postcode lookup, not for a parser.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why some text is not a postcode or an outward code. The messages are for the person who typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum PostcodeError {
    /// Nothing was entered (or only spaces).
    #[error("Enter a postcode")]
    Empty,
    /// Not the shape of a full UK postcode.
    #[error("Enter a real postcode, like BK1 4AB")]
    Invalid,
    /// Not the shape of the first part of a UK postcode.
    #[error("Enter the first part of a postcode, like BK1")]
    InvalidOutcode,
}

/// A UK postcode in its normal form: uppercase, the outward and inward codes separated by one
/// space ("BK1 4AB", "EC1A 1BB", "GIR 0AA").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

/// The outward code, the first part of a postcode ("BK1", "EC1A"): the postcode district.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Outcode(String);

/// The most letters and digits a full postcode has ("EC1A1BB").
const POSTCODE_MAX: usize = 7;
/// The most letters and digits an outward code has ("EC1A").
const OUTCODE_MAX: usize = 4;
/// Longer input is refused without looking at it: no postcode needs this much punctuation.
const INPUT_MAX_BYTES: usize = 64;

impl Postcode {
    /// Parses a postcode typed in any case, with or without spaces or punctuation.
    ///
    /// ```
    /// use app::domain::Postcode;
    /// assert_eq!(Postcode::parse(" bk1-4ab. ").unwrap().as_str(), "BK1 4AB");
    /// assert!(Postcode::parse("BK1 4CB").is_err()); // C never appears in the inward code
    /// ```
    pub fn parse(input: &str) -> Result<Postcode, PostcodeError> {
        let compact = compact(input, POSTCODE_MAX, PostcodeError::Invalid)?;
        if compact.len() < 5 {
            return Err(PostcodeError::Invalid);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let valid = (outward == "GIR" && inward == "0AA")
            || (is_outward(outward.as_bytes()) && is_inward(inward.as_bytes()));
        if valid {
            Ok(Postcode(format!("{outward} {inward}")))
        } else {
            Err(PostcodeError::Invalid)
        }
    }

    /// The normal form, "BK1 4AB".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code, before the space: "BK1".
    pub fn outward(&self) -> &str {
        // The normal form always ends with a space and the three-character inward code (ASCII).
        &self.0[..self.0.len() - 4]
    }

    /// The inward code, after the space: "4AB".
    pub fn inward(&self) -> &str {
        &self.0[self.0.len() - 3..]
    }

    /// The outward code as its own type, for searching by district.
    pub fn outcode(&self) -> Outcode {
        Outcode(self.outward().to_owned())
    }

    /// The postcode area, the leading letters: "BK" for "BK1 4AB".
    pub fn area(&self) -> &str {
        area(self.outward())
    }
}

impl Outcode {
    /// Parses an outward code ("bk1", "BK1", " ec1a ") in any case, ignoring spaces and
    /// punctuation. A full postcode is refused: use [`Postcode::parse`] and
    /// [`Postcode::outcode`] for that.
    pub fn parse(input: &str) -> Result<Outcode, PostcodeError> {
        let compact = compact(input, OUTCODE_MAX, PostcodeError::InvalidOutcode)?;
        if compact == "GIR" || is_outward(compact.as_bytes()) {
            Ok(Outcode(compact))
        } else {
            Err(PostcodeError::InvalidOutcode)
        }
    }

    /// The normal form, "BK1".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The postcode area, the leading letters: "BK" for "BK1".
    pub fn area(&self) -> &str {
        area(&self.0)
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Outcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Postcode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Outcode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

text_conversions!(Postcode, PostcodeError, |v| v.0);
text_conversions!(Outcode, PostcodeError, |v| v.0);

/// The letters and digits of `input`, uppercased, with everything else dropped. Refuses blank
/// input (`Empty`), letters or digits outside ASCII, more than `max` letters and digits, and
/// overlong input (`invalid`).
fn compact(input: &str, max: usize, invalid: PostcodeError) -> Result<String, PostcodeError> {
    if input.trim().is_empty() {
        return Err(PostcodeError::Empty);
    }
    if input.len() > INPUT_MAX_BYTES {
        return Err(invalid);
    }
    let mut out = String::with_capacity(max);
    for c in input.chars().filter(|c| c.is_alphanumeric()) {
        if !c.is_ascii() || out.len() == max {
            return Err(invalid);
        }
        out.push(c.to_ascii_uppercase());
    }
    if out.is_empty() {
        return Err(invalid);
    }
    Ok(out)
}

fn letter(c: &u8) -> bool {
    c.is_ascii_uppercase()
}

fn digit(c: &u8) -> bool {
    c.is_ascii_digit()
}

/// A9, A99, A9A, AA9, AA99 or AA9A.
fn is_outward(s: &[u8]) -> bool {
    match s {
        [a, b] => letter(a) && digit(b),
        [a, b, c] => {
            letter(a) && ((digit(b) && (digit(c) || letter(c))) || (letter(b) && digit(c)))
        }
        [a, b, c, d] => letter(a) && letter(b) && digit(c) && (digit(d) || letter(d)),
        _ => false,
    }
}

/// 9AA, where neither letter is one of C, I, K, M, O or V.
fn is_inward(s: &[u8]) -> bool {
    let inward_letter = |c: &u8| letter(c) && !b"CIKMOV".contains(c);
    matches!(s, [d, x, y] if digit(d) && inward_letter(x) && inward_letter(y))
}

fn area(outward: &str) -> &str {
    let letters = outward.bytes().take_while(u8::is_ascii_alphabetic).count();
    &outward[..letters]
}

/// Great-circle distance in metres.
pub fn distance_metres(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_000.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises_valid_postcodes() {
        let cases = [
            ("BK1 4AB", "BK1 4AB"),
            ("bk1 4ab", "BK1 4AB"),
            ("BK14AB", "BK1 4AB"),
            (" bk1-4ab. ", "BK1 4AB"),
            ("BK1   4AB", "BK1 4AB"),
            ("\tBK1\n4AB\r\n", "BK1 4AB"),
            ("B K 1 4 A B", "BK1 4AB"),
            ("bk1\u{a0}4ab", "BK1 4AB"), // a non-breaking space, pasted from a web page
            ("BK1\u{2013}4AB", "BK1 4AB"), // an en dash
            ("(BK1 4AB)", "BK1 4AB"),
            ("BK99 9ZZ", "BK99 9ZZ"),
            ("bk2 7xy", "BK2 7XY"),
            ("M1 1AE", "M1 1AE"),     // A9
            ("B33 8TH", "B33 8TH"),   // A99
            ("W1A 0AX", "W1A 0AX"),   // A9A
            ("CR2 6XH", "CR2 6XH"),   // AA9
            ("DN55 1PT", "DN55 1PT"), // AA99
            ("EC1A 1BB", "EC1A 1BB"), // AA9A
            ("sw1a2aa", "SW1A 2AA"),
            ("GIR 0AA", "GIR 0AA"),
            ("gir0aa", "GIR 0AA"),
            ("BK1 4AB\u{0}", "BK1 4AB"), // control characters are not letters or digits
            ("BK1 4AB'; --", "BK1 4AB"), // punctuation only: what is kept is clean
        ];
        for (input, expected) in cases {
            let postcode = Postcode::parse(input)
                .unwrap_or_else(|e| panic!("{input:?} should parse, got {e}"));
            assert_eq!(postcode.as_str(), expected, "input {input:?}");
            assert_eq!(postcode.to_string(), expected);
        }
    }

    #[test]
    fn refuses_invalid_postcodes() {
        let long = "A".repeat(10_000);
        let long_spaces = format!("{}BK1 4AB", " ".repeat(100));
        let cases: &[(&str, PostcodeError)] = &[
            ("", PostcodeError::Empty),
            ("   ", PostcodeError::Empty),
            ("\t\n", PostcodeError::Empty),
            ("---", PostcodeError::Invalid),
            ("BK1", PostcodeError::Invalid),
            ("BK1 4A", PostcodeError::Invalid),
            ("BK1 4", PostcodeError::Invalid),
            ("1K1 4AB", PostcodeError::Invalid), // outward must start with a letter
            ("BKK 4AB", PostcodeError::Invalid), // AAA is not an outward shape
            ("BK1AA 4AB", PostcodeError::Invalid), // too long
            ("BK123 4AB", PostcodeError::Invalid),
            ("B1KK 4AB", PostcodeError::Invalid), // A9AA is not an outward shape
            ("BK1 AAB", PostcodeError::Invalid),  // inward must start with a digit
            ("BK1 44B", PostcodeError::Invalid),
            ("BK1 4A4", PostcodeError::Invalid),
            ("BK1 4CB", PostcodeError::Invalid), // C, I, K, M, O, V are never in the inward code
            ("BK1 4AI", PostcodeError::Invalid),
            ("BK1 4KA", PostcodeError::Invalid),
            ("BK1 4AM", PostcodeError::Invalid),
            ("BK1 4OA", PostcodeError::Invalid),
            ("BK1 4AV", PostcodeError::Invalid),
            ("GIR 0AB", PostcodeError::Invalid),
            ("BK1 4AB; DROP TABLE", PostcodeError::Invalid),
            ("<script>BK1 4AB", PostcodeError::Invalid),
            ("\u{412}\u{41a}1 4\u{410}\u{412}", PostcodeError::Invalid), // Cyrillic lookalikes: ВК1 4АВ
            ("BK1 4A\u{412}", PostcodeError::Invalid), // one Cyrillic В at the end
            (
                "\u{ff22}\u{ff2b}\u{ff11} \u{ff14}\u{ff21}\u{ff22}",
                PostcodeError::Invalid,
            ), // full width
            ("BK\u{661} 4AB", PostcodeError::Invalid), // an Arabic-Indic digit one
            ("BK1 4ÄB", PostcodeError::Invalid),
            ("BK1 4AB BK1 4AB", PostcodeError::Invalid),
            ("SW1A 1AA 1", PostcodeError::Invalid),
            (long.as_str(), PostcodeError::Invalid),
            (long_spaces.as_str(), PostcodeError::Invalid),
        ];
        for &(input, expected) in cases {
            assert_eq!(Postcode::parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn a9a_outward_codes_parse() {
        // "B1K4AB": outward B1K (A9A), inward 4AB.
        assert_eq!(
            Postcode::parse("B1K4AB").map(|p| p.outward().to_owned()),
            Ok("B1K".into())
        );
    }

    #[test]
    fn parts_of_a_postcode() {
        let cases = [
            ("BK1 4AB", "BK1", "4AB", "BK"),
            ("EC1A 1BB", "EC1A", "1BB", "EC"),
            ("M1 1AE", "M1", "1AE", "M"),
            ("W1A 0AX", "W1A", "0AX", "W"),
            ("GIR 0AA", "GIR", "0AA", "GIR"),
        ];
        for (input, outward, inward, area) in cases {
            let postcode = Postcode::parse(input).unwrap();
            assert_eq!(postcode.outward(), outward);
            assert_eq!(postcode.inward(), inward);
            assert_eq!(postcode.area(), area);
            assert_eq!(postcode.outcode().as_str(), outward);
            assert_eq!(Outcode::parse(outward), Ok(postcode.outcode()));
        }
    }

    #[test]
    fn parses_outcodes() {
        let cases = [
            ("bk1", "BK1"),
            ("BK1", "BK1"),
            (" BK 1 ", "BK1"),
            ("bk-1.", "BK1"),
            ("BK99", "BK99"),
            ("ec1a", "EC1A"),
            ("M1", "M1"),
            ("W1A", "W1A"),
            ("B33", "B33"),
            ("gir", "GIR"),
        ];
        for (input, expected) in cases {
            let outcode = Outcode::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(outcode.as_str(), expected);
            assert_eq!(outcode.to_string(), expected);
        }
        assert_eq!(Outcode::parse("BK1").unwrap().area(), "BK");
    }

    #[test]
    fn refuses_invalid_outcodes() {
        let cases = [
            ("", PostcodeError::Empty),
            (" ", PostcodeError::Empty),
            ("BK", PostcodeError::InvalidOutcode),
            ("1", PostcodeError::InvalidOutcode),
            ("B", PostcodeError::InvalidOutcode),
            ("BKK", PostcodeError::InvalidOutcode),
            ("BK1 4AB", PostcodeError::InvalidOutcode), // a full postcode is not an outcode
            ("BK1A1", PostcodeError::InvalidOutcode),
            ("B1BB", PostcodeError::InvalidOutcode),
            ("BK1; DROP TABLE", PostcodeError::InvalidOutcode),
            ("\u{412}\u{41a}1", PostcodeError::InvalidOutcode),
            ("!!", PostcodeError::InvalidOutcode),
        ];
        for (input, expected) in cases {
            assert_eq!(Outcode::parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn error_messages_are_for_people() {
        assert_eq!(PostcodeError::Empty.to_string(), "Enter a postcode");
        assert_eq!(
            PostcodeError::Invalid.to_string(),
            "Enter a real postcode, like BK1 4AB"
        );
        assert_eq!(
            PostcodeError::InvalidOutcode.to_string(),
            "Enter the first part of a postcode, like BK1"
        );
    }

    #[test]
    fn conversions() {
        let postcode: Postcode = "bk14ab".parse().unwrap();
        assert_eq!(postcode, Postcode::try_from("BK1 4AB").unwrap());
        assert_eq!(
            postcode,
            Postcode::try_from(String::from("BK1-4AB")).unwrap()
        );
        assert_eq!(String::from(postcode.clone()), "BK1 4AB");
        assert_eq!(postcode.as_ref(), "BK1 4AB");
        assert!("nope".parse::<Postcode>().is_err());
        let outcode: Outcode = "bk1".parse().unwrap();
        assert_eq!(String::from(outcode), "BK1");
    }

    #[test]
    fn parsing_the_normal_form_gives_the_same_postcode() {
        for input in ["bk1 4ab", "EC1A1BB", "gir 0aa", "m11ae"] {
            let once = Postcode::parse(input).unwrap();
            assert_eq!(Postcode::parse(once.as_str()), Ok(once.clone()));
        }
    }

    #[test]
    fn serde_round_trip_and_rejection() {
        let postcode = Postcode::parse("bk1 4ab").unwrap();
        let json = serde_json::to_string(&postcode).unwrap();
        assert_eq!(json, r#""BK1 4AB""#);
        assert_eq!(serde_json::from_str::<Postcode>(&json).unwrap(), postcode);
        // Deserialising normalises, like parse.
        assert_eq!(
            serde_json::from_str::<Postcode>(r#""bk14ab""#).unwrap(),
            postcode
        );
        for bad in [
            r#""BK1 4CB""#,
            r#""""#,
            r#""BK1 4AB; DROP TABLE""#,
            "14",
            "null",
            "[]",
        ] {
            assert!(serde_json::from_str::<Postcode>(bad).is_err(), "{bad}");
        }
        let error = serde_json::from_str::<Postcode>(r#""nope""#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("Enter a real postcode"), "{error}");

        let outcode = Outcode::parse("bk1").unwrap();
        assert_eq!(serde_json::to_string(&outcode).unwrap(), r#""BK1""#);
        assert_eq!(
            serde_json::from_str::<Outcode>(r#""bk 1""#).unwrap(),
            outcode
        );
        assert!(serde_json::from_str::<Outcode>(r#""BK1 4AB""#).is_err());
    }

    #[test]
    fn postcodes_sort_by_normal_form() {
        let mut list: Vec<Postcode> = ["bk2 1aa", "BK1 4AB", "bk1 1aa"]
            .iter()
            .map(|s| Postcode::parse(s).unwrap())
            .collect();
        list.sort();
        let sorted: Vec<&str> = list.iter().map(Postcode::as_str).collect();
        assert_eq!(sorted, ["BK1 1AA", "BK1 4AB", "BK2 1AA"]);
    }
}
