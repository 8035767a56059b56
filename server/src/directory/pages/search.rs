//! `GET /search` (the results page) and `GET /search/suggest` (the search box's suggestions).
//!
//! The URL is the whole state of a search: [`UrlState`] is what it carries, read once and
//! written back into every link (pages, "did you mean", removing a filter, broadening). The
//! checkbox filters come from the one table in [`super::filters`].
//!
//! Long on purpose: the URL state and everything the results page derives from it (links, tags, broadening).

use super::facets::{age_bands, filter_groups};
use super::filters::{Broaden, Context, FILTERS};
use super::render_with_status;
use super::service::{locate_entered, UNKNOWN_POSTCODE};
use super::wording::{miles, parts};
use crate::directory::search_log;
use crate::directory::shortlist::Shortlist;
use crate::search::{
    Filters, Near, QueryError, QueryText, SearchQuery, SearchResults, SortOrder, MAX_RESULT_WINDOW,
};
use crate::state::AppState;
use app::components::FieldError;
use app::pages::directory::{
    Link, PageItem, Pagination, ResultCard, Results, SearchForm, SearchPageModel,
};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use std::collections::BTreeMap;

/// Results per page.
pub const PER_PAGE: u32 = 20;
/// The widest distance a family can ask for, in kilometres.
pub const MAX_RADIUS_KM: u32 = 100;
/// The oldest age the age filter takes.
pub const MAX_FILTER_AGE: u8 = 120;
/// How much of a too-long query is shown back in the form.
const ECHO_CHARS: usize = 1000;
/// Suggestions offered at most.
const SUGGESTIONS: u32 = 6;

/// The search as the URL carries it, with only understood values kept (for links).
#[derive(Debug, Clone, Default)]
pub(super) struct UrlState {
    q: String,
    postcode: String,
    radius: String,
    age: String,
    /// The chosen values of each filter of [`FILTERS`], by its parameter.
    chosen: BTreeMap<&'static str, Vec<String>>,
    distance: bool,
    page: u32,
}

impl UrlState {
    /// The chosen values of the filter `param`.
    pub(super) fn chosen(&self, param: &str) -> &[String] {
        self.chosen.get(param).map_or(&[], Vec::as_slice)
    }

    fn has_filters(&self) -> bool {
        self.chosen.values().any(|v| !v.is_empty()) || !self.age.is_empty()
    }

    fn href(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("q", &self.q),
            ("postcode", &self.postcode),
            ("radius", &self.radius),
            ("age", &self.age),
        ] {
            if !value.is_empty() {
                s.append_pair(key, value);
            }
        }
        for def in FILTERS {
            for value in self.chosen(def.param) {
                s.append_pair(def.param, value);
            }
        }
        if self.distance {
            s.append_pair("sort", "distance");
        }
        if self.page > 1 {
            s.append_pair("page", &self.page.to_string());
        }
        let query = s.finish();
        if query.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{query}")
        }
    }

    fn at_page(&self, page: u32) -> String {
        Self {
            page,
            ..self.clone()
        }
        .href()
    }

    /// This search from its first page, without the values of `param` that `drop` picks.
    fn without(&self, param: &str, drop: impl Fn(&String) -> bool) -> UrlState {
        let mut next = Self {
            page: 1,
            ..self.clone()
        };
        if let Some(values) = next.chosen.get_mut(param) {
            values.retain(|v| !drop(v));
        }
        next
    }
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

fn parse_age(input: &str) -> Result<u8, &'static str> {
    let t = input.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter an age as a whole number of years, like 7");
    }
    match t.trim_start_matches('0').parse::<u32>() {
        _ if t.trim_start_matches('0').is_empty() => Ok(0),
        Ok(n) if n <= u32::from(MAX_FILTER_AGE) => Ok(n as u8),
        _ => Err("Enter an age from 0 to 120"),
    }
}

/// `GET /search`.
pub async fn search_page(State(state): State<AppState>, req: Request<Body>) -> Response {
    let query = req.uri().query().unwrap_or("").to_owned();
    match search_model(&state, &query).await {
        Ok(mut model) => {
            let shortlist = Shortlist::from_headers(req.headers());
            model.here = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .filter(|p| p.len() <= 1500)
                .unwrap_or_else(|| "/search".to_owned());
            model.shortlist_count = shortlist.len();
            if let Some(results) = &mut model.results {
                for card in &mut results.cards {
                    card.shortlisted = shortlist.contains(&card.id);
                }
            }
            let status = if model.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            render_with_status(&state, model, req, status).await
        }
        Err(e) => {
            tracing::error!(error = %e, "search page failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// `GET /search/suggest?q=…`: the names of up to six services matching what has been typed
/// (the last word as the start of a word), as a JSON array, for the search box's suggestions
/// when JavaScript is on. Not recorded in the search analytics.
pub async fn suggest(State(state): State<AppState>, req: Request<Body>) -> Response {
    let typed = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let none = || axum::Json(Vec::<String>::new()).into_response();
    let Ok(text) = QueryText::parse(&typed) else {
        return none();
    };
    if text.is_empty() {
        return none();
    }
    let Ok(mut query) = SearchQuery::new(
        text,
        Filters::default(),
        None,
        SortOrder::Relevance,
        1,
        SUGGESTIONS,
    ) else {
        return none();
    };
    query.facets = false;
    match state.search.search(&query).await {
        Ok(results) => {
            let mut names: Vec<String> = Vec::new();
            for hit in results.hits {
                let name: String = hit.name.iter().map(|s| s.text.as_str()).collect();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            axum::Json(names).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "search suggestions failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum PageError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Search(#[from] crate::search::SearchError),
}

/// Reads every filter of [`FILTERS`] from the URL's `pairs` into `url` and `filters`; an
/// unknown value is one error for its group.
fn read_filters(
    context: &Context,
    pairs: &[(String, String)],
    url: &mut UrlState,
    filters: &mut Filters,
    errors: &mut Vec<FieldError>,
) {
    for def in FILTERS {
        let mut chosen: Vec<String> = Vec::new();
        let mut invalid = false;
        for (_, value) in pairs.iter().filter(|(k, _)| k == def.param) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match (def.parse)(context, value) {
                Ok(Some(v)) if !chosen.contains(&v) => chosen.push(v),
                Ok(_) => {}
                Err(()) => invalid = true,
            }
        }
        if invalid {
            errors.push(error(&format!("filter-{}", def.param), def.invalid));
        }
        (def.apply)(filters, &chosen);
        url.chosen.insert(def.param, chosen);
    }
}

async fn search_model(state: &AppState, query: &str) -> Result<SearchPageModel, PageError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let first = |key: &str| -> String {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let pool = state.db.pool();
    // Read before searching: card facts cached for this generation are as new as the results.
    let generation = state.search.generation();
    let taxonomy = state.directory.taxonomy(generation, pool).await?;
    let languages = state.directory.languages(generation, pool).await?;
    let context = Context {
        taxonomy: &taxonomy,
        languages: &languages,
    };
    let mut errors = Vec::new();
    let mut url = UrlState::default();

    let q_input = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let text = match QueryText::parse(&q_input) {
        Ok(t) => {
            url.q = t.raw().to_owned();
            t
        }
        Err(e) => {
            errors.push(error("q", e.to_string()));
            QueryText::default()
        }
    };

    let mut filters = Filters::default();
    read_filters(&context, &pairs, &mut url, &mut filters, &mut errors);
    let age = first("age");
    if !age.is_empty() {
        match parse_age(&age) {
            Ok(a) => {
                filters.age = Some(a);
                url.age = a.to_string();
            }
            Err(m) => errors.push(error("age", m)),
        }
    }

    // Where: a full postcode or an outward code, located from the postcode table.
    let postcode = first("postcode");
    let radius_input = first("radius");
    let mut radius_metres = None;
    if !radius_input.is_empty() {
        match radius_input.parse::<u32>() {
            Ok(km) if (1..=MAX_RADIUS_KM).contains(&km) => {
                radius_metres = Some(km * 1000);
                url.radius = km.to_string();
            }
            _ => errors.push(error(
                "radius",
                format!("Enter a distance from 1 to {MAX_RADIUS_KM} kilometres, as a whole number"),
            )),
        }
    }
    let mut place = None;
    // For the analytics: the outward code only, never the whole postcode.
    let mut outcode: Option<String> = None;
    if !postcode.is_empty() {
        match locate_entered(state, &postcode).await? {
            Ok(entered) => {
                url.postcode = entered.normal;
                outcode = Some(entered.outcode);
                match entered.place {
                    Some(p) => place = Some(p),
                    None => errors.push(error("postcode", UNKNOWN_POSTCODE)),
                }
            }
            Err(message) => errors.push(error("postcode", message)),
        }
    } else if radius_metres.is_some() {
        errors.push(error(
            "postcode",
            "Enter a postcode to search within a distance",
        ));
    }
    let near = match place {
        Some((lat, lon)) => match Near::new(lat, lon, radius_metres) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(error("radius", e.to_string()));
                None
            }
        },
        None => None,
    };

    let sort_input = first("sort");
    let sort = match sort_input.as_str() {
        "" | "relevance" => SortOrder::Relevance,
        "distance" if near.is_some() => SortOrder::Distance,
        "distance" if postcode.is_empty() => {
            errors.push(error("postcode", "Enter a postcode to sort by distance"));
            SortOrder::Relevance
        }
        "distance" => SortOrder::Relevance,
        _ => {
            errors.push(error("sort", "Choose how to sort the results"));
            SortOrder::Relevance
        }
    };
    url.distance = sort == SortOrder::Distance;

    let max_page = MAX_RESULT_WINDOW / PER_PAGE;
    let page_input = first("page");
    let page = if page_input.is_empty() {
        1
    } else {
        match page_input.parse::<u32>() {
            Ok(p) if (1..=max_page).contains(&p) => p,
            _ => {
                errors.push(error(
                    "result-count",
                    QueryError::PageOutOfRange { max: max_page }.to_string(),
                ));
                1
            }
        }
    };
    url.page = page;

    let form = SearchForm {
        q: q_input.trim().chars().take(ECHO_CHARS).collect(),
        postcode: postcode.chars().take(ECHO_CHARS).collect(),
        radius: radius_input.chars().take(ECHO_CHARS).collect(),
        age: age.chars().take(ECHO_CHARS).collect(),
        sort: if sort == SortOrder::Distance {
            "distance".to_owned()
        } else {
            "relevance".to_owned()
        },
    };
    let failed = |form: SearchForm, errors: Vec<FieldError>| SearchPageModel {
        here: String::new(),
        shortlist_count: 0,
        form,
        filters: filter_groups(&context, &url, None),
        chosen: chosen_tags(&context, &url),
        age_bands: Vec::new(),
        errors,
        results: None,
    };
    if !errors.is_empty() {
        return Ok(failed(form, errors));
    }
    let query = match SearchQuery::new(text, filters.clone(), near, sort, page, PER_PAGE) {
        Ok(q) => q,
        Err(e) => {
            let field = match e {
                QueryError::TooLong => "q",
                QueryError::RadiusOutOfRange => "radius",
                QueryError::DistanceWithoutPlace => "postcode",
                QueryError::PageOutOfRange { .. } | QueryError::PerPageOutOfRange => "result-count",
            };
            return Ok(failed(form, vec![error(field, e.to_string())]));
        }
    };
    let results = state.search.search(&query).await?;
    if page == 1 {
        record_search(
            state,
            search_log::recorded_words(query.text.raw()),
            UrlState {
                q: String::new(),
                postcode: String::new(),
                page: 1,
                ..url.clone()
            }
            .href()
            .trim_start_matches("/search")
            .trim_start_matches('?')
            .to_owned(),
            outcode,
            results.total,
        );
    }
    let cards = cards(state, generation, &results).await?;
    let model_results = results_view(&results, cards, &url, &context, near.is_some());
    Ok(SearchPageModel {
        here: String::new(),
        shortlist_count: 0,
        form,
        errors: Vec::new(),
        filters: filter_groups(&context, &url, Some(&results.facets)),
        chosen: chosen_tags(&context, &url),
        age_bands: age_bands(&results.facets),
        results: Some(model_results),
    })
}

/// Records a search for the gap report ([`search_log`]): the words (without anything that
/// could identify someone: [`search_log::recorded_words`]), the filters (without the postcode),
/// the outward code and the number of results. Later pages of the same search are not counted
/// again.
fn record_search(
    state: &AppState,
    words: String,
    filters: String,
    outcode: Option<String>,
    total: u64,
) {
    state.search_log.record(search_log::SearchEvent {
        words,
        filters,
        outcode,
        total,
    });
}

/// The cards of this page's results: what the search engine returned, with the card facts the
/// directory holds (from [`DirectoryCache`](crate::directory::cache::DirectoryCache)) for
/// `generation`.
pub async fn cards(
    state: &AppState,
    generation: u64,
    results: &SearchResults,
) -> Result<Vec<ResultCard>, sqlx::Error> {
    let ids: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let facts = state
        .directory
        .cards(generation, state.db.pool(), &ids)
        .await?;
    Ok(results
        .hits
        .iter()
        .map(|h| {
            let f = facts
                .get(&h.id)
                .map(|f| f.as_ref())
                .cloned()
                .unwrap_or_default();
            ResultCard {
                shortlisted: false,
                href: format!("/services/{}", h.id),
                id: h.id.clone(),
                name: parts(&h.name),
                organisation: f.organisation,
                summary: parts(&h.summary),
                distance: h.distance_metres.map(miles),
                schedules: f.schedules,
                cost: f.cost,
                ages: f.ages,
                modes: f.modes,
            }
        })
        .collect())
}

fn results_view(
    results: &SearchResults,
    cards: Vec<ResultCard>,
    url: &UrlState,
    context: &Context,
    has_place: bool,
) -> Results {
    let per_page = u64::from(results.per_page.max(1));
    let page = u64::from(results.page.max(1));
    let max_pages = u64::from(MAX_RESULT_WINDOW / results.per_page.max(1));
    let pages = results.pages().min(max_pages);
    let first = (page - 1) * per_page + 1;
    let last = first + cards.len() as u64 - u64::from(!cards.is_empty());
    let suggestion = results.suggestion.as_ref().map(|s| Link {
        text: s.clone(),
        href: UrlState {
            q: s.clone(),
            page: 1,
            ..url.clone()
        }
        .href(),
    });
    let beyond_end = (results.total > 0 && cards.is_empty()).then(|| url.at_page(1));
    let pagination = (pages > 1 && !cards.is_empty()).then(|| {
        let mut items = Vec::new();
        let mut last_shown = 0;
        for n in 1..=pages {
            if n == 1 || n == pages || n.abs_diff(page) <= 1 {
                if last_shown + 1 < n {
                    items.push(PageItem::Ellipsis);
                }
                items.push(PageItem::Page {
                    number: n,
                    href: url.at_page(n as u32),
                    current: n == page,
                });
                last_shown = n;
            }
        }
        Pagination {
            previous: (page > 1).then(|| url.at_page(page as u32 - 1)),
            next: (page < pages).then(|| url.at_page(page as u32 + 1)),
            items,
        }
    });
    let mut cards = cards;
    if has_place && !url.postcode.is_empty() {
        let from: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("postcode", &url.postcode)
            .finish();
        for card in &mut cards {
            card.href = format!("/services/{}?{from}", card.id);
        }
    }
    let broaden = if results.total == 0 {
        broaden_links(url, context)
    } else {
        Vec::new()
    };
    Results {
        total: results.total,
        first,
        last,
        cards,
        pagination,
        suggestion,
        broaden,
        beyond_end,
        by_distance: url.distance,
        has_place,
    }
}

/// The chosen filters as tags above the results, each a link to the same search without it.
fn chosen_tags(context: &Context, url: &UrlState) -> Vec<Link> {
    let mut tags = Vec::new();
    if !url.age.is_empty() {
        tags.push(Link {
            text: format!("Age {}", url.age),
            href: UrlState {
                age: String::new(),
                page: 1,
                ..url.clone()
            }
            .href(),
        });
    }
    if !url.radius.is_empty() {
        tags.push(Link {
            text: format!("Within {} km", url.radius),
            href: UrlState {
                radius: String::new(),
                page: 1,
                ..url.clone()
            }
            .href(),
        });
    }
    for def in FILTERS {
        for value in url.chosen(def.param) {
            tags.push(Link {
                text: def.label(context, value),
                href: url.without(def.param, |v| v == value).href(),
            });
        }
    }
    tags
}

/// Links to the same search with one thing fewer.
fn broaden_links(url: &UrlState, context: &Context) -> Vec<Link> {
    let mut links = Vec::new();
    for def in FILTERS {
        let chosen = url.chosen(def.param);
        if chosen.is_empty() {
            continue;
        }
        match def.broaden {
            Broaden::Group(text) => links.push(Link {
                text: text.to_owned(),
                href: url.without(def.param, |_| true).href(),
            }),
            Broaden::EachValue(text) => {
                for value in chosen {
                    links.push(Link {
                        text: format!("{text} ‘{}’", def.label(context, value)),
                        href: url.without(def.param, |v| v == value).href(),
                    });
                }
            }
        }
    }
    let base = UrlState {
        page: 1,
        ..url.clone()
    };
    if !base.age.is_empty() {
        links.push(Link {
            text: "search without the age".into(),
            href: UrlState {
                age: String::new(),
                ..base.clone()
            }
            .href(),
        });
    }
    if !base.radius.is_empty() {
        links.push(Link {
            text: "search the whole county (remove the distance)".into(),
            href: UrlState {
                radius: String::new(),
                ..base.clone()
            }
            .href(),
        });
    }
    if base.has_filters() || !base.radius.is_empty() {
        links.push(Link {
            text: "remove all filters".into(),
            href: UrlState {
                q: base.q.clone(),
                postcode: base.postcode.clone(),
                ..UrlState::default()
            }
            .href(),
        });
    }
    if !base.q.is_empty() {
        links.push(Link {
            text: "see every service with your filters (remove the search words)".into(),
            href: UrlState {
                q: String::new(),
                ..base
            }
            .href(),
        });
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_whole_years_within_bounds() {
        assert_eq!(parse_age("7"), Ok(7));
        assert_eq!(parse_age("007"), Ok(7));
        assert_eq!(parse_age("0"), Ok(0));
        assert!(parse_age("-1").is_err());
        assert!(parse_age("7.5").is_err());
        assert!(parse_age("121").is_err());
        assert!(parse_age("99999999999999999999").is_err());
        assert!(parse_age("<b>").is_err());
    }

    fn url() -> UrlState {
        UrlState {
            q: "swim & <play>".into(),
            chosen: BTreeMap::from([
                ("category", vec!["activities-and-clubs".into()]),
                ("cost", vec!["free".into()]),
                ("day", vec!["MO".into(), "SA".into()]),
            ]),
            page: 2,
            ..UrlState::default()
        }
    }

    #[test]
    fn links_keep_the_whole_search() {
        let url = url();
        assert_eq!(
            url.href(),
            "/search?q=swim+%26+%3Cplay%3E&category=activities-and-clubs&cost=free&day=MO&day=SA&page=2"
        );
        assert_eq!(
            url.at_page(1),
            "/search?q=swim+%26+%3Cplay%3E&category=activities-and-clubs&cost=free&day=MO&day=SA"
        );
    }

    #[test]
    fn each_tag_removes_only_its_own_filter() {
        let taxonomy = [crate::directory::cache::Category {
            code: "activities-and-clubs".into(),
            name: "Activities and clubs".into(),
            top: true,
        }];
        let context = Context {
            taxonomy: &taxonomy,
            languages: &[],
        };
        let url = UrlState {
            age: "7".into(),
            ..url()
        };
        let tags = chosen_tags(&context, &url);
        let texts: Vec<&str> = tags.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Age 7",
                "Activities and clubs",
                "Free",
                "Monday",
                "Saturday"
            ]
        );
        let base = "/search?q=swim+%26+%3Cplay%3E";
        assert_eq!(
            tags[0].href,
            format!("{base}&category=activities-and-clubs&cost=free&day=MO&day=SA")
        );
        assert_eq!(
            tags[2].href,
            format!("{base}&age=7&category=activities-and-clubs&day=MO&day=SA")
        );
        assert_eq!(
            tags[3].href,
            format!("{base}&age=7&category=activities-and-clubs&cost=free&day=SA")
        );
    }
}
