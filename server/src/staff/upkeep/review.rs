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
use crate::staff::roles::may;
use crate::staff::view::{self, Csrf};
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

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

fn empty_shown(text: String) -> String {
    if text.is_empty() {
        "(empty)".to_owned()
    } else {
        text
    }
}

/// A table of what the listing says now against what was suggested or reported: rows of
/// (field, now, new).
fn diff_table(
    caption: String,
    rows: Vec<(String, String, String)>,
    right: &'static str,
) -> impl IntoView {
    view! {
        <table class="govuk-table signpost-diff">
            <caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Field"</th>
                    <th scope="col" class="govuk-table__header">"The listing says now"</th>
                    <th scope="col" class="govuk-table__header">{right}</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {rows
                    .into_iter()
                    .map(|(field, now, new)| {
                        view! {
                            <tr class="govuk-table__row">
                                <th scope="row" class="govuk-table__header">{field}</th>
                                <td class="govuk-table__cell">
                                    <del class="signpost-diff-old">{empty_shown(now)}</del>
                                </td>
                                <td class="govuk-table__cell">
                                    <ins class="signpost-diff-new">{empty_shown(new)}</ins>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
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

/// A waiting suggestion, as its card shows it.
struct Suggestion {
    id: String,
    reference: String,
    received: String,
    /// "name (organisation), email".
    who: String,
    /// The listing, None when it is no longer listed.
    listing: Option<Suggested>,
}

/// A suggestion's listing: its name, what would change (field, now, suggested) and its id.
struct Suggested {
    name: String,
    rows: Vec<(String, String, String)>,
    service_id: String,
}

async fn suggestions(pool: &AnyPool) -> Result<Vec<Suggestion>> {
    let rows = sqlx::query(
        "SELECT id, reference, service_id, proposed, suggester_name, suggester_organisation, \
         suggester_email, created_at FROM suggested_change WHERE status = 'new' \
         ORDER BY created_at, id LIMIT $1",
    )
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let service_id: String = r.try_get(2)?;
        let proposed: String = r.try_get(3)?;
        let proposed: BTreeMap<String, String> =
            serde_json::from_str(&proposed).unwrap_or_default();
        let listing = current(pool, &service_id).await?.map(|c| {
            let rows = suggestion_diff(&c.listing, &c.times, &proposed);
            Suggested {
                name: c.name,
                rows,
                service_id,
            }
        });
        out.push(Suggestion {
            id: r.try_get(0)?,
            reference: r.try_get(1)?,
            received: when(&r.try_get::<String, _>(7)?),
            who: format!(
                "{} ({}), {}",
                r.try_get::<String, _>(4)?,
                r.try_get::<String, _>(5)?,
                r.try_get::<String, _>(6)?
            ),
            listing,
        });
    }
    Ok(out)
}

fn suggestion_card(s: Suggestion, csrf: &str) -> impl IntoView {
    let Suggestion {
        id,
        reference,
        received,
        who,
        listing,
    } = s;
    let (title, body) = match listing {
        Some(Suggested {
            name,
            rows,
            service_id,
        }) => {
            let diff = if rows.is_empty() {
                view! {
                    <p class="govuk-body">"The listing already says everything suggested."</p>
                }
                .into_any()
            } else {
                diff_table("What would change".to_owned(), rows, "Suggested").into_any()
            };
            let open = view! {
                <a
                    class="govuk-button govuk-!-margin-bottom-2"
                    href=format!("/staff/directory/services/{service_id}/edit?suggestion={id}")
                >
                    "Open in the editor"
                    <span class="govuk-visually-hidden">{format!(": {reference}")}</span>
                </a>
            };
            (name, view! { {diff}{open} }.into_any())
        }
        None => (
            "A listing no longer in the directory".to_owned(),
            view! { <p class="govuk-body">"The listing has been archived or removed."</p> }
                .into_any(),
        ),
    };
    let note = format!("note-{id}");
    view! {
        <div class="govuk-summary-card" id=format!("suggestion-{reference}")>
            <div class="govuk-summary-card__title-wrapper">
                <h3 class="govuk-summary-card__title">
                    {format!("{title}: suggested change {reference}")}
                </h3>
            </div>
            <div class="govuk-summary-card__content">
                <p class="govuk-body-s">
                    {format!(
                        "Received {received} from {who}. Check the change with them if anything is unclear.",
                    )}
                </p>
                {body}
                <form method="post" action=format!("/staff/directory/review/suggestions/{id}/reject")>
                    <Csrf token=csrf.to_owned()/>
                    <div class="govuk-form-group">
                        <label class="govuk-label" for=note.clone()>
                            "Why it is not being made (optional)"
                        </label>
                        <input class="govuk-input" id=note name="note" type="text"/>
                    </div>
                    <button
                        type="submit"
                        class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                    >
                        "Reject"
                        <span class="govuk-visually-hidden">
                            {format!(" suggested change {reference}")}
                        </span>
                    </button>
                </form>
            </div>
        </div>
    }
}

/// A waiting report, as its card shows it.
struct Report {
    id: String,
    reference: String,
    received: String,
    /// The kind of problem.
    label: &'static str,
    details: String,
    /// The listing's name, the part reported, what it says now and its id; None when it is no
    /// longer listed.
    listing: Option<(String, &'static str, String, String)>,
}

async fn reports(pool: &AnyPool) -> Result<Vec<Report>> {
    let rows = sqlx::query(
        "SELECT id, reference, service_id, problem, details, created_at FROM listing_report \
         WHERE status = 'new' ORDER BY created_at, id LIMIT $1",
    )
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let service_id: String = r.try_get(2)?;
        let problem: String = r.try_get(3)?;
        let listing = current(pool, &service_id).await?.map(|c| {
            let (part, now) = reported_part(&problem, &c);
            (c.name, part, now, service_id)
        });
        out.push(Report {
            id: r.try_get(0)?,
            reference: r.try_get(1)?,
            received: when(&r.try_get::<String, _>(5)?),
            label: app::pages::report::problem_label(&problem).unwrap_or("Something else"),
            details: r.try_get(4)?,
            listing,
        });
    }
    Ok(out)
}

fn report_card(r: Report, csrf: &str) -> impl IntoView {
    let Report {
        id,
        reference,
        received,
        label,
        details,
        listing,
    } = r;
    let (title, body) = match listing {
        Some((name, part, now, service_id)) => {
            let diff = diff_table(
                label.to_owned(),
                vec![(part.to_owned(), now, details)],
                "The report says",
            );
            let edit = view! {
                <a
                    class="govuk-button govuk-button--secondary govuk-!-margin-bottom-2"
                    href=format!("/staff/directory/services/{service_id}/edit")
                >
                    "Edit the listing"
                    <span class="govuk-visually-hidden">{format!(": {reference}")}</span>
                </a>
            };
            (name, view! { {diff}{edit} }.into_any())
        }
        None => (
            "A listing no longer in the directory".to_owned(),
            view! {
                <p class="govuk-body">{details}</p>
                <p class="govuk-body">"The listing has been archived or removed."</p>
            }
            .into_any(),
        ),
    };
    view! {
        <div class="govuk-summary-card" id=format!("report-{reference}")>
            <div class="govuk-summary-card__title-wrapper">
                <h3 class="govuk-summary-card__title">{format!("{title}: report {reference}")}</h3>
            </div>
            <div class="govuk-summary-card__content">
                <p class="govuk-body-s">
                    {format!(
                        "Received {received}. The person who reported it left no contact details.",
                    )}
                </p>
                {body}
                <form method="post" action=format!("/staff/directory/review/reports/{id}/resolve")>
                    <Csrf token=csrf.to_owned()/>
                    <button type="submit" class="govuk-button govuk-!-margin-bottom-0">
                        "Mark as resolved"
                        <span class="govuk-visually-hidden">{format!(": report {reference}")}</span>
                    </button>
                </form>
            </div>
        </div>
    }
}

/// A section of the queue: its heading (with the count) and its cards, or `empty`.
fn section(
    id: &'static str,
    heading: &'static str,
    cards: Vec<AnyView>,
    empty: &'static str,
) -> impl IntoView {
    if cards.is_empty() {
        view! {
            <h2 class="govuk-heading-m" id=id>{heading}</h2>
            <p class="govuk-body">{empty}</p>
        }
        .into_any()
    } else {
        view! {
            <h2 class="govuk-heading-m" id=id>{format!("{heading} ({})", cards.len())}</h2>
            {cards}
        }
        .into_any()
    }
}

/// `GET /staff/directory/review`: suggested changes and reported problems, oldest first.
pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require(may::DIRECTORY)?;
    let pool = state.db.pool();
    let suggestions = suggestions(pool).await?;
    let reports = reports(pool).await?;
    let csrf = staff.session.csrf.clone();
    Ok(view::page(
        StatusCode::OK,
        "Review queue",
        Some(&staff),
        move || {
            let suggestions = suggestions
                .into_iter()
                .map(|s| suggestion_card(s, &csrf).into_any())
                .collect();
            let reports = reports
                .into_iter()
                .map(|r| report_card(r, &csrf).into_any())
                .collect();
            view! {
                <h1 class="govuk-heading-l">"Review queue"</h1>
                <p class="govuk-body">
                    "Oldest first. Nothing here changes the directory until you save a listing in the editor."
                </p>
                {section(
                    "suggestions",
                    "Changes suggested by providers",
                    suggestions,
                    "No suggested changes are waiting.",
                )}
                {section(
                    "reports",
                    "Problems reported by the public",
                    reports,
                    "No reported problems are waiting.",
                )}
            }
        },
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
