//! One module per page (or family of pages).
pub mod carer_assessment;
pub mod directory;
pub mod error;
pub mod home;
pub mod info;
pub mod landing;
pub mod not_found;
pub mod report;
pub mod request_support;
pub mod shortlist;
pub mod suggest;
