//! The server's shared web parts, below every feature: charts (SVG), cookies, random tokens and their hashes,
//! form bodies and their content type, redirects, and rendering the Leptos application around a
//! page's model. Features build on these; nothing here knows any feature.

pub mod charts;
pub mod cookie;
pub mod form;
pub mod redirect;
pub mod render;
pub mod token;
