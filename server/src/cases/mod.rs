//! Casework: the triage case model shared by the request for support, the carers' referrals and
//! the staff portal's casework pages.
//!
//! `triage_case` holds what triage needs for any kind of request (`kind`: [`EARLY_HELP`], or
//! [`CARERS_REFERRAL`] for the carers' referrals, each with its own decisions,
//! [`outcomes_for`]): status, received time, area, urgency flags, assignee and the decision.
//! `triage_event` is each case's history. A public feature opens a case ([`open_case`]) in the
//! transaction that stores its request; the family status page and the staff pages load it
//! ([`load_case`]). The pages themselves live with their features (`staff::triage`,
//! `early_help::status`).

use crate::web::token as tokens;
use sqlx::{Any, AnyPool, Row, Transaction};

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
pub fn uses_levels_of_need(kind: &str) -> bool {
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
) -> Result<String, sqlx::Error> {
    let token = tokens::new_token();
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
    .bind(tokens::hash(&token))
    .execute(&mut **tx)
    .await?;
    add_event(tx, case.id, case.received_at, None, "received", None).await?;
    Ok(token)
}

/// Adds one event to a case's history, in the caller's transaction.
pub async fn add_event(
    tx: &mut Transaction<'_, Any>,
    case_id: &str,
    at: &str,
    actor: Option<&str>,
    kind: &str,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
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

/// The columns [`case_from`] reads, in its order (`c`: the case, `u`: its assignee).
pub const CASE_COLUMNS: &str = "c.id, c.kind, c.reference, c.received_at, c.outcode, \
    c.urgency_flags, c.status, c.assignee_id, u.name, c.outcome, c.outcome_detail, \
    c.level_of_need, c.decision_reason, c.decided_at, c.purged_at";

/// A case from a row of [`CASE_COLUMNS`].
pub fn case_from(r: &sqlx::any::AnyRow) -> Result<Case, sqlx::Error> {
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

pub async fn load_case(pool: &AnyPool, id: &str) -> Result<Option<Case>, sqlx::Error> {
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

/// One event of a case's history, with the name of the member of staff who did it.
pub struct HistoryItem {
    pub at: String,
    pub actor: Option<String>,
    pub kind: String,
    pub detail: Option<String>,
}

/// A case's history, oldest first.
pub async fn history(pool: &AnyPool, case_id: &str) -> Result<Vec<HistoryItem>, sqlx::Error> {
    sqlx::query(
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
    .collect()
}

/// What an event of the history is called on the request page.
pub fn event_label(kind: &str) -> &'static str {
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

/// Whether a decision can be recorded (again, after "needs more information").
pub fn decidable(case: &Case) -> bool {
    matches!(case.status.as_str(), "new" | "in_triage")
        || (case.status == "decided" && case.outcome == Some(Outcome::MoreInfo))
}

/// Whether a decided case can be closed (which starts the retention period).
pub fn closable(case: &Case) -> bool {
    case.status == "decided" && case.outcome != Some(Outcome::MoreInfo)
}
