//! Creating and editing directory listings, for directory editors:
//! `/staff/directory/services/new` and `/staff/directory/services/{id}/edit`.
//!
//! The form ([`ListingForm`]) is laid over the stored ORUK record and the result goes through
//! `directory::model::validate`, the rules every import meets. Nothing is saved before a
//! preview: "Preview" shows the listing as the service page will read it, then "Save and
//! publish" writes it through `repo::upsert_service`, which queues the search index update in the
//! same transaction. Saving counts as a review (today becomes the listing's review date) and is
//! audited. A listing changed by someone else since the form was opened is not overwritten.
//! Opened from the review queue with `?suggestion=`, the form starts from a provider's
//! suggested wording, and saving marks the suggestion applied. The pages themselves are in
//! [`super::editor_pages`].

use super::editor_pages;
use crate::directory::edit::{self, ListingForm};
use crate::directory::model::{self, Status};
use crate::directory::{oruk, repo};
use crate::staff::roles::may;
use crate::staff::view::{self, form::FieldError};
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{AnyPool, Row};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// What the form offers: organisations and categories.
pub(super) struct Choices {
    pub(super) organisations: Vec<(String, String)>,
    /// Top-level category name → its terms (id, name).
    pub(super) categories: Vec<(String, Vec<(String, String)>)>,
    known_terms: HashMap<Uuid, String>,
}

async fn choices(pool: &AnyPool) -> Result<Choices> {
    let organisations = sqlx::query("SELECT id, name FROM organization ORDER BY name, id")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<std::result::Result<Vec<(String, String)>, sqlx::Error>>()?;
    let terms =
        sqlx::query("SELECT id, name, parent_id FROM taxonomy_term ORDER BY position, code, id")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<std::result::Result<Vec<(String, String, Option<String>)>, sqlx::Error>>()?;
    let mut categories = Vec::new();
    for (id, name, parent) in &terms {
        if parent.is_some() {
            continue;
        }
        let children: Vec<(String, String)> = terms
            .iter()
            .filter(|(_, _, p)| p.as_deref() == Some(id))
            .map(|(i, n, _)| (i.clone(), n.clone()))
            .collect();
        let options = if children.is_empty() {
            vec![(id.clone(), name.clone())]
        } else {
            children
        };
        categories.push((name.clone(), options));
    }
    Ok(Choices {
        organisations,
        categories,
        known_terms: repo::known_terms(pool).await?,
    })
}

/// Where the form posts, and what it carries besides the listing.
#[derive(Clone)]
pub(super) struct Target {
    /// The service's id (new services get theirs when the form first opens).
    pub(super) id: String,
    pub(super) is_new: bool,
    /// The stored record's `last_modified` when the form was opened (edits only).
    pub(super) base_modified: String,
    /// The suggested change the form started from, if any.
    pub(super) suggestion: Option<String>,
}

impl Target {
    pub(super) fn action(&self) -> String {
        if self.is_new {
            "/staff/directory/services/new".to_owned()
        } else {
            format!("/staff/directory/services/{}/edit", self.id)
        }
    }
}

/// The form page; `note` is `Some(times)` when it started from a suggestion.
fn form_page(
    staff: &Staff,
    target: Target,
    listing: ListingForm,
    choices: Choices,
    errors: Vec<FieldError>,
    note: Option<Option<String>>,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = if target.is_new {
        "Add a listing".to_owned()
    } else {
        format!("Edit {}", listing.name)
    };
    let title = if errors.is_empty() {
        title
    } else {
        format!("Error: {title}")
    };
    let csrf = staff.session.csrf.clone();
    view::page(status, &title, Some(staff), move || {
        editor_pages::form(target, csrf, listing, choices, errors, note)
    })
}

/// The stored listing `id`, if it can be edited (archived listings cannot).
async fn editable(pool: &AnyPool, id: &str) -> Result<oruk::Service> {
    if Uuid::parse_str(id).is_err() {
        return Err(StaffError::NotFound);
    }
    match repo::get_service(pool, id).await? {
        Some(s) if Status::parse(&s.status) != Some(Status::Archived) => Ok(s),
        _ => Err(StaffError::NotFound),
    }
}

/// A provider's suggestion, still waiting, for service `id`: (suggestion id, values, note).
async fn open_suggestion(
    pool: &AnyPool,
    suggestion: &str,
    service: &str,
) -> Result<Option<(String, BTreeMap<String, String>)>> {
    let row = sqlx::query(
        "SELECT proposed FROM suggested_change WHERE id = $1 AND service_id = $2 AND status = 'new'",
    )
    .bind(suggestion)
    .bind(service)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let proposed: String = row.try_get(0)?;
    let values: BTreeMap<String, String> = serde_json::from_str(&proposed).unwrap_or_default();
    Ok(Some((suggestion.to_owned(), values)))
}

#[derive(serde::Deserialize)]
pub struct EditQuery {
    suggestion: Option<String>,
}

/// `GET /staff/directory/services/new`.
pub async fn new_page(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require(may::DIRECTORY)?;
    let choices = choices(state.db.pool()).await?;
    let target = Target {
        id: Uuid::new_v4().to_string(),
        is_new: true,
        base_modified: String::new(),
        suggestion: None,
    };
    let listing = ListingForm {
        status: "active".to_owned(),
        referral_route: "self".to_owned(),
        ..ListingForm::default()
    };
    Ok(form_page(
        &staff,
        target,
        listing,
        choices,
        Vec::new(),
        None,
    ))
}

/// `GET /staff/directory/services/{id}/edit` (`?suggestion=` starts from a suggested change).
pub async fn edit_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<EditQuery>,
    staff: Staff,
) -> Result<Response> {
    staff.require(may::DIRECTORY)?;
    let pool = state.db.pool();
    let stored = editable(pool, &id).await?;
    let choices = choices(pool).await?;
    let mut listing = ListingForm::from_service(&stored);
    let mut note = None;
    let mut suggestion = None;
    if let Some(sid) = query.suggestion.as_deref() {
        let (sid, values) = open_suggestion(pool, sid, &id)
            .await?
            .ok_or(StaffError::NotFound)?;
        for (name, value) in &values {
            if edit::TEXT_FIELDS.iter().any(|(n, _)| n == name) {
                listing.set(name, value);
            }
        }
        note = Some(values.get("times").cloned());
        suggestion = Some(sid);
    }
    let target = Target {
        id,
        is_new: false,
        base_modified: stored.last_modified.clone().unwrap_or_default(),
        suggestion,
    };
    Ok(form_page(
        &staff,
        target,
        listing,
        choices,
        Vec::new(),
        note,
    ))
}

/// `POST /staff/directory/services/new`.
pub async fn create(State(state): State<AppState>, form: StaffForm) -> Result<Response> {
    submit(&state, form, None).await
}

/// `POST /staff/directory/services/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    submit(&state, form, Some(id)).await
}

/// The listing as it would be saved, or the problems with the form.
async fn check(
    state: &AppState,
    listing: &ListingForm,
    base: oruk::Service,
    choices: &Choices,
) -> Result<std::result::Result<(oruk::Service, model::ServiceRecord), Vec<FieldError>>> {
    let pool = state.db.pool();
    let clock = &state.staff.clock;
    let today = clock.today().map_err(|_| StaffError::NotFound)?;
    let now = clock.now();
    // The place's map position, when its postcode is new.
    let coordinates = match app::domain::Postcode::parse(&listing.postcode) {
        Ok(postcode) if listing.moves_place(&base) || base.service_at_locations.is_empty() => {
            let mut conn = pool.acquire().await?;
            repo::locate_postcode(&mut conn, &postcode).await?
        }
        _ => None,
    };
    let (service, form_errors) = listing.apply(base, coordinates, &now, &today.to_string());
    let known_organizations: HashSet<Uuid> = repo::known_organizations(pool).await?;
    let ctx = model::Context {
        known_terms: &choices.known_terms,
        known_organizations: &known_organizations,
        today,
        now,
    };
    let mut errors: Vec<FieldError> = form_errors
        .into_iter()
        .map(|e| FieldError::new(e.field, e.message))
        .collect();
    if !matches!(
        Status::parse(&service.status),
        Some(Status::Active | Status::TemporarilyClosed)
    ) {
        errors.push(FieldError::new(
            "status",
            "Say whether the service is running",
        ));
    }
    if listing.cost == "paid" && listing.cost_description.trim().is_empty() {
        errors.push(FieldError::new("cost_description", "Say what it costs"));
    }
    match model::validate(&service, &ctx) {
        Ok(record) if errors.is_empty() => Ok(Ok((service, record))),
        Ok(_) => Ok(Err(errors)),
        Err(problems) => {
            for p in problems {
                let e = edit::locate_error(&p.field, &p.message);
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(FieldError::new(e.field, e.message));
                }
            }
            Ok(Err(errors))
        }
    }
}

async fn submit(state: &AppState, form: StaffForm, existing: Option<String>) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    staff.require(may::DIRECTORY)?;
    let pool = state.db.pool();
    let choices = choices(pool).await?;
    let listing = ListingForm::from_fields(&fields);
    let suggestion = Some(field(&fields, "suggestion"))
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let (base, target) = match existing {
        Some(id) => {
            let stored = editable(pool, &id).await?;
            let target = Target {
                id,
                is_new: false,
                base_modified: field(&fields, "base_modified").to_owned(),
                suggestion,
            };
            (stored, target)
        }
        None => {
            let id = Uuid::parse_str(field(&fields, "service_id"))
                .map_err(|_| StaffError::NotFound)?
                .to_string();
            if repo::get_service(pool, &id).await?.is_some() {
                // Saved already (a second click): open what was saved.
                return Ok(
                    Redirect::to(&format!("/staff/directory/services/{id}/edit")).into_response(),
                );
            }
            let base = oruk::Service {
                id: id.clone(),
                ..oruk::Service::default()
            };
            let target = Target {
                id,
                is_new: true,
                base_modified: String::new(),
                suggestion: None,
            };
            (base, target)
        }
    };
    let action = field(&fields, "action");
    if action == "change" {
        return Ok(form_page(
            &staff,
            target,
            listing,
            choices,
            Vec::new(),
            None,
        ));
    }
    if !target.is_new && base.last_modified.clone().unwrap_or_default() != target.base_modified {
        let errors = vec![FieldError::new(
            "editor",
            "Someone else changed this listing after you opened it. Open it again to see their changes, then make yours.",
        )];
        return Ok(form_page(&staff, target, listing, choices, errors, None));
    }
    let (service, record) = match check(state, &listing, base, &choices).await? {
        Ok(checked) => checked,
        Err(errors) => return Ok(form_page(&staff, target, listing, choices, errors, None)),
    };
    if action != "save" {
        return Ok(preview_page(&staff, target, &listing, service, &choices));
    }
    save(state, &staff, &target, &record).await?;
    Ok(Redirect::to(&format!("/staff/directory?saved={}", target.id)).into_response())
}

async fn save(
    state: &AppState,
    staff: &Staff,
    target: &Target,
    record: &model::ServiceRecord,
) -> Result<()> {
    let now = state.staff.clock.now();
    let mut tx = state.db.pool().begin().await?;
    // The change number first, before any service row (see search::sync::begin_change).
    crate::search::sync::begin_change(&mut tx).await?;
    repo::upsert_service(&mut tx, record).await?;
    repo::delete_orphan_locations(&mut tx).await?;
    if let Some(suggestion) = &target.suggestion {
        sqlx::query(
            "UPDATE suggested_change SET status = 'applied', decided_at = $1, decided_by = $2 \
             WHERE id = $3 AND service_id = $4 AND status = 'new'",
        )
        .bind(&now)
        .bind(&staff.email)
        .bind(suggestion)
        .bind(&target.id)
        .execute(&mut *tx)
        .await?;
    }
    let action = if target.is_new {
        "service_created"
    } else {
        "service_edited"
    };
    let mut e = staff.event(action);
    let subject = format!("service:{}", target.id);
    e.subject = Some(&subject);
    let detail = target
        .suggestion
        .as_ref()
        .map(|s| format!("applied suggested change {s}"));
    e.detail = detail.as_deref();
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(())
}

/// The preview of the listing as it would be saved.
fn preview_page(
    staff: &Staff,
    target: Target,
    listing: &ListingForm,
    mut service: oruk::Service,
    choices: &Choices,
) -> Response {
    // The names the service page shows, which the form holds as ids.
    if service.organization.is_none() {
        let id = service.organization_id.clone().unwrap_or_default();
        let name = choices
            .organisations
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        service.organization = Some(oruk::Organization {
            id,
            name,
            ..oruk::Organization::default()
        });
    }
    for a in &mut service.attributes {
        let name = a
            .taxonomy_term_id
            .as_deref()
            .and_then(|t| Uuid::parse_str(t).ok())
            .and_then(|t| choices.known_terms.get(&t).cloned());
        a.taxonomy_term = name.map(|name| oruk::TaxonomyTerm {
            name,
            ..oruk::TaxonomyTerm::default()
        });
    }
    let m = crate::directory::pages::service_model(service);
    let (csrf, carried) = (staff.session.csrf.clone(), listing.hidden_inputs());
    view::page(
        StatusCode::OK,
        &format!("Preview: {}", listing.name),
        Some(staff),
        move || editor_pages::preview(target, csrf, m, carried),
    )
}
