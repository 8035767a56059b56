//! Search: one small [`SearchIndex`] trait with two real engines behind it.
//!
//! * [`embedded::EmbeddedIndex`] (the default): tantivy, in a folder next to the database, built
//!   from the database at start-up when missing or out of date.
//! * [`meili::MeiliIndex`]: a Meilisearch server (`SIGNPOST_SEARCH=meilisearch`, `MEILI_URL`,
//!   `MEILI_MASTER_KEY`), through `meilisearch-sdk`.
//!
//! The database stays the source of truth. Every directory write appends the services it touched
//! to the change feed (`directory_change`) in the same transaction, under an ever-increasing
//! change number; every server's [`sync`] follower takes the changes after its own cursor into
//! its index and retries until it succeeds, so a write that cannot reach the index is never lost
//! and never undoes the database write. `signpost reindex` rebuilds either engine from the
//! database.
//!
//! What the engines share is decided here, once: the query is parsed and bounded
//! ([`query::SearchQuery`]), filters have one meaning ([`query::Filters`]), the synonyms come from
//! the database ([`synonyms`]), and highlighting and "did you mean" are computed from the same
//! text rules ([`text`]) by the [`Search`] facade, whatever the engine.

pub mod cache;
pub mod document;
pub mod embedded;
pub mod meili;
pub mod query;
pub mod sync;
pub mod synonyms;
pub mod text;

use async_trait::async_trait;
pub use document::SearchDocument;
pub use query::{
    AgeBand, DeliveryMode, Facet, FacetCounts, Filters, Near, QueryError, QueryText, SearchQuery,
    SortOrder, MAX_PER_PAGE, MAX_QUERY_CHARS, MAX_RADIUS_METRES, MAX_RESULT_WINDOW,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
pub use synonyms::Synonyms;
pub use text::{Segment, Suggester};

/// Which engine answers searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Embedded,
    Meilisearch,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Embedded => "embedded",
            Self::Meilisearch => "meilisearch",
        }
    }
}

/// Why a search or an index update failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The engine cannot be reached or refused the request (retry later).
    #[error("the search engine is unavailable: {0}")]
    Unavailable(String),
    /// The engine accepted a task and then reported that it failed.
    #[error("the search engine task failed: {0}")]
    TaskFailed(String),
    /// Anything else (a bug or a corrupt index).
    #[error("search index error: {0}")]
    Internal(String),
}

/// What an index holds, to decide at start-up whether it must be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStatus {
    pub documents: u64,
    /// The fingerprint of the directory the index was last brought in step with.
    pub fingerprint: Option<String>,
}

/// One result from an engine, before highlighting.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineHit {
    pub id: String,
    pub name: String,
    pub summary: String,
    /// Metres from the searched point, when the search had one and the service has a place.
    pub distance_metres: Option<f64>,
}

/// What an engine returns for a query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EngineResults {
    pub hits: Vec<EngineHit>,
    /// Every matching service (not only this page).
    pub total: u64,
    pub facets: FacetCounts,
}

/// A search index. Both implementations give the same answers to the same [`SearchQuery`]:
/// the relevance suite (`server/tests/it/relevance.rs`) runs against each.
#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    fn engine(&self) -> Engine;

    /// Applies the index settings (fields, filters, ranking, typo tolerance, stop words and the
    /// synonyms). Idempotent: safe at every start.
    async fn configure(&self, synonyms: &Synonyms) -> Result<(), SearchError>;

    /// Adds or replaces `upserts`, removes `deletes`, and records `fingerprint` as the state of
    /// the directory the index now reflects.
    async fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deletes: Vec<String>,
        fingerprint: &str,
    ) -> Result<(), SearchError>;

    /// Replaces everything with `documents`, under the settings for `synonyms` (the database's:
    /// a rebuild never goes live with synonyms other than the ones it was given).
    async fn replace_all(
        &self,
        documents: Vec<SearchDocument>,
        synonyms: &Synonyms,
        fingerprint: &str,
    ) -> Result<(), SearchError>;

    async fn status(&self) -> Result<IndexStatus, SearchError>;

    /// Every indexed word with the number of services that use it, when the engine can say
    /// cheaply (the embedded index keeps them): "did you mean" then starts from the index instead
    /// of reading every service from the database.
    fn vocabulary(&self) -> Option<Vec<(String, u32)>> {
        None
    }

    async fn search(&self, query: &SearchQuery) -> Result<EngineResults, SearchError>;
}

/// A search result ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub name: Vec<Segment>,
    pub summary: Vec<Segment>,
    pub distance_metres: Option<f64>,
}

/// A page of results, their facet counts and, when nothing matched, a suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub facets: FacetCounts,
    /// "Did you mean …": a corrected query that does find services.
    pub suggestion: Option<String>,
}

impl SearchResults {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.per_page.max(1)))
    }
}

/// Every search in the product goes through here: the directory pages, the ORUK API and the
/// staff portal's service pickers.
#[derive(Clone)]
pub struct Search {
    index: Arc<dyn SearchIndex>,
    synonyms: Arc<RwLock<Synonyms>>,
    suggester: Arc<RwLock<Suggester>>,
    /// Moves on each time the index takes in a change to the directory (see [`Search::changed`]).
    generation: Arc<AtomicU64>,
    /// Recent pages of results, for this generation.
    results: Arc<cache::ResultCache>,
    /// Where this server's index stands in the directory's change feed.
    feed: Arc<sync::FeedStatus>,
}

impl Search {
    pub fn new(index: Arc<dyn SearchIndex>, synonyms: Synonyms, suggester: Suggester) -> Self {
        Self {
            index,
            synonyms: Arc::new(RwLock::new(synonyms)),
            suggester: Arc::new(RwLock::new(suggester)),
            generation: Arc::new(AtomicU64::new(1)),
            results: Arc::new(cache::ResultCache::new(cache::DEFAULT_ENTRIES)),
            feed: Arc::new(sync::FeedStatus::default()),
        }
    }

    /// Where this server's index stands in the change feed (its follower's cursor).
    pub fn feed(&self) -> &sync::FeedStatus {
        &self.feed
    }

    /// Keeps at most `entries` recent pages of results (0: none). Call before cloning.
    pub fn with_result_cache(mut self, entries: usize) -> Self {
        self.results = Arc::new(cache::ResultCache::new(entries));
        self
    }

    /// Which state of the directory the index holds: it moves on after every change the index
    /// applies. What is cached from the database for the results pages
    /// ([`crate::directory::cache`]) is kept for one generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Says that the index has taken in a change to the directory (`search::sync` calls it).
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub fn index(&self) -> &Arc<dyn SearchIndex> {
        &self.index
    }

    pub fn engine(&self) -> Engine {
        self.index.engine()
    }

    pub fn synonyms(&self) -> Synonyms {
        self.synonyms
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// Applies new synonyms to the engine and to highlighting.
    pub async fn set_synonyms(&self, synonyms: Synonyms) -> Result<(), SearchError> {
        self.index.configure(&synonyms).await?;
        match self.synonyms.write() {
            Ok(mut guard) => *guard = synonyms,
            Err(poisoned) => *poisoned.into_inner() = synonyms,
        }
        // Synonyms change what a search finds.
        self.changed();
        Ok(())
    }

    /// Takes new synonyms for highlighting and this server's cached results only, without
    /// configuring the engine (a shared index another server writes).
    pub fn set_local_synonyms(&self, synonyms: Synonyms) {
        match self.synonyms.write() {
            Ok(mut guard) => *guard = synonyms,
            Err(poisoned) => *poisoned.into_inner() = synonyms,
        }
        self.changed();
    }

    /// Replaces the vocabulary "did you mean" draws on.
    pub fn set_suggester(&self, suggester: Suggester) {
        match self.suggester.write() {
            Ok(mut guard) => *guard = suggester,
            Err(poisoned) => *poisoned.into_inner() = suggester,
        }
    }

    /// Adds services' words to the vocabulary "did you mean" draws on.
    pub fn learn<'a>(&self, texts: impl IntoIterator<Item = &'a str>) {
        let mut guard = match self.suggester.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        for text in texts {
            guard.add(text);
        }
    }

    /// A page of results (from [`cache`] when this query was answered since the index last
    /// changed).
    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let generation = self.generation();
        if let Some(kept) = self.results.get(generation, query) {
            return Ok(kept);
        }
        let results = self.answer(query).await?;
        self.results.put(generation, query, &results);
        Ok(results)
    }

    async fn answer(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let results = self.index.search(query).await?;
        let suggestion = if results.total == 0 && !query.text.is_empty() {
            self.suggest(query).await?
        } else {
            None
        };
        let terms = text::HighlightTerms::new(&query.text, &self.synonyms());
        let hits = results
            .hits
            .into_iter()
            .map(|h| Hit {
                name: terms.highlight(&h.name),
                summary: terms.highlight(&h.summary),
                id: h.id,
                distance_metres: h.distance_metres,
            })
            .collect();
        Ok(SearchResults {
            hits,
            total: results.total,
            page: query.page,
            per_page: query.per_page,
            facets: results.facets,
            suggestion,
        })
    }

    /// The ids of every service matching `text` (best first), at most `limit`: for the ORUK API,
    /// which filters and pages them with its own rules.
    pub async fn matching_ids(
        &self,
        text: QueryText,
        limit: u32,
    ) -> Result<Vec<String>, SearchError> {
        let query = SearchQuery::ids(text, limit);
        Ok(self
            .index
            .search(&query)
            .await?
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect())
    }

    /// A corrected query that finds something with the same filters, if there is one.
    async fn suggest(&self, query: &SearchQuery) -> Result<Option<String>, SearchError> {
        let candidate = {
            let suggester = match self.suggester.read() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            suggester.correct(query.text.words())
        };
        let Some(corrected) = candidate else {
            return Ok(None);
        };
        let Ok(text) = QueryText::parse(&corrected) else {
            return Ok(None);
        };
        let mut retry = query.clone();
        retry.text = text;
        retry.page = 1;
        retry.per_page = 1;
        let found = self.index.search(&retry).await?.total > 0;
        Ok(found.then_some(corrected))
    }
}
