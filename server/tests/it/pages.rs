//! The server renders every page as complete HTML, with the layout, the right status and the
//! security headers — on SQLite and on PostgreSQL.

use crate::common::spawn_app;

#[tokio::test]
async fn home_page_is_server_rendered() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<h1 class=\"govuk-heading-xl\">Find help and support for your family in Brackenshire</h1>"),
        "the home page's h1 is in the HTML"
    );
    // The layout: skip link first, header with the service name, phase banner, footer links.
    assert!(html.contains("href=\"#main-content\" class=\"govuk-skip-link\""));
    assert!(html.contains("id=\"main-content\""));
    assert!(html.contains("Family Information and Support"));
    assert!(html.contains("govuk-phase-banner"));
    for link in ["/accessibility", "/privacy", "/cookies", "/contact"] {
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "footer links to {link}"
        );
    }
    assert!(
        html.contains("01632 960 000"),
        "the FIS phone number is on the page"
    );
    assert!(html.contains(
        "<title>Home – Family Information and Support – Brackenshire County Council</title>"
    ));
    // The islands loader and the wasm it loads.
    assert!(html.contains("/pkg/signpost.js"));
    assert!(html.contains("<leptos-island"));
    // No GOV.UK crown or font, nothing from another site.
    assert!(!html.contains("govuk-header__logotype"));
    assert!(!html.contains("https://"), "no third-party URL in the page");
}

#[tokio::test]
async fn information_pages_exist_with_their_own_titles() {
    let app = spawn_app().await;
    for (path, h1) in [
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/cookies", "Cookies"),
        ("/contact", "Contact"),
        ("/practitioners", "For practitioners"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        let h1_start = html
            .find("<h1")
            .unwrap_or_else(|| panic!("{path} has an h1"));
        let h1_text = &html[h1_start..h1_start + 200];
        assert!(h1_text.contains(h1), "{path}: h1 mentions {h1}: {h1_text}");
        assert_eq!(html.matches("<h1").count(), 1, "{path} has one h1");
        assert!(
            html.contains("Brackenshire"),
            "{path} is written for Brackenshire"
        );
    }
}

#[tokio::test]
async fn unknown_pages_are_404_with_the_not_found_page() {
    let app = spawn_app().await;
    let response = app.get("/no-such-page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("01632 960 000"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_policy() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    let headers = response.headers().clone();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert!(!header("x-request-id").is_empty(), "a request id is set");
    let csp = header("content-security-policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page policy has a nonce")
        .to_owned();
    assert!(nonce.len() >= 16);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the inline hydration script carries the policy's nonce"
    );
    // A fresh nonce each time.
    let again = app.get("/").await;
    let csp_again = again
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_ne!(csp, csp_again);
}

#[tokio::test]
async fn request_ids_are_echoed() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "test-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("test-123")
    );
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/privacy"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/"))
        .body(vec![b'a'; 200 * 1024])
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn the_problem_page_follows_the_gov_uk_pattern() {
    let response = signpost::middleware::problem_response("/pkg/signpost.css");
    assert_eq!(response.status(), 500);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(html
        .contains("<h1 class=\"govuk-heading-l\">Sorry, there is a problem with the service</h1>"));
    assert!(html.contains("01632 960 000"));
    assert!(html.contains("govuk-skip-link"));
    assert!(html.contains("<html lang=\"en\""));
}
