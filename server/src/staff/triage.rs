//! The triage queue and a request's page, assignment and decision.
//!
//! The queue is over `triage_case`, which holds what triage needs for any kind of request
//! (`kind`: `early_help`, or `carers_referral` for the carers' referrals, each with its own
//! decisions, [`outcomes_for`]): status, received time, area, urgency flags, assignee and the
//! decision. Each role sees the kinds it
//! triages ([`Role::queue_kinds`]). Only a request's own page reads its answers, through the
//! kind's renderer ([`answers_html`]), and every such view is audited.

use super::html::{self, esc, FieldError};
use super::roles::{may, Role};
use super::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::mail::{self, NewEmail};
use crate::startup::AppState;
use app::forms::early_help::{self as eh, SPEC};
use app::forms::FormData;
use app::forms::FormSpec;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::fmt::Write;

pub const EARLY_HELP: &str = "early_help";
/// A carer's or young carer's "contact me" after their self-assessment (issue #7).
pub const CARERS_REFERRAL: &str = "carers_referral";

/// What the Hub or the carers team decided. Each kind of request has its own list
/// ([`outcomes_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Signpost,
    Targeted,
    StepUp,
    MoreInfo,
    Nfa,
    /// A carer's referral: the carers team contacts the carer and offers an assessment (a
    /// carer's assessment, Care Act 2014, or a young carer's needs assessment, Children Act 1989).
    CarerAssessment,
}

/// The Hub's outcomes for a request for early help (also the columns of the figures).
pub const OUTCOMES: [Outcome; 5] = [
    Outcome::Signpost,
    Outcome::Targeted,
    Outcome::StepUp,
    Outcome::MoreInfo,
    Outcome::Nfa,
];

/// The carers team's outcomes for a carer's referral.
pub const CARERS_OUTCOMES: [Outcome; 4] = [
    Outcome::CarerAssessment,
    Outcome::Signpost,
    Outcome::MoreInfo,
    Outcome::Nfa,
];

const ALL_OUTCOMES: [Outcome; 6] = [
    Outcome::Signpost,
    Outcome::Targeted,
    Outcome::StepUp,
    Outcome::MoreInfo,
    Outcome::Nfa,
    Outcome::CarerAssessment,
];

/// The decisions a kind of request can have.
pub fn outcomes_for(kind: &str) -> &'static [Outcome] {
    match kind {
        CARERS_REFERRAL => &CARERS_OUTCOMES,
        _ => &OUTCOMES,
    }
}

/// What a kind of request is called on its pages.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        CARERS_REFERRAL => "Carer's referral",
        _ => "Request for early help",
    }
}

/// Whether the kind's decision assigns a level of need and can allocate to a targeted service
/// (the Hub's Continuum of Support; not the carers team's).
fn uses_levels_of_need(kind: &str) -> bool {
    kind == EARLY_HELP
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Signpost => "signpost",
            Outcome::Targeted => "targeted",
            Outcome::StepUp => "step_up",
            Outcome::MoreInfo => "more_info",
            Outcome::Nfa => "nfa",
            Outcome::CarerAssessment => "carer_assessment",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        ALL_OUTCOMES.into_iter().find(|o| o.as_str() == text)
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Signpost => "Signpost to community services",
            Outcome::Targeted => "Allocate to a targeted service",
            Outcome::StepUp => "Pass to children's social care (step up)",
            Outcome::MoreInfo => "Needs more information",
            Outcome::Nfa => "No further action",
            Outcome::CarerAssessment => "Contact the carer and offer an assessment",
        }
    }

    /// What it means for the family, in plain English (the status page and the email).
    pub fn meaning(self) -> &'static str {
        match self {
            Outcome::Signpost => {
                "We have found services in your area that can help, and sent you their details."
            }
            Outcome::Targeted => {
                "We have asked a support service to work with you. They will contact you within 5 working days."
            }
            Outcome::StepUp => {
                "We have asked children's social care to look at what support is needed. A social worker will contact you."
            }
            Outcome::MoreInfo => {
                "We need a little more information before we can decide. Someone from the Early Help Hub will contact you."
            }
            Outcome::Nfa => {
                "We have decided the Early Help Hub does not need to do anything more at the moment. If things change, you can ask for help again at any time."
            }
            Outcome::CarerAssessment => {
                "The carers team will contact you to talk about your caring and offer you an assessment of what would help."
            }
        }
    }
}

/// What the triage email and the queue know about a new early help request.
pub struct NewCase<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub reference: &'a str,
    pub received_at: &'a str,
    pub outcode: Option<&'a str>,
    pub urgency_flags: &'a str,
}

/// Puts a new request in the queue, in the transaction that stores it. Returns the token of
/// the family's status link (only its hash is stored).
pub async fn open_case(
    tx: &mut Transaction<'_, Any>,
    case: &NewCase<'_>,
) -> std::result::Result<String, sqlx::Error> {
    let token = super::session::new_token();
    sqlx::query(
        "INSERT INTO triage_case (id, kind, reference, received_at, outcode, urgency_flags, \
         status, status_token_hash, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $4)",
    )
    .bind(case.id)
    .bind(case.kind)
    .bind(case.reference)
    .bind(case.received_at)
    .bind(case.outcode)
    .bind(case.urgency_flags)
    .bind(super::session::hash(&token))
    .execute(&mut **tx)
    .await?;
    add_event(tx, case.id, case.received_at, None, "received", None).await?;
    Ok(token)
}

async fn add_event(
    tx: &mut Transaction<'_, Any>,
    case_id: &str,
    at: &str,
    actor: Option<&str>,
    kind: &str,
    detail: Option<&str>,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO triage_event (id, case_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(case_id)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One case as the queue and the request page show it.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub kind: String,
    pub reference: String,
    pub received_at: String,
    pub outcode: Option<String>,
    pub flags: Vec<String>,
    pub status: String,
    pub assignee_id: Option<String>,
    pub assignee: Option<String>,
    pub outcome: Option<Outcome>,
    pub outcome_detail: Option<String>,
    pub level_of_need: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<String>,
    /// Set when the retention worker deleted the request's personal data.
    pub purged_at: Option<String>,
}

const CASE_COLUMNS: &str = "c.id, c.kind, c.reference, c.received_at, c.outcode, \
    c.urgency_flags, c.status, c.assignee_id, u.name, c.outcome, c.outcome_detail, \
    c.level_of_need, c.decision_reason, c.decided_at, c.purged_at";

fn case_from(r: &sqlx::any::AnyRow) -> std::result::Result<Case, sqlx::Error> {
    let flags: String = r.try_get(5)?;
    Ok(Case {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        reference: r.try_get(2)?,
        received_at: r.try_get(3)?,
        outcode: r.try_get(4)?,
        flags: serde_json::from_str(&flags).unwrap_or_default(),
        status: r.try_get(6)?,
        assignee_id: r.try_get(7)?,
        assignee: r.try_get(8)?,
        outcome: r
            .try_get::<Option<String>, _>(9)?
            .as_deref()
            .and_then(Outcome::parse),
        outcome_detail: r.try_get(10)?,
        level_of_need: r.try_get(11)?,
        decision_reason: r.try_get(12)?,
        decided_at: r.try_get(13)?,
        purged_at: r.try_get(14)?,
    })
}

pub async fn load_case(pool: &AnyPool, id: &str) -> std::result::Result<Option<Case>, sqlx::Error> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM triage_case c LEFT JOIN staff_user u ON u.id = c.assignee_id \
         WHERE c.id = $1"
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(case_from)
        .transpose()
}

pub fn status_label(status: &str) -> (&'static str, &'static str) {
    match status {
        "new" => ("New", "govuk-tag--blue"),
        "in_triage" => ("In triage", "govuk-tag--yellow"),
        "decided" => ("Decided", "govuk-tag--green"),
        "closed" => ("Closed", "govuk-tag--grey"),
        _ => ("Unknown", "govuk-tag--grey"),
    }
}

/// "22 November 2026 at 09:30 (UTC)" from RFC 3339.
pub fn when(at: &str) -> String {
    let date = at
        .get(..10)
        .and_then(|d| app::domain::IsoDate::parse(d).ok());
    match (date, at.get(11..16)) {
        (Some(d), Some(time)) => format!("{} at {time}", app::forms::long_date(&d)),
        _ => at.to_owned(),
    }
}

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

/// A case the signed-in member of staff may open (by kind), or 404/403.
async fn case_for(state: &AppState, staff: &Staff, id: &str) -> Result<Case> {
    staff.require(may::TRIAGE)?;
    let case = load_case(state.db.pool(), id)
        .await?
        .ok_or(StaffError::NotFound)?;
    if !staff.role.queue_kinds().contains(&case.kind.as_str()) {
        return Err(StaffError::Forbidden);
    }
    Ok(case)
}

/// The answers of an early help request, section by section, as check-your-answers lists.
/// A form's answers as GOV.UK summary lists, one per section.
fn form_answers(spec: &'static FormSpec, data: &FormData) -> String {
    let mut out = String::new();
    let mut current = "";
    for (section, page) in spec.visible_pages(data) {
        if section.title != current {
            if !current.is_empty() {
                out.push_str("</dl>");
            }
            current = section.title;
            let _ = write!(
                out,
                r#"<h3 class="govuk-heading-s">{}</h3><dl class="govuk-summary-list">"#,
                esc(section.title)
            );
        }
        let mut row = |label: &str, value: &str| {
            let value = if value.is_empty() {
                "Not answered".to_owned()
            } else {
                esc(value).replace('\n', "<br>")
            };
            let _ = write!(
                out,
                r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt><dd class="govuk-summary-list__value">{value}</dd></div>"#,
                esc(label)
            );
        };
        match page.list {
            Some(list) => {
                for (i, item) in data.list(list.key).iter().enumerate() {
                    for f in list.fields {
                        row(
                            &format!("{} {}: {}", capitalise(list.item), i + 1, f.label),
                            &f.display(item),
                        );
                    }
                }
            }
            None => {
                for f in page.fields {
                    row(f.label, &f.display(&data.values));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push_str("</dl>");
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The request's answers, by kind (the carers' referral adds its own arm).
async fn answers_html(pool: &AnyPool, case: &Case) -> Result<String> {
    if let Some(at) = &case.purged_at {
        return Ok(format!(
            r#"<p class="govuk-body">The answers were deleted on {} under the retention policy.</p>"#,
            esc(&when(at))
        ));
    }
    match case.kind.as_str() {
        EARLY_HELP => {
            let answers: String =
                sqlx::query("SELECT answers FROM early_help_request WHERE id = $1")
                    .bind(&case.id)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StaffError::NotFound)?
                    .try_get(0)?;
            let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
            Ok(form_answers(&SPEC, &data))
        }
        CARERS_REFERRAL => {
            let row = sqlx::query("SELECT form, answers FROM carer_referral WHERE id = $1")
                .bind(&case.id)
                .fetch_optional(pool)
                .await?
                .ok_or(StaffError::NotFound)?;
            let form: String = row.try_get(0)?;
            let answers: String = row.try_get(1)?;
            let spec = if form == app::forms::carers::YOUNG.id {
                &app::forms::carers::YOUNG
            } else {
                &app::forms::carers::ADULT
            };
            let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
            Ok(form_answers(spec, &data))
        }
        _ => Err(StaffError::NotFound),
    }
}

/// The outcome email's address for a request, if the requester gave one that is safe to use.
async fn requester_address(pool: &AnyPool, case: &Case) -> Result<Option<String>> {
    if case.kind != EARLY_HELP || case.purged_at.is_some() {
        return Ok(None);
    }
    let answers: String = sqlx::query("SELECT answers FROM early_help_request WHERE id = $1")
        .bind(&case.id)
        .fetch_optional(pool)
        .await?
        .ok_or(StaffError::NotFound)?
        .try_get(0)?;
    let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
    Ok(eh::acknowledgement_address(&data).map(str::to_owned))
}

struct HistoryItem {
    at: String,
    actor: Option<String>,
    kind: String,
    detail: Option<String>,
}

async fn history(pool: &AnyPool, case_id: &str) -> Result<Vec<HistoryItem>> {
    Ok(sqlx::query(
        "SELECT e.at, u.name, e.kind, e.detail FROM triage_event e \
         LEFT JOIN staff_user u ON u.id = e.actor_id WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(HistoryItem {
            at: r.try_get(0)?,
            actor: r.try_get(1)?,
            kind: r.try_get(2)?,
            detail: r.try_get(3)?,
        })
    })
    .collect::<std::result::Result<_, sqlx::Error>>()?)
}

fn event_label(kind: &str) -> &'static str {
    match kind {
        "received" => "Request received",
        "assigned" => "Assigned",
        "decided" => "Decision recorded",
        "outcome_emailed" => "Outcome email queued to the requester",
        "outcome_not_emailed" => "Outcome not emailed",
        "closed" => "Closed",
        _ => "Updated",
    }
}

fn decidable(case: &Case) -> bool {
    matches!(case.status.as_str(), "new" | "in_triage")
        || (case.status == "decided" && case.outcome == Some(Outcome::MoreInfo))
}

/// `GET /staff/requests/{id}`: everything in the request (audited), its history and actions.
pub async fn request_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let case = case_for(&state, &staff, &id).await?;
    let pool = state.db.pool();
    let answers = answers_html(pool, &case).await?;
    let mut e = staff.event("view_request");
    let subject = format!("{}:{}", case.kind, case.id);
    e.subject = Some(&subject);
    e.reference = Some(&case.reference);
    audit::record(pool, &state.staff.clock.now(), &e).await?;
    let events = history(pool, &case.id).await?;
    let mut timeline = String::new();
    for ev in &events {
        let _ = write!(
            timeline,
            r#"<li><strong>{label}</strong> – {at}{by}{detail}</li>"#,
            label = event_label(&ev.kind),
            at = esc(&when(&ev.at)),
            by = ev
                .actor
                .as_deref()
                .map(|a| format!(" by {}", esc(a)))
                .unwrap_or_default(),
            detail = ev
                .detail
                .as_deref()
                .map(|d| format!(": {}", esc(d)))
                .unwrap_or_default(),
        );
    }
    let now = state.staff.clock.unix();
    let received = crate::clock::parse_rfc3339(&case.received_at).unwrap_or(now);
    let holidays = &state.staff.bank_holidays;
    let due = holidays
        .due_date(received)
        .map(|d| app::forms::long_date(&d))
        .unwrap_or_default();
    let (label, class) = status_label(&case.status);
    let mut decision = String::new();
    if let Some(outcome) = case.outcome {
        let _ = write!(
            decision,
            r#"<h2 class="govuk-heading-m">Decision</h2><dl class="govuk-summary-list"><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Outcome</dt><dd class="govuk-summary-list__value">{outcome}{detail}</dd></div>{level}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Reason</dt><dd class="govuk-summary-list__value">{reason}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Decided</dt><dd class="govuk-summary-list__value">{at}</dd></div></dl>"#,
            outcome = outcome.label(),
            detail = case
                .outcome_detail
                .as_deref()
                .map(|d| format!(": {}", esc(d)))
                .unwrap_or_default(),
            level = case
                .level_of_need
                .as_deref()
                .map(|l| format!(
                    r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Level of need</dt><dd class="govuk-summary-list__value">{}</dd></div>"#,
                    esc(l)
                ))
                .unwrap_or_default(),
            reason = esc(case.decision_reason.as_deref().unwrap_or("")).replace('\n', "<br>"),
            at = esc(&when(case.decided_at.as_deref().unwrap_or(""))),
        );
    }
    let mut actions = String::new();
    let can_decide = staff.require(may::DECIDE_EARLY_HELP).is_ok() || staff.role == Role::Carers;
    if can_decide && decidable(&case) {
        if case.assignee_id.as_deref() != Some(staff.id.as_str()) {
            let _ = write!(
                actions,
                r#"<form method="post" action="/staff/requests/{id}/assign" class="govuk-!-display-inline-block govuk-!-margin-right-2">{csrf}<button type="submit" class="govuk-button govuk-button--secondary">Assign to me</button></form>"#,
                id = esc(&case.id),
                csrf = html::csrf_field(&staff.session.csrf),
            );
        }
        let _ = write!(
            actions,
            r#"<a class="govuk-button" href="/staff/requests/{}/decision">Record a decision</a>"#,
            esc(&case.id)
        );
    }
    if can_decide && closable(&case) {
        let _ = write!(
            actions,
            r#"<form method="post" action="/staff/requests/{id}/close">{csrf}<button type="submit" class="govuk-button govuk-button--secondary">Close the request</button></form>"#,
            id = esc(&case.id),
            csrf = html::csrf_field(&staff.session.csrf),
        );
    }
    let flags = if case.flags.is_empty() {
        "None".to_owned()
    } else {
        case.flags
            .iter()
            .map(|f| esc(f))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let main = format!(
        r#"<span class="govuk-caption-l">{kind}</span><h1 class="govuk-heading-l">{reference}</h1><dl class="govuk-summary-list"><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Status</dt><dd class="govuk-summary-list__value"><strong class="govuk-tag {class}">{label}</strong></dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Received</dt><dd class="govuk-summary-list__value">{received}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Decision due</dt><dd class="govuk-summary-list__value">{due}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Urgency flags</dt><dd class="govuk-summary-list__value">{flags}</dd></div><div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Assigned to</dt><dd class="govuk-summary-list__value">{assignee}</dd></div></dl><div class="govuk-button-group">{actions}</div>{decision}<h2 class="govuk-heading-m">The request</h2>{answers}<h2 class="govuk-heading-m">History</h2><ul class="govuk-list" id="history">{timeline}</ul>"#,
        kind = kind_label(&case.kind),
        reference = esc(&case.reference),
        received = esc(&when(&case.received_at)),
        due = esc(&due),
        assignee = esc(case.assignee.as_deref().unwrap_or("Nobody")),
    );
    Ok(html::page(
        StatusCode::OK,
        &format!("Request {}", case.reference),
        Some(staff.header()),
        &main,
    ))
}

/// `POST /staff/requests/{id}/assign`: assign to me.
pub async fn assign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = form.staff;
    let case = case_for(&state, &staff, &id).await?;
    if !decidable(&case) {
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    let clock = &state.staff.clock;
    let now = clock.now();
    let mut tx = state.db.pool().begin().await?;
    sqlx::query(
        "UPDATE triage_case SET assignee_id = $1, status = CASE WHEN status = 'new' THEN 'in_triage' ELSE status END, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(&staff.id)
    .bind(&now)
    .bind(&case.id)
    .execute(&mut *tx)
    .await?;
    add_event(
        &mut tx,
        &case.id,
        &now,
        Some(&staff.id),
        "assigned",
        Some(&staff.name),
    )
    .await?;
    let mut e = staff.event("assign");
    let subject = format!("{}:{}", case.kind, case.id);
    e.subject = Some(&subject);
    e.reference = Some(&case.reference);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response())
}

fn closable(case: &Case) -> bool {
    case.status == "decided" && case.outcome != Some(Outcome::MoreInfo)
}

/// `POST /staff/requests/{id}/close`: a decided request is finished with; the retention period
/// starts.
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = form.staff;
    let case = case_for(&state, &staff, &id).await?;
    if closable(&case) {
        let now = state.staff.clock.now();
        let mut tx = state.db.pool().begin().await?;
        sqlx::query(
            "UPDATE triage_case SET status = 'closed', closed_at = $1, updated_at = $1 \
             WHERE id = $2 AND status = 'decided'",
        )
        .bind(&now)
        .bind(&case.id)
        .execute(&mut *tx)
        .await?;
        add_event(&mut tx, &case.id, &now, Some(&staff.id), "closed", None).await?;
        let mut e = staff.event("close");
        let subject = format!("{}:{}", case.kind, case.id);
        e.subject = Some(&subject);
        e.reference = Some(&case.reference);
        audit::record(&mut *tx, &now, &e).await?;
        tx.commit().await?;
    }
    Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response())
}

/// A directory service a request can be signposted to.
pub(super) struct ServiceChoice {
    pub id: String,
    pub name: String,
}

/// The most services a staff picker shows.
const PICKER_LIMIT: usize = 30;

/// Listings matching `q` for a staff picker, best first: active ones (signposting a family), or
/// (`editable`, the directory editor's finder) all but archived ones, which cannot be edited.
///
/// The words go through the search index, as families' searches do, so typos and synonyms work
/// ("autisum", "ASD"). The index holds exactly the listings that are not archived, so it covers
/// both pickers; statuses are checked again against the database, which is the source of truth.
/// Two things the index cannot answer are looked up in the database: a listing's id pasted in
/// whole (found even in the seconds before the sync worker indexes a new listing), and, when the
/// index cannot be reached or the text is not a valid query, names containing the text — so
/// triage can still signpost while the search engine is down.
pub(super) async fn find_services(
    state: &AppState,
    q: &str,
    editable: bool,
) -> Result<Vec<ServiceChoice>> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let pool = state.db.pool();
    let mut found = services_with_ids(pool, &[q.to_owned()], editable).await?;
    let matched = match crate::search::QueryText::parse(q) {
        Ok(text) if !text.is_empty() => {
            // Twice as many as shown: some may be temporarily closed (not for signposting).
            match state
                .search
                .matching_ids(text, (2 * PICKER_LIMIT) as u32)
                .await
            {
                Ok(ids) => Some(services_with_ids(pool, &ids, editable).await?),
                Err(error) => {
                    tracing::warn!(error = %error, "staff service picker: search index unavailable; matching names only");
                    None
                }
            }
        }
        _ => None,
    };
    let more = match matched {
        Some(services) => services,
        None => names_containing(pool, q, editable).await?,
    };
    for s in more {
        if !found.iter().any(|f| f.id == s.id) {
            found.push(s);
        }
    }
    found.truncate(PICKER_LIMIT);
    Ok(found)
}

fn status_clause(editable: bool) -> &'static str {
    if editable {
        "status <> 'archived'"
    } else {
        "status = 'active'"
    }
}

/// The listings with these ids and an allowed status, in the order of `ids`.
async fn services_with_ids(
    pool: &AnyPool,
    ids: &[String],
    editable: bool,
) -> Result<Vec<ServiceChoice>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, name FROM service WHERE {} AND id IN ({})",
        status_clause(editable),
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id);
    }
    let mut rows: Vec<ServiceChoice> = query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ServiceChoice {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()?;
    rows.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
    Ok(rows)
}

/// `text` as a LIKE pattern for names containing it: `%`, `_` and the escape character itself
/// are escaped (`ESCAPE '\'`), so they match themselves ("50% off", "under_5s").
pub(super) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Listings whose name contains `text` (the picker's fallback; see [`find_services`]).
async fn names_containing(
    pool: &AnyPool,
    text: &str,
    editable: bool,
) -> Result<Vec<ServiceChoice>> {
    Ok(sqlx::query(&format!(
        "SELECT id, name FROM service WHERE {} AND LOWER(name) LIKE $1 ESCAPE '\\' \
         ORDER BY name, id LIMIT {PICKER_LIMIT}",
        status_clause(editable)
    ))
    .bind(contains_pattern(text))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(ServiceChoice {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
        })
    })
    .collect::<std::result::Result<_, sqlx::Error>>()?)
}

async fn services_by_id(pool: &AnyPool, ids: &[String]) -> Result<Vec<ServiceChoice>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(r) =
            sqlx::query("SELECT id, name FROM service WHERE id = $1 AND status = 'active'")
                .bind(id)
                .fetch_optional(pool)
                .await?
        {
            out.push(ServiceChoice {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DecisionQuery {
    #[serde(default)]
    q: String,
}

/// What was typed in the decision form, for showing it again.
#[derive(Default)]
struct DecisionForm {
    outcome: String,
    services: Vec<String>,
    targeted: String,
    level: String,
    reason: String,
}

async fn decision_html(
    state: &AppState,
    staff: &Staff,
    case: &Case,
    typed: &DecisionForm,
    q: &str,
    errors: &[FieldError],
) -> Result<String> {
    let pool = state.db.pool();
    let levels_used = uses_levels_of_need(&case.kind);
    let outcomes: Vec<(String, String)> = outcomes_for(&case.kind)
        .iter()
        .map(|o| (o.as_str().to_owned(), o.label().to_owned()))
        .collect();
    let targeted: Vec<(String, String)> = state
        .staff
        .targeted_services
        .iter()
        .map(|s| (s.clone(), s.clone()))
        .collect();
    let levels: Vec<(String, String)> = state
        .staff
        .levels_of_need
        .iter()
        .map(|s| (s.clone(), s.clone()))
        .collect();
    let mut choices = services_by_id(pool, &typed.services).await?;
    for s in find_services(state, q, false).await? {
        if !choices.iter().any(|c| c.id == s.id) {
            choices.push(s);
        }
    }
    let (service_error, service_class) = html::field_error(errors, "service");
    let mut boxes = String::new();
    for (i, s) in choices.iter().enumerate() {
        let id = if i == 0 {
            "service".to_owned()
        } else {
            format!("service-{i}")
        };
        let _ = write!(
            boxes,
            r#"<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{id}" name="service" type="checkbox" value="{v}"{checked}><label class="govuk-label govuk-checkboxes__label" for="{id}">{l}</label></div>"#,
            v = esc(&s.id),
            l = esc(&s.name),
            checked = if typed.services.contains(&s.id) {
                " checked"
            } else {
                ""
            },
        );
    }
    let services = if choices.is_empty() {
        format!(
            r#"<div class="govuk-form-group{service_class}" id="service">{service_error}<p class="govuk-body">Search the directory above to choose services.</p></div>"#
        )
    } else {
        format!(
            r#"<div class="govuk-form-group{service_class}"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>{service_error}<div class="govuk-checkboxes govuk-checkboxes--small">{boxes}</div></fieldset></div>"#,
            legend = if levels_used {
                "Services to send the family (if signposting)"
            } else {
                "Services to tell the carer about (if signposting)"
            },
        )
    };
    let targeted = if levels_used {
        html::radios(
            "targeted",
            "Targeted service (if allocating)",
            &targeted,
            &typed.targeted,
            errors,
        )
    } else {
        String::new()
    };
    let levels = if levels_used {
        html::radios("level", "Level of need", &levels, &typed.level, errors)
    } else {
        String::new()
    };
    let afterwards = if levels_used {
        "The requester will be emailed the outcome and what happens next (with the services' details if signposting), if they gave an address that is safe to use."
    } else {
        "The carer is not emailed the decision: contact them the way they asked (their answers say how) and tell them about any services you chose."
    };
    let (reason_error, reason_class) = html::field_error(errors, "reason");
    Ok(format!(
        r#"<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">{summary}<span class="govuk-caption-l">{kind}: {reference}</span><h1 class="govuk-heading-l">Record a decision</h1><form method="get" action="/staff/requests/{id}/decision" class="govuk-!-margin-bottom-6"><div class="govuk-form-group"><label class="govuk-label govuk-label--s" for="q">Find services in the directory (for signposting)</label><div class="govuk-hint" id="q-hint">Search as families do (by name or what the service offers; spelling mistakes are allowed), then tick the services below. Services you ticked stay ticked.</div><input class="govuk-input govuk-!-width-two-thirds" id="q" name="q" type="search" value="{q}" aria-describedby="q-hint"> <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">Search</button></div></form><form method="post" action="/staff/requests/{id}/decision" novalidate>{csrf}{outcome}{services}{targeted}{levels}<div class="govuk-form-group{reason_class}"><label class="govuk-label govuk-label--m" for="reason">Reason for the decision</label><div class="govuk-hint" id="reason-hint">Recorded in the case history. The {who} does not see it.</div>{reason_error}<textarea class="govuk-textarea" id="reason" name="reason" rows="5" aria-describedby="reason-hint">{reason}</textarea></div><p class="govuk-body">{afterwards}</p><button type="submit" class="govuk-button">Record decision</button></form></div></div>"#,
        summary = html::error_summary(errors),
        kind = kind_label(&case.kind),
        who = if levels_used { "family" } else { "carer" },
        reference = esc(&case.reference),
        id = esc(&case.id),
        q = esc(q),
        csrf = html::csrf_field(&staff.session.csrf),
        outcome = html::radios("outcome", "Decision", &outcomes, &typed.outcome, errors),
        reason = esc(&typed.reason),
    ))
}

/// `GET /staff/requests/{id}/decision`.
pub async fn decision_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<DecisionQuery>,
) -> Result<Response> {
    let case = case_for(&state, &staff, &id).await?;
    if !decidable(&case) {
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    let main = decision_html(
        &state,
        &staff,
        &case,
        &DecisionForm::default(),
        &query.q,
        &[],
    )
    .await?;
    Ok(html::page(
        StatusCode::OK,
        "Record a decision",
        Some(staff.header()),
        &main,
    ))
}

/// `POST /staff/requests/{id}/decision`: records the decision and queues the outcome email, in
/// one transaction.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    let case = case_for(&state, &staff, &id).await?;
    if !decidable(&case) {
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    let pool = state.db.pool();
    let typed = DecisionForm {
        outcome: field(&fields, "outcome").to_owned(),
        services: fields
            .iter()
            .filter(|(k, _)| k == "service")
            .map(|(_, v)| v.clone())
            .take(20)
            .collect(),
        targeted: field(&fields, "targeted").to_owned(),
        level: field(&fields, "level").to_owned(),
        reason: field(&fields, "reason").trim().to_owned(),
    };
    let levels_used = uses_levels_of_need(&case.kind);
    let outcome = Outcome::parse(&typed.outcome).filter(|o| outcomes_for(&case.kind).contains(o));
    let services = services_by_id(pool, &typed.services).await?;
    let mut errors = Vec::new();
    match outcome {
        None => errors.push(FieldError {
            field: "outcome".into(),
            message: "Select a decision".into(),
        }),
        Some(Outcome::Signpost) if services.is_empty() => errors.push(FieldError {
            field: "service".into(),
            message: "Choose at least one service to send the family".into(),
        }),
        Some(Outcome::Targeted) if !state.staff.targeted_services.contains(&typed.targeted) => {
            errors.push(FieldError {
                field: "targeted".into(),
                message: "Select the targeted service".into(),
            })
        }
        _ => {}
    }
    if levels_used && !state.staff.levels_of_need.contains(&typed.level) {
        errors.push(FieldError {
            field: "level".into(),
            message: "Select the level of need".into(),
        });
    }
    if typed.reason.is_empty() {
        errors.push(FieldError {
            field: "reason".into(),
            message: "Enter the reason for the decision".into(),
        });
    } else if typed.reason.chars().count() > 5000 {
        errors.push(FieldError {
            field: "reason".into(),
            message: "Reason must be 5,000 characters or fewer".into(),
        });
    }
    let Some(outcome) = outcome.filter(|_| errors.is_empty()) else {
        let main = decision_html(&state, &staff, &case, &typed, "", &errors).await?;
        return Ok(html::page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Error: Record a decision",
            Some(staff.header()),
            &main,
        ));
    };
    let detail = match outcome {
        Outcome::Signpost => Some(
            services
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Outcome::Targeted => Some(typed.targeted.clone()),
        _ => None,
    };
    let level = levels_used.then_some(typed.level.as_str());
    let address = requester_address(pool, &case).await?;
    let clock = &state.staff.clock;
    let now = clock.now();
    let settings = &state.mail.settings;
    let mut tx = pool.begin().await?;
    // Only if nobody decided meanwhile (the status is checked again inside the transaction).
    let changed = sqlx::query(
        "UPDATE triage_case SET status = 'decided', outcome = $1, outcome_detail = $2, \
         level_of_need = $3, decision_reason = $4, decided_at = $5, decided_by = $6, \
         assignee_id = COALESCE(assignee_id, $6), updated_at = $5 \
         WHERE id = $7 AND (status IN ('new', 'in_triage') OR (status = 'decided' AND outcome = 'more_info'))",
    )
    .bind(outcome.as_str())
    .bind(detail.as_deref())
    .bind(level)
    .bind(&typed.reason)
    .bind(&now)
    .bind(&staff.id)
    .bind(&case.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response());
    }
    sqlx::query("DELETE FROM triage_signpost WHERE case_id = $1")
        .bind(&case.id)
        .execute(&mut *tx)
        .await?;
    if outcome == Outcome::Signpost {
        for (i, s) in services.iter().enumerate() {
            sqlx::query(
                "INSERT INTO triage_signpost (case_id, service_id, position) VALUES ($1, $2, $3)",
            )
            .bind(&case.id)
            .bind(&s.id)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
    }
    let summary = match level {
        Some(level) => format!("{} ({level})", outcome.label()),
        None => outcome.label().to_owned(),
    };
    add_event(
        &mut tx,
        &case.id,
        &now,
        Some(&staff.id),
        "decided",
        Some(&summary),
    )
    .await?;
    match address.as_deref().and_then(|a| a.parse().ok()) {
        // A carer's referral: the team contacts the carer as they asked, no outcome email.
        _ if case.kind != EARLY_HELP => {}
        Some(to) => {
            let listed: Vec<(String, String)> = services
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        format!("{}/services/{}", state.site.public_url, s.id),
                    )
                })
                .collect();
            let (subject, body) = outcome_email(
                &state.site.public_url,
                &case.reference,
                outcome,
                detail.as_deref(),
                &listed,
            );
            mail::enqueue(
                &mut tx,
                &NewEmail {
                    kind: "early_help_outcome",
                    to,
                    subject,
                    body,
                },
                settings.message_id_domain(),
            )
            .await?;
            add_event(&mut tx, &case.id, &now, None, "outcome_emailed", None).await?;
        }
        None => {
            add_event(
                &mut tx,
                &case.id,
                &now,
                None,
                "outcome_not_emailed",
                Some("The requester gave no email address that is safe to use: tell them another way"),
            )
            .await?;
        }
    }
    let mut e = staff.event("decision");
    let subject = format!("{}:{}", case.kind, case.id);
    e.subject = Some(&subject);
    e.reference = Some(&case.reference);
    e.detail = Some(outcome.as_str());
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(Redirect::to(&format!("/staff/requests/{}", case.id)).into_response())
}

/// The outcome email: the reference, what the decision means and what happens next, and for
/// signposting the services' names and public pages. Nothing the requester typed.
pub fn outcome_email(
    public_url: &str,
    reference: &str,
    outcome: Outcome,
    targeted: Option<&str>,
    services: &[(String, String)],
) -> (String, String) {
    let subject = format!("An update on your request for early help: {reference}");
    let mut body = format!(
        "The Early Help Hub has looked at your request for early help.\n\
         \n\
         Your reference number is {reference}\n\
         \n\
         {meaning}\n",
        meaning = outcome.meaning()
    );
    match outcome {
        Outcome::Signpost => {
            body.push_str("\nServices that can help\n\n");
            for (name, url) in services {
                let _ = write!(body, "- {name}\n  {url}\n");
            }
            body.push_str("\nYou can contact these services yourself. Their pages say how.\n");
        }
        Outcome::Targeted => {
            if let Some(t) = targeted {
                let _ = write!(body, "\nThe service: {t}\n");
            }
        }
        _ => {}
    }
    let _ = write!(
        body,
        "\nYou can see where your request is up to at {public_url}{base}/status with your reference number and email address.\n\
         \n\
         If a child is in immediate danger, call 999. Out of hours, call the emergency duty team on {phone}.\n\
         \n\
         {council}\n",
        base = SPEC.base,
        phone = eh::OUT_OF_HOURS_PHONE,
        council = app::site::COUNCIL_NAME,
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn name_patterns_escape_like_wildcards_instead_of_dropping_them() {
        assert_eq!(contains_pattern("Stay & Play"), "%stay & play%");
        assert_eq!(contains_pattern("50% off"), r"%50\% off%");
        assert_eq!(contains_pattern("under_5s"), r"%under\_5s%");
        assert_eq!(contains_pattern(r"a\b"), r"%a\\b%");
    }
}
