//! The triage queue (`GET /staff/queue`): the requests of the kinds the role triages, filtered
//! and sorted, with their age in working days against the 1-working-day standard. No personal
//! data: references, areas and urgency flags only.

use super::Lines;
use crate::cases::{case_from, status_label, when, Case, CASE_COLUMNS};
use crate::staff::roles::{may, Role};
use crate::staff::view;
use crate::staff::view::form::{Button, Select, Table, Tag};
use crate::staff::{Result, Staff};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;
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
    let rows: Vec<QueueRow> = cases
        .into_iter()
        .map(|c| {
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
            QueueRow {
                received: when(&c.received_at),
                age,
                open,
                case: c,
            }
        })
        .collect();
    let title = match staff.role {
        Role::Carers => "Carers' referrals",
        _ => "Requests for early help",
    };
    let filter = ShownFilter {
        status: status.to_owned(),
        assignee: filter.assignee,
        area,
        flagged: filter.flagged == "yes",
        newest,
    };
    Ok(view::page(StatusCode::OK, title, Some(&staff), move || {
        view! { <QueuePage title rows filter/> }
    }))
}

/// One request in the queue, with its age in working days (`open`: still counting).
struct QueueRow {
    case: Case,
    received: String,
    age: i64,
    open: bool,
}

/// The filters as the form shows them again.
struct ShownFilter {
    status: String,
    assignee: String,
    area: String,
    flagged: bool,
    newest: bool,
}

const STATUSES: [(&str, &str); 6] = [
    ("open", "New and in triage"),
    ("new", "New"),
    ("in_triage", "In triage"),
    ("decided", "Decided"),
    ("closed", "Closed"),
    ("all", "All"),
];

const ASSIGNEES: [(&str, &str); 3] = [("", "Anyone"), ("me", "Me"), ("unassigned", "Nobody")];

const ORDERS: [(&str, &str); 2] = [("oldest", "Oldest first"), ("newest", "Newest first")];

#[component]
fn QueuePage(title: &'static str, rows: Vec<QueueRow>, filter: ShownFilter) -> impl IntoView {
    let order = if filter.newest { "newest" } else { "oldest" };
    view! {
        <h1 class="govuk-heading-l">{title}</h1>
        <p class="govuk-body">
            "The standard is a decision within 1 working day of a request arriving (weekends and bank holidays in England and Wales do not count)."
        </p>
        <form method="get" action="/staff/queue" class="signpost-filters">
            <Select name="status" label="Status" options=options(&STATUSES) chosen=filter.status error=None label_class="govuk-label"/>
            <Select name="assignee" label="Assigned to" options=options(&ASSIGNEES) chosen=filter.assignee error=None label_class="govuk-label"/>
            <div class="govuk-form-group">
                <label class="govuk-label" for="area">"Area (outward code)"</label>
                <input
                    class="govuk-input govuk-input--width-5"
                    id="area"
                    name="area"
                    type="text"
                    value=filter.area
                    spellcheck="false"
                />
            </div>
            <div class="govuk-form-group">
                <div class="govuk-checkboxes govuk-checkboxes--small">
                    <div class="govuk-checkboxes__item">
                        <input
                            class="govuk-checkboxes__input"
                            id="flagged"
                            name="flagged"
                            type="checkbox"
                            value="yes"
                            checked=filter.flagged
                        />
                        <label class="govuk-label govuk-checkboxes__label" for="flagged">
                            "Only requests with urgency flags"
                        </label>
                    </div>
                </div>
            </div>
            <Select name="sort" label="Order" options=options(&ORDERS) chosen=order error=None label_class="govuk-label"/>
            <Button text="Apply filters" class="govuk-button--secondary"/>
        </form>
        {if rows.is_empty() {
            view! {
                <p class="govuk-body" id="queue-empty">"No requests match these filters."</p>
            }
                .into_any()
        } else {
            let caption = format!(
                "{} request{}, {order} first",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
            );
            view! {
                <Table caption heads=HEADS.to_vec() id="queue">
                    {rows.into_iter().map(|row| view! { <Row row/> }).collect_view()}
                </Table>
            }
                .into_any()
        }}
    }
}

/// Fixed (value, label) pairs as a select's options.
fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|&(v, l)| (v.to_owned(), l.to_owned()))
        .collect()
}

const HEADS: [&str; 7] = [
    "Reference",
    "Received",
    "Age (working days)",
    "Area",
    "Urgency flags",
    "Status",
    "Assigned to",
];

/// One row: the age cell says when a request still open is due today or overdue.
#[component]
fn Row(row: QueueRow) -> impl IntoView {
    let QueueRow {
        case,
        received,
        age,
        open,
    } = row;
    let badge = match age {
        _ if !open => None,
        2.. => Some(("Overdue", "govuk-tag--red")),
        1 => Some(("Due today", "govuk-tag--orange")),
        _ => None,
    };
    let (label, class) = status_label(&case.status);
    view! {
        <tr class="govuk-table__row">
            <td class="govuk-table__cell">
                <a class="govuk-link" href=format!("/staff/requests/{}", case.id)>
                    {case.reference}
                </a>
            </td>
            <td class="govuk-table__cell">{received}</td>
            <td class="govuk-table__cell">
                {match badge {
                    Some((text, class)) => {
                        view! { {format!("{age} ")}<Tag text class/> }.into_any()
                    }
                    None => age.to_string().into_any(),
                }}
            </td>
            <td class="govuk-table__cell">
                {case.outcode.unwrap_or_else(|| "Not known".to_owned())}
            </td>
            <td class="govuk-table__cell"><Lines lines=case.flags empty="None"/></td>
            <td class="govuk-table__cell"><Tag text=label class/></td>
            <td class="govuk-table__cell">
                {case.assignee.unwrap_or_else(|| "Nobody".to_owned())}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(flags: &[&str], age: i64, open: bool) -> QueueRow {
        QueueRow {
            case: Case {
                id: "id-1".into(),
                kind: "early_help".into(),
                reference: "EH-AAAA-BBBB".into(),
                received_at: "2026-11-23T09:30:00Z".into(),
                outcode: None,
                flags: flags.iter().map(|f| (*f).to_owned()).collect(),
                status: if open { "new" } else { "decided" }.into(),
                assignee_id: None,
                assignee: Some("Sam <Hub>".into()),
                outcome: None,
                outcome_detail: None,
                level_of_need: None,
                decision_reason: None,
                decided_at: None,
                purged_at: None,
            },
            received: "23 November 2026 at 09:30".into(),
            age,
            open,
        }
    }

    #[test]
    fn a_row_shows_the_age_badge_and_escapes_what_staff_typed() {
        let html = view::to_html(|| {
            view! { <Row row=row(&["A child may be at risk", "<b>loud</b>"], 2, true)/> }
        })
        // Leptos marks where a list or an absent optional part is with an empty comment.
        .replace("<!>", "");
        assert!(
            html.contains(r#"<td class="govuk-table__cell">2 <strong class="govuk-tag govuk-tag--red">Overdue</strong></td>"#),
            "{html}"
        );
        assert!(
            html.contains("A child may be at risk<br>&lt;b&gt;loud&lt;/b&gt;</td>"),
            "{html}"
        );
        assert!(html.contains("Sam &lt;Hub&gt;"), "{html}");
        assert!(html.contains(">Not known<"), "{html}");
    }

    #[test]
    fn a_decided_row_counts_no_badge_and_no_flags_say_none() {
        let html = view::to_html(|| view! { <Row row=row(&[], 3, false)/> });
        assert!(
            html.contains(r#"<td class="govuk-table__cell">3</td>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<td class="govuk-table__cell">None</td>"#),
            "{html}"
        );
        assert!(!html.contains("Overdue"), "{html}");
    }
}
