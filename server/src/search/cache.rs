//! Results of recent searches, kept until the index changes.
//!
//! Families ask the same things again and again ("young carers", a category page, the landing
//! pages' sections), and the directory changes a few times a day. A page of results is kept
//! under the query that produced it for one [`Search::generation`](super::Search::generation):
//! when the index applies a change (or new synonyms), the generation moves on and every cached
//! page is dropped. A result computed while a change was being applied is returned but not kept.

use super::{SearchQuery, SearchResults};
use std::collections::HashMap;
use std::sync::RwLock;

/// Pages of results kept by default (`SIGNPOST_SEARCH_CACHE`).
pub const DEFAULT_ENTRIES: usize = crate::settings::DEFAULT_SEARCH_CACHE_ENTRIES;

/// A value that holds for one generation of the index (see [`super::Search::generation`]):
/// reading it for another generation finds nothing; writing it for a newer one starts it again
/// from empty; writing it for an older one (loaded while a change was being applied) keeps nothing.
#[derive(Default)]
pub struct Generational<T> {
    kept: RwLock<(u64, T)>,
}

impl<T: Default> Generational<T> {
    pub fn read<R>(&self, generation: u64, f: impl FnOnce(&T) -> R) -> Option<R> {
        let kept = self.kept.read().unwrap_or_else(|p| p.into_inner());
        (kept.0 == generation).then(|| f(&kept.1))
    }

    pub fn write(&self, generation: u64, f: impl FnOnce(&mut T)) {
        let mut kept = self.kept.write().unwrap_or_else(|p| p.into_inner());
        if generation > kept.0 {
            *kept = (generation, T::default());
        }
        if kept.0 == generation {
            f(&mut kept.1);
        }
    }
}

/// At most `capacity` pages; 0 keeps nothing.
#[derive(Default)]
pub struct ResultCache {
    capacity: usize,
    pages: Generational<HashMap<String, SearchResults>>,
}

/// The cache's key: every part of the query (its `Debug` form is exact and has no maps).
fn key(query: &SearchQuery) -> String {
    format!("{query:?}")
}

impl ResultCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            pages: Generational::default(),
        }
    }

    pub fn get(&self, generation: u64, query: &SearchQuery) -> Option<SearchResults> {
        if self.capacity == 0 {
            return None;
        }
        self.pages
            .read(generation, |pages| pages.get(&key(query)).cloned())
            .flatten()
    }

    pub fn put(&self, generation: u64, query: &SearchQuery, results: &SearchResults) {
        if self.capacity == 0 {
            return;
        }
        self.pages.write(generation, |pages| {
            // Full: start again (simpler than least-recently-used, and the popular searches
            // come straight back).
            if pages.len() >= self.capacity {
                pages.clear();
            }
            pages.insert(key(query), results.clone());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{Filters, QueryText, SortOrder};

    fn query(words: &str) -> SearchQuery {
        SearchQuery::new(
            QueryText::parse(words).unwrap(),
            Filters::default(),
            None,
            SortOrder::Relevance,
            1,
            20,
        )
        .unwrap()
    }

    fn results(total: u64) -> SearchResults {
        SearchResults {
            hits: Vec::new(),
            total,
            page: 1,
            per_page: 20,
            facets: Default::default(),
            suggestion: None,
        }
    }

    #[test]
    fn a_page_is_kept_for_its_query_and_generation_only() {
        let cache = ResultCache::new(10);
        cache.put(1, &query("swimming"), &results(3));
        assert_eq!(cache.get(1, &query("swimming")), Some(results(3)));
        assert_eq!(cache.get(1, &query("swim")), None);
        // The index changed: nothing from before is served.
        assert_eq!(cache.get(2, &query("swimming")), None);
        cache.put(2, &query("swimming"), &results(4));
        assert_eq!(cache.get(2, &query("swimming")), Some(results(4)));
        // Computed before the change, stored after it: not kept.
        cache.put(1, &query("football"), &results(1));
        assert_eq!(cache.get(2, &query("football")), None);
        assert_eq!(cache.get(1, &query("football")), None);
    }

    #[test]
    fn it_stays_within_its_capacity_and_zero_keeps_nothing() {
        let cache = ResultCache::new(2);
        for (i, w) in ["a", "b", "c"].iter().enumerate() {
            cache.put(1, &query(w), &results(i as u64));
        }
        let kept = ["a", "b", "c"]
            .iter()
            .filter(|w| cache.get(1, &query(w)).is_some())
            .count();
        assert!(kept <= 2);
        assert_eq!(cache.get(1, &query("c")), Some(results(2)));
        let off = ResultCache::new(0);
        off.put(1, &query("a"), &results(1));
        assert_eq!(off.get(1, &query("a")), None);
    }
}
