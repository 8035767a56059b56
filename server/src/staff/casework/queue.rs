//! The triage queue (`GET /staff/queue`): the requests of the kinds the role triages, filtered
//! and sorted, with their age in working days against the 1-working-day standard. No personal
//! data: references, areas and urgency flags only.

use crate::cases::{case_from, status_label, when, Case, CASE_COLUMNS};
use crate::staff::html::{self, esc};
use crate::staff::roles::{may, Role};
use crate::staff::{Result, Staff};
use crate::startup::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::fmt::Write;

/// The queue's filters, from the query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct QueueFilter {
    /// open (default: new and in triage) | new | in_triage | decided | closed | all
    #[serde(default)]
    pub status: String,
    /// "" (anyone) | me | unassigned
    #[serde(default)]
    pub assignee: String,
    /// "yes": only requests with an urgency flag
    #[serde(default)]
    pub flagged: String,
    /// An outward code, e.g. BK1
    #[serde(default)]
    pub area: String,
    /// oldest (default) | newest
    #[serde(default)]
    pub sort: String,
}

fn selected(on: bool) -> &'static str {
    if on {
        " selected"
    } else {
        ""
    }
}

/// `GET /staff/queue`.
pub async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    Query(filter): Query<QueueFilter>,
) -> Result<Response> {
    staff.require(may::TRIAGE)?;
    let kinds = staff.role.queue_kinds();
    let mut sql = format!(
        "SELECT {CASE_COLUMNS} FROM triage_case c LEFT JOIN staff_user u ON u.id = c.assignee_id WHERE c.kind IN ("
    );
    let mut binds: Vec<String> = Vec::new();
    for (i, k) in kinds.iter().enumerate() {
        binds.push((*k).to_owned());
        let _ = write!(sql, "{}${}", if i == 0 { "" } else { ", " }, binds.len());
    }
    sql.push(')');
    let status = if filter.status.is_empty() {
        "open"
    } else {
        filter.status.as_str()
    };
    match status {
        "open" => sql.push_str(" AND c.status IN ('new', 'in_triage')"),
        "new" | "in_triage" | "decided" | "closed" => {
            binds.push(status.to_owned());
            let _ = write!(sql, " AND c.status = ${}", binds.len());
        }
        _ => {}
    }
    match filter.assignee.as_str() {
        "me" => {
            binds.push(staff.id.clone());
            let _ = write!(sql, " AND c.assignee_id = ${}", binds.len());
        }
        "unassigned" => sql.push_str(" AND c.assignee_id IS NULL"),
        _ => {}
    }
    if filter.flagged == "yes" {
        sql.push_str(" AND c.urgency_flags <> '[]'");
    }
    let area = filter.area.trim().to_uppercase();
    if !area.is_empty() {
        binds.push(area.clone());
        let _ = write!(sql, " AND c.outcode = ${}", binds.len());
    }
    let newest = filter.sort == "newest";
    sql.push_str(if newest {
        " ORDER BY c.received_at DESC, c.reference"
    } else {
        " ORDER BY c.received_at ASC, c.reference"
    });
    sql.push_str(" LIMIT 500");
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let cases: Vec<Case> = query
        .fetch_all(state.db.pool())
        .await?
        .iter()
        .map(case_from)
        .collect::<std::result::Result<_, _>>()?;
    let holidays = &state.staff.bank_holidays;
    let now = state.staff.clock.unix();
    let mut rows = String::new();
    for c in &cases {
        let received = crate::clock::parse_rfc3339(&c.received_at).unwrap_or(now);
        let open = matches!(c.status.as_str(), "new" | "in_triage");
        // A decided or closed request's age is the time it took to decide: it stops counting.
        let until = c
            .decided_at
            .as_deref()
            .and_then(crate::clock::parse_rfc3339)
            .filter(|_| !open)
            .unwrap_or(now);
        let age = holidays.working_days_between(received, until);
        let age_cell = if !open {
            format!("{age}")
        } else if age > 1 {
            format!(r#"{age} <strong class="govuk-tag govuk-tag--red">Overdue</strong>"#)
        } else if age == 1 {
            format!(r#"{age} <strong class="govuk-tag govuk-tag--orange">Due today</strong>"#)
        } else {
            format!("{age}")
        };
        let (label, class) = status_label(&c.status);
        let flags = if c.flags.is_empty() {
            "None".to_owned()
        } else {
            c.flags
                .iter()
                .map(|f| esc(f))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = write!(
            rows,
            r#"<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" href="/staff/requests/{id}">{reference}</a></td><td class="govuk-table__cell">{received}</td><td class="govuk-table__cell">{age_cell}</td><td class="govuk-table__cell">{area}</td><td class="govuk-table__cell">{flags}</td><td class="govuk-table__cell"><strong class="govuk-tag {class}">{label}</strong></td><td class="govuk-table__cell">{assignee}</td></tr>"#,
            id = esc(&c.id),
            reference = esc(&c.reference),
            received = esc(&when(&c.received_at)),
            area = esc(c.outcode.as_deref().unwrap_or("Not known")),
            assignee = esc(c.assignee.as_deref().unwrap_or("Nobody")),
        );
    }
    let table = if cases.is_empty() {
        r#"<p class="govuk-body" id="queue-empty">No requests match these filters.</p>"#.to_owned()
    } else {
        format!(
            r#"<table class="govuk-table" id="queue"><caption class="govuk-table__caption govuk-table__caption--m">{count} request{s}, {order} first</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Reference</th><th scope="col" class="govuk-table__header">Received</th><th scope="col" class="govuk-table__header">Age (working days)</th><th scope="col" class="govuk-table__header">Area</th><th scope="col" class="govuk-table__header">Urgency flags</th><th scope="col" class="govuk-table__header">Status</th><th scope="col" class="govuk-table__header">Assigned to</th></tr></thead><tbody class="govuk-table__body">{rows}</tbody></table>"#,
            count = cases.len(),
            s = if cases.len() == 1 { "" } else { "s" },
            order = if newest { "newest" } else { "oldest" },
        )
    };
    let statuses = [
        ("open", "New and in triage"),
        ("new", "New"),
        ("in_triage", "In triage"),
        ("decided", "Decided"),
        ("closed", "Closed"),
        ("all", "All"),
    ];
    let mut status_options = String::new();
    for (v, l) in statuses {
        let _ = write!(
            status_options,
            r#"<option value="{v}"{}>{l}</option>"#,
            selected(v == status)
        );
    }
    let assignees = [("", "Anyone"), ("me", "Me"), ("unassigned", "Nobody")];
    let mut assignee_options = String::new();
    for (v, l) in assignees {
        let _ = write!(
            assignee_options,
            r#"<option value="{v}"{}>{l}</option>"#,
            selected(v == filter.assignee)
        );
    }
    let title = match staff.role {
        Role::Carers => "Carers' referrals",
        _ => "Requests for early help",
    };
    let main = format!(
        r#"<h1 class="govuk-heading-l">{title}</h1><p class="govuk-body">The standard is a decision within 1 working day of a request arriving (weekends and bank holidays in England and Wales do not count).</p><form method="get" action="/staff/queue" class="signpost-filters"><div class="govuk-form-group"><label class="govuk-label" for="status">Status</label><select class="govuk-select" id="status" name="status">{status_options}</select></div><div class="govuk-form-group"><label class="govuk-label" for="assignee">Assigned to</label><select class="govuk-select" id="assignee" name="assignee">{assignee_options}</select></div><div class="govuk-form-group"><label class="govuk-label" for="area">Area (outward code)</label><input class="govuk-input govuk-input--width-5" id="area" name="area" type="text" value="{area}" spellcheck="false"></div><div class="govuk-form-group"><div class="govuk-checkboxes govuk-checkboxes--small"><div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="flagged" name="flagged" type="checkbox" value="yes"{flagged}><label class="govuk-label govuk-checkboxes__label" for="flagged">Only requests with urgency flags</label></div></div></div><div class="govuk-form-group"><label class="govuk-label" for="sort">Order</label><select class="govuk-select" id="sort" name="sort"><option value="oldest"{oldest}>Oldest first</option><option value="newest"{newest_sel}>Newest first</option></select></div><button type="submit" class="govuk-button govuk-button--secondary">Apply filters</button></form>{table}"#,
        area = esc(&area),
        flagged = if filter.flagged == "yes" {
            " checked"
        } else {
            ""
        },
        oldest = selected(!newest),
        newest_sel = selected(newest),
    );
    Ok(html::page(
        StatusCode::OK,
        title,
        Some(staff.header()),
        &main,
    ))
}
