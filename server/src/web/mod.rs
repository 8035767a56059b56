//! Shared web parts.
pub mod charts;
