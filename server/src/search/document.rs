//! The search document: one per service that is not archived, built from the database (the
//! source of truth) with a few bulk queries. Its JSON form is what Meilisearch stores.

use super::query::{AgeBand, DeliveryMode, FilterValues, NO_MAXIMUM_AGE};
use app::domain::ReferralRoute;
use app::domain::{ByDay, TimeOfDay, TimeOfDayBand, Weekday};
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// Bump when the document's shape or meaning changes: the fingerprint changes and every index
/// is rebuilt at the next start.
pub const DOCUMENT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Geo {
    pub lat: f64,
    pub lng: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    pub id: String,
    pub name: String,
    pub organization: String,
    pub summary: String,
    pub description: String,
    /// Names of the service's categories and of their parents.
    pub category_names: Vec<String>,
    /// Town and postcode of its first place, and the postcode's first half.
    pub place: String,
    /// Codes of the service's categories and of their parents.
    pub categories: Vec<String>,
    pub age_min: u8,
    /// [`NO_MAXIMUM_AGE`] when there is no upper limit.
    pub age_max: u8,
    pub age_bands: Vec<String>,
    pub free: bool,
    /// iCalendar day codes (`MO`…`SU`) of its sessions.
    pub days: Vec<String>,
    /// `morning`, `afternoon`, `evening`.
    pub times: Vec<String>,
    /// It has sessions specifically in the school holidays.
    pub school_holidays: bool,
    /// `in_person`, `online`, `telephone`.
    pub modes: Vec<String>,
    pub wheelchair: bool,
    /// Lower case language names.
    pub languages: Vec<String>,
    /// `self`, `professional` or `drop_in`.
    pub route: String,
    /// Where its first place is; distance is measured from here.
    #[serde(rename = "_geo", default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Geo>,
}

/// The typed form of a document's filter values (what [`crate::search::Filters::matches`] reads).
#[derive(Debug, Clone, PartialEq)]
pub struct TypedValues {
    pub days: Vec<Weekday>,
    pub times: Vec<TimeOfDayBand>,
    pub modes: Vec<DeliveryMode>,
    pub route: ReferralRoute,
}

impl SearchDocument {
    pub fn typed(&self) -> TypedValues {
        TypedValues {
            days: self
                .days
                .iter()
                .filter_map(|d| Weekday::parse(d).ok())
                .collect(),
            times: self
                .times
                .iter()
                .filter_map(|t| TimeOfDayBand::parse(t))
                .collect(),
            modes: self
                .modes
                .iter()
                .filter_map(|m| DeliveryMode::parse(m))
                .collect(),
            route: ReferralRoute::parse(&self.route).unwrap_or(ReferralRoute::SelfReferral),
        }
    }

    pub fn filter_values<'a>(&'a self, typed: &'a TypedValues) -> FilterValues<'a> {
        FilterValues {
            categories: &self.categories,
            age_min: self.age_min,
            age_max: self.age_max,
            free: self.free,
            days: &typed.days,
            times: &typed.times,
            school_holidays: self.school_holidays,
            modes: &typed.modes,
            wheelchair: self.wheelchair,
            languages: &self.languages,
            route: typed.route,
        }
    }

    /// The words "did you mean" learns from.
    pub fn vocabulary_text(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.name,
            self.organization,
            self.summary,
            self.description,
            self.category_names.join(" "),
            self.place
        )
    }
}

struct Term {
    parent: Option<String>,
    code: String,
    name: String,
}

/// A service's first place: latitude, longitude, town, postcode.
type Place = (Option<f64>, Option<f64>, Option<String>, Option<String>);

#[derive(Default)]
struct Parts {
    term_ids: Vec<String>,
    sessions: Vec<(String, String, String, String)>,
    costs: Vec<Option<i64>>,
    languages: Vec<String>,
    place: Option<Place>,
    wheelchair: bool,
}

/// `WHERE`-clause on `column` for these ids (or none), with numbered parameters.
fn restrict(column: &str, ids: Option<&[String]>) -> String {
    match ids {
        None => String::new(),
        Some(ids) => {
            let params: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
            format!(" AND {column} IN ({})", params.join(", "))
        }
    }
}

async fn rows(
    pool: &AnyPool,
    sql: &str,
    ids: Option<&[String]>,
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    let mut query = sqlx::query(sql);
    for id in ids.unwrap_or_default() {
        query = query.bind(id.as_str());
    }
    query.fetch_all(pool).await
}

/// The documents of these services (all of them when `None`). Archived or missing services have
/// none: the caller deletes them from the index.
pub async fn load(
    pool: &AnyPool,
    ids: Option<&[String]>,
) -> Result<Vec<SearchDocument>, sqlx::Error> {
    match ids {
        None => load_chunk(pool, None).await,
        Some(ids) => {
            let mut out = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(500) {
                out.extend(load_chunk(pool, Some(chunk)).await?);
            }
            Ok(out)
        }
    }
}

async fn load_chunk(
    pool: &AnyPool,
    ids: Option<&[String]>,
) -> Result<Vec<SearchDocument>, sqlx::Error> {
    let terms: HashMap<String, Term> =
        sqlx::query("SELECT id, parent_id, code, name FROM taxonomy_term")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    Term {
                        parent: r.try_get(1)?,
                        code: r.try_get(2)?,
                        name: r.try_get(3)?,
                    },
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?;

    let mut parts: HashMap<String, Parts> = HashMap::new();
    for r in rows(
        pool,
        &format!(
            "SELECT a.link_id, a.taxonomy_term_id FROM attribute a WHERE 1 = 1{} \
             ORDER BY a.link_id, a.position",
            restrict("a.link_id", ids)
        ),
        ids,
    )
    .await?
    {
        parts
            .entry(r.try_get(0)?)
            .or_default()
            .term_ids
            .push(r.try_get(1)?);
    }
    for r in rows(
        pool,
        &format!(
            "SELECT service_id, byday, opens_at, closes_at, season FROM schedule WHERE 1 = 1{} \
             ORDER BY service_id, position",
            restrict("service_id", ids)
        ),
        ids,
    )
    .await?
    {
        parts.entry(r.try_get(0)?).or_default().sessions.push((
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
        ));
    }
    for r in rows(
        pool,
        &format!(
            "SELECT service_id, amount_pence FROM cost_option WHERE 1 = 1{}",
            restrict("service_id", ids)
        ),
        ids,
    )
    .await?
    {
        parts
            .entry(r.try_get(0)?)
            .or_default()
            .costs
            .push(r.try_get(1)?);
    }
    for r in rows(
        pool,
        &format!(
            "SELECT service_id, name FROM language WHERE 1 = 1{} ORDER BY service_id, position",
            restrict("service_id", ids)
        ),
        ids,
    )
    .await?
    {
        let name: String = r.try_get(1)?;
        let name = name.trim().to_lowercase();
        let langs = &mut parts.entry(r.try_get(0)?).or_default().languages;
        if !name.is_empty() && !langs.contains(&name) {
            langs.push(name);
        }
    }
    for r in rows(
        pool,
        &format!(
            "SELECT sal.service_id, l.latitude, l.longitude, l.wheelchair_accessible, \
             ad.city, ad.postal_code FROM service_at_location sal \
             JOIN location l ON l.id = sal.location_id \
             LEFT JOIN address ad ON ad.location_id = l.id WHERE 1 = 1{} \
             ORDER BY sal.service_id, sal.id",
            restrict("sal.service_id", ids)
        ),
        ids,
    )
    .await?
    {
        let p = parts.entry(r.try_get(0)?).or_default();
        p.wheelchair |= r.try_get::<i64, _>(3)? != 0;
        if p.place.is_none() {
            p.place = Some((r.try_get(1)?, r.try_get(2)?, r.try_get(4)?, r.try_get(5)?));
        }
    }

    let services = rows(
        pool,
        &format!(
            "SELECT s.id, s.name, s.summary, s.description, s.minimum_age, s.maximum_age, \
             s.referral_route, s.delivery_in_person, s.delivery_online, s.delivery_telephone, \
             o.name FROM service s JOIN organization o ON o.id = s.organization_id \
             WHERE s.status <> 'archived' AND s.awaiting_mapping = 0{} ORDER BY s.id",
            restrict("s.id", ids)
        ),
        ids,
    )
    .await?;
    let mut documents = Vec::with_capacity(services.len());
    for r in services {
        let id: String = r.try_get(0)?;
        let p = parts.remove(&id).unwrap_or_default();
        let min: Option<i64> = r.try_get(4)?;
        let max: Option<i64> = r.try_get(5)?;
        let age_min = min.and_then(|v| u8::try_from(v).ok()).unwrap_or(0);
        let age_max = max
            .and_then(|v| u8::try_from(v).ok())
            .unwrap_or(NO_MAXIMUM_AGE);
        let mut modes = Vec::new();
        for (column, mode) in [
            (7, DeliveryMode::InPerson),
            (8, DeliveryMode::Online),
            (9, DeliveryMode::Telephone),
        ] {
            if r.try_get::<i64, _>(column)? != 0 {
                modes.push(mode.as_str().to_owned());
            }
        }
        documents.push(build(
            id,
            r.try_get(1)?,
            r.try_get(10)?,
            r.try_get(2)?,
            r.try_get(3)?,
            (age_min, age_max),
            r.try_get(6)?,
            modes,
            p,
            &terms,
        ));
    }
    Ok(documents)
}

#[allow(clippy::too_many_arguments)]
fn build(
    id: String,
    name: String,
    organization: String,
    summary: String,
    description: String,
    (age_min, age_max): (u8, u8),
    route: String,
    modes: Vec<String>,
    p: Parts,
    terms: &HashMap<String, Term>,
) -> SearchDocument {
    let mut categories = Vec::new();
    let mut category_names = Vec::new();
    for term_id in &p.term_ids {
        let mut at = Some(term_id.as_str());
        // Walk up to the top of the tree (bounded, in case of a cycle in imported data).
        for _ in 0..8 {
            let Some(term) = at.and_then(|id| terms.get(id)) else {
                break;
            };
            if !categories.contains(&term.code) {
                categories.push(term.code.clone());
                category_names.push(term.name.clone());
            }
            at = term.parent.as_deref();
        }
    }
    let mut days: Vec<Weekday> = Vec::new();
    let mut times: Vec<TimeOfDayBand> = Vec::new();
    let mut school_holidays = false;
    for (byday, opens, closes, season) in &p.sessions {
        for part in byday.split(',') {
            if let Ok(day) = ByDay::parse(part.trim()) {
                days.push(day.weekday());
            }
        }
        if let (Ok(o), Ok(c)) = (TimeOfDay::parse(opens), TimeOfDay::parse(closes)) {
            times.extend(TimeOfDayBand::for_session(o, c));
        }
        school_holidays |= season == "school_holidays";
    }
    days.sort();
    days.dedup();
    times.sort();
    times.dedup();
    let free = !p.costs.is_empty() && p.costs.iter().all(|c| c.unwrap_or(0) == 0);
    let (geo, place) = match p.place {
        Some((lat, lng, city, postcode)) => {
            let geo = match (lat, lng) {
                (Some(lat), Some(lng)) => Some(Geo { lat, lng }),
                _ => None,
            };
            let mut place = Vec::new();
            place.extend(city);
            if let Some(pc) = postcode {
                let outward = pc.split_whitespace().next().map(str::to_owned);
                place.push(pc);
                place.extend(outward);
            }
            (geo, place.join(" "))
        }
        None => (None, String::new()),
    };
    SearchDocument {
        id,
        name,
        organization,
        summary,
        description,
        category_names,
        place,
        categories,
        age_min,
        age_max,
        age_bands: AgeBand::for_range(age_min, age_max)
            .into_iter()
            .map(|b| b.as_str().to_owned())
            .collect(),
        free,
        days: days.iter().map(|d| d.as_ical().to_owned()).collect(),
        times: times.iter().map(|t| t.as_str().to_owned()).collect(),
        school_holidays,
        modes,
        wheelchair: p.wheelchair,
        languages: p.languages,
        route,
        geo,
    }
}

/// A summary of the directory that changes whenever a service is added, changed, archived or
/// removed, or the document shape changes: an index holding the same fingerprint is in step.
pub async fn fingerprint(pool: &AnyPool) -> Result<String, sqlx::Error> {
    // A listing waiting for a category is out of the index as if archived.
    let rows = sqlx::query(
        "SELECT id, last_modified, CASE WHEN awaiting_mapping = 1 THEN 'awaiting' ELSE status END \
         FROM service ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    // FNV-1a, 64 bits: stable across Rust versions and machines.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for r in &rows {
        for i in 0..3 {
            let v: String = r.try_get(i)?;
            eat(v.as_bytes());
            eat(b"|");
        }
    }
    Ok(format!("v{DOCUMENT_VERSION}-{}-{hash:016x}", rows.len()))
}
