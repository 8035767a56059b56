//! The staff portal's pages written with `format!` and [`esc`], for the pages not yet moved to
//! Leptos views ([`super::view`], which every new page uses): the casework pages and the family
//! status page. Plain server-rendered HTML with GOV.UK Frontend classes, no JavaScript, sent with
//! a strict Content Security Policy and `Cache-Control: no-store` (they can show personal data).

use super::view::CSP;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

/// Text made safe for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Who is signed in, for the header (None on the sign-in pages).
pub struct Header<'a> {
    pub name: &'a str,
    pub links: Vec<(&'static str, &'static str)>,
    pub csrf: &'a str,
}

/// One field's error, linked from the error summary (the pages not yet written with
/// [`super::view`]; those use `app::components::errors::FieldError`).
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The GOV.UK error summary (empty when there are no errors).
pub fn error_summary(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let mut items = String::new();
    for e in errors {
        let _ = write!(
            items,
            r##"<li><a href="#{}">{}</a></li>"##,
            esc(&e.field),
            esc(&e.message)
        );
    }
    format!(
        r#"<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2><div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">{items}</ul></div></div></div>"#
    )
}

/// The error message of `field`, if any, and the form group's error class.
pub fn field_error(errors: &[FieldError], field: &str) -> (String, &'static str) {
    match errors.iter().find(|e| e.field == field) {
        Some(e) => (
            format!(
                r#"<p id="{field}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>"#,
                esc(&e.message)
            ),
            " govuk-form-group--error",
        ),
        None => (String::new(), ""),
    }
}

/// A text input with its label, hint and error.
pub fn text_input(
    errors: &[FieldError],
    name: &'static str,
    label: &str,
    value: &str,
    kind: &str,
    autocomplete: &str,
) -> String {
    let (error, class) = field_error(errors, name);
    let described = if error.is_empty() {
        String::new()
    } else {
        format!(r#" aria-describedby="{name}-error""#)
    };
    let input_class = if error.is_empty() {
        "govuk-input"
    } else {
        "govuk-input govuk-input--error"
    };
    format!(
        r#"<div class="govuk-form-group{class}"><label class="govuk-label" for="{name}">{label}</label>{error}<input class="{input_class}" id="{name}" name="{name}" type="{kind}" value="{value}" autocomplete="{autocomplete}" spellcheck="false"{described}></div>"#,
        label = esc(label),
        value = esc(value),
    )
}

/// GOV.UK radios in a fieldset; the first radio carries the field's id (the error summary's
/// link target).
pub fn radios(
    name: &'static str,
    legend: &str,
    options: &[(String, String)],
    chosen: &str,
    errors: &[FieldError],
) -> String {
    let (error, class) = field_error(errors, name);
    let mut items = String::new();
    for (i, (value, label)) in options.iter().enumerate() {
        let id = if i == 0 {
            name.to_owned()
        } else {
            format!("{name}-{i}")
        };
        let _ = write!(
            items,
            r#"<div class="govuk-radios__item"><input class="govuk-radios__input" id="{id}" name="{name}" type="radio" value="{v}"{checked}><label class="govuk-label govuk-radios__label" for="{id}">{l}</label></div>"#,
            v = esc(value),
            l = esc(label),
            checked = if value == chosen { " checked" } else { "" },
        );
    }
    format!(
        r#"<div class="govuk-form-group{class}"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--m">{legend}</legend>{error}<div class="govuk-radios">{items}</div></fieldset></div>"#,
        legend = esc(legend),
    )
}

/// The hidden CSRF field every staff form carries.
pub fn csrf_field(token: &str) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{}">"#,
        esc(token)
    )
}

/// A whole page: `title` (the h1 is part of `main`), the header for a signed-in member of
/// staff, and the main content.
pub fn page(status: StatusCode, title: &str, header: Option<Header<'_>>, main: &str) -> Response {
    document(status, title, header, main, false)
}

/// A page for the public (the family status page): the site's own header and footer text.
pub fn public_page(status: StatusCode, title: &str, main: &str) -> Response {
    document(status, title, None, main, true)
}

fn document(
    status: StatusCode,
    title: &str,
    header: Option<Header<'_>>,
    main: &str,
    public: bool,
) -> Response {
    let (home, service_label, footer, staff_title) = if public {
        (
            "/",
            esc(app::site::SERVICE_NAME),
            format!(
                r#"<a class="govuk-footer__link" href="/privacy">Privacy notice</a> · <a class="govuk-footer__link" href="/accessibility">Accessibility statement</a> · Call the Family Information Service on {}"#,
                app::site::FIS_PHONE
            ),
            "",
        )
    } else {
        (
            "/staff",
            format!("{}: staff", esc(app::site::SERVICE_NAME)),
            "Official – sensitive. Every view of a request is recorded.".to_owned(),
            " – Staff",
        )
    };
    let nav = match &header {
        Some(h) => {
            let mut links = String::new();
            for (href, text) in &h.links {
                let _ = write!(
                    links,
                    r#"<li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="{href}">{text}</a></li>"#
                );
            }
            format!(
                r#"<nav aria-label="Staff menu" class="govuk-service-navigation__wrapper"><ul class="govuk-service-navigation__list">{links}</ul></nav><form method="post" action="/staff/sign-out" class="signpost-staff-signout">{csrf}<p class="govuk-body-s govuk-!-margin-bottom-0">Signed in as {name} <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">Sign out</button></p></form>"#,
                csrf = csrf_field(h.csrf),
                name = esc(h.name),
            )
        }
        None => String::new(),
    };
    let html = format!(
        r##"<!DOCTYPE html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>{title}{staff_title} – {service}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/pkg/signpost.css"></head>
<body class="govuk-template__body"><a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-generic-header"><div class="govuk-generic-header__container govuk-width-container"><div class="govuk-generic-header__logo"><a href="{home}" class="govuk-generic-header__homepage-link"><span class="signpost-header__organisation">{council}</span></a></div></div></header>
<section aria-label="Service information" class="govuk-service-navigation"><div class="govuk-width-container"><div class="govuk-service-navigation__container"><span class="govuk-service-navigation__service-name"><a href="{home}" class="govuk-service-navigation__link">{service_label}</a></span>{nav}</div></div></section>
<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">{main}</main></div>
<footer class="govuk-footer"><div class="govuk-width-container"><div class="govuk-footer__meta"><div class="govuk-footer__meta-item govuk-footer__meta-item--grow"><p class="govuk-body-s">{footer}</p></div></div></div></footer>
</body></html>"##,
        title = esc(title),
        service = esc(app::site::SERVICE_NAME),
        council = esc(app::site::COUNCIL_NAME),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            esc(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
