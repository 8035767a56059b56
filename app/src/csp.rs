//! The Content Security Policy of HTML pages (server only).
//!
//! Each response gets a fresh nonce: Leptos puts it on the inline hydration script, and the
//! policy allows only that inline script, scripts and styles from this site, and WebAssembly
//! compilation. The site makes no third-party requests, so nothing else is allowed.

use http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The policy for a page whose inline script carries `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Generates this response's nonce and sets the matching `Content-Security-Policy` header.
pub fn provide_nonce_and_policy() {
    provide_nonce();
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce.to_string())) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}
