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
//! suggested wording, and saving marks the suggestion applied.

use crate::directory::edit::{self, ListingForm, ScheduleRow, MAX_SCHEDULES};
use crate::directory::model::{self, Status};
use crate::directory::{oruk, repo};
use crate::staff::html::{self, esc, FieldError};
use crate::staff::roles::may;
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::startup::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{AnyPool, Row};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use uuid::Uuid;

/// What the form offers: organisations and categories.
struct Choices {
    organisations: Vec<(String, String)>,
    /// Top-level category name → its terms (id, name).
    categories: Vec<(String, Vec<(String, String)>)>,
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
struct Target {
    /// The service's id (new services get theirs when the form first opens).
    id: String,
    is_new: bool,
    /// The stored record's `last_modified` when the form was opened (edits only).
    base_modified: String,
    /// The suggested change the form started from, if any.
    suggestion: Option<String>,
}

impl Target {
    fn action(&self) -> String {
        if self.is_new {
            "/staff/directory/services/new".to_owned()
        } else {
            format!("/staff/directory/services/{}/edit", self.id)
        }
    }

    fn hidden(&self, csrf: &str) -> String {
        let mut out = html::csrf_field(csrf);
        let _ = write!(
            out,
            r#"<input type="hidden" name="service_id" value="{}"><input type="hidden" name="base_modified" value="{}">"#,
            esc(&self.id),
            esc(&self.base_modified)
        );
        if let Some(s) = &self.suggestion {
            let _ = write!(
                out,
                r#"<input type="hidden" name="suggestion" value="{}">"#,
                esc(s)
            );
        }
        out
    }
}

fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    chosen: &str,
    errors: &[FieldError],
) -> String {
    let (error, class) = html::field_error(errors, name);
    let mut items = String::from(r#"<option value="">Choose</option>"#);
    for (value, text) in options {
        let _ = write!(
            items,
            r#"<option value="{}"{}>{}</option>"#,
            esc(value),
            if value == chosen { " selected" } else { "" },
            esc(text)
        );
    }
    format!(
        r#"<div class="govuk-form-group{class}"><label class="govuk-label govuk-label--s" for="{name}">{label}</label>{error}<select class="govuk-select" id="{name}" name="{name}">{items}</select></div>"#,
        label = esc(label)
    )
}

fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

fn categories_html(choices: &Choices, chosen: &[String], errors: &[FieldError]) -> String {
    let (error, class) = html::field_error(errors, "categories");
    let mut groups = String::new();
    let mut n = 0;
    for (group, terms) in &choices.categories {
        let mut items = String::new();
        for (id, name) in terms {
            let input_id = if n == 0 {
                "categories".to_owned()
            } else {
                format!("categories-{n}")
            };
            n += 1;
            let _ = write!(
                items,
                r#"<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{input_id}" name="categories" type="checkbox" value="{v}"{checked}><label class="govuk-label govuk-checkboxes__label" for="{input_id}">{l}</label></div>"#,
                v = esc(id),
                l = esc(name),
                checked = if chosen.contains(id) { " checked" } else { "" },
            );
        }
        let _ = write!(
            groups,
            r#"<fieldset class="govuk-fieldset govuk-!-margin-bottom-4"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend><div class="govuk-checkboxes govuk-checkboxes--small">{items}</div></fieldset>"#,
            esc(group)
        );
    }
    format!(
        r#"<div class="govuk-form-group{class}"><h2 class="govuk-heading-m">Categories</h2><p class="govuk-hint">Tick every category a family might look under.</p>{error}{groups}</div>"#
    )
}

fn schedule_html(i: usize, row: &ScheduleRow, errors: &[FieldError]) -> String {
    let days_id = format!("schedule-{i}-days");
    let (error, class) = html::field_error(errors, &days_id);
    let freq = |value: &str, label: &str| {
        let chosen =
            row.freq.eq_ignore_ascii_case(value) || (row.freq.is_empty() && value == "WEEKLY");
        format!(
            r#"<option value="{value}"{}>{label}</option>"#,
            if chosen { " selected" } else { "" }
        )
    };
    let mut seasons = String::new();
    for (value, label) in [
        ("all_year", "All year"),
        ("term_time", "Term time only"),
        ("school_holidays", "School holidays only"),
    ] {
        let chosen = row.season.eq_ignore_ascii_case(value)
            || (row.season.is_empty() && value == "all_year");
        let _ = write!(
            seasons,
            r#"<option value="{value}"{}>{label}</option>"#,
            if chosen { " selected" } else { "" }
        );
    }
    let blank = if row.is_blank() {
        " Leave it empty if there are no more times."
    } else {
        ""
    };
    format!(
        r#"<fieldset class="govuk-fieldset govuk-!-margin-bottom-6"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Time {n}</legend><div class="govuk-form-group{class}"><label class="govuk-label" for="{days_id}">Days</label><div class="govuk-hint" id="{days_id}-hint">Two letters a day, separated by commas: MO,WE. For a monthly session, the week first: 1TU is the first Tuesday, -1FR the last Friday.{blank}</div>{error}<input class="govuk-input govuk-input--width-10" id="{days_id}" name="{days_id}" type="text" value="{days}" aria-describedby="{days_id}-hint"></div><div class="govuk-form-group"><label class="govuk-label" for="schedule-{i}-freq">How often</label><select class="govuk-select" id="schedule-{i}-freq" name="schedule-{i}-freq">{weekly}{monthly}</select></div><div class="govuk-form-group"><label class="govuk-label" for="schedule-{i}-opens">Starts (24-hour clock, like 09:30)</label><input class="govuk-input govuk-input--width-5" id="schedule-{i}-opens" name="schedule-{i}-opens" type="text" value="{opens}"></div><div class="govuk-form-group"><label class="govuk-label" for="schedule-{i}-closes">Ends</label><input class="govuk-input govuk-input--width-5" id="schedule-{i}-closes" name="schedule-{i}-closes" type="text" value="{closes}"></div><div class="govuk-form-group"><label class="govuk-label" for="schedule-{i}-season">When in the year</label><select class="govuk-select" id="schedule-{i}-season" name="schedule-{i}-season">{seasons}</select></div><div class="govuk-form-group"><label class="govuk-label" for="schedule-{i}-description">Anything else about this time (optional)</label><input class="govuk-input" id="schedule-{i}-description" name="schedule-{i}-description" type="text" value="{description}"></div></fieldset>"#,
        n = i + 1,
        days = esc(&row.days),
        weekly = freq("WEEKLY", "Every week"),
        monthly = freq("MONTHLY", "Every month"),
        opens = esc(&row.opens_at),
        closes = esc(&row.closes_at),
        description = esc(&row.description),
    )
}

/// The form's rows of times: those typed, and one spare (up to the most the form shows).
fn schedule_rows(listing: &ListingForm) -> Vec<ScheduleRow> {
    let mut rows: Vec<ScheduleRow> = listing
        .schedules
        .iter()
        .filter(|r| !r.is_blank())
        .cloned()
        .collect();
    if rows.len() < MAX_SCHEDULES {
        rows.push(ScheduleRow::default());
    }
    rows
}

fn form_html(
    staff: &Staff,
    target: &Target,
    listing: &ListingForm,
    choices: &Choices,
    errors: &[FieldError],
    note: &str,
) -> String {
    let f = |name: &str, label: &str, hint: &str, width: &str, rows: u8| {
        html::field(
            errors,
            name,
            label,
            hint,
            listing.text(name).unwrap_or_default(),
            width,
            rows,
        )
    };
    let mut times = String::new();
    for (i, row) in schedule_rows(listing).iter().enumerate() {
        times.push_str(&schedule_html(i, row, errors));
    }
    let heading = if target.is_new {
        "Add a listing".to_owned()
    } else {
        format!("Edit {}", esc(&listing.name))
    };
    format!(
        r#"<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">{summary}<h1 class="govuk-heading-l">{heading}</h1>{note}<form method="post" action="{action}" id="editor" novalidate>{hidden}{name}<h2 class="govuk-heading-m">Organisation</h2>{organisation}<details class="govuk-details"{org_open}><summary class="govuk-details__summary"><span class="govuk-details__summary-text">The organisation is not in the list</span></summary><div class="govuk-details__text">{new_org}{new_org_description}</div></details><h2 class="govuk-heading-m">What it is</h2>{summary_field}{description}{categories}<h2 class="govuk-heading-m">Who it is for</h2>{min_age}{max_age}{eligibility}<h2 class="govuk-heading-m">How to get it</h2>{route}{delivery}{status}<h2 class="govuk-heading-m">Where</h2><p class="govuk-hint">The main place it runs. Leave the address empty for a service that is only online or by phone. Other places are kept as they are.</p>{place_name}{address_1}{address_2}{city}{postcode}<div class="govuk-form-group"><div class="govuk-checkboxes govuk-checkboxes--small"><div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="wheelchair_accessible" name="wheelchair_accessible" type="checkbox" value="yes"{wheelchair}><label class="govuk-label govuk-checkboxes__label" for="wheelchair_accessible">The place is wheelchair accessible</label></div></div></div><h2 class="govuk-heading-m">Contact</h2>{phone}{email}{website}<h2 class="govuk-heading-m">Cost</h2>{cost}{cost_description}<h2 class="govuk-heading-m">When it runs</h2>{times}<div class="govuk-button-group"><button type="submit" class="govuk-button" name="action" value="preview">Preview</button><a class="govuk-link" href="/staff/directory">Cancel</a></div></form></div></div>"#,
        summary = html::error_summary(errors),
        // Open when it holds something, so that a value or an error in it is never hidden.
        org_open = if !listing.new_organization.trim().is_empty()
            || !listing.new_organization_description.trim().is_empty()
            || errors.iter().any(|e| e.field.starts_with("new_organization"))
        {
            " open"
        } else {
            ""
        },
        action = target.action(),
        hidden = target.hidden(&staff.session.csrf),
        name = f("name", "Name of the service", "", "", 0),
        organisation = select(
            "organization_id",
            "Organisation that runs it",
            &choices.organisations,
            &listing.organization_id,
            errors
        ),
        new_org = f("new_organization", "New organisation's name", "", "", 0),
        new_org_description = f(
            "new_organization_description",
            "What the new organisation does",
            "",
            "",
            3
        ),
        summary_field = f(
            "summary",
            "Summary",
            "One or two sentences for the search results: at most 300 characters. Left empty, the description's first sentence is used.",
            "",
            2
        ),
        description = f(
            "description",
            "Description",
            "What happens there, in plain English.",
            "",
            8
        ),
        categories = categories_html(choices, &listing.categories, errors),
        min_age = f(
            "minimum_age",
            "Youngest age (optional)",
            "In whole years, from 0 to 25.",
            "govuk-input--width-2",
            0
        ),
        max_age = f(
            "maximum_age",
            "Oldest age (optional)",
            "",
            "govuk-input--width-2",
            0
        ),
        eligibility = f(
            "eligibility",
            "Who can use it (optional)",
            "For example: families living in Brackenshire with a child under 5.",
            "",
            3
        ),
        route = html::radios(
            "referral_route",
            "How families get it",
            &options(&[
                ("self", "They contact the service themselves"),
                ("professional", "A professional refers them"),
                ("drop_in", "They drop in"),
            ]),
            &listing.referral_route,
            errors
        ),
        delivery = html::checkboxes(
            "delivery",
            "How it is delivered",
            "Tick all that apply.",
            &options(&[
                ("in_person", "In person"),
                ("online", "Online"),
                ("telephone", "By phone"),
            ]),
            &listing.delivery,
            errors
        ),
        status = html::radios(
            "status",
            "Is it running?",
            &options(&[
                ("active", "Yes, it is running"),
                ("temporarily closed", "It is closed for now"),
            ]),
            &listing.status,
            errors
        ),
        place_name = f("place_name", "Name of the place (optional)", "", "", 0),
        address_1 = f("address_1", "Address line 1", "", "", 0),
        address_2 = f("address_2", "Address line 2 (optional)", "", "", 0),
        city = f("city", "Town or city", "", "govuk-!-width-two-thirds", 0),
        postcode = f("postcode", "Postcode", "", "govuk-input--width-10", 0),
        wheelchair = if listing.wheelchair_accessible {
            " checked"
        } else {
            ""
        },
        phone = f("phone", "Phone number (optional)", "", "govuk-input--width-20", 0),
        email = f("email", "Email address (optional)", "", "", 0),
        website = f(
            "website",
            "Website (optional)",
            "Starting with https://",
            "",
            0
        ),
        cost = html::radios(
            "cost",
            "Does it cost anything?",
            &options(&[
                ("free", "It is free"),
                ("paid", "There is a charge"),
                ("", "Not known"),
            ]),
            &listing.cost,
            errors
        ),
        cost_description = f(
            "cost_description",
            "What it costs (optional)",
            "For example: £3 a session, first session free.",
            "",
            0
        ),
    )
}

fn form_page(
    staff: &Staff,
    target: &Target,
    listing: &ListingForm,
    choices: &Choices,
    errors: &[FieldError],
    note: &str,
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
    html::page(
        status,
        &title,
        Some(staff.header()),
        &form_html(staff, target, listing, choices, errors, note),
    )
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

/// The note above a form started from a suggestion: what the provider said about times (which
/// the editor turns into rows) and that the rest is already filled in.
fn suggestion_note(values: &BTreeMap<String, String>) -> String {
    let times = values
        .get("times")
        .map(|t| {
            format!(
                r#"<p class="govuk-body">About the times, they said: <strong>{}</strong>. Change the times below to match.</p>"#,
                esc(t)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<div class="govuk-inset-text" id="suggestion-note"><p class="govuk-body">This form is filled in with the provider's suggested wording. Check it, then preview and save.</p>{times}</div>"#
    )
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
    Ok(form_page(&staff, &target, &listing, &choices, &[], ""))
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
    let mut note = String::new();
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
        note = suggestion_note(&values);
        suggestion = Some(sid);
    }
    let target = Target {
        id,
        is_new: false,
        base_modified: stored.last_modified.clone().unwrap_or_default(),
        suggestion,
    };
    Ok(form_page(&staff, &target, &listing, &choices, &[], &note))
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
        .map(|e| FieldError {
            field: e.field,
            message: e.message,
        })
        .collect();
    if !matches!(
        Status::parse(&service.status),
        Some(Status::Active | Status::TemporarilyClosed)
    ) {
        errors.push(FieldError {
            field: "status".into(),
            message: "Say whether the service is running".into(),
        });
    }
    if listing.cost == "paid" && listing.cost_description.trim().is_empty() {
        errors.push(FieldError {
            field: "cost_description".into(),
            message: "Say what it costs".into(),
        });
    }
    match model::validate(&service, &ctx) {
        Ok(record) if errors.is_empty() => Ok(Ok((service, record))),
        Ok(_) => Ok(Err(errors)),
        Err(problems) => {
            for p in problems {
                let e = edit::locate_error(&p.field, &p.message);
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(FieldError {
                        field: e.field,
                        message: e.message,
                    });
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
        return Ok(form_page(&staff, &target, &listing, &choices, &[], ""));
    }
    if !target.is_new && base.last_modified.clone().unwrap_or_default() != target.base_modified {
        let errors = [FieldError {
            field: "editor".into(),
            message: "Someone else changed this listing after you opened it. Open it again to see their changes, then make yours.".into(),
        }];
        return Ok(form_page(&staff, &target, &listing, &choices, &errors, ""));
    }
    let (service, record) = match check(state, &listing, base, &choices).await? {
        Ok(checked) => checked,
        Err(errors) => return Ok(form_page(&staff, &target, &listing, &choices, &errors, "")),
    };
    if action != "save" {
        return Ok(preview_page(&staff, &target, &listing, service, &choices));
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

fn row(key: &str, value: &str) -> String {
    format!(
        r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt><dd class="govuk-summary-list__value">{value}</dd></div>"#,
        esc(key)
    )
}

fn lines(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!(r#"<span class="signpost-block">{}</span>"#, esc(i)))
        .collect()
}

fn preview_page(
    staff: &Staff,
    target: &Target,
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
    let mut list = String::new();
    list += &row("Name", &esc(&m.name));
    list += &row(
        "Organisation",
        &esc(m.organisation.as_deref().unwrap_or("")),
    );
    list += &row("Summary", &esc(m.summary.as_deref().unwrap_or("")));
    list += &row("Description", &esc(m.description.as_deref().unwrap_or("")));
    list += &row("Categories", &lines(&m.categories));
    if let Some(note) = &m.status_note {
        list += &row("Status", &esc(note));
    }
    list += &row("Ages", &esc(&m.ages));
    if let Some(e) = &m.eligibility {
        list += &row("Who can use it", &esc(e));
    }
    let when: Vec<String> = m
        .schedules
        .iter()
        .map(|s| {
            [
                Some(s.summary.clone()),
                s.dates.clone(),
                s.description.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(". ")
        })
        .collect();
    list += &row(
        "When",
        &if when.is_empty() {
            "Contact the service to find out when it runs".to_owned()
        } else {
            lines(&when)
        },
    );
    for p in &m.places {
        let mut place: Vec<String> = p.name.iter().cloned().collect();
        place.extend(p.address_lines.iter().cloned());
        if p.wheelchair_accessible {
            place.push("Wheelchair accessible".to_owned());
        }
        if p.map_href.is_none() {
            place.push("(No map position: the postcode is not one we know)".to_owned());
        }
        list += &row("Where", &lines(&place));
    }
    list += &row("How it is delivered", &esc(&m.modes));
    list += &row("Cost", &lines(&m.costs));
    list += &row("How to get it", &esc(&m.access));
    let mut contact: Vec<String> = m
        .contacts
        .iter()
        .flat_map(|c| c.phones.iter().map(|p| p.display.clone()))
        .collect();
    contact.extend(m.email.iter().cloned());
    contact.extend(m.website.iter().cloned());
    list += &row("Contact", &lines(&contact));
    let main = format!(
        r#"<span class="govuk-caption-l">Preview</span><h1 class="govuk-heading-l">Check the listing before you publish it</h1><p class="govuk-body">This is how the service page will read. Saving also records today as the date the listing was last checked.</p><dl class="govuk-summary-list" id="preview">{list}</dl><form method="post" action="{action}">{hidden}{carried}<div class="govuk-button-group"><button type="submit" class="govuk-button" name="action" value="save">Save and publish</button><button type="submit" class="govuk-button govuk-button--secondary" name="action" value="change">Change the listing</button></div></form>"#,
        action = target.action(),
        hidden = target.hidden(&staff.session.csrf),
        carried = listing.hidden_inputs(),
    );
    html::page(
        StatusCode::OK,
        &format!("Preview: {}", listing.name),
        Some(staff.header()),
        &main,
    )
}
