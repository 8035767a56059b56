//! The fuzz pass (issue 16): every public form field and query parameter gets long, empty,
//! control-character, CR/LF, script, attribute-breaking, out-of-range and odd Unicode values;
//! no answer may be a 5xx, reflect the payload unescaped, or set a header from it, and every
//! form that posts refuses a cross-site post.
//!
//! Nothing is listed by hand: the forms, their fields and the query parameters are found by
//! crawling the public site from its home page and the start pages of its journeys (every link,
//! every `<form>` and its inputs, selects, textareas and named buttons; redirects followed as
//! links), and the ORUK API's parameters are read from its own OpenAPI document. A new page,
//! form, field or parameter reachable from the site is fuzzed without changing this test.

use crate::carers::{adult_answers, finish, ADULT};
use crate::common::journey::Visitor;
use crate::common::{spawn_app_with, TestApp};
use reqwest::header::{CONTENT_TYPE, LOCATION, ORIGIN, SET_COOKIE};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Values that must never cause trouble. The two markers are what a reflected payload would
/// look like unescaped.
const SCRIPT: &str = "<script>fuzz1()</script>";
const ATTRIBUTE: &str = "\"'><img src=x onerror=fuzz2()>";
const RAW_MARKERS: &[&str] = &["<script>fuzz1()", "<img src=x onerror=fuzz2()>"];

fn payloads() -> Vec<String> {
    vec![
        String::new(),
        "a".repeat(20_000),
        "\u{0}\u{1}\u{8}\u{1b}\u{7f}x".to_owned(),
        "x\r\nSet-Cookie: fuzz=1\r\nBcc: fuzz@evil.example".to_owned(),
        SCRIPT.to_owned(),
        ATTRIBUTE.to_owned(),
        "-1".to_owned(),
        "99999999999999999999999999".to_owned(),
        "1e309".to_owned(),
        "NaN".to_owned(),
        "\u{202e}\u{feff}\u{1d509}%00%0d%0a../..".to_owned(),
    ]
}

/// Query strings found, by the shape of their URL: the path and its parameters.
type Queries = BTreeMap<String, (String, Vec<(String, String)>)>;

/// A form found on a page: where it goes, how, and its fields with the values the page gave.
#[derive(Debug, Clone)]
struct Form {
    action: String,
    post: bool,
    fields: Vec<(String, String)>,
    /// The visitor's cookie the form was found with (a draft deeper in a journey).
    cookie: Option<String>,
}

fn decode(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The attributes of the tag starting at `start` (just after `<name`), and where it ends.
fn attributes(html: &str, start: usize) -> (BTreeMap<String, String>, usize) {
    let bytes = html.as_bytes();
    let mut attrs = BTreeMap::new();
    let mut i = start;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len()
            || bytes[i] == b'>'
            || bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'>')
        {
            let end = html[i..].find('>').map_or(html.len(), |e| i + e + 1);
            return (attrs, end);
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        if i < bytes.len() && bytes[i] == b'/' {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let quote = bytes.get(i).copied();
            let value = if matches!(quote, Some(b'"' | b'\'')) {
                let q = quote.map_or('"', char::from);
                let end = html[i + 1..].find(q).map_or(html.len(), |e| i + 1 + e);
                let v = &html[i + 1..end];
                i = end + 1;
                v
            } else {
                let s = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                &html[s..i]
            };
            attrs.insert(name, decode(value));
        } else if !name.is_empty() {
            attrs.insert(name, String::new());
        } else {
            i += 1;
        }
    }
}

/// Every `<tag …>` in `html`: its attributes and the offset after it.
fn tags(html: &str, tag: &str) -> Vec<(BTreeMap<String, String>, usize, usize)> {
    let open = format!("<{tag}");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(&open) {
        let start = from + at;
        let after = start + open.len();
        from = after;
        if !html[after..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/') {
            continue;
        }
        let (attrs, end) = attributes(html, after);
        found.push((attrs, start, end));
        from = end.max(after);
    }
    found
}

fn forms_in(html: &str, page: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    for (attrs, _, end) in tags(html, "form") {
        let close = html[end..].find("</form>").map_or(html.len(), |c| end + c);
        let inner = &html[end..close];
        let action = attrs
            .get("action")
            .filter(|a| !a.is_empty())
            .cloned()
            .unwrap_or_else(|| page.split('?').next().unwrap_or(page).to_owned());
        let post = attrs
            .get("method")
            .is_some_and(|m| m.eq_ignore_ascii_case("post"));
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut add = |name: Option<&String>, value: String| {
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                if !fields.iter().any(|(n, _)| n == name) {
                    fields.push((name.clone(), value));
                }
            }
        };
        for (a, _, _) in tags(inner, "input") {
            add(a.get("name"), a.get("value").cloned().unwrap_or_default());
        }
        for (a, _, _) in tags(inner, "button") {
            add(a.get("name"), a.get("value").cloned().unwrap_or_default());
        }
        for (a, _, end) in tags(inner, "select") {
            let first = tags(&inner[end..], "option")
                .into_iter()
                .next()
                .and_then(|(o, _, _)| o.get("value").cloned())
                .unwrap_or_default();
            add(a.get("name"), first);
        }
        for (a, _, end) in tags(inner, "textarea") {
            let text = inner[end..]
                .find("</textarea>")
                .map(|e| decode(&inner[end..end + e]))
                .unwrap_or_default();
            add(a.get("name"), text);
        }
        forms.push(Form {
            action,
            post,
            fields,
            cookie: None,
        });
    }
    forms
}

fn links_in(html: &str) -> Vec<String> {
    tags(html, "a")
        .into_iter()
        .filter_map(|(a, _, _)| a.get("href").cloned())
        .collect()
}

/// Whether the crawler follows `path`: this site's public pages, not files, the staff portal
/// or the API (whose parameters come from its OpenAPI document).
fn crawlable(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/staff")
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && ![
            ".css", ".js", ".wasm", ".svg", ".png", ".ico", ".txt", ".json", ".xml", ".csv",
        ]
        .iter()
        .any(|ext| path.split('?').next().unwrap_or_default().ends_with(ext))
}

/// The shape of a path, so that many services or result pages count as one: UUIDs, numbers and
/// hex tokens become `{}` and the query keeps its parameter names only.
fn shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let p: Vec<String> = p
        .split('/')
        .map(|s| {
            if uuid::Uuid::parse_str(s).is_ok()
                || (!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
                || (s.len() >= 32 && s.chars().all(|c| c.is_ascii_hexdigit()))
            {
                "{}".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect();
    let names: BTreeSet<String> = url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    format!(
        "{}?{}",
        p.join("/"),
        names.into_iter().collect::<Vec<_>>().join("&")
    )
}

fn check(what: &str, response_status: u16, headers: &reqwest::header::HeaderMap, body: &str) {
    assert!(response_status < 500, "{what}: status {response_status}");
    for marker in RAW_MARKERS {
        assert!(
            !body.contains(marker),
            "{what}: reflected unescaped: {marker}"
        );
    }
    for value in headers.get_all(SET_COOKIE) {
        let text = value.to_str().unwrap_or_default();
        assert!(
            !text.contains("fuzz"),
            "{what}: a header from the payload: {text}"
        );
    }
    for (name, value) in headers {
        assert!(
            !name.as_str().contains("fuzz")
                && !value.to_str().unwrap_or_default().contains("fuzz@"),
            "{what}: a header from the payload: {name}"
        );
    }
}

async fn send(
    app: &TestApp,
    form: &Form,
    fields: &[(String, String)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = if form.post {
        app.client
            .post(app.url(&form.action))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(encoded)
    } else {
        let sep = if form.action.contains('?') { '&' } else { '?' };
        app.client
            .get(app.url(&format!("{}{sep}{encoded}", form.action)))
    };
    if let Some(cookie) = &form.cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap_or_default();
    (status, headers, body)
}

/// Crawls the public site from `seeds` as a visitor with `cookie`: every page's links (and
/// redirects) are followed, its forms and query parameters collected into `forms` and
/// `queries` (the first seen of each shape).
async fn crawl(
    app: &TestApp,
    seeds: &[String],
    cookie: Option<String>,
    forms: &mut BTreeMap<(String, bool), Form>,
    queries: &mut Queries,
) {
    let mut queue: VecDeque<String> = seeds.iter().cloned().collect();
    let mut seen_shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut visited = BTreeSet::new();
    while let Some(path) = queue.pop_front() {
        if visited.len() >= 250 || !visited.insert(path.clone()) {
            continue;
        }
        let count = seen_shapes.entry(shape(&path)).or_default();
        *count += 1;
        if *count > 2 {
            continue;
        }
        let mut request = app.client.get(app.url(&path));
        if let Some(cookie) = &cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let response = request.send().await.expect("GET");
        let status = response.status().as_u16();
        assert!(status < 500, "GET {path}: {status}");
        if let Some(to) = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            if crawlable(to) {
                queue.push_back(to.to_owned());
            }
        }
        let body = response.text().await.unwrap_or_default();
        if let Some((p, q)) = path.split_once('?') {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect();
            queries
                .entry(shape(&path))
                .or_insert_with(|| (p.to_owned(), pairs));
        }
        for link in links_in(&body) {
            let link = link.split('#').next().unwrap_or_default().to_owned();
            if crawlable(&link) && !visited.contains(&link) {
                queue.push_back(link);
            }
        }
        for mut form in forms_in(&body, &path) {
            if !crawlable(&form.action) {
                continue;
            }
            form.cookie = cookie.clone();
            let key = (shape(&form.action), form.post);
            forms.entry(key).or_insert(form);
        }
    }
}

#[tokio::test]
async fn every_public_form_field_and_query_parameter_survives_hostile_values() {
    let app = spawn_app_with(|s| {
        s.demo_data = true;
        // The limits would otherwise stop the handlers being reached (they are tested apart).
        s.site.submissions_per_hour = 1_000_000;
        s.site.drafts_per_hour = 1_000_000;
    })
    .await;
    let service =
        signpost::directory::demo::id("service", "spectrum-autism-family-group-brackenfield");
    let mut forms: BTreeMap<(String, bool), Form> = BTreeMap::new();
    let mut queries: Queries = BTreeMap::new();
    let anonymous = [
        "/".to_owned(),
        "/request-support".to_owned(),
        "/request-support/status".to_owned(),
        "/carers/self-assessment".to_owned(),
        "/young-carers/self-assessment".to_owned(),
        "/search?q=autism&postcode=BK1".to_owned(),
        "/shortlist".to_owned(),
        format!("/services/{service}"),
    ];
    crawl(&app, &anonymous, None, &mut forms, &mut queries).await;
    // Deeper in the journeys, with a draft: every page of a filled-in request for support and
    // self-assessment is linked from its task list and check-answers page, and a finished
    // self-assessment's summary has forms of its own.
    let mut shopper = Visitor::new(&app);
    shopper
        .post("/shortlist/add", &[("id", &service.to_string())])
        .await;
    let seeds = [
        "/shortlist".to_owned(),
        "/shortlist/email".to_owned(),
        "/shortlist/send".to_owned(),
    ];
    crawl(
        &app,
        &seeds,
        shopper.cookie.clone(),
        &mut forms,
        &mut queries,
    )
    .await;
    let mut family = Visitor::new(&app);
    family.parent_answers("Alexandra Testperson").await;
    let seeds = [
        "/request-support/tasks".to_owned(),
        "/request-support/check-answers".to_owned(),
    ];
    crawl(
        &app,
        &seeds,
        family.cookie.clone(),
        &mut forms,
        &mut queries,
    )
    .await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    let seeds = [format!("{ADULT}/tasks"), format!("{ADULT}/check-answers")];
    crawl(&app, &seeds, carer.cookie.clone(), &mut forms, &mut queries).await;
    let mut finished = Visitor::new(&app);
    adult_answers(&mut finished, "yes").await;
    finish(&mut finished, ADULT, "CA").await;
    let seeds = [format!("{ADULT}/summary")];
    crawl(
        &app,
        &seeds,
        finished.cookie.clone(),
        &mut forms,
        &mut queries,
    )
    .await;
    let post_forms = forms.values().filter(|f| f.post).count();
    assert!(
        post_forms >= 20,
        "the crawl found only {post_forms} forms that post: {:?}",
        forms.keys().collect::<Vec<_>>()
    );
    for expected in [
        "/request-support/who",
        "/request-support/your-details",
        "/request-support/check-answers",
        "/request-support/save",
        "/carers/self-assessment/check-answers",
        "/carers/self-assessment/summary/email",
        "/shortlist/send",
        "/report",
        "/suggest-change",
        "/request-support/status",
    ] {
        assert!(
            forms.values().any(|f| f.action.contains(expected)),
            "no form found for {expected}"
        );
    }

    let mut requests = 0;
    for form in forms.values() {
        // A cross-site post is refused before anything happens.
        if form.post {
            let response = app
                .client
                .post(app.url(&form.action))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(ORIGIN, "https://evil.example")
                .header(
                    reqwest::header::COOKIE,
                    form.cookie.clone().unwrap_or_default(),
                )
                .body("x=1")
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 403, "cross-site POST {}", form.action);
            assert!(response.headers().get(SET_COOKIE).is_none());
        }
        for (i, (name, _)) in form.fields.iter().enumerate() {
            for payload in payloads() {
                let mut fields = form.fields.clone();
                fields[i].1 = payload.clone();
                let (status, headers, body) = send(&app, form, &fields).await;
                requests += 1;
                let what = format!(
                    "{} {} {name}={:?}",
                    if form.post { "POST" } else { "GET" },
                    form.action,
                    payload.chars().take(40).collect::<String>()
                );
                check(&what, status, &headers, &body);
            }
        }
    }
    for (path, pairs) in queries.values() {
        for (i, (name, _)) in pairs.iter().enumerate() {
            for payload in payloads() {
                let mut fields = pairs.clone();
                fields[i].1 = payload.clone();
                let form = Form {
                    action: path.clone(),
                    post: false,
                    fields: Vec::new(),
                    cookie: None,
                };
                let (status, headers, body) = send(&app, &form, &fields).await;
                requests += 1;
                check(&format!("GET {path} {name}"), status, &headers, &body);
            }
        }
    }

    // The ORUK API: every query parameter its OpenAPI document declares, on every path.
    let openapi: serde_json::Value = app
        .get("/api/oruk/openapi.json")
        .await
        .json()
        .await
        .expect("the OpenAPI document");
    let paths = openapi["paths"].as_object().expect("paths");
    let mut api_parameters = 0;
    for (template, item) in paths {
        let Some(parameters) = item["get"]["parameters"].as_array() else {
            continue;
        };
        let path = format!(
            "/api/oruk{}",
            template.replace("{id}", &service.to_string())
        );
        for parameter in parameters {
            let name = parameter["name"].as_str().unwrap_or_default();
            let place = parameter["in"].as_str().unwrap_or_default();
            for payload in payloads() {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(payload.as_bytes()).collect();
                let url = match place {
                    "query" => format!("{path}?{name}={encoded}"),
                    "path" => format!(
                        "/api/oruk{}",
                        template.replace(&format!("{{{name}}}"), &encoded)
                    ),
                    _ => continue,
                };
                let response = app.get(&url).await;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.text().await.unwrap_or_default();
                requests += 1;
                check(&format!("GET {template} {name}"), status, &headers, &body);
            }
            api_parameters += 1;
        }
    }
    assert!(
        api_parameters >= 10,
        "only {api_parameters} API parameters declared"
    );
    assert!(requests > 1000, "only {requests} requests");
    app.stop().await;
}
