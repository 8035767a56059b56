//! The staff service picker: directory listings matching what staff type, through the search
//! index with a fallback on names, for signposting a family (the decision form) and for the
//! directory editor's finder.

use crate::staff::Result;
use crate::state::AppState;
use sqlx::{AnyPool, Row};

/// A directory service a request can be signposted to.
pub(crate) struct ServiceChoice {
    pub id: String,
    pub name: String,
}

/// The most services a staff picker shows.
const PICKER_LIMIT: usize = 30;

/// Listings matching `q` for a staff picker, best first: active ones (signposting a family), or
/// (`editable`, the directory editor's finder) all but archived ones, which cannot be edited.
///
/// The words go through the search index, as families' searches do, so typos and synonyms work
/// ("autisum", "ASD"). The index holds exactly the listings that are not archived, so it covers
/// both pickers; statuses are checked again against the database, which is the source of truth.
/// Two things the index cannot answer are looked up in the database: a listing's id pasted in
/// whole (found even in the seconds before the sync worker indexes a new listing), and, when the
/// index cannot be reached or the text is not a valid query, names containing the text — so
/// triage can still signpost while the search engine is down.
pub(crate) async fn find_services(
    state: &AppState,
    q: &str,
    editable: bool,
) -> Result<Vec<ServiceChoice>> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let pool = state.db.pool();
    let mut found = services_with_ids(pool, &[q.to_owned()], editable).await?;
    let matched = match crate::search::QueryText::parse(q) {
        Ok(text) if !text.is_empty() => {
            // Twice as many as shown: some may be temporarily closed (not for signposting).
            match state
                .search
                .matching_ids(text, (2 * PICKER_LIMIT) as u32)
                .await
            {
                Ok(ids) => Some(services_with_ids(pool, &ids, editable).await?),
                Err(error) => {
                    tracing::warn!(error = %error, "staff service picker: search index unavailable; matching names only");
                    None
                }
            }
        }
        _ => None,
    };
    let more = match matched {
        Some(services) => services,
        None => names_containing(pool, q, editable).await?,
    };
    for s in more {
        if !found.iter().any(|f| f.id == s.id) {
            found.push(s);
        }
    }
    found.truncate(PICKER_LIMIT);
    Ok(found)
}

fn status_clause(editable: bool) -> &'static str {
    if editable {
        "status <> 'archived'"
    } else {
        // Listings waiting for a category are not public yet.
        "status = 'active' AND awaiting_mapping = 0"
    }
}

/// The listings with these ids and an allowed status, in the order of `ids`.
async fn services_with_ids(
    pool: &AnyPool,
    ids: &[String],
    editable: bool,
) -> Result<Vec<ServiceChoice>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, name FROM service WHERE {} AND id IN ({})",
        status_clause(editable),
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id);
    }
    let mut rows: Vec<ServiceChoice> = query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ServiceChoice {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()?;
    rows.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
    Ok(rows)
}

/// `text` as a LIKE pattern for names containing it: `%`, `_` and the escape character itself
/// are escaped (`ESCAPE '\'`), so they match themselves ("50% off", "under_5s").
fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Listings whose name contains `text` (the picker's fallback; see [`find_services`]).
async fn names_containing(
    pool: &AnyPool,
    text: &str,
    editable: bool,
) -> Result<Vec<ServiceChoice>> {
    Ok(sqlx::query(&format!(
        "SELECT id, name FROM service WHERE {} AND LOWER(name) LIKE $1 ESCAPE '\\' \
         ORDER BY name, id LIMIT {PICKER_LIMIT}",
        status_clause(editable)
    ))
    .bind(contains_pattern(text))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(ServiceChoice {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
        })
    })
    .collect::<std::result::Result<_, sqlx::Error>>()?)
}

pub(super) async fn services_by_id(pool: &AnyPool, ids: &[String]) -> Result<Vec<ServiceChoice>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(r) =
            sqlx::query("SELECT id, name FROM service WHERE id = $1 AND status = 'active'")
                .bind(id)
                .fetch_optional(pool)
                .await?
        {
            out.push(ServiceChoice {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn name_patterns_escape_like_wildcards_instead_of_dropping_them() {
        assert_eq!(contains_pattern("Stay & Play"), "%stay & play%");
        assert_eq!(contains_pattern("50% off"), r"%50\% off%");
        assert_eq!(contains_pattern("under_5s"), r"%under\_5s%");
        assert_eq!(contains_pattern(r"a\b"), r"%a\\b%");
    }
}
