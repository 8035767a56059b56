//! The directory's review queue (`/staff/directory/review`), for directory editors: providers'
//! suggested changes and the public's "report a problem" items, oldest first, each with a diff
//! of what the listing says now against what was suggested or reported.
//!
//! A suggestion opens in the editor with the suggested wording filled in (saving it there marks it
//! applied) or is rejected with a note. A report is resolved once the listing is put right.
//! Every decision is audited.

use crate::cases::when;
use crate::directory::edit::{self, ListingForm};
use crate::directory::{model, repo};
use crate::staff::html::{self, esc};
use crate::staff::roles::may;
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::startup::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The most items of each kind the page lists.
const PAGE: i64 = 100;

/// A listing as the queue compares it: its wording, and its times and address in plain English.
struct Current {
    name: String,
    listing: ListingForm,
    times: Vec<String>,
    place: Vec<String>,
    status: String,
}

async fn current(pool: &AnyPool, id: &str) -> Result<Option<Current>> {
    let Some(s) = repo::get_service(pool, id).await? else {
        return Ok(None);
    };
    if model::Status::parse(&s.status) == Some(model::Status::Archived) {
        return Ok(None);
    }
    let listing = ListingForm::from_service(&s);
    let status = s.status.clone();
    let name = s.name.clone();
    let m = crate::directory::pages::service_model(s);
    Ok(Some(Current {
        name,
        listing,
        times: m.schedules.into_iter().map(|l| l.summary).collect(),
        place: m
            .places
            .into_iter()
            .flat_map(|p| p.name.into_iter().chain(p.address_lines))
            .collect(),
        status,
    }))
}

fn diff_table(caption: &str, rows: &[(String, String, String)], right: &str) -> String {
    let mut body = String::new();
    for (field, now, new) in rows {
        let _ = write!(
            body,
            r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th><td class="govuk-table__cell"><del class="signpost-diff-old">{}</del></td><td class="govuk-table__cell"><ins class="signpost-diff-new">{}</ins></td></tr>"#,
            esc(field),
            if now.is_empty() {
                "(empty)".to_owned()
            } else {
                esc(now)
            },
            if new.is_empty() {
                "(empty)".to_owned()
            } else {
                esc(new)
            },
        );
    }
    format!(
        r#"<table class="govuk-table signpost-diff"><caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Field</th><th scope="col" class="govuk-table__header">The listing says now</th><th scope="col" class="govuk-table__header">{right}</th></tr></thead><tbody class="govuk-table__body">{body}</tbody></table>"#,
        caption = esc(caption),
        right = esc(right),
    )
}

/// The suggested values that differ from the listing: (label, now, suggested).
pub fn suggestion_diff(
    now: &ListingForm,
    times_now: &[String],
    proposed: &BTreeMap<String, String>,
) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for (name, label) in edit::TEXT_FIELDS {
        let Some(new) = proposed.get(*name) else {
            continue;
        };
        let old = now.text(name).unwrap_or_default();
        if old.trim() != new.trim() {
            rows.push(((*label).to_owned(), old.to_owned(), new.clone()));
        }
    }
    if let Some(times) = proposed.get("times").filter(|t| !t.trim().is_empty()) {
        rows.push((
            "When it runs".to_owned(),
            times_now.join("; "),
            times.clone(),
        ));
    }
    rows
}

/// What a report of this kind of problem is about, as the listing says it now.
fn reported_part(problem: &str, c: &Current) -> (&'static str, String) {
    let l = &c.listing;
    match problem {
        "contact" => (
            "Contact details",
            [&l.phone, &l.email, &l.website]
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        "times" => ("When it runs", c.times.join("; ")),
        "place" => ("Where", c.place.join(", ")),
        "closed" => ("Status", c.status.clone()),
        _ => ("Summary", l.summary.clone()),
    }
}

async fn suggestions_html(pool: &AnyPool, staff: &Staff) -> Result<(usize, String)> {
    let rows = sqlx::query(
        "SELECT id, reference, service_id, proposed, suggester_name, suggester_organisation, \
         suggester_email, created_at FROM suggested_change WHERE status = 'new' \
         ORDER BY created_at, id LIMIT $1",
    )
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    let mut out = String::new();
    for r in &rows {
        let id: String = r.try_get(0)?;
        let reference: String = r.try_get(1)?;
        let service_id: String = r.try_get(2)?;
        let proposed: String = r.try_get(3)?;
        let proposed: BTreeMap<String, String> =
            serde_json::from_str(&proposed).unwrap_or_default();
        let who = format!(
            "{} ({}), {}",
            r.try_get::<String, _>(4)?,
            r.try_get::<String, _>(5)?,
            r.try_get::<String, _>(6)?
        );
        let received = when(&r.try_get::<String, _>(7)?);
        let (title, diff, open) = match current(pool, &service_id).await? {
            Some(c) => {
                let rows = suggestion_diff(&c.listing, &c.times, &proposed);
                let diff = if rows.is_empty() {
                    r#"<p class="govuk-body">The listing already says everything suggested.</p>"#
                        .to_owned()
                } else {
                    diff_table("What would change", &rows, "Suggested")
                };
                let open = format!(
                    r#"<a class="govuk-button govuk-!-margin-bottom-2" href="/staff/directory/services/{sid}/edit?suggestion={id}">Open in the editor<span class="govuk-visually-hidden">: {reference}</span></a>"#,
                    sid = esc(&service_id),
                    id = esc(&id),
                    reference = esc(&reference),
                );
                (c.name, diff, open)
            }
            None => (
                "A listing no longer in the directory".to_owned(),
                r#"<p class="govuk-body">The listing has been archived or removed.</p>"#.to_owned(),
                String::new(),
            ),
        };
        let _ = write!(
            out,
            r#"<div class="govuk-summary-card" id="suggestion-{reference_id}"><div class="govuk-summary-card__title-wrapper"><h3 class="govuk-summary-card__title">{title}: suggested change {reference}</h3></div><div class="govuk-summary-card__content"><p class="govuk-body-s">Received {received} from {who}. Check the change with them if anything is unclear.</p>{diff}{open}<form method="post" action="/staff/directory/review/suggestions/{id}/reject">{csrf}<div class="govuk-form-group"><label class="govuk-label" for="note-{id}">Why it is not being made (optional)</label><input class="govuk-input" id="note-{id}" name="note" type="text"></div><button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">Reject<span class="govuk-visually-hidden"> suggested change {reference}</span></button></form></div></div>"#,
            reference_id = esc(&reference),
            title = esc(&title),
            reference = esc(&reference),
            who = esc(&who),
            id = esc(&id),
            csrf = html::csrf_field(&staff.session.csrf),
        );
    }
    Ok((rows.len(), out))
}

async fn reports_html(pool: &AnyPool, staff: &Staff) -> Result<(usize, String)> {
    let rows = sqlx::query(
        "SELECT id, reference, service_id, problem, details, created_at FROM listing_report \
         WHERE status = 'new' ORDER BY created_at, id LIMIT $1",
    )
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    let mut out = String::new();
    for r in &rows {
        let id: String = r.try_get(0)?;
        let reference: String = r.try_get(1)?;
        let service_id: String = r.try_get(2)?;
        let problem: String = r.try_get(3)?;
        let details: String = r.try_get(4)?;
        let received = when(&r.try_get::<String, _>(5)?);
        let label = app::pages::report::problem_label(&problem).unwrap_or("Something else");
        let (title, diff, edit) = match current(pool, &service_id).await? {
            Some(c) => {
                let (part, now) = reported_part(&problem, &c);
                let diff = diff_table(
                    label,
                    &[(part.to_owned(), now, details.clone())],
                    "The report says",
                );
                let edit = format!(
                    r#"<a class="govuk-button govuk-button--secondary govuk-!-margin-bottom-2" href="/staff/directory/services/{sid}/edit">Edit the listing<span class="govuk-visually-hidden">: {reference}</span></a>"#,
                    sid = esc(&service_id),
                    reference = esc(&reference),
                );
                (c.name, diff, edit)
            }
            None => (
                "A listing no longer in the directory".to_owned(),
                format!(
                    r#"<p class="govuk-body">{}</p><p class="govuk-body">The listing has been archived or removed.</p>"#,
                    esc(&details)
                ),
                String::new(),
            ),
        };
        let _ = write!(
            out,
            r#"<div class="govuk-summary-card" id="report-{reference_id}"><div class="govuk-summary-card__title-wrapper"><h3 class="govuk-summary-card__title">{title}: report {reference}</h3></div><div class="govuk-summary-card__content"><p class="govuk-body-s">Received {received}. The person who reported it left no contact details.</p>{diff}{edit}<form method="post" action="/staff/directory/review/reports/{id}/resolve">{csrf}<button type="submit" class="govuk-button govuk-!-margin-bottom-0">Mark as resolved<span class="govuk-visually-hidden">: report {reference}</span></button></form></div></div>"#,
            reference_id = esc(&reference),
            title = esc(&title),
            reference = esc(&reference),
            id = esc(&id),
            csrf = html::csrf_field(&staff.session.csrf),
        );
    }
    Ok((rows.len(), out))
}

/// `GET /staff/directory/review`.
pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require(may::DIRECTORY)?;
    let pool = state.db.pool();
    let (n_suggestions, suggestions) = suggestions_html(pool, &staff).await?;
    let (n_reports, reports) = reports_html(pool, &staff).await?;
    let section = |id: &str, heading: &str, n: usize, items: String, empty: &str| {
        if n == 0 {
            format!(
                r#"<h2 class="govuk-heading-m" id="{id}">{heading}</h2><p class="govuk-body">{empty}</p>"#
            )
        } else {
            format!(r#"<h2 class="govuk-heading-m" id="{id}">{heading} ({n})</h2>{items}"#)
        }
    };
    let main = format!(
        r#"<h1 class="govuk-heading-l">Review queue</h1><p class="govuk-body">Oldest first. Nothing here changes the directory until you save a listing in the editor.</p>{}{}"#,
        section(
            "suggestions",
            "Changes suggested by providers",
            n_suggestions,
            suggestions,
            "No suggested changes are waiting."
        ),
        section(
            "reports",
            "Problems reported by the public",
            n_reports,
            reports,
            "No reported problems are waiting."
        ),
    );
    Ok(html::page(
        StatusCode::OK,
        "Review queue",
        Some(staff.header()),
        &main,
    ))
}

/// `POST /staff/directory/review/suggestions/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = &form.staff;
    staff.require(may::DIRECTORY)?;
    let note: String = field(&form.fields, "note")
        .trim()
        .chars()
        .take(1000)
        .collect();
    let now = state.staff.clock.now();
    let mut tx = state.db.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE suggested_change SET status = 'rejected', decided_at = $1, decided_by = $2, \
         decision_note = $3 WHERE id = $4 AND status = 'new'",
    )
    .bind(&now)
    .bind(&staff.email)
    .bind(&note)
    .bind(&id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StaffError::NotFound);
    }
    let mut e = staff.event("suggestion_rejected");
    let subject = format!("suggested_change:{id}");
    e.subject = Some(&subject);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/directory/review").into_response())
}

/// `POST /staff/directory/review/reports/{id}/resolve`.
pub async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = &form.staff;
    staff.require(may::DIRECTORY)?;
    let now = state.staff.clock.now();
    let mut tx = state.db.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE listing_report SET status = 'resolved', resolved_at = $1, resolved_by = $2 \
         WHERE id = $3 AND status = 'new'",
    )
    .bind(&now)
    .bind(&staff.email)
    .bind(&id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StaffError::NotFound);
    }
    let mut e = staff.event("report_resolved");
    let subject = format!("listing_report:{id}");
    e.subject = Some(&subject);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/directory/review").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_shows_only_what_would_change() {
        let now = ListingForm {
            name: "Little Acorns".into(),
            phone: "01632 960 001".into(),
            ..ListingForm::default()
        };
        let proposed: BTreeMap<String, String> = [
            ("name", "Little Acorns"),
            ("phone", "01632 960 999"),
            ("times", "Now on Tuesdays"),
            ("not_a_field", "ignored"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let rows = suggestion_diff(&now, &["Mondays, 9:30am to 11:30am".into()], &proposed);
        assert_eq!(
            rows,
            vec![
                (
                    "Phone number".to_owned(),
                    "01632 960 001".to_owned(),
                    "01632 960 999".to_owned()
                ),
                (
                    "When it runs".to_owned(),
                    "Mondays, 9:30am to 11:30am".to_owned(),
                    "Now on Tuesdays".to_owned()
                ),
            ]
        );
    }
}
