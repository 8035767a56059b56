//! The directory: Open Referral UK data, its validation, storage, import/export, the demo county
//! and the ORUK API.
pub mod api;
pub mod cache;
pub mod demo;
pub mod edit;
pub mod import;
pub mod landing;
pub mod model;
pub mod oruk;
pub mod pages;
pub mod postcodes;
pub mod repo;
pub mod report;
pub mod search_log;
pub mod shortlist;
pub mod suggest;
