//! Pieces shared by many pages.
pub mod errors;
pub mod exit;
pub mod fields;
pub mod layout;
pub mod live_search;
pub mod navigation;

pub use errors::{ErrorSummary, FieldError};
