//! What the results pages read from the database for every search, kept in memory between
//! changes to the directory: the category list, the languages services offer, and each
//! service's card facts (organisation, ages, how it is delivered, when it runs, what it costs).
//!
//! The cache follows the search index: every directory write is queued for the index
//! (`search::sync`), and when the index has applied it, [`Search::generation`] moves on and the
//! next page load reads afresh. So a results page never shows card facts older than the list of
//! results it came from. Values loaded while a change was being applied are used for that one
//! page but not kept.
//!
//! [`Search::generation`]: crate::search::Search::generation

use super::pages::{ages_text, costs_text, modes_text};
use crate::search::cache::Generational;
use crate::search::DeliveryMode;
use app::domain::{Schedule, ScheduleInput};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::sync::Arc;

/// Card facts kept at most; past this the cache starts again (a directory is a few thousand
/// services, so this is only a bound).
const MAX_CARDS: usize = 50_000;

/// A category of the taxonomy, as the filters show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub top: bool,
}

/// What a result card shows of a service beyond what the search engine returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFacts {
    pub organisation: String,
    pub ages: String,
    pub modes: String,
    pub schedules: Vec<String>,
    pub cost: String,
}

#[derive(Default)]
struct Cached {
    taxonomy: Option<Arc<[Category]>>,
    languages: Option<Arc<[String]>>,
    cards: HashMap<String, Arc<CardFacts>>,
}

/// Shared by every request (cloning shares it).
#[derive(Clone, Default)]
pub struct DirectoryCache {
    cached: Arc<Generational<Cached>>,
}

impl DirectoryCache {
    fn read<T>(&self, generation: u64, f: impl FnOnce(&Cached) -> T) -> Option<T> {
        self.cached.read(generation, f)
    }

    fn write(&self, generation: u64, f: impl FnOnce(&mut Cached)) {
        self.cached.write(generation, f)
    }

    /// Every category, in the taxonomy's order.
    pub async fn taxonomy(
        &self,
        generation: u64,
        pool: &AnyPool,
    ) -> Result<Arc<[Category]>, sqlx::Error> {
        if let Some(Some(t)) = self.read(generation, |c| c.taxonomy.clone()) {
            return Ok(t);
        }
        let loaded: Arc<[Category]> = load_taxonomy(pool).await?.into();
        self.write(generation, |c| c.taxonomy = Some(loaded.clone()));
        Ok(loaded)
    }

    /// Lower-case names of every language a service offers, sorted.
    pub async fn languages(
        &self,
        generation: u64,
        pool: &AnyPool,
    ) -> Result<Arc<[String]>, sqlx::Error> {
        if let Some(Some(l)) = self.read(generation, |c| c.languages.clone()) {
            return Ok(l);
        }
        let loaded: Arc<[String]> = load_languages(pool).await?.into();
        self.write(generation, |c| c.languages = Some(loaded.clone()));
        Ok(loaded)
    }

    /// The card facts of these services (a service that no longer exists has none).
    pub async fn cards(
        &self,
        generation: u64,
        pool: &AnyPool,
        ids: &[&str],
    ) -> Result<HashMap<String, Arc<CardFacts>>, sqlx::Error> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing: Vec<&str> = Vec::new();
        self.read(generation, |c| {
            for id in ids {
                match c.cards.get(*id) {
                    Some(facts) => {
                        found.insert((*id).to_owned(), facts.clone());
                    }
                    None => missing.push(id),
                }
            }
        })
        .unwrap_or_else(|| missing = ids.to_vec());
        if missing.is_empty() {
            return Ok(found);
        }
        let loaded = load_cards(pool, &missing).await?;
        self.write(generation, |c| {
            if c.cards.len() + loaded.len() > MAX_CARDS {
                c.cards.clear();
            }
            for (id, facts) in &loaded {
                c.cards.insert(id.clone(), facts.clone());
            }
        });
        found.extend(loaded);
        Ok(found)
    }
}

async fn load_taxonomy(pool: &AnyPool) -> Result<Vec<Category>, sqlx::Error> {
    sqlx::query("SELECT code, name, parent_id FROM taxonomy_term ORDER BY position, code")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Category {
                code: r.try_get(0)?,
                name: r.try_get(1)?,
                top: r.try_get::<Option<String>, _>(2)?.is_none(),
            })
        })
        .collect()
}

async fn load_languages(pool: &AnyPool) -> Result<Vec<String>, sqlx::Error> {
    let mut names: Vec<String> = sqlx::query("SELECT DISTINCT name FROM language")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0).map(|n| n.trim().to_lowercase()))
        .collect::<Result<_, _>>()?;
    names.sort();
    names.dedup();
    Ok(names)
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Organisation, ages, modes, schedules and costs of these services, in three queries.
async fn load_cards(
    pool: &AnyPool,
    ids: &[&str],
) -> Result<HashMap<String, Arc<CardFacts>>, sqlx::Error> {
    let list = placeholders(ids.len());
    let query = |sql: String| async move {
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await
    };
    let mut facts: HashMap<String, CardFacts> = HashMap::with_capacity(ids.len());
    for r in query(format!(
        "SELECT s.id, o.name, s.minimum_age, s.maximum_age, s.delivery_in_person, \
         s.delivery_online, s.delivery_telephone FROM service s \
         JOIN organization o ON o.id = s.organization_id WHERE s.id IN ({list})"
    ))
    .await?
    {
        let mut modes = Vec::new();
        for (column, mode) in [
            (4, DeliveryMode::InPerson),
            (5, DeliveryMode::Online),
            (6, DeliveryMode::Telephone),
        ] {
            if r.try_get::<i64, _>(column)? != 0 {
                modes.push(mode);
            }
        }
        facts.insert(
            r.try_get(0)?,
            CardFacts {
                organisation: r.try_get(1)?,
                ages: ages_text(r.try_get(2)?, r.try_get(3)?),
                modes: modes_text(&modes),
                ..CardFacts::default()
            },
        );
    }
    for r in query(format!(
        "SELECT service_id, freq, byday, opens_at, closes_at, season, valid_from, valid_to \
         FROM schedule WHERE service_id IN ({list}) ORDER BY service_id, position, id"
    ))
    .await?
    {
        let input = ScheduleInput {
            freq: r.try_get(1)?,
            byday: r.try_get(2)?,
            opens_at: r.try_get(3)?,
            closes_at: r.try_get(4)?,
            season: r.try_get(5)?,
            valid_from: r.try_get(6)?,
            valid_to: r.try_get(7)?,
            description: None,
        };
        if let (Ok(s), Some(f)) = (
            Schedule::parse(input),
            facts.get_mut(&r.try_get::<String, _>(0)?),
        ) {
            f.schedules.push(s.summary());
        }
    }
    let mut costs: HashMap<String, Vec<super::pages::Cost>> = HashMap::new();
    for r in query(format!(
        "SELECT service_id, option, amount_pence, per FROM cost_option \
         WHERE service_id IN ({list}) ORDER BY service_id, position, id"
    ))
    .await?
    {
        costs
            .entry(r.try_get(0)?)
            .or_default()
            .push(super::pages::Cost {
                option: r.try_get(1)?,
                pence: r.try_get(2)?,
                per: r.try_get(3)?,
                description: None,
            });
    }
    Ok(facts
        .into_iter()
        .map(|(id, mut f)| {
            f.cost = costs_text(costs.get(&id).map(Vec::as_slice).unwrap_or_default()).join("; ");
            (id, Arc::new(f))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(organisation: &str) -> Arc<CardFacts> {
        Arc::new(CardFacts {
            organisation: organisation.to_owned(),
            ..CardFacts::default()
        })
    }

    #[test]
    fn a_newer_generation_starts_again_and_an_older_one_is_not_kept() {
        let cache = DirectoryCache::default();
        cache.write(1, |c| {
            c.cards.insert("a".into(), facts("One"));
        });
        assert_eq!(cache.read(1, |c| c.cards.len()), Some(1));
        // The index moved on: what generation 1 held is gone.
        cache.write(2, |c| {
            c.cards.insert("b".into(), facts("Two"));
        });
        assert_eq!(cache.read(1, |c| c.cards.len()), None);
        assert_eq!(
            cache.read(2, |c| c.cards.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["b".to_owned()])
        );
        // Loaded while generation 1 was current, stored after 2 began: not kept.
        cache.write(1, |c| {
            c.cards.insert("a".into(), facts("Stale"));
        });
        assert_eq!(cache.read(2, |c| c.cards.contains_key("a")), Some(false));
    }
}
