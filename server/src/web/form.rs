//! Form bodies: `application/x-www-form-urlencoded` only (anything else is a 415), with repeated
//! names kept in order (checkboxes).

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// A URL-encoded form body: every value by name, in order (checkboxes repeat the name).
pub type Fields = Vec<(String, String)>;

/// The body was not a URL-encoded form: answered 415 with a one-line explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAForm;

impl IntoResponse for NotAForm {
    fn into_response(self) -> Response {
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the form as application/x-www-form-urlencoded",
        )
            .into_response()
    }
}

/// Whether the request says its body is `application/x-www-form-urlencoded` (any parameters,
/// any case).
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The body's fields, or [`NotAForm`] when the content type is not a URL-encoded form.
pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Fields, NotAForm> {
    if !is_form(headers) {
        return Err(NotAForm);
    }
    Ok(url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// The first value of `name` (empty when absent).
pub fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        h
    }

    #[test]
    fn parses_a_form_keeping_repeated_names() {
        let h = headers("Application/X-WWW-Form-Urlencoded; charset=utf-8");
        let fields = parse(&h, b"a=1&b=x+y&a=2").unwrap();
        assert_eq!(
            fields,
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y".to_owned()),
                ("a".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(field(&fields, "a"), "1");
        assert_eq!(field(&fields, "missing"), "");
    }

    #[test]
    fn anything_else_is_415() {
        assert_eq!(parse(&headers("application/json"), b"{}"), Err(NotAForm));
        assert_eq!(parse(&HeaderMap::new(), b"a=1"), Err(NotAForm));
        assert_eq!(
            NotAForm.into_response().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }
}
