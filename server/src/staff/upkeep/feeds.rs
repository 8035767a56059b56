//! Feeds and their taxonomies, for directory editors: each feed's last pull on the directory page
//! ([`feeds_section`]), the mapping page (`/staff/directory/mapping`: feed terms no mapping
//! covers, with how many services carry each, mapped to a category one at a time; the services
//! waiting for a category; the mapping itself), and "Give back to the feed" for a feed's listing
//! edited here (`/staff/directory/{id}/give-back`). Mapping a term gives every service that
//! carries it the category at once (`directory::mapping::apply`, which queues the search index),
//! in the same transaction as the audit entry.

use crate::directory::feeds::FeedStatus;
use crate::directory::mapping::{self, MatchKind, UnmappedTerm, WaitingService};
use crate::directory::repo;
use crate::staff::roles::may;
use crate::staff::view::form::{
    error_for, Button, ErrorSummary, FieldError, Radios, Select, SuccessBanner, SummaryList,
    SummaryRow, Table,
};
use crate::staff::view::{self, Csrf};
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::{AnyPool, Row};
use uuid::Uuid;

/// Each feed's last pull, its counts and its error, for the directory page.
pub fn feeds_section(feeds: Vec<FeedStatus>) -> impl IntoView {
    let body = if feeds.is_empty() {
        view! {
            <p class="govuk-body" id="feeds-empty">
                "No feed from another system is registered. Register one with "
                <code>"signpost feeds add NAME URL"</code>
                "."
            </p>
        }
        .into_any()
    } else {
        let rows = feeds.into_iter().map(feed_row).collect_view();
        view! {
            <Table
                caption="Feeds from other systems"
                id="feeds"
                heads=vec!["Feed", "Last pull", "Counts", "Problems"]
            >
                {rows}
            </Table>
        }
        .into_any()
    };
    view! {
        <h2 class="govuk-heading-l">"Feeds"</h2>
        {body}
        <p class="govuk-body">
            <a class="govuk-link" href="/staff/directory/mapping">
                "Map feeds' categories and see the services waiting for a category"
            </a>
        </p>
    }
}

fn feed_row(f: FeedStatus) -> impl IntoView {
    let last = match (&f.last_outcome, &f.last_finished_at) {
        (Some(outcome), Some(at)) if outcome == "ok" => format!("Succeeded {at}"),
        (Some(_), Some(at)) => format!("Failed {at}"),
        _ => "Not pulled yet".to_owned(),
    };
    let pulling = f
        .claimed_until
        .as_ref()
        .map(|_| " (being pulled now)".to_owned())
        .unwrap_or_default();
    let last_ok = f
        .last_ok_at
        .as_ref()
        .filter(|_| f.last_outcome.as_deref() != Some("ok"))
        .map(|at| format!("Last succeeded {at}"));
    let r = f.report;
    let counts = format!(
        "Last successful pull: {} new, {} updated, {} unchanged, {} waiting for a category, {} archived (gone from the feed), {} kept as edited here. Now: {} listed, {} waiting, {} edited here.",
        r.created, r.updated, r.unchanged, r.waiting, r.archived, r.kept, f.listed, f.waiting, f.overridden
    );
    let problems = f
        .last_error
        .clone()
        .filter(|_| f.last_outcome.as_deref() == Some("failed"));
    view! {
        <tr class="govuk-table__row">
            <td class="govuk-table__cell">
                <strong>{f.name.clone()}</strong>
                <br/>
                <span class="govuk-hint">{f.url.clone()}</span>
            </td>
            <td class="govuk-table__cell">
                {format!("{last}{pulling}")}
                {last_ok.map(|t| view! { <br/><span>{t}</span> })}
            </td>
            <td class="govuk-table__cell">{counts}</td>
            <td class="govuk-table__cell">
                {match problems {
                    // One line per problem (each bad record on its own line).
                    Some(text) => view! {
                        <ul class="govuk-list govuk-body-s">
                            {text
                                .lines()
                                .map(|line| view! { <li>{line.to_owned()}</li> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any(),
                    None => view! { <span>"None"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}

/// Signpost's categories for a select: (id, "Parent: name"), in tree order.
async fn category_options(pool: &AnyPool) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, p.name FROM taxonomy_term t \
         LEFT JOIN taxonomy_term p ON p.id = t.parent_id ORDER BY t.position, t.id",
    )
    .fetch_all(pool)
    .await?;
    let mut options = vec![(String::new(), "Choose a category".to_owned())];
    for r in rows {
        let name: String = r.try_get(1)?;
        let parent: Option<String> = r.try_get(2)?;
        let label = match parent {
            Some(p) => format!("{p}: {name}"),
            None => name,
        };
        options.push((r.try_get(0)?, label));
    }
    Ok(options)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct MappingQuery {
    /// The feed term to map (its form).
    term: Option<String>,
    /// The term just mapped and how many services it changed (the banner).
    mapped: Option<String>,
    changed: Option<String>,
}

/// `GET /staff/directory/mapping`: the unmapped terms, or the form for one of them.
pub async fn mapping_page(
    State(state): State<AppState>,
    Query(query): Query<MappingQuery>,
    staff: Staff,
) -> Result<Response> {
    staff.require(may::DIRECTORY)?;
    let pool = state.db.pool();
    if let Some(term) = query.term.as_deref() {
        let term = mapping::foreign_term(pool, term)
            .await?
            .ok_or(StaffError::NotFound)?;
        let options = category_options(pool).await?;
        return Ok(term_form(
            &staff,
            term,
            options,
            "name",
            String::new(),
            Vec::new(),
        ));
    }
    let unmapped = mapping::unmapped_terms(pool).await?;
    let waiting = mapping::waiting_services(pool).await?;
    let rows = mapping::list(pool).await?;
    let banner = query.mapped.map(|name| {
        let changed = query
            .changed
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or_default();
        (
            format!("{name} is mapped."),
            format!(
                "{changed} service{} got the category.",
                if changed == 1 { "" } else { "s" }
            ),
        )
    });
    Ok(view::page(
        StatusCode::OK,
        "Feeds' categories",
        Some(&staff),
        move || {
            view! {
                {banner
                    .map(|(what, count)| {
                        view! {
                            <SuccessBanner title_id="mapped-title" id="mapped">
                                <p class="govuk-notification-banner__heading">{what}</p>
                                <p class="govuk-body">{count}</p>
                            </SuccessBanner>
                        }
                    })}
                <h1 class="govuk-heading-l">"Feeds' categories"</h1>
                <p class="govuk-body">
                    "Feeds from other systems use their own categories. Map each to one of ours: services from a feed are public only once one of their categories is mapped (or an editor gives them one). A mapping applies to services already imported and to every later pull. Mappings can also be loaded from a file with "
                    <code>"signpost mapping load FILE"</code>
                    "."
                </p>
                {unmapped_table(unmapped)}
                {waiting_table(waiting)}
                {mapping_table(rows)}
            }
        },
    ))
}

fn unmapped_table(terms: Vec<UnmappedTerm>) -> impl IntoView {
    if terms.is_empty() {
        return view! {
            <p class="govuk-body" id="unmapped-empty">"Every feed category is mapped."</p>
        }
        .into_any();
    }
    let caption = format!(
        "{} feed categor{} not mapped, most used first",
        terms.len(),
        if terms.len() == 1 { "y" } else { "ies" }
    );
    let rows = terms
        .into_iter()
        .map(|t| {
            let label = term_label(&t);
            let href = format!(
                "/staff/directory/mapping?term={}",
                url::form_urlencoded::byte_serialize(t.id.as_bytes()).collect::<String>()
            );
            view! {
                <tr class="govuk-table__row">
                    <td class="govuk-table__cell">{t.taxonomy.clone()}</td>
                    <td class="govuk-table__cell">{label.clone()}</td>
                    <td class="govuk-table__cell">{t.code.clone().unwrap_or_default()}</td>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{t.services}</td>
                    <td class="govuk-table__cell">
                        <a class="govuk-link" href=href>
                            "Map"
                            <span class="govuk-visually-hidden">{format!(" {label}")}</span>
                        </a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table
            caption=caption
            id="unmapped"
            heads=vec!["Feed's taxonomy", "Category", "Code", "Services", "Action"]
        >
            {rows}
        </Table>
    }
    .into_any()
}

fn term_label(t: &UnmappedTerm) -> String {
    if t.name.is_empty() {
        format!("(id {})", t.id)
    } else {
        t.name.clone()
    }
}

fn waiting_table(waiting: Vec<WaitingService>) -> impl IntoView {
    if waiting.is_empty() {
        return view! {
            <p class="govuk-body" id="waiting-empty">"No service is waiting for a category."</p>
        }
        .into_any();
    }
    let caption = format!(
        "{} service{} waiting for a category (not public)",
        waiting.len(),
        if waiting.len() == 1 { "" } else { "s" }
    );
    let rows = waiting
        .into_iter()
        .map(|w| {
            let edit = format!("/staff/directory/services/{}/edit", w.id);
            view! {
                <tr class="govuk-table__row">
                    <td class="govuk-table__cell">{w.name.clone()}</td>
                    <td class="govuk-table__cell">{w.source.clone()}</td>
                    <td class="govuk-table__cell">{w.terms.join("; ")}</td>
                    <td class="govuk-table__cell">
                        <a class="govuk-link" href=edit>
                            "Give it a category"
                            <span class="govuk-visually-hidden">{format!(": {}", w.name)}</span>
                        </a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table
            caption=caption
            id="waiting"
            heads=vec!["Service", "Feed", "Its feed's categories", "Action"]
        >
            {rows}
        </Table>
    }
    .into_any()
}

fn mapping_table(rows: Vec<mapping::MappingRow>) -> impl IntoView {
    if rows.is_empty() {
        return ().into_any();
    }
    let caption = format!("The mapping ({} rows)", rows.len());
    view! {
        <Table caption=caption id="mapping" heads=vec!["Matches", "Value", "Our category"]>
            {rows
                .into_iter()
                .map(|r| {
                    let how = match r.kind {
                        MatchKind::Id => "The term's id",
                        MatchKind::Name => "Its name or code (any case or punctuation)",
                    };
                    view! {
                        <tr class="govuk-table__row">
                            <td class="govuk-table__cell">{how}</td>
                            <td class="govuk-table__cell">{r.value.clone()}</td>
                            <td class="govuk-table__cell">{r.category_code.clone()}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}

/// The form mapping one feed term.
fn term_form(
    staff: &Staff,
    term: UnmappedTerm,
    options: Vec<(String, String)>,
    chosen_match: &str,
    chosen_category: String,
    errors: Vec<FieldError>,
) -> Response {
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Map a feed category")
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error: Map a feed category",
        )
    };
    let csrf = staff.session.csrf.clone();
    let chosen_match = chosen_match.to_owned();
    view::page(status, title, Some(staff), move || {
        let category_error = error_for(&errors, "category");
        let match_error = error_for(&errors, "match");
        let label = term_label(&term);
        let by_name = if term.name.is_empty() {
            Vec::new()
        } else {
            vec![(
                "name".to_owned(),
                format!(
                    "Every feed's category called \u{201c}{}\u{201d} (any case or punctuation)",
                    term.name
                ),
            )]
        };
        let mut choices = by_name;
        choices.push((
            "id".to_owned(),
            format!("Only this feed category (id {})", term.id),
        ));
        view! {
            <div class="govuk-grid-row">
                <div class="govuk-grid-column-two-thirds">
                    <ErrorSummary errors=errors/>
                    <a class="govuk-back-link" href="/staff/directory/mapping">"Back"</a>
                    <h1 class="govuk-heading-l">"Map a feed category"</h1>
                    <SummaryList id="term">
                        <SummaryRow key="Feed's taxonomy">{term.taxonomy.clone()}</SummaryRow>
                        <SummaryRow key="Category">{label}</SummaryRow>
                        <SummaryRow key="Code">{term.code.clone().unwrap_or_default()}</SummaryRow>
                        <SummaryRow key="Services">{term.services.to_string()}</SummaryRow>
                    </SummaryList>
                    <form method="post" action="/staff/directory/mapping" novalidate>
                        <Csrf token=csrf/>
                        <input type="hidden" name="term" value=term.id.clone()/>
                        <Radios
                            name="match"
                            legend="What should this mapping match?"
                            options=choices
                            chosen=chosen_match
                            error=match_error
                        />
                        <Select
                            name="category"
                            label="Our category"
                            options=options
                            chosen=chosen_category
                            error=category_error
                        />
                        <Button text="Save the mapping"/>
                    </form>
                </div>
            </div>
        }
    })
}

/// `POST /staff/directory/mapping`: maps one feed term, and gives its services the category.
pub async fn map_term(State(state): State<AppState>, form: StaffForm) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    staff.require(may::DIRECTORY)?;
    let pool = state.db.pool();
    let term = mapping::foreign_term(pool, field(&fields, "term"))
        .await?
        .ok_or(StaffError::NotFound)?;
    let options = category_options(pool).await?;
    let chosen = field(&fields, "category").to_owned();
    let kind = MatchKind::parse(field(&fields, "match"))
        .filter(|k| *k == MatchKind::Id || !term.name.is_empty());
    let category = Uuid::parse_str(&chosen)
        .ok()
        .filter(|c| options.iter().any(|(id, _)| *id == c.to_string()));
    let mut errors = Vec::new();
    if kind.is_none() {
        errors.push(FieldError::new(
            "match",
            "Choose what the mapping should match",
        ));
    }
    if category.is_none() {
        errors.push(FieldError::new("category", "Choose one of our categories"));
    }
    let (Some(kind), Some(category)) = (kind, category) else {
        let typed = field(&fields, "match").to_owned();
        return Ok(term_form(&staff, term, options, &typed, chosen, errors));
    };
    let value = match kind {
        MatchKind::Id => term.id.clone(),
        MatchKind::Name => term.name.clone(),
    };
    let now = state.staff.clock.now();
    let mut tx = repo::begin_write(pool).await?;
    mapping::set(&mut tx, kind, &value, category, &now).await?;
    let changed = mapping::apply(&mut tx, &now).await?;
    let detail = format!("{} {} -> {}", kind.as_str(), value, category);
    let subject = format!(
        "feed_term:{}",
        term.id.chars().take(100).collect::<String>()
    );
    let mut e = staff.event("taxonomy_mapped");
    e.subject = Some(&subject);
    e.detail = Some(&detail);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    let name: String = url::form_urlencoded::byte_serialize(term_label(&term).as_bytes()).collect();
    Ok(Redirect::to(&format!(
        "/staff/directory/mapping?mapped={name}&changed={changed}"
    ))
    .into_response())
}

/// `POST /staff/directory/{id}/give-back`: a feed's listing edited here follows its feed again
/// from the next pull.
pub async fn give_back(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = form.staff;
    staff.require(may::DIRECTORY)?;
    let now = state.staff.clock.now();
    let mut tx = state.db.pool().begin().await?;
    if !repo::clear_local_override(&mut tx, &id).await? {
        return Err(StaffError::NotFound);
    }
    let subject = format!("service:{id}");
    let mut e = staff.event("service_given_back");
    e.subject = Some(&subject);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/directory").into_response())
}

/// A feed's listings edited here, for the directory page: (id, name, feed).
pub async fn overridden(pool: &AnyPool) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT id, name, source FROM service WHERE local_override = 1 ORDER BY source, name, id",
    )
    .fetch_all(pool)
    .await?;
    let mut list = Vec::new();
    for r in rows {
        list.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
    }
    Ok(list)
}

/// The feeds' listings edited here, each with "Give back to the feed".
pub fn overridden_section(list: Vec<(String, String, String)>, csrf: String) -> impl IntoView {
    if list.is_empty() {
        return ().into_any();
    }
    let caption = format!(
        "{} feed listing{} edited here (pulls leave {} as edited)",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        if list.len() == 1 { "it" } else { "them" }
    );
    view! {
        <Table caption=caption id="overridden" heads=vec!["Service", "Feed", "Action"]>
            {list
                .into_iter()
                .map(|(id, name, source)| {
                    view! {
                        <tr class="govuk-table__row">
                            <td class="govuk-table__cell">{name.clone()}</td>
                            <td class="govuk-table__cell">{source}</td>
                            <td class="govuk-table__cell">
                                <form method="post" action=format!("/staff/directory/{id}/give-back")>
                                    <Csrf token=csrf.clone()/>
                                    <button
                                        type="submit"
                                        class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                                    >
                                        "Give back to the feed"
                                        <span class="govuk-visually-hidden">{format!(": {name}")}</span>
                                    </button>
                                </form>
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
