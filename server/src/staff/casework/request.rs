//! A request's own page (`GET /staff/requests/{id}`): its status, every answer (audited), the
//! decision, the history and the actions; and the actions themselves, "Assign to me"
//! (`POST …/assign`) and "Close the request" (`POST …/close`).

use super::case_for;
use super::Lines;
use crate::cases::{
    add_event, closable, decidable, event_label, history, kind_label, status_label, when, Case,
    HistoryItem, CARERS_REFERRAL, EARLY_HELP,
};
use crate::staff::roles::{may, Role};
use crate::staff::view::form::{Button, SummaryList, SummaryRow, Tag};
use crate::staff::view::{self, Csrf};
use crate::staff::{audit, Result, Staff, StaffError, StaffForm};
use crate::state::AppState;
use app::forms::early_help::SPEC;
use app::forms::{FormData, FormSpec};
use app::text::capitalise;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use sqlx::{AnyPool, Row};

/// One section of a form's answers: its title and (question, answer) rows.
struct Section {
    title: &'static str,
    rows: Vec<(String, String)>,
}

/// A form's answers, section by section, as its check-your-answers page lists them.
fn form_answers(spec: &'static FormSpec, data: &FormData) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for (section, page) in spec.visible_pages(data) {
        if sections.last().is_none_or(|s| s.title != section.title) {
            sections.push(Section {
                title: section.title,
                rows: Vec::new(),
            });
        }
        let mut rows = Vec::new();
        match page.list {
            Some(list) => {
                for (i, item) in data.list(list.key).iter().enumerate() {
                    for f in list.fields {
                        rows.push((
                            format!("{} {}: {}", capitalise(list.item), i + 1, f.label),
                            f.display(item),
                        ));
                    }
                }
            }
            None => {
                for f in page.fields {
                    rows.push((f.label.to_owned(), f.display(&data.values)));
                }
            }
        }
        if let Some(last) = sections.last_mut() {
            last.rows.extend(rows);
        }
    }
    sections
}

/// What the request page shows of the answers.
enum Answers {
    Sections(Vec<Section>),
    /// Deleted by the retention worker, on this date.
    Deleted(String),
}

/// The request's answers, by kind (the carers' referral adds its own arm).
async fn answers(pool: &AnyPool, case: &Case) -> Result<Answers> {
    if let Some(at) = &case.purged_at {
        return Ok(Answers::Deleted(when(at)));
    }
    let (spec, answers): (&'static FormSpec, String) = match case.kind.as_str() {
        EARLY_HELP => {
            let answers: String =
                sqlx::query("SELECT answers FROM early_help_request WHERE id = $1")
                    .bind(&case.id)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StaffError::NotFound)?
                    .try_get(0)?;
            (&SPEC, answers)
        }
        CARERS_REFERRAL => {
            let row = sqlx::query("SELECT form, answers FROM carer_referral WHERE id = $1")
                .bind(&case.id)
                .fetch_optional(pool)
                .await?
                .ok_or(StaffError::NotFound)?;
            let form: String = row.try_get(0)?;
            let spec = if form == app::forms::carers::YOUNG.id {
                &app::forms::carers::YOUNG
            } else {
                &app::forms::carers::ADULT
            };
            (spec, row.try_get(1)?)
        }
        _ => return Err(StaffError::NotFound),
    };
    let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
    Ok(Answers::Sections(form_answers(spec, &data)))
}

/// `GET /staff/requests/{id}`: everything in the request (audited), its history and actions.
pub async fn request_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let case = case_for(&state, &staff, &id).await?;
    let pool = state.db.pool();
    let answers = answers(pool, &case).await?;
    let mut e = staff.event("view_request");
    let subject = format!("{}:{}", case.kind, case.id);
    e.subject = Some(&subject);
    e.reference = Some(&case.reference);
    audit::record(pool, &state.staff.clock.now(), &e).await?;
    let history = history(pool, &case.id).await?;
    let now = state.staff.clock.unix();
    let received = crate::clock::parse_rfc3339(&case.received_at).unwrap_or(now);
    let due = state
        .staff
        .bank_holidays
        .due_date(received)
        .map(|d| app::forms::long_date(&d))
        .unwrap_or_default();
    let can_decide = staff.require(may::DECIDE_EARLY_HELP).is_ok() || staff.role == Role::Carers;
    let actions = Actions {
        assign: can_decide
            && decidable(&case)
            && case.assignee_id.as_deref() != Some(staff.id.as_str()),
        decide: can_decide && decidable(&case),
        close: can_decide && closable(&case),
        csrf: staff.session.csrf.clone(),
    };
    let title = format!("Request {}", case.reference);
    Ok(view::page(
        StatusCode::OK,
        &title,
        Some(&staff),
        move || {
            view! { <RequestPage case due actions answers history/> }
        },
    ))
}

/// What the signed-in member of staff can do with the request now.
struct Actions {
    assign: bool,
    decide: bool,
    close: bool,
    csrf: String,
}

#[component]
fn RequestPage(
    case: Case,
    due: String,
    actions: Actions,
    answers: Answers,
    history: Vec<HistoryItem>,
) -> impl IntoView {
    let (label, class) = status_label(&case.status);
    let id = case.id.clone();
    let received = when(&case.received_at);
    let flags = case.flags.clone();
    let assignee = case.assignee.clone().unwrap_or_else(|| "Nobody".to_owned());
    view! {
        <span class="govuk-caption-l">{kind_label(&case.kind)}</span>
        <h1 class="govuk-heading-l">{case.reference.clone()}</h1>
        <SummaryList>
            <SummaryRow key="Status">
                <Tag text=label class/>
            </SummaryRow>
            <SummaryRow key="Received">{received}</SummaryRow>
            <SummaryRow key="Decision due">{due}</SummaryRow>
            <SummaryRow key="Urgency flags">
                <Lines lines=flags empty="None"/>
            </SummaryRow>
            <SummaryRow key="Assigned to">{assignee}</SummaryRow>
        </SummaryList>
        <div class="govuk-button-group">
            {actions
                .assign
                .then(|| {
                    view! {
                        <form
                            method="post"
                            action=format!("/staff/requests/{id}/assign")
                            class="govuk-!-display-inline-block govuk-!-margin-right-2"
                        >
                            <Csrf token=actions.csrf.clone()/>
                            <Button text="Assign to me" class="govuk-button--secondary"/>
                        </form>
                    }
                })}
            {actions
                .decide
                .then(|| {
                    view! {
                        <a class="govuk-button" href=format!("/staff/requests/{id}/decision")>
                            "Record a decision"
                        </a>
                    }
                })}
            {actions
                .close
                .then(|| {
                    view! {
                        <form method="post" action=format!("/staff/requests/{id}/close")>
                            <Csrf token=actions.csrf.clone()/>
                            <Button text="Close the request" class="govuk-button--secondary"/>
                        </form>
                    }
                })}
        </div>
        <Decision case=case/>
        <h2 class="govuk-heading-m">"The request"</h2>
        {match answers {
            Answers::Deleted(at) => {
                view! {
                    <p class="govuk-body">
                        {format!("The answers were deleted on {at} under the retention policy.")}
                    </p>
                }
                    .into_any()
            }
            Answers::Sections(sections) => {
                sections
                    .into_iter()
                    .map(|section| {
                        view! {
                            <h3 class="govuk-heading-s">{section.title}</h3>
                            <SummaryList>
                                {section
                                    .rows
                                    .into_iter()
                                    .map(|(question, answer)| {
                                        view! {
                                            <SummaryRow key=question>
                                                <Lines
                                                    lines=answer.lines().map(str::to_owned).collect()
                                                    empty="Not answered"
                                                />
                                            </SummaryRow>
                                        }
                                    })
                                    .collect_view()}
                            </SummaryList>
                        }
                    })
                    .collect_view()
                    .into_any()
            }
        }}
        <h2 class="govuk-heading-m">"History"</h2>
        <ul class="govuk-list" id="history">
            {history.into_iter().map(|event| view! { <Event event/> }).collect_view()}
        </ul>
    }
}

/// The decision's summary, once there is one.
#[component]
fn Decision(case: Case) -> impl IntoView {
    let outcome = case.outcome?;
    let detail = case
        .outcome_detail
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    let reason = case.decision_reason.unwrap_or_default();
    Some(view! {
        <h2 class="govuk-heading-m">"Decision"</h2>
        <SummaryList>
            <SummaryRow key="Outcome">{format!("{}{detail}", outcome.label())}</SummaryRow>
            {case
                .level_of_need
                .map(|level| view! { <SummaryRow key="Level of need">{level}</SummaryRow> })}
            <SummaryRow key="Reason">
                <Lines lines=reason.lines().map(str::to_owned).collect()/>
            </SummaryRow>
            <SummaryRow key="Decided">
                {when(case.decided_at.as_deref().unwrap_or_default())}
            </SummaryRow>
        </SummaryList>
    })
}

/// One event of the history: what, when, by whom, and its detail.
#[component]
fn Event(event: HistoryItem) -> impl IntoView {
    let by = event.actor.map(|a| format!(" by {a}")).unwrap_or_default();
    let detail = event.detail.map(|d| format!(": {d}")).unwrap_or_default();
    view! {
        <li>
            <strong>{event_label(&event.kind)}</strong>
            {format!(" – {}{by}{detail}", when(&event.at))}
        </li>
    }
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
