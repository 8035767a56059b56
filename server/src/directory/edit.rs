//! The editable wording of a listing, as a form holds it: what a directory editor changes in
//! the staff portal and what a provider suggests from the public site.
//!
//! [`ListingForm`] is read from a stored ORUK service ([`ListingForm::from_service`]) or from a
//! posted form ([`ListingForm::from_fields`]), and applied back onto the stored service
//! ([`ListingForm::apply`]); the result then goes through [`super::model::validate`], the same
//! rules as an import. The form covers what families read most: the name and wording, the
//! organisation, ages, how to get it, categories, the main place, the main phone number, the cost
//! and the times. The rest of a listing (more places, languages, SEND Local Offer answers,
//! accessibility notes, service areas) is kept as it is.
//!
//! Long on purpose: the editable listing — its fields, parsing and applying them to a service — shared by the editor and suggestions.

use super::oruk;
use app::domain::Age;
use uuid::Uuid;

/// The most times (schedule rows) the form shows.
pub const MAX_SCHEDULES: usize = 6;

/// One time the service runs, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleRow {
    /// WEEKLY or MONTHLY.
    pub freq: String,
    /// Days as iCalendar BYDAY, e.g. `MO,WE` or `1TU`.
    pub days: String,
    pub opens_at: String,
    pub closes_at: String,
    /// all_year, term_time or school_holidays.
    pub season: String,
    pub description: String,
}

impl ScheduleRow {
    /// A row with nothing typed in it (the spare row at the end of the form).
    pub fn is_blank(&self) -> bool {
        [
            &self.days,
            &self.opens_at,
            &self.closes_at,
            &self.description,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// The form's values, as typed (nothing here is trusted until `validate` has run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingForm {
    pub name: String,
    pub organization_id: String,
    pub new_organization: String,
    pub new_organization_description: String,
    pub summary: String,
    pub description: String,
    pub website: String,
    pub email: String,
    pub phone: String,
    /// `active` or `temporarily closed`.
    pub status: String,
    pub minimum_age: String,
    pub maximum_age: String,
    pub eligibility: String,
    /// self, professional or drop_in.
    pub referral_route: String,
    /// in_person, online, telephone.
    pub delivery: Vec<String>,
    /// Taxonomy term ids.
    pub categories: Vec<String>,
    pub place_name: String,
    pub address_1: String,
    pub address_2: String,
    pub city: String,
    pub postcode: String,
    pub wheelchair_accessible: bool,
    /// `free`, `paid` or empty (not stated).
    pub cost: String,
    pub cost_description: String,
    pub schedules: Vec<ScheduleRow>,
}

/// The one-line text fields, with their labels: the fields a diff compares and a provider may
/// suggest new wording for.
pub const TEXT_FIELDS: &[(&str, &str)] = &[
    ("name", "Name of the service"),
    ("summary", "Summary"),
    ("description", "Description"),
    ("website", "Website"),
    ("email", "Email address"),
    ("phone", "Phone number"),
    ("minimum_age", "Youngest age"),
    ("maximum_age", "Oldest age"),
    ("eligibility", "Who can use it"),
    ("place_name", "Name of the place"),
    ("address_1", "Address line 1"),
    ("address_2", "Address line 2"),
    ("city", "Town or city"),
    ("postcode", "Postcode"),
    ("cost_description", "What it costs"),
];

/// The label of a text field.
pub fn label(name: &str) -> &'static str {
    TEXT_FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
        .unwrap_or("Listing")
}

/// A problem with one of the form's fields (`field` is the input's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

fn trimmed(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// An id that stays the same between the preview and the save: derived from the service's id.
fn child_id(service: &str, kind: &str) -> String {
    let namespace = Uuid::parse_str(service).unwrap_or(Uuid::nil());
    Uuid::new_v5(&namespace, kind.as_bytes()).to_string()
}

impl ListingForm {
    /// The text field called `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        Some(match name {
            "name" => &self.name,
            "summary" => &self.summary,
            "description" => &self.description,
            "website" => &self.website,
            "email" => &self.email,
            "phone" => &self.phone,
            "minimum_age" => &self.minimum_age,
            "maximum_age" => &self.maximum_age,
            "eligibility" => &self.eligibility,
            "place_name" => &self.place_name,
            "address_1" => &self.address_1,
            "address_2" => &self.address_2,
            "city" => &self.city,
            "postcode" => &self.postcode,
            "cost_description" => &self.cost_description,
            "organization_id" => &self.organization_id,
            "new_organization" => &self.new_organization,
            "new_organization_description" => &self.new_organization_description,
            "status" => &self.status,
            "referral_route" => &self.referral_route,
            "cost" => &self.cost,
            _ => return None,
        })
    }

    fn text_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "name" => &mut self.name,
            "summary" => &mut self.summary,
            "description" => &mut self.description,
            "website" => &mut self.website,
            "email" => &mut self.email,
            "phone" => &mut self.phone,
            "minimum_age" => &mut self.minimum_age,
            "maximum_age" => &mut self.maximum_age,
            "eligibility" => &mut self.eligibility,
            "place_name" => &mut self.place_name,
            "address_1" => &mut self.address_1,
            "address_2" => &mut self.address_2,
            "city" => &mut self.city,
            "postcode" => &mut self.postcode,
            "cost_description" => &mut self.cost_description,
            "organization_id" => &mut self.organization_id,
            "new_organization" => &mut self.new_organization,
            "new_organization_description" => &mut self.new_organization_description,
            "status" => &mut self.status,
            "referral_route" => &mut self.referral_route,
            "cost" => &mut self.cost,
            _ => return None,
        })
    }

    /// Sets a text field (unknown names are ignored). Used to lay a suggestion over a listing.
    pub fn set(&mut self, name: &str, value: &str) {
        if let Some(slot) = self.text_mut(name) {
            *slot = value.to_owned();
        }
    }

    /// The form as posted (repeated names kept: `delivery`, `categories`; schedule rows as
    /// `schedule-{i}-{part}`).
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut form = ListingForm::default();
        let mut rows = vec![ScheduleRow::default(); MAX_SCHEDULES];
        let mut seen_rows = 0;
        for (name, value) in fields {
            match name.as_str() {
                "delivery" => form.delivery.push(value.clone()),
                "categories" => form.categories.push(value.clone()),
                "wheelchair_accessible" => form.wheelchair_accessible = value == "yes",
                other => {
                    if let Some(rest) = other.strip_prefix("schedule-") {
                        let Some((index, part)) = rest.split_once('-') else {
                            continue;
                        };
                        let Some(row) = index
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| rows.get_mut(i).map(|r| (i, r)))
                        else {
                            continue;
                        };
                        seen_rows = seen_rows.max(row.0 + 1);
                        let row = row.1;
                        let slot = match part {
                            "freq" => &mut row.freq,
                            "days" => &mut row.days,
                            "opens" => &mut row.opens_at,
                            "closes" => &mut row.closes_at,
                            "season" => &mut row.season,
                            "description" => &mut row.description,
                            _ => continue,
                        };
                        *slot = value.clone();
                    } else {
                        form.set(other, value);
                    }
                }
            }
        }
        rows.truncate(seen_rows);
        form.schedules = rows;
        form
    }

    /// The form as (name, value) pairs for hidden inputs (the preview page carries them to the
    /// save; the page's view escapes them).
    pub fn hidden_inputs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut put = |name: &str, value: &str| out.push((name.to_owned(), value.to_owned()));
        for name in [
            "name",
            "organization_id",
            "new_organization",
            "new_organization_description",
            "summary",
            "description",
            "website",
            "email",
            "phone",
            "status",
            "minimum_age",
            "maximum_age",
            "eligibility",
            "referral_route",
            "place_name",
            "address_1",
            "address_2",
            "city",
            "postcode",
            "cost",
            "cost_description",
        ] {
            put(name, self.text(name).unwrap_or_default());
        }
        for d in &self.delivery {
            put("delivery", d);
        }
        for c in &self.categories {
            put("categories", c);
        }
        if self.wheelchair_accessible {
            put("wheelchair_accessible", "yes");
        }
        for (i, row) in self.schedules.iter().enumerate() {
            put(&format!("schedule-{i}-freq"), &row.freq);
            put(&format!("schedule-{i}-days"), &row.days);
            put(&format!("schedule-{i}-opens"), &row.opens_at);
            put(&format!("schedule-{i}-closes"), &row.closes_at);
            put(&format!("schedule-{i}-season"), &row.season);
            put(&format!("schedule-{i}-description"), &row.description);
        }
        out
    }

    /// The form filled in from a stored service.
    pub fn from_service(s: &oruk::Service) -> Self {
        let location = s
            .service_at_locations
            .first()
            .and_then(|sal| sal.location.as_ref());
        let address = location.and_then(|l| l.addresses.first());
        let cost = s.cost_options.first();
        ListingForm {
            name: s.name.clone(),
            organization_id: s
                .organization_id
                .clone()
                .or_else(|| s.organization.as_ref().map(|o| o.id.clone()))
                .unwrap_or_default(),
            new_organization: String::new(),
            new_organization_description: String::new(),
            summary: s.summary.clone().unwrap_or_default(),
            description: s.description.clone().unwrap_or_default(),
            website: s.url.clone().unwrap_or_default(),
            email: s.email.clone().unwrap_or_default(),
            phone: s
                .contacts
                .first()
                .and_then(|c| c.phones.first())
                .map(|p| p.number.clone())
                .unwrap_or_default(),
            status: s.status.clone(),
            minimum_age: s.minimum_age.map(|a| a.to_string()).unwrap_or_default(),
            maximum_age: s.maximum_age.map(|a| a.to_string()).unwrap_or_default(),
            eligibility: s.eligibility.clone().unwrap_or_default(),
            referral_route: s
                .referral_route
                .clone()
                .unwrap_or_else(|| "self".to_owned()),
            delivery: s.delivery.clone(),
            categories: s
                .attributes
                .iter()
                .filter_map(|a| a.taxonomy_term_id.clone())
                .collect(),
            place_name: location.and_then(|l| l.name.clone()).unwrap_or_default(),
            address_1: address.map(|a| a.address_1.clone()).unwrap_or_default(),
            address_2: address
                .and_then(|a| a.address_2.clone())
                .unwrap_or_default(),
            city: address.map(|a| a.city.clone()).unwrap_or_default(),
            postcode: address.map(|a| a.postal_code.clone()).unwrap_or_default(),
            wheelchair_accessible: location.is_some_and(|l| l.wheelchair_accessible),
            cost: match cost {
                None => String::new(),
                Some(c) if c.amount == Some(0.0) || c.option.as_deref() == Some("Free") => {
                    "free".to_owned()
                }
                Some(_) => "paid".to_owned(),
            },
            cost_description: cost
                .and_then(|c| c.amount_description.clone())
                .unwrap_or_default(),
            schedules: s
                .schedules
                .iter()
                .map(|sc| ScheduleRow {
                    freq: sc.freq.clone().unwrap_or_default(),
                    days: sc.byday.clone().unwrap_or_default(),
                    opens_at: sc.opens_at.clone().unwrap_or_default(),
                    closes_at: sc.closes_at.clone().unwrap_or_default(),
                    season: sc.season.clone().unwrap_or_default(),
                    description: sc.description.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// Whether the form's postcode differs from the stored service's main place's.
    pub fn moves_place(&self, base: &oruk::Service) -> bool {
        let stored = base
            .service_at_locations
            .first()
            .and_then(|sal| sal.location.as_ref())
            .and_then(|l| l.addresses.first())
            .map(|a| a.postal_code.as_str())
            .unwrap_or_default();
        normal(stored) != normal(&self.postcode)
    }

    /// The form's values laid over `base` (the stored service, or a new one with only its id).
    /// `coordinates` are the main place's, used when the postcode changed or the place is new.
    /// Also gives the problems that stop a value reaching validation at all (an age that is
    /// not a number: left out of the record); everything else is left to `validate`.
    pub fn apply(
        &self,
        mut s: oruk::Service,
        coordinates: Option<(f64, f64)>,
        now: &str,
        today: &str,
    ) -> (oruk::Service, Vec<FormError>) {
        let mut errors = Vec::new();
        let mut age = |field: &str, value: &str| -> Option<i64> {
            let v = value.trim();
            if v.is_empty() {
                return None;
            }
            match Age::parse(v) {
                Ok(a) => Some(i64::from(u8::from(a))),
                Err(e) => {
                    errors.push(FormError {
                        field: field.to_owned(),
                        message: e.to_string(),
                    });
                    None
                }
            }
        };
        s.minimum_age = age("minimum_age", &self.minimum_age);
        s.maximum_age = age("maximum_age", &self.maximum_age);
        let id = s.id.clone();
        s.name = self.name.trim().to_owned();
        s.summary = trimmed(&self.summary);
        s.description = trimmed(&self.description);
        s.url = trimmed(&self.website);
        s.email = trimmed(&self.email);
        s.status = self.status.trim().to_owned();
        s.eligibility = trimmed(&self.eligibility);
        s.referral_route = trimmed(&self.referral_route);
        s.delivery = self.delivery.clone();
        s.last_reviewed = Some(today.to_owned());
        s.assured_date = None;
        s.last_modified = Some(now.to_owned());

        if let Some(name) = trimmed(&self.new_organization) {
            let org_id = child_id(&id, "organization");
            s.organization_id = Some(org_id.clone());
            s.organization = Some(oruk::Organization {
                id: org_id,
                name,
                description: self.new_organization_description.trim().to_owned(),
                ..oruk::Organization::default()
            });
        } else {
            s.organization_id = trimmed(&self.organization_id);
            s.organization = None;
        }

        // Categories: an existing link keeps its id.
        let old = std::mem::take(&mut s.attributes);
        s.attributes = self
            .categories
            .iter()
            .map(|term| oruk::Attribute {
                id: old
                    .iter()
                    .find(|a| a.taxonomy_term_id.as_deref() == Some(term))
                    .map(|a| a.id.clone())
                    .unwrap_or_else(|| child_id(&id, &format!("attribute:{term}"))),
                link_id: Some(id.clone()),
                link_type: Some("service".to_owned()),
                taxonomy_term_id: Some(term.clone()),
                taxonomy_term: None,
            })
            .collect();

        self.apply_place(&mut s, coordinates);
        self.apply_phone(&mut s);
        self.apply_cost(&mut s);

        let old = std::mem::take(&mut s.schedules);
        s.schedules = self
            .schedules
            .iter()
            .filter(|row| !row.is_blank())
            .enumerate()
            .map(|(i, row)| {
                let kept = old.get(i);
                oruk::Schedule {
                    id: kept
                        .map(|k| k.id.clone())
                        .unwrap_or_else(|| child_id(&id, &format!("schedule:{i}"))),
                    service_id: Some(id.clone()),
                    valid_from: kept.and_then(|k| k.valid_from.clone()),
                    valid_to: kept.and_then(|k| k.valid_to.clone()),
                    freq: Some(if row.freq.trim().is_empty() {
                        "WEEKLY".to_owned()
                    } else {
                        row.freq.trim().to_owned()
                    }),
                    byday: Some(row.days.trim().to_ascii_uppercase().replace(' ', "")),
                    opens_at: Some(row.opens_at.trim().to_owned()),
                    closes_at: Some(row.closes_at.trim().to_owned()),
                    description: trimmed(&row.description),
                    season: trimmed(&row.season),
                }
            })
            .collect();
        (s, errors)
    }

    fn apply_place(&self, s: &mut oruk::Service, coordinates: Option<(f64, f64)>) {
        let blank = [&self.address_1, &self.address_2, &self.city, &self.postcode]
            .iter()
            .all(|v| v.trim().is_empty());
        if blank {
            if !s.service_at_locations.is_empty() {
                s.service_at_locations.remove(0);
            }
            return;
        }
        let moved = self.moves_place(s);
        let id = s.id.clone();
        if s.service_at_locations.is_empty() {
            let location_id = child_id(&id, "location:0");
            s.service_at_locations.push(oruk::ServiceAtLocation {
                id: child_id(&id, "service_at_location:0"),
                service_id: Some(id.clone()),
                location_id: Some(location_id.clone()),
                location: Some(oruk::Location {
                    id: location_id,
                    location_type: "physical".to_owned(),
                    ..oruk::Location::default()
                }),
            });
        }
        let Some(sal) = s.service_at_locations.first_mut() else {
            return;
        };
        let location_id = sal
            .location_id
            .clone()
            .unwrap_or_else(|| child_id(&id, "location:0"));
        let location = sal.location.get_or_insert_with(|| oruk::Location {
            id: location_id.clone(),
            location_type: "physical".to_owned(),
            ..oruk::Location::default()
        });
        location.name = trimmed(&self.place_name);
        location.wheelchair_accessible = self.wheelchair_accessible;
        if moved || location.latitude.is_none() {
            location.latitude = coordinates.map(|c| c.0);
            location.longitude = coordinates.map(|c| c.1);
        }
        if location.addresses.is_empty() {
            location.addresses.push(oruk::Address {
                id: child_id(&id, "address:0"),
                location_id: Some(location.id.clone()),
                state_province: "Brackenshire".to_owned(),
                country: "GB".to_owned(),
                address_type: "physical".to_owned(),
                ..oruk::Address::default()
            });
        }
        if let Some(a) = location.addresses.first_mut() {
            a.address_1 = self.address_1.trim().to_owned();
            a.address_2 = trimmed(&self.address_2);
            a.city = self.city.trim().to_owned();
            a.postal_code = self.postcode.trim().to_owned();
        }
    }

    fn apply_phone(&self, s: &mut oruk::Service) {
        let id = s.id.clone();
        let phone = trimmed(&self.phone);
        if s.contacts.is_empty() {
            let Some(number) = phone else { return };
            let contact_id = child_id(&id, "contact:0");
            s.contacts.push(oruk::Contact {
                id: contact_id.clone(),
                service_id: Some(id.clone()),
                phones: vec![oruk::Phone {
                    id: child_id(&id, "phone:0"),
                    contact_id: Some(contact_id),
                    number,
                    description: None,
                }],
                ..oruk::Contact::default()
            });
            return;
        }
        let Some(contact) = s.contacts.first_mut() else {
            return;
        };
        match (phone, contact.phones.is_empty()) {
            (None, false) => {
                contact.phones.remove(0);
            }
            (None, true) => {}
            (Some(number), true) => contact.phones.push(oruk::Phone {
                id: child_id(&id, "phone:0"),
                contact_id: Some(contact.id.clone()),
                number,
                description: None,
            }),
            (Some(number), false) => {
                if let Some(p) = contact.phones.first_mut() {
                    p.number = number;
                }
            }
        }
        if contact.phones.is_empty()
            && contact.email.is_none()
            && contact.name.is_none()
            && contact.title.is_none()
        {
            s.contacts.remove(0);
        }
    }

    fn apply_cost(&self, s: &mut oruk::Service) {
        let id = s.id.clone();
        let kept = s.cost_options.first().cloned();
        let description = trimmed(&self.cost_description);
        s.cost_options = match self.cost.as_str() {
            "free" => vec![oruk::CostOption {
                id: kept
                    .as_ref()
                    .map(|k| k.id.clone())
                    .unwrap_or_else(|| child_id(&id, "cost_option:0")),
                service_id: Some(id.clone()),
                option: Some("Free".to_owned()),
                amount: Some(0.0),
                amount_description: description,
                currency: Some("GBP".to_owned()),
                per: None,
            }],
            "paid" => {
                let was_paid = kept
                    .as_ref()
                    .is_some_and(|k| k.amount.is_some_and(|a| a > 0.0));
                vec![oruk::CostOption {
                    id: kept
                        .as_ref()
                        .map(|k| k.id.clone())
                        .unwrap_or_else(|| child_id(&id, "cost_option:0")),
                    service_id: Some(id.clone()),
                    option: Some("Paid".to_owned()),
                    amount: kept.as_ref().and_then(|k| k.amount).filter(|_| was_paid),
                    amount_description: description,
                    currency: Some("GBP".to_owned()),
                    per: kept.and_then(|k| k.per).filter(|_| was_paid),
                }]
            }
            _ => Vec::new(),
        };
    }
}

/// A postcode compared without spaces or case.
fn normal(postcode: &str) -> String {
    postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Where a validation problem (an ORUK field path from `validate`) shows on the form: the
/// input's id and the message.
pub fn locate_error(path: &str, reason: &str) -> FormError {
    let field = if let Some(rest) = path.strip_prefix("schedules[") {
        let index = rest
            .split(']')
            .next()
            .and_then(|i| i.parse::<usize>().ok())
            .unwrap_or(0);
        format!("schedule-{index}-days")
    } else if path.starts_with("service_at_locations") {
        if path.ends_with("postal_code") {
            "postcode".to_owned()
        } else if path.ends_with("city") {
            "city".to_owned()
        } else if path.ends_with("latitude") {
            "postcode".to_owned()
        } else {
            "address_1".to_owned()
        }
    } else if path.starts_with("contacts") {
        "phone".to_owned()
    } else if path.starts_with("cost_options") {
        "cost_description".to_owned()
    } else if path.starts_with("attributes") {
        "categories".to_owned()
    } else if path.starts_with("delivery") {
        "delivery".to_owned()
    } else {
        match path {
            "url" => "website",
            "organization" | "organization_id" => "organization_id",
            "organization.name" | "organization.id" => "new_organization",
            "organization.description" => "new_organization_description",
            "name" | "summary" | "description" | "email" | "status" | "minimum_age"
            | "maximum_age" | "eligibility" | "referral_route" => path,
            _ => "name",
        }
        .to_owned()
    };
    let message = if reason == "is missing" {
        match field.as_str() {
            "name" => "Enter the name of the service".to_owned(),
            "description" => "Enter a description of the service".to_owned(),
            "organization_id" => "Choose the organisation, or give a new one".to_owned(),
            "new_organization_description" => "Say what the new organisation does".to_owned(),
            "address_1" => "Enter the first line of the address".to_owned(),
            "city" => "Enter the town or city".to_owned(),
            other => format!("Enter the {}", label(other).to_lowercase()),
        }
    } else if path == "service_at_locations" {
        "An in-person service needs an address: enter one, or untick \"In person\"".to_owned()
    } else if path == "attributes" {
        "Choose at least one category".to_owned()
    } else if reason.starts_with(char::is_uppercase) {
        reason.to_owned()
    } else {
        format!("{} {reason}", label(&field))
    };
    FormError { field, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> oruk::Service {
        oruk::Service {
            id: "6f1c1f7e-3b1a-4a59-9a52-0c1d2e3f4a5b".to_owned(),
            name: "Little Acorns".to_owned(),
            status: "active".to_owned(),
            schedules: vec![oruk::Schedule {
                id: "sched-1".to_owned(),
                freq: Some("WEEKLY".to_owned()),
                byday: Some("MO".to_owned()),
                opens_at: Some("09:30".to_owned()),
                closes_at: Some("11:30".to_owned()),
                valid_from: Some("2026-09-01".to_owned()),
                ..oruk::Schedule::default()
            }],
            ..oruk::Service::default()
        }
    }

    #[test]
    fn a_listing_goes_through_the_form_and_back_unchanged() {
        let mut s = service();
        let form = ListingForm {
            name: "Little Acorns".into(),
            ..ListingForm::from_service(&s)
        };
        let fields = form.hidden_inputs();
        assert_eq!(ListingForm::from_fields(&fields), form);
        let (applied, errors) = form.apply(s.clone(), None, "2026-11-22T10:00:00Z", "2026-11-22");
        assert!(errors.is_empty());
        // The schedule keeps its id and its dates though the form does not show them.
        assert_eq!(applied.schedules[0].id, "sched-1");
        assert_eq!(
            applied.schedules[0].valid_from.as_deref(),
            Some("2026-09-01")
        );
        s.last_reviewed = Some("2026-11-22".into());
        assert_eq!(applied.last_reviewed, s.last_reviewed);
    }

    #[test]
    fn ages_must_be_whole_numbers_and_ids_are_stable() {
        let form = ListingForm {
            minimum_age: "five".into(),
            address_1: "1 High Street".into(),
            city: "Bracken".into(),
            postcode: "BK1 4AB".into(),
            phone: "01632 960 001".into(),
            cost: "free".into(),
            ..ListingForm::default()
        };
        let (_, errors) = form.apply(service(), None, "now", "2026-11-22");
        assert_eq!(errors[0].field, "minimum_age");
        assert_eq!(errors[0].message, "Enter an age as a number, like 5");
        let form = ListingForm {
            minimum_age: "5".into(),
            ..form
        };
        let (a, errors) = form.apply(service(), Some((50.1, -1.2)), "now", "2026-11-22");
        assert!(errors.is_empty());
        let (b, _) = form.apply(service(), Some((50.1, -1.2)), "now", "2026-11-22");
        assert_eq!(a, b, "the preview and the save build the same record");
        assert_eq!(a.minimum_age, Some(5));
        let location = a.service_at_locations[0].location.as_ref().expect("place");
        assert_eq!(location.latitude, Some(50.1));
        assert_eq!(location.addresses[0].postal_code, "BK1 4AB");
        assert_eq!(a.contacts[0].phones[0].number, "01632 960 001");
        assert_eq!(a.cost_options[0].amount, Some(0.0));
    }

    #[test]
    fn validation_paths_land_on_the_right_inputs() {
        let e = locate_error(
            "service_at_locations[0].location.addresses[0].postal_code",
            "Enter a real postcode, like BK1 4AB",
        );
        assert_eq!(e.field, "postcode");
        assert_eq!(e.message, "Enter a real postcode, like BK1 4AB");
        assert_eq!(locate_error("schedules[2]", "x").field, "schedule-2-days");
        assert_eq!(
            locate_error("name", "is missing").message,
            "Enter the name of the service"
        );
        assert_eq!(
            locate_error("summary", "is 301 characters long; the most is 300").message,
            "Summary is 301 characters long; the most is 300"
        );
    }
}
