//! A directory record after validation: what the repository writes.
//!
//! `validate` turns an ORUK service (from an import file, the demo county or, later, an editor's
//! form) into a `ServiceRecord` whose every value has been parsed into a domain type, or into the
//! list of everything wrong with it, each with the field and the reason. Local rules go beyond
//! ORUK's: a description, at least one category, and for every location an address with a real
//! postcode.
//!
//! Long on purpose: the validation of every ORUK record type into domain types, in one place.

use super::oruk;
use app::domain::{
    Age, AgeRange, Email, IsoDate, PhoneNumber, Postcode, Schedule, ScheduleInput, WebUrl,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The longest text accepted for a name, a summary and a description.
pub const NAME_MAX: usize = 255;
pub const SUMMARY_MAX: usize = 300;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const SHORT_TEXT_MAX: usize = 2_000;

/// The SEND Local Offer questions a service may answer.
pub const SEND_QUESTIONS: &[(&str, &str)] = &[
    ("who_is_it_for", "Who is it for?"),
    ("how_needs_are_identified", "How are needs identified?"),
    ("how_support_is_provided", "How is support provided?"),
    ("staff_training", "What training do staff have?"),
    ("how_families_are_involved", "How are families involved?"),
    (
        "transition_support",
        "How do you help with moving on (transitions)?",
    ),
];

/// One thing wrong with one record: the field and the reason (the shared type, so the editor
/// shows it against its input).
pub use app::components::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    TemporarilyClosed,
    Archived,
}

impl Status {
    /// From ORUK's values (`active`, `temporarily closed`, `inactive`, `defunct`) or ours.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().replace('_', " ").as_str() {
            "active" => Some(Self::Active),
            "temporarily closed" => Some(Self::TemporarilyClosed),
            "inactive" | "defunct" | "archived" => Some(Self::Archived),
            _ => None,
        }
    }
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::TemporarilyClosed => "temporarily_closed",
            Self::Archived => "archived",
        }
    }
    pub fn from_db(value: &str) -> Self {
        Self::parse(value).unwrap_or(Self::Archived)
    }
    /// ORUK's word for it.
    pub fn as_oruk(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::TemporarilyClosed => "temporarily closed",
            Self::Archived => "inactive",
        }
    }
}

/// How a family gets to use the service (a domain type shared with the search).
pub use app::domain::ReferralRoute;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    pub in_person: bool,
    pub online: bool,
    pub telephone: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationRecord {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub email: Option<Email>,
    pub website: Option<WebUrl>,
    pub phone: Option<PhoneNumber>,
    pub charity_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AddressRecord {
    pub id: Uuid,
    pub address_1: String,
    pub address_2: Option<String>,
    pub city: String,
    pub state_province: String,
    pub postcode: Postcode,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocationRecord {
    pub id: Uuid,
    pub service_at_location_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Known coordinates, or `None` to take them from the postcode table.
    pub coordinates: Option<(f64, f64)>,
    pub address: AddressRecord,
    pub accessibility: Vec<(Uuid, String, Option<String>)>,
    pub wheelchair_accessible: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    pub id: Uuid,
    pub name: Option<String>,
    pub title: Option<String>,
    pub email: Option<Email>,
    pub phones: Vec<(Uuid, PhoneNumber, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CostRecord {
    pub id: Uuid,
    pub option: Option<String>,
    pub amount_pence: Option<i64>,
    pub per: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRecord {
    pub id: Uuid,
    pub organization: Option<OrganizationRecord>,
    pub organization_id: Uuid,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub url: Option<WebUrl>,
    pub email: Option<Email>,
    pub status: Status,
    pub minimum_age: Option<Age>,
    pub maximum_age: Option<Age>,
    pub eligibility: Option<String>,
    pub referral_route: ReferralRoute,
    pub delivery: Delivery,
    pub send_local_offer: Option<BTreeMap<String, String>>,
    pub last_reviewed: IsoDate,
    pub last_modified: String,
    pub schedules: Vec<(Uuid, Schedule)>,
    pub locations: Vec<LocationRecord>,
    pub contacts: Vec<ContactRecord>,
    pub costs: Vec<CostRecord>,
    pub languages: Vec<(Uuid, String, Option<String>)>,
    pub service_areas: Vec<oruk::ServiceArea>,
    /// Signpost's categories: (attribute id, taxonomy term id), given directly or mapped from a
    /// feed's own terms.
    pub categories: Vec<(Uuid, Uuid)>,
    /// The feed's own taxonomy terms (kept as given; see `mapping`).
    pub foreign_terms: Vec<ForeignTerm>,
    /// True when every term is a feed's own and none is mapped yet: stored, not public.
    pub awaiting_mapping: bool,
}

/// A taxonomy term of another system, as a feed gave it on one of its services.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignTerm {
    /// The attribute linking the service to the term.
    pub attribute_id: Uuid,
    /// The feed's id for the term (any text).
    pub id: String,
    /// The taxonomy's name as the feed gives it (or its id, or "unknown").
    pub taxonomy: String,
    pub taxonomy_id: Option<String>,
    /// The term's name; empty when the feed only referenced the term by id.
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<String>,
    pub term_uri: Option<String>,
}

/// The longest id accepted for a feed's own taxonomy term.
pub const FOREIGN_ID_MAX: usize = 200;

/// Finds Signpost's category for a feed's term (`super::mapping::Mapping` implements it).
pub trait TermMapping {
    /// The category for the term with this id, name and code, if the mapping has one.
    fn category(&self, id: &str, name: &str, code: Option<&str>) -> Option<Uuid>;
    /// What is already known of a term given only by its id: (taxonomy, name, code).
    fn known(&self, id: &str) -> Option<(String, String, Option<String>)>;
}

/// What validation needs to know about the database: the taxonomy terms that exist, the
/// organisations already stored, and today's date (for records with no review date).
pub struct Context<'a> {
    pub known_terms: &'a HashMap<Uuid, String>,
    pub known_organizations: &'a std::collections::HashSet<Uuid>,
    pub today: IsoDate,
    pub now: String,
    /// How feeds' own taxonomy terms map to Signpost's categories. `None` (the editor): a term
    /// that is not one of Signpost's is an error.
    pub mapping: Option<&'a dyn TermMapping>,
}

/// Collects errors while parsing one record.
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn fail(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    fn uuid(&mut self, field: &str, value: &str) -> Uuid {
        match Uuid::parse_str(value.trim()) {
            Ok(id) => id,
            Err(_) => {
                self.fail(field, format!("'{}' is not a UUID", truncate(value, 60)));
                Uuid::nil()
            }
        }
    }

    /// Required text, trimmed, at most `max` characters.
    fn text(&mut self, field: &str, value: Option<&str>, max: usize) -> String {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                self.fail(field, "is missing");
                String::new()
            }
            Some(v) => self.bounded(field, v, max),
        }
    }

    fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| self.bounded(field, v, max))
    }

    fn bounded(&mut self, field: &str, value: &str, max: usize) -> String {
        let chars = value.chars().count();
        if chars > max {
            self.fail(
                field,
                format!("is {chars} characters long; the most is {max}"),
            );
            value.chars().take(max).collect()
        } else {
            value.to_owned()
        }
    }

    fn parsed<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(field, e.to_string());
                None
            }
        }
    }

    fn age(&mut self, field: &str, value: Option<i64>) -> Option<Age> {
        let value = value?;
        match u8::try_from(value).ok().map(Age::new) {
            Some(Ok(age)) => Some(age),
            _ => {
                self.fail(field, format!("{value} is not an age from 0 to 25"));
                None
            }
        }
    }
}

fn truncate(value: &str, max: usize) -> String {
    value.chars().take(max).collect()
}

/// Validates one ORUK service.
pub fn validate(
    service: &oruk::Service,
    ctx: &Context<'_>,
) -> Result<ServiceRecord, Vec<FieldError>> {
    let mut c = Checker { errors: Vec::new() };
    let id = c.uuid("id", &service.id);
    let name = c.text("name", Some(&service.name), NAME_MAX);
    let description = c.text(
        "description",
        service.description.as_deref(),
        DESCRIPTION_MAX,
    );
    let summary = match service
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => c.bounded("summary", s, SUMMARY_MAX),
        None => first_sentence(&description, SUMMARY_MAX),
    };
    let url = service
        .url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .and_then(|u| c.parsed("url", WebUrl::parse(u)));
    let email = service
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .and_then(|e| c.parsed("email", Email::parse(e)));
    let status = Status::parse(&service.status).unwrap_or_else(|| {
        c.fail(
            "status",
            format!(
                "'{}' is not one of active, temporarily closed, inactive, defunct",
                truncate(&service.status, 40)
            ),
        );
        Status::Archived
    });

    let minimum_age = c.age("minimum_age", service.minimum_age);
    let maximum_age = c.age("maximum_age", service.maximum_age);
    if let (Some(min), Some(max)) = (minimum_age, maximum_age) {
        c.parsed("maximum_age", AgeRange::new(min, max));
    }
    let eligibility = c.optional_text(
        "eligibility",
        service.eligibility.as_deref(),
        SHORT_TEXT_MAX,
    );

    // Organisation: nested, or one already in the directory.
    let (organization, organization_id) = match &service.organization {
        Some(org) => {
            let record = organization(&mut c, org);
            if let Some(given) = service.organization_id.as_deref() {
                if Uuid::parse_str(given.trim()).ok() != Some(record.id) {
                    c.fail("organization_id", "does not match organization.id");
                }
            }
            let id = record.id;
            (Some(record), id)
        }
        None => match service.organization_id.as_deref() {
            Some(given) => {
                let id = c.uuid("organization_id", given);
                if !id.is_nil() && !ctx.known_organizations.contains(&id) {
                    c.fail(
                        "organization_id",
                        format!("no organisation {id} in the directory"),
                    );
                }
                (None, id)
            }
            None => {
                c.fail("organization", "is missing");
                (None, Uuid::nil())
            }
        },
    };

    let referral_route = match service.referral_route.as_deref() {
        // ORUK has no referral route: feeds from elsewhere default to self-referral, which an
        // editor can change.
        None => ReferralRoute::SelfReferral,
        Some(route) => ReferralRoute::parse(route).unwrap_or_else(|| {
            c.fail(
                "referral_route",
                format!(
                    "'{}' is not one of self, professional, drop_in",
                    truncate(route, 40)
                ),
            );
            ReferralRoute::SelfReferral
        }),
    };

    let schedules = service
        .schedules
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let field = format!("schedules[{i}]");
            let sid = c.uuid(&format!("{field}.id"), &s.id);
            let input = ScheduleInput {
                freq: s.freq.clone().unwrap_or_default(),
                byday: s.byday.clone().unwrap_or_default(),
                opens_at: s.opens_at.clone().unwrap_or_default(),
                closes_at: s.closes_at.clone().unwrap_or_default(),
                season: s.season.clone().unwrap_or_default(),
                valid_from: s.valid_from.clone(),
                valid_to: s.valid_to.clone(),
                description: s.description.clone(),
            };
            match Schedule::parse_all_errors(input) {
                Ok(schedule) => Some((sid, schedule)),
                Err(errors) => {
                    for e in errors {
                        c.fail(field.clone(), e.to_string());
                    }
                    None
                }
            }
        })
        .collect();

    let locations: Vec<LocationRecord> = service
        .service_at_locations
        .iter()
        .enumerate()
        .filter_map(|(i, sal)| location(&mut c, i, sal))
        .collect();

    let contacts = service
        .contacts
        .iter()
        .enumerate()
        .map(|(i, contact)| {
            let field = format!("contacts[{i}]");
            ContactRecord {
                id: c.uuid(&format!("{field}.id"), &contact.id),
                name: c.optional_text(&format!("{field}.name"), contact.name.as_deref(), NAME_MAX),
                title: c.optional_text(
                    &format!("{field}.title"),
                    contact.title.as_deref(),
                    NAME_MAX,
                ),
                email: contact
                    .email
                    .as_deref()
                    .filter(|e| !e.trim().is_empty())
                    .and_then(|e| c.parsed(&format!("{field}.email"), Email::parse(e))),
                phones: contact
                    .phones
                    .iter()
                    .enumerate()
                    .filter_map(|(j, phone)| {
                        let pfield = format!("{field}.phones[{j}]");
                        let pid = c.uuid(&format!("{pfield}.id"), &phone.id);
                        let number = c.parsed(
                            &format!("{pfield}.number"),
                            PhoneNumber::parse(&phone.number),
                        )?;
                        let description = c.optional_text(
                            &format!("{pfield}.description"),
                            phone.description.as_deref(),
                            NAME_MAX,
                        );
                        Some((pid, number, description))
                    })
                    .collect(),
            }
        })
        .collect();

    let costs = service
        .cost_options
        .iter()
        .enumerate()
        .map(|(i, cost)| {
            let field = format!("cost_options[{i}]");
            let amount_pence = match cost.amount {
                None => None,
                Some(a) if a.is_finite() && (0.0..=100_000.0).contains(&a) => {
                    Some((a * 100.0).round() as i64)
                }
                Some(a) => {
                    c.fail(
                        format!("{field}.amount"),
                        format!("{a} is not an amount from 0 to 100000"),
                    );
                    None
                }
            };
            CostRecord {
                id: c.uuid(&format!("{field}.id"), &cost.id),
                option: c.optional_text(
                    &format!("{field}.option"),
                    cost.option.as_deref(),
                    NAME_MAX,
                ),
                amount_pence,
                per: c.optional_text(&format!("{field}.per"), cost.per.as_deref(), 20),
                description: c.optional_text(
                    &format!("{field}.amount_description"),
                    cost.amount_description.as_deref(),
                    SHORT_TEXT_MAX,
                ),
            }
        })
        .collect();

    let languages = service
        .languages
        .iter()
        .enumerate()
        .map(|(i, language)| {
            let field = format!("languages[{i}]");
            (
                c.uuid(&format!("{field}.id"), &language.id),
                c.text(&format!("{field}.name"), language.name.as_deref(), 100),
                c.optional_text(&format!("{field}.code"), language.code.as_deref(), 20),
            )
        })
        .collect();

    let mut categories: Vec<(Uuid, Uuid)> = Vec::new();
    let mut foreign_terms: Vec<ForeignTerm> = Vec::new();
    for (i, attribute) in service.attributes.iter().enumerate() {
        let field = format!("attributes[{i}]");
        let aid = c.uuid(&format!("{field}.id"), &attribute.id);
        let nested = attribute.taxonomy_term.as_ref();
        let term = attribute
            .taxonomy_term_id
            .as_deref()
            .or(nested.map(|t| t.id.as_str()))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(term) = term else {
            c.fail(format!("{field}.taxonomy_term_id"), "is missing");
            continue;
        };
        let ours = Uuid::parse_str(term)
            .ok()
            .filter(|t| ctx.known_terms.contains_key(t));
        match (ours, ctx.mapping) {
            (Some(tid), _) => {
                if !categories.iter().any(|(_, t)| *t == tid) {
                    categories.push((aid, tid));
                }
            }
            (None, None) => {
                let tid = c.uuid(&format!("{field}.taxonomy_term_id"), term);
                if !tid.is_nil() {
                    c.fail(
                        format!("{field}.taxonomy_term_id"),
                        format!("unknown taxonomy term {tid}"),
                    );
                }
            }
            (None, Some(mapping)) => {
                let Some(foreign) = foreign_term(&mut c, &field, aid, term, nested, mapping) else {
                    continue;
                };
                if foreign_terms.iter().any(|f| f.id == foreign.id) {
                    continue;
                }
                if let Some(category) =
                    mapping.category(&foreign.id, &foreign.name, foreign.code.as_deref())
                {
                    if !categories.iter().any(|(_, t)| *t == category) {
                        categories.push((mapped_attribute_id(&service.id, category), category));
                    }
                }
                foreign_terms.push(foreign);
            }
        }
    }
    if service.attributes.is_empty() {
        c.fail(
            "attributes",
            "a service needs at least one category (taxonomy term)",
        );
    }
    let awaiting_mapping = categories.is_empty() && !foreign_terms.is_empty();

    let delivery = if service.delivery.is_empty() {
        // Not given (ORUK has no such field): in person where there is a place, by phone where
        // there is a number, online where there is a website.
        Delivery {
            in_person: !locations.is_empty(),
            telephone: locations.is_empty()
                && service.contacts.iter().any(|c| !c.phones.is_empty()),
            online: locations.is_empty() && service.url.is_some(),
        }
    } else {
        let mut d = Delivery::default();
        for (i, mode) in service.delivery.iter().enumerate() {
            match mode.trim() {
                "in_person" => d.in_person = true,
                "online" => d.online = true,
                "telephone" => d.telephone = true,
                other => c.fail(
                    format!("delivery[{i}]"),
                    format!(
                        "'{}' is not one of in_person, online, telephone",
                        truncate(other, 40)
                    ),
                ),
            }
        }
        d
    };
    if delivery.in_person && locations.is_empty() {
        c.fail(
            "service_at_locations",
            "an in-person service needs a location with an address",
        );
    }

    let send_local_offer = service.send_local_offer.as_ref().map(|answers| {
        let mut clean = BTreeMap::new();
        for (key, answer) in answers {
            if !SEND_QUESTIONS.iter().any(|(k, _)| k == key) {
                c.fail(
                    format!("send_local_offer.{key}"),
                    "is not a SEND Local Offer question",
                );
            } else if let Some(a) = c.optional_text(
                &format!("send_local_offer.{key}"),
                Some(answer),
                SHORT_TEXT_MAX,
            ) {
                clean.insert(key.clone(), a);
            }
        }
        clean
    });

    let last_reviewed = match service
        .last_reviewed
        .as_deref()
        .or(service.assured_date.as_deref())
    {
        None => ctx.today,
        Some(date) => c
            .parsed(
                "last_reviewed",
                IsoDate::parse(date.get(..10).unwrap_or(date)),
            )
            .unwrap_or(ctx.today),
    };

    let service_areas = service.service_areas.clone();
    for (i, area) in service_areas.iter().enumerate() {
        c.uuid(&format!("service_areas[{i}].id"), &area.id);
    }

    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    Ok(ServiceRecord {
        id,
        organization,
        organization_id,
        name,
        summary,
        description,
        url,
        email,
        status,
        minimum_age,
        maximum_age,
        eligibility,
        referral_route,
        delivery,
        send_local_offer: send_local_offer.filter(|m| !m.is_empty()),
        last_reviewed,
        last_modified: service
            .last_modified
            .clone()
            .unwrap_or_else(|| ctx.now.clone()),
        schedules,
        locations,
        contacts,
        costs,
        languages,
        service_areas,
        categories,
        foreign_terms,
        awaiting_mapping,
    })
}

/// The attribute id of a category a mapping gave a service (stable, so a re-import keeps it).
pub fn mapped_attribute_id(service_id: &str, category: Uuid) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!(
            "signpost:mapped-attribute:{}:{category}",
            service_id.trim().to_lowercase()
        )
        .as_bytes(),
    )
}

/// A feed's own term on attribute `field`: from the nested `taxonomy_term` when it is there, else
/// what earlier imports stored for that id, else the id alone (mapped by id only).
fn foreign_term(
    c: &mut Checker,
    field: &str,
    attribute_id: Uuid,
    id: &str,
    nested: Option<&oruk::TaxonomyTerm>,
    mapping: &dyn TermMapping,
) -> Option<ForeignTerm> {
    let id = c.bounded(&format!("{field}.taxonomy_term_id"), id, FOREIGN_ID_MAX);
    let tfield = format!("{field}.taxonomy_term");
    let nested = nested.filter(|t| t.id.trim() == id || t.id.trim().is_empty());
    let Some(t) = nested else {
        let (taxonomy, name, code) = mapping
            .known(&id)
            .unwrap_or_else(|| ("unknown".to_owned(), String::new(), None));
        return Some(ForeignTerm {
            attribute_id,
            id,
            taxonomy,
            taxonomy_id: None,
            name,
            code,
            description: None,
            parent_id: None,
            term_uri: None,
        });
    };
    let taxonomy_id = c.optional_text(
        &format!("{tfield}.taxonomy_id"),
        t.taxonomy_id.as_deref(),
        FOREIGN_ID_MAX,
    );
    let taxonomy = t
        .taxonomy_detail
        .as_ref()
        .map(|d| d.name.as_str())
        .or(t.taxonomy.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| c.bounded(&format!("{tfield}.taxonomy"), n, NAME_MAX))
        .or_else(|| taxonomy_id.clone())
        .unwrap_or_else(|| "unknown".to_owned());
    Some(ForeignTerm {
        attribute_id,
        taxonomy,
        taxonomy_id,
        name: c.text(&format!("{tfield}.name"), Some(&t.name), NAME_MAX),
        code: c.optional_text(
            &format!("{tfield}.code"),
            t.code.as_deref().or(t.term.as_deref()),
            NAME_MAX,
        ),
        description: c.optional_text(
            &format!("{tfield}.description"),
            Some(&t.description),
            SHORT_TEXT_MAX,
        ),
        parent_id: c.optional_text(
            &format!("{tfield}.parent_id"),
            t.parent_id.as_deref(),
            FOREIGN_ID_MAX,
        ),
        term_uri: c.optional_text(
            &format!("{tfield}.term_uri"),
            t.term_uri.as_deref(),
            SHORT_TEXT_MAX,
        ),
        id,
    })
}

fn organization(c: &mut Checker, org: &oruk::Organization) -> OrganizationRecord {
    OrganizationRecord {
        id: c.uuid("organization.id", &org.id),
        name: c.text("organization.name", Some(&org.name), NAME_MAX),
        description: c.text(
            "organization.description",
            Some(&org.description),
            DESCRIPTION_MAX,
        ),
        email: org
            .email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .and_then(|e| c.parsed("organization.email", Email::parse(e))),
        website: org
            .website
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .and_then(|u| c.parsed("organization.website", WebUrl::parse(u))),
        phone: org
            .phone
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .and_then(|p| c.parsed("organization.phone", PhoneNumber::parse(p))),
        charity_number: c.optional_text(
            "organization.charity_number",
            org.charity_number.as_deref(),
            20,
        ),
    }
}

fn location(c: &mut Checker, i: usize, sal: &oruk::ServiceAtLocation) -> Option<LocationRecord> {
    let field = format!("service_at_locations[{i}]");
    let sal_id = c.uuid(&format!("{field}.id"), &sal.id);
    let Some(location) = &sal.location else {
        c.fail(format!("{field}.location"), "is missing");
        return None;
    };
    let lfield = format!("{field}.location");
    let id = c.uuid(&format!("{lfield}.id"), &location.id);
    let Some(address) = location.addresses.first() else {
        c.fail(
            format!("{lfield}.addresses"),
            "a location needs an address with a postcode",
        );
        return None;
    };
    let afield = format!("{lfield}.addresses[0]");
    let postcode = c.parsed(
        &format!("{afield}.postal_code"),
        Postcode::parse(&address.postal_code),
    );
    let address_1 = c.text(
        &format!("{afield}.address_1"),
        Some(&address.address_1),
        NAME_MAX,
    );
    let city = c.text(&format!("{afield}.city"), Some(&address.city), 100);
    let coordinates = match (location.latitude, location.longitude) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            Some((lat, lon))
        }
        (None, None) => None,
        _ => {
            c.fail(
                format!("{lfield}.latitude"),
                "needs both latitude and longitude, in range",
            );
            None
        }
    };
    let accessibility = location
        .accessibility
        .iter()
        .enumerate()
        .map(|(j, a)| {
            let f = format!("{lfield}.accessibility[{j}]");
            let aid = c.uuid(&format!("{f}.id"), &a.id);
            let description = c.text(
                &format!("{f}.description"),
                a.description.as_deref(),
                SHORT_TEXT_MAX,
            );
            let details = c.optional_text(
                &format!("{f}.details"),
                a.details.as_deref(),
                SHORT_TEXT_MAX,
            );
            (aid, description, details)
        })
        .collect();
    let name = location
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| c.bounded(&format!("{lfield}.name"), n, NAME_MAX))
        .unwrap_or_else(|| address_1.clone());
    Some(LocationRecord {
        id,
        service_at_location_id: sal_id,
        name,
        description: c.optional_text(
            &format!("{lfield}.description"),
            location.description.as_deref(),
            SHORT_TEXT_MAX,
        ),
        coordinates,
        address: AddressRecord {
            id: c.uuid(&format!("{afield}.id"), &address.id),
            address_1,
            address_2: c.optional_text(
                &format!("{afield}.address_2"),
                address.address_2.as_deref(),
                NAME_MAX,
            ),
            city,
            state_province: c
                .optional_text(
                    &format!("{afield}.state_province"),
                    Some(&address.state_province),
                    100,
                )
                .unwrap_or_else(|| "Brackenshire".to_owned()),
            postcode: postcode?,
            country: c
                .optional_text(&format!("{afield}.country"), Some(&address.country), 2)
                .unwrap_or_else(|| "GB".to_owned()),
        },
        accessibility,
        wheelchair_accessible: location.wheelchair_accessible,
    })
}

/// The first sentence of `text`, at most `max` characters (for feeds without a summary).
fn first_sentence(text: &str, max: usize) -> String {
    let end = text.find(". ").map(|i| i + 1).unwrap_or(text.len());
    let sentence = &text[..end];
    if sentence.chars().count() <= max {
        sentence.to_owned()
    } else {
        let mut cut: String = sentence.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
