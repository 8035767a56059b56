//! The directory's pages: search results (`/search`) and a service (`/services/{id}`).
//!
//! The data is worked out on the server before rendering (the search engine and the database
//! live in the server crate): the server's handler parses the URL, runs the search, and provides
//! one of the models below as context. These components only turn a model into GOV.UK Frontend
//! markup. All text goes through Leptos's escaping; nothing here uses `inner_html`. The pages work
//! entirely by links and GET forms; the one island, `LiveSearch`, only makes the results page
//! quicker to use when JavaScript runs.
//!
//! Long on purpose: the results page and the service page share their models and components.

use crate::components::errors::{ErrorSummary, FieldError};
use crate::components::layout::FisPhoneLink;
use crate::pages::not_found::NotFoundPage;
use leptos::prelude::*;
use leptos_meta::Title;

/// A piece of text, highlighted (`<mark>`) when it matched the search words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextPart {
    pub text: String,
    pub highlighted: bool,
}

/// What was typed in the search form's text fields, to show again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchForm {
    pub q: String,
    pub postcode: String,
    pub radius: String,
    pub age: String,
    /// `relevance` or `distance`.
    pub sort: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterOption {
    pub value: String,
    pub label: String,
    /// Matching services with the other filters as they are (none when the search failed).
    pub count: Option<u64>,
    pub checked: bool,
}

/// One group of checkboxes in the filter panel; `name` is the URL parameter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterGroup {
    pub name: String,
    pub legend: String,
    pub options: Vec<FilterOption>,
}

/// How many of the matching services are for one age group (shown with the age filter).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgeBandCount {
    /// "5 to 10 years".
    pub label: String,
    pub count: u64,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultCard {
    pub id: String,
    /// The service page, carrying the search's postcode when there was one (so the page can say
    /// how far each place is).
    pub href: String,
    pub name: Vec<TextPart>,
    pub organisation: String,
    pub summary: Vec<TextPart>,
    /// "1.2 miles away", when a postcode was given.
    pub distance: Option<String>,
    /// Plain-English schedules, e.g. "Tuesdays, 6pm to 8pm, term time only".
    pub schedules: Vec<String>,
    pub cost: String,
    pub ages: String,
    pub modes: String,
    /// On the visitor's shortlist.
    pub shortlisted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageItem {
    Page {
        number: u64,
        href: String,
        current: bool,
    },
    Ellipsis,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pagination {
    pub previous: Option<String>,
    pub next: Option<String>,
    pub items: Vec<PageItem>,
}

/// A link: text and address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Link {
    pub text: String,
    pub href: String,
}

/// The outcome of a search that ran.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Results {
    pub total: u64,
    /// Position of the first and last result on this page (1-based).
    pub first: u64,
    pub last: u64,
    pub cards: Vec<ResultCard>,
    pub pagination: Option<Pagination>,
    /// "Did you mean …?": the corrected words and the search with them.
    pub suggestion: Option<Link>,
    /// Searches with one thing fewer, for when nothing (or little) matched.
    pub broaden: Vec<Link>,
    /// The page asked for is beyond the last result: a link to the first page.
    pub beyond_end: Option<String>,
    /// Results are nearest first.
    pub by_distance: bool,
    /// A postcode was given (distance can be sorted on).
    pub has_place: bool,
}

/// Everything the results page shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchPageModel {
    pub form: SearchForm,
    pub errors: Vec<FieldError>,
    pub filters: Vec<FilterGroup>,
    /// The matching services by age group, with the other filters as they are (empty when the
    /// search could not run).
    pub age_bands: Vec<AgeBandCount>,
    /// The chosen filters, each with the same search without it (the tags above the results).
    pub chosen: Vec<Link>,
    /// `None` when the search could not run (see `errors`).
    pub results: Option<Results>,
    /// This page's address (path and query), where the shortlist buttons return to.
    pub here: String,
    /// Services on the visitor's shortlist.
    pub shortlist_count: usize,
}

impl SearchPageModel {
    fn error_for(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

/// A session of the service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScheduleLine {
    pub summary: String,
    pub dates: Option<String>,
    pub description: Option<String>,
}

/// A place where the service runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlaceView {
    pub name: Option<String>,
    /// "2.3 miles away", when the visitor gave a postcode and the place has coordinates.
    pub distance: Option<String>,
    pub address_lines: Vec<String>,
    /// "Open in OpenStreetMap" link, when the place has coordinates.
    pub map_href: Option<String>,
    pub wheelchair_accessible: bool,
    pub accessibility: Vec<String>,
}

/// A phone number to show and its `tel:` address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhoneView {
    pub display: String,
    pub tel: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactView {
    pub name: Option<String>,
    pub phones: Vec<PhoneView>,
    pub email: Option<String>,
}

/// Everything the service page shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServicePageModel {
    pub id: String,
    /// On the visitor's shortlist.
    pub shortlisted: bool,
    pub name: String,
    pub organisation: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub status_note: Option<String>,
    pub categories: Vec<String>,
    pub ages: String,
    pub eligibility: Option<String>,
    pub schedules: Vec<ScheduleLine>,
    pub places: Vec<PlaceView>,
    pub modes: String,
    pub costs: Vec<String>,
    pub access: String,
    pub contacts: Vec<ContactView>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub languages: Vec<String>,
    pub send_local_offer: Vec<(String, String)>,
    pub last_reviewed: Option<String>,
    /// The "How far is it?" form: what was entered, and why it could not be used.
    pub distance_from: DistanceFrom,
}

/// The postcode a service page measures its places' distances from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DistanceFrom {
    /// As entered, or in its normal form once understood ("BK1 4AB").
    pub postcode: String,
    pub error: Option<String>,
}

/// Text for `<Title>`: leptos_meta 0.8 writes the title into the page without escaping it, so
/// text that did not come from this code (a service's name) is escaped here. `<title>` holds
/// text with character references, so the browser shows the original characters.
pub fn title_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn highlighted(parts: Vec<TextPart>) -> impl IntoView {
    parts
        .into_iter()
        .map(|p| {
            if p.highlighted {
                view! { <mark class="signpost-highlight">{p.text}</mark> }.into_any()
            } else {
                p.text.into_any()
            }
        })
        .collect_view()
}

/// `/search`: the results page.
#[component]
pub fn SearchPage() -> impl IntoView {
    let model = use_context::<SearchPageModel>().unwrap_or_default();
    let title = match (&model.results, model.errors.is_empty()) {
        (_, false) => "Error: Search for services".to_owned(),
        // No typed text in the title: leptos_meta writes it into <title> unescaped.
        (Some(r), true) => format!(
            "Search results: {} {} found",
            r.total,
            if r.total == 1 { "service" } else { "services" }
        ),
        _ => "Search for services".to_owned(),
    };
    let errors = model.errors.clone();
    let filters = model.filters.clone();
    let results = model.results.clone();
    let age_error = model.error_for("age");
    let has_place = results.as_ref().is_some_and(|r| r.has_place);
    let sort = model.form.sort.clone();
    let sort_error = model.error_for("sort");
    // The disclosure starts open when a filter has an error (the summary links into it).
    let filters_open = model
        .errors
        .iter()
        .any(|e| e.field.starts_with("filter-") || e.field == "age");
    // Two forms for all the cards' buttons: each button sends its service's id as its own
    // name and value (`<button form="shortlist-add" name="id" value="…">`).
    let shortlist_forms = results.as_ref().filter(|r| !r.cards.is_empty()).map(|_| {
        view! {
            <form method="post" action="/shortlist/add" id="shortlist-add">
                <input type="hidden" name="back" value=model.here.clone()/>
            </form>
            <form method="post" action="/shortlist/remove" id="shortlist-remove">
                <input type="hidden" name="back" value=model.here.clone()/>
            </form>
        }
    });
    let shortlist_count = model.shortlist_count;
    view! {
        <Title text=title/>
        <ErrorSummary errors=errors focus=false/>
        {(shortlist_count > 0).then(|| view! {
            <p class="govuk-body signpost-shortlist-link">
                <a class="govuk-link" href="/shortlist">
                    {format!("Your shortlist ({shortlist_count})")}
                </a>
            </p>
        })}
        <h1 class="govuk-heading-l">"Search for services"</h1>
        // GOV.UK "search and filter": a compact search bar above the results, the filters beside
        // them on wide screens and behind "Show filters" on narrow ones (a <details>, so it
        // works without JavaScript; see style/_signpost.scss).
        <form method="get" action="/search" novalidate=true class="signpost-search">
            <SearchFields model=model.clone()/>
            <div class="govuk-grid-row">
                <div class="govuk-grid-column-one-third">
                    <details class="govuk-details signpost-filter-panel" open=filters_open>
                        <summary class="govuk-details__summary">
                            <span class="govuk-details__summary-text">"Show filters"</span>
                        </summary>
                        <div class="govuk-details__text signpost-filters">
                    <h2 class="govuk-heading-m">"Filter results"</h2>
                    {filters
                        .into_iter()
                        .map(|g| {
                            let error = model.error_for(&format!("filter-{}", g.name));
                            view! { <FilterFieldset group=g error=error/> }
                        })
                        .collect_view()}
                    <div
                        class="govuk-form-group"
                        class:govuk-form-group--error=age_error.is_some()
                    >
                        <label class="govuk-label govuk-label--s" for="age">
                            "Age of the child or person"
                        </label>
                        <div class="govuk-hint" id="age-hint">"In years, for example 7"</div>
                        {age_error
                            .clone()
                            .map(|m| {
                                view! {
                                    <p class="govuk-error-message" id="age-error">
                                        <span class="govuk-visually-hidden">"Error: "</span>
                                        {m}
                                    </p>
                                }
                            })}
                        <input
                            class="govuk-input govuk-input--width-3"
                            class:govuk-input--error=age_error.is_some()
                            id="age"
                            name="age"
                            type="text"
                            inputmode="numeric"
                            spellcheck="false"
                            value=model.form.age.clone()
                            aria-describedby=if age_error.is_some() {
                                "age-hint age-error"
                            } else {
                                "age-hint"
                            }
                        />
                        <AgeBands bands=model.age_bands.clone()/>
                    </div>
                    <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">
                        "Apply filters"
                    </button>
                        </div>
                    </details>
                </div>
                <div class="govuk-grid-column-two-thirds">
                    // Swapped in place by the live search (components::live_search), like the
                    // results below.
                    <div id="chosen-filters">
                        <ChosenFilters chosen=model.chosen.clone()/>
                    </div>
                    <div
                        class="govuk-form-group signpost-sort"
                        class:govuk-form-group--error=sort_error.is_some()
                    >
                        <label class="govuk-label" for="sort">"Sort by"</label>
                        {sort_error
                            .clone()
                            .map(|m| {
                                view! {
                                    <p class="govuk-error-message" id="sort-error">
                                        <span class="govuk-visually-hidden">"Error: "</span>
                                        {m}
                                    </p>
                                }
                            })}
                        <select
                            class="govuk-select"
                            class:govuk-select--error=sort_error.is_some()
                            id="sort"
                            name="sort"
                            aria-describedby=sort_error.is_some().then_some("sort-error")
                        >
                            <option value="relevance" selected=sort != "distance">
                                "Best match"
                            </option>
                            {has_place
                                .then(|| {
                                    view! {
                                        <option value="distance" selected=sort == "distance">
                                            "Nearest first"
                                        </option>
                                    }
                                })}
                        </select>
                        " "
                        <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">
                            "Sort"
                        </button>
                    </div>
                    <div id="results-region">
                        <ResultsList results=results page_error=model.error_for("result-count")/>
                    </div>
                </div>
            </div>
        </form>
        // The shortlist buttons' forms: outside the search form, because forms cannot nest.
        <div id="shortlist-forms">{shortlist_forms}</div>
        <crate::components::live_search::LiveSearch/>
    }
}

/// What, where, how far: the compact search bar above the results.
#[component]
fn SearchFields(model: SearchPageModel) -> impl IntoView {
    let q_error = model.error_for("q");
    let postcode_error = model.error_for("postcode");
    let radius_error = model.error_for("radius");
    let error_message = |id: &'static str, message: Option<String>| {
        message.map(|m| {
            view! {
                <p class="govuk-error-message" id=id>
                    <span class="govuk-visually-hidden">"Error: "</span>
                    {m}
                </p>
            }
        })
    };
    view! {
        <div class="signpost-search-bar">
            <div
                class="govuk-form-group signpost-search-bar__words"
                class:govuk-form-group--error=q_error.is_some()
            >
                <label class="govuk-label govuk-label--s" for="q">"What are you looking for?"</label>
                {error_message("q-error", q_error.clone())}
                <input
                    class="govuk-input"
                    class:govuk-input--error=q_error.is_some()
                    id="q"
                    name="q"
                    type="search"
                    list="q-suggestions"
                    autocomplete="off"
                    value=model.form.q.clone()
                    aria-describedby=q_error.is_some().then_some("q-error")
                />
                // Filled as you type when JavaScript is on (see components::live_search).
                <datalist id="q-suggestions"></datalist>
            </div>
            <div
                class="govuk-form-group signpost-search-bar__postcode"
                class:govuk-form-group--error=postcode_error.is_some()
            >
                <label class="govuk-label govuk-label--s" for="postcode">"Postcode (optional)"</label>
                {error_message("postcode-error", postcode_error.clone())}
                <input
                    class="govuk-input govuk-input--width-10"
                    class:govuk-input--error=postcode_error.is_some()
                    id="postcode"
                    name="postcode"
                    type="text"
                    autocomplete="postal-code"
                    spellcheck="false"
                    value=model.form.postcode.clone()
                    aria-describedby=postcode_error.is_some().then_some("postcode-error")
                />
            </div>
            <div
                class="govuk-form-group signpost-search-bar__radius"
                class:govuk-form-group--error=radius_error.is_some()
            >
                <label class="govuk-label govuk-label--s" for="radius">"Within (km)"</label>
                {error_message("radius-error", radius_error.clone())}
                <input
                    class="govuk-input govuk-input--width-3"
                    class:govuk-input--error=radius_error.is_some()
                    id="radius"
                    name="radius"
                    type="text"
                    inputmode="numeric"
                    spellcheck="false"
                    value=model.form.radius.clone()
                    aria-describedby=radius_error.is_some().then_some("radius-error")
                />
            </div>
            <div class="govuk-form-group signpost-search-bar__button">
                <button type="submit" class="govuk-button" data-module="govuk-button">"Search"</button>
            </div>
        </div>
    }
}

/// The chosen filters as tags, each a link to the same search without it ("Evening ×").
#[component]
fn ChosenFilters(chosen: Vec<Link>) -> impl IntoView {
    (!chosen.is_empty()).then(|| {
        view! {
            <div class="signpost-chosen">
                <h2 class="govuk-body-s govuk-!-font-weight-bold signpost-chosen__heading">
                    "Chosen filters"
                </h2>
                <ul class="signpost-chosen__list">
                    {chosen
                        .into_iter()
                        .map(|tag| {
                            view! {
                                <li>
                                    <a class="signpost-chosen__tag" href=tag.href>
                                        <span class="govuk-visually-hidden">"Remove filter: "</span>
                                        {tag.text}
                                        <span class="signpost-chosen__cross" aria-hidden="true">" ×"</span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// The matching services by age group, under the age input (nothing when there are no counts).
#[component]
fn AgeBands(bands: Vec<AgeBandCount>) -> impl IntoView {
    (!bands.is_empty()).then(|| {
        view! {
            <div id="age-bands" class="govuk-!-margin-top-2">
                <p class="govuk-body-s govuk-!-margin-bottom-1">"Services found, by age group:"</p>
                <ul class="govuk-list govuk-body-s">
                    {bands
                        .into_iter()
                        .map(|b| view! { <li>{format!("{} ({})", b.label, b.count)}</li> })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// One group of filter checkboxes with their counts.
#[component]
fn FilterFieldset(group: FilterGroup, error: Option<String>) -> impl IntoView {
    let name = group.name.clone();
    let error_id = format!("filter-{}-error", group.name);
    let has_error = error.is_some();
    view! {
        <div
            class="govuk-form-group"
            class:govuk-form-group--error=has_error
            id=format!("filter-{}", group.name)
        >
            <fieldset
                class="govuk-fieldset"
                aria-describedby=has_error.then(|| error_id.clone())
            >
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{group.legend}</legend>
                {error
                    .map(|m| {
                        view! {
                            <p class="govuk-error-message" id=error_id.clone()>
                                <span class="govuk-visually-hidden">"Error: "</span>
                                {m}
                            </p>
                        }
                    })}
                <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
                    {group
                        .options
                        .into_iter()
                        .map(|o| {
                            let id = format!("{}-{}", name, o.value.replace(['.', ' '], "-"));
                            let label = match o.count {
                                Some(n) => format!("{} ({n})", o.label),
                                None => o.label.clone(),
                            };
                            view! {
                                <div class="govuk-checkboxes__item">
                                    <input
                                        class="govuk-checkboxes__input"
                                        id=id.clone()
                                        name=name.clone()
                                        type="checkbox"
                                        value=o.value
                                        checked=o.checked
                                    />
                                    <label class="govuk-label govuk-checkboxes__label" for=id>
                                        {label}
                                    </label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// The count, the cards and the pagination; or the zero-result advice.
#[component]
fn ResultsList(results: Option<Results>, page_error: Option<String>) -> impl IntoView {
    let Some(r) = results else {
        return view! {
            {page_error
                .map(|m| {
                    view! {
                        <p class="govuk-error-message" id="page-error">
                            <span class="govuk-visually-hidden">"Error: "</span>
                            {m}
                        </p>
                    }
                })}
            <p class="govuk-body" role="status" aria-live="polite" id="result-count">
                "Correct the problem above to see results."
            </p>
        }
        .into_any();
    };
    let count = if r.total == 0 {
        "No services found".to_owned()
    } else if r.cards.is_empty() {
        format!(
            "{} {} found",
            r.total,
            if r.total == 1 { "service" } else { "services" }
        )
    } else {
        format!(
            "{} {} found, showing {} to {}{}",
            r.total,
            if r.total == 1 { "service" } else { "services" },
            r.first,
            r.last,
            if r.by_distance { ", nearest first" } else { "" }
        )
    };
    let suggestion = r.suggestion.clone().map(|s| {
        view! {
            <p class="govuk-body govuk-!-font-size-24" id="did-you-mean">
                "Did you mean "
                <a class="govuk-link" href=s.href>{s.text}</a>
                "?"
            </p>
        }
    });
    let beyond = r.beyond_end.clone().map(|href| {
        view! {
            <p class="govuk-body">
                "There are no results on this page. "
                <a class="govuk-link" href=href>"Go to the first page of results"</a>
                "."
            </p>
        }
    });
    let zero = (r.total == 0).then(|| {
        let broaden = r.broaden.clone();
        view! {
            <h2 class="govuk-heading-m">"No services matched your search"</h2>
            <p class="govuk-body">"You could:"</p>
            <ul class="govuk-list govuk-list--bullet">
                <li>"check the spelling of your search words"</li>
                <li>"use fewer or different words, like ‘autism’ instead of ‘autism group’"</li>
                {broaden
                    .into_iter()
                    .map(|l| {
                        view! {
                            <li>
                                <a class="govuk-link" href=l.href>{l.text}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="govuk-body">
                "Or call the Family Information Service on " <FisPhoneLink/>
                ": they can tell you about services that are not listed yet."
            </p>
        }
    });
    view! {
        <p class="govuk-body govuk-!-font-weight-bold" role="status" aria-live="polite" id="result-count">
            {count}
        </p>
        {suggestion}
        {beyond}
        {zero}
        <ul class="govuk-list signpost-results" id="results">
            {r.cards.into_iter().map(|c| view! { <Card card=c/> }).collect_view()}
        </ul>
        {r.pagination.map(|p| view! { <PaginationNav pagination=p/> })}
    }
    .into_any()
}

#[component]
fn Card(card: ResultCard) -> impl IntoView {
    let schedules = card.schedules.clone();
    let plain_name: String = card.name.iter().map(|p| p.text.as_str()).collect();
    view! {
        <li class="signpost-result" id=format!("result-{}", card.id)>
            <h2 class="govuk-heading-s govuk-!-margin-bottom-1">
                <a class="govuk-link" href=card.href.clone()>
                    {highlighted(card.name)}
                </a>
            </h2>
            <p class="govuk-body-s govuk-!-margin-bottom-1 signpost-result__organisation">
                {card.organisation}
            </p>
            <p class="govuk-body govuk-!-margin-bottom-2">{highlighted(card.summary)}</p>
            <dl class="govuk-summary-list govuk-summary-list--no-border signpost-result__facts">
                {card
                    .distance
                    .map(|d| view! { <Fact key="Distance" value=d/> })}
                {(!schedules.is_empty())
                    .then(|| {
                        view! {
                            <div class="govuk-summary-list__row">
                                <dt class="govuk-summary-list__key">"When"</dt>
                                <dd class="govuk-summary-list__value">
                                    {schedules
                                        .into_iter()
                                        .map(|s| view! { <span class="signpost-block">{s}</span> })
                                        .collect_view()}
                                </dd>
                            </div>
                        }
                    })}
                <Fact key="Cost" value=card.cost/>
                <Fact key="Ages" value=card.ages/>
                <Fact key="How" value=card.modes/>
            </dl>
            <crate::pages::shortlist::ShortlistButton
                id=card.id.clone()
                name=plain_name
                shortlisted=card.shortlisted
                form=if card.shortlisted { "shortlist-remove" } else { "shortlist-add" }.to_owned()
            />
        </li>
    }
}

#[component]
fn Fact(key: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{key}</dt>
            <dd class="govuk-summary-list__value">{value}</dd>
        </div>
    }
}

/// GOV.UK pagination.
#[component]
fn PaginationNav(pagination: Pagination) -> impl IntoView {
    view! {
        <nav class="govuk-pagination" aria-label="Results pages">
            {pagination
                .previous
                .map(|href| {
                    view! {
                        <div class="govuk-pagination__prev">
                            <a class="govuk-link govuk-pagination__link" href=href rel="prev">
                                <span class="govuk-pagination__link-title">
                                    "Previous"
                                    <span class="govuk-visually-hidden">" page"</span>
                                </span>
                            </a>
                        </div>
                    }
                })}
            <ul class="govuk-pagination__list">
                {pagination
                    .items
                    .into_iter()
                    .map(|item| match item {
                        PageItem::Ellipsis => {
                            view! {
                                <li class="govuk-pagination__item govuk-pagination__item--ellipses">
                                    "⋯"
                                </li>
                            }
                                .into_any()
                        }
                        PageItem::Page { number, href, current } => {
                            view! {
                                <li
                                    class="govuk-pagination__item"
                                    class:govuk-pagination__item--current=current
                                >
                                    <a
                                        class="govuk-link govuk-pagination__link"
                                        href=href
                                        aria-label=format!("Page {number}")
                                        aria-current=current.then_some("page")
                                    >
                                        {number.to_string()}
                                    </a>
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ul>
            {pagination
                .next
                .map(|href| {
                    view! {
                        <div class="govuk-pagination__next">
                            <a class="govuk-link govuk-pagination__link" href=href rel="next">
                                <span class="govuk-pagination__link-title">
                                    "Next"
                                    <span class="govuk-visually-hidden">" page"</span>
                                </span>
                            </a>
                        </div>
                    }
                })}
        </nav>
    }
}

/// "How far is it?": a postcode in, the same page back with each place's distance (a `GET`
/// form, so it works without JavaScript and the postcode is never stored).
#[component]
fn DistanceForm(id: String, from: DistanceFrom) -> impl IntoView {
    view! {
        <form method="get" action=format!("/services/{id}") novalidate class="govuk-!-display-none-print">
            <crate::components::fields::TextInput
                name="postcode"
                label="How far is it from you?"
                hint="Enter a postcode in Brackenshire, like BK1 4AB"
                value=from.postcode
                error=from.error
                autocomplete="postal-code"
                class="govuk-input govuk-input--width-10"
            />
            <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">
                "Show distance"
            </button>
        </form>
    }
}

/// `/services/{id}`: one service, everything a family needs.
#[component]
pub fn ServicePage() -> impl IntoView {
    let Some(s) = use_context::<ServicePageModel>() else {
        return view! { <NotFoundPage/> }.into_any();
    };
    let row = |key: &'static str, value: AnyView| {
        view! {
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">{key}</dt>
                <dd class="govuk-summary-list__value">{value}</dd>
            </div>
        }
    };
    let lines = |items: Vec<String>| {
        items
            .into_iter()
            .map(|t| view! { <span class="signpost-block">{t}</span> })
            .collect_view()
            .into_any()
    };
    let when = if s.schedules.is_empty() {
        "Contact the service to find out when it runs".into_any()
    } else {
        s.schedules
            .clone()
            .into_iter()
            .map(|l| {
                view! {
                    <p class="govuk-body govuk-!-margin-bottom-1">
                        {l.summary}
                        {l.dates.map(|d| view! { <span class="signpost-block govuk-hint govuk-!-margin-bottom-0">{d}</span> })}
                        {l.description.map(|d| view! { <span class="signpost-block">{d}</span> })}
                    </p>
                }
            })
            .collect_view()
            .into_any()
    };
    let places = s.places.clone();
    let has_map = places.iter().any(|p| p.map_href.is_some());
    let distance_errors: Vec<FieldError> = s
        .distance_from
        .error
        .clone()
        .map(|message| FieldError::new("postcode", message))
        .into_iter()
        .collect();
    let title = if distance_errors.is_empty() {
        s.name.clone()
    } else {
        format!("Error: {}", s.name)
    };
    let from_postcode = s.distance_from.postcode.clone();
    let contacts = s.contacts.clone();
    let send = s.send_local_offer.clone();
    view! {
        <Title text=title_text(&title)/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=distance_errors focus=false/>
                {s.organisation.clone().map(|o| view! { <span class="govuk-caption-l">{o}</span> })}
                <h1 class="govuk-heading-l">{s.name.clone()}</h1>
                {s.status_note.clone().map(|n| view! {
                    <div class="govuk-warning-text">
                        <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
                        <strong class="govuk-warning-text__text">
                            <span class="govuk-visually-hidden">"Warning"</span>
                            {n}
                        </strong>
                    </div>
                })}
                {s.summary.clone().map(|t| view! { <p class="govuk-body-l">{t}</p> })}
                <crate::pages::shortlist::ShortlistButton id=s.id.clone() name=s.name.clone() shortlisted=s.shortlisted/>
                {s.shortlisted.then(|| view! {
                    <p class="govuk-body govuk-!-display-none-print">
                        <a class="govuk-link" href="/shortlist">"View your shortlist"</a>
                    </p>
                })}
                <h2 class="govuk-heading-m">"What it is"</h2>
                {s.description
                    .clone()
                    .unwrap_or_default()
                    .split("\n\n")
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| view! { <p class="govuk-body">{p.trim().to_owned()}</p> })
                    .collect_view()}
                {(!s.categories.is_empty()).then(|| view! {
                    <p class="govuk-body-s">"Categories: " {s.categories.join(", ")}</p>
                })}
                <h2 class="govuk-heading-m">"Who it is for"</h2>
                <dl class="govuk-summary-list">
                    {row("Ages", s.ages.clone().into_any())}
                    {s.eligibility.clone().map(|e| row("Eligibility", e.into_any()))}
                </dl>
                <h2 class="govuk-heading-m">"When"</h2>
                {when}
                <h2 class="govuk-heading-m">"Where"</h2>
                <p class="govuk-body">{s.modes.clone()}</p>
                {places
                    .into_iter()
                    .map(|p| {
                        view! {
                            <div class="govuk-!-margin-bottom-4">
                                {p.name.map(|n| view! { <h3 class="govuk-heading-s govuk-!-margin-bottom-1">{n}</h3> })}
                                <p class="govuk-body govuk-!-margin-bottom-1">{lines(p.address_lines)}</p>
                                {p.distance.map(|d| view! {
                                    <p class="govuk-body govuk-!-margin-bottom-1 signpost-distance">
                                        <strong>{d}</strong>
                                        {format!(" from {}", from_postcode.clone())}
                                    </p>
                                })}
                                {p.map_href.map(|href| view! {
                                    <p class="govuk-body govuk-!-margin-bottom-1">
                                        <a class="govuk-link" href=href>
                                            "Open in OpenStreetMap"
                                            <span class="govuk-visually-hidden">" (opens the map of this place)"</span>
                                        </a>
                                    </p>
                                })}
                                <p class="govuk-body govuk-!-margin-bottom-1">
                                    {if p.wheelchair_accessible {
                                        "Wheelchair accessible"
                                    } else {
                                        "Not known to be wheelchair accessible: contact the service to check"
                                    }}
                                </p>
                                {(!p.accessibility.is_empty()).then(|| view! {
                                    <ul class="govuk-list govuk-list--bullet">
                                        {p.accessibility.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}
                                    </ul>
                                })}
                            </div>
                        }
                    })
                    .collect_view()}
                {has_map.then(|| view! { <DistanceForm id=s.id.clone() from=s.distance_from.clone()/> })}
                <h2 class="govuk-heading-m">"Cost"</h2>
                {s.costs.clone().into_iter().map(|c| view! { <p class="govuk-body">{c}</p> }).collect_view()}
                <h2 class="govuk-heading-m">"How to access it"</h2>
                <p class="govuk-body">{s.access.clone()}</p>
                <h2 class="govuk-heading-m">"Contact"</h2>
                <dl class="govuk-summary-list">
                    {contacts
                        .into_iter()
                        .flat_map(|c| {
                            let label = c.name.clone();
                            let mut rows = Vec::new();
                            for phone in c.phones {
                                let key = phone.description.clone().or_else(|| label.clone());
                                rows.push(view! {
                                    <div class="govuk-summary-list__row">
                                        <dt class="govuk-summary-list__key">"Phone"</dt>
                                        <dd class="govuk-summary-list__value">
                                            <a class="govuk-link" href=format!("tel:{}", phone.tel)>{phone.display}</a>
                                            {key.map(|k| view! { <span class="signpost-block govuk-hint govuk-!-margin-bottom-0">{k}</span> })}
                                        </dd>
                                    </div>
                                }.into_any());
                            }
                            if let Some(email) = c.email {
                                rows.push(row("Email", view! {
                                    <a class="govuk-link" href=format!("mailto:{email}")>{email.clone()}</a>
                                }.into_any()).into_any());
                            }
                            rows
                        })
                        .collect_view()}
                    {s.email.clone().map(|email| row("Email", view! {
                        <a class="govuk-link" href=format!("mailto:{email}")>{email.clone()}</a>
                    }.into_any()))}
                    {s.website.clone().map(|url| row("Website", view! {
                        <a class="govuk-link" href=url.clone() rel="noopener">{url.clone()}</a>
                    }.into_any()))}
                </dl>
                {(!s.languages.is_empty()).then(|| view! {
                    <h2 class="govuk-heading-m">"Languages"</h2>
                    <p class="govuk-body">{s.languages.join(", ")}</p>
                })}
                {(!send.is_empty()).then(|| view! {
                    <h2 class="govuk-heading-m">"SEND Local Offer"</h2>
                    <dl class="govuk-summary-list">
                        {send.into_iter().map(|(q, a)| view! {
                            <div class="govuk-summary-list__row">
                                <dt class="govuk-summary-list__key">{q}</dt>
                                <dd class="govuk-summary-list__value">{a}</dd>
                            </div>
                        }).collect_view()}
                    </dl>
                })}
                {s.last_reviewed.clone().map(|d| view! {
                    <p class="govuk-body-s" id="last-reviewed">"Last reviewed: " {d}</p>
                })}
                <p class="govuk-body govuk-!-display-none-print">
                    <a class="govuk-link" href=format!("/services/{}/report", s.id)>
                        "Report a problem with this listing"
                    </a>
                </p>
                <p class="govuk-body govuk-!-display-none-print">
                    "Do you run this service? "
                    <a class="govuk-link" href=format!("/services/{}/suggest-change", s.id)>
                        "Suggest a change to this listing"
                    </a>
                </p>
                <p class="govuk-body">
                    <a class="govuk-link" href="/search">"Search for other services"</a>
                </p>
            </div>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::title_text;

    #[test]
    fn titles_are_escaped() {
        assert_eq!(
            title_text("Tots & Toddlers </title><script>"),
            "Tots &amp; Toddlers &lt;/title&gt;&lt;script&gt;"
        );
        assert_eq!(title_text("Milk Matters"), "Milk Matters");
    }
}
