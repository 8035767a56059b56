//! The embedded engine: tantivy, in a folder (or in memory for tests and benchmarks).
//!
//! Why tantivy: a mature Rust full-text library (BM25, Levenshtein automata for typos and
//! prefixes, columnar fast fields), so the default install needs no other server and the index
//! survives restarts; rebuilding it from the database takes seconds even at 100k services.
//!
//! How it answers a query (the same meaning as the Meilisearch adapter's settings):
//! * every query word is looked for in the name, categories, summary, organisation, description
//!   and place, with more weight in that order, by BM25. So are the indexed words within its typo
//!   budget (one typo from 5 letters, two from 9), the words it begins (for the last word, while
//!   typing) and its synonyms, each with less weight than the word itself ([`Vocabulary`] finds
//!   them in the index's own term dictionary);
//! * Meilisearch's "words" rule with its default matching strategy: a service must match the
//!   first word, and services matching a longer run of the query's words (all of them, or all
//!   but the last, …) always rank above the others: each run adds a constant far above any BM25
//!   score. Each pair of query words found next to each other adds a smaller constant (the
//!   "proximity" rule);
//! * sorting by distance asks for every word (Meilisearch's `matchingStrategy: all`), so that the
//!   nearest services are ones that match the whole query;
//! * filters, distance and facet counts are computed in one pass over the matching documents
//!   from columnar fast fields ([`Matcher`]), with the filter meaning of
//!   [`Filters::matches`](super::Filters::matches) (a test checks the two agree).
//!
//! Long on purpose: one engine — its index schema, query building, typo tolerance and scoring — read together.

use super::document::SearchDocument;
use super::query::{AgeBand, DeliveryMode, Facet, FacetCounts, Filters, SearchQuery, SortOrder};
use super::synonyms::Synonyms;
use super::text::{self, typo_budget, WordMatch};
use super::{Engine, EngineHit, EngineResults, IndexStatus, SearchError, SearchIndex};
use app::domain::distance_metres;
use app::domain::ReferralRoute;
use app::domain::{TimeOfDayBand, Weekday};
use async_trait::async_trait;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::directory::MmapDirectory;
use tantivy::postings::SegmentPostings;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, QueryClone,
    RangeQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher,
    SegmentOrdinal, SegmentReader, TantivyDocument, TantivyError, Term,
};

const TOKENIZER: &str = "signpost";
/// Each matched query word adds this, so matching more words always ranks higher.
const WORD_WEIGHT: f32 = 1000.0;
/// Searched text fields and their weights, most important first.
const TEXT_FIELDS: [(&str, f32); 6] = [
    ("name", 4.0),
    ("category_names", 3.0),
    ("summary", 2.0),
    ("organization", 1.5),
    ("description", 1.0),
    ("place", 1.0),
];
/// Each pair of query words found next to each other adds this.
const PAIR_WEIGHT: f32 = 200.0;
/// Weights of near matches relative to the word itself.
const ONE_TYPO_WEIGHT: f32 = 0.5;
const TWO_TYPOS_WEIGHT: f32 = 0.3;
const PREFIX_WEIGHT: f32 = 0.6;
const SYNONYM_WEIGHT: f32 = 0.5;
/// Most near matches (typos, completions) looked for per query word: the most used first.
const MAX_VARIANTS: usize = 16;
/// … and for a word that is itself in the index.
const MAX_VARIANTS_OF_A_KNOWN_WORD: usize = 4;

// Bits of the `flags` fast field.
const DAY_BITS: u32 = 0; // 7 bits, Monday first
const TIME_BITS: u32 = 7; // 3 bits: morning, afternoon, evening
const MODE_BITS: u32 = 10; // 3 bits: in person, online, telephone
const FREE_BIT: u32 = 13;
const HOLIDAYS_BIT: u32 = 14;
const WHEELCHAIR_BIT: u32 = 15;
const ROUTE_BITS: u32 = 16; // 3 bits: self, professional, drop in
const AGE_BITS: u32 = 19; // 6 bits: the age bands the service's range touches
const FLAG_BITS: usize = 25;

const ROUTES: [ReferralRoute; 3] = [
    ReferralRoute::SelfReferral,
    ReferralRoute::Professional,
    ReferralRoute::DropIn,
];
const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mo,
    Weekday::Tu,
    Weekday::We,
    Weekday::Th,
    Weekday::Fr,
    Weekday::Sa,
    Weekday::Su,
];

fn day_bit(day: Weekday) -> u64 {
    1 << (DAY_BITS + u32::from(day.number_from_monday()) - 1)
}
fn time_bit(band: TimeOfDayBand) -> u64 {
    let i = TimeOfDayBand::ALL
        .iter()
        .position(|b| *b == band)
        .unwrap_or(0);
    1 << (TIME_BITS + i as u32)
}
fn mode_bit(mode: DeliveryMode) -> u64 {
    let i = DeliveryMode::ALL
        .iter()
        .position(|m| *m == mode)
        .unwrap_or(0);
    1 << (MODE_BITS + i as u32)
}
fn route_bit(route: ReferralRoute) -> u64 {
    let i = ROUTES.iter().position(|r| *r == route).unwrap_or(0);
    1 << (ROUTE_BITS + i as u32)
}

fn flags(doc: &SearchDocument) -> u64 {
    let typed = doc.typed();
    let mut f = 0u64;
    f |= typed.days.iter().map(|d| day_bit(*d)).fold(0, |a, b| a | b);
    f |= typed
        .times
        .iter()
        .map(|t| time_bit(*t))
        .fold(0, |a, b| a | b);
    f |= typed
        .modes
        .iter()
        .map(|m| mode_bit(*m))
        .fold(0, |a, b| a | b);
    f |= route_bit(typed.route);
    if doc.free {
        f |= 1 << FREE_BIT;
    }
    if doc.school_holidays {
        f |= 1 << HOLIDAYS_BIT;
    }
    if doc.wheelchair {
        f |= 1 << WHEELCHAIR_BIT;
    }
    for band in AgeBand::for_range(doc.age_min, doc.age_max) {
        if let Some(i) = AgeBand::ALL.iter().position(|b| *b == band) {
            f |= 1 << (AGE_BITS + i as u32);
        }
    }
    f
}

/// The first 16 letters of the name, lower-cased and folded, as two sortable numbers (the
/// order of "sort by name" when there are no words to rank by).
fn name_keys(name: &str) -> (u64, u64) {
    let folded: Vec<String> = text::tokenize(name).into_iter().map(|t| t.text).collect();
    let mut bytes = [0u8; 16];
    for (slot, b) in bytes.iter_mut().zip(folded.join(" ").bytes()) {
        *slot = b;
    }
    let mut hi = [0u8; 8];
    let mut lo = [0u8; 8];
    hi.copy_from_slice(&bytes[..8]);
    lo.copy_from_slice(&bytes[8..]);
    (u64::from_be_bytes(hi), u64::from_be_bytes(lo))
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    name: Field,
    summary: Field,
    all: Field,
    /// Each two consecutive words of the text, as one term ("young carers"): services with the
    /// query's words side by side rank higher, and a term is far cheaper to look up than a phrase.
    pairs: Field,
    categories: Field,
    languages: Field,
    flags: Field,
    age_min: Field,
    age_max: Field,
    name_key: Field,
    name_key2: Field,
    lat: Field,
    lng: Field,
    text: [Field; 6],
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    let positions = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    b.add_text_field("id", STRING | STORED);
    for (name, _) in TEXT_FIELDS {
        let mut options = TextOptions::default().set_indexing_options(positions.clone());
        if name == "name" || name == "summary" {
            options = options.set_stored();
        }
        b.add_text_field(name, options);
    }
    b.add_text_field(
        "all",
        TextOptions::default().set_indexing_options(positions.clone()),
    );
    b.add_text_field("pairs", STRING);
    b.add_text_field("categories", STRING | FAST);
    b.add_text_field("languages", STRING | FAST);
    for name in ["flags", "age_min", "age_max", "name_key", "name_key2"] {
        b.add_u64_field(name, FAST);
    }
    b.add_f64_field("lat", FAST);
    b.add_f64_field("lng", FAST);
    b.build()
}

fn fields(schema: &Schema) -> Result<Fields, SearchError> {
    let f = |name: &str| {
        schema
            .get_field(name)
            .map_err(|e| SearchError::Internal(e.to_string()))
    };
    Ok(Fields {
        id: f("id")?,
        name: f("name")?,
        summary: f("summary")?,
        all: f("all")?,
        pairs: f("pairs")?,
        categories: f("categories")?,
        languages: f("languages")?,
        flags: f("flags")?,
        age_min: f("age_min")?,
        age_max: f("age_max")?,
        name_key: f("name_key")?,
        name_key2: f("name_key2")?,
        lat: f("lat")?,
        lng: f("lng")?,
        text: [
            f("name")?,
            f("category_names")?,
            f("summary")?,
            f("organization")?,
            f("description")?,
            f("place")?,
        ],
    })
}

fn internal(e: impl std::fmt::Display) -> SearchError {
    SearchError::Internal(e.to_string())
}

/// The words in the index (from the term dictionary of the `all` field) with the number of
/// services using each, grouped by length: where typo and prefix matches come from.
#[derive(Default)]
struct Vocabulary {
    by_length: Vec<Vec<(String, u32)>>,
    /// What [`Vocabulary::variants`] found for each word asked about. Families ask the same
    /// words again and again; a new index brings a new vocabulary and so an empty cache.
    found: Mutex<HashMap<(String, bool), Variants>>,
}

/// Indexed words near a word, with their weight.
type Variants = Arc<[(String, f32)]>;

/// Words whose variants are kept at most (past this the cache starts again).
const MAX_CACHED_WORDS: usize = 20_000;

impl Vocabulary {
    fn read(searcher: &Searcher, field: Field) -> tantivy::Result<Self> {
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    *counts.entry(word.to_owned()).or_default() += stream.value().doc_freq;
                }
            }
        }
        let mut by_length: Vec<Vec<(String, u32)>> = Vec::new();
        for (word, n) in counts {
            let len = word.chars().count();
            if by_length.len() <= len {
                by_length.resize_with(len + 1, Vec::new);
            }
            by_length[len].push((word, n));
        }
        Ok(Self {
            by_length,
            found: Mutex::default(),
        })
    }

    /// [`Vocabulary::find_variants`], remembered.
    fn variants(&self, word: &str, prefix: bool) -> Variants {
        let key = (word.to_owned(), prefix);
        let cached = self
            .found
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(found) = cached {
            return found;
        }
        let found: Variants = self.find_variants(word, prefix).into();
        let mut cache = self.found.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED_WORDS {
            cache.clear();
        }
        cache.insert(key, found.clone());
        found
    }

    /// Indexed words near `word` with their weight: within its typo budget, and when `prefix`
    /// also those that begin with it (or with something within the budget). Not `word` itself;
    /// at most [`MAX_VARIANTS`], the most used first.
    fn find_variants(&self, word: &str, prefix: bool) -> Vec<(String, f32)> {
        let budget = typo_budget(word);
        let len = word.chars().count();
        let mut found: Vec<(String, f32, u32)> = Vec::new();
        let lo = len.saturating_sub(usize::from(budget));
        let hi = if prefix {
            self.by_length.len()
        } else {
            (len + usize::from(budget) + 1).min(self.by_length.len())
        };
        for words in self.by_length.get(lo..hi).unwrap_or_default() {
            for (candidate, uses) in words {
                if candidate == word {
                    continue;
                }
                let weight = match text::word_match(word, candidate, prefix) {
                    None | Some(WordMatch::Exact) => continue,
                    Some(WordMatch::Typos(1)) => ONE_TYPO_WEIGHT,
                    Some(WordMatch::Typos(_) | WordMatch::PrefixWithTypos) => TWO_TYPOS_WEIGHT,
                    Some(WordMatch::Prefix) => PREFIX_WEIGHT,
                };
                found.push((candidate.clone(), weight, *uses));
            }
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
        // A word the directory uses needs fewer stand-ins than one it does not know.
        let known = self
            .by_length
            .get(len)
            .is_some_and(|words| words.iter().any(|(w, _)| w == word));
        found.truncate(if known {
            MAX_VARIANTS_OF_A_KNOWN_WORD
        } else {
            MAX_VARIANTS
        });
        found
            .into_iter()
            .map(|(w, weight, _)| (w, weight))
            .collect()
    }
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    vocabulary: RwLock<Arc<Vocabulary>>,
    synonyms: RwLock<Synonyms>,
    /// Where the index lives (None: in memory).
    path: Option<PathBuf>,
}

/// The embedded tantivy index. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
    /// One writer at a time in this process (tantivy's lock file covers other processes).
    write: Arc<tokio::sync::Mutex<()>>,
}

impl EmbeddedIndex {
    /// Opens the index in `path` (creating it), or an index in memory when `path` is `None`. An
    /// index written by an older version of Signpost (another schema) is replaced by an empty
    /// one, which start-up then rebuilds.
    pub fn open(path: Option<&Path>) -> Result<Self, SearchError> {
        let schema = schema();
        let index = match path {
            None => Index::create_in_ram(schema.clone()),
            Some(path) => {
                std::fs::create_dir_all(path).map_err(|e| {
                    SearchError::Internal(format!(
                        "cannot create the search index folder {}: {e}",
                        path.display()
                    ))
                })?;
                let open = |p: &Path| -> tantivy::Result<Index> {
                    Index::open_or_create(MmapDirectory::open(p)?, schema.clone())
                };
                match open(path) {
                    Ok(index) => index,
                    Err(TantivyError::SchemaError(_)) => {
                        tracing::warn!(
                            path = %path.display(),
                            "the search index has an older layout: replacing it"
                        );
                        std::fs::remove_dir_all(path).map_err(internal)?;
                        std::fs::create_dir_all(path).map_err(internal)?;
                        open(path).map_err(internal)?
                    }
                    Err(e) => {
                        return Err(SearchError::Internal(format!(
                            "cannot open the search index in {}: {e}",
                            path.display()
                        )))
                    }
                }
            }
        };
        index.tokenizers().register(TOKENIZER, text::analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(internal)?;
        let fields = fields(&index.schema())?;
        let vocabulary = Vocabulary::read(&reader.searcher(), fields.all).map_err(internal)?;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                vocabulary: RwLock::new(Arc::new(vocabulary)),
                synonyms: RwLock::new(Synonyms::default()),
                path: path.map(Path::to_path_buf),
            }),
            write: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Runs `f` with a writer, commits with `fingerprint`, and makes the change visible.
    async fn write<F>(&self, fingerprint: &str, memory: usize, f: F) -> Result<(), SearchError>
    where
        F: FnOnce(&IndexWriter, &Fields) -> tantivy::Result<()> + Send + 'static,
    {
        let _guard = self.write.lock().await;
        let inner = self.inner.clone();
        let fingerprint = fingerprint.to_owned();
        tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
            let mut writer = open_writer(&inner, memory)?;
            f(&writer, &inner.fields).map_err(internal)?;
            let mut prepared = writer.prepare_commit().map_err(internal)?;
            prepared.set_payload(&fingerprint);
            prepared.commit().map_err(internal)?;
            writer.wait_merging_threads().map_err(internal)?;
            inner.reader.reload().map_err(internal)?;
            let vocabulary =
                Vocabulary::read(&inner.reader.searcher(), inner.fields.all).map_err(internal)?;
            match inner.vocabulary.write() {
                Ok(mut guard) => *guard = Arc::new(vocabulary),
                Err(poisoned) => *poisoned.into_inner() = Arc::new(vocabulary),
            }
            Ok(())
        })
        .await
        .map_err(internal)?
    }
}

/// A writer, waiting up to ~10 s for another process (`signpost reindex`) to finish.
fn open_writer(inner: &Inner, memory: usize) -> Result<IndexWriter, SearchError> {
    let mut tries = 0;
    loop {
        match inner.index.writer_with_num_threads(1, memory) {
            Ok(w) => return Ok(w),
            Err(TantivyError::LockFailure(..)) if tries < 40 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            Err(TantivyError::LockFailure(..)) => {
                return Err(SearchError::Unavailable(format!(
                    "the search index in {} is being written by another process",
                    inner
                        .path
                        .as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                )))
            }
            Err(e) => return Err(internal(e)),
        }
    }
}

fn to_tantivy(doc: &SearchDocument, f: &Fields) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &doc.id);
    let texts: [String; 6] = [
        doc.name.clone(),
        doc.category_names.join(". "),
        doc.summary.clone(),
        doc.organization.clone(),
        doc.description.clone(),
        doc.place.clone(),
    ];
    for (field, value) in f.text.iter().zip(texts.iter()) {
        d.add_text(*field, value);
    }
    let all = texts.join(". ");
    for pair in text::adjacent_pairs(&all) {
        d.add_text(f.pairs, pair);
    }
    d.add_text(f.all, all);
    for c in &doc.categories {
        d.add_text(f.categories, c);
    }
    for l in &doc.languages {
        d.add_text(f.languages, l);
    }
    d.add_u64(f.flags, flags(doc));
    d.add_u64(f.age_min, u64::from(doc.age_min));
    d.add_u64(f.age_max, u64::from(doc.age_max));
    let (k1, k2) = name_keys(&doc.name);
    d.add_u64(f.name_key, k1);
    d.add_u64(f.name_key2, k2);
    if let Some(geo) = doc.geo {
        d.add_f64(f.lat, geo.lat);
        d.add_f64(f.lng, geo.lng);
    }
    d
}

#[async_trait]
impl SearchIndex for EmbeddedIndex {
    fn engine(&self) -> Engine {
        Engine::Embedded
    }

    async fn configure(&self, synonyms: &Synonyms) -> Result<(), SearchError> {
        match self.inner.synonyms.write() {
            Ok(mut guard) => *guard = synonyms.clone(),
            Err(poisoned) => *poisoned.into_inner() = synonyms.clone(),
        }
        Ok(())
    }

    async fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deletes: Vec<String>,
        fingerprint: &str,
    ) -> Result<(), SearchError> {
        self.write(fingerprint, 15_000_000, move |writer, f| {
            for id in &deletes {
                writer.delete_term(Term::from_field_text(f.id, id));
            }
            for doc in &upserts {
                writer.delete_term(Term::from_field_text(f.id, &doc.id));
                writer.add_document(to_tantivy(doc, f))?;
            }
            Ok(())
        })
        .await
    }

    async fn replace_all(
        &self,
        documents: Vec<SearchDocument>,
        synonyms: &Synonyms,
        fingerprint: &str,
    ) -> Result<(), SearchError> {
        self.write(fingerprint, 200_000_000, move |writer, f| {
            writer.delete_all_documents()?;
            for doc in &documents {
                writer.add_document(to_tantivy(doc, f))?;
            }
            Ok(())
        })
        .await?;
        // Synonyms are expanded at query time here: the rebuilt index answers with these.
        self.configure(synonyms).await
    }

    fn vocabulary(&self) -> Option<Vec<(String, u32)>> {
        let vocabulary = match self.inner.vocabulary.read() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        Some(
            vocabulary
                .by_length
                .iter()
                .flatten()
                .map(|(w, n)| (w.clone(), *n))
                .collect(),
        )
    }

    async fn status(&self) -> Result<IndexStatus, SearchError> {
        let metas = self.inner.index.load_metas().map_err(internal)?;
        self.inner.reader.reload().map_err(internal)?;
        Ok(IndexStatus {
            documents: self.inner.reader.searcher().num_docs(),
            fingerprint: metas.payload,
        })
    }

    async fn search(&self, query: &SearchQuery) -> Result<EngineResults, SearchError> {
        let inner = self.inner.clone();
        let query = query.clone();
        tokio::task::spawn_blocking(move || search(&inner, &query))
            .await
            .map_err(internal)?
    }
}

/// Term queries for one word (or phrase) in every text field, by field weight × `weight`.
fn in_every_field(words: &[String], weight: f32, f: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
    f.text
        .iter()
        .zip(TEXT_FIELDS)
        .map(|(field, (_, field_weight))| {
            let q: Box<dyn Query> = if let [word] = words {
                Box::new(TermQuery::new(
                    Term::from_field_text(*field, word),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(
                    words
                        .iter()
                        .map(|w| Term::from_field_text(*field, w))
                        .collect(),
                ))
            };
            (
                Occur::Should,
                Box::new(BoostQuery::new(q, field_weight * weight)) as Box<dyn Query>,
            )
        })
        .collect()
}

/// The tantivy query for the words (all documents when there are none).
fn text_query(
    query: &SearchQuery,
    synonyms: &Synonyms,
    vocabulary: &Vocabulary,
    f: &Fields,
) -> Box<dyn Query> {
    let words = query.text.words();
    if words.is_empty() {
        return Box::new(AllQuery);
    }
    let require_all = query.sort == SortOrder::Distance;
    let expansions = synonyms.expansions(words);
    let mut word_queries: Vec<BooleanQuery> = Vec::new();
    // Whether a service has the word at all (any form): one field, `all`, unscored; cheaper
    // than the scored query when testing runs of words.
    let mut presence: Vec<BooleanQuery> = Vec::new();
    let term_in_all = |word: &str| -> (Occur, Box<dyn Query>) {
        (
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(f.all, word),
                IndexRecordOption::Basic,
            )),
        )
    };
    for (i, word) in words.iter().enumerate() {
        let mut options = in_every_field(std::slice::from_ref(word), 1.0, f);
        let mut present = vec![term_in_all(word)];
        let prefix = query.text.last_is_prefix() && i + 1 == words.len();
        // Near matches are scored in the name (where they matter most) and in all the text
        // together: two queries each rather than one per field keeps long queries fast.
        for (variant, weight) in vocabulary.variants(word, prefix).iter() {
            let (variant, weight) = (variant.as_str(), *weight);
            present.push(term_in_all(variant));
            for (field, field_weight) in [(f.name, TEXT_FIELDS[0].1), (f.all, 1.0)] {
                options.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, variant),
                            IndexRecordOption::WithFreqs,
                        )),
                        field_weight * weight,
                    )),
                ));
            }
        }
        for expansion in expansions
            .iter()
            .filter(|e| e.start <= i && i < e.start + e.len)
        {
            for alternative in &expansion.alternatives {
                options.extend(in_every_field(alternative, SYNONYM_WEIGHT, f));
                present.push(if let [one] = alternative.as_slice() {
                    term_in_all(one)
                } else {
                    (
                        Occur::Should,
                        Box::new(PhraseQuery::new(
                            alternative
                                .iter()
                                .map(|w| Term::from_field_text(f.all, w))
                                .collect(),
                        )),
                    )
                });
            }
        }
        word_queries.push(BooleanQuery::new(options));
        presence.push(BooleanQuery::new(present));
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Meilisearch's "words" rule with its default matching strategy ("last"): a service must
    // match the first word; it ranks by how long a run of the query's words, from the first, it
    // matches all of. Sorting by distance asks for every word.
    for k in 1..=presence.len() {
        let run: Vec<(Occur, Box<dyn Query>)> = presence[..k]
            .iter()
            .map(|q| (Occur::Must, q.box_clone()))
            .collect();
        let run = BooleanQuery::new(run);
        let occur = if k == 1 || (require_all && k == word_queries.len()) {
            Occur::Must
        } else {
            Occur::Should
        };
        clauses.push((
            occur,
            Box::new(ConstScoreQuery::new(Box::new(run), WORD_WEIGHT)),
        ));
    }
    for q in word_queries {
        clauses.push((Occur::Should, Box::new(q)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The text query, narrowed by the filters the index can answer from its terms (categories,
/// languages) and by the bounding box of the radius, so that scoring only visits services that
/// can pass. The collector still checks every filter exactly.
fn with_filter_clauses(text: Box<dyn Query>, query: &SearchQuery, f: &Fields) -> Box<dyn Query> {
    let any_of = |field: Field, values: &[String]| -> Box<dyn Query> {
        let options: Vec<(Occur, Box<dyn Query>)> = values
            .iter()
            .map(|v| {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(options)),
            0.0,
        ))
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !query.filters.categories.is_empty() {
        clauses.push((Occur::Must, any_of(f.categories, &query.filters.categories)));
    }
    if !query.filters.languages.is_empty() {
        clauses.push((Occur::Must, any_of(f.languages, &query.filters.languages)));
    }
    if let Some(near) = query.near {
        if let Some(radius) = near.radius_metres {
            // Degrees of latitude are ~111 km everywhere; degrees of longitude shrink with cos.
            let dlat = f64::from(radius) / 111_000.0 * 1.01;
            let dlng = dlat / near.latitude.to_radians().cos().abs().max(0.01);
            for (field, centre, delta) in
                [(f.lat, near.latitude, dlat), (f.lng, near.longitude, dlng)]
            {
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(
                        Box::new(RangeQuery::new(
                            std::ops::Bound::Included(Term::from_field_f64(field, centre - delta)),
                            std::ops::Bound::Included(Term::from_field_f64(field, centre + delta)),
                        )),
                        0.0,
                    )),
                ));
            }
        }
    }
    if clauses.is_empty() {
        return text;
    }
    clauses.push((Occur::Must, text));
    Box::new(BooleanQuery::new(clauses))
}

/// Filters compiled to bit masks (and per segment, to term ordinals).
#[derive(Clone)]
struct Compiled {
    days: u64,
    times: u64,
    modes: u64,
    routes: u64,
    required: u64,
    age: Option<u64>,
    categories: Vec<String>,
    languages: Vec<String>,
    near: Option<(f64, f64, Option<f64>)>,
    facets: bool,
}

impl Compiled {
    fn new(filters: &Filters, query: &SearchQuery) -> Self {
        let mut required = 0u64;
        if filters.free {
            required |= 1 << FREE_BIT;
        }
        if filters.school_holidays {
            required |= 1 << HOLIDAYS_BIT;
        }
        if filters.wheelchair {
            required |= 1 << WHEELCHAIR_BIT;
        }
        Self {
            days: filters
                .days
                .iter()
                .map(|d| day_bit(*d))
                .fold(0, |a, b| a | b),
            times: filters
                .times
                .iter()
                .map(|t| time_bit(*t))
                .fold(0, |a, b| a | b),
            modes: filters
                .modes
                .iter()
                .map(|m| mode_bit(*m))
                .fold(0, |a, b| a | b),
            routes: filters
                .routes
                .iter()
                .map(|r| route_bit(*r))
                .fold(0, |a, b| a | b),
            required,
            age: filters.age.map(u64::from),
            categories: filters.categories.clone(),
            languages: filters.languages.clone(),
            near: query
                .near
                .map(|n| (n.latitude, n.longitude, n.radius_metres.map(f64::from))),
            facets: query.facets,
        }
    }

    fn flags_pass(&self, flags: u64) -> bool {
        let any = |mask: u64| mask == 0 || flags & mask != 0;
        any(self.days)
            && any(self.times)
            && any(self.modes)
            && any(self.routes)
            && flags & self.required == self.required
    }
}

/// One matching document.
#[derive(Clone, Copy)]
struct Match {
    segment: SegmentOrdinal,
    doc: DocId,
    score: Score,
    distance: Option<f64>,
    name: (u64, u64),
}

struct SegmentFruit {
    matches: Vec<Match>,
    flag_counts: [u64; FLAG_BITS],
    categories: BTreeMap<String, u64>,
    languages: BTreeMap<String, u64>,
}

/// Collects matches that pass the filters, their distances and the facet counts.
struct Matcher {
    compiled: Compiled,
    /// The `pairs` field.
    pairs_field: Field,
    /// Each two consecutive words of the query ("young carers"): a service that has them side by
    /// side ranks higher ([`PAIR_WEIGHT`] each). Looked up here, for the services that pass the
    /// filters only.
    pairs: Vec<String>,
}

struct SegmentMatcher {
    c: Compiled,
    segment: SegmentOrdinal,
    flags: Column<u64>,
    age_min: Column<u64>,
    age_max: Column<u64>,
    lat: Column<f64>,
    lng: Column<f64>,
    categories: Option<StrColumn>,
    languages: Option<StrColumn>,
    /// Postings of the query's pairs of words in this segment.
    pairs: Vec<SegmentPostings>,
    /// Ordinals of the wanted categories and languages in this segment (None: not filtered).
    wanted_categories: Option<Vec<u64>>,
    wanted_languages: Option<Vec<u64>>,
    category_counts: Vec<u64>,
    language_counts: Vec<u64>,
    fruit: SegmentFruit,
}

fn ordinals(column: Option<&StrColumn>, wanted: &[String]) -> tantivy::Result<Option<Vec<u64>>> {
    if wanted.is_empty() {
        return Ok(None);
    }
    let mut ords = Vec::new();
    if let Some(column) = column {
        for w in wanted {
            if let Some(ord) = column.dictionary().term_ord(w.as_bytes())? {
                ords.push(ord);
            }
        }
    }
    Ok(Some(ords))
}

impl Collector for Matcher {
    type Fruit = Vec<SegmentFruit>;
    type Child = SegmentMatcher;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatcher> {
        let ff = reader.fast_fields();
        let categories = ff.str("categories")?;
        let languages = ff.str("languages")?;
        let wanted_categories = ordinals(categories.as_ref(), &self.compiled.categories)?;
        let wanted_languages = ordinals(languages.as_ref(), &self.compiled.languages)?;
        let count_size = |c: &Option<StrColumn>| {
            if self.compiled.facets {
                c.as_ref().map_or(0, |c| c.num_terms())
            } else {
                0
            }
        };
        let inverted = reader.inverted_index(self.pairs_field)?;
        let mut pairs = Vec::new();
        for pair in &self.pairs {
            let term = Term::from_field_text(self.pairs_field, pair);
            if let Some(postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                pairs.push(postings);
            }
        }
        Ok(SegmentMatcher {
            c: self.compiled.clone(),
            pairs,
            segment,
            flags: ff.u64("flags")?,
            age_min: ff.u64("age_min")?,
            age_max: ff.u64("age_max")?,
            lat: ff.f64("lat")?,
            lng: ff.f64("lng")?,
            category_counts: vec![0; count_size(&categories)],
            language_counts: vec![0; count_size(&languages)],
            categories,
            languages,
            wanted_categories,
            wanted_languages,
            fruit: SegmentFruit {
                matches: Vec::new(),
                flag_counts: [0; FLAG_BITS],
                categories: BTreeMap::new(),
                languages: BTreeMap::new(),
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Vec<SegmentFruit>> {
        Ok(fruits)
    }
}

fn has_any(column: Option<&StrColumn>, doc: DocId, wanted: &[u64]) -> bool {
    column.is_some_and(|c| c.term_ords(doc).any(|o| wanted.contains(&o)))
}

impl SegmentCollector for SegmentMatcher {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let flags = self.flags.first(doc).unwrap_or(0);
        if !self.c.flags_pass(flags) {
            return;
        }
        if let Some(age) = self.c.age {
            let age_min = self.age_min.first(doc).unwrap_or(0);
            let age_max = self.age_max.first(doc).unwrap_or(u64::MAX);
            if age < age_min || age > age_max {
                return;
            }
        }
        if let Some(wanted) = &self.wanted_categories {
            if !has_any(self.categories.as_ref(), doc, wanted) {
                return;
            }
        }
        if let Some(wanted) = &self.wanted_languages {
            if !has_any(self.languages.as_ref(), doc, wanted) {
                return;
            }
        }
        let mut distance = None;
        if let Some((lat, lng, radius)) = self.c.near {
            distance = match (self.lat.first(doc), self.lng.first(doc)) {
                (Some(a), Some(b)) => Some(distance_metres(lat, lng, a, b)),
                _ => None,
            };
            if let Some(radius) = radius {
                if distance.is_none_or(|d| d > radius) {
                    return;
                }
            }
        }
        let mut score = score;
        for pair in &mut self.pairs {
            if pair.doc() < doc {
                pair.seek(doc);
            }
            if pair.doc() == doc {
                score += PAIR_WEIGHT;
            }
        }
        self.fruit.matches.push(Match {
            segment: self.segment,
            doc,
            score,
            distance,
            // Read later, for the few matches whose place depends on it.
            name: (0, 0),
        });
        if self.c.facets {
            let mut rest = flags;
            while rest != 0 {
                if let Some(n) = self
                    .fruit
                    .flag_counts
                    .get_mut(rest.trailing_zeros() as usize)
                {
                    *n += 1;
                }
                rest &= rest - 1;
            }
            if let Some(c) = &self.categories {
                for ord in c.term_ords(doc) {
                    if let Some(n) = self.category_counts.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
            if let Some(c) = &self.languages {
                for ord in c.term_ords(doc) {
                    if let Some(n) = self.language_counts.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        let resolve = |column: &Option<StrColumn>, counts: &[u64]| {
            let mut out = BTreeMap::new();
            if let Some(c) = column {
                for (ord, n) in counts.iter().enumerate() {
                    let mut s = String::new();
                    if *n > 0 && c.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                        out.insert(s, *n);
                    }
                }
            }
            out
        };
        self.fruit.categories = resolve(&self.categories, &self.category_counts);
        self.fruit.languages = resolve(&self.languages, &self.language_counts);
        self.fruit
    }
}

/// The order of results before names break ties: by distance (when asked), then by score.
fn primary_order(query: &SearchQuery) -> impl Fn(&Match, &Match) -> Ordering {
    let by_distance = query.sort == SortOrder::Distance;
    let by_score = !query.text.is_empty();
    move |a: &Match, b: &Match| {
        let distance = || match (a.distance, b.distance) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let score = || {
            if by_score {
                b.score.total_cmp(&a.score)
            } else {
                Ordering::Equal
            }
        };
        if by_distance {
            distance().then_with(score)
        } else {
            score()
        }
    }
}

/// The whole order of results: [`primary_order`], then by name, then by place in the index.
fn order(query: &SearchQuery) -> impl Fn(&Match, &Match) -> Ordering {
    let primary = primary_order(query);
    move |a: &Match, b: &Match| {
        primary(a, b)
            .then(a.name.cmp(&b.name))
            .then(a.segment.cmp(&b.segment))
            .then(a.doc.cmp(&b.doc))
    }
}

/// The first `end` matches in [`order`], in order. Names are read from the index only for the
/// matches that can be among them: those ahead of the `end`th by [`primary_order`] and those
/// level with it.
fn first_in_order(
    searcher: &Searcher,
    query: &SearchQuery,
    mut matches: Vec<Match>,
    end: usize,
) -> tantivy::Result<Vec<Match>> {
    if end == 0 || matches.is_empty() {
        return Ok(Vec::new());
    }
    if end < matches.len() {
        let primary = primary_order(query);
        matches.select_nth_unstable_by(end - 1, &primary);
        let boundary = matches[end - 1];
        let level = matches.len() - end;
        let mut kept = end;
        for i in end..end + level {
            if primary(&matches[i], &boundary) == Ordering::Equal {
                matches.swap(kept, i);
                kept += 1;
            }
        }
        matches.truncate(kept);
    }
    let mut columns: Vec<Option<(Column<u64>, Column<u64>)>> = Vec::new();
    for m in &mut matches {
        let segment = m.segment as usize;
        if columns.len() <= segment {
            columns.resize_with(segment + 1, || None);
        }
        if columns[segment].is_none() {
            let ff = searcher.segment_reader(m.segment).fast_fields();
            columns[segment] = Some((ff.u64("name_key")?, ff.u64("name_key2")?));
        }
        if let Some((k1, k2)) = &columns[segment] {
            m.name = (k1.first(m.doc).unwrap_or(0), k2.first(m.doc).unwrap_or(0));
        }
    }
    matches.sort_by(order(query));
    matches.truncate(end);
    Ok(matches)
}

fn search(inner: &Inner, query: &SearchQuery) -> Result<EngineResults, SearchError> {
    let synonyms = match inner.synonyms.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    let f = &inner.fields;
    let vocabulary = match inner.vocabulary.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    let q = with_filter_clauses(text_query(query, &synonyms, &vocabulary, f), query, f);
    let searcher = inner.reader.searcher();
    let collector = Matcher {
        compiled: Compiled::new(&query.filters, query),
        pairs_field: f.pairs,
        pairs: query
            .text
            .words()
            .windows(2)
            .map(|pair| text::pair_term(&pair[0], &pair[1]))
            .collect(),
    };
    let fruits = searcher.search(&*q, &collector).map_err(internal)?;

    let mut matches: Vec<Match> = Vec::new();
    let mut flag_counts = [0u64; FLAG_BITS];
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    let mut languages: BTreeMap<String, u64> = BTreeMap::new();
    for fruit in fruits {
        matches.extend(fruit.matches);
        for (t, s) in flag_counts.iter_mut().zip(fruit.flag_counts) {
            *t += s;
        }
        for (k, v) in fruit.categories {
            *categories.entry(k).or_default() += v;
        }
        for (k, v) in fruit.languages {
            *languages.entry(k).or_default() += v;
        }
    }
    let total = matches.len() as u64;
    let offset = query.offset();
    let end = (offset + query.per_page as usize).min(matches.len());
    let mut matches = first_in_order(&searcher, query, matches, end).map_err(internal)?;
    matches.drain(..offset.min(matches.len()));

    let mut hits = Vec::with_capacity(matches.len());
    for m in matches {
        let doc: TantivyDocument = searcher
            .doc(DocAddress::new(m.segment, m.doc))
            .map_err(internal)?;
        let get = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        hits.push(EngineHit {
            id: get(f.id),
            name: get(f.name),
            summary: get(f.summary),
            distance_metres: m.distance,
        });
    }

    let mut facets = FacetCounts::new();
    if query.facets {
        let bits = |range: std::ops::Range<u32>, names: &[&str]| -> BTreeMap<String, u64> {
            range
                .zip(names)
                .filter(|(bit, _)| flag_counts[*bit as usize] > 0)
                .map(|(bit, name)| ((*name).to_owned(), flag_counts[bit as usize]))
                .collect()
        };
        let day_names: Vec<&str> = WEEKDAYS.iter().map(|d| d.as_ical()).collect();
        let time_names: Vec<&str> = TimeOfDayBand::ALL.iter().map(|t| t.as_str()).collect();
        let mode_names: Vec<&str> = DeliveryMode::ALL.iter().map(|m| m.as_str()).collect();
        let route_names: Vec<&str> = ROUTES.iter().map(|r| r.as_str()).collect();
        facets.insert(Facet::Day, bits(DAY_BITS..DAY_BITS + 7, &day_names));
        facets.insert(Facet::Time, bits(TIME_BITS..TIME_BITS + 3, &time_names));
        facets.insert(Facet::Mode, bits(MODE_BITS..MODE_BITS + 3, &mode_names));
        facets.insert(Facet::Route, bits(ROUTE_BITS..ROUTE_BITS + 3, &route_names));
        facets.insert(Facet::Free, bits(FREE_BIT..FREE_BIT + 1, &["true"]));
        facets.insert(
            Facet::SchoolHolidays,
            bits(HOLIDAYS_BIT..HOLIDAYS_BIT + 1, &["true"]),
        );
        facets.insert(
            Facet::Wheelchair,
            bits(WHEELCHAIR_BIT..WHEELCHAIR_BIT + 1, &["true"]),
        );
        let band_names: Vec<&str> = AgeBand::ALL.iter().map(|b| b.as_str()).collect();
        facets.insert(Facet::AgeBand, bits(AGE_BITS..AGE_BITS + 6, &band_names));
        facets.insert(Facet::Category, categories);
        facets.insert(Facet::Language, languages);
    }
    Ok(EngineResults {
        hits,
        total,
        facets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::document::Geo;

    fn doc(i: u64) -> SearchDocument {
        let pick = |n: u64, of: &[&str]| -> Vec<String> {
            of.iter()
                .enumerate()
                .filter(|(k, _)| (n >> k) & 1 == 1)
                .map(|(_, s)| (*s).to_owned())
                .collect()
        };
        let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let age_min = (h % 19) as u8;
        SearchDocument {
            id: format!("doc-{i}"),
            name: format!("Service {i}"),
            organization: "Org".into(),
            summary: "Summary".into(),
            description: "Description".into(),
            category_names: vec![],
            place: String::new(),
            categories: pick(h >> 8, &["health", "health.camhs", "young-carers"]),
            age_min,
            age_max: if h & 1 == 0 { age_min + 5 } else { 120 },
            age_bands: vec![],
            free: (h >> 12) & 1 == 1,
            days: pick(h >> 13, &["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
            times: pick(h >> 20, &["morning", "afternoon", "evening"]),
            school_holidays: (h >> 23) & 1 == 1,
            modes: pick(h >> 24, &["in_person", "online", "telephone"]),
            wheelchair: (h >> 27) & 1 == 1,
            languages: pick(h >> 28, &["english", "polish", "urdu"]),
            route: ["self", "professional", "drop_in"][(h >> 31) as usize % 3].into(),
            geo: ((h >> 33) & 1 == 1).then_some(Geo {
                lat: 52.0 + (h % 100) as f64 / 1000.0,
                lng: -1.0,
            }),
        }
    }

    /// The compiled filters (bit masks and ordinals) agree with `Filters::matches` on a spread
    /// of documents and filters.
    #[tokio::test]
    async fn compiled_filters_mean_what_filters_matches_says() {
        let index = EmbeddedIndex::open(None).unwrap();
        let docs: Vec<SearchDocument> = (0..300).map(doc).collect();
        index
            .replace_all(docs.clone(), &Synonyms::default(), "test")
            .await
            .unwrap();
        let filter_sets = [
            Filters::default(),
            Filters {
                free: true,
                ..Filters::default()
            },
            Filters {
                age: Some(7),
                days: vec![Weekday::Sa, Weekday::Su],
                ..Filters::default()
            },
            Filters {
                times: vec![TimeOfDayBand::Evening],
                wheelchair: true,
                ..Filters::default()
            },
            Filters {
                categories: vec!["health.camhs".into(), "young-carers".into()],
                languages: vec!["polish".into()],
                ..Filters::default()
            },
            Filters {
                modes: vec![DeliveryMode::Online],
                routes: vec![ReferralRoute::DropIn, ReferralRoute::SelfReferral],
                school_holidays: true,
                ..Filters::default()
            },
            Filters {
                categories: vec!["no-such-category".into()],
                ..Filters::default()
            },
        ];
        for filters in filter_sets {
            let query = SearchQuery::new(
                super::super::QueryText::default(),
                filters.clone(),
                None,
                SortOrder::Relevance,
                1,
                100,
            )
            .unwrap();
            let results = index.search(&query).await.unwrap();
            let expected = docs
                .iter()
                .filter(|d| filters.matches(&d.filter_values(&d.typed())))
                .count() as u64;
            assert_eq!(results.total, expected, "{filters:?}");
        }
    }

    #[tokio::test]
    async fn radius_excludes_far_and_placeless_services_and_sorts_by_distance() {
        let index = EmbeddedIndex::open(None).unwrap();
        let docs: Vec<SearchDocument> = (0..300).map(doc).collect();
        index
            .replace_all(docs.clone(), &Synonyms::default(), "test")
            .await
            .unwrap();
        let near = super::super::Near::new(52.0, -1.0, Some(5_000)).unwrap();
        let query = SearchQuery::new(
            super::super::QueryText::default(),
            Filters::default(),
            Some(near),
            SortOrder::Distance,
            1,
            100,
        )
        .unwrap();
        let results = index.search(&query).await.unwrap();
        let expected = docs
            .iter()
            .filter(|d| {
                d.geo
                    .is_some_and(|g| distance_metres(52.0, -1.0, g.lat, g.lng) <= 5_000.0)
            })
            .count() as u64;
        assert_eq!(results.total, expected);
        let distances: Vec<f64> = results
            .hits
            .iter()
            .filter_map(|h| h.distance_metres)
            .collect();
        assert_eq!(distances.len(), results.hits.len());
        assert!(distances.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn name_keys_sort_like_names() {
        assert!(name_keys("Autism Family Support") < name_keys("Baby and toddler group"));
        assert!(name_keys("Café") < name_keys("Cafe club"));
    }
}
