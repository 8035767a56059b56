//! Reading a cookie from a request and writing `Set-Cookie`. Every cookie the server sets is
//! `HttpOnly`, and `Secure` when the site is served over https.

use super::token::looks_like_token;
use axum::http::{header, HeaderMap, HeaderValue};

/// The value of cookie `name` in the request, as sent (the first one when repeated).
pub fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The value of cookie `name`, if it looks like one of our tokens (64 hex digits).
pub fn token(headers: &HeaderMap, name: &str) -> Option<String> {
    value(headers, name)
        .filter(|v| looks_like_token(v))
        .map(str::to_owned)
}

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
}

/// A `Set-Cookie` header: `NAME=VALUE; Path=PATH[; Max-Age=N]; HttpOnly; SameSite=…[; Secure]`.
#[derive(Debug, Clone)]
pub struct SetCookie<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub path: &'a str,
    /// Seconds the cookie lives; `None` for a session cookie (gone when the browser closes).
    pub max_age: Option<u64>,
    pub same_site: SameSite,
    pub secure: bool,
}

impl SetCookie<'_> {
    /// The header's text.
    pub fn text(&self) -> String {
        let Self {
            name,
            value,
            path,
            max_age,
            same_site,
            secure,
        } = self;
        let max_age = max_age
            .map(|n| format!("; Max-Age={n}"))
            .unwrap_or_default();
        let same_site = match same_site {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
        };
        let secure = if *secure { "; Secure" } else { "" };
        format!("{name}={value}; Path={path}{max_age}; HttpOnly; SameSite={same_site}{secure}")
    }

    /// The header value (an empty one if the name or value held characters a header cannot).
    pub fn header(&self) -> HeaderValue {
        HeaderValue::from_str(&self.text()).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_cookie_among_others() {
        let mut headers = HeaderMap::new();
        let token = "a".repeat(64);
        headers.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; draft={token}")).unwrap(),
        );
        assert_eq!(value(&headers, "other"), Some("1"));
        assert_eq!(token_of(&headers, "draft"), Some(token));
        assert_eq!(token_of(&headers, "other"), None);
        assert_eq!(value(&headers, "missing"), None);
    }

    fn token_of(headers: &HeaderMap, name: &str) -> Option<String> {
        token(headers, name)
    }

    #[test]
    fn set_cookie_text() {
        let cookie = SetCookie {
            name: "signpost_staff",
            value: "abc",
            path: "/staff",
            max_age: None,
            same_site: SameSite::Strict,
            secure: true,
        };
        assert_eq!(
            cookie.text(),
            "signpost_staff=abc; Path=/staff; HttpOnly; SameSite=Strict; Secure"
        );
        let lax = SetCookie {
            max_age: Some(60),
            same_site: SameSite::Lax,
            secure: false,
            path: "/",
            ..cookie
        };
        assert_eq!(
            lax.text(),
            "signpost_staff=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
        );
    }
}
