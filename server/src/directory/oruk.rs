//! The Open Referral UK 3.0 JSON shapes Signpost reads (import) and writes (API, export).
//!
//! Field names and nesting follow the UK profile's schemas. Signpost's own fields ride along as
//! additional properties (ORUK allows them) so that an export can be imported again without loss:
//! `summary`, `eligibility`, `referral_route`, `delivery`, `send_local_offer`, `last_reviewed` on a
//! service; `phone` and `charity_number` on an organisation; `season` on a schedule; `per` and
//! `currency` on a cost option; `wheelchair_accessible` on a location; `code` on a taxonomy term.
//! Some fields come from HSDS 3.0 rather than the UK profile: `address_2`, a language's `name` and
//! `code`, a contact's `email` and `phones`. Absent values are omitted, never `null`
//! (`skip_serializing_none`). Missing fields read as empty (`serde(default)`), so that validation
//! can name each missing field rather than reject the whole record.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

fn is_false(b: &bool) -> bool {
    !*b
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Service {
    pub id: String,
    pub organization_id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub status: String,
    pub fees: Option<String>,
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    pub assured_date: Option<String>,
    pub last_modified: Option<String>,
    pub organization: Option<Organization>,
    pub schedules: Vec<Schedule>,
    pub service_areas: Vec<ServiceArea>,
    pub service_at_locations: Vec<ServiceAtLocation>,
    pub languages: Vec<Language>,
    pub cost_options: Vec<CostOption>,
    pub contacts: Vec<Contact>,
    pub attributes: Vec<Attribute>,
    // Signpost's additional properties.
    pub summary: Option<String>,
    pub eligibility: Option<String>,
    pub referral_route: Option<String>,
    pub delivery: Vec<String>,
    pub send_local_offer: Option<BTreeMap<String, String>>,
    pub last_reviewed: Option<String>,
}

/// A service as listed by `/services` (no nested arrays), per the UK profile's service_list.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceSummary {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub status: String,
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    pub last_modified: String,
    pub organization: Organization,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub description: String,
    pub email: Option<String>,
    pub website: Option<String>,
    // Signpost's additional properties.
    pub phone: Option<String>,
    pub charity_number: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schedule {
    pub id: String,
    pub service_id: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub freq: Option<String>,
    pub byday: Option<String>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub description: Option<String>,
    // Signpost's: all_year | term_time | school_holidays.
    pub season: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceArea {
    pub id: String,
    pub service_id: Option<String>,
    pub name: Option<String>,
    pub extent: Option<String>,
    pub extent_type: Option<String>,
    pub uri: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceAtLocation {
    pub id: String,
    pub service_id: Option<String>,
    pub location_id: Option<String>,
    pub location: Option<Location>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Location {
    pub id: String,
    pub location_type: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub addresses: Vec<Address>,
    pub accessibility: Vec<Accessibility>,
    // Signpost's.
    #[serde(default, skip_serializing_if = "is_false")]
    pub wheelchair_accessible: bool,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub id: String,
    pub location_id: Option<String>,
    pub address_1: String,
    pub address_2: Option<String>,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    pub country: String,
    pub address_type: String,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Accessibility {
    pub id: String,
    pub location_id: Option<String>,
    pub description: Option<String>,
    pub details: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Language {
    pub id: String,
    pub service_id: Option<String>,
    pub name: Option<String>,
    pub code: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostOption {
    pub id: String,
    pub service_id: Option<String>,
    pub option: Option<String>,
    pub amount: Option<f64>,
    pub amount_description: Option<String>,
    // Signpost's.
    pub currency: Option<String>,
    pub per: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub id: String,
    pub service_id: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phones: Vec<Phone>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Phone {
    pub id: String,
    pub contact_id: Option<String>,
    pub number: String,
    pub description: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attribute {
    pub id: String,
    pub link_id: Option<String>,
    pub link_type: Option<String>,
    pub taxonomy_term_id: Option<String>,
    pub taxonomy_term: Option<TaxonomyTerm>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Taxonomy {
    pub id: String,
    pub name: String,
    pub description: String,
    pub uri: Option<String>,
    pub version: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaxonomyTerm {
    pub id: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<String>,
    pub taxonomy: Option<String>,
    pub taxonomy_id: Option<String>,
    pub term_uri: Option<String>,
    /// ORUK 3.0's nested taxonomy (feeds from other systems send it; Signpost reads its name).
    pub taxonomy_detail: Option<Taxonomy>,
    /// ORUK 3.0's `term` (a code in the taxonomy), read from feeds as the term's code.
    pub term: Option<String>,
    // Signpost's stable code for the term, e.g. `young-carers.groups-and-clubs`.
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
