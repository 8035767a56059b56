//! The integration tests, as one test binary.
//!
//! Each file under `tests/` used to be its own binary, and each linked the whole app with its
//! debug information: sixteen links of about 1.4 GB each, which cost most of a clean build's disk
//! and a minute of linking apiece on two cores. One binary links once. Every module here is the
//! tests of one part, through HTTP against a real database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set); `common` is what they share.
//!
//! The one exception is `tests/db_restart.rs`, which restarts the PostgreSQL cluster and so must
//! run with no other test alive: it stays a binary of its own.

mod common;

mod carers;
mod cli;
mod directory_editing;
mod directory_pages;
mod early_help;
mod fault;
mod health;
mod import;
mod many_servers;
mod oruk_api;
mod outbox;
mod pages;
mod relevance;
mod search;
mod shortlist;
mod staff;
mod staff_search;
