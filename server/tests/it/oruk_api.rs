//! The Open Referral UK read API over the demo county, on SQLite and PostgreSQL: paging, the
//! nested service shape, filters, proximity, errors and CORS. (The conformance checker in the
//! shared tools is run by hand; these tests stand on their own.)

use crate::common::{spawn_app_with_demo, TestApp};
use serde_json::Value;

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .contains("json"),
        "{path} answers JSON"
    );
    (status, response.json().await.unwrap_or(Value::Null))
}

fn ids(page: &Value) -> Vec<String> {
    page["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Walks every page of a list and returns all items.
async fn walk(app: &TestApp, path: &str, per_page: u64) -> Vec<Value> {
    let (status, first) = get_json(app, &format!("{path}?page=1&per_page={per_page}")).await;
    assert_eq!(status, 200);
    let total = first["total_items"].as_u64().unwrap();
    let pages = first["total_pages"].as_u64().unwrap();
    assert_eq!(pages, total.div_ceil(per_page));
    assert_eq!(first["first_page"], true);
    assert_eq!(first["empty"], total == 0);
    let mut items: Vec<Value> = first["contents"].as_array().unwrap().clone();
    assert_eq!(first["size"].as_u64().unwrap(), items.len() as u64);
    for p in 2..=pages {
        let (_, page) = get_json(app, &format!("{path}?page={p}&per_page={per_page}")).await;
        assert_eq!(page["page_number"], p);
        assert_eq!(page["last_page"], p == pages);
        items.extend(page["contents"].as_array().unwrap().clone());
    }
    assert_eq!(
        items.len() as u64,
        total,
        "walking every page gives total_items"
    );
    items
}

#[tokio::test]
async fn the_oruk_api_publishes_the_demo_county() {
    let app = spawn_app_with_demo().await;

    // API metadata, with and without the trailing slash, open to every origin.
    for path in ["/api/oruk", "/api/oruk/"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response
                .headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some("*")
        );
        let meta: Value = response.json().await.unwrap();
        assert_eq!(meta["version"], "3.0");
        assert!(meta["openapi_url"]
            .as_str()
            .unwrap()
            .ends_with("/api/oruk/openapi.json"));
    }
    let (status, openapi) = get_json(&app, "/api/oruk/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(openapi["openapi"], "3.0.3");
    assert!(openapi["paths"]["/services"].is_object());

    // Every service, over several pages; ids unique.
    let services = walk(&app, "/api/oruk/services", 50).await;
    assert!(
        services.len() >= 300,
        "the demo county has at least 300 services"
    );
    let mut unique: Vec<&str> = services.iter().map(|s| s["id"].as_str().unwrap()).collect();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), services.len());
    for s in &services {
        assert!(
            s["organization"]["name"].is_string(),
            "list items carry their organisation"
        );
        assert!(s.get("schedules").is_none(), "list items are not nested");
        for (key, value) in s.as_object().unwrap() {
            assert!(!value.is_null(), "{key} is omitted rather than null");
        }
    }

    // One service, fully nested.
    let young_carers = services
        .iter()
        .find(|s| s["name"].as_str().unwrap().contains("Young Carers"))
        .expect("a young carers service");
    let id = young_carers["id"].as_str().unwrap();
    let (status, full) = get_json(&app, &format!("/api/oruk/services/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(full["name"], young_carers["name"]);
    assert!(!full["schedules"].as_array().unwrap().is_empty());
    assert!(!full["attributes"].as_array().unwrap().is_empty());
    assert!(full["attributes"][0]["taxonomy_term"]["name"].is_string());
    assert!(full["organization"]["description"].is_string());
    assert!(full["referral_route"].is_string());
    if let Some(sal) = full["service_at_locations"].as_array().unwrap().first() {
        let address = &sal["location"]["addresses"][0];
        assert!(address["postal_code"].as_str().unwrap().starts_with("BK"));
        assert!(sal["location"]["latitude"].is_f64());
    }

    // Unknown and malformed ids: 404 with a JSON body.
    for path in [
        "/api/oruk/services/00000000-0000-4000-8000-000000000000",
        "/api/oruk/services/not-a-uuid",
        "/api/oruk/taxonomies/00000000-0000-4000-8000-000000000000",
        "/api/oruk/taxonomy_terms/00000000-0000-4000-8000-000000000000",
        "/api/oruk/service_at_locations/00000000-0000-4000-8000-000000000000",
        "/api/oruk/nothing-here",
    ] {
        let (status, body) = get_json(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"], "not_found");
    }

    // Bad parameters: 400 naming the parameter.
    for (query, parameter) in [
        ("per_page=0", "per_page"),
        ("per_page=100000", "per_page"),
        ("page=-1", "page"),
        ("minimum_age=ten", "minimum_age"),
        ("day=Funday", "day"),
        ("start_time=25:00", "start_time"),
        ("taxonomy_term_id=1%27%20OR%201=1", "taxonomy_term_id"),
    ] {
        let (status, body) = get_json(&app, &format!("/api/oruk/services?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["parameter"], parameter, "{query}");
    }

    // Search finds a service by a word of its name; hostile input is just text.
    let (_, found) = get_json(
        &app,
        "/api/oruk/services?search=young%20carers&per_page=200",
    )
    .await;
    assert!(ids(&found).contains(&id.to_owned()));
    // Search goes through the search index: a typo still finds autism services.
    let (status, typo) = get_json(&app, "/api/oruk/services?search=autisum&per_page=200").await;
    assert_eq!(status, 200);
    let autism =
        signpost::directory::demo::id("service", "spectrum-autism-family-group-brackenfield")
            .to_string();
    assert!(
        ids(&typo).contains(&autism),
        "autisum finds the autism family group"
    );
    let (status, hostile) = get_json(
        &app,
        "/api/oruk/services?search=%25%27%3B%20zzqx%3B--%3Cscript%3E",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        hostile["total_items"], 0,
        "punctuation is not syntax: nothing matches zzqx"
    );
    let (_, all_again) = get_json(&app, "/api/oruk/services?per_page=1").await;
    assert_eq!(
        all_again["total_items"].as_u64().unwrap(),
        services.len() as u64,
        "still all there"
    );

    // Ages: ORUK semantics on the service's own limits.
    let (_, older) = get_json(&app, "/api/oruk/services?minimum_age=11&per_page=200").await;
    assert!(older["total_items"].as_u64().unwrap() > 0);
    for s in older["contents"].as_array().unwrap() {
        assert!(s["minimum_age"].as_i64().unwrap() >= 11);
    }
    let (_, younger) = get_json(&app, "/api/oruk/services?maximum_age=5&per_page=200").await;
    assert!(younger["total_items"].as_u64().unwrap() > 0);
    for s in younger["contents"].as_array().unwrap() {
        assert!(s["maximum_age"].as_i64().unwrap() <= 5);
    }

    // Day and time: every result has a Saturday session in that window.
    let (_, saturday) = get_json(
        &app,
        "/api/oruk/services?day=SA&start_time=09:00&end_time=13:00&per_page=50",
    )
    .await;
    assert!(saturday["total_items"].as_u64().unwrap() > 0);
    for s in saturday["contents"].as_array().unwrap() {
        let (_, full) = get_json(
            &app,
            &format!("/api/oruk/services/{}", s["id"].as_str().unwrap()),
        )
        .await;
        let ok = full["schedules"].as_array().unwrap().iter().any(|sc| {
            sc["byday"].as_str().unwrap().contains("SA")
                && sc["opens_at"].as_str().unwrap() >= "09:00"
                && sc["closes_at"].as_str().unwrap() <= "13:00"
        });
        assert!(
            ok,
            "{} has a Saturday session between 9am and 1pm",
            s["name"]
        );
    }

    // Taxonomy: the tree, and the term filter.
    let taxonomies = walk(&app, "/api/oruk/taxonomies", 10).await;
    assert_eq!(taxonomies.len(), 1);
    let (status, _) = get_json(
        &app,
        &format!(
            "/api/oruk/taxonomies/{}",
            taxonomies[0]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
    let terms = walk(&app, "/api/oruk/taxonomy_terms", 100).await;
    assert!(
        terms.len() >= 13 + 39,
        "13 categories with their second-level terms"
    );
    let top_level = terms
        .iter()
        .filter(|t| t.get("parent_id").is_none())
        .count();
    assert_eq!(top_level, 13);
    let term = terms
        .iter()
        .find(|t| t["code"] == "young-carers.groups-and-clubs")
        .expect("the young carers groups term");
    let term_id = term["id"].as_str().unwrap();
    let (status, _) = get_json(&app, &format!("/api/oruk/taxonomy_terms/{term_id}")).await;
    assert_eq!(status, 200);
    let (_, with_term) = get_json(
        &app,
        &format!("/api/oruk/services?taxonomy_term_id={term_id}&per_page=200"),
    )
    .await;
    assert!(with_term["total_items"].as_u64().unwrap() >= 4);
    for s in with_term["contents"].as_array().unwrap() {
        let (_, full) = get_json(
            &app,
            &format!("/api/oruk/services/{}", s["id"].as_str().unwrap()),
        )
        .await;
        assert!(full["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["taxonomy_term_id"] == term_id));
    }

    // Service at locations: all of them, and nearest first from a postcode.
    let sals = walk(&app, "/api/oruk/service_at_locations", 50).await;
    assert!(!sals.is_empty());
    let (status, near) = get_json(
        &app,
        "/api/oruk/service_at_locations?postcode=bk1%204ab&proximity=5000&per_page=200",
    )
    .await;
    assert_eq!(status, 200);
    let near = near["contents"].as_array().unwrap().clone();
    assert!(
        !near.is_empty() && near.len() < sals.len(),
        "a 5 km radius keeps some, not all"
    );
    let postcode = app::domain::Postcode::parse("BK1 4AB").unwrap();
    let mut conn = app.db.pool().acquire().await.unwrap();
    let (lat, lon) = signpost::directory::repo::locate_postcode(&mut conn, &postcode)
        .await
        .unwrap()
        .expect("BK1 is a demo outward code");
    let distances: Vec<f64> = near
        .iter()
        .map(|sal| {
            let l = &sal["location"];
            signpost::directory::repo::distance_metres(
                lat,
                lon,
                l["latitude"].as_f64().unwrap(),
                l["longitude"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "nearest first");
    assert!(distances.iter().all(|d| *d <= 5000.0), "all within 5 km");
    let (status, outcode) = get_json(
        &app,
        "/api/oruk/service_at_locations?postcode=BK1&per_page=5",
    )
    .await;
    assert_eq!(status, 200, "an outward code works as a centre too");
    assert!(!outcode["contents"].as_array().unwrap().is_empty());
    let (status, bad) = get_json(&app, "/api/oruk/service_at_locations?postcode=nonsense").await;
    assert_eq!(status, 400);
    assert_eq!(bad["parameter"], "postcode");
    let (status, _) = get_json(
        &app,
        &format!(
            "/api/oruk/service_at_locations/{}",
            sals[0]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
}
