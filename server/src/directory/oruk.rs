//! The Open Referral UK 3.0 JSON shapes Signpost reads (import) and writes (API, export).
//!
//! Field names and nesting follow the UK profile's schemas. Signpost's own fields ride along as
//! additional properties (ORUK allows them) so that an export can be imported again without loss:
//! `summary`, `eligibility`, `referral_route`, `delivery`, `send_local_offer`, `last_reviewed` on a
//! service; `phone` and `charity_number` on an organisation; `season` on a schedule; `per` and
//! `currency` on a cost option; `wheelchair_accessible` on a location; `code` on a taxonomy term.
//! Some fields come from HSDS 3.0 rather than the UK profile: `address_2`, a language's `name` and
//! `code`, a contact's `email` and `phones`. Absent values are omitted, never `null`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_age: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assured_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub service_areas: Vec<ServiceArea>,
    #[serde(default)]
    pub service_at_locations: Vec<ServiceAtLocation>,
    #[serde(default)]
    pub languages: Vec<Language>,
    #[serde(default)]
    pub cost_options: Vec<CostOption>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    // Signpost's additional properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_route: Option<String>,
    #[serde(default)]
    pub delivery: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_local_offer: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<String>,
}

/// A service as listed by `/services` (no nested arrays), per the UK profile's service_list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceSummary {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_age: Option<i64>,
    pub last_modified: String,
    pub organization: Organization,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    // Signpost's additional properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charity_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freq: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byday: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    // Signpost's: all_year | term_time | school_holidays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceArea {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceAtLocation {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    pub location_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub addresses: Vec<Address>,
    #[serde(default)]
    pub accessibility: Vec<Accessibility>,
    // Signpost's.
    #[serde(default, skip_serializing_if = "is_false")]
    pub wheelchair_accessible: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    pub address_1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_2: Option<String>,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    pub country: String,
    pub address_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accessibility {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Language {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostOption {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_description: Option<String>,
    // Signpost's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub phones: Vec<Phone>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy_term_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy_term: Option<TaxonomyTerm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Taxonomy {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxonomyTerm {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_uri: Option<String>,
    // Signpost's stable code for the term, e.g. `young-carers.groups-and-clubs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The ORUK v3 paging envelope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub total_items: u64,
    pub total_pages: u64,
    pub page_number: u64,
    pub size: u64,
    pub first_page: bool,
    pub last_page: bool,
    pub empty: bool,
    pub contents: Vec<T>,
}

impl<T> Page<T> {
    /// A page of `contents` out of `total_items`, `per_page` to a page.
    pub fn new(contents: Vec<T>, total_items: u64, page_number: u64, per_page: u64) -> Self {
        let total_pages = if per_page == 0 {
            0
        } else {
            total_items.div_ceil(per_page)
        };
        Self {
            total_items,
            total_pages,
            page_number,
            size: contents.len() as u64,
            first_page: page_number == 1,
            last_page: page_number >= total_pages,
            empty: total_items == 0,
            contents,
        }
    }
}
