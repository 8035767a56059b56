//! A search as both engines receive it: bounded text, filters with one meaning, a place, a sort
//! and a page. Built only through constructors that refuse what is out of bounds.

use super::text;
use app::domain::ReferralRoute;
use app::domain::{TimeOfDayBand, Weekday};
use std::collections::BTreeMap;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words after the tenth are ignored (stop words do not count).
pub const MAX_WORDS: usize = 10;
/// The largest page.
pub const MAX_PER_PAGE: u32 = 100;
/// How deep anyone can page: `page × per_page` stays within this.
pub const MAX_RESULT_WINDOW: u32 = 1000;
/// The widest radius, in metres (the county is about 40 km across).
pub const MAX_RADIUS_METRES: u32 = 100_000;
/// "No upper age limit", as stored in the index.
pub const NO_MAXIMUM_AGE: u8 = 120;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("Search words must be {MAX_QUERY_CHARS} characters or fewer")]
    TooLong,
    #[error("Page must be a whole number from 1 to {max}")]
    PageOutOfRange { max: u32 },
    #[error("Results per page must be from 1 to {MAX_PER_PAGE}")]
    PerPageOutOfRange,
    #[error("Distance must be from 1 to {MAX_RADIUS_METRES} metres")]
    RadiusOutOfRange,
    #[error("Sorting by distance needs a postcode")]
    DistanceWithoutPlace,
}

/// The words someone typed: trimmed, at most [`MAX_QUERY_CHARS`], split into normalised words
/// (lower case, accents folded, punctuation dropped), stop words left out, at most [`MAX_WORDS`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryText {
    raw: String,
    words: Vec<String>,
    /// The last word is still being typed (no space after it): it also matches as a prefix.
    last_is_prefix: bool,
}

impl QueryText {
    pub fn parse(input: &str) -> Result<Self, QueryError> {
        if input.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let raw = input.trim().to_owned();
        let words: Vec<String> = text::tokenize(&raw)
            .into_iter()
            .map(|t| t.text)
            .filter(|w| !text::is_stop_word(w))
            .take(MAX_WORDS)
            .collect();
        let last_is_prefix =
            !words.is_empty() && input.chars().last().is_some_and(|c| !c.is_whitespace());
        Ok(Self {
            raw,
            words,
            last_is_prefix,
        })
    }

    /// No words to search for (empty, or only stop words and punctuation).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    pub fn last_is_prefix(&self) -> bool {
        self.last_is_prefix
    }

    /// The normalised words as one string (what Meilisearch is sent), with a trailing space when
    /// the last word is complete so that it is not matched as a prefix.
    pub fn normalised(&self) -> String {
        let mut q = self.words.join(" ");
        if !self.last_is_prefix && !q.is_empty() {
            q.push(' ');
        }
        q
    }
}

/// How the service is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryMode {
    InPerson,
    Online,
    Telephone,
}

impl DeliveryMode {
    pub const ALL: [DeliveryMode; 3] = [Self::InPerson, Self::Online, Self::Telephone];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPerson => "in_person",
            Self::Online => "online",
            Self::Telephone => "telephone",
        }
    }

    /// `in_person`, `in-person`, `online`, `telephone` or `phone`, in any case.
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "in_person" => Some(Self::InPerson),
            "online" => Some(Self::Online),
            "telephone" | "phone" => Some(Self::Telephone),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::InPerson => "In person",
            Self::Online => "Online",
            Self::Telephone => "By phone",
        }
    }
}

/// Age bands for counting (a service counts in every band its age range touches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBand {
    UnderFive,
    FiveToTen,
    ElevenToFifteen,
    SixteenToSeventeen,
    EighteenToTwentyFive,
    Adults,
}

impl AgeBand {
    pub const ALL: [AgeBand; 6] = [
        Self::UnderFive,
        Self::FiveToTen,
        Self::ElevenToFifteen,
        Self::SixteenToSeventeen,
        Self::EighteenToTwentyFive,
        Self::Adults,
    ];

    /// Youngest and oldest age in the band.
    pub fn range(self) -> (u8, u8) {
        match self {
            Self::UnderFive => (0, 4),
            Self::FiveToTen => (5, 10),
            Self::ElevenToFifteen => (11, 15),
            Self::SixteenToSeventeen => (16, 17),
            Self::EighteenToTwentyFive => (18, 25),
            Self::Adults => (26, NO_MAXIMUM_AGE),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnderFive => "0-4",
            Self::FiveToTen => "5-10",
            Self::ElevenToFifteen => "11-15",
            Self::SixteenToSeventeen => "16-17",
            Self::EighteenToTwentyFive => "18-25",
            Self::Adults => "26+",
        }
    }

    /// For people: "5 to 10 years".
    pub fn label(self) -> &'static str {
        match self {
            Self::UnderFive => "0 to 4 years",
            Self::FiveToTen => "5 to 10 years",
            Self::ElevenToFifteen => "11 to 15 years",
            Self::SixteenToSeventeen => "16 to 17 years",
            Self::EighteenToTwentyFive => "18 to 25 years",
            Self::Adults => "26 and over",
        }
    }

    /// The bands a service for ages `min..=max` touches.
    pub fn for_range(min: u8, max: u8) -> Vec<AgeBand> {
        Self::ALL
            .into_iter()
            .filter(|band| {
                let (lo, hi) = band.range();
                min <= hi && max >= lo
            })
            .collect()
    }
}

/// Filters. Values within one filter are alternatives (any of them); different filters must all
/// hold. An empty list or `false` means "not filtered".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    /// Category codes, e.g. `young-carers.groups-and-clubs`; a top-level code includes its
    /// children (documents carry their categories' ancestors).
    pub categories: Vec<String>,
    /// A child's (or adult's) age that the service's age range must include.
    pub age: Option<u8>,
    pub free: bool,
    pub days: Vec<Weekday>,
    pub times: Vec<TimeOfDayBand>,
    pub school_holidays: bool,
    pub modes: Vec<DeliveryMode>,
    pub wheelchair: bool,
    /// Language names in lower case, e.g. `polish`.
    pub languages: Vec<String>,
    pub routes: Vec<ReferralRoute>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether a document with these values passes: the one definition of the filters, used by
    /// the embedded engine and (in tests) to check the Meilisearch filter strings.
    pub fn matches(&self, doc: &FilterValues<'_>) -> bool {
        fn any<T: PartialEq>(wanted: &[T], have: &[T]) -> bool {
            wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
        }
        any(&self.categories, doc.categories)
            && self
                .age
                .is_none_or(|age| doc.age_min <= age && age <= doc.age_max)
            && (!self.free || doc.free)
            && any(&self.days, doc.days)
            && any(&self.times, doc.times)
            && (!self.school_holidays || doc.school_holidays)
            && any(&self.modes, doc.modes)
            && (!self.wheelchair || doc.wheelchair)
            && any(&self.languages, doc.languages)
            && (self.routes.is_empty() || self.routes.contains(&doc.route))
    }
}

/// A document's filterable values, borrowed.
#[derive(Debug, Clone)]
pub struct FilterValues<'a> {
    pub categories: &'a [String],
    pub age_min: u8,
    pub age_max: u8,
    pub free: bool,
    pub days: &'a [Weekday],
    pub times: &'a [TimeOfDayBand],
    pub school_holidays: bool,
    pub modes: &'a [DeliveryMode],
    pub wheelchair: bool,
    pub languages: &'a [String],
    pub route: ReferralRoute,
}

/// A place to measure distance from (a postcode's centroid), and how far to look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub latitude: f64,
    pub longitude: f64,
    pub radius_metres: Option<u32>,
}

impl Near {
    pub fn new(
        latitude: f64,
        longitude: f64,
        radius_metres: Option<u32>,
    ) -> Result<Self, QueryError> {
        if radius_metres.is_some_and(|r| r == 0 || r > MAX_RADIUS_METRES) {
            return Err(QueryError::RadiusOutOfRange);
        }
        Ok(Self {
            latitude,
            longitude,
            radius_metres,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Best match first; with no words, by name.
    #[default]
    Relevance,
    /// Nearest first (needs a place); services with no place last.
    Distance,
}

/// The facets counted for the filter panel: the field names both engines use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Category,
    AgeBand,
    Free,
    Day,
    Time,
    SchoolHolidays,
    Mode,
    Wheelchair,
    Language,
    Route,
}

impl Facet {
    pub const ALL: [Facet; 10] = [
        Self::Category,
        Self::AgeBand,
        Self::Free,
        Self::Day,
        Self::Time,
        Self::SchoolHolidays,
        Self::Mode,
        Self::Wheelchair,
        Self::Language,
        Self::Route,
    ];

    /// The document field (and Meilisearch attribute) this facet counts.
    pub fn field(self) -> &'static str {
        match self {
            Self::Category => "categories",
            Self::AgeBand => "age_bands",
            Self::Free => "free",
            Self::Day => "days",
            Self::Time => "times",
            Self::SchoolHolidays => "school_holidays",
            Self::Mode => "modes",
            Self::Wheelchair => "wheelchair",
            Self::Language => "languages",
            Self::Route => "route",
        }
    }

    pub fn from_field(field: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.field() == field)
    }

    /// Yes/no facets count only "true".
    pub fn is_flag(self) -> bool {
        matches!(self, Self::Free | Self::SchoolHolidays | Self::Wheelchair)
    }
}

/// Facet → value → number of matching services. Yes/no facets have one value, `true`.
pub type FacetCounts = BTreeMap<Facet, BTreeMap<String, u64>>;

/// One search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub text: QueryText,
    pub filters: Filters,
    pub near: Option<Near>,
    pub sort: SortOrder,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// Count facets (the filter panel needs them; the API does not).
    pub facets: bool,
}

impl SearchQuery {
    pub fn new(
        text: QueryText,
        filters: Filters,
        near: Option<Near>,
        sort: SortOrder,
        page: u32,
        per_page: u32,
    ) -> Result<Self, QueryError> {
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(QueryError::PerPageOutOfRange);
        }
        let max_page = MAX_RESULT_WINDOW / per_page;
        if page == 0 || page > max_page {
            return Err(QueryError::PageOutOfRange { max: max_page });
        }
        if sort == SortOrder::Distance && near.is_none() {
            return Err(QueryError::DistanceWithoutPlace);
        }
        Ok(Self {
            text,
            filters,
            near,
            sort,
            page,
            per_page,
            facets: true,
        })
    }

    /// Words only, first page of `limit` (up to [`MAX_RESULT_WINDOW`]), no facets.
    pub(crate) fn ids(text: QueryText, limit: u32) -> Self {
        Self {
            text,
            filters: Filters::default(),
            near: None,
            sort: SortOrder::Relevance,
            page: 1,
            per_page: limit.clamp(1, MAX_RESULT_WINDOW),
            facets: false,
        }
    }

    /// Results to skip.
    pub fn offset(&self) -> usize {
        (self.page.saturating_sub(1) as usize).saturating_mul(self.per_page as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_text_is_bounded_and_normalised() {
        assert_eq!(QueryText::parse(&"a".repeat(201)), Err(QueryError::TooLong));
        let q = QueryText::parse("  Autism GROUP for the Under-5s ").unwrap();
        assert_eq!(q.words(), ["autism", "group", "under", "5s"]);
        assert!(!q.last_is_prefix());
        assert_eq!(q.normalised(), "autism group under 5s ");
        let q = QueryText::parse("swim").unwrap();
        assert!(q.last_is_prefix());
        assert_eq!(q.normalised(), "swim");
        assert!(QueryText::parse("the and of ...").unwrap().is_empty());
        let many = "one two three four five six seven eight nine ten eleven twelve";
        assert_eq!(QueryText::parse(many).unwrap().words().len(), MAX_WORDS);
        assert_eq!(
            QueryText::parse("Café <script>alert(1)</script>")
                .unwrap()
                .words(),
            ["cafe", "script", "alert", "1", "script"]
        );
    }

    #[test]
    fn pages_are_bounded() {
        let q = || QueryText::parse("x").unwrap();
        let new = |page, per_page| {
            SearchQuery::new(
                q(),
                Filters::default(),
                None,
                SortOrder::Relevance,
                page,
                per_page,
            )
        };
        assert!(new(1, 20).is_ok());
        assert_eq!(new(0, 20), Err(QueryError::PageOutOfRange { max: 50 }));
        assert_eq!(new(51, 20), Err(QueryError::PageOutOfRange { max: 50 }));
        assert_eq!(new(1, 0), Err(QueryError::PerPageOutOfRange));
        assert_eq!(new(1, 101), Err(QueryError::PerPageOutOfRange));
        assert_eq!(
            SearchQuery::new(q(), Filters::default(), None, SortOrder::Distance, 1, 10),
            Err(QueryError::DistanceWithoutPlace)
        );
        assert_eq!(
            Near::new(52.0, -1.0, Some(0)),
            Err(QueryError::RadiusOutOfRange)
        );
        assert_eq!(
            Near::new(52.0, -1.0, Some(MAX_RADIUS_METRES + 1)),
            Err(QueryError::RadiusOutOfRange)
        );
    }

    #[test]
    fn age_bands_cover_the_range() {
        assert_eq!(AgeBand::for_range(0, 4), [AgeBand::UnderFive]);
        assert_eq!(
            AgeBand::for_range(8, 17),
            [
                AgeBand::FiveToTen,
                AgeBand::ElevenToFifteen,
                AgeBand::SixteenToSeventeen
            ]
        );
        assert_eq!(AgeBand::for_range(0, NO_MAXIMUM_AGE).len(), 6);
    }

    fn values<'a>(categories: &'a [String], languages: &'a [String]) -> FilterValues<'a> {
        FilterValues {
            categories,
            age_min: 8,
            age_max: 17,
            free: true,
            days: &[Weekday::Tu, Weekday::Th],
            times: &[TimeOfDayBand::Evening],
            school_holidays: false,
            modes: &[DeliveryMode::InPerson],
            wheelchair: true,
            languages,
            route: ReferralRoute::SelfReferral,
        }
    }

    #[test]
    fn filters_are_any_within_and_all_across() {
        let cats = vec![
            "young-carers".to_owned(),
            "young-carers.groups-and-clubs".to_owned(),
        ];
        let langs = vec!["english".to_owned()];
        let doc = values(&cats, &langs);
        assert!(Filters::default().matches(&doc));
        let f = Filters {
            categories: vec!["young-carers".into(), "health".into()],
            age: Some(12),
            free: true,
            days: vec![Weekday::Mo, Weekday::Th],
            times: vec![TimeOfDayBand::Evening],
            modes: vec![DeliveryMode::InPerson, DeliveryMode::Online],
            wheelchair: true,
            languages: vec!["english".into()],
            routes: vec![ReferralRoute::SelfReferral, ReferralRoute::DropIn],
            ..Filters::default()
        };
        assert!(f.matches(&doc));
        for failing in [
            Filters {
                age: Some(7),
                ..f.clone()
            },
            Filters {
                age: Some(18),
                ..f.clone()
            },
            Filters {
                days: vec![Weekday::Sa],
                ..f.clone()
            },
            Filters {
                times: vec![TimeOfDayBand::Morning],
                ..f.clone()
            },
            Filters {
                school_holidays: true,
                ..f.clone()
            },
            Filters {
                categories: vec!["health".into()],
                ..f.clone()
            },
            Filters {
                languages: vec!["polish".into()],
                ..f.clone()
            },
            Filters {
                routes: vec![ReferralRoute::Professional],
                ..f.clone()
            },
            Filters {
                modes: vec![DeliveryMode::Telephone],
                ..f.clone()
            },
        ] {
            assert!(!failing.matches(&doc), "{failing:?}");
        }
        assert!(Filters {
            age: Some(8),
            ..f.clone()
        }
        .matches(&doc));
        assert!(Filters { age: Some(17), ..f }.matches(&doc));
    }
}
