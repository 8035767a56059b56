//! Search synonyms for admins (`/staff/synonyms`): the groups of words and phrases that mean the
//! same to a family's search ("ASD, autism, autistic"), listed, added and removed. The groups live
//! in the database ([`crate::search::synonyms`], as `signpost synonyms` edits them); every change
//! is audited in the same transaction.
//!
//! When a change takes effect: this server applies the groups to its search index as soon as the
//! change is saved (waiting at most [`APPLY_WAIT`]). The search sync worker of every server
//! (this one included) also notices that the stored groups changed and applies them at its next
//! pass (every `SIGNPOST_SEARCH_SYNC_MS`, a second by default), and keeps trying while the
//! search engine cannot be reached — so other servers, and this one after a failure, catch up
//! within seconds of the engine being reachable.

use crate::search::synonyms::{self as store, SynonymError};
use crate::staff::roles::may;
use crate::staff::view::form::{
    error_for, Button, ErrorSummary, FieldError, SuccessBanner, TextInput,
};
use crate::staff::view::{self, Csrf};
use crate::staff::{audit, field, Result, Staff, StaffError, StaffForm};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use std::time::Duration;

/// How long a save waits for the search engine to take the new groups before it says they are
/// on their way (the sync worker finishes the job).
pub const APPLY_WAIT: Duration = Duration::from_secs(10);

/// The page's query: what was just done, for the banner (text, so that an odd value is ignored
/// rather than refused).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    added: Option<String>,
    removed: Option<String>,
    /// Present when the search engine did not take the change at once.
    later: Option<String>,
}

/// Applies the stored groups to this server's search index. False when the engine did not take
/// them within [`APPLY_WAIT`] (the sync worker retries).
async fn apply_now(state: &AppState) -> bool {
    let synonyms = match store::load(state.db.pool()).await {
        Ok(s) => s,
        Err(error) => {
            tracing::warn!(error = %error, "cannot read the synonyms to apply them; the sync worker will");
            return false;
        }
    };
    match tokio::time::timeout(APPLY_WAIT, state.search.set_synonyms(synonyms)).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "cannot apply the synonyms now; the sync worker will retry");
            false
        }
        Err(_) => {
            tracing::warn!(
                "the search engine is slow to take the synonyms; the sync worker will retry"
            );
            false
        }
    }
}

/// What was just done, for the banner: the message and when search uses it.
fn done_message(done: &Done) -> Option<(String, &'static str)> {
    let number = |n: &Option<String>| n.as_deref().and_then(|n| n.parse::<i64>().ok());
    let what = match (number(&done.added), number(&done.removed)) {
        (Some(n), _) => format!("Synonym group {n} added."),
        (None, Some(n)) => format!("Synonym group {n} removed."),
        (None, None) => return None,
    };
    let when = if done.later.is_some() {
        "The search engine did not take the change straight away. It is saved, and search will use it within seconds of the engine being reachable again."
    } else {
        "Search uses it now."
    };
    Some((what, when))
}

/// The page: the banner, the form to add a group and the groups.
async fn page_response(
    state: &AppState,
    staff: &Staff,
    done: &Done,
    errors: Vec<FieldError>,
    typed: &str,
) -> Result<Response> {
    let groups = store::groups(state.db.pool()).await?;
    let (status, title) = if errors.is_empty() {
        (StatusCode::OK, "Search synonyms")
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, "Error: Search synonyms")
    };
    let done = done_message(done);
    let (typed, csrf) = (typed.to_owned(), staff.session.csrf.clone());
    Ok(view::page(status, title, Some(staff), move || {
        let terms_error = error_for(&errors, "terms");
        let table = if groups.is_empty() {
            view! { <p class="govuk-body" id="groups">"There are no synonym groups."</p> }
                .into_any()
        } else {
            let caption = format!(
                "{} group{}",
                groups.len(),
                if groups.len() == 1 { "" } else { "s" }
            );
            let rows = groups
                .into_iter()
                .map(|g| {
                    view! {
                        <tr class="govuk-table__row">
                            <td class="govuk-table__cell govuk-table__cell--numeric">{g.number}</td>
                            <td class="govuk-table__cell">{g.terms.clone()}</td>
                            <td class="govuk-table__cell">
                                <form method="post" action=format!("/staff/synonyms/{}/remove", g.id)>
                                    <Csrf token=csrf.clone()/>
                                    <button
                                        type="submit"
                                        class="govuk-button govuk-button--warning govuk-!-margin-bottom-0"
                                    >
                                        "Remove"
                                        <span class="govuk-visually-hidden">
                                            {format!(" group {}: {}", g.number, g.terms)}
                                        </span>
                                    </button>
                                </form>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="govuk-table" id="groups">
                    <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
                    <thead class="govuk-table__head">
                        <tr class="govuk-table__row">
                            <th scope="col" class="govuk-table__header govuk-table__header--numeric">
                                "Number"
                            </th>
                            <th scope="col" class="govuk-table__header">"Words and phrases"</th>
                            <th scope="col" class="govuk-table__header">"Action"</th>
                        </tr>
                    </thead>
                    <tbody class="govuk-table__body">{rows}</tbody>
                </table>
            }
                .into_any()
        };
        view! {
            <div class="govuk-grid-row">
                <div class="govuk-grid-column-full">
                    {done
                        .map(|(what, when)| {
                            view! {
                                <SuccessBanner title_id="done-title" id="done">
                                    <p class="govuk-notification-banner__heading">{what}</p>
                                    <p class="govuk-body">{when}</p>
                                </SuccessBanner>
                            }
                        })}
                    <ErrorSummary errors=errors/>
                    <h1 class="govuk-heading-l">"Search synonyms"</h1>
                    <p class="govuk-body">
                        "The words and phrases in a group mean the same to the directory's search: a family searching for any one of them finds services that use any other, on the directory's pages and in the Open Referral API."
                    </p>
                    <p class="govuk-body">
                        "A change is used by searches on this server as soon as it is saved, and by any other server running Signpost within a few seconds."
                    </p>
                    <h2 class="govuk-heading-m">"Add a group"</h2>
                    <form method="post" action="/staff/synonyms" novalidate>
                        <Csrf token=csrf.clone()/>
                        <TextInput
                            name="terms"
                            label="Words and phrases that mean the same"
                            hint="Two or more, separated by commas, each of up to 5 words. For example: short breaks, respite"
                            value=typed
                            error=terms_error
                            width="govuk-!-width-two-thirds"
                        />
                        <Button text="Add group"/>
                    </form>
                    {table}
                </div>
            </div>
        }
    }))
}

/// `GET /staff/synonyms` (admins).
pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Result<Response> {
    staff.require(may::ADMIN)?;
    page_response(&state, &staff, &done, Vec::new(), "").await
}

fn redirect(done: &str, number: i64, applied: bool) -> Response {
    let later = if applied { "" } else { "&later=1" };
    Redirect::to(&format!("/staff/synonyms?{done}={number}{later}")).into_response()
}

/// `POST /staff/synonyms` (admins): adds a group.
pub async fn add(State(state): State<AppState>, form: StaffForm) -> Result<Response> {
    let StaffForm { staff, fields } = form;
    staff.require(may::ADMIN)?;
    let typed = field(&fields, "terms");
    let pool = state.db.pool();
    let now = state.staff.clock.now();
    let mut tx = pool.begin().await?;
    let number = match store::add(&mut tx, typed).await {
        Ok(n) => n,
        Err(SynonymError::Database(e)) => return Err(StaffError::Database(e)),
        Err(e) => {
            drop(tx);
            let errors = vec![FieldError::new(
                "terms",
                match e {
                    SynonymError::TooLong => format!(
                        "A group must be {} characters or fewer",
                        store::MAX_GROUP_CHARS
                    ),
                    SynonymError::PhraseTooLong => format!(
                        "Each word or phrase must be {} words or fewer",
                        store::MAX_PHRASE_WORDS
                    ),
                    _ => "Enter at least two different words or phrases, separated by commas"
                        .to_owned(),
                },
            )];
            return page_response(&state, &staff, &Done::default(), errors, typed).await;
        }
    };
    let terms = store::parse_group(typed)
        .map(|t| t.join(", "))
        .unwrap_or_default();
    let subject = format!("synonym_group:{number}");
    let mut e = staff.event("synonyms_added");
    e.subject = Some(&subject);
    e.detail = Some(&terms);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    let applied = apply_now(&state).await;
    Ok(redirect("added", number, applied))
}

/// `POST /staff/synonyms/{id}/remove` (admins): removes a group.
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: StaffForm,
) -> Result<Response> {
    let staff = form.staff;
    staff.require(may::ADMIN)?;
    let pool = state.db.pool();
    let now = state.staff.clock.now();
    let mut tx = pool.begin().await?;
    let group = store::remove_group(&mut tx, &id)
        .await?
        .ok_or(StaffError::NotFound)?;
    let subject = format!("synonym_group:{}", group.number);
    let mut e = staff.event("synonyms_removed");
    e.subject = Some(&subject);
    e.detail = Some(&group.terms);
    audit::record(&mut *tx, &now, &e).await?;
    tx.commit().await?;
    let applied = apply_now(&state).await;
    Ok(redirect("removed", group.number, applied))
}
