//! One module per page (or family of pages).
pub mod carer_assessment;
pub mod directory;
pub mod error;
pub mod home;
pub mod info;
pub mod not_found;
pub mod request_support;
