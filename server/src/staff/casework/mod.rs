//! The casework pages of the staff portal: the triage queue (`/staff/queue`), a request's page
//! with its assignment and closing (`/staff/requests/{id}`), the decision form
//! (`/staff/requests/{id}/decision`), the performance figures (`/staff/kpis`), and the service
//! picker both the decision form and the directory editor use; and the retention worker that
//! deletes a closed request's personal data ([`retention`]).
//!
//! The queue is over `triage_case`, which holds what triage needs for any kind of request
//! (`kind`: `early_help`, or `carers_referral` for the carers' referrals, each with its own
//! decisions): status, received time, area, urgency flags, assignee and the decision. Each role
//! sees the kinds it triages ([`Role::queue_kinds`](super::roles::Role::queue_kinds)). Only a
//! request's own page reads its answers, and every such view is audited.

mod charts;
mod decision;
pub mod kpi;
pub mod picker;
mod queue;
mod request;
pub mod retention;

pub use decision::{decide, decision_page};
pub use queue::queue;
pub use request::{assign, close, request_page};

use super::roles::may;
use super::{Result, Staff, StaffError};
use crate::cases::{load_case, Case};
use crate::state::AppState;
use leptos::prelude::*;

/// A case the signed-in member of staff may open (by kind), or 404/403.
pub(crate) async fn case_for(state: &AppState, staff: &Staff, id: &str) -> Result<Case> {
    staff.require(may::TRIAGE)?;
    let case = load_case(state.db.pool(), id)
        .await?
        .ok_or(StaffError::NotFound)?;
    if !staff.role.queue_kinds().contains(&case.kind.as_str()) {
        return Err(StaffError::Forbidden);
    }
    Ok(case)
}

/// Lines of text with a `<br>` between them, or `empty` when there are none.
#[component]
fn Lines(lines: Vec<String>, #[prop(optional)] empty: &'static str) -> impl IntoView {
    if lines.is_empty() {
        return empty.into_any();
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| view! { {(i > 0).then(|| view! { <br/> })}{line} })
        .collect_view()
        .into_any()
}
