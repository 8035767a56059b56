//! The directory's one repository: every read and write of directory tables goes through here.
//!
//! Writes take validated records (`model`) inside a transaction; reads return the ORUK shapes the
//! API and the export publish. Queries are portable between SQLite and PostgreSQL (see `db`).
//!
//! Long on purpose: the one repository — every SQL statement over the directory's tables, so a schema change has one place to look.

use super::model::{LocationRecord, ServiceRecord, Status};
use super::oruk;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AnyPool, Row};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub use crate::db::Tx;

fn flag(b: bool) -> i64 {
    i64::from(b)
}

fn opt<T: ToString>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(ToString::to_string)
}

// ---------------------------------------------------------------- writes

/// One taxonomy term to store: its id, our code, parent and position.
pub struct TermRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub description: String,
    pub position: i64,
}

pub async fn upsert_taxonomy(
    tx: &mut Tx<'_>,
    taxonomy: &oruk::Taxonomy,
    terms: &[TermRow],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO taxonomy (id, name, description, uri, version) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
         uri = excluded.uri, version = excluded.version",
    )
    .bind(&taxonomy.id)
    .bind(&taxonomy.name)
    .bind(&taxonomy.description)
    .bind(&taxonomy.uri)
    .bind(&taxonomy.version)
    .execute(&mut **tx)
    .await?;
    for term in terms {
        sqlx::query(
            "INSERT INTO taxonomy_term (id, taxonomy_id, parent_id, code, name, description, term_uri, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET taxonomy_id = excluded.taxonomy_id, parent_id = excluded.parent_id, \
             code = excluded.code, name = excluded.name, description = excluded.description, \
             term_uri = excluded.term_uri, position = excluded.position",
        )
        .bind(term.id.to_string())
        .bind(&taxonomy.id)
        .bind(term.parent_id.map(|p| p.to_string()))
        .bind(&term.code)
        .bind(&term.name)
        .bind(&term.description)
        .bind(taxonomy.uri.as_ref().map(|u| format!("{u}/{}", term.code)))
        .bind(term.position)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Stores postcode centroids (insert or replace).
pub async fn upsert_postcodes(
    tx: &mut Tx<'_>,
    postcodes: &[super::postcodes::Centroid],
) -> Result<(), sqlx::Error> {
    for (postcode, lat, lon) in postcodes {
        sqlx::query(
            "INSERT INTO postcode (postcode, outcode, latitude, longitude) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (postcode) DO UPDATE SET outcode = excluded.outcode, \
             latitude = excluded.latitude, longitude = excluded.longitude",
        )
        .bind(postcode.as_str())
        .bind(postcode.outward())
        .bind(*lat)
        .bind(*lon)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Where a postcode is: its own centroid, else the centroid of its outward code's known
/// postcodes.
pub async fn locate_postcode(
    conn: &mut AnyConnection,
    postcode: &app::domain::Postcode,
) -> Result<Option<(f64, f64)>, sqlx::Error> {
    let exact = sqlx::query("SELECT latitude, longitude FROM postcode WHERE postcode = $1")
        .bind(postcode.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = exact {
        return Ok(Some((row.try_get(0)?, row.try_get(1)?)));
    }
    locate_outcode(conn, postcode.outward()).await
}

pub async fn locate_outcode(
    conn: &mut AnyConnection,
    outcode: &str,
) -> Result<Option<(f64, f64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT AVG(latitude), AVG(longitude), COUNT(*) FROM postcode WHERE outcode = $1",
    )
    .bind(outcode)
    .fetch_one(&mut *conn)
    .await?;
    let count: i64 = row.try_get(2)?;
    if count == 0 {
        return Ok(None);
    }
    Ok(Some((row.try_get(0)?, row.try_get(1)?)))
}

/// Inserts or replaces one service with everything that belongs to it.
pub async fn upsert_service(tx: &mut Tx<'_>, s: &ServiceRecord) -> Result<(), sqlx::Error> {
    // Only the organisation's name is in its services' search documents: when it changes, each
    // of them changes.
    let mut organization_renamed = false;
    if let Some(org) = &s.organization {
        let before: Option<String> = sqlx::query("SELECT name FROM organization WHERE id = $1")
            .bind(org.id.to_string())
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        organization_renamed = before.is_some_and(|name| name != org.name);
        sqlx::query(
            "INSERT INTO organization (id, name, description, email, website, phone, charity_number, last_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
             email = excluded.email, website = excluded.website, phone = excluded.phone, \
             charity_number = excluded.charity_number, last_modified = excluded.last_modified",
        )
        .bind(org.id.to_string())
        .bind(&org.name)
        .bind(&org.description)
        .bind(opt(&org.email))
        .bind(opt(&org.website))
        .bind(opt(&org.phone))
        .bind(&org.charity_number)
        .bind(&s.last_modified)
        .execute(&mut **tx)
        .await?;
    }
    let id = s.id.to_string();
    let send = s
        .send_local_offer
        .as_ref()
        .map(|m| serde_json::to_string(m).unwrap_or_default());
    sqlx::query(
        "INSERT INTO service (id, organization_id, name, summary, description, url, email, status, \
         minimum_age, maximum_age, eligibility, referral_route, delivery_in_person, delivery_online, \
         delivery_telephone, send_local_offer, last_reviewed, last_modified) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
         ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name, \
         summary = excluded.summary, description = excluded.description, url = excluded.url, \
         email = excluded.email, status = excluded.status, minimum_age = excluded.minimum_age, \
         maximum_age = excluded.maximum_age, eligibility = excluded.eligibility, \
         referral_route = excluded.referral_route, delivery_in_person = excluded.delivery_in_person, \
         delivery_online = excluded.delivery_online, delivery_telephone = excluded.delivery_telephone, \
         send_local_offer = excluded.send_local_offer, last_reviewed = excluded.last_reviewed, \
         last_modified = excluded.last_modified",
    )
    .bind(&id)
    .bind(s.organization_id.to_string())
    .bind(&s.name)
    .bind(&s.summary)
    .bind(&s.description)
    .bind(opt(&s.url))
    .bind(opt(&s.email))
    .bind(s.status.as_db())
    .bind(s.minimum_age.map(|a| i64::from(a.get())))
    .bind(s.maximum_age.map(|a| i64::from(a.get())))
    .bind(&s.eligibility)
    .bind(s.referral_route.as_str())
    .bind(flag(s.delivery.in_person))
    .bind(flag(s.delivery.online))
    .bind(flag(s.delivery.telephone))
    .bind(send)
    .bind(s.last_reviewed.to_string())
    .bind(&s.last_modified)
    .execute(&mut **tx)
    .await?;

    for table in [
        "schedule",
        "contact",
        "cost_option",
        "language",
        "service_area",
        "service_at_location",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE service_id = $1"))
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM attribute WHERE link_id = $1")
        .bind(&id)
        .execute(&mut **tx)
        .await?;

    for (position, (sid, schedule)) in s.schedules.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schedule (id, service_id, freq, byday, opens_at, closes_at, season, valid_from, \
             valid_to, description, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(sid.to_string())
        .bind(&id)
        .bind(schedule.freq().as_ical())
        .bind(schedule.byday_ical())
        .bind(schedule.opens_at().as_hhmm())
        .bind(schedule.closes_at().as_hhmm())
        .bind(schedule.season().as_str())
        .bind(schedule.valid_from().map(|d| d.to_string()))
        .bind(schedule.valid_to().map(|d| d.to_string()))
        .bind(schedule.description().map(str::to_owned))
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    for location in &s.locations {
        upsert_location(tx, location).await?;
        sqlx::query(
            "INSERT INTO service_at_location (id, service_id, location_id) VALUES ($1, $2, $3)",
        )
        .bind(location.service_at_location_id.to_string())
        .bind(&id)
        .bind(location.id.to_string())
        .execute(&mut **tx)
        .await?;
    }
    for (position, contact) in s.contacts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO contact (id, service_id, name, title, email, position) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(contact.id.to_string())
        .bind(&id)
        .bind(&contact.name)
        .bind(&contact.title)
        .bind(opt(&contact.email))
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
        for (p, (pid, number, description)) in contact.phones.iter().enumerate() {
            sqlx::query(
                "INSERT INTO phone (id, contact_id, number, description, position) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(pid.to_string())
            .bind(contact.id.to_string())
            .bind(number.as_str())
            .bind(description)
            .bind(p as i64)
            .execute(&mut **tx)
            .await?;
        }
    }
    for (position, cost) in s.costs.iter().enumerate() {
        sqlx::query(
            "INSERT INTO cost_option (id, service_id, option, amount_pence, per, amount_description, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(cost.id.to_string())
        .bind(&id)
        .bind(&cost.option)
        .bind(cost.amount_pence)
        .bind(&cost.per)
        .bind(&cost.description)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    for (position, (lid, name, code)) in s.languages.iter().enumerate() {
        sqlx::query("INSERT INTO language (id, service_id, name, code, position) VALUES ($1, $2, $3, $4, $5)")
            .bind(lid.to_string())
            .bind(&id)
            .bind(name)
            .bind(code)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }
    for area in &s.service_areas {
        sqlx::query(
            "INSERT INTO service_area (id, service_id, name, extent, extent_type, uri) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(area.id.to_lowercase())
        .bind(&id)
        .bind(area.name.clone().unwrap_or_default())
        .bind(&area.extent)
        .bind(&area.extent_type)
        .bind(&area.uri)
        .execute(&mut **tx)
        .await?;
    }
    for (position, (aid, term)) in s.categories.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attribute (id, link_id, link_type, taxonomy_term_id, position) VALUES ($1, $2, 'service', $3, $4)",
        )
        .bind(aid.to_string())
        .bind(&id)
        .bind(term.to_string())
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    // The search index follows (the organisation's name is in each of its services' documents).
    crate::search::sync::enqueue(tx, &id).await?;
    if let (true, Some(org)) = (organization_renamed, &s.organization) {
        enqueue_organization(tx, &org.id.to_string()).await?;
    }
    Ok(())
}

/// Queues every service of an organisation for the search index.
async fn enqueue_organization(tx: &mut Tx<'_>, organization_id: &str) -> Result<(), sqlx::Error> {
    let ids: Vec<String> = sqlx::query("SELECT id FROM service WHERE organization_id = $1")
        .bind(organization_id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for id in ids {
        crate::search::sync::enqueue(tx, &id).await?;
    }
    Ok(())
}

async fn upsert_location(tx: &mut Tx<'_>, l: &LocationRecord) -> Result<(), sqlx::Error> {
    let coordinates = match l.coordinates {
        Some(c) => Some(c),
        None => locate_postcode(tx, &l.address.postcode).await?,
    };
    let id = l.id.to_string();
    sqlx::query(
        "INSERT INTO location (id, location_type, name, description, latitude, longitude, wheelchair_accessible) \
         VALUES ($1, 'physical', $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
         latitude = excluded.latitude, longitude = excluded.longitude, \
         wheelchair_accessible = excluded.wheelchair_accessible",
    )
    .bind(&id)
    .bind(&l.name)
    .bind(&l.description)
    .bind(coordinates.map(|c| c.0))
    .bind(coordinates.map(|c| c.1))
    .bind(flag(l.wheelchair_accessible))
    .execute(&mut **tx)
    .await?;
    for table in ["address", "accessibility"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE location_id = $1"))
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    let a = &l.address;
    sqlx::query(
        "INSERT INTO address (id, location_id, address_1, address_2, city, state_province, postal_code, country, address_type) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'physical')",
    )
    .bind(a.id.to_string())
    .bind(&id)
    .bind(&a.address_1)
    .bind(&a.address_2)
    .bind(&a.city)
    .bind(&a.state_province)
    .bind(a.postcode.as_str())
    .bind(&a.country)
    .execute(&mut **tx)
    .await?;
    for (position, (aid, description, details)) in l.accessibility.iter().enumerate() {
        sqlx::query(
            "INSERT INTO accessibility (id, location_id, description, details, position) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(aid.to_string())
        .bind(&id)
        .bind(description)
        .bind(details)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Removes locations no service uses any more.
pub async fn delete_orphan_locations(tx: &mut Tx<'_>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM location WHERE id NOT IN (SELECT location_id FROM service_at_location)",
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Term ids and codes, and organisation ids, for validation.
pub async fn known_terms(pool: &AnyPool) -> Result<HashMap<Uuid, String>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, code FROM taxonomy_term")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let id: String = r.try_get(0).ok()?;
            let code: String = r.try_get(1).ok()?;
            Some((Uuid::parse_str(&id).ok()?, code))
        })
        .collect())
}

pub async fn known_organizations(pool: &AnyPool) -> Result<HashSet<Uuid>, sqlx::Error> {
    let rows = sqlx::query("SELECT id FROM organization")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Uuid::parse_str(&r.try_get::<String, _>(0).ok()?).ok())
        .collect())
}

pub async fn count_services(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) FROM service")
        .fetch_one(pool)
        .await?
        .try_get(0)
}

// ---------------------------------------------------------------- reads

/// Filters of `/services` and `/service_at_locations` (ORUK UK profile semantics).
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    /// The services a text search matched, best first (the search index decides; see
    /// `crate::search`). `None`: no text search.
    pub matched: Option<Vec<String>>,
    pub taxonomy_term_id: Option<String>,
    pub taxonomy_id: Option<String>,
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    /// iCal day code, e.g. `TU`.
    pub day: Option<String>,
    /// "HH:MM": a session opening at or after this.
    pub start_time: Option<String>,
    /// "HH:MM": a session closing at or before this.
    pub end_time: Option<String>,
}

enum Arg {
    Text(String),
    Int(i64),
}

/// Builds `WHERE` conditions on `service s` with numbered parameters.
struct Where {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    fn new() -> Self {
        Self {
            conditions: vec!["s.status <> 'archived'".to_owned()],
            args: Vec::new(),
        }
    }
    fn text(&mut self, value: String) -> String {
        self.args.push(Arg::Text(value));
        format!("${}", self.args.len())
    }
    fn int(&mut self, value: i64) -> String {
        self.args.push(Arg::Int(value));
        format!("${}", self.args.len())
    }
    fn sql(&self) -> String {
        format!("WHERE {}", self.conditions.join(" AND "))
    }
    fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        for arg in &self.args {
            query = match arg {
                Arg::Text(t) => query.bind(t.as_str()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (with `ESCAPE '\'`).
fn like_escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn service_where(filter: &ServiceFilter) -> Where {
    let mut w = Where::new();
    if let Some(ids) = &filter.matched {
        if ids.is_empty() {
            w.conditions.push("1 = 0".to_owned());
        } else {
            let params: Vec<String> = ids.iter().map(|id| w.text(id.clone())).collect();
            w.conditions
                .push(format!("s.id IN ({})", params.join(", ")));
        }
    }
    if let Some(term) = &filter.taxonomy_term_id {
        let p = w.text(term.to_lowercase());
        w.conditions.push(format!(
            "EXISTS (SELECT 1 FROM attribute a WHERE a.link_id = s.id AND a.taxonomy_term_id = {p})"
        ));
    }
    if let Some(taxonomy) = &filter.taxonomy_id {
        let p = w.text(taxonomy.to_lowercase());
        w.conditions.push(format!(
            "EXISTS (SELECT 1 FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id \
             WHERE a.link_id = s.id AND t.taxonomy_id = {p})"
        ));
    }
    if let Some(min) = filter.minimum_age {
        let p = w.int(min);
        w.conditions.push(format!("s.minimum_age >= {p}"));
    }
    if let Some(max) = filter.maximum_age {
        let p = w.int(max);
        w.conditions.push(format!("s.maximum_age <= {p}"));
    }
    let mut schedule = Vec::new();
    if let Some(day) = &filter.day {
        let p = w.text(format!("%{}%", like_escape(&day.to_uppercase())));
        schedule.push(format!("sc.byday LIKE {p} ESCAPE '\\'"));
    }
    if let Some(start) = &filter.start_time {
        let p = w.text(start.clone());
        schedule.push(format!("sc.opens_at >= {p}"));
    }
    if let Some(end) = &filter.end_time {
        let p = w.text(end.clone());
        schedule.push(format!("sc.closes_at <= {p}"));
    }
    if !schedule.is_empty() {
        w.conditions.push(format!(
            "EXISTS (SELECT 1 FROM schedule sc WHERE sc.service_id = s.id AND {})",
            schedule.join(" AND ")
        ));
    }
    w
}

const SERVICE_COLUMNS: &str =
    "s.id, s.organization_id, s.name, s.summary, s.description, s.url, s.email, s.status, \
     s.minimum_age, s.maximum_age, s.eligibility, s.referral_route, s.delivery_in_person, \
     s.delivery_online, s.delivery_telephone, s.send_local_offer, s.last_reviewed, s.last_modified";

/// One page of services (list form), ordered by name then id.
pub async fn list_services(
    pool: &AnyPool,
    filter: &ServiceFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<oruk::ServiceSummary>, u64), sqlx::Error> {
    let w = service_where(filter);
    let total: i64 = w
        .bind(sqlx::query(&format!(
            "SELECT COUNT(*) FROM service s {}",
            w.sql()
        )))
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let rows = match &filter.matched {
        // Best match first, as the search index ranked them (at most its limit of ids).
        Some(ranked) => {
            let sql = format!("SELECT {SERVICE_COLUMNS} FROM service s {}", w.sql());
            let mut rows = w.bind(sqlx::query(&sql)).fetch_all(pool).await?;
            let rank: HashMap<&str, usize> = ranked
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i))
                .collect();
            rows.sort_by_key(|r| {
                r.try_get::<String, _>("id")
                    .ok()
                    .and_then(|id| rank.get(id.as_str()).copied())
                    .unwrap_or(usize::MAX)
            });
            rows.into_iter()
                .skip(offset as usize)
                .take(per_page as usize)
                .collect()
        }
        None => {
            let sql = format!(
                "SELECT {SERVICE_COLUMNS} FROM service s {} ORDER BY s.name, s.id LIMIT {} OFFSET {}",
                w.sql(),
                per_page,
                offset
            );
            w.bind(sqlx::query(&sql)).fetch_all(pool).await?
        }
    };
    let mut organizations: HashMap<String, oruk::Organization> = HashMap::new();
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let service = service_from_row(&row)?;
        let org_id = service.organization_id.clone().unwrap_or_default();
        let organization = match organizations.get(&org_id) {
            Some(o) => o.clone(),
            None => {
                let o = get_organization(pool, &org_id)
                    .await?
                    .unwrap_or(oruk::Organization {
                        id: org_id.clone(),
                        name: String::new(),
                        description: String::new(),
                        email: None,
                        website: None,
                        phone: None,
                        charity_number: None,
                    });
                organizations.insert(org_id.clone(), o.clone());
                o
            }
        };
        list.push(oruk::ServiceSummary {
            id: service.id,
            organization_id: org_id,
            name: service.name,
            description: service.description.unwrap_or_default(),
            url: service.url,
            email: service.email,
            status: service.status,
            minimum_age: service.minimum_age,
            maximum_age: service.maximum_age,
            last_modified: service.last_modified.unwrap_or_default(),
            organization,
        });
    }
    Ok((list, u64::try_from(total).unwrap_or_default()))
}

/// Ids of every service (archived included), in id order, for the export.
pub async fn all_service_ids(pool: &AnyPool) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT id FROM service ORDER BY id")
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

fn service_from_row(row: &AnyRow) -> Result<oruk::Service, sqlx::Error> {
    let mut delivery = Vec::new();
    for (column, name) in [
        ("delivery_in_person", "in_person"),
        ("delivery_online", "online"),
        ("delivery_telephone", "telephone"),
    ] {
        if row.try_get::<i64, _>(column)? != 0 {
            delivery.push(name.to_owned());
        }
    }
    let send: Option<String> = row.try_get("send_local_offer")?;
    Ok(oruk::Service {
        id: row.try_get("id")?,
        organization_id: Some(row.try_get("organization_id")?),
        name: row.try_get("name")?,
        description: Some(row.try_get("description")?),
        url: row.try_get("url")?,
        email: row.try_get("email")?,
        status: Status::from_db(&row.try_get::<String, _>("status")?)
            .as_oruk()
            .to_owned(),
        fees: None,
        minimum_age: row.try_get("minimum_age")?,
        maximum_age: row.try_get("maximum_age")?,
        assured_date: None,
        last_modified: Some(row.try_get("last_modified")?),
        organization: None,
        schedules: Vec::new(),
        service_areas: Vec::new(),
        service_at_locations: Vec::new(),
        languages: Vec::new(),
        cost_options: Vec::new(),
        contacts: Vec::new(),
        attributes: Vec::new(),
        summary: Some(row.try_get("summary")?),
        eligibility: row.try_get("eligibility")?,
        referral_route: Some(row.try_get("referral_route")?),
        delivery,
        send_local_offer: send.and_then(|s| serde_json::from_str(&s).ok()),
        last_reviewed: Some(row.try_get("last_reviewed")?),
    })
}

pub async fn get_organization(
    pool: &AnyPool,
    id: &str,
) -> Result<Option<oruk::Organization>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, name, description, email, website, phone, charity_number FROM organization WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(oruk::Organization {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            description: r.try_get(2)?,
            email: r.try_get(3)?,
            website: r.try_get(4)?,
            phone: r.try_get(5)?,
            charity_number: r.try_get(6)?,
        })
    })
    .transpose()
}

/// One service, fully nested (the `/services/{id}` and export shape).
pub async fn get_service(pool: &AnyPool, id: &str) -> Result<Option<oruk::Service>, sqlx::Error> {
    let Some(row) = sqlx::query(&format!(
        "SELECT {SERVICE_COLUMNS} FROM service s WHERE s.id = $1"
    ))
    .bind(id.to_lowercase())
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let mut s = service_from_row(&row)?;
    let sid = s.id.clone();
    s.organization =
        get_organization(pool, s.organization_id.as_deref().unwrap_or_default()).await?;

    s.schedules = sqlx::query(
        "SELECT id, freq, byday, opens_at, closes_at, season, valid_from, valid_to, description \
         FROM schedule WHERE service_id = $1 ORDER BY position, id",
    )
    .bind(&sid)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(oruk::Schedule {
            id: r.try_get(0)?,
            service_id: Some(sid.clone()),
            freq: Some(r.try_get(1)?),
            byday: Some(r.try_get(2)?),
            opens_at: Some(r.try_get(3)?),
            closes_at: Some(r.try_get(4)?),
            season: Some(r.try_get(5)?),
            valid_from: r.try_get(6)?,
            valid_to: r.try_get(7)?,
            description: r.try_get(8)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;

    let sals = sqlx::query(
        "SELECT id, location_id FROM service_at_location WHERE service_id = $1 ORDER BY id",
    )
    .bind(&sid)
    .fetch_all(pool)
    .await?;
    for r in sals {
        let sal_id: String = r.try_get(0)?;
        let location_id: String = r.try_get(1)?;
        s.service_at_locations.push(oruk::ServiceAtLocation {
            id: sal_id,
            service_id: Some(sid.clone()),
            location: get_location(pool, &location_id).await?,
            location_id: Some(location_id),
        });
    }

    let contacts = sqlx::query(
        "SELECT id, name, title, email FROM contact WHERE service_id = $1 ORDER BY position, id",
    )
    .bind(&sid)
    .fetch_all(pool)
    .await?;
    for r in contacts {
        let cid: String = r.try_get(0)?;
        let phones = sqlx::query(
            "SELECT id, number, description FROM phone WHERE contact_id = $1 ORDER BY position, id",
        )
        .bind(&cid)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|p| {
            Ok(oruk::Phone {
                id: p.try_get(0)?,
                contact_id: Some(cid.clone()),
                number: p.try_get(1)?,
                description: p.try_get(2)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        s.contacts.push(oruk::Contact {
            id: cid.clone(),
            service_id: Some(sid.clone()),
            name: r.try_get(1)?,
            title: r.try_get(2)?,
            email: r.try_get(3)?,
            phones,
        });
    }

    s.cost_options = sqlx::query(
        "SELECT id, option, amount_pence, per, amount_description FROM cost_option \
         WHERE service_id = $1 ORDER BY position, id",
    )
    .bind(&sid)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        let pence: Option<i64> = r.try_get(2)?;
        Ok(oruk::CostOption {
            id: r.try_get(0)?,
            service_id: Some(sid.clone()),
            option: r.try_get(1)?,
            amount: pence.map(|p| p as f64 / 100.0),
            per: r.try_get(3)?,
            amount_description: r.try_get(4)?,
            currency: pence.map(|_| "GBP".to_owned()),
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;

    s.languages = sqlx::query(
        "SELECT id, name, code FROM language WHERE service_id = $1 ORDER BY position, id",
    )
    .bind(&sid)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(oruk::Language {
            id: r.try_get(0)?,
            service_id: Some(sid.clone()),
            name: r.try_get(1)?,
            code: r.try_get(2)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;

    s.service_areas = sqlx::query(
        "SELECT id, name, extent, extent_type, uri FROM service_area WHERE service_id = $1 ORDER BY id",
    )
    .bind(&sid)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(oruk::ServiceArea {
            id: r.try_get(0)?,
            service_id: Some(sid.clone()),
            name: r.try_get(1)?,
            extent: r.try_get(2)?,
            extent_type: r.try_get(3)?,
            uri: r.try_get(4)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;

    let attributes = sqlx::query(
        "SELECT a.id, t.id, t.name, t.description, t.parent_id, t.taxonomy_id, t.term_uri, t.code \
         FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id \
         WHERE a.link_id = $1 ORDER BY a.position, a.id",
    )
    .bind(&sid)
    .fetch_all(pool)
    .await?;
    for r in attributes {
        let term = term_from_row(&r, 1)?;
        s.attributes.push(oruk::Attribute {
            id: r.try_get(0)?,
            link_id: Some(sid.clone()),
            link_type: Some("service".to_owned()),
            taxonomy_term_id: Some(term.id.clone()),
            taxonomy_term: Some(term),
        });
    }
    Ok(Some(s))
}

pub async fn get_location(pool: &AnyPool, id: &str) -> Result<Option<oruk::Location>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT id, location_type, name, description, latitude, longitude, wheelchair_accessible \
         FROM location WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let addresses = sqlx::query(
        "SELECT id, address_1, address_2, city, state_province, postal_code, country, address_type \
         FROM address WHERE location_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|a| {
        Ok(oruk::Address {
            id: a.try_get(0)?,
            location_id: Some(id.to_owned()),
            address_1: a.try_get(1)?,
            address_2: a.try_get(2)?,
            city: a.try_get(3)?,
            state_province: a.try_get(4)?,
            postal_code: a.try_get(5)?,
            country: a.try_get(6)?,
            address_type: a.try_get(7)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let accessibility = sqlx::query(
        "SELECT id, description, details FROM accessibility WHERE location_id = $1 ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|a| {
        Ok(oruk::Accessibility {
            id: a.try_get(0)?,
            location_id: Some(id.to_owned()),
            description: a.try_get(1)?,
            details: a.try_get(2)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some(oruk::Location {
        id: r.try_get(0)?,
        location_type: r.try_get(1)?,
        name: r.try_get(2)?,
        description: r.try_get(3)?,
        latitude: r.try_get(4)?,
        longitude: r.try_get(5)?,
        addresses,
        accessibility,
        wheelchair_accessible: r.try_get::<i64, _>(6)? != 0,
    }))
}

fn term_from_row(r: &AnyRow, at: usize) -> Result<oruk::TaxonomyTerm, sqlx::Error> {
    let taxonomy_id: String = r.try_get(at + 4)?;
    Ok(oruk::TaxonomyTerm {
        id: r.try_get(at)?,
        name: r.try_get(at + 1)?,
        description: r.try_get(at + 2)?,
        parent_id: r.try_get(at + 3)?,
        taxonomy: None,
        taxonomy_id: Some(taxonomy_id),
        term_uri: r.try_get(at + 5)?,
        code: r.try_get(at + 6)?,
    })
}

pub async fn list_taxonomies(
    pool: &AnyPool,
    page: u64,
    per_page: u64,
) -> Result<(Vec<oruk::Taxonomy>, u64), sqlx::Error> {
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM taxonomy")
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let rows = sqlx::query(&format!(
        "SELECT id, name, description, uri, version FROM taxonomy ORDER BY name, id LIMIT {per_page} OFFSET {}",
        page.saturating_sub(1).saturating_mul(per_page)
    ))
    .fetch_all(pool)
    .await?;
    let list = rows
        .iter()
        .map(taxonomy_from_row)
        .collect::<Result<_, _>>()?;
    Ok((list, u64::try_from(total).unwrap_or_default()))
}

fn taxonomy_from_row(r: &AnyRow) -> Result<oruk::Taxonomy, sqlx::Error> {
    Ok(oruk::Taxonomy {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        description: r.try_get(2)?,
        uri: r.try_get(3)?,
        version: r.try_get(4)?,
    })
}

pub async fn get_taxonomy(pool: &AnyPool, id: &str) -> Result<Option<oruk::Taxonomy>, sqlx::Error> {
    sqlx::query("SELECT id, name, description, uri, version FROM taxonomy WHERE id = $1")
        .bind(id.to_lowercase())
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(taxonomy_from_row)
        .transpose()
}

const TERM_COLUMNS: &str = "id, name, description, parent_id, taxonomy_id, term_uri, code";

/// Terms in tree order (parents by position, each followed by its children).
pub async fn list_terms(
    pool: &AnyPool,
    page: u64,
    per_page: u64,
) -> Result<(Vec<oruk::TaxonomyTerm>, u64), sqlx::Error> {
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM taxonomy_term")
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let rows = sqlx::query(&format!(
        "SELECT {TERM_COLUMNS} FROM taxonomy_term ORDER BY position, id LIMIT {per_page} OFFSET {}",
        page.saturating_sub(1).saturating_mul(per_page)
    ))
    .fetch_all(pool)
    .await?;
    let list = rows
        .iter()
        .map(|r| term_from_row(r, 0))
        .collect::<Result<_, _>>()?;
    Ok((list, u64::try_from(total).unwrap_or_default()))
}

pub async fn get_term(pool: &AnyPool, id: &str) -> Result<Option<oruk::TaxonomyTerm>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {TERM_COLUMNS} FROM taxonomy_term WHERE id = $1"
    ))
    .bind(id.to_lowercase())
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(|r| term_from_row(r, 0))
    .transpose()
}

/// Where to measure distance from, and how far.
#[derive(Debug, Clone, Copy)]
pub struct Proximity {
    pub latitude: f64,
    pub longitude: f64,
    /// Metres; `None` means any distance.
    pub within_metres: Option<f64>,
}

/// One page of service-at-locations for services matching `filter`, optionally within a distance
/// of a point (nearest first), else in name order.
pub async fn list_service_at_locations(
    pool: &AnyPool,
    filter: &ServiceFilter,
    proximity: Option<Proximity>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<oruk::ServiceAtLocation>, u64), sqlx::Error> {
    let w = service_where(filter);
    let rows = w
        .bind(sqlx::query(&format!(
            "SELECT sal.id, sal.service_id, sal.location_id, l.latitude, l.longitude \
             FROM service_at_location sal JOIN service s ON s.id = sal.service_id \
             JOIN location l ON l.id = sal.location_id {} ORDER BY s.name, sal.id",
            w.sql()
        )))
        .fetch_all(pool)
        .await?;
    // Distances are computed here (haversine) so the SQL stays portable.
    let mut matches: Vec<(String, String, String, f64)> = Vec::new();
    for r in &rows {
        let lat: Option<f64> = r.try_get(3)?;
        let lon: Option<f64> = r.try_get(4)?;
        let distance = match (proximity, lat, lon) {
            (Some(p), Some(lat), Some(lon)) => distance_metres(p.latitude, p.longitude, lat, lon),
            (Some(_), _, _) => f64::INFINITY,
            (None, _, _) => 0.0,
        };
        if let Some(Proximity {
            within_metres: Some(limit),
            ..
        }) = proximity
        {
            if distance > limit {
                continue;
            }
        }
        matches.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, distance));
    }
    if proximity.is_some() {
        matches.sort_by(|a, b| a.3.total_cmp(&b.3));
    }
    let total = matches.len() as u64;
    let start = page.saturating_sub(1).saturating_mul(per_page) as usize;
    let mut list = Vec::new();
    for (id, service_id, location_id, _) in matches.into_iter().skip(start).take(per_page as usize)
    {
        list.push(oruk::ServiceAtLocation {
            id,
            service_id: Some(service_id),
            location: get_location(pool, &location_id).await?,
            location_id: Some(location_id),
        });
    }
    Ok((list, total))
}

pub async fn get_service_at_location(
    pool: &AnyPool,
    id: &str,
) -> Result<Option<oruk::ServiceAtLocation>, sqlx::Error> {
    let Some(r) =
        sqlx::query("SELECT id, service_id, location_id FROM service_at_location WHERE id = $1")
            .bind(id.to_lowercase())
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    let location_id: String = r.try_get(2)?;
    Ok(Some(oruk::ServiceAtLocation {
        id: r.try_get(0)?,
        service_id: Some(r.try_get(1)?),
        location: get_location(pool, &location_id).await?,
        location_id: Some(location_id),
    }))
}

pub use app::domain::distance_metres;
