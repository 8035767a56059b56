//! Directory upkeep for directory editors (`/staff/directory`): finding a listing to edit, adding
//! one (the editor is `editor.rs`), how many suggestions and reports wait in the review queue
//! (`review.rs`), and the listings not reviewed for 12 months, oldest first, each with "Edit",
//! "Mark as reviewed" and "Archive". An archived service leaves the public pages and the search
//! index (queued for the index in the same transaction).

use crate::staff::roles::may;
use crate::staff::view::form::{SuccessBanner, Table};
use crate::staff::view::{self, Csrf};
use crate::staff::{audit, Result, Staff, StaffError, StaffForm};
use crate::state::AppState;
use app::domain::IsoDate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::Row;

/// A listing is stale when it was last reviewed more than this many days ago.
pub const STALE_DAYS: i64 = 365;

fn cutoff(state: &AppState) -> Result<String> {
    let secs = state.staff.clock.unix() - STALE_DAYS * 86_400;
    crate::clock::date_of_unix(secs)
        .map(|d| d.to_string())
        .map_err(|_| StaffError::NotFound)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DirectoryQuery {
    /// Find listings by name.
    #[serde(default)]
    q: String,
    /// The listing just saved (for the confirmation banner).
    saved: Option<String>,
}

/// The listing just saved, for the banner: its id and name.
async fn saved_listing(state: &AppState, saved: Option<&str>) -> Result<Option<(String, String)>> {
    let Some(id) = saved else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT name FROM service WHERE id = $1")
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?;
    Ok(match row {
        Some(row) => Some((id.to_owned(), row.try_get(0)?)),
        None => None,
    })
}

/// The banner after a save: the listing's name and a link to its public page.
fn saved_banner(id: String, name: String) -> impl IntoView {
    view! {
        <SuccessBanner title_id="saved-title">
            <p class="govuk-notification-banner__heading">
                {format!("{name} is saved and published. ")}
                <a class="govuk-notification-banner__link" href=format!("/services/{id}")>
                    "View the service page"
                </a>
                "."
            </p>
            <p class="govuk-body">"Search results show the change within a few seconds."</p>
        </SuccessBanner>
    }
}

async fn waiting(state: &AppState) -> Result<i64> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM suggested_change WHERE status = 'new') + \
         (SELECT COUNT(*) FROM listing_report WHERE status = 'new')",
    )
    .fetch_one(state.db.pool())
    .await?;
    Ok(row.try_get(0)?)
}

/// What "Find a listing to edit" found, when something was typed.
enum Found {
    Nothing,
    NoMatch(String),
    Listings(Vec<(String, String)>),
}

async fn find(state: &AppState, q: &str) -> Result<Found> {
    if q.trim().is_empty() {
        return Ok(Found::Nothing);
    }
    let found = crate::staff::casework::picker::find_services(state, q, true).await?;
    Ok(if found.is_empty() {
        Found::NoMatch(q.trim().to_owned())
    } else {
        Found::Listings(found.into_iter().map(|s| (s.id, s.name)).collect())
    })
}

fn found_view(found: Found) -> impl IntoView {
    match found {
        Found::Nothing => None,
        Found::NoMatch(q) => Some(
            view! { <p class="govuk-body" id="found">{format!("No listing matches ‘{q}’.")}</p> }
                .into_any(),
        ),
        Found::Listings(listings) => Some(
            view! {
                <ul class="govuk-list" id="found">
                    {listings
                        .into_iter()
                        .map(|(id, name)| {
                            view! {
                                <li>
                                    <a class="govuk-link" href=format!("/staff/directory/services/{id}/edit")>
                                        "Edit"
                                        <span class="govuk-visually-hidden">":"</span>
                                        {format!(" {name}")}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any(),
        ),
    }
}

/// A listing not reviewed for 12 months.
struct Stale {
    id: String,
    name: String,
    organisation: String,
    reviewed: String,
}

fn stale_row(listing: Stale, csrf: &str) -> impl IntoView {
    let Stale {
        id,
        name,
        organisation,
        reviewed,
    } = listing;
    let hidden = format!(": {name}");
    view! {
        <tr class="govuk-table__row">
            <td class="govuk-table__cell">
                <a class="govuk-link" href=format!("/services/{id}")>{name}</a>
            </td>
            <td class="govuk-table__cell">{organisation}</td>
            <td class="govuk-table__cell">{reviewed}</td>
            <td class="govuk-table__cell">
                <a
                    class="govuk-link govuk-!-display-block govuk-!-margin-bottom-2"
                    href=format!("/staff/directory/services/{id}/edit")
                >
                    "Edit"
                    <span class="govuk-visually-hidden">{hidden.clone()}</span>
                </a>
                <form method="post" action=format!("/staff/directory/{id}/reviewed")>
                    <Csrf token=csrf.to_owned()/>
                    <button
                        type="submit"
                        class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                    >
                        "Mark as reviewed"
                        <span class="govuk-visually-hidden">{hidden.clone()}</span>
                    </button>
                </form>
                <form method="post" action=format!("/staff/directory/{id}/archive")>
                    <Csrf token=csrf.to_owned()/>
                    <button
                        type="submit"
                        class="govuk-button govuk-button--warning govuk-!-margin-bottom-0"
                    >
                        "Archive"
                        <span class="govuk-visually-hidden">{hidden}</span>
                    </button>
                </form>
            </td>
        </tr>
    }
}

fn stale_table(stale: Vec<Stale>, csrf: String) -> impl IntoView {
    if stale.is_empty() {
        return view! {
            <p class="govuk-body" id="stale-empty">
                "Every listing has been reviewed in the last 12 months."
            </p>
        }
        .into_any();
    }
    let caption = format!(
        "{} listing{} not reviewed for 12 months, oldest first",
        stale.len(),
        if stale.len() == 1 { "" } else { "s" }
    );
    view! {
        <Table
            caption=caption
            id="stale"
            heads=vec!["Service", "Organisation", "Last reviewed", "Actions"]
        >
            {stale.into_iter().map(|l| stale_row(l, &csrf)).collect_view()}
        </Table>
    }
    .into_any()
}

/// `GET /staff/directory`: find, add, the review queue's count and stale listings.
pub async fn stale_page(
    State(state): State<AppState>,
    Query(query): Query<DirectoryQuery>,
    staff: Staff,
) -> Result<Response> {
    staff.require(may::DIRECTORY)?;
    let rows = sqlx::query(
        "SELECT s.id, s.name, o.name, s.last_reviewed FROM service s \
         JOIN organization o ON o.id = s.organization_id \
         WHERE s.status <> 'archived' AND s.last_reviewed < $1 \
         ORDER BY s.last_reviewed, s.name LIMIT 200",
    )
    .bind(cutoff(&state)?)
    .fetch_all(state.db.pool())
    .await?;
    let mut stale = Vec::new();
    for r in &rows {
        let reviewed: String = r.try_get(3)?;
        stale.push(Stale {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            organisation: r.try_get(2)?,
            reviewed: IsoDate::parse(&reviewed)
                .map(|d| app::forms::long_date(&d))
                .unwrap_or(reviewed),
        });
    }
    let waiting = waiting(&state).await?;
    let saved = saved_listing(&state, query.saved.as_deref()).await?;
    let found = find(&state, &query.q).await?;
    let (q, csrf) = (query.q, staff.session.csrf.clone());
    Ok(view::page(
        StatusCode::OK,
        "Directory",
        Some(&staff),
        move || {
            let queue = if waiting == 0 {
                "No suggested changes or reported problems are waiting.".into_any()
            } else {
                let text = format!(
                    "{waiting} item{} waiting in the review queue",
                    if waiting == 1 { "" } else { "s" }
                );
                view! { <a class="govuk-link" href="/staff/directory/review">{text}</a> }.into_any()
            };
            view! {
                {saved.map(|(id, name)| saved_banner(id, name))}
                <h1 class="govuk-heading-l">"Directory"</h1>
                <p class="govuk-body" id="review-count">{queue}</p>
                <a class="govuk-button" href="/staff/directory/services/new">"Add a listing"</a>
                <form method="get" action="/staff/directory" class="govuk-!-margin-bottom-6">
                    <div class="govuk-form-group">
                        <label class="govuk-label govuk-label--m" for="q">"Find a listing to edit"</label>
                        <div class="govuk-hint" id="q-hint">
                            "Words from its name or what it offers, or its id. A listing added in the last few seconds is found by its id until search catches up."
                        </div>
                        <input
                            class="govuk-input govuk-!-width-two-thirds"
                            id="q"
                            name="q"
                            type="search"
                            value=q
                            aria-describedby="q-hint"
                        />
                        " "
                        <button
                            type="submit"
                            class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                        >
                            "Find"
                        </button>
                    </div>
                </form>
                {found_view(found)}
                <h2 class="govuk-heading-l">"Listings to review"</h2>
                <p class="govuk-body">
                    "Check each listing with the provider. Mark it as reviewed when it is right, or archive it if the service has stopped: it then leaves the directory and search straight away."
                </p>
                {stale_table(stale, csrf)}
            }
        },
    ))
}

enum Change {
    Reviewed,
    Archive,
}

async fn change(state: &AppState, form: StaffForm, id: &str, change: Change) -> Result<Response> {
    let staff = form.staff;
    staff.require(may::DIRECTORY)?;
    let clock = &state.staff.clock;
    let now = clock.now();
    let today = clock.today().map_err(|_| StaffError::NotFound)?.to_string();
    let mut tx = state.db.pool().begin().await?;
    // The change number first, before any service row (see search::sync::begin_change).
    crate::search::sync::begin_change(&mut tx).await?;
    let (query, action) = match change {
        Change::Reviewed => (
            sqlx::query(
                "UPDATE service SET last_reviewed = $1, last_modified = $2 \
                 WHERE id = $3 AND status <> 'archived'",
            )
            .bind(today),
            "service_reviewed",
        ),
        Change::Archive => (
            sqlx::query(
                "UPDATE service SET status = 'archived', last_modified = $1 \
                 WHERE id = $2 AND status <> 'archived'",
            ),
            "service_archived",
        ),
    };
    let changed = query
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed != 1 {
        return Err(StaffError::NotFound);
    }
    crate::search::sync::enqueue(&mut tx, id).await?;
    let mut e = staff.event(action);
    let subject = format!("service:{id}");
    e.subject = Some(&subject);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/directory").into_response())
}

/// `POST /staff/directory/{id}/reviewed`.
pub async fn reviewed(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    change(&state, form, &id, Change::Reviewed).await
}

/// `POST /staff/directory/{id}/archive`.
pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    change(&state, form, &id, Change::Archive).await
}
