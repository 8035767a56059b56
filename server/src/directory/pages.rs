//! The directory's pages: `GET /search` (results) and `GET /services/{id}` (one service).
//!
//! These are axum handlers, not plain Leptos routes: each one parses the request, asks the search
//! engine and the database for everything the page shows, builds the page's model
//! ([`app::pages::directory`]) and only then renders the Leptos application with the model as
//! context. The search types live in this crate (the app crate cannot call them), the status
//! code (400 for a bad search, 404 for an unknown service) is known before the first byte is
//! sent, and nothing is serialised into the page for hydration: the pages have no island.

use super::oruk;
use super::repo;
use crate::search::{
    AgeBand, DeliveryMode, Facet, FacetCounts, Filters, Near, QueryError, QueryText, SearchQuery,
    SearchResults, Segment, SortOrder, MAX_RESULT_WINDOW,
};
use crate::startup::AppState;
use app::components::FieldError;
use app::domain::{
    IsoDate, Outcode, PhoneNumber, Postcode, Schedule, ScheduleInput, TimeOfDayBand, Weekday,
};
use app::pages::directory::{
    AgeBandCount, ContactView, DistanceFrom, FilterGroup, FilterOption, Link, PageItem, Pagination,
    PhoneView, PlaceView, ResultCard, Results, ScheduleLine, SearchForm, SearchPageModel,
    ServicePageModel, TextPart,
};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use super::model::ReferralRoute;
use super::shortlist::Shortlist;

/// Results per page.
pub const PER_PAGE: u32 = 20;
/// The widest distance a family can ask for, in kilometres.
pub const MAX_RADIUS_KM: u32 = 100;
/// The oldest age the age filter takes.
pub const MAX_FILTER_AGE: u8 = 120;
/// How much of a too-long query is shown back in the form.
const ECHO_CHARS: usize = 1000;
/// The paths these handlers serve (left out of the Leptos route list).
pub const PATHS: [&str; 2] = ["/search", "/services/{id}"];

/// Renders the application for this request with `model` as context.
pub(super) async fn render_with<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    model: T,
    req: Request<Body>,
) -> Response {
    crate::web::render::render(&state.leptos_options, model, req).await
}

/// Renders like [`render_with`], with `status` (a page that failed keeps its own status).
pub(super) async fn render_with_status<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    model: T,
    req: Request<Body>,
    status: StatusCode,
) -> Response {
    crate::web::render::render_with_status(&state.leptos_options, model, req, status).await
}

/// A message for one field of a one-page form (the error summary links to the field's id).
pub(super) fn form_error(field: &str, message: &str) -> FieldError {
    FieldError::new(field, message)
}

use super::cache::Category;

/// The search as the URL carries it, with only recognised values kept (for links).
#[derive(Debug, Clone, Default)]
struct UrlState {
    q: String,
    postcode: String,
    radius: String,
    categories: Vec<String>,
    age: String,
    free: bool,
    days: Vec<Weekday>,
    times: Vec<TimeOfDayBand>,
    modes: Vec<DeliveryMode>,
    holidays: bool,
    wheelchair: bool,
    languages: Vec<String>,
    routes: Vec<ReferralRoute>,
    distance: bool,
    page: u32,
}

impl UrlState {
    fn href(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        if !self.postcode.is_empty() {
            s.append_pair("postcode", &self.postcode);
        }
        if !self.radius.is_empty() {
            s.append_pair("radius", &self.radius);
        }
        for c in &self.categories {
            s.append_pair("category", c);
        }
        if !self.age.is_empty() {
            s.append_pair("age", &self.age);
        }
        if self.free {
            s.append_pair("cost", "free");
        }
        for d in &self.days {
            s.append_pair("day", d.as_ical());
        }
        for t in &self.times {
            s.append_pair("time", t.as_str());
        }
        for m in &self.modes {
            s.append_pair("mode", m.as_str());
        }
        if self.holidays {
            s.append_pair("holidays", "yes");
        }
        if self.wheelchair {
            s.append_pair("wheelchair", "yes");
        }
        for l in &self.languages {
            s.append_pair("language", l);
        }
        for r in &self.routes {
            s.append_pair("route", r.as_str());
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
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

fn yes(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Some(true),
        "" | "no" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
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

/// Every value of a repeatable parameter, parsed; an unknown value is an error for the group.
fn parse_all<T: PartialEq>(
    values: &[&str],
    parse: impl Fn(&str) -> Option<T>,
    errors: &mut Vec<FieldError>,
    field: &str,
    message: &str,
) -> Vec<T> {
    let mut out = Vec::new();
    for v in values.iter().filter(|v| !v.trim().is_empty()) {
        match parse(v) {
            Some(x) if !out.contains(&x) => out.push(x),
            Some(_) => {}
            None => {
                if !errors.iter().any(|e| e.field == field) {
                    errors.push(error(field, message));
                }
            }
        }
    }
    out
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

/// Suggestions offered at most.
const SUGGESTIONS: u32 = 6;

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

async fn search_model(state: &AppState, query: &str) -> Result<SearchPageModel, PageError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let all = |key: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    };
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
    let known_languages = state.directory.languages(generation, pool).await?;
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

    let mut filters = Filters {
        categories: parse_all(
            &all("category"),
            |v| {
                taxonomy
                    .iter()
                    .find(|c| c.code == v.trim())
                    .map(|c| c.code.clone())
            },
            &mut errors,
            "filter-category",
            "Choose categories from the list",
        ),
        days: parse_all(
            &all("day"),
            |v| Weekday::parse(&v.trim().to_ascii_uppercase()).ok(),
            &mut errors,
            "filter-day",
            "Choose days from the list",
        ),
        times: parse_all(
            &all("time"),
            TimeOfDayBand::parse,
            &mut errors,
            "filter-time",
            "Choose morning, afternoon or evening",
        ),
        modes: parse_all(
            &all("mode"),
            DeliveryMode::parse,
            &mut errors,
            "filter-mode",
            "Choose in person, online or by phone",
        ),
        languages: parse_all(
            &all("language"),
            |v| {
                let v = v.trim().to_lowercase();
                known_languages.contains(&v).then_some(v)
            },
            &mut errors,
            "filter-language",
            "Choose languages from the list",
        ),
        routes: parse_all(
            &all("route"),
            ReferralRoute::parse,
            &mut errors,
            "filter-route",
            "Choose how to access services from the list",
        ),
        ..Filters::default()
    };
    for v in all("cost") {
        match v.trim() {
            "free" => filters.free = true,
            "" => {}
            _ => errors.push(error("filter-cost", "Choose ‘Free’ or leave cost blank")),
        }
    }
    for (key, field) in [
        ("holidays", "filter-holidays"),
        ("wheelchair", "filter-wheelchair"),
    ] {
        for v in all(key) {
            match yes(v) {
                Some(on) => {
                    if key == "holidays" {
                        filters.school_holidays |= on;
                    } else {
                        filters.wheelchair |= on;
                    }
                }
                None => errors.push(error(field, "Tick the box or leave it empty")),
            }
        }
    }
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
    url.categories = filters.categories.clone();
    url.days = filters.days.clone();
    url.times = filters.times.clone();
    url.modes = filters.modes.clone();
    url.languages = filters.languages.clone();
    url.routes = filters.routes.clone();
    url.free = filters.free;
    url.holidays = filters.school_holidays;
    url.wheelchair = filters.wheelchair;

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

    if !errors.is_empty() {
        return Ok(SearchPageModel {
            here: String::new(),
            shortlist_count: 0,
            form,
            filters: filter_groups(&taxonomy, &filters, None),
            age_bands: Vec::new(),
            errors,
            results: None,
        });
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
            return Ok(SearchPageModel {
                here: String::new(),
                shortlist_count: 0,
                form,
                filters: filter_groups(&taxonomy, &filters, None),
                age_bands: Vec::new(),
                errors: vec![error(field, e.to_string())],
                results: None,
            });
        }
    };
    let results = state.search.search(&query).await?;
    if page == 1 {
        record_search(
            state,
            super::search_log::recorded_words(query.text.raw()),
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
    let model_results = results_view(&results, cards, &url, &filters, &taxonomy, near.is_some());
    Ok(SearchPageModel {
        here: String::new(),
        shortlist_count: 0,
        form,
        errors: Vec::new(),
        filters: filter_groups(&taxonomy, &filters, Some(&results.facets)),
        age_bands: age_bands(&results.facets),
        results: Some(model_results),
    })
}

/// Records a search for the gap report ([`super::search_log`]): the words (without anything that
/// could identify someone: [`super::search_log::recorded_words`]), the filters (without
/// the postcode), the outward code and the number of results. Later pages of the same search are
/// not counted again.
fn record_search(
    state: &AppState,
    words: String,
    filters: String,
    outcode: Option<String>,
    total: u64,
) {
    state.search_log.record(super::search_log::SearchEvent {
        words,
        filters,
        outcode,
        total,
    });
}

fn count(facets: Option<&FacetCounts>, facet: Facet, value: &str) -> Option<u64> {
    facets.map(|f| {
        f.get(&facet)
            .and_then(|values| values.get(value))
            .copied()
            .unwrap_or(0)
    })
}

/// How many matching services are for each age group (a service counts in every group its age
/// range touches), for the counts shown with the age input.
fn age_bands(facets: &FacetCounts) -> Vec<AgeBandCount> {
    AgeBand::ALL
        .iter()
        .map(|b| AgeBandCount {
            label: b.label().to_owned(),
            count: count(Some(facets), Facet::AgeBand, b.as_str()).unwrap_or(0),
        })
        .collect()
}

/// The filter panel: every option with how many services it would match.
fn filter_groups(
    taxonomy: &[Category],
    filters: &Filters,
    facets: Option<&FacetCounts>,
) -> Vec<FilterGroup> {
    let option = |value: &str, label: &str, facet: Facet, key: &str, checked: bool| FilterOption {
        value: value.to_owned(),
        label: label.to_owned(),
        count: count(facets, facet, key),
        checked,
    };
    let categories = taxonomy
        .iter()
        .filter(|c| c.top || filters.categories.contains(&c.code))
        .map(|c| {
            option(
                &c.code,
                &c.name,
                Facet::Category,
                &c.code,
                filters.categories.contains(&c.code),
            )
        })
        .collect();
    let mut languages: Vec<String> = facets
        .and_then(|f| f.get(&Facet::Language))
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for l in &filters.languages {
        if !languages.contains(l) {
            languages.push(l.clone());
        }
    }
    languages.sort();
    vec![
        FilterGroup {
            name: "category".into(),
            legend: "Category".into(),
            options: categories,
        },
        FilterGroup {
            name: "cost".into(),
            legend: "Cost".into(),
            options: vec![option("free", "Free", Facet::Free, "true", filters.free)],
        },
        FilterGroup {
            name: "day".into(),
            legend: "Day".into(),
            options: Weekday::ALL
                .iter()
                .map(|d| {
                    option(
                        d.as_ical(),
                        d.name(),
                        Facet::Day,
                        d.as_ical(),
                        filters.days.contains(d),
                    )
                })
                .collect(),
        },
        FilterGroup {
            name: "time".into(),
            legend: "Time of day".into(),
            options: TimeOfDayBand::ALL
                .iter()
                .map(|t| {
                    option(
                        t.as_str(),
                        t.label(),
                        Facet::Time,
                        t.as_str(),
                        filters.times.contains(t),
                    )
                })
                .collect(),
        },
        FilterGroup {
            name: "holidays".into(),
            legend: "School holidays".into(),
            options: vec![option(
                "yes",
                "Runs in the school holidays",
                Facet::SchoolHolidays,
                "true",
                filters.school_holidays,
            )],
        },
        FilterGroup {
            name: "mode".into(),
            legend: "How it is delivered".into(),
            options: DeliveryMode::ALL
                .iter()
                .map(|m| {
                    option(
                        m.as_str(),
                        m.label(),
                        Facet::Mode,
                        m.as_str(),
                        filters.modes.contains(m),
                    )
                })
                .collect(),
        },
        FilterGroup {
            name: "route".into(),
            legend: "How to access it".into(),
            options: [
                ReferralRoute::SelfReferral,
                ReferralRoute::DropIn,
                ReferralRoute::Professional,
            ]
            .iter()
            .map(|r| {
                option(
                    r.as_str(),
                    route_label(*r),
                    Facet::Route,
                    r.as_str(),
                    filters.routes.contains(r),
                )
            })
            .collect(),
        },
        FilterGroup {
            name: "wheelchair".into(),
            legend: "Accessibility".into(),
            options: vec![option(
                "yes",
                "Wheelchair accessible",
                Facet::Wheelchair,
                "true",
                filters.wheelchair,
            )],
        },
        FilterGroup {
            name: "language".into(),
            legend: "Language".into(),
            options: languages
                .iter()
                .map(|l| {
                    option(
                        l,
                        &app::text::capitalise(l),
                        Facet::Language,
                        l,
                        filters.languages.contains(l),
                    )
                })
                .collect(),
        },
    ]
}

fn route_label(route: ReferralRoute) -> &'static str {
    match route {
        ReferralRoute::SelfReferral => "Contact them yourself",
        ReferralRoute::DropIn => "Drop in",
        ReferralRoute::Professional => "Through a professional",
    }
}

fn route_text(route: Option<ReferralRoute>) -> String {
    match route {
        Some(ReferralRoute::Professional) => {
            "Through a professional: ask your GP, health visitor, school, social worker or the \
             Family Information Service to refer you."
        }
        Some(ReferralRoute::DropIn) => {
            "Drop in: just turn up when it is open. You do not need to book or be referred."
        }
        _ => "Contact the service yourself: you do not need anyone to refer you.",
    }
    .to_owned()
}

fn parts(segments: &[Segment]) -> Vec<TextPart> {
    segments
        .iter()
        .map(|s| TextPart {
            text: s.text.clone(),
            highlighted: s.highlighted,
        })
        .collect()
}

/// "Ages 5 to 11", "Ages 18 and over", "All ages".
pub fn ages_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min.filter(|m| *m > 0), max) {
        (None, None) => "All ages".to_owned(),
        (Some(a), None) => format!("Ages {a} and over"),
        (None, Some(b)) => format!("Ages 0 to {b}"),
        (Some(a), Some(b)) => format!("Ages {a} to {b}"),
    }
}

/// "In person, online and by phone".
pub(super) fn modes_text(modes: &[DeliveryMode]) -> String {
    let words: Vec<String> = modes
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if i == 0 {
                m.label().to_owned()
            } else {
                m.label().to_lowercase()
            }
        })
        .collect();
    match words.split_last() {
        None => "Contact the service to ask how it is delivered".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// One cost option as a family reads it.
pub(super) struct Cost {
    pub(super) option: Option<String>,
    pub(super) pence: Option<i64>,
    pub(super) per: Option<String>,
    pub(super) description: Option<String>,
}

pub(super) fn costs_text(costs: &[Cost]) -> Vec<String> {
    if costs.is_empty() {
        return vec!["Contact the service to ask about cost".to_owned()];
    }
    if costs.iter().all(|c| c.pence.unwrap_or(0) == 0) {
        let extra: Vec<String> = costs.iter().filter_map(|c| c.description.clone()).collect();
        return if extra.is_empty() {
            vec!["Free".to_owned()]
        } else {
            vec![format!("Free: {}", extra.join("; "))]
        };
    }
    costs
        .iter()
        .map(|c| {
            let mut text = match c.pence.unwrap_or(0) {
                0 => "Free".to_owned(),
                p => format!("£{}.{:02}", p / 100, p % 100),
            };
            if let Some(per) = c.per.as_deref().filter(|p| !p.trim().is_empty()) {
                text.push_str(&format!(" per {}", per.trim()));
            }
            if let Some(option) = c.option.as_deref().filter(|o| !o.trim().is_empty()) {
                text = format!("{}: {text}", option.trim());
            }
            if let Some(d) = c.description.as_deref().filter(|d| !d.trim().is_empty()) {
                text.push_str(&format!(" ({})", d.trim()));
            }
            text
        })
        .collect()
}

pub(crate) fn miles(metres: f64) -> String {
    let miles = metres / 1609.344;
    if miles < 0.1 {
        "Less than 0.1 miles away".to_owned()
    } else {
        format!("{miles:.1} miles away")
    }
}

/// The cards of this page's results: what the search engine returned, with the card facts the
/// directory holds (from [`DirectoryCache`](super::cache::DirectoryCache)) for `generation`.
pub(super) async fn cards(
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
    filters: &Filters,
    taxonomy: &[Category],
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
        broaden_links(url, filters, taxonomy)
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

/// Links to the same search with one thing fewer.
fn broaden_links(url: &UrlState, filters: &Filters, taxonomy: &[Category]) -> Vec<Link> {
    let base = UrlState {
        page: 1,
        ..url.clone()
    };
    let mut links = Vec::new();
    let mut add = |text: String, state: UrlState| {
        links.push(Link {
            text,
            href: state.href(),
        })
    };
    for code in &filters.categories {
        let name = taxonomy
            .iter()
            .find(|c| &c.code == code)
            .map_or(code.as_str(), |c| c.name.as_str());
        add(
            format!("remove the category ‘{name}’"),
            UrlState {
                categories: base
                    .categories
                    .iter()
                    .filter(|c| *c != code)
                    .cloned()
                    .collect(),
                ..base.clone()
            },
        );
    }
    if filters.free {
        add(
            "include services that charge".into(),
            UrlState {
                free: false,
                ..base.clone()
            },
        );
    }
    if !filters.days.is_empty() {
        add(
            "search any day".into(),
            UrlState {
                days: Vec::new(),
                ..base.clone()
            },
        );
    }
    if !filters.times.is_empty() {
        add(
            "search any time of day".into(),
            UrlState {
                times: Vec::new(),
                ..base.clone()
            },
        );
    }
    if filters.age.is_some() {
        add(
            "search without the age".into(),
            UrlState {
                age: String::new(),
                ..base.clone()
            },
        );
    }
    if !filters.modes.is_empty() {
        add(
            "include every way services are delivered".into(),
            UrlState {
                modes: Vec::new(),
                ..base.clone()
            },
        );
    }
    if filters.school_holidays || filters.wheelchair {
        add(
            "remove the school holidays and accessibility filters".into(),
            UrlState {
                holidays: false,
                wheelchair: false,
                ..base.clone()
            },
        );
    }
    if !filters.languages.is_empty() || !filters.routes.is_empty() {
        add(
            "remove the language and access filters".into(),
            UrlState {
                languages: Vec::new(),
                routes: Vec::new(),
                ..base.clone()
            },
        );
    }
    if !base.radius.is_empty() {
        add(
            "search the whole county (remove the distance)".into(),
            UrlState {
                radius: String::new(),
                ..base.clone()
            },
        );
    }
    let only_words = UrlState {
        q: base.q.clone(),
        postcode: base.postcode.clone(),
        ..UrlState::default()
    };
    if !filters.is_empty() || !base.radius.is_empty() {
        add("remove all filters".into(), only_words);
    }
    if !base.q.is_empty() {
        add(
            "see every service with your filters (remove the search words)".into(),
            UrlState {
                q: String::new(),
                ..base
            },
        );
    }
    links
}

/// `GET /services/{id}`.
pub async fn service_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request<Body>,
) -> Response {
    let service = if uuid::Uuid::parse_str(&id).is_ok() {
        repo::get_service(state.db.pool(), &id).await
    } else {
        Ok(None)
    };
    match service {
        Ok(Some(s))
            if super::model::Status::parse(&s.status) != Some(super::model::Status::Archived) =>
        {
            let coordinates = place_coordinates(&s);
            let mut model = service_model(s);
            model.shortlisted = Shortlist::from_headers(req.headers()).contains(&model.id);
            let entered = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                .find(|(k, _)| k == "postcode")
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default();
            if !entered.is_empty() {
                match distances_from(&state, &entered, &coordinates).await {
                    Ok(Ok((normal, distances))) => {
                        model.distance_from.postcode = normal;
                        for (place, distance) in model.places.iter_mut().zip(distances) {
                            place.distance = distance;
                        }
                    }
                    Ok(Err(message)) => {
                        model.distance_from = DistanceFrom {
                            postcode: entered.chars().take(64).collect(),
                            error: Some(message.to_owned()),
                        };
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "service page: locating a postcode failed");
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                }
            }
            let status = if model.distance_from.error.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            render_with_status(&state, model, req, status).await
        }
        Ok(_) => {
            let mut response = render_with(&state, (), req).await;
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "service page failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Each place's coordinates, in the order of the service page's places.
fn place_coordinates(s: &oruk::Service) -> Vec<Option<(f64, f64)>> {
    s.service_at_locations
        .iter()
        .filter_map(|sal| sal.location.as_ref())
        .map(|l| l.latitude.zip(l.longitude))
        .collect()
}

/// A postcode, or an outward code, as someone typed it into a search or a service page: its
/// normal form, its outward code (all the search analytics keep) and where it is, if the
/// postcode table knows it.
struct Entered {
    normal: String,
    outcode: String,
    place: Option<(f64, f64)>,
}

const NOT_A_POSTCODE: &str = "Enter a real postcode, like BK1 4AB";
const UNKNOWN_POSTCODE: &str =
    "We cannot find that postcode. Enter a postcode in Brackenshire, like BK1 4AB";

/// Reads a typed postcode or outward code and places it; `Err` with the message for the field
/// when it is neither.
async fn locate_entered(
    state: &AppState,
    typed: &str,
) -> Result<Result<Entered, &'static str>, sqlx::Error> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(Ok(if let Ok(pc) = Postcode::parse(typed) {
        Entered {
            place: repo::locate_postcode(&mut conn, &pc).await?,
            normal: pc.as_str().to_owned(),
            outcode: pc.outward().to_owned(),
        }
    } else if let Ok(oc) = Outcode::parse(typed) {
        Entered {
            place: repo::locate_outcode(&mut conn, oc.as_str()).await?,
            normal: oc.as_str().to_owned(),
            outcode: oc.as_str().to_owned(),
        }
    } else {
        return Ok(Err(NOT_A_POSTCODE));
    }))
}

/// How far each place is from a postcode (or outward code) someone entered: its normal form and
/// "2.3 miles away" for each place with coordinates, or what to tell them when it cannot be used.
async fn distances_from(
    state: &AppState,
    entered: &str,
    places: &[Option<(f64, f64)>],
) -> Result<Result<(String, Vec<Option<String>>), &'static str>, sqlx::Error> {
    let entered = match locate_entered(state, entered).await? {
        Ok(e) => e,
        Err(message) => return Ok(Err(message)),
    };
    let Some((lat, lon)) = entered.place else {
        return Ok(Err(UNKNOWN_POSTCODE));
    };
    let distances = places
        .iter()
        .map(|p| p.map(|(plat, plon)| miles(repo::distance_metres(lat, lon, plat, plon))))
        .collect();
    Ok(Ok((entered.normal, distances)))
}

fn nonblank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub(crate) fn service_model(s: oruk::Service) -> ServicePageModel {
    let modes: Vec<DeliveryMode> = s
        .delivery
        .iter()
        .filter_map(|m| DeliveryMode::parse(m))
        .collect();
    let schedules = s
        .schedules
        .iter()
        .filter_map(|sc| {
            let schedule = Schedule::parse(ScheduleInput {
                freq: sc.freq.clone().unwrap_or_default(),
                byday: sc.byday.clone().unwrap_or_default(),
                opens_at: sc.opens_at.clone().unwrap_or_default(),
                closes_at: sc.closes_at.clone().unwrap_or_default(),
                season: sc.season.clone().unwrap_or_default(),
                valid_from: sc.valid_from.clone(),
                valid_to: sc.valid_to.clone(),
                description: sc.description.clone(),
            })
            .ok()?;
            Some(ScheduleLine {
                summary: schedule.summary(),
                dates: schedule.dates_summary(),
                description: schedule.description().map(str::to_owned),
            })
        })
        .collect();
    let places = s
        .service_at_locations
        .iter()
        .filter_map(|sal| sal.location.as_ref())
        .map(|l| {
            let mut address_lines = Vec::new();
            for a in &l.addresses {
                address_lines.push(a.address_1.clone());
                address_lines.extend(nonblank(a.address_2.clone()));
                address_lines.push(a.city.clone());
                address_lines.push(a.postal_code.clone());
            }
            PlaceView {
                name: nonblank(l.name.clone()),
                distance: None,
                address_lines,
                map_href: match (l.latitude, l.longitude) {
                    (Some(lat), Some(lon)) => Some(format!(
                        "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}"
                    )),
                    _ => None,
                },
                wheelchair_accessible: l.wheelchair_accessible,
                accessibility: l
                    .accessibility
                    .iter()
                    .filter_map(|a| {
                        match (nonblank(a.description.clone()), nonblank(a.details.clone())) {
                            (Some(d), Some(x)) => Some(format!("{d}: {x}")),
                            (Some(d), None) | (None, Some(d)) => Some(d),
                            (None, None) => None,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let costs: Vec<Cost> = s
        .cost_options
        .iter()
        .map(|c| Cost {
            option: c.option.clone(),
            pence: c.amount.map(|a| (a * 100.0).round() as i64),
            per: c.per.clone(),
            description: c.amount_description.clone(),
        })
        .collect();
    let contacts = s
        .contacts
        .iter()
        .map(|c| ContactView {
            name: nonblank(c.name.clone()).or_else(|| nonblank(c.title.clone())),
            phones: c
                .phones
                .iter()
                .map(|p| PhoneView {
                    display: p.number.clone(),
                    tel: PhoneNumber::parse(&p.number)
                        .map(|n| n.e164())
                        .unwrap_or_else(|_| {
                            p.number
                                .chars()
                                .filter(|c| c.is_ascii_digit() || *c == '+')
                                .collect()
                        }),
                    description: nonblank(p.description.clone()),
                })
                .collect(),
            email: nonblank(c.email.clone()),
        })
        .collect();
    let status_note = match super::model::Status::parse(&s.status) {
        Some(super::model::Status::TemporarilyClosed) => Some(
            "This service is temporarily closed. Contact them to find out when it will open again."
                .to_owned(),
        ),
        _ => None,
    };
    ServicePageModel {
        id: s.id.clone(),
        shortlisted: false,
        organisation: s.organization.as_ref().map(|o| o.name.clone()),
        summary: nonblank(s.summary.clone()),
        description: nonblank(s.description.clone()),
        status_note,
        categories: s
            .attributes
            .iter()
            .filter_map(|a| a.taxonomy_term.as_ref().map(|t| t.name.clone()))
            .collect(),
        ages: ages_text(s.minimum_age, s.maximum_age),
        eligibility: nonblank(s.eligibility.clone()),
        schedules,
        places,
        modes: modes_text(&modes),
        costs: costs_text(&costs),
        access: route_text(s.referral_route.as_deref().and_then(ReferralRoute::parse)),
        contacts,
        email: nonblank(s.email.clone()),
        website: nonblank(s.url.clone()),
        languages: s
            .languages
            .iter()
            .filter_map(|l| nonblank(l.name.clone()))
            .collect(),
        send_local_offer: s
            .send_local_offer
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        last_reviewed: s
            .last_reviewed
            .as_deref()
            .and_then(|d| IsoDate::parse(d).ok())
            .map(IsoDate::long),
        distance_from: DistanceFrom::default(),
        name: s.name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ages_text(None, None), "All ages");
        assert_eq!(ages_text(Some(0), Some(4)), "Ages 0 to 4");
        assert_eq!(ages_text(Some(5), Some(11)), "Ages 5 to 11");
        assert_eq!(ages_text(Some(18), None), "Ages 18 and over");
    }

    #[test]
    fn modes_and_costs_read_naturally() {
        assert_eq!(
            modes_text(&[
                DeliveryMode::InPerson,
                DeliveryMode::Online,
                DeliveryMode::Telephone
            ]),
            "In person, online and by phone"
        );
        assert_eq!(modes_text(&[DeliveryMode::Online]), "Online");
        let free = Cost {
            option: None,
            pence: Some(0),
            per: None,
            description: None,
        };
        assert_eq!(costs_text(&[free]), ["Free"]);
        let paid = Cost {
            option: Some("Siblings".into()),
            pence: Some(350),
            per: Some("session".into()),
            description: None,
        };
        assert_eq!(costs_text(&[paid]), ["Siblings: £3.50 per session"]);
        assert_eq!(costs_text(&[]), ["Contact the service to ask about cost"]);
    }

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

    #[test]
    fn links_keep_the_whole_search() {
        let url = UrlState {
            q: "swim & <play>".into(),
            categories: vec!["activities-and-clubs".into()],
            free: true,
            days: vec![Weekday::Mo],
            page: 2,
            ..UrlState::default()
        };
        assert_eq!(
            url.href(),
            "/search?q=swim+%26+%3Cplay%3E&category=activities-and-clubs&cost=free&day=MO&page=2"
        );
        assert_eq!(
            url.at_page(1),
            "/search?q=swim+%26+%3Cplay%3E&category=activities-and-clubs&cost=free&day=MO"
        );
    }
}
