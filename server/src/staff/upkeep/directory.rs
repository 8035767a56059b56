//! Directory upkeep for directory editors (`/staff/directory`): finding a listing to edit, adding
//! one (the editor is `editor.rs`), how many suggestions and reports wait in the review queue
//! (`review.rs`), and the listings not reviewed for 12 months, oldest first, each with "Edit",
//! "Mark as reviewed" and "Archive". An archived service leaves the public pages and the search
//! index (queued for the index in the same transaction).

use crate::staff::html::{self, esc};
use crate::staff::roles::may;
use crate::staff::{audit, Result, Staff, StaffError, StaffForm};
use crate::startup::AppState;
use app::domain::IsoDate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::Row;
use std::fmt::Write;

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

/// The banner after a save: the listing's name and a link to its public page.
async fn saved_banner(state: &AppState, saved: Option<&str>) -> Result<String> {
    let Some(id) = saved else {
        return Ok(String::new());
    };
    let Some(row) = sqlx::query("SELECT name FROM service WHERE id = $1")
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
    else {
        return Ok(String::new());
    };
    let name: String = row.try_get(0)?;
    Ok(format!(
        r#"<div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="saved-title" data-module="govuk-notification-banner"><div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="saved-title">Success</h2></div><div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">{name} is saved and published. <a class="govuk-notification-banner__link" href="/services/{id}">View the service page</a>.</p><p class="govuk-body">Search results show the change within a few seconds.</p></div></div>"#,
        name = esc(&name),
        id = esc(id),
    ))
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

async fn found_html(state: &AppState, q: &str) -> Result<String> {
    if q.trim().is_empty() {
        return Ok(String::new());
    }
    let found = crate::staff::casework::picker::find_services(state, q, true).await?;
    if found.is_empty() {
        return Ok(format!(
            r#"<p class="govuk-body" id="found">No listing matches ‘{}’.</p>"#,
            esc(q.trim())
        ));
    }
    let mut items = String::new();
    for s in &found {
        let _ = write!(
            items,
            r#"<li><a class="govuk-link" href="/staff/directory/services/{id}/edit">Edit<span class="govuk-visually-hidden">:</span> {name}</a></li>"#,
            id = esc(&s.id),
            name = esc(&s.name)
        );
    }
    Ok(format!(r#"<ul class="govuk-list" id="found">{items}</ul>"#))
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
    let mut body = String::new();
    for r in &rows {
        let id: String = r.try_get(0)?;
        let name: String = r.try_get(1)?;
        let reviewed: String = r.try_get(3)?;
        let reviewed = IsoDate::parse(&reviewed)
            .map(|d| app::forms::long_date(&d))
            .unwrap_or(reviewed);
        let _ = write!(
            body,
            r#"<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" href="/services/{id}">{name}</a></td><td class="govuk-table__cell">{org}</td><td class="govuk-table__cell">{reviewed}</td><td class="govuk-table__cell"><a class="govuk-link govuk-!-display-block govuk-!-margin-bottom-2" href="/staff/directory/services/{id}/edit">Edit<span class="govuk-visually-hidden">: {name}</span></a><form method="post" action="/staff/directory/{id}/reviewed">{csrf}<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1">Mark as reviewed<span class="govuk-visually-hidden">: {name}</span></button></form><form method="post" action="/staff/directory/{id}/archive">{csrf}<button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0">Archive<span class="govuk-visually-hidden">: {name}</span></button></form></td></tr>"#,
            id = esc(&id),
            name = esc(&name),
            org = esc(&r.try_get::<String, _>(2)?),
            reviewed = esc(&reviewed),
            csrf = html::csrf_field(&staff.session.csrf),
        );
    }
    let table = if rows.is_empty() {
        r#"<p class="govuk-body" id="stale-empty">Every listing has been reviewed in the last 12 months.</p>"#.to_owned()
    } else {
        format!(
            r#"<table class="govuk-table" id="stale"><caption class="govuk-table__caption govuk-table__caption--m">{n} listing{s} not reviewed for 12 months, oldest first</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Service</th><th scope="col" class="govuk-table__header">Organisation</th><th scope="col" class="govuk-table__header">Last reviewed</th><th scope="col" class="govuk-table__header">Actions</th></tr></thead><tbody class="govuk-table__body">{body}</tbody></table>"#,
            n = rows.len(),
            s = if rows.len() == 1 { "" } else { "s" },
        )
    };
    let waiting = waiting(&state).await?;
    let queue = if waiting == 0 {
        "No suggested changes or reported problems are waiting.".to_owned()
    } else {
        format!(
            r#"<a class="govuk-link" href="/staff/directory/review">{waiting} item{s} waiting in the review queue</a>"#,
            s = if waiting == 1 { "" } else { "s" }
        )
    };
    let main = format!(
        r#"{banner}<h1 class="govuk-heading-l">Directory</h1><p class="govuk-body" id="review-count">{queue}</p><a class="govuk-button" href="/staff/directory/services/new">Add a listing</a><form method="get" action="/staff/directory" class="govuk-!-margin-bottom-6"><div class="govuk-form-group"><label class="govuk-label govuk-label--m" for="q">Find a listing to edit</label><div class="govuk-hint" id="q-hint">Words from its name or what it offers, or its id. A listing added in the last few seconds is found by its id until search catches up.</div><input class="govuk-input govuk-!-width-two-thirds" id="q" name="q" type="search" value="{q}" aria-describedby="q-hint"> <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">Find</button></div></form>{found}<h2 class="govuk-heading-l">Listings to review</h2><p class="govuk-body">Check each listing with the provider. Mark it as reviewed when it is right, or archive it if the service has stopped: it then leaves the directory and search straight away.</p>{table}"#,
        banner = saved_banner(&state, query.saved.as_deref()).await?,
        q = esc(&query.q),
        found = found_html(&state, &query.q).await?,
    );
    Ok(html::page(
        StatusCode::OK,
        "Directory",
        Some(staff.header()),
        &main,
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
