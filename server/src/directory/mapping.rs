//! Feeds' own taxonomies and their mapping to Signpost's categories.
//!
//! Every real feed categorises its services in its own taxonomy. An import keeps those terms
//! (`foreign_term`, linked to services by `service_foreign_term`) and maps them to Signpost's
//! categories through `taxonomy_mapping`: a term's exact id, or its name or code compared without
//! case or punctuation ([`match_key`]), names one category. A service none of whose terms is
//! mapped is stored but waits, not public, until a mapping (or an editor) gives it a category.
//!
//! Staff map terms at `/staff/directory/mapping`; `signpost mapping load FILE` loads the same
//! mapping from a CSV file (`match,value,category`, [`parse_csv`]) and `signpost mapping list`
//! prints it in that form. Either way [`apply`] gives the services that carry a newly mapped term
//! their category at once (through `repo`, which queues the search index).

use super::model::TermMapping;
use super::repo::{self, Tx};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use uuid::Uuid;

/// How a mapping row matches a feed's term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The term's exact id.
    Id,
    /// The term's name or code, without case or punctuation.
    Name,
}

impl MatchKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "id" => Some(Self::Id),
            "name" | "code" => Some(Self::Name),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Name => "name",
        }
    }
}

/// A term's name or code as the mapping compares it: lower case, apostrophes dropped, every other
/// run of characters that are not letters or digits one space. "Children's Centres" and
/// "childrens-centres" are the same key.
pub fn match_key(text: &str) -> String {
    let mut key = String::new();
    let mut gap = false;
    for ch in text.chars().flat_map(char::to_lowercase) {
        if ch == '\'' || ch == '’' {
            continue;
        }
        if ch.is_alphanumeric() {
            if gap && !key.is_empty() {
                key.push(' ');
            }
            gap = false;
            key.push(ch);
        } else {
            gap = true;
        }
    }
    key
}

/// The key a row of `kind` stores for `value`.
fn stored_key(kind: MatchKind, value: &str) -> String {
    match kind {
        MatchKind::Id => value.trim().to_owned(),
        MatchKind::Name => match_key(value),
    }
}

/// The whole mapping and the feed terms already known, read once for an import.
#[derive(Debug, Default, Clone)]
pub struct Mapping {
    by_id: HashMap<String, Uuid>,
    by_name: HashMap<String, Uuid>,
    known: HashMap<String, (String, String, Option<String>)>,
}

impl Mapping {
    /// Reads the mapping's rules (term id or name/code → category) through `executor` (the pool,
    /// or a transaction that has just changed them).
    async fn read_rules<'e, E>(&mut self, executor: E) -> Result<(), sqlx::Error>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        for row in sqlx::query("SELECT kind, match_key, category_id FROM taxonomy_mapping")
            .fetch_all(executor)
            .await?
        {
            let kind: String = row.try_get(0)?;
            let key: String = row.try_get(1)?;
            let Ok(category) = Uuid::parse_str(&row.try_get::<String, _>(2)?) else {
                continue;
            };
            match MatchKind::parse(&kind) {
                Some(MatchKind::Id) => self.by_id.insert(key, category),
                Some(MatchKind::Name) => self.by_name.insert(key, category),
                None => None,
            };
        }
        Ok(())
    }

    pub async fn load(pool: &AnyPool) -> Result<Self, sqlx::Error> {
        let mut mapping = Self::default();
        mapping.read_rules(pool).await?;
        for row in sqlx::query("SELECT id, taxonomy, name, code FROM foreign_term")
            .fetch_all(pool)
            .await?
        {
            mapping.known.insert(
                row.try_get(0)?,
                (row.try_get(1)?, row.try_get(2)?, row.try_get(3)?),
            );
        }
        Ok(mapping)
    }
}

impl TermMapping for Mapping {
    fn category(&self, id: &str, name: &str, code: Option<&str>) -> Option<Uuid> {
        if let Some(c) = self.by_id.get(id.trim()) {
            return Some(*c);
        }
        let name = if name.trim().is_empty() {
            self.known.get(id).map(|k| k.1.as_str()).unwrap_or_default()
        } else {
            name
        };
        [Some(name), code]
            .into_iter()
            .flatten()
            .map(match_key)
            .filter(|k| !k.is_empty())
            .find_map(|k| self.by_name.get(&k).copied())
    }

    fn known(&self, id: &str) -> Option<(String, String, Option<String>)> {
        self.known.get(id).cloned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// One row of the mapping: how it matches, the value, and the category's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRow {
    pub kind: MatchKind,
    pub value: String,
    pub category_code: String,
}

/// Reads a mapping file: CSV with the header `match,value,category`; `match` is `id` or `name`
/// (`code` is read as `name`), `category` a category code (docs/taxonomy.md). Every line is
/// checked before anything is stored: a bad line is an error naming its line.
pub fn parse_csv(
    text: &str,
    categories: &HashMap<String, Uuid>,
) -> Result<Vec<(MappingRow, Uuid)>, MappingError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| MappingError::Line {
        line: 1,
        reason: e.to_string(),
    })?;
    let wanted = ["match", "value", "category"];
    if headers.len() != 3
        || headers
            .iter()
            .zip(wanted)
            .any(|(h, w)| !h.eq_ignore_ascii_case(w))
    {
        return Err(MappingError::Line {
            line: 1,
            reason: "the header must be: match,value,category".to_owned(),
        });
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| MappingError::Line {
            line,
            reason: e.to_string(),
        })?;
        let bad = |reason: String| MappingError::Line { line, reason };
        let kind = MatchKind::parse(&record[0])
            .ok_or_else(|| bad(format!("'{}' is not id or name", &record[0])))?;
        let value = record[1].to_owned();
        if stored_key(kind, &value).is_empty() {
            return Err(bad("the value is empty".to_owned()));
        }
        if value.chars().count() > super::model::FOREIGN_ID_MAX {
            return Err(bad("the value is too long".to_owned()));
        }
        let code = record[2].to_owned();
        let category = *categories.get(&code).ok_or_else(|| {
            bad(format!(
                "'{code}' is not a category code (docs/taxonomy.md)"
            ))
        })?;
        rows.push((
            MappingRow {
                kind,
                value,
                category_code: code,
            },
            category,
        ));
    }
    Ok(rows)
}

/// Signpost's categories by code.
pub async fn categories_by_code(pool: &AnyPool) -> Result<HashMap<String, Uuid>, sqlx::Error> {
    Ok(repo::known_terms(pool)
        .await?
        .into_iter()
        .map(|(id, code)| (code, id))
        .collect())
}

/// Stores one mapping row (replacing the row with the same match), inside `tx`.
pub async fn set(
    tx: &mut Tx<'_>,
    kind: MatchKind,
    value: &str,
    category: Uuid,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO taxonomy_mapping (kind, match_key, category_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kind, match_key) DO UPDATE SET category_id = excluded.category_id, \
         created_at = excluded.created_at",
    )
    .bind(kind.as_str())
    .bind(stored_key(kind, value))
    .bind(category.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every mapping row, as the CSV file holds it (category codes), ordered.
pub async fn list(pool: &AnyPool) -> Result<Vec<MappingRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.kind, m.match_key, t.code FROM taxonomy_mapping m \
         JOIN taxonomy_term t ON t.id = m.category_id ORDER BY m.kind, m.match_key",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .filter_map(|r| {
            let kind: String = r.try_get(0).ok()?;
            Some(Ok(MappingRow {
                kind: MatchKind::parse(&kind)?,
                value: r.try_get(1).ok()?,
                category_code: r.try_get(2).ok()?,
            }))
        })
        .collect()
}

/// Writes the mapping as the CSV [`parse_csv`] reads.
pub fn to_csv(rows: &[MappingRow]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["match", "value", "category"]);
    for row in rows {
        let _ = writer.write_record([row.kind.as_str(), &row.value, &row.category_code]);
    }
    writer
        .into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// Gives every service that carries a feed term the categories the mapping now finds for it
/// (services staff edited here are left as they are), and makes public those that were waiting.
/// Returns how many services changed.
pub async fn apply(tx: &mut Tx<'_>, now: &str) -> Result<usize, sqlx::Error> {
    let mut mapping = Mapping::default();
    mapping.read_rules(&mut **tx).await?;
    let rows = repo::services_with_foreign_terms(tx).await?;
    let mut changed = 0;
    for (service_id, terms) in rows {
        let mut categories: Vec<Uuid> = Vec::new();
        for (id, name, code) in &terms {
            if let Some(c) = mapping.category(id, name, code.as_deref()) {
                if !categories.contains(&c) {
                    categories.push(c);
                }
            }
        }
        if repo::add_mapped_categories(tx, &service_id, &categories, now).await? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// A feed term no mapping covers, with how many services carry it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmappedTerm {
    pub id: String,
    pub taxonomy: String,
    pub name: String,
    pub code: Option<String>,
    pub services: i64,
}

/// Every feed term that no mapping row matches, most used first.
pub async fn unmapped_terms(pool: &AnyPool) -> Result<Vec<UnmappedTerm>, sqlx::Error> {
    let mapping = Mapping::load(pool).await?;
    let rows = sqlx::query(
        "SELECT t.id, t.taxonomy, t.name, t.code, COUNT(l.service_id) FROM foreign_term t \
         LEFT JOIN service_foreign_term l ON l.term_id = t.id \
         GROUP BY t.id, t.taxonomy, t.name, t.code",
    )
    .fetch_all(pool)
    .await?;
    let mut terms = Vec::new();
    for r in rows {
        let term = UnmappedTerm {
            id: r.try_get(0)?,
            taxonomy: r.try_get(1)?,
            name: r.try_get(2)?,
            code: r.try_get(3)?,
            services: r.try_get(4)?,
        };
        if mapping
            .category(&term.id, &term.name, term.code.as_deref())
            .is_none()
        {
            terms.push(term);
        }
    }
    terms.sort_by(|a, b| {
        b.services
            .cmp(&a.services)
            .then_with(|| a.taxonomy.cmp(&b.taxonomy))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(terms)
}

/// One feed term, if it is known.
pub async fn foreign_term(pool: &AnyPool, id: &str) -> Result<Option<UnmappedTerm>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id, t.taxonomy, t.name, t.code, \
         (SELECT COUNT(*) FROM service_foreign_term l WHERE l.term_id = t.id) \
         FROM foreign_term t WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(UnmappedTerm {
            id: r.try_get(0)?,
            taxonomy: r.try_get(1)?,
            name: r.try_get(2)?,
            code: r.try_get(3)?,
            services: r.try_get(4)?,
        })
    })
    .transpose()
}

/// A service waiting for a category (none of its feed's terms is mapped yet).
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingService {
    pub id: String,
    pub name: String,
    pub source: String,
    /// Its feed's terms, as "taxonomy: name".
    pub terms: Vec<String>,
}

/// The services waiting for a mapping, by name.
pub async fn waiting_services(pool: &AnyPool) -> Result<Vec<WaitingService>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.id, s.name, s.source, t.taxonomy, t.name, t.id FROM service s \
         LEFT JOIN service_foreign_term l ON l.service_id = s.id \
         LEFT JOIN foreign_term t ON t.id = l.term_id \
         WHERE s.awaiting_mapping = 1 AND s.status <> 'archived' \
         ORDER BY s.name, s.id, l.position",
    )
    .fetch_all(pool)
    .await?;
    let mut list: Vec<WaitingService> = Vec::new();
    for r in rows {
        let id: String = r.try_get(0)?;
        let taxonomy: Option<String> = r.try_get(3)?;
        let term_name: Option<String> = r.try_get(4)?;
        let term_id: Option<String> = r.try_get(5)?;
        let term = match (taxonomy, term_name, term_id) {
            (Some(t), Some(n), _) if !n.is_empty() => Some(format!("{t}: {n}")),
            (Some(t), _, Some(i)) => Some(format!("{t}: {i}")),
            _ => None,
        };
        match list.last_mut() {
            Some(last) if last.id == id => last.terms.extend(term),
            _ => list.push(WaitingService {
                id,
                name: r.try_get(1)?,
                source: r.try_get(2)?,
                terms: term.into_iter().collect(),
            }),
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_case_or_punctuation() {
        assert_eq!(match_key("Children's Centres"), "childrens centres");
        assert_eq!(match_key("  children’s-centres!! "), "childrens centres");
        assert_eq!(match_key("SEND / Short breaks"), "send short breaks");
        assert_eq!(match_key("--"), "");
    }

    #[test]
    fn a_mapping_finds_by_id_then_name_then_code() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let mut m = Mapping::default();
        m.by_id.insert("T-1".to_owned(), a);
        m.by_name.insert("short breaks".to_owned(), b);
        assert_eq!(m.category("T-1", "Short Breaks", None), Some(a));
        assert_eq!(m.category("T-2", "short-breaks", None), Some(b));
        assert_eq!(m.category("T-3", "Other", Some("SHORT_BREAKS")), Some(b));
        assert_eq!(m.category("T-4", "Other", None), None);
    }

    #[test]
    fn the_csv_names_a_bad_line() {
        let mut categories = HashMap::new();
        categories.insert("send.short-breaks".to_owned(), Uuid::from_u128(9));
        let good =
            "match,value,category\nid,T-1,send.short-breaks\nname,Short Breaks,send.short-breaks\n";
        let rows = parse_csv(good, &categories).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0.kind, MatchKind::Name);
        let bad = "match,value,category\nid,T-1,send.short-breaks\nname,X,no.such\n";
        let error = parse_csv(bad, &categories).unwrap_err().to_string();
        assert!(error.starts_with("line 3:"), "{error}");
        assert!(parse_csv("a,b\n", &categories).is_err());
        assert_eq!(
            to_csv(&[rows[0].0.clone()]),
            "match,value,category\nid,T-1,send.short-breaks\n"
        );
    }
}
