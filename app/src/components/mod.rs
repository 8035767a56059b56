//! Pieces shared by many pages.
pub mod layout;
pub mod navigation;
