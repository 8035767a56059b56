//! The directory upkeep room: the pages directory editors and admins use to keep the directory
//! right. [`directory`] is the directory editors' start page (find a listing, the review queue's
//! count, listings not reviewed for 12 months, "Mark as reviewed" and "Archive"); [`editor`] adds
//! and edits a listing (preview, then save and publish); [`review`] is the queue of suggested
//! changes and reported problems; [`synonyms`] the search synonyms admins edit; [`feeds`] the
//! feeds' last pulls, the mapping of their categories and the services waiting for one.

pub mod directory;
pub mod editor;
mod editor_pages;
pub mod feeds;
pub mod review;
pub mod synonyms;
