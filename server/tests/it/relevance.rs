//! The relevance suite: parent-style queries on the demo county with the results a person would
//! expect (`tests/data/relevance.json`), run against the embedded engine every time and against
//! Meilisearch when `MEILI_URL` is set. Prints precision@5 per engine.
//!
//! Cases marked `known_issue` document a ranking weakness we have not fixed: they count in the
//! mean and their misses are printed, but they do not fail the run. Every other case must pass.
//!
//! Precision@5 of one query = relevant services among the first five results ÷ min(5, number of
//! relevant services). A service is relevant when the case names it (`relevant`) or when it is in
//! one of the case's `relevant_categories` and passes the case's filters. Zero-result cases score
//! 1 when nothing is returned (and the expected suggestion is offered), else 0.

use serde::Deserialize;
use signpost::config::SearchSettings;
use signpost::db::Db;
use signpost::directory::{demo, repo};
use signpost::search::{
    document, sync, DeliveryMode, Filters, Near, QueryText, Search, SearchQuery, SortOrder,
};
use signpost::startup::open_search;
use std::collections::BTreeSet;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the person is looking for, in words.
    name: String,
    q: String,
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    radius_km: Option<u32>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    filters: CaseFilters,
    /// Keys of demo services that answer the query.
    #[serde(default)]
    relevant: Vec<String>,
    /// Every service in these categories (and passing the filters) answers the query.
    #[serde(default)]
    relevant_categories: Vec<String>,
    /// Keys that must be among the first five results.
    #[serde(default)]
    expect_top5: Vec<String>,
    /// The key that must come first.
    #[serde(default)]
    expect_first: Option<String>,
    /// Nothing should match.
    #[serde(default)]
    expect_zero: bool,
    /// The "did you mean" suggestion expected (for zero-result cases).
    #[serde(default)]
    expect_suggestion: Option<String>,
    /// A weakness of the ranking we know about and have not fixed: the case still scores in the
    /// mean, and its misses are printed, but they do not fail the test.
    #[serde(default)]
    known_issue: Option<String>,
    /// The engine the known issue is seen on (`embedded` or `meilisearch`); both when absent.
    #[serde(default)]
    known_issue_on: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFilters {
    #[serde(default)]
    category: Vec<String>,
    #[serde(default)]
    age: Option<u8>,
    #[serde(default)]
    free: bool,
    #[serde(default)]
    day: Vec<String>,
    #[serde(default)]
    time: Vec<String>,
    #[serde(default)]
    holidays: bool,
    #[serde(default)]
    mode: Vec<String>,
    #[serde(default)]
    wheelchair: bool,
    #[serde(default)]
    language: Vec<String>,
    #[serde(default)]
    route: Vec<String>,
}

impl CaseFilters {
    fn parse(&self) -> Filters {
        Filters {
            categories: self.category.clone(),
            age: self.age,
            free: self.free,
            days: self
                .day
                .iter()
                .map(|d| app::domain::Weekday::parse(d).expect("day"))
                .collect(),
            times: self
                .time
                .iter()
                .map(|t| app::domain::TimeOfDayBand::parse(t).expect("time"))
                .collect(),
            school_holidays: self.holidays,
            modes: self
                .mode
                .iter()
                .map(|m| DeliveryMode::parse(m).expect("mode"))
                .collect(),
            wheelchair: self.wheelchair,
            languages: self.language.clone(),
            routes: self
                .route
                .iter()
                .map(|r| signpost::directory::model::ReferralRoute::parse(r).expect("route"))
                .collect(),
        }
    }
}

fn cases() -> Vec<Case> {
    let text = include_str!("../data/relevance.json");
    serde_json::from_str(text).expect("tests/data/relevance.json is valid")
}

fn name_of(id: &str) -> Option<String> {
    demo::services()
        .ok()?
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| s.name)
}

struct Outcome {
    precision: f64,
    failures: Vec<String>,
}

async fn run_case(
    db: &Db,
    search: &Search,
    docs: &[document::SearchDocument],
    case: &Case,
) -> Outcome {
    let filters = case.filters.parse();
    let near = match &case.postcode {
        None => None,
        Some(pc) => {
            let postcode = app::domain::Postcode::parse(pc).expect("postcode");
            let mut conn = db.pool().acquire().await.expect("connection");
            let (lat, lng) = repo::locate_postcode(&mut conn, &postcode)
                .await
                .expect("lookup")
                .expect("a demo postcode");
            Some(Near::new(lat, lng, case.radius_km.map(|k| k * 1000)).expect("near"))
        }
    };
    let sort = match case.sort.as_deref() {
        Some("distance") => SortOrder::Distance,
        _ => SortOrder::Relevance,
    };
    let query = SearchQuery::new(
        QueryText::parse(&case.q).expect("query"),
        filters.clone(),
        near,
        sort,
        1,
        10,
    )
    .expect("query bounds");
    let results = search.search(&query).await.expect("search");
    let top5: Vec<String> = results.hits.iter().take(5).map(|h| h.id.clone()).collect();
    let mut failures = Vec::new();

    let id = |key: &str| demo::id("service", key).to_string();
    if case.expect_zero {
        if results.total != 0 {
            failures.push(format!(
                "expected no results, got {} (first: {:?})",
                results.total,
                top5.first().and_then(|i| name_of(i))
            ));
        }
        if let Some(expected) = &case.expect_suggestion {
            if results.suggestion.as_deref() != Some(expected.as_str()) {
                failures.push(format!(
                    "expected the suggestion {expected:?}, got {:?}",
                    results.suggestion
                ));
            }
        }
        return Outcome {
            precision: if failures.is_empty() { 1.0 } else { 0.0 },
            failures,
        };
    }

    let mut relevant: BTreeSet<String> = case.relevant.iter().map(|k| id(k)).collect();
    for doc in docs {
        if doc
            .categories
            .iter()
            .any(|c| case.relevant_categories.contains(c))
            && filters.matches(&doc.filter_values(&doc.typed()))
        {
            relevant.insert(doc.id.clone());
        }
    }
    for key in case.expect_top5.iter().chain(&case.expect_first) {
        relevant.insert(id(key));
        if !top5.contains(&id(key)) {
            failures.push(format!("expected {key} in the first five"));
        }
    }
    if let Some(key) = &case.expect_first {
        if top5.first() != Some(&id(key)) {
            failures.push(format!("expected {key} first"));
        }
    }
    let wanted = relevant.len().min(5);
    let precision = if wanted == 0 {
        failures.push("the case names no relevant service".into());
        0.0
    } else {
        top5.iter().filter(|i| relevant.contains(*i)).count() as f64 / wanted as f64
    };
    if precision < 0.6 {
        let names: Vec<String> = top5.iter().filter_map(|i| name_of(i)).collect();
        failures.push(format!("precision@5 {precision:.2}; first five: {names:?}"));
    }
    Outcome {
        precision,
        failures,
    }
}

/// Runs every case on one engine; returns the mean precision@5 and the failures.
async fn run_suite(label: &'static str, db: &Db, settings: &SearchSettings) -> (f64, Vec<String>) {
    let search = open_search(settings).expect("search opens");
    let synonyms = signpost::search::synonyms::load(db.pool())
        .await
        .expect("synonyms");
    search.set_synonyms(synonyms).await.expect("synonyms apply");
    sync::rebuild(db, &search).await.expect("index builds");
    let docs = document::load(db.pool(), None).await.expect("documents");
    let cases = cases();
    let mut total = 0.0;
    let mut failures = Vec::new();
    println!("\n{label}: precision@5 per query");
    for case in &cases {
        let outcome = run_case(db, &search, &docs, case).await;
        println!(
            "  {:.2}  {:<44} {}",
            outcome.precision,
            format!("{:?}", case.q),
            case.name
        );
        total += outcome.precision;
        for f in outcome.failures {
            let line = format!("[{label}] {:?} ({}): {f}", case.q, case.name);
            let known = case
                .known_issue
                .as_ref()
                .filter(|_| case.known_issue_on.as_deref().is_none_or(|on| on == label));
            match known {
                Some(issue) => println!("  KNOWN ISSUE {line}\n      why: {issue}"),
                None => failures.push(line),
            }
        }
    }
    let mean = total / cases.len() as f64;
    println!(
        "{label}: mean precision@5 {mean:.3} over {} queries",
        cases.len()
    );
    (mean, failures)
}

#[tokio::test]
async fn relevance_suite_on_both_engines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::common::demo_database(dir.path()).await;

    let mut report = Vec::new();
    let (embedded, mut failures) = run_suite(
        "embedded",
        &db,
        &SearchSettings::Embedded {
            dir: dir.path().join("index"),
        },
    )
    .await;
    report.push(format!("embedded: mean precision@5 {embedded:.3}"));

    match std::env::var("MEILI_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let (meili, more) = run_suite(
                "meilisearch",
                &db,
                &SearchSettings::Meilisearch {
                    url,
                    key: std::env::var("MEILI_MASTER_KEY").ok(),
                    index: crate::common::unique_name("signpost_relevance"),
                },
            )
            .await;
            failures.extend(more);
            report.push(format!("meilisearch: mean precision@5 {meili:.3}"));
            assert!(
                meili >= 0.85,
                "Meilisearch mean precision@5 {meili:.3} < 0.85"
            );
        }
        _ => {
            let warning = "Meilisearch: MEILI_URL is not set, so the relevance suite ran on the \
                           embedded engine only";
            crate::common::loud_skip(warning);
            report.push(format!("SKIPPED {warning}"));
        }
    }
    {
        // Straight to the terminal (not captured): the per-engine figures belong in every run's
        // output.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "relevance (precision@5, {} queries): {}",
            cases().len(),
            report.join("; ")
        );
    }
    let count = cases().len();
    assert!(
        count >= 40,
        "the suite has {count} cases; it needs at least 40"
    );
    assert!(
        failures.is_empty(),
        "{} relevance failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        embedded >= 0.85,
        "embedded mean precision@5 {embedded:.3} < 0.85"
    );
}
