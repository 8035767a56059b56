//! Ways to contact a service: UK telephone numbers, email addresses and web addresses.
//!
//! Each is normalised to one form, so the same number or address always looks the same on a page
//! and compares equal in the database: telephone numbers in national form with GOV.UK spacing
//! ("01632 960 000"), email addresses with a lowercase domain, web addresses as the URL standard
//! writes them.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::{Host, Url};
use validator::ValidateEmail;

// ---------------------------------------------------------------------------------------------
// PhoneNumber
// ---------------------------------------------------------------------------------------------

/// Why some text is not a UK telephone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum PhoneNumberError {
    /// Nothing was entered.
    #[error("Enter a telephone number")]
    Empty,
    /// Not a telephone number: letters, too few or too many digits, an unused range.
    #[error("Enter a telephone number, like 01632 960 001")]
    Invalid,
    /// An international number for another country.
    #[error("Enter a UK telephone number, like 01632 960 001")]
    NotUk,
}

/// A UK telephone number in national form with readable spacing: "01632 960 000",
/// "020 7946 0000", "0113 496 0000", "07700 900 000", "0800 111 1111".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// Longer input is refused without looking at it.
const PHONE_INPUT_MAX_BYTES: usize = 40;

impl PhoneNumber {
    /// Parses a UK number written in any of the usual ways: with spaces, hyphens, dots or
    /// brackets, in national form ("01632 960000") or international form ("+44 1632 960000",
    /// "0044 1632 960000", "+44 (0)1632 960000").
    ///
    /// After normalising to national form it must be 10 or 11 digits starting with 0 and then
    /// 1, 2, 3, 5, 7, 8 or 9 (04 and 06 are not used); numbers starting 02, 03 and 07 are always
    /// 11 digits. Extensions, letters and short numbers (999, 0800 1111) are refused.
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneNumberError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(PhoneNumberError::Empty);
        }
        if text.len() > PHONE_INPUT_MAX_BYTES {
            return Err(PhoneNumberError::Invalid);
        }
        let (plus, rest) = match text.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '-' | '(' | ')' | '.' => {}
                c if c.is_whitespace() => {}
                _ => return Err(PhoneNumberError::Invalid),
            }
        }
        let national = if plus || digits.starts_with("00") {
            let international = if plus { &digits[..] } else { &digits[2..] };
            let Some(subscriber) = international.strip_prefix("44") else {
                return Err(PhoneNumberError::NotUk);
            };
            // "+44 (0)1632 …": the bracketed trunk 0 is written but not dialled.
            let subscriber = subscriber.strip_prefix('0').unwrap_or(subscriber);
            format!("0{subscriber}")
        } else {
            digits
        };
        if !is_uk_national(&national) {
            return Err(PhoneNumberError::Invalid);
        }
        Ok(PhoneNumber(spaced(&national)))
    }

    /// The display form, "01632 960 000".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national digits with no spaces: "01632960000".
    pub fn digits(&self) -> String {
        self.0.chars().filter(char::is_ascii_digit).collect()
    }

    /// The international E.164 form: "+441632960000".
    pub fn e164(&self) -> String {
        let digits = self.digits();
        format!("+44{}", &digits[1..])
    }

    /// A `tel:` link target: "tel:+441632960000".
    pub fn tel_uri(&self) -> String {
        format!("tel:{}", self.e164())
    }
}

/// 10 or 11 ASCII digits, a leading 0, a used first digit, and 11 digits for 02, 03 and 07.
fn is_uk_national(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    if !(10..=11).contains(&bytes.len()) || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    match (bytes[0], bytes[1]) {
        (b'0', b'2' | b'3' | b'7') => bytes.len() == 11,
        (b'0', b'1' | b'5' | b'8' | b'9') => true,
        _ => false,
    }
}

/// Groups of digits in GOV.UK style. `digits` has passed [`is_uk_national`].
fn spaced(digits: &str) -> String {
    let b = digits.as_bytes();
    let groups: &[usize] = match (b[1], b.len()) {
        (b'2', _) => &[3, 4, 4],                                  // 020 7946 0000
        (b'1', 11) if b[2] == b'1' || b[3] == b'1' => &[4, 3, 4], // 0113 496 0000, 0121 496 0000
        (b'1', 11) | (b'7', _) => &[5, 3, 3],                     // 01632 960 000, 07700 900 000
        (b'1', _) => &[5, 5],                                     // 01xxx xxxxx
        (_, 11) => &[4, 3, 4],                                    // 0300 123 4567, 0800 111 1111
        _ => &[4, 3, 3],                                          // 0800 111 111
    };
    let mut out = String::with_capacity(14);
    let mut start = 0;
    for &len in groups {
        if start > 0 {
            out.push(' ');
        }
        out.push_str(&digits[start..start + len]);
        start += len;
    }
    out
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

text_conversions!(PhoneNumber, PhoneNumberError, |v| v.0);

// ---------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------

/// Why some text is not an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("Enter an email address")]
    Empty,
    /// Not an email address.
    #[error("Enter an email address in the correct format, like name@example.com")]
    Invalid,
    /// Longer than 254 characters, the most an address can have.
    #[error("Enter an email address that is 254 characters or fewer")]
    TooLong,
}

/// An email address, trimmed, with its domain in lowercase: "Family.Hub@example.org".
///
/// Checked with the `validator` crate (the HTML standard's rule for `<input type=email>`), and
/// more strictly: ASCII only (so a lookalike letter from another script cannot pass for a
/// council's domain), a domain with at least one dot and a top-level label that is not all
/// digits, and no dot at the start or end of the part before the `@` or two dots in a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// The longest address, in characters (RFC 5321's path limit less the angle brackets).
    pub const MAX_CHARS: usize = 254;

    /// Parses an email address, trimming spaces and lowercasing the domain.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        if !text.is_ascii() {
            return Err(EmailError::Invalid);
        }
        let (local, domain) = text.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let domain = domain.to_ascii_lowercase();
        let local_ok = !local.starts_with('.') && !local.ends_with('.') && !local.contains("..");
        let address = format!("{local}@{domain}");
        if local_ok && is_public_domain(&domain) && address.validate_email() {
            Ok(Email(address))
        } else {
            Err(EmailError::Invalid)
        }
    }

    /// The address, "name@example.com".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The part after the `@`, lowercase.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// A `mailto:` link target, with the few characters that have a meaning in a URI escaped.
    pub fn mailto_uri(&self) -> String {
        let mut uri = String::from("mailto:");
        for byte in self.0.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~!$'()*+,;:@".contains(&byte) {
                uri.push(char::from(byte));
            } else {
                uri.push_str(&format!("%{byte:02X}"));
            }
        }
        uri
    }
}

/// A host name of dot-separated labels of letters, digits and hyphens (not at either end of a
/// label), at least two labels, the last not all digits.
fn is_public_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| tld.bytes().any(|b| b.is_ascii_alphabetic()))
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

text_conversions!(Email, EmailError, |v| v.0);

// ---------------------------------------------------------------------------------------------
// WebUrl
// ---------------------------------------------------------------------------------------------

/// Why some text is not a web address we will link to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum WebUrlError {
    /// Nothing was entered.
    #[error("Enter a web address")]
    Empty,
    /// It does not start with `http://` or `https://` (including "www.example.com", `mailto:`
    /// and `javascript:`).
    #[error("Enter a web address starting with https://")]
    Scheme,
    /// It starts right but is not a public web address: no real host name, a user name or
    /// password in it, an IP address or a one-word host like "localhost".
    #[error("Enter a web address in the correct format, like https://www.example.com")]
    Invalid,
    /// Longer than 2,000 characters.
    #[error("Enter a web address that is 2,000 characters or fewer")]
    TooLong,
}

/// A public `http` or `https` web address with a host name, at most 2,000 characters, in the
/// URL standard's normal form ("https://www.example.com/" — note the slash an empty path gets;
/// host lowercase, international host names in their `xn--` form so lookalikes are visible).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(Url);

impl WebUrl {
    /// The longest address, in characters.
    pub const MAX_CHARS: usize = 2000;

    /// Parses a web address. It must start with `http://` or `https://` (in any case): nothing is
    /// guessed, so "www.example.com" is refused with a message saying what to add.
    pub fn parse(input: &str) -> Result<WebUrl, WebUrlError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(WebUrlError::Empty);
        }
        if text.len() > Self::MAX_CHARS {
            return Err(WebUrlError::TooLong);
        }
        let scheme_ok = |prefix: &str| {
            text.get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        };
        if !scheme_ok("http://") && !scheme_ok("https://") {
            return Err(WebUrlError::Scheme);
        }
        let url = Url::parse(text).map_err(|_| WebUrlError::Invalid)?;
        let public_host = match url.host() {
            Some(Host::Domain(domain)) => {
                let domain = domain.trim_end_matches('.');
                domain.contains('.') && !domain.starts_with('.')
            }
            _ => false,
        };
        if !matches!(url.scheme(), "http" | "https")
            || !public_host
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(WebUrlError::Invalid);
        }
        if url.as_str().len() > Self::MAX_CHARS {
            return Err(WebUrlError::TooLong);
        }
        Ok(WebUrl(url))
    }

    /// The address, "https://www.example.com/".
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The host name, "www.example.com".
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// Whether it is `https`.
    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for WebUrl {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<WebUrl> for Url {
    fn from(url: WebUrl) -> Url {
        url.0
    }
}

text_conversions!(WebUrl, WebUrlError, |v| v.0.into());

#[cfg(test)]
mod tests {
    use super::*;

    // --- PhoneNumber ---------------------------------------------------------------------------

    #[test]
    fn phone_numbers_normalise_to_national_form_with_spacing() {
        let cases = [
            ("01632 960000", "01632 960 000"),
            ("01632960000", "01632 960 000"),
            ("01632 960 001", "01632 960 001"),
            ("(01632) 960000", "01632 960 000"),
            ("01632-960-000", "01632 960 000"),
            ("01632.960.000", "01632 960 000"),
            (" 01632\u{a0}960000 ", "01632 960 000"),
            ("+44 1632 960000", "01632 960 000"),
            ("+441632960000", "01632 960 000"),
            ("0044 1632 960000", "01632 960 000"),
            ("+44 (0)1632 960000", "01632 960 000"),
            ("+44(0)1632-960-000", "01632 960 000"),
            ("0044 (0)1632 960000", "01632 960 000"),
            ("020 7946 0000", "020 7946 0000"),
            ("02079460999", "020 7946 0999"),
            ("+44 20 7946 0000", "020 7946 0000"),
            ("028 9018 0000", "028 9018 0000"),
            ("0113 496 0000", "0113 496 0000"),
            ("01134960000", "0113 496 0000"),
            ("0121 496 0000", "0121 496 0000"),
            ("0131 496 0000", "0131 496 0000"),
            ("07700 900000", "07700 900 000"),
            ("07700900999", "07700 900 999"),
            ("+44 7700 900000", "07700 900 000"),
            ("0300 123 4567", "0300 123 4567"),
            ("03069 990000", "0306 999 0000"),
            ("0800 111 1111", "0800 111 1111"),
            ("08081570000", "0808 157 0000"),
            ("0800 111 111", "0800 111 111"),
            ("0909 879 0000", "0909 879 0000"),
            ("01632 96000", "01632 96000"),
            ("0500 123456", "0500 123 456"),
        ];
        for (input, expected) in cases {
            let number = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(number.as_str(), expected, "{input:?}");
            assert_eq!(number.to_string(), expected);
            assert_eq!(
                PhoneNumber::parse(number.as_str()),
                Ok(number.clone()),
                "idempotent"
            );
        }
    }

    #[test]
    fn phone_number_links() {
        let number = PhoneNumber::parse("+44 (0)1632 960000").unwrap();
        assert_eq!(number.digits(), "01632960000");
        assert_eq!(number.e164(), "+441632960000");
        assert_eq!(number.tel_uri(), "tel:+441632960000");
        let london = PhoneNumber::parse("020 7946 0000").unwrap();
        assert_eq!(london.tel_uri(), "tel:+442079460000");
    }

    #[test]
    fn phone_numbers_refused() {
        let long = "0".repeat(10_000);
        let cases: &[(&str, PhoneNumberError)] = &[
            ("", PhoneNumberError::Empty),
            ("   ", PhoneNumberError::Empty),
            ("999", PhoneNumberError::Invalid),
            ("0800 1111", PhoneNumberError::Invalid), // Childline's short number
            ("111", PhoneNumberError::Invalid),
            ("01632 9600", PhoneNumberError::Invalid),
            ("01632 960000 0", PhoneNumberError::Invalid), // 12 digits
            ("1632 960000", PhoneNumberError::Invalid),    // no leading 0
            ("020 7946 000", PhoneNumberError::Invalid),   // 02 numbers have 11 digits
            ("07700 90000", PhoneNumberError::Invalid),    // so do mobiles
            ("0300 123 456", PhoneNumberError::Invalid),
            ("04000 000000", PhoneNumberError::Invalid), // unused ranges
            ("06000 000000", PhoneNumberError::Invalid),
            ("01632 960000 ext 12", PhoneNumberError::Invalid),
            ("01632 960000 x12", PhoneNumberError::Invalid),
            ("01632 96OOOO", PhoneNumberError::Invalid), // letter O for zero
            ("0800-FLOWERS", PhoneNumberError::Invalid),
            ("01632 960000; DROP TABLE", PhoneNumberError::Invalid),
            ("01632 960000 or 01632 960001", PhoneNumberError::Invalid),
            ("+44 1632 960000 +44", PhoneNumberError::Invalid),
            ("++44 1632 960000", PhoneNumberError::Invalid),
            ("\u{ff10}1632 960000", PhoneNumberError::Invalid), // full-width 0
            ("\u{660}1632 960000", PhoneNumberError::Invalid),  // Arabic-Indic 0
            ("01632/960000", PhoneNumberError::Invalid),
            ("+44", PhoneNumberError::Invalid),
            ("+44 0", PhoneNumberError::Invalid),
            ("+44 (0)20 7946 000", PhoneNumberError::Invalid),
            ("+1 555 123 4567", PhoneNumberError::NotUk),
            ("+353 1 234 5678", PhoneNumberError::NotUk),
            ("001 555 123 4567", PhoneNumberError::NotUk),
            ("00 1632 960000", PhoneNumberError::NotUk),
            (long.as_str(), PhoneNumberError::Invalid),
        ];
        for &(input, expected) in cases {
            assert_eq!(PhoneNumber::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn phone_error_messages() {
        assert_eq!(
            PhoneNumberError::Invalid.to_string(),
            "Enter a telephone number, like 01632 960 001"
        );
        assert_eq!(
            PhoneNumberError::Empty.to_string(),
            "Enter a telephone number"
        );
        assert_eq!(
            PhoneNumberError::NotUk.to_string(),
            "Enter a UK telephone number, like 01632 960 001"
        );
    }

    #[test]
    fn phone_serde() {
        let number = PhoneNumber::parse("01632960000").unwrap();
        let json = serde_json::to_string(&number).unwrap();
        assert_eq!(json, r#""01632 960 000""#);
        assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), number);
        assert_eq!(
            serde_json::from_str::<PhoneNumber>(r#""+44 1632 960000""#).unwrap(),
            number
        );
        for bad in [
            r#""999""#,
            r#""""#,
            r#""+1 555 123 4567""#,
            "1632960000",
            "null",
        ] {
            assert!(serde_json::from_str::<PhoneNumber>(bad).is_err(), "{bad}");
        }
    }

    // --- Email ---------------------------------------------------------------------------------

    #[test]
    fn emails_accepted_and_normalised() {
        let cases = [
            ("name@example.com", "name@example.com"),
            ("  name@example.com\n", "name@example.com"),
            ("Name@Example.COM", "Name@example.com"), // the local part keeps its case
            (
                "family.hub@brackenshire.example",
                "family.hub@brackenshire.example",
            ),
            (
                "first.last+signpost@example.org.uk",
                "first.last+signpost@example.org.uk",
            ),
            ("o'brien@example.co.uk", "o'brien@example.co.uk"),
            ("a@b-c.example", "a@b-c.example"),
        ];
        for (input, expected) in cases {
            let email = Email::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(email.as_str(), expected);
            assert_eq!(email.to_string(), expected);
            assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        }
        let email = Email::parse("Family.Hub@Brackenshire.EXAMPLE").unwrap();
        assert_eq!(email.local_part(), "Family.Hub");
        assert_eq!(email.domain(), "brackenshire.example");
        assert_eq!(email.mailto_uri(), "mailto:Family.Hub@brackenshire.example");
        let odd = Email::parse("a#b?c%d&e/f=g@example.com").unwrap();
        assert_eq!(
            odd.mailto_uri(),
            "mailto:a%23b%3Fc%25d%26e%2Ff%3Dg@example.com"
        );
    }

    #[test]
    fn emails_refused() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let too_long = format!("{}@{}.com", "a".repeat(60), "b".repeat(200));
        let huge = "a".repeat(100_000);
        let cases: &[(&str, EmailError)] = &[
            ("", EmailError::Empty),
            ("  ", EmailError::Empty),
            ("name", EmailError::Invalid),
            ("name@", EmailError::Invalid),
            ("@example.com", EmailError::Invalid),
            ("name@example", EmailError::Invalid), // no dot in the domain
            ("name@localhost", EmailError::Invalid),
            ("name@example.123", EmailError::Invalid),
            ("name@127.0.0.1", EmailError::Invalid),
            ("name@[127.0.0.1]", EmailError::Invalid),
            ("name@-example.com", EmailError::Invalid),
            ("name@example-.com", EmailError::Invalid),
            ("name@example..com", EmailError::Invalid),
            ("name@.example.com", EmailError::Invalid),
            ("name@example.com.", EmailError::Invalid),
            ("name@@example.com", EmailError::Invalid),
            ("na me@example.com", EmailError::Invalid),
            ("name@exa mple.com", EmailError::Invalid),
            (".name@example.com", EmailError::Invalid),
            ("name.@example.com", EmailError::Invalid),
            ("na..me@example.com", EmailError::Invalid),
            ("\"name\"@example.com", EmailError::Invalid),
            ("Name <name@example.com>", EmailError::Invalid),
            ("mailto:name@example.com", EmailError::Invalid),
            ("name@example.com, other@example.com", EmailError::Invalid),
            ("name@example.com; DROP TABLE", EmailError::Invalid),
            ("name@exa_mple.com", EmailError::Invalid),
            ("name@ex\u{430}mple.com", EmailError::Invalid), // Cyrillic а
            ("n\u{430}me@example.com", EmailError::Invalid),
            ("name@example.com\u{0}", EmailError::Invalid),
            ("name\u{ff20}example.com", EmailError::Invalid), // full-width @
            (long_local.as_str(), EmailError::Invalid),
            (too_long.as_str(), EmailError::TooLong),
            (huge.as_str(), EmailError::TooLong),
        ];
        for &(input, expected) in cases {
            assert_eq!(Email::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn email_length_limit_is_254() {
        // 64 + 1 + 189 = 254 characters, every label at most 63.
        let domain = format!(
            "{}.{}.{}.com",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(57)
        );
        let at_limit = format!("{}@{domain}", "a".repeat(64));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        let over = format!("{}@e{domain}", "a".repeat(64));
        assert_eq!(Email::parse(&over), Err(EmailError::TooLong));
    }

    #[test]
    fn email_error_messages() {
        assert_eq!(
            EmailError::Invalid.to_string(),
            "Enter an email address in the correct format, like name@example.com"
        );
        assert_eq!(EmailError::Empty.to_string(), "Enter an email address");
    }

    #[test]
    fn email_serde() {
        let email = Email::parse("Name@EXAMPLE.com").unwrap();
        let json = serde_json::to_string(&email).unwrap();
        assert_eq!(json, r#""Name@example.com""#);
        assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), email);
        for bad in [r#""name""#, r#""""#, r#""name@example""#, "42"] {
            assert!(serde_json::from_str::<Email>(bad).is_err(), "{bad}");
        }
    }

    // --- WebUrl --------------------------------------------------------------------------------

    #[test]
    fn web_addresses_accepted_and_normalised() {
        let cases = [
            ("https://www.example.com", "https://www.example.com/"),
            ("https://www.example.com/", "https://www.example.com/"),
            (
                "  https://example.org/family-hubs?area=bk1#times  ",
                "https://example.org/family-hubs?area=bk1#times",
            ),
            (
                "HTTPS://WWW.EXAMPLE.COM/Path",
                "https://www.example.com/Path",
            ),
            ("http://example.com", "http://example.com/"),
            ("https://example.com:8443/x", "https://example.com:8443/x"),
            ("https://example.com:443/x", "https://example.com/x"),
            ("https://example.com/a b", "https://example.com/a%20b"),
            (
                "https://brackenshire.example/services/youth-club",
                "https://brackenshire.example/services/youth-club",
            ),
            (
                "https://\u{e9}cole.example/",
                "https://xn--cole-9oa.example/",
            ),
            ("https://ex\u{430}mple.com/", "https://xn--exmple-4nf.com/"), // a lookalike is shown as such
        ];
        for (input, expected) in cases {
            let url = WebUrl::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(url.as_str(), expected);
            assert_eq!(url.to_string(), expected);
            assert_eq!(WebUrl::parse(url.as_str()), Ok(url.clone()));
        }
        let url = WebUrl::parse("https://www.example.com/x").unwrap();
        assert_eq!(url.host(), "www.example.com");
        assert!(url.is_https());
        assert!(!WebUrl::parse("http://example.com").unwrap().is_https());
        assert_eq!(url.as_url().path(), "/x");
    }

    #[test]
    fn web_addresses_refused() {
        let long = format!("https://example.com/{}", "a".repeat(2000));
        let expands = format!("https://example.com/{}x", " ".repeat(1000)); // each space becomes %20
        let cases: &[(&str, WebUrlError)] = &[
            ("", WebUrlError::Empty),
            ("   ", WebUrlError::Empty),
            ("www.example.com", WebUrlError::Scheme),
            ("example.com", WebUrlError::Scheme),
            ("//example.com", WebUrlError::Scheme),
            ("https:example.com", WebUrlError::Scheme),
            ("https:/example.com", WebUrlError::Scheme),
            ("ftp://example.com", WebUrlError::Scheme),
            ("javascript:alert(1)", WebUrlError::Scheme),
            ("JaVaScRiPt:alert(1)", WebUrlError::Scheme),
            (
                "data:text/html,<script>alert(1)</script>",
                WebUrlError::Scheme,
            ),
            ("mailto:name@example.com", WebUrlError::Scheme),
            ("file:///etc/passwd", WebUrlError::Scheme),
            (" \u{200b}https://example.com", WebUrlError::Scheme), // zero-width space first
            ("https://", WebUrlError::Invalid),
            ("https:// ", WebUrlError::Invalid),
            ("https://exa mple.com", WebUrlError::Invalid),
            ("http://localhost", WebUrlError::Invalid),
            ("http://localhost:3000/", WebUrlError::Invalid),
            ("https://intranet/", WebUrlError::Invalid),
            ("https://192.168.0.1/", WebUrlError::Invalid),
            ("https://127.0.0.1/", WebUrlError::Invalid),
            ("https://[::1]/", WebUrlError::Invalid),
            ("https://999.999.999.999/", WebUrlError::Invalid),
            (
                "https://www.brackenshire.gov.uk@evil.example/",
                WebUrlError::Invalid,
            ),
            ("https://user:password@example.com/", WebUrlError::Invalid),
            ("https://example.com:99999/", WebUrlError::Invalid),
            ("https://.example.com/", WebUrlError::Invalid),
            ("https://exa<mple.com", WebUrlError::Invalid),
            (long.as_str(), WebUrlError::TooLong),
            (expands.as_str(), WebUrlError::TooLong),
        ];
        for &(input, expected) in cases {
            assert_eq!(WebUrl::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn web_address_error_messages() {
        assert_eq!(
            WebUrlError::Scheme.to_string(),
            "Enter a web address starting with https://"
        );
        assert_eq!(WebUrlError::Empty.to_string(), "Enter a web address");
    }

    #[test]
    fn web_address_serde() {
        let url = WebUrl::parse("https://Example.com").unwrap();
        let json = serde_json::to_string(&url).unwrap();
        assert_eq!(json, r#""https://example.com/""#);
        assert_eq!(serde_json::from_str::<WebUrl>(&json).unwrap(), url);
        for bad in [
            r#""javascript:alert(1)""#,
            r#""www.example.com""#,
            r#""""#,
            "1",
        ] {
            assert!(serde_json::from_str::<WebUrl>(bad).is_err(), "{bad}");
        }
        assert_eq!(String::from(url.clone()), "https://example.com/");
        assert_eq!(Url::from(url).as_str(), "https://example.com/");
    }
}
