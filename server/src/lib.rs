//! The `signpost` server: configuration, start-up, HTTP routes and middleware, storage.
//!
//! `startup::Application` is shared by the binary and the integration tests, so the tests run the
//! same server the users get.

pub mod calendar;
pub mod carers;
pub mod cases;
pub mod clock;
pub mod config;
pub mod db;
pub mod directory;
pub mod early_help;
pub mod forms;
pub mod health;
pub mod lease;
pub mod limit;
pub mod mail;
pub mod middleware;
pub mod search;
pub mod settings;
pub mod staff;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
