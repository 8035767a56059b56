//! Importing and exporting ORUK JSON, on SQLite and PostgreSQL: the demo round trip, idempotent
//! upserts, and bad input reported record by record with nothing half-imported.

use crate::common::{spawn_app, spawn_app_with_demo, TestApp};
use serde_json::{json, Value};
use signpost::directory::import::{self, ImportError, RecordError};

async fn service_count(app: &TestApp) -> i64 {
    signpost::directory::repo::count_services(app.db.pool())
        .await
        .unwrap()
}

async fn term_id(app: &TestApp, code: &str) -> String {
    use sqlx::Row;
    sqlx::query("SELECT id FROM taxonomy_term WHERE code = $1")
        .bind(code)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get(0)
}

/// A small, valid service with a location, in ORUK form.
fn sample(term: &str, n: u32) -> Value {
    json!({
        "id": format!("5a1e0000-0000-4000-8000-{n:012}"),
        "name": format!("Test service {n}"),
        "description": "A drop-in group for parents and carers of toddlers. Come along for play and a chat.",
        "status": "active",
        "minimum_age": 0,
        "maximum_age": 5,
        "organization": {
            "id": "0a9e0000-0000-4000-8000-000000000001",
            "name": "Test organisation",
            "description": "Runs test services."
        },
        "schedules": [{
            "id": format!("5c4e0000-0000-4000-8000-{n:012}"),
            "freq": "WEEKLY", "byday": "TU", "opens_at": "09:30", "closes_at": "11:30",
            "season": "term_time"
        }],
        "service_at_locations": [{
            "id": format!("5a10c000-0000-4000-8000-{n:012}"),
            "location": {
                "id": format!("10c00000-0000-4000-8000-{n:012}"),
                "location_type": "physical",
                "name": "Test hall",
                "addresses": [{
                    "id": format!("add00000-0000-4000-8000-{n:012}"),
                    "address_1": "1 Test Street", "city": "Brackenfield",
                    "state_province": "Brackenshire", "postal_code": "bk1 4ab",
                    "country": "GB", "address_type": "physical"
                }]
            }
        }],
        "contacts": [{
            "id": format!("c0000000-0000-4000-8000-{n:012}"),
            "name": "Test contact",
            "phones": [{ "id": format!("b0000000-0000-4000-8000-{n:012}"), "number": "01632 960123" }]
        }],
        "attributes": [{
            "id": format!("a0000000-0000-4000-8000-{n:012}"),
            "taxonomy_term_id": term
        }]
    })
}

async fn import_values(app: &TestApp, values: &[Value]) -> Result<usize, ImportError> {
    import::import_services(&app.db, values).await
}

fn problems(result: Result<usize, ImportError>) -> Vec<RecordError> {
    match result {
        Err(ImportError::Invalid(errors)) => errors,
        other => panic!("expected per-record errors, got {other:?}"),
    }
}

#[tokio::test]
async fn demo_export_round_trips_through_an_empty_database() {
    let demo = spawn_app_with_demo().await;
    let first = import::export_services(&demo.db).await.unwrap();
    assert!(first.len() >= 150);
    let first_json = serde_json::to_string_pretty(&first).unwrap();

    let empty = spawn_app().await;
    assert_eq!(service_count(&empty).await, 0);
    let values = import::parse_document(&first_json).unwrap();
    let imported = import_values(&empty, &values).await.unwrap();
    assert_eq!(imported, first.len());
    let second = import::export_services(&empty.db).await.unwrap();
    let second_json = serde_json::to_string_pretty(&second).unwrap();
    assert!(
        first_json == second_json,
        "export → import → export gives identical JSON"
    );

    // Importing the same file again changes nothing (upserts by id).
    import_values(&empty, &values).await.unwrap();
    let third =
        serde_json::to_string_pretty(&import::export_services(&empty.db).await.unwrap()).unwrap();
    assert!(third == first_json);
    assert_eq!(service_count(&empty).await, first.len() as i64);
}

#[tokio::test]
async fn a_page_of_services_imports_like_a_list() {
    let app = spawn_app().await;
    let term = term_id(&app, "parenting.baby-and-toddler-groups").await;
    let page = json!({ "total_items": 2, "contents": [sample(&term, 1), sample(&term, 2)] });
    let values = import::parse_document(&page.to_string()).unwrap();
    assert_eq!(import_values(&app, &values).await.unwrap(), 2);
    let stored = signpost::directory::repo::get_service(
        app.db.pool(),
        "5a1e0000-0000-4000-8000-000000000001",
    )
    .await
    .unwrap()
    .unwrap();
    let address = &stored.service_at_locations[0]
        .location
        .as_ref()
        .unwrap()
        .addresses[0];
    assert_eq!(address.postal_code, "BK1 4AB", "postcodes are normalised");
    assert_eq!(
        stored.contacts[0].phones[0].number, "01632 960 123",
        "phone numbers are normalised"
    );
}

#[tokio::test]
async fn malformed_json_is_refused_whole() {
    for text in ["{", "[1, 2", "not json", ""] {
        assert!(
            matches!(import::parse_document(text), Err(ImportError::Json(_))),
            "{text:?}"
        );
    }
    for text in ["42", "\"services\"", "{\"services\": []}"] {
        assert!(
            matches!(import::parse_document(text), Err(ImportError::Shape)),
            "{text:?}"
        );
    }
}

#[tokio::test]
async fn bad_records_are_all_reported_and_nothing_is_imported() {
    let app = spawn_app().await;
    let term = term_id(&app, "parenting.baby-and-toddler-groups").await;
    let good = sample(&term, 1);

    let mut unknown_term = sample(&term, 2);
    unknown_term["attributes"][0]["taxonomy_term_id"] =
        json!("00000000-0000-4000-8000-00000000dead");
    let mut bad_uuid = sample(&term, 3);
    bad_uuid["id"] = json!("service-3");
    let mut negative_age = sample(&term, 4);
    negative_age["minimum_age"] = json!(-1);
    let mut inverted_ages = sample(&term, 5);
    inverted_ages["minimum_age"] = json!(12);
    inverted_ages["maximum_age"] = json!(8);
    let mut bad_postcode = sample(&term, 6);
    bad_postcode["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] =
        json!("NOT A POSTCODE");
    let mut huge = sample(&term, 7);
    huge["description"] = json!("a".repeat(10 * 1024 * 1024));
    let mut no_category = sample(&term, 8);
    no_category["attributes"] = json!([]);
    let mut wrong_type = sample(&term, 9);
    wrong_type["minimum_age"] = json!("five");
    let duplicate = sample(&term, 1);

    let values = vec![
        good,
        unknown_term,
        bad_uuid,
        negative_age,
        inverted_ages,
        bad_postcode,
        huge,
        no_category,
        wrong_type,
        duplicate,
    ];
    let errors = problems(import_values(&app, &values).await);
    let has = |record: &str, field: &str, needle: &str| {
        errors
            .iter()
            .any(|e| e.record == record && e.field.contains(field) && e.reason.contains(needle))
    };
    // A term Signpost does not know is another system's own, kept and mapped (feeds.rs): not a
    // problem with the record (it would wait, not public, for a mapping).
    assert!(
        !errors
            .iter()
            .any(|e| e.record == "5a1e0000-0000-4000-8000-000000000002"),
        "{errors:#?}"
    );
    assert!(has("service-3", "id", "not a UUID"), "{errors:#?}");
    assert!(
        has("5a1e0000-0000-4000-8000-000000000004", "minimum_age", "-1"),
        "{errors:#?}"
    );
    assert!(
        has("5a1e0000-0000-4000-8000-000000000005", "maximum_age", ""),
        "{errors:#?}"
    );
    assert!(
        has(
            "5a1e0000-0000-4000-8000-000000000006",
            "postal_code",
            "postcode"
        ),
        "{errors:#?}"
    );
    assert!(
        has(
            "5a1e0000-0000-4000-8000-000000000007",
            "description",
            "the most is"
        ),
        "{errors:#?}"
    );
    assert!(
        has(
            "5a1e0000-0000-4000-8000-000000000008",
            "attributes",
            "category"
        ),
        "{errors:#?}"
    );
    assert!(
        has("5a1e0000-0000-4000-8000-000000000009", "(record)", ""),
        "{errors:#?}"
    );
    assert!(
        has(
            "5a1e0000-0000-4000-8000-000000000001",
            "id",
            "more than once"
        ),
        "{errors:#?}"
    );
    // The one good record was not written either.
    assert_eq!(service_count(&app).await, 0, "nothing half-imported");
    // No message repeats the 10 MB description back.
    assert!(errors.iter().all(|e| e.to_string().len() < 500));
}

#[tokio::test]
async fn import_and_export_commands_work_end_to_end() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db", dir.path().display());
    // Runs `signpost ARGS` against the test database: (succeeded, standard error).
    let signpost = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(args)
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, stderr) = signpost(&["import".as_ref(), "demo".as_ref()]);
    assert!(ok, "{stderr}");
    let export = dir.path().join("export.json");
    let (ok, stderr) = signpost(&["export".as_ref(), "oruk".as_ref(), export.as_os_str()]);
    assert!(ok, "{stderr}");
    let exported: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    assert!(exported.len() >= 150);

    // A bad file: every problem on its own line, then one verdict; exit non-zero.
    let bad = dir.path().join("bad.json");
    let mut broken = exported[0].clone();
    broken["minimum_age"] = json!(30);
    std::fs::write(&bad, serde_json::to_string(&vec![broken]).unwrap()).unwrap();
    let (ok, stderr) = signpost(&["import".as_ref(), "oruk".as_ref(), bad.as_os_str()]);
    assert!(!ok);
    assert!(
        stderr.contains("minimum_age: 30 is not an age from 0 to 25"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    // Postcodes in the ONS Postcode Directory format.
    let onspd = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/onspd-sample.csv");
    let (ok, stderr) = signpost(&["import".as_ref(), "postcodes".as_ref(), onspd.as_ref()]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("imported 8 postcodes"), "{stderr}");
    assert!(
        stderr.contains("1 terminated and 1 without coordinates"),
        "{stderr}"
    );
}
