//! NHS numbers: ten digits, the last a check digit (modulus 11), shown as "485 777 3457".

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why some text is not an NHS number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum NhsNumberError {
    #[error("Enter an NHS number")]
    Empty,
    /// Not ten digits (spaces and hyphens aside).
    #[error("Enter an NHS number with 10 numbers, like 485 777 3457")]
    WrongLength,
    /// Ten digits whose check digit does not match: almost always a typing mistake.
    #[error("Enter your NHS number exactly as it is on your letters or in the NHS App")]
    CheckDigit,
}

/// A 10-digit NHS number whose check digit is right, in the NHS's 3-3-4 display form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

/// Longer input is refused without looking at it.
const INPUT_MAX_BYTES: usize = 40;

impl NhsNumber {
    /// Parses an NHS number written with or without spaces or hyphens.
    ///
    /// The check digit is the NHS's modulus 11 rule: the first nine digits weighted 10 down to 2,
    /// summed; 11 minus the remainder after dividing by 11 is the check digit (11 means 0; 10
    /// means the number is not valid).
    ///
    /// ```
    /// use app::domain::NhsNumber;
    /// assert_eq!(NhsNumber::parse("4857773457").unwrap().as_str(), "485 777 3457");
    /// assert!(NhsNumber::parse("485 777 3456").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<NhsNumber, NhsNumberError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(NhsNumberError::Empty);
        }
        if text.len() > INPUT_MAX_BYTES {
            return Err(NhsNumberError::WrongLength);
        }
        let mut digits = Vec::with_capacity(10);
        for c in text.chars() {
            match c {
                '0'..='9' => digits.push(c as u32 - '0' as u32),
                '-' => {}
                c if c.is_whitespace() => {}
                _ => return Err(NhsNumberError::WrongLength),
            }
        }
        if digits.len() != 10 {
            return Err(NhsNumberError::WrongLength);
        }
        let sum: u32 = digits[..9]
            .iter()
            .zip((2..=10).rev())
            .map(|(d, w)| d * w)
            .sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => return Err(NhsNumberError::CheckDigit),
            c => c,
        };
        if check != digits[9] {
            return Err(NhsNumberError::CheckDigit);
        }
        let all: String = digits
            .iter()
            .filter_map(|d| char::from_digit(*d, 10))
            .collect();
        Ok(NhsNumber(format!(
            "{} {} {}",
            &all[..3],
            &all[3..6],
            &all[6..]
        )))
    }

    /// "485 777 3457".
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

text_conversions!(NhsNumber, NhsNumberError, |v| v.0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_are_normalised_to_the_3_3_4_form() {
        // 943 476 5919 is the NHS's own published example number.
        for typed in [
            "9434765919",
            "943 476 5919",
            " 943-476-5919 ",
            "943 4765 919",
        ] {
            assert_eq!(NhsNumber::parse(typed).unwrap().as_str(), "943 476 5919");
        }
        assert_eq!(
            NhsNumber::parse("485 777 3457").unwrap().to_string(),
            "485 777 3457"
        );
        // A check digit of 0 (11 − remainder = 11).
        assert!(NhsNumber::parse("000 001 0030").is_ok());
    }

    #[test]
    fn wrong_numbers_say_what_is_wrong() {
        assert_eq!(NhsNumber::parse(""), Err(NhsNumberError::Empty));
        assert_eq!(
            NhsNumber::parse("943 476 591"),
            Err(NhsNumberError::WrongLength)
        );
        assert_eq!(
            NhsNumber::parse("943 476 59190"),
            Err(NhsNumberError::WrongLength)
        );
        assert_eq!(
            NhsNumber::parse("943A476591"),
            Err(NhsNumberError::WrongLength)
        );
        // One digit mistyped, or two swapped: the check digit catches it.
        assert_eq!(
            NhsNumber::parse("943 476 5918"),
            Err(NhsNumberError::CheckDigit)
        );
        assert_eq!(
            NhsNumber::parse("934 476 5919"),
            Err(NhsNumberError::CheckDigit)
        );
        // Remainder 1: check digit 10, never issued.
        assert_eq!(
            NhsNumber::parse("123 456 7890"),
            Err(NhsNumberError::CheckDigit)
        );
        assert_eq!(
            NhsNumber::parse(&"9".repeat(100)),
            Err(NhsNumberError::WrongLength)
        );
    }

    #[test]
    fn it_serialises_as_its_normal_form_and_refuses_bad_data() {
        let n: NhsNumber = serde_json::from_str("\"9434765919\"").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"943 476 5919\"");
        assert!(serde_json::from_str::<NhsNumber>("\"1234567890\"").is_err());
    }
}
