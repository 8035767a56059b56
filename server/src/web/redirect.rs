//! Redirects after a POST or to another page: `303 See Other` (POST/redirect/GET), optionally
//! setting a cookie. Unlike `axum::response::Redirect`, an address that cannot be a header never
//! panics: the response then has no `Location`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `303 See Other` to `to`.
pub fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `303 See Other` to `to`, setting `cookie` when there is one.
pub fn see_other_with_cookie(to: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response = see_other(to);
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn see_other_sets_location_and_cookie() {
        let r = see_other_with_cookie("/a?b=1", Some(HeaderValue::from_static("c=1")));
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[header::LOCATION], "/a?b=1");
        assert_eq!(r.headers()[header::SET_COOKIE], "c=1");
        let plain = see_other("/x");
        assert!(plain.headers().get(header::SET_COOKIE).is_none());
    }

    #[test]
    fn a_bad_address_does_not_panic() {
        let r = see_other("/a\nb");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(r.headers().get(header::LOCATION).is_none());
    }
}
