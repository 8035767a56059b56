//! Signpost's domain types: the values the directory is made of, parsed once at the edge.
//!
//! "Parse, don't validate": every type here can only be built through a constructor that checks
//! its input, so a value of the type is proof that the data is good. A `Postcode` is always a real
//! UK postcode shape in the normal "BK1 4AB" form, an `AgeRange` never has its youngest age above
//! its oldest, a `Schedule` always closes after it opens, and so on. Code that holds one of these
//! never has to check it again.
//!
//! There is one set of rules for the whole service: this module is compiled into the server (the
//! importer, the database layer, the ORUK API and the form handlers) and into the WebAssembly that
//! runs in the browser, so the same input is accepted or refused, with the same message, wherever
//! it is checked. That is why it uses nothing that the browser lacks (no files, no clock, no
//! threads, no date-time crates: the few calendar rules needed are written here).
//!
//! Error messages are written for the person who typed the input, in the GOV.UK style ("Enter a
//! real postcode, like BK1 4AB"), and can be shown next to a form field as they are. Every type
//! serialises as its normal form and deserialises through the same parser, so bad data is refused
//! at a JSON or database boundary too.

/// `FromStr`, `TryFrom<&str>`, `TryFrom<String>` (through `parse`) and `From<T> for String` (the
/// normal form) for a type parsed from text. serde's `try_from = "String", into = "String"` uses
/// the last two.
macro_rules! text_conversions {
    ($t:ty, $err:ty, |$v:ident| $to_string:expr) => {
        impl ::std::str::FromStr for $t {
            type Err = $err;
            fn from_str(input: &str) -> Result<Self, Self::Err> {
                <$t>::parse(input)
            }
        }

        impl TryFrom<&str> for $t {
            type Error = $err;
            fn try_from(input: &str) -> Result<Self, Self::Error> {
                <$t>::parse(input)
            }
        }

        impl TryFrom<String> for $t {
            type Error = $err;
            fn try_from(input: String) -> Result<Self, Self::Error> {
                <$t>::parse(&input)
            }
        }

        impl From<$t> for String {
            fn from($v: $t) -> String {
                $to_string
            }
        }
    };
}

pub mod age;
pub mod contact;
pub mod nhs;
pub mod postcode;
pub mod referral;
pub mod schedule;

pub use age::{Age, AgeError, AgeRange};
pub use contact::{Email, EmailError, PhoneNumber, PhoneNumberError, WebUrl, WebUrlError};
pub use nhs::{NhsNumber, NhsNumberError};
pub use postcode::{distance_metres, Outcode, Postcode, PostcodeError};
pub use referral::ReferralRoute;
pub use schedule::{
    ByDay, DateError, Freq, IsoDate, Schedule, ScheduleError, ScheduleInput, Season, TimeError,
    TimeOfDay, TimeOfDayBand, Weekday,
};
