//! The tower layers every response goes through.
//!
//! Outermost first: request id (set and echoed as `x-request-id`), request log, security headers,
//! panic → the "problem with the service" page, timeout, body size limit, compression.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderName, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use std::any::Any;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Headers every response carries. HTML pages also get a per-response Content-Security-Policy
/// with a nonce (`app::csp`); everything else gets the strict default below.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    // same-origin: no-JavaScript form posts are redirected back using the Referer.
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
    ("strict-transport-security", "max-age=31536000"),
];

const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub struct Limits {
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    pub stylesheet: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The public address's origin (`SiteSettings::public_origin`): the only `Origin` a form
    /// post is accepted from.
    pub public_origin: String,
}

/// Whether a request that changes something (any method but GET, HEAD and OPTIONS) comes from
/// this site's own pages, by what the browser says about where it was made:
///
/// * `Origin`: must be the public address's origin (with a loopback public address, the same
///   port on `localhost`, `127.0.0.1` or `[::1]`, so `make run` opened either way works). The
///   opaque `null` (a sandboxed frame, a `data:` page, a page with `no-referrer`) is refused.
/// * `Sec-Fetch-Site`: `cross-site` and `same-site` (a sibling subdomain) are refused.
/// * Neither header: allowed. Every browser in use sends `Origin` on a POST (Chrome and
///   Safari since 2019–20, Firefox since 70), so a request without it comes from a program
///   (curl, a monitoring probe), and a program cannot carry a visitor's cookies.
pub fn same_origin(headers: &axum::http::HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        if matches!(site.as_bytes(), b"cross-site" | b"same-site") {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim().trim_end_matches('/');
    if origin.eq_ignore_ascii_case(public_origin) {
        return true;
    }
    // A loopback public address: the other loopback names with the same scheme and port.
    let (Ok(public), Ok(given)) = (url::Url::parse(public_origin), url::Url::parse(origin)) else {
        return false;
    };
    let loopback = |u: &url::Url| matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    loopback(&public)
        && loopback(&given)
        && public.scheme() == given.scheme()
        && public.port_or_known_default() == given.port_or_known_default()
}

/// Refuses (403, with nothing set) a request that changes something and was sent from another
/// site's page ([`same_origin`]): a cross-site form post (CSRF) cannot start a draft, set a
/// cookie or send an email.
async fn refuse_cross_site(
    public_origin: Arc<str>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    let safe = matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if safe || same_origin(request.headers(), &public_origin) {
        return next.run(request).await;
    }
    tracing::warn!("cross-site request refused");
    let mut response = Response::new(Body::from(
        "This form was sent from another website, so it was not accepted. Go to the page on our own website and send it from there.",
    ));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The address a request comes from. The connection's peer, unless the peer is one of our own
/// proxies: then the right-most address in `X-Forwarded-For` that is not one of them (each
/// proxy appends the address it was sent from, so entries further left could be made up by the
/// sender). An entry that does not parse ends the walk: nothing left of it is believed.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &[IpAddr],
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    // Several headers count as one list, in order.
    let entries: Vec<&str> = forwarded.flat_map(|h| h.split(',')).collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

/// Puts the client's address (`client_ip`) where the handlers read the peer's
/// (`ConnectInfo<SocketAddr>`), so every rate limit and audit entry sees the visitor, not the
/// proxy.
fn with_client_address(trusted: Arc<[IpAddr]>) -> impl Fn(Request<Body>) -> Request<Body> + Clone {
    move |mut request: Request<Body>| {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        if let Some(peer) = peer {
            let forwarded = request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok());
            let client = client_ip(peer.ip(), forwarded, &trusted);
            if client != peer.ip() {
                request
                    .extensions_mut()
                    .insert(ConnectInfo(SocketAddr::new(client, 0)));
            }
        }
        request
    }
}

/// Whether `bytes` (a query string or a URL-encoded body) holds a NUL character, raw or
/// percent-encoded. No text field has a use for one, and PostgreSQL cannot store it in `TEXT`.
fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

/// Refuses (400) a query string or form body with a NUL character in it ([`has_nul`]), before
/// any handler runs, so no feature has to remember that the database cannot store one.
/// Other bodies (JSON, files) are passed on untouched.
async fn refuse_nul(request: Request<Body>, next: axum::middleware::Next) -> Response<Body> {
    let refused = || {
        let mut response = Response::new(Body::from(
            "The form contained a character that cannot be accepted (a null character). Go back, remove it and try again.",
        ));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    };
    if request.uri().query().is_some_and(|q| has_nul(q.as_bytes())) {
        return refused();
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // The body limit layer outside this one has already capped the size.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let mut response = Response::new(Body::from("The form was too large."));
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
    };
    if has_nul(&bytes) {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Wraps `router` in the layers. Each `layer` call wraps everything before it, so the request id
/// and the security headers end up outermost and also cover timeouts and panics.
pub fn apply(router: Router, limits: Limits) -> Router {
    let stylesheet = limits.stylesheet;
    let client_address = with_client_address(limits.trusted_proxies.into());
    let public_origin: Arc<str> = limits.public_origin.into();
    let mut router = router
        .layer(axum::middleware::from_fn(refuse_nul))
        .layer(axum::middleware::from_fn(move |request, next| {
            refuse_cross_site(public_origin.clone(), request, next)
        }))
        .layer(axum::middleware::map_request(move |r| {
            let request = client_address(r);
            async move { request }
        }))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(move |_: Box<dyn Any + Send>| {
            problem_response(&stylesheet)
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    // The path only (query strings can carry search words and postcodes), with
                    // its secret segments hidden (status links and resume links are bearer
                    // tokens).
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %logged_path(request.uri().path()),
                        request_id = %id,
                    )
                })
                .on_request(())
                .on_response(
                    |response: &Response<Body>, latency: Duration, _span: &Span| {
                        tracing::info!(
                            status = response.status().as_u16(),
                            latency_ms = latency.as_millis() as u64,
                            "response"
                        );
                    },
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// What the request log writes for `path`: every segment that is, or stands where there is, a
/// bearer token — one of our 64-hex-digit tokens anywhere, and whatever follows `status/` or
/// `resume/` (a mistyped or truncated token is still most of someone's token) — becomes
/// `[token]`.
pub fn logged_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut previous = "";
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let secret = crate::web::token::looks_like_token(segment)
            || (matches!(previous, "status" | "resume") && !segment.is_empty());
        out.push_str(if secret { "[token]" } else { segment });
        previous = segment;
    }
    out
}

/// The "Sorry, there is a problem with the service" page with status 500.
pub fn problem_response(stylesheet: &str) -> Response<Body> {
    tracing::error!("request failed: internal error");
    let mut response = Response::new(Body::from(app::pages::error::problem_document(stylesheet)));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::{client_ip, logged_path};

    #[test]
    fn the_log_never_holds_a_token() {
        let token = "0123456789abcdef".repeat(4);
        assert_eq!(
            logged_path(&format!("/request-support/status/{token}")),
            "/request-support/status/[token]"
        );
        assert_eq!(
            logged_path(&format!("/carers/self-assessment/resume/{token}")),
            "/carers/self-assessment/resume/[token]"
        );
        // A wrong or cut token is hidden too; a token anywhere else as well.
        assert_eq!(
            logged_path("/request-support/status/0123abc"),
            "/request-support/status/[token]"
        );
        assert_eq!(logged_path(&format!("/x/{token}/y")), "/x/[token]/y");
        // Ordinary paths are as they are.
        assert_eq!(
            logged_path("/request-support/status"),
            "/request-support/status"
        );
        assert_eq!(logged_path("/services/5f0c"), "/services/5f0c");
        assert_eq!(logged_path("/"), "/");
    }
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn nul_characters_are_found_raw_or_encoded() {
        use super::has_nul;
        assert!(has_nul(b"details=a%00b"));
        assert!(has_nul(b"a\0b"));
        assert!(!has_nul(b"details=a%2500b&n=100"));
        assert!(!has_nul(b"q=100+0"));
    }

    #[test]
    fn only_this_sites_pages_may_post() {
        use super::same_origin;
        use axum::http::HeaderMap;
        let check = |public: &str, pairs: &[(&'static str, &str)]| {
            let mut headers = HeaderMap::new();
            for (k, v) in pairs {
                headers.insert(*k, v.parse().unwrap());
            }
            same_origin(&headers, public)
        };
        let site = "https://family.example";
        assert!(check(site, &[]), "no header: a program, not a browser");
        assert!(check(site, &[("origin", "https://family.example")]));
        assert!(check(
            site,
            &[
                ("origin", "https://family.example"),
                ("sec-fetch-site", "same-origin")
            ]
        ));
        assert!(!check(site, &[("origin", "https://evil.example")]));
        assert!(!check(site, &[("origin", "http://family.example")]));
        assert!(!check(
            site,
            &[("origin", "https://family.example.evil.example")]
        ));
        assert!(!check(site, &[("origin", "null")]));
        assert!(!check(site, &[("sec-fetch-site", "cross-site")]));
        assert!(!check(site, &[("sec-fetch-site", "same-site")]));
        let local = "http://127.0.0.1:3000";
        assert!(check(local, &[("origin", "http://localhost:3000")]));
        assert!(!check(local, &[("origin", "http://localhost:3001")]));
        assert!(!check(local, &[("origin", "https://localhost:3000")]));
    }

    #[test]
    fn the_client_is_the_last_address_our_proxies_did_not_add() {
        let proxies = [ip("10.0.0.5"), ip("10.0.0.6")];
        let from =
            |peer: &str, headers: &[&str]| client_ip(ip(peer), headers.iter().copied(), &proxies);
        // Straight from a visitor: the header is whatever they like, and ignored.
        assert_eq!(from("203.0.113.7", &["198.51.100.1"]), ip("203.0.113.7"));
        // Through our proxy: the address it added.
        assert_eq!(from("10.0.0.5", &["203.0.113.7"]), ip("203.0.113.7"));
        // Made-up entries to the left are not believed; our own proxies are skipped.
        assert_eq!(
            from("10.0.0.5", &["192.0.2.1, 203.0.113.7, 10.0.0.6"]),
            ip("203.0.113.7")
        );
        // Several headers are one list, in order.
        assert_eq!(
            from("10.0.0.5", &["192.0.2.1", "203.0.113.7"]),
            ip("203.0.113.7")
        );
        assert_eq!(from("10.0.0.5", &[" 2001:db8::1 "]), ip("2001:db8::1"));
        // Nothing usable: the last proxy's address stands.
        assert_eq!(from("10.0.0.5", &[]), ip("10.0.0.5"));
        assert_eq!(from("10.0.0.5", &["unknown"]), ip("10.0.0.5"));
        assert_eq!(
            from("10.0.0.5", &["203.0.113.7, junk, 10.0.0.6"]),
            ip("10.0.0.6")
        );
    }
}
