//! The demo county, Brackenshire (fictional): its category tree, places and postcodes, and
//! several hundred services written as real listings (`server/demo/`, embedded in the binary).
//!
//! The demo files use a compact authoring format; here they become ORUK services with stable
//! UUIDs (version 5, from each record's key), so that loading the demo twice, or exporting and
//! importing it, keeps every id. The services then go through the ordinary import.

use super::import::{self, ImportError};
use super::oruk;
use super::postcodes::Centroid;
use super::repo::{self, TermRow};
use crate::db::Db;
use app::domain::Postcode;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

const TAXONOMY_JSON: &str = include_str!("../../demo/taxonomy.json");
const PLACES_JSON: &str = include_str!("../../demo/places.json");
/// Every `server/demo/services/*.json`, embedded by `build.rs`.
const SERVICE_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The namespace of every demo id.
fn namespace() -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        b"https://brackenshire.example/signpost",
    )
}

pub fn id(kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(&namespace(), format!("{kind}:{key}").as_bytes())
}

#[derive(Debug, Deserialize)]
struct TaxonomyFile {
    taxonomy: TaxonomyHead,
    terms: Vec<TermNode>,
}

#[derive(Debug, Deserialize)]
struct TaxonomyHead {
    id_slug: String,
    name: String,
    description: String,
    uri: Option<String>,
    version: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TermNode {
    code: String,
    name: String,
    description: String,
    #[serde(default)]
    children: Vec<TermNode>,
}

#[derive(Debug, Deserialize)]
struct PlacesFile {
    postcodes: Vec<PlacePostcode>,
}

#[derive(Debug, Deserialize)]
struct PlacePostcode {
    postcode: String,
    lat: f64,
    lon: f64,
}

#[derive(Debug, Deserialize)]
struct ServicesFile {
    #[serde(default)]
    organizations: Vec<DemoOrganization>,
    #[serde(default)]
    services: Vec<DemoService>,
}

#[derive(Debug, Deserialize)]
struct DemoOrganization {
    key: String,
    name: String,
    description: String,
    email: Option<String>,
    url: Option<String>,
    phone: Option<String>,
    charity_number: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DemoService {
    key: String,
    organization: String,
    name: String,
    summary: String,
    description: String,
    categories: Vec<String>,
    min_age: Option<i64>,
    max_age: Option<i64>,
    eligibility: Option<String>,
    cost: DemoCost,
    referral: String,
    delivery: Vec<String>,
    schedules: Vec<DemoSchedule>,
    location: Option<DemoLocation>,
    contact: Option<DemoContact>,
    url: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    accessibility: Vec<String>,
    #[serde(default)]
    wheelchair_accessible: bool,
    send_local_offer: Option<BTreeMap<String, String>>,
    last_reviewed: String,
    status: String,
}

#[derive(Debug, Deserialize)]
struct DemoCost {
    free: bool,
    amount: Option<f64>,
    per: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DemoSchedule {
    freq: String,
    byday: String,
    opens_at: String,
    closes_at: String,
    season: String,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DemoLocation {
    name: String,
    address_1: String,
    city: String,
    postcode: String,
}

#[derive(Debug, Deserialize)]
struct DemoContact {
    name: Option<String>,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo file {file} is broken: {reason}")]
    File { file: String, reason: String },
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn broken(file: &str, reason: impl ToString) -> DemoError {
    DemoError::File {
        file: file.to_owned(),
        reason: reason.to_string(),
    }
}

/// The category tree as ORUK taxonomy + term rows (stable ids from the codes).
pub fn taxonomy() -> Result<(oruk::Taxonomy, Vec<TermRow>), DemoError> {
    let file: TaxonomyFile =
        serde_json::from_str(TAXONOMY_JSON).map_err(|e| broken("taxonomy.json", e))?;
    let taxonomy = oruk::Taxonomy {
        id: id("taxonomy", &file.taxonomy.id_slug).to_string(),
        name: file.taxonomy.name,
        description: file.taxonomy.description,
        uri: file.taxonomy.uri,
        version: file.taxonomy.version,
    };
    let mut terms = Vec::new();
    for (i, top) in file.terms.iter().enumerate() {
        let top_id = id("term", &top.code);
        terms.push(TermRow {
            id: top_id,
            parent_id: None,
            code: top.code.clone(),
            name: top.name.clone(),
            description: top.description.clone(),
            position: (i as i64 + 1) * 100,
        });
        for (j, child) in top.children.iter().enumerate() {
            terms.push(TermRow {
                id: id("term", &child.code),
                parent_id: Some(top_id),
                code: child.code.clone(),
                name: child.name.clone(),
                description: child.description.clone(),
                position: (i as i64 + 1) * 100 + j as i64 + 1,
            });
        }
    }
    Ok((taxonomy, terms))
}

/// Stores the category tree (idempotent). Runs at every start: the categories are part of the
/// product, not demo content.
pub async fn ensure_taxonomy(db: &Db) -> Result<(), DemoError> {
    let (taxonomy, terms) = taxonomy()?;
    let mut tx = db.pool().begin().await?;
    repo::upsert_taxonomy(&mut tx, &taxonomy, &terms).await?;
    tx.commit().await?;
    Ok(())
}

/// The demo postcodes with their coordinates.
pub fn postcodes() -> Result<Vec<Centroid>, DemoError> {
    let file: PlacesFile =
        serde_json::from_str(PLACES_JSON).map_err(|e| broken("places.json", e))?;
    file.postcodes
        .into_iter()
        .map(|p| {
            Postcode::parse(&p.postcode)
                .map(|pc| (pc, p.lat, p.lon))
                .map_err(|e| broken("places.json", format!("{}: {e}", p.postcode)))
        })
        .collect()
}

/// The demo services in ORUK form.
pub fn services() -> Result<Vec<oruk::Service>, DemoError> {
    services_at(&postcodes()?)
}

/// The demo services, with coordinates from `postcodes`.
fn services_at(postcodes: &[Centroid]) -> Result<Vec<oruk::Service>, DemoError> {
    let postcodes: HashMap<&str, (f64, f64)> = postcodes
        .iter()
        .map(|(p, lat, lon)| (p.as_str(), (*lat, *lon)))
        .collect();
    let mut organizations = HashMap::new();
    let mut files = Vec::new();
    for (name, text) in SERVICE_FILES {
        let file: ServicesFile = serde_json::from_str(text).map_err(|e| broken(name, e))?;
        for org in &file.organizations {
            organizations.insert(org.key.clone(), organization(org));
        }
        files.push((name, file));
    }
    let mut services = Vec::new();
    for (name, file) in files {
        for service in file.services {
            let org = organizations
                .get(&service.organization)
                .cloned()
                .ok_or_else(|| {
                    broken(
                        name,
                        format!("{}: no organisation {}", service.key, service.organization),
                    )
                })?;
            services.push(convert(service, org, &postcodes));
        }
    }
    Ok(services)
}

fn organization(org: &DemoOrganization) -> oruk::Organization {
    oruk::Organization {
        id: id("organization", &org.key).to_string(),
        name: org.name.clone(),
        description: org.description.clone(),
        email: org.email.clone(),
        website: org.url.clone(),
        phone: org.phone.clone(),
        charity_number: org.charity_number.clone(),
    }
}

fn convert(
    s: DemoService,
    organization: oruk::Organization,
    postcodes: &HashMap<&str, (f64, f64)>,
) -> oruk::Service {
    let key = s.key.as_str();
    let sid = id("service", key).to_string();
    let child = |kind: &str, n: usize| id(kind, &format!("{key}/{n}")).to_string();
    let location = s.location.map(|l| {
        let location_id = child("location", 0);
        let coordinates = Postcode::parse(&l.postcode)
            .ok()
            .and_then(|p| postcodes.get(p.as_str()).copied());
        oruk::ServiceAtLocation {
            id: child("service_at_location", 0),
            service_id: Some(sid.clone()),
            location_id: Some(location_id.clone()),
            location: Some(oruk::Location {
                id: location_id.clone(),
                location_type: "physical".to_owned(),
                name: Some(l.name),
                description: None,
                latitude: coordinates.map(|c| c.0),
                longitude: coordinates.map(|c| c.1),
                addresses: vec![oruk::Address {
                    id: child("address", 0),
                    location_id: Some(location_id.clone()),
                    address_1: l.address_1,
                    address_2: None,
                    city: l.city,
                    state_province: "Brackenshire".to_owned(),
                    postal_code: l.postcode,
                    country: "GB".to_owned(),
                    address_type: "physical".to_owned(),
                }],
                accessibility: s
                    .accessibility
                    .iter()
                    .enumerate()
                    .map(|(i, a)| oruk::Accessibility {
                        id: child("accessibility", i),
                        location_id: Some(location_id.clone()),
                        description: Some(a.clone()),
                        details: None,
                    })
                    .collect(),
                wheelchair_accessible: s.wheelchair_accessible,
            }),
        }
    });
    let contacts = s
        .contact
        .map(|c| {
            let contact_id = child("contact", 0);
            vec![oruk::Contact {
                id: contact_id.clone(),
                service_id: Some(sid.clone()),
                name: c.name,
                title: c.title,
                email: c.email,
                phones: c
                    .phone
                    .map(|number| oruk::Phone {
                        id: child("phone", 0),
                        contact_id: Some(contact_id.clone()),
                        number,
                        description: None,
                    })
                    .into_iter()
                    .collect(),
            }]
        })
        .unwrap_or_default();
    let cost = oruk::CostOption {
        id: child("cost_option", 0),
        service_id: Some(sid.clone()),
        option: Some(if s.cost.free {
            "Free".to_owned()
        } else {
            "Paid".to_owned()
        }),
        amount: if s.cost.free {
            Some(0.0)
        } else {
            s.cost.amount
        },
        amount_description: s.cost.description,
        currency: Some("GBP".to_owned()),
        per: s.cost.per,
    };
    oruk::Service {
        id: sid.clone(),
        organization_id: Some(organization.id.clone()),
        name: s.name,
        description: Some(s.description),
        url: s.url,
        email: None,
        status: s.status.replace('_', " "),
        fees: None,
        minimum_age: s.min_age,
        maximum_age: s.max_age,
        assured_date: None,
        last_modified: Some(format!("{}T00:00:00Z", s.last_reviewed)),
        organization: Some(organization),
        schedules: s
            .schedules
            .into_iter()
            .enumerate()
            .map(|(i, sc)| oruk::Schedule {
                id: child("schedule", i),
                service_id: Some(sid.clone()),
                valid_from: None,
                valid_to: None,
                freq: Some(sc.freq),
                byday: Some(sc.byday),
                opens_at: Some(sc.opens_at),
                closes_at: Some(sc.closes_at),
                description: sc.description,
                season: Some(sc.season),
            })
            .collect(),
        service_areas: Vec::new(),
        service_at_locations: location.into_iter().collect(),
        languages: s
            .languages
            .iter()
            .enumerate()
            .map(|(i, name)| oruk::Language {
                id: child("language", i),
                service_id: Some(sid.clone()),
                name: Some(name.clone()),
                code: language_code(name).map(str::to_owned),
            })
            .collect(),
        cost_options: vec![cost],
        contacts,
        attributes: s
            .categories
            .iter()
            .enumerate()
            .map(|(i, code)| oruk::Attribute {
                id: child("attribute", i),
                link_id: Some(sid.clone()),
                link_type: Some("service".to_owned()),
                taxonomy_term_id: Some(id("term", code).to_string()),
                taxonomy_term: None,
            })
            .collect(),
        summary: Some(s.summary),
        eligibility: s.eligibility,
        referral_route: Some(s.referral),
        delivery: s.delivery,
        send_local_offer: s.send_local_offer,
        last_reviewed: Some(s.last_reviewed),
    }
}

/// ISO 639 codes for the languages the demo uses (639-1 where one exists, else 639-3).
fn language_code(name: &str) -> Option<&'static str> {
    Some(match name {
        "English" => "en",
        "Polish" => "pl",
        "Urdu" => "ur",
        "Punjabi" => "pa",
        "Romanian" => "ro",
        "Arabic" => "ar",
        "British Sign Language" => "bfi",
        "Portuguese" => "pt",
        "Bengali" => "bn",
        "Gujarati" => "gu",
        "Lithuanian" => "lt",
        "Somali" => "so",
        "Tigrinya" => "ti",
        "Ukrainian" => "uk",
        "Farsi" | "Persian" => "fa",
        "Kurdish" => "ku",
        "Hindi" => "hi",
        "Pashto" => "ps",
        "Dari" => "prs",
        "Russian" => "ru",
        "Turkish" => "tr",
        "Mandarin" | "Chinese" => "zh",
        "Cantonese" => "yue",
        "Spanish" => "es",
        "French" => "fr",
        "Welsh" => "cy",
        "Tamil" => "ta",
        "Bulgarian" => "bg",
        "Latvian" => "lv",
        "Slovak" => "sk",
        "Czech" => "cs",
        "Hungarian" => "hu",
        "Italian" => "it",
        _ => return None,
    })
}

/// Loads the demo county: postcodes, then every service (through the ordinary import).
/// Returns how many services were loaded.
pub async fn load(db: &Db) -> Result<usize, DemoError> {
    ensure_taxonomy(db).await?;
    let postcodes = postcodes()?;
    let mut tx = db.pool().begin().await?;
    repo::upsert_postcodes(&mut tx, &postcodes).await?;
    tx.commit().await?;
    let services = services_at(&postcodes)?;
    let values: Vec<serde_json::Value> = services
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(|e| broken("services", e))?;
    Ok(import::import_services(db, &values).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn has_term(s: &oruk::Service, code: &str) -> bool {
        let term = id("term", code).to_string();
        s.attributes
            .iter()
            .any(|a| a.taxonomy_term_id.as_deref() == Some(term.as_str()))
    }

    #[test]
    fn the_demo_county_is_big_and_distinct() {
        let services = services().unwrap();
        assert!(services.len() >= 300, "{} services", services.len());
        let organizations: HashSet<_> = services
            .iter()
            .filter_map(|s| s.organization_id.clone())
            .collect();
        assert!(
            organizations.len() >= 80,
            "{} organisations",
            organizations.len()
        );
        let ids: HashSet<_> = services.iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids.len(), services.len(), "ids are unique");
        let names: HashSet<_> = services.iter().map(|s| s.name.clone()).collect();
        assert_eq!(names.len(), services.len(), "names are distinct");
        let descriptions: HashSet<_> = services.iter().map(|s| s.description.clone()).collect();
        assert_eq!(
            descriptions.len(),
            services.len(),
            "descriptions are distinct"
        );
    }

    #[test]
    fn the_demo_county_has_what_families_asked_for() {
        let services = services().unwrap();
        let young_carers = |min: i64, max: i64| {
            services
                .iter()
                .filter(|s| {
                    (has_term(s, "young-carers.groups-and-clubs")
                        || has_term(s, "young-carers.young-adult-carers"))
                        && s.minimum_age == Some(min)
                        && s.maximum_age == Some(max)
                })
                .count()
        };
        for (min, max) in [(5, 8), (8, 12), (13, 17), (18, 25)] {
            assert!(
                young_carers(min, max) >= 1,
                "young carers groups for {min} to {max}"
            );
        }
        let evening_peer_groups = services
            .iter()
            .filter(|s| has_term(s, "adult-carers.peer-support-groups"))
            .filter(|s| {
                s.schedules
                    .iter()
                    .any(|sc| sc.opens_at.as_deref() >= Some("18:00"))
            })
            .count();
        assert!(
            evening_peer_groups >= 6,
            "{evening_peer_groups} evening carers' groups"
        );
        for code in [
            "send-support.autism",
            "parenting.parenting-courses",
            "childcare-and-early-years.childminders",
            "childcare-and-early-years.nurseries-and-pre-schools",
        ] {
            assert!(
                services.iter().filter(|s| has_term(s, code)).count() >= 3,
                "{code}"
            );
        }
        let weekend = services
            .iter()
            .filter(|s| {
                s.schedules.iter().any(|sc| {
                    sc.byday
                        .as_deref()
                        .is_some_and(|d| d.contains("SA") || d.contains("SU"))
                })
            })
            .count();
        let holidays = services
            .iter()
            .filter(|s| {
                s.schedules
                    .iter()
                    .any(|sc| sc.season.as_deref() == Some("school_holidays"))
            })
            .count();
        let paid = services
            .iter()
            .filter(|s| {
                s.cost_options
                    .iter()
                    .any(|c| c.amount.is_some_and(|a| a > 0.0))
            })
            .count();
        let online = services
            .iter()
            .filter(|s| s.delivery.iter().any(|d| d == "online"))
            .count();
        let other_languages = services
            .iter()
            .filter(|s| {
                s.languages
                    .iter()
                    .any(|l| l.name.as_deref() != Some("English"))
            })
            .count();
        assert!(
            weekend >= 30 && holidays >= 15 && paid >= 60 && online >= 30 && other_languages >= 25
        );
    }

    #[test]
    fn every_demo_location_has_coordinates_from_the_demo_postcodes() {
        for s in services().unwrap() {
            for sal in &s.service_at_locations {
                let location = sal.location.as_ref().unwrap();
                assert!(
                    location.latitude.is_some(),
                    "{}: {:?}",
                    s.name,
                    location.addresses[0].postal_code
                );
            }
        }
    }
}
