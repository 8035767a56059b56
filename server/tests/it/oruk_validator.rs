//! The checks the Open Referral UK validator makes of a read API, run against `/api/oruk` on
//! SQLite and PostgreSQL. Written from the published UK profile (the 3.0 schemas and its
//! OpenAPI document: required fields, types, formats and enumerations of each object, the paging
//! envelope, the endpoints and their parameters) as this project's own test; nothing of the
//! validator's code is copied and nothing outside this repository is read.
//!
//! The directory is the demo county plus a feed with its own taxonomy (so the feed's terms,
//! shown beside Signpost's, are checked too). The README lists what of the profile Signpost does
//! not support.

use crate::common::{spawn_app_with_demo, TestApp};
use serde_json::Value;

/// What a value must be.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Uuid,
    Uri,
    Email,
    DateTime,
    Number,
    Integer,
    Boolean,
    OneOf(&'static [&'static str]),
    Object(&'static Shape),
    Array(&'static Shape),
}

/// One ORUK object: its required fields and the kind of each field it may have.
struct Shape {
    name: &'static str,
    required: &'static [&'static str],
    fields: &'static [(&'static str, Kind)],
}

use Kind::*;

const STATUS: &[&str] = &["active", "inactive", "defunct", "temporarily closed"];
const LOCATION_TYPE: &[&str] = &["physical", "postal", "virtual"];

static TAXONOMY: Shape = Shape {
    name: "taxonomy",
    required: &["id", "name", "description"],
    fields: &[
        ("id", Uuid),
        ("name", Text),
        ("description", Text),
        ("uri", Uri),
        ("version", Text),
    ],
};
static TAXONOMY_TERM: Shape = Shape {
    name: "taxonomy_term",
    required: &["id", "name", "description"],
    fields: &[
        ("id", Uuid),
        ("name", Text),
        ("description", Text),
        ("parent_id", Uuid),
        ("taxonomy", Text),
        ("taxonomy_id", Uuid),
        ("term_uri", Uri),
        ("term", Text),
    ],
};
static ATTRIBUTE: Shape = Shape {
    name: "attribute",
    required: &["id"],
    fields: &[
        ("id", Uuid),
        ("link_id", Uuid),
        ("taxonomy_term_id", Uuid),
        ("link_type", Text),
        ("taxonomy_term", Object(&TAXONOMY_TERM)),
    ],
};
static ORGANIZATION: Shape = Shape {
    name: "organization",
    required: &["id", "name", "description"],
    fields: &[
        ("id", Uuid),
        ("name", Text),
        ("description", Text),
        ("email", Email),
        ("website", Uri),
        ("uri", Uri),
        ("parent_organization_id", Uuid),
    ],
};
static ADDRESS: Shape = Shape {
    name: "address",
    required: &[
        "id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    fields: &[
        ("id", Uuid),
        ("location_id", Uuid),
        ("address_1", Text),
        ("city", Text),
        ("region", Text),
        ("state_province", Text),
        ("postal_code", Text),
        ("country", Text),
        ("address_type", OneOf(LOCATION_TYPE)),
    ],
};
static ACCESSIBILITY: Shape = Shape {
    name: "accessibility",
    required: &["id"],
    fields: &[
        ("id", Uuid),
        ("location_id", Uuid),
        ("description", Text),
        ("details", Text),
        ("url", Uri),
    ],
};
static LOCATION: Shape = Shape {
    name: "location",
    required: &["id", "location_type"],
    fields: &[
        ("id", Uuid),
        ("location_type", OneOf(LOCATION_TYPE)),
        ("name", Text),
        ("description", Text),
        ("latitude", Number),
        ("longitude", Number),
        ("addresses", Array(&ADDRESS)),
        ("accessibility", Array(&ACCESSIBILITY)),
    ],
};
static SERVICE_AT_LOCATION: Shape = Shape {
    name: "service_at_location",
    required: &["id"],
    fields: &[
        ("id", Uuid),
        ("service_id", Uuid),
        ("location_id", Uuid),
        ("location", Object(&LOCATION)),
    ],
};
static SCHEDULE: Shape = Shape {
    name: "schedule",
    required: &["id"],
    fields: &[
        ("id", Uuid),
        ("service_id", Uuid),
        ("valid_from", Text),
        ("valid_to", Text),
        ("freq", OneOf(&["WEEKLY", "MONTHLY"])),
        ("interval", Number),
        ("byday", Text),
        ("description", Text),
        ("opens_at", Text),
        ("closes_at", Text),
    ],
};
static SERVICE_AREA: Shape = Shape {
    name: "service_area",
    required: &["id"],
    fields: &[
        ("id", Uuid),
        ("service_id", Uuid),
        ("name", Text),
        ("extent", Text),
        ("extent_type", Text),
        ("uri", Text),
    ],
};
static LANGUAGE: Shape = Shape {
    name: "language",
    required: &["id"],
    fields: &[("id", Uuid), ("service_id", Uuid)],
};
static COST_OPTION: Shape = Shape {
    name: "cost_option",
    required: &["id"],
    fields: &[
        ("id", Uuid),
        ("service_id", Uuid),
        ("option", Text),
        ("amount", Number),
        ("amount_description", Text),
    ],
};
static PHONE: Shape = Shape {
    name: "phone",
    required: &["id", "number"],
    fields: &[
        ("id", Uuid),
        ("contact_id", Uuid),
        ("number", Text),
        ("description", Text),
    ],
};
static CONTACT: Shape = Shape {
    name: "contact",
    required: &["id"],
    fields: &[
        ("id", Uuid),
        ("service_id", Uuid),
        ("name", Text),
        ("title", Text),
        ("phones", Array(&PHONE)),
    ],
};
/// A service as `/services` lists it: the one-to-one fields.
static SERVICE_LIST: Shape = Shape {
    name: "service (list)",
    required: &["id", "name", "status"],
    fields: &[
        ("id", Uuid),
        ("organization_id", Uuid),
        ("name", Text),
        ("description", Text),
        ("url", Uri),
        ("email", Email),
        ("status", OneOf(STATUS)),
        ("fees", Text),
        ("minimum_age", Number),
        ("maximum_age", Number),
        ("assured_date", Text),
        ("last_modified", DateTime),
        ("organization", Object(&ORGANIZATION)),
    ],
};
/// A service fully nested, as `/services/{id}` gives it.
static SERVICE: Shape = Shape {
    name: "service",
    required: &["id", "name", "status"],
    fields: &[
        ("id", Uuid),
        ("organization_id", Uuid),
        ("name", Text),
        ("description", Text),
        ("url", Uri),
        ("email", Email),
        ("status", OneOf(STATUS)),
        ("fees", Text),
        ("minimum_age", Number),
        ("maximum_age", Number),
        ("assured_date", Text),
        ("last_modified", DateTime),
        ("schedules", Array(&SCHEDULE)),
        ("service_areas", Array(&SERVICE_AREA)),
        ("service_at_locations", Array(&SERVICE_AT_LOCATION)),
        ("languages", Array(&LANGUAGE)),
        ("organization", Object(&ORGANIZATION)),
        ("cost_options", Array(&COST_OPTION)),
        ("contacts", Array(&CONTACT)),
        ("attributes", Array(&ATTRIBUTE)),
    ],
};

fn is_uuid(text: &str) -> bool {
    // 8-4-4-4-12 hexadecimal digits (the profile's `format: uuid`).
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_uri(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| !u.scheme().is_empty())
}

fn is_email(text: &str) -> bool {
    let mut parts = text.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && d.contains('.'))
}

fn is_date_time(text: &str) -> bool {
    // RFC 3339 `date-time`.
    text.parse::<jiff::Timestamp>().is_ok()
}

/// Every way `value` breaks `shape`, each with its path.
fn check(shape: &Shape, value: &Value, path: &str, problems: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        problems.push(format!("{path}: a {} must be an object", shape.name));
        return;
    };
    for field in shape.required {
        match object.get(*field) {
            None => problems.push(format!("{path}.{field}: required in {}", shape.name)),
            Some(Value::Null) => problems.push(format!("{path}.{field}: required, not null")),
            _ => {}
        }
    }
    for (key, v) in object {
        let at = format!("{path}.{key}");
        if v.is_null() {
            problems.push(format!("{at}: null (absent values are omitted)"));
            continue;
        }
        let Some((_, kind)) = shape.fields.iter().find(|(name, _)| name == key) else {
            continue; // additional properties are allowed
        };
        let ok = match kind {
            Text => v.is_string(),
            Uuid => v.as_str().is_some_and(is_uuid),
            Uri => v.as_str().is_some_and(is_uri),
            Email => v.as_str().is_some_and(is_email),
            DateTime => v.as_str().is_some_and(is_date_time),
            Number => v.is_number(),
            Integer => v.is_i64() || v.is_u64(),
            Boolean => v.is_boolean(),
            OneOf(values) => v.as_str().is_some_and(|s| values.contains(&s)),
            Object(inner) => {
                check(inner, v, &at, problems);
                true
            }
            Array(inner) => match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check(inner, item, &format!("{at}[{i}]"), problems);
                    }
                    true
                }
                None => false,
            },
        };
        if !ok {
            problems.push(format!("{at}: {v} is not a valid {}", kind_name(*kind)));
        }
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Text => "string",
        Uuid => "uuid",
        Uri => "uri",
        Email => "email",
        DateTime => "date-time",
        Number => "number",
        Integer => "integer",
        Boolean => "boolean",
        OneOf(_) => "value of its enumeration",
        Object(_) => "object",
        Array(_) => "array",
    }
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    let json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    assert!(json, "{path}: answers application/json");
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The paging envelope (the profile's `Page`): every field, its type, and that they agree.
fn check_page(page: &Value, page_number: u64, per_page: u64, path: &str) -> Vec<Value> {
    for (field, kind) in [
        ("total_items", Integer),
        ("total_pages", Integer),
        ("page_number", Integer),
        ("size", Integer),
        ("first_page", Boolean),
        ("last_page", Boolean),
        ("empty", Boolean),
    ] {
        let v = &page[field];
        let ok = match kind {
            Integer => v.is_u64(),
            _ => v.is_boolean(),
        };
        assert!(ok, "{path}: `{field}` is a {}: {page}", kind_name(kind));
    }
    let contents = page["contents"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: `contents` is a list"))
        .clone();
    let total = page["total_items"].as_u64().unwrap();
    let pages = page["total_pages"].as_u64().unwrap();
    assert_eq!(pages, total.div_ceil(per_page), "{path}: total_pages");
    assert_eq!(page["page_number"], page_number, "{path}: page_number");
    assert_eq!(page["size"], contents.len() as u64, "{path}: size");
    assert_eq!(page["first_page"], page_number == 1, "{path}: first_page");
    assert_eq!(page["last_page"], page_number >= pages, "{path}: last_page");
    assert_eq!(page["empty"], total == 0, "{path}: empty");
    let expected = if page_number > pages {
        0
    } else if page_number == pages {
        total - (pages - 1) * per_page
    } else {
        per_page
    };
    assert_eq!(contents.len() as u64, expected, "{path}: items on the page");
    contents
}

/// Walks every page of `endpoint`, checking each item against `shape`; all the items.
async fn walk(app: &TestApp, endpoint: &str, per_page: u64, shape: &Shape) -> Vec<Value> {
    let mut items = Vec::new();
    let mut page_number = 1;
    loop {
        let path = format!("{endpoint}?page={page_number}&per_page={per_page}");
        let (status, page) = get(app, &path).await;
        assert_eq!(status, 200, "{path}");
        let contents = check_page(&page, page_number, per_page, &path);
        let mut problems = Vec::new();
        for (i, item) in contents.iter().enumerate() {
            check(shape, item, &format!("{path} contents[{i}]"), &mut problems);
        }
        assert!(problems.is_empty(), "{problems:#?}");
        items.extend(contents);
        if page["last_page"] == true {
            break;
        }
        page_number += 1;
    }
    let mut ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        count,
        "{endpoint}: every id once across the pages"
    );
    items
}

/// Resolves a local `$ref` (`#/a/b`) in `doc`.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

/// Every `$ref` in `value`, with where it is.
fn refs(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Some(r) = v.as_str() {
                        found.push((at.to_owned(), r.to_owned()));
                    }
                } else {
                    refs(v, &format!("{at}/{k}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// The OpenAPI document is a valid OpenAPI 3 description of the profile's read API.
fn check_openapi(doc: &Value) {
    let version = doc["openapi"].as_str().expect("`openapi` is a string");
    assert!(version.starts_with("3."), "OpenAPI 3: {version}");
    assert!(doc["info"]["title"].is_string(), "info.title");
    assert!(doc["info"]["version"].is_string(), "info.version");
    let paths = doc["paths"].as_object().expect("`paths` is an object");
    for required in [
        "/",
        "/services",
        "/services/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
    ] {
        assert!(
            paths.contains_key(required),
            "openapi.json describes {required}"
        );
    }
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        let item = item.as_object().expect("a path item is an object");
        for (method, operation) in item {
            if ![
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ]
            .contains(&method.as_str())
            {
                continue;
            }
            let responses = operation["responses"]
                .as_object()
                .unwrap_or_else(|| panic!("{method} {path}: `responses`"));
            assert!(
                !responses.is_empty(),
                "{method} {path}: at least one response"
            );
            for code in responses.keys() {
                assert!(
                    code == "default" || (code.len() == 3 && code.parse::<u16>().is_ok()),
                    "{method} {path}: response key {code}"
                );
            }
            let mut parameters: Vec<Value> = Vec::new();
            for p in operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(
                    item.get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                )
            {
                let p = match p.get("$ref").and_then(Value::as_str) {
                    Some(r) => resolve(doc, r)
                        .unwrap_or_else(|| panic!("{method} {path}: {r} resolves"))
                        .clone(),
                    None => p.clone(),
                };
                assert!(p["name"].is_string(), "{method} {path}: a parameter's name");
                assert!(
                    ["query", "path", "header", "cookie"].contains(&p["in"].as_str().unwrap_or("")),
                    "{method} {path}: a parameter's `in`"
                );
                parameters.push(p);
            }
            // Every `{name}` in the path is a required path parameter.
            for segment in path.split('/') {
                if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    assert!(
                        parameters.iter().any(|p| p["name"] == name
                            && p["in"] == "path"
                            && p["required"] == true),
                        "{method} {path}: declares its path parameter {name}"
                    );
                }
            }
        }
    }
    let mut found = Vec::new();
    refs(doc, "#", &mut found);
    for (at, reference) in found {
        if reference.starts_with('#') {
            assert!(
                resolve(doc, &reference).is_some(),
                "{at}: {reference} resolves"
            );
        }
    }
}

#[tokio::test]
async fn the_read_api_passes_the_uk_profiles_checks() {
    let app = spawn_app_with_demo().await;
    // A feed's services, with its own taxonomy, beside the demo county's.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/feeds/v2-page-1.json"),
    )
    .unwrap();
    let values = signpost::directory::import::parse_document(&text).unwrap();
    signpost::directory::import::import_services(&app.db, &values)
        .await
        .unwrap();
    let mut tx = signpost::directory::repo::begin_write(app.db.pool())
        .await
        .unwrap();
    let categories = signpost::directory::mapping::categories_by_code(app.db.pool())
        .await
        .unwrap();
    for (row, category) in signpost::directory::mapping::parse_csv(
        "match,value,category\nname,young carers,young-carers.groups-and-clubs\n",
        &categories,
    )
    .unwrap()
    {
        signpost::directory::mapping::set(
            &mut tx,
            row.kind,
            &row.value,
            category,
            "2026-12-07T00:00:00Z",
        )
        .await
        .unwrap();
    }
    signpost::directory::mapping::apply(&mut tx, "2026-12-07T00:00:00Z")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The API's own description.
    let (status, meta) = get(&app, "/api/oruk/").await;
    assert_eq!(status, 200);
    assert!(meta["version"].is_string(), "version");
    assert!(meta["profile"].as_str().is_some_and(is_uri), "profile");
    let openapi_url = meta["openapi_url"].as_str().expect("openapi_url");
    assert!(is_uri(openapi_url));
    let path = url::Url::parse(openapi_url).unwrap().path().to_owned();
    let (status, doc) = get(&app, &path).await;
    assert_eq!(status, 200);
    check_openapi(&doc);

    // Every list, every page, every item; small pages so that paging is exercised.
    let services = walk(&app, "/api/oruk/services", 97, &SERVICE_LIST).await;
    assert!(services.len() > 300);
    walk(&app, "/api/oruk/taxonomies", 1, &TAXONOMY).await;
    let terms = walk(&app, "/api/oruk/taxonomy_terms", 25, &TAXONOMY_TERM).await;
    walk(
        &app,
        "/api/oruk/service_at_locations",
        200,
        &SERVICE_AT_LOCATION,
    )
    .await;

    // Every service fully nested, the feed's included (with both taxonomies).
    let mut problems = Vec::new();
    let mut foreign = 0;
    for s in &services {
        let id = s["id"].as_str().unwrap();
        let path = format!("/api/oruk/services/{id}");
        let (status, full) = get(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        check(&SERVICE, &full, &path, &mut problems);
        foreign += full["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["taxonomy_term"]["taxonomy"] == "Wessex Needs")
            .count();
        // A nested term is also its own resource.
        for a in full["attributes"].as_array().into_iter().flatten() {
            let term = a["taxonomy_term_id"].as_str().unwrap_or_default();
            if a["taxonomy_term"]["taxonomy"] == "Wessex Needs" {
                let (status, t) = get(&app, &format!("/api/oruk/taxonomy_terms/{term}")).await;
                assert_eq!(status, 200);
                check(&TAXONOMY_TERM, &t, term, &mut problems);
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(foreign, 1, "the mapped feed service shows its feed's term");
    for t in terms.iter().take(5) {
        let path = format!("/api/oruk/taxonomy_terms/{}", t["id"].as_str().unwrap());
        let (status, one) = get(&app, &path).await;
        assert_eq!(status, 200);
        assert_eq!(&one, t, "{path} is the listed term");
    }

    // Paging edge cases.
    let total = services.len() as u64;
    let (status, page) = get(&app, "/api/oruk/services").await;
    assert_eq!(status, 200, "no paging parameters: the first page");
    check_page(
        &page,
        1,
        page["contents"].as_array().unwrap().len().max(1) as u64,
        "default",
    )
    .len();
    let (status, beyond) = get(
        &app,
        &format!("/api/oruk/services?page={}&per_page=10", total / 10 + 5),
    )
    .await;
    assert_eq!(status, 200, "a page beyond the last is an empty page");
    assert!(beyond["contents"].as_array().unwrap().is_empty());
    assert_eq!(beyond["total_items"], total);
    let (_, last) = get(
        &app,
        &format!("/api/oruk/services?page={}&per_page=7", total.div_ceil(7)),
    )
    .await;
    check_page(&last, total.div_ceil(7), 7, "the last page");
    let (_, one) = get(&app, "/api/oruk/services?per_page=1&page=2").await;
    check_page(&one, 2, 1, "one a page");
    let (_, everything) = get(&app, "/api/oruk/services?per_page=200").await;
    check_page(&everything, 1, 200, "the largest page");
    for bad in [
        "page=0",
        "page=-1",
        "page=two",
        "per_page=0",
        "per_page=-5",
        "per_page=1.5",
    ] {
        let (status, body) = get(&app, &format!("/api/oruk/services?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["parameter"].is_string(), "{bad}: names the parameter");
    }

    // Every filter the profile defines for /services is accepted and gives a valid page.
    let term = terms
        .iter()
        .find(|t| t["parent_id"].is_string())
        .and_then(|t| t["id"].as_str())
        .unwrap()
        .to_owned();
    let taxonomy = terms[0]["taxonomy_id"].as_str().unwrap().to_owned();
    for query in [
        "search=carers".to_owned(),
        format!("taxonomy_term_id={term}"),
        format!("taxonomy_id={taxonomy}"),
        "minimum_age=5".to_owned(),
        "maximum_age=16".to_owned(),
        "day=MO".to_owned(),
        "start_time=09:00".to_owned(),
        "end_time=17:00".to_owned(),
    ] {
        let path = format!("/api/oruk/services?{query}&per_page=50");
        let (status, page) = get(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        let contents = check_page(&page, 1, 50, &path);
        let mut problems = Vec::new();
        for item in &contents {
            check(&SERVICE_LIST, item, &path, &mut problems);
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
    let (status, near) = get(
        &app,
        "/api/oruk/service_at_locations?postcode=BK1%204AB&proximity=3000&per_page=50",
    )
    .await;
    assert_eq!(status, 200);
    check_page(&near, 1, 50, "proximity");

    // Unknown resources: 404.
    for path in [
        "/api/oruk/services/00000000-0000-4000-8000-000000000000",
        "/api/oruk/taxonomies/00000000-0000-4000-8000-000000000000",
        "/api/oruk/taxonomy_terms/00000000-0000-4000-8000-000000000000",
        "/api/oruk/service_at_locations/00000000-0000-4000-8000-000000000000",
    ] {
        assert_eq!(get(&app, path).await.0, 404, "{path}");
    }
}

#[test]
fn the_checks_catch_what_breaks_the_profile() {
    // The checker itself must fail on bad data, or the test above proves nothing.
    let mut problems = Vec::new();
    let bad = serde_json::json!({
        "id": "not-a-uuid",
        "name": "X",
        "status": "open",
        "email": null,
        "organization": {"id": "00000000-0000-4000-8000-000000000001", "name": "O"},
        "attributes": [{"id": "00000000-0000-4000-8000-000000000002", "taxonomy_term": {"id": "00000000-0000-4000-8000-000000000003"}}],
        "last_modified": "yesterday"
    });
    check(&SERVICE, &bad, "s", &mut problems);
    for needle in [
        "s.id: \"not-a-uuid\" is not a valid uuid",
        "s.status: \"open\" is not a valid value of its enumeration",
        "s.email: null",
        "s.organization.description: required in organization",
        "s.attributes[0].taxonomy_term.name: required in taxonomy_term",
        "s.last_modified: \"yesterday\" is not a valid date-time",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "{needle} in {problems:#?}"
        );
    }
    let good_page = serde_json::json!({
        "total_items": 3, "total_pages": 2, "page_number": 2, "size": 1,
        "first_page": false, "last_page": true, "empty": false, "contents": [{}]
    });
    assert_eq!(check_page(&good_page, 2, 2, "p").len(), 1);
    let bad_page = std::panic::catch_unwind(|| {
        let page = serde_json::json!({
            "total_items": 3, "total_pages": 1, "page_number": 1, "size": 1,
            "first_page": true, "last_page": true, "empty": false, "contents": [{}]
        });
        check_page(&page, 1, 2, "p");
    });
    assert!(bad_page.is_err(), "a wrong total_pages is caught");
    let mut doc = serde_json::json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
    assert!(
        std::panic::catch_unwind(|| check_openapi(&doc)).is_err(),
        "missing paths are caught"
    );
    doc["paths"]["/"] = serde_json::json!({"get": {"responses": {"200": {"$ref": "#/nowhere"}}}});
    assert!(std::panic::catch_unwind(|| check_openapi(&doc)).is_err());
}
