//! Pieces shared by many pages.
pub mod exit;
pub mod fields;
pub mod layout;
pub mod navigation;
