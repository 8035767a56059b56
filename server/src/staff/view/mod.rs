//! How a staff page is written: Leptos components rendered on the server (no islands, no
//! JavaScript), so text is escaped by Leptos and never by hand, and each GOV.UK component is
//! written once ([`form`]). [`page`] wraps a page's main content in the staff layout and sends it
//! with a strict Content Security Policy and `Cache-Control: no-store` (staff pages can show
//! personal data).
//!
//! A page handler builds its main content as a `view!` and hands it to [`page`]:
//!
//! ```ignore
//! Ok(view::page(StatusCode::OK, "Your account", Some(&staff), move || view! { <h1>...</h1> }))
//! ```

pub mod form;

use super::Staff;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// Staff pages load the site's stylesheet and nothing else; forms post only to this site.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                       form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Who is signed in, for the page's header: their name, their role's menu and the session's
/// CSRF token (for the sign-out form).
#[derive(Clone)]
pub struct Header {
    pub name: String,
    pub links: Vec<(&'static str, &'static str)>,
    pub csrf: String,
}

impl From<&Staff> for Header {
    fn from(staff: &Staff) -> Self {
        Header {
            name: staff.name.clone(),
            links: staff.role.menu(),
            csrf: staff.session.csrf.clone(),
        }
    }
}

/// A view as HTML, rendered inside its own reactive owner (what Leptos 0.8 needs to run
/// components outside a router: `Owner::with` then `RenderHtml::to_html`).
pub fn to_html<V: IntoView>(view: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    owner.with(|| view().into_view().to_html())
}

/// A whole staff page: `title` (the `<title>`; the h1 is part of `main`), the header for a
/// signed-in member of staff (None on the sign-in pages and the message pages), and the main
/// content. HTML with the staff portal's CSP and `Cache-Control: no-store`.
pub fn page<V: IntoView + 'static>(
    status: StatusCode,
    title: &str,
    staff: Option<&Staff>,
    main: impl FnOnce() -> V + Send + 'static,
) -> Response {
    let header = staff.map(Header::from);
    let title = format!("{title} – Staff – {}", app::site::SERVICE_NAME);
    let body = to_html(move || {
        view! {
            <StaffDocument title=title header=header>
                {main()}
            </StaffDocument>
        }
    });
    respond(status, format!("<!DOCTYPE html>\n{body}"))
}

/// A page with a heading and paragraphs (forbidden, not found, expired, signed out...).
pub fn message(status: StatusCode, title: &str, paragraphs: &[&str]) -> Response {
    let heading = title.to_owned();
    let paragraphs: Vec<String> = paragraphs.iter().map(|p| (*p).to_owned()).collect();
    page(status, title, None, move || {
        view! {
            <h1 class="govuk-heading-l">{heading}</h1>
            {paragraphs
                .into_iter()
                .map(|p| view! { <p class="govuk-body">{p}</p> })
                .collect_view()}
        }
    })
}

/// `html` sent as a staff page: its status, content type, CSP and `no-store`.
fn respond(status: StatusCode, html: String) -> Response {
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

/// The hidden CSRF field every staff form carries.
#[component]
pub fn Csrf(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=token/> }
}

/// The document: head, skip link, header, the service navigation (with the staff menu and
/// "Sign out" when someone is signed in), main and footer.
#[component]
fn StaffDocument(title: String, header: Option<Header>, children: Children) -> impl IntoView {
    let service_label = format!("{}: staff", app::site::SERVICE_NAME);
    view! {
        <html lang="en" class="govuk-template">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex, nofollow"/>
                <title>{title}</title>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/pkg/signpost.css"/>
            </head>
            <body class="govuk-template__body">
                <a href="#main-content" class="govuk-skip-link">"Skip to main content"</a>
                <header class="govuk-generic-header">
                    <div class="govuk-generic-header__container govuk-width-container">
                        <div class="govuk-generic-header__logo">
                            <a href="/staff" class="govuk-generic-header__homepage-link">
                                <span class="signpost-header__organisation">
                                    {app::site::COUNCIL_NAME}
                                </span>
                            </a>
                        </div>
                    </div>
                </header>
                <section aria-label="Service information" class="govuk-service-navigation">
                    <div class="govuk-width-container">
                        <div class="govuk-service-navigation__container">
                            <span class="govuk-service-navigation__service-name">
                                <a href="/staff" class="govuk-service-navigation__link">
                                    {service_label}
                                </a>
                            </span>
                            {header.map(|h| view! { <StaffMenu header=h/> })}
                        </div>
                    </div>
                </section>
                <div class="govuk-width-container">
                    <main class="govuk-main-wrapper" id="main-content">
                        {children()}
                    </main>
                </div>
                <footer class="govuk-footer">
                    <div class="govuk-width-container">
                        <div class="govuk-footer__meta">
                            <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
                                <p class="govuk-body-s">
                                    "Official – sensitive. Every view of a request is recorded."
                                </p>
                            </div>
                        </div>
                    </div>
                </footer>
            </body>
        </html>
    }
}

/// The role's menu and "Signed in as … Sign out".
#[component]
fn StaffMenu(header: Header) -> impl IntoView {
    let signed_in = format!("Signed in as {} ", header.name);
    view! {
        <nav aria-label="Staff menu" class="govuk-service-navigation__wrapper">
            <ul class="govuk-service-navigation__list">
                {header
                    .links
                    .into_iter()
                    .map(|(href, text)| {
                        view! {
                            <li class="govuk-service-navigation__item">
                                <a class="govuk-service-navigation__link" href=href>
                                    {text}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <form method="post" action="/staff/sign-out" class="signpost-staff-signout">
            <Csrf token=header.csrf/>
            <p class="govuk-body-s govuk-!-margin-bottom-0">
                {signed_in}
                <button
                    type="submit"
                    class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                >
                    "Sign out"
                </button>
            </p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let html = to_html(|| {
            let text = r#"<script>"a" & 'b'</script>"#;
            view! { <p title=text.to_owned()>{text.to_owned()}</p> }
        });
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains(r#"title="&lt;script&gt;&quot;a&quot; &amp; 'b'&lt;/script&gt;""#),
            "{html}"
        );
    }

    #[tokio::test]
    async fn a_message_page_has_the_staff_headers_and_no_script() {
        let response = message(
            StatusCode::NOT_FOUND,
            "Page not found",
            &["Gone <b>away</b>."],
        );
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let headers = response.headers();
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let html = String::from_utf8_lossy(&body);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">"),
            "{html}"
        );
        assert!(html.contains("<title>Page not found – Staff – "), "{html}");
        assert!(html.contains(r#"<h1 class="govuk-heading-l">Page not found</h1><p class="govuk-body">Gone &lt;b&gt;away&lt;/b&gt;.</p>"#), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("Signed in as"), "{html}");
    }
}
