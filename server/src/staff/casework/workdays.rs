//! Working days for the Hub's 1-working-day decision standard. The arithmetic lives in
//! [`crate::calendar`] (below the features, so the settings can hold the bank holidays); these
//! are its names as the casework pages use them.

pub use crate::calendar::{uk_day, uk_offset, BankHolidays, DEFAULT_BANK_HOLIDAYS};
