//! The Meilisearch adapter (`SIGNPOST_SEARCH=meilisearch`), through `meilisearch-sdk`.
//!
//! * Settings (searchable, filterable and sortable attributes, ranking rules, synonyms, typo
//!   tolerance, pagination and facet limits; no stop words: queries arrive without them) are applied at every start and waited
//!   for; Meilisearch ignores a setting that has not changed, so this is idempotent.
//! * Every write waits for its task; a task that fails becomes [`SearchError::TaskFailed`] with
//!   Meilisearch's message, so the sync queue keeps the change and retries.
//! * A full rebuild fills a second index and swaps it in, so searches never see a half-built
//!   index.
//! * Filters are built from typed values only, and every string in them is quoted and escaped
//!   ([`filter_expression`]); nothing a visitor types is spliced into a filter.
//! * The fingerprint of the directory the index reflects is kept in a one-document side index
//!   (`<index>_state`).

use super::document::{Geo, SearchDocument};
use super::query::{Facet, FacetCounts, Filters, Near, SearchQuery, SortOrder};
use super::synonyms::Synonyms;
use super::{Engine, EngineHit, EngineResults, IndexStatus, SearchError, SearchIndex};
use app::domain::distance_metres;
use async_trait::async_trait;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode};
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{
    FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Searchable attributes, most important first (Meilisearch's "attribute" rule uses the order;
/// the embedded engine weights the same fields in the same order).
const SEARCHABLE: [&str; 6] = [
    "name",
    "category_names",
    "summary",
    "organization",
    "description",
    "place",
];
/// "sort" first, so that sorting by distance or name decides the order when asked for.
const RANKING_RULES: [&str; 6] = [
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
];
/// Exact totals up to this many matches (more than any directory here holds).
const MAX_TOTAL_HITS: usize = 1_000_000;
const DOCUMENTS_PER_TASK: usize = 10_000;

fn unavailable(e: impl std::fmt::Display) -> SearchError {
    SearchError::Unavailable(e.to_string())
}

fn is_code(error: &MeiliError, code: ErrorCode) -> bool {
    matches!(error, MeiliError::Meilisearch(e) if e.error_code == code)
}

/// The Meilisearch index of services.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    uid: String,
    wait: Duration,
}

#[derive(Debug, Serialize, Deserialize)]
struct State {
    id: String,
    fingerprint: String,
}

#[derive(Debug, Deserialize)]
struct Found {
    id: String,
    name: String,
    summary: String,
    #[serde(rename = "_geo", default)]
    geo: Option<Geo>,
}

impl MeiliIndex {
    /// A client for the server at `url`; `index` names the services index.
    pub fn new(url: &str, key: Option<&str>, index: &str) -> Result<Self, SearchError> {
        let client = Client::new(url, key).map_err(unavailable)?;
        Ok(Self {
            client,
            uid: index.to_owned(),
            wait: Duration::from_secs(600),
        })
    }

    fn state_uid(&self) -> String {
        format!("{}_state", self.uid)
    }

    /// Waits for a task and turns a failure into an error carrying Meilisearch's message.
    async fn done(&self, task: TaskInfo) -> Result<(), SearchError> {
        match task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(25)),
                Some(self.wait),
            )
            .await
            .map_err(unavailable)?
        {
            Task::Failed { content } => Err(SearchError::TaskFailed(format!(
                "{} ({:?})",
                content.error.error_message, content.error.error_code
            ))),
            _ => Ok(()),
        }
    }

    /// Creates an index unless it exists.
    async fn ensure_index(&self, uid: &str) -> Result<(), SearchError> {
        let task = self
            .client
            .create_index(uid, Some("id"))
            .await
            .map_err(unavailable)?;
        match task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(25)),
                Some(self.wait),
            )
            .await
            .map_err(unavailable)?
        {
            Task::Failed { content }
                if content.error.error_code != ErrorCode::IndexAlreadyExists =>
            {
                Err(SearchError::TaskFailed(content.error.error_message))
            }
            _ => Ok(()),
        }
    }

    fn settings(synonyms: &Synonyms) -> Settings {
        let facets: Vec<&str> = Facet::ALL.iter().map(|f| f.field()).collect();
        let mut filterable: Vec<&str> = facets.clone();
        filterable.extend(["age_min", "age_max", "_geo"]);
        Settings::new()
            .with_searchable_attributes(SEARCHABLE)
            .with_filterable_attributes(filterable)
            .with_sortable_attributes(["name", "_geo"])
            .with_ranking_rules(RANKING_RULES)
            // No stop words in the index: queries arrive without them (QueryText drops them, as
            // for the embedded engine), and synonym phrases such as "speech and language" must
            // find the words in between.
            .with_stop_words(std::iter::empty::<&str>())
            .with_synonyms(synonyms.to_meili().into_iter().collect())
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: Some(vec![]),
                disable_on_words: Some(vec![]),
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(5),
                    two_typos: Some(9),
                }),
                disable_on_numbers: None,
            })
            .with_pagination(PaginationSetting {
                max_total_hits: MAX_TOTAL_HITS,
            })
            .with_faceting(FacetingSettings {
                max_values_per_facet: 1000,
                sort_facet_values_by: None,
            })
    }

    async fn apply_settings(&self, uid: &str, synonyms: &Synonyms) -> Result<(), SearchError> {
        self.ensure_index(uid).await?;
        let task = self
            .client
            .index(uid)
            .set_settings(&Self::settings(synonyms))
            .await
            .map_err(unavailable)?;
        self.done(task).await
    }

    async fn add(&self, uid: &str, documents: &[SearchDocument]) -> Result<(), SearchError> {
        for chunk in documents.chunks(DOCUMENTS_PER_TASK) {
            let task = self
                .client
                .index(uid)
                .add_or_replace(chunk, Some("id"))
                .await
                .map_err(unavailable)?;
            self.done(task).await?;
        }
        Ok(())
    }

    async fn set_fingerprint(&self, fingerprint: &str) -> Result<(), SearchError> {
        let uid = self.state_uid();
        self.ensure_index(&uid).await?;
        let task = self
            .client
            .index(&uid)
            .add_or_replace(
                &[State {
                    id: "state".into(),
                    fingerprint: fingerprint.into(),
                }],
                Some("id"),
            )
            .await
            .map_err(unavailable)?;
        self.done(task).await
    }
}

/// A string as a Meilisearch filter value: in double quotes, with `"` and `\` escaped. A quote
/// can then never end the value early, and a backslash can never escape the closing quote.
/// (Meilisearch unescapes `\"` but keeps `\\` as two characters, so a value with a backslash
/// matches nothing; no category code or language name has one.)
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The Meilisearch filter for these filters and place (None when nothing is filtered). Same
/// meaning as [`Filters::matches`]: any of the values within a filter, all filters together.
pub fn filter_expression(filters: &Filters, near: Option<&Near>) -> Option<String> {
    fn any_of<T>(parts: &mut Vec<String>, field: &str, values: &[T], text: impl Fn(&T) -> String) {
        if !values.is_empty() {
            let list: Vec<String> = values.iter().map(|v| quote(&text(v))).collect();
            parts.push(format!("{field} IN [{}]", list.join(", ")));
        }
    }
    let mut parts = Vec::new();
    any_of(&mut parts, "categories", &filters.categories, |c| c.clone());
    if let Some(age) = filters.age {
        parts.push(format!("age_min <= {age} AND age_max >= {age}"));
    }
    if filters.free {
        parts.push("free = true".into());
    }
    any_of(&mut parts, "days", &filters.days, |d| {
        d.as_ical().to_owned()
    });
    any_of(&mut parts, "times", &filters.times, |t| {
        t.as_str().to_owned()
    });
    if filters.school_holidays {
        parts.push("school_holidays = true".into());
    }
    any_of(&mut parts, "modes", &filters.modes, |m| {
        m.as_str().to_owned()
    });
    if filters.wheelchair {
        parts.push("wheelchair = true".into());
    }
    any_of(&mut parts, "languages", &filters.languages, |l| l.clone());
    any_of(&mut parts, "route", &filters.routes, |r| {
        r.as_str().to_owned()
    });
    if let Some(near) = near {
        if let Some(radius) = near.radius_metres {
            if near.latitude.is_finite() && near.longitude.is_finite() {
                parts.push(format!(
                    "_geoRadius({:.6}, {:.6}, {radius})",
                    near.latitude, near.longitude
                ));
            }
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(
            parts
                .into_iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join(" AND "),
        )
    }
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    fn engine(&self) -> Engine {
        Engine::Meilisearch
    }

    async fn configure(&self, synonyms: &Synonyms) -> Result<(), SearchError> {
        self.apply_settings(&self.uid, synonyms).await
    }

    async fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deletes: Vec<String>,
        fingerprint: &str,
    ) -> Result<(), SearchError> {
        if !upserts.is_empty() {
            self.add(&self.uid, &upserts).await?;
        }
        if !deletes.is_empty() {
            let task = self
                .client
                .index(&self.uid)
                .delete_documents(&deletes)
                .await
                .map_err(unavailable)?;
            self.done(task).await?;
        }
        self.set_fingerprint(fingerprint).await
    }

    async fn replace_all(
        &self,
        documents: Vec<SearchDocument>,
        synonyms: &Synonyms,
        fingerprint: &str,
    ) -> Result<(), SearchError> {
        // Build the next index beside the live one, with the settings for the synonyms given
        // (the database's), then swap. They are not read back from the live index: a failed
        // read would have put the rebuilt index live with no synonyms at all.
        self.ensure_index(&self.uid).await?;
        let next = format!("{}_next", self.uid);
        if let Ok(task) = self.client.index(&next).delete().await {
            // A leftover from an interrupted rebuild; "not found" is the usual answer.
            let _ = task
                .wait_for_completion(
                    &self.client,
                    Some(Duration::from_millis(25)),
                    Some(self.wait),
                )
                .await;
        }
        self.apply_settings(&next, synonyms).await?;
        self.add(&next, &documents).await?;
        let task = self
            .client
            .swap_indexes([&SwapIndexes {
                indexes: (self.uid.clone(), next.clone()),
                rename: None,
            }])
            .await
            .map_err(unavailable)?;
        self.done(task).await?;
        let task = self
            .client
            .index(&next)
            .delete()
            .await
            .map_err(unavailable)?;
        self.done(task).await?;
        self.set_fingerprint(fingerprint).await
    }

    async fn status(&self) -> Result<IndexStatus, SearchError> {
        let documents = match self.client.index(&self.uid).get_stats().await {
            Ok(stats) => stats.number_of_documents as u64,
            Err(e) if is_code(&e, ErrorCode::IndexNotFound) => 0,
            Err(e) => return Err(unavailable(e)),
        };
        let fingerprint = match self
            .client
            .index(self.state_uid())
            .get_document::<State>("state")
            .await
        {
            Ok(state) => Some(state.fingerprint),
            Err(e)
                if is_code(&e, ErrorCode::IndexNotFound)
                    || is_code(&e, ErrorCode::DocumentNotFound) =>
            {
                None
            }
            Err(e) => return Err(unavailable(e)),
        };
        Ok(IndexStatus {
            documents,
            fingerprint,
        })
    }

    async fn search(&self, query: &SearchQuery) -> Result<EngineResults, SearchError> {
        let index = self.client.index(&self.uid);
        let text = query.text.normalised();
        let filter = filter_expression(&query.filters, query.near.as_ref());
        let geo_sort = query
            .near
            .map(|n| format!("_geoPoint({:.6}, {:.6}):asc", n.latitude, n.longitude));
        let sort: Vec<&str> = match (query.sort, &geo_sort) {
            (SortOrder::Distance, Some(point)) => vec![point.as_str()],
            _ if query.text.is_empty() => vec!["name:asc"],
            _ => vec![],
        };
        let facets: Vec<&str> = Facet::ALL.iter().map(|f| f.field()).collect();
        let mut search = index.search();
        search
            .with_query(&text)
            .with_page(query.page as usize)
            .with_hits_per_page(query.per_page as usize)
            .with_attributes_to_retrieve(Selectors::Some(&["id", "name", "summary", "_geo"]));
        if let Some(filter) = &filter {
            search.with_filter(filter);
        }
        if !sort.is_empty() {
            search.with_sort(&sort);
        }
        // Nearest first means nearest services that match the whole query (as the embedded
        // engine does); otherwise the default strategy, "last".
        search.with_matching_strategy(if query.sort == SortOrder::Distance {
            MatchingStrategies::ALL
        } else {
            MatchingStrategies::LAST
        });
        if query.facets {
            search.with_facets(Selectors::Some(&facets));
        }
        let results = search.execute::<Found>().await.map_err(unavailable)?;
        let hits = results
            .hits
            .into_iter()
            .map(|h| {
                let h = h.result;
                let distance_metres = match (query.near, h.geo) {
                    (Some(n), Some(g)) => {
                        Some(distance_metres(n.latitude, n.longitude, g.lat, g.lng))
                    }
                    _ => None,
                };
                EngineHit {
                    id: h.id,
                    name: h.name,
                    summary: h.summary,
                    distance_metres,
                }
            })
            .collect();
        let mut counts = FacetCounts::new();
        if query.facets {
            for facet in Facet::ALL {
                counts.insert(facet, BTreeMap::new());
            }
            for (field, values) in results.facet_distribution.unwrap_or_default() {
                let Some(facet) = Facet::from_field(&field) else {
                    continue;
                };
                let entry = counts.entry(facet).or_default();
                for (value, n) in values {
                    if n > 0 && (!facet.is_flag() || value == "true") {
                        entry.insert(value, n as u64);
                    }
                }
            }
        }
        Ok(EngineResults {
            hits,
            total: results
                .total_hits
                .or(results.estimated_total_hits)
                .unwrap_or_default() as u64,
            facets: counts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::DeliveryMode;
    use app::domain::ReferralRoute;
    use app::domain::{TimeOfDayBand, Weekday};

    #[test]
    fn quoting_escapes_quotes_and_backslashes() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(r#"x" OR id EXISTS"#), r#""x\" OR id EXISTS""#);
        assert_eq!(quote(r"back\"), r#""back\\""#);
        assert_eq!(quote(r#"\""#), r#""\\\"""#);
    }

    #[test]
    fn filters_become_one_escaped_expression() {
        assert_eq!(filter_expression(&Filters::default(), None), None);
        let f = Filters {
            categories: vec!["young-carers".into(), r#"a" OR free = false OR "b"#.into()],
            age: Some(9),
            free: true,
            days: vec![Weekday::Sa],
            times: vec![TimeOfDayBand::Evening, TimeOfDayBand::Morning],
            school_holidays: true,
            modes: vec![DeliveryMode::Online],
            wheelchair: true,
            languages: vec!["polish".into()],
            routes: vec![ReferralRoute::DropIn],
        };
        let near = Near::new(52.1, -1.25, Some(5000)).unwrap();
        assert_eq!(
            filter_expression(&f, Some(&near)).unwrap(),
            r#"(categories IN ["young-carers", "a\" OR free = false OR \"b"]) AND (age_min <= 9 AND age_max >= 9) AND (free = true) AND (days IN ["SA"]) AND (times IN ["evening", "morning"]) AND (school_holidays = true) AND (modes IN ["online"]) AND (wheelchair = true) AND (languages IN ["polish"]) AND (route IN ["drop_in"]) AND (_geoRadius(52.100000, -1.250000, 5000))"#
        );
    }
}
