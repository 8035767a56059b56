//! The audit log: who did what, when, to which request or account, and from which address.
//! Every view of a request's personal data, every decision, export and account change is
//! written here; admins read and filter it at `/staff/audit`. The details never hold a
//! family's personal data (references and ids only).

use super::roles::may;
use super::Staff;
use crate::staff::view;
use crate::staff::view::form::{Button, Select, Table, TextInput};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;
use sqlx::AnyPool;

/// One thing to record.
pub struct Event<'a> {
    pub actor_id: Option<&'a str>,
    pub actor_email: Option<&'a str>,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// Records `event` at `at` (RFC 3339), on any executor (a pool or a transaction).
pub async fn record<'e, E>(executor: E, at: &str, event: &Event<'_>) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_event (id, at, actor_id, actor_email, action, subject, reference, \
         detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(at)
    .bind(event.actor_id)
    .bind(event.actor_email)
    .bind(event.action)
    .bind(event.subject)
    .bind(event.reference)
    .bind(event.detail)
    .bind(event.ip)
    .execute(executor)
    .await?;
    Ok(())
}

/// Retention (run by `crate::retention`): blanks the IP addresses, and the email addresses
/// typed into the sign-in form (failed sign-ins have no account), of entries older than
/// `ip_days`; deletes entries older than `days`. Returns how many entries changed.
pub async fn purge(
    pool: &AnyPool,
    clock: &crate::clock::Clock,
    ip_days: u32,
    days: u32,
) -> Result<u64, sqlx::Error> {
    let before = |d: u32| crate::clock::Clock::system_at(clock.unix() - i64::from(d) * 86_400);
    let blanked = sqlx::query(
        "UPDATE audit_event SET ip = NULL, \
         actor_email = CASE WHEN actor_id IS NULL AND action LIKE 'sign_in%' THEN NULL \
         ELSE actor_email END \
         WHERE at < $1 AND (ip IS NOT NULL OR (actor_id IS NULL AND action LIKE 'sign_in%' \
         AND actor_email IS NOT NULL))",
    )
    .bind(before(ip_days))
    .execute(pool)
    .await?
    .rows_affected();
    let deleted = sqlx::query("DELETE FROM audit_event WHERE at < $1")
        .bind(before(days))
        .execute(pool)
        .await?
        .rows_affected();
    Ok(blanked + deleted)
}

/// A row of the log as the admin page shows it.
#[derive(Debug, Clone)]
pub struct Row {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub reference: String,
    pub detail: String,
    pub ip: String,
}

/// Filters for the admin page (empty: any).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reference: String,
    /// YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The newest `limit` rows matching `filter`.
pub async fn search(pool: &AnyPool, filter: &Filter, limit: i64) -> Result<Vec<Row>, sqlx::Error> {
    use sqlx::Row as _;
    let mut sql = String::from(
        "SELECT at, COALESCE(actor_email, ''), action, COALESCE(subject, ''), \
         COALESCE(reference, ''), COALESCE(detail, ''), COALESCE(ip, '') FROM audit_event \
         WHERE 1 = 1",
    );
    let mut binds: Vec<String> = Vec::new();
    let mut add = |sql: &mut String, clause: &str, value: String| {
        binds.push(value);
        sql.push_str(&clause.replace("?", &format!("${}", binds.len())));
    };
    if !filter.actor.trim().is_empty() {
        add(
            &mut sql,
            " AND actor_email = ?",
            filter.actor.trim().to_lowercase(),
        );
    }
    if !filter.action.trim().is_empty() {
        add(&mut sql, " AND action = ?", filter.action.trim().to_owned());
    }
    if !filter.reference.trim().is_empty() {
        add(
            &mut sql,
            " AND reference = ?",
            filter.reference.trim().to_uppercase(),
        );
    }
    if app::domain::IsoDate::parse(filter.from.trim()).is_ok() {
        add(&mut sql, " AND at >= ?", filter.from.trim().to_owned());
    }
    if app::domain::IsoDate::parse(filter.to.trim()).is_ok() {
        // Everything on that day sorts before the next character after 'T'.
        add(&mut sql, " AND at < ?", format!("{}U", filter.to.trim()));
    }
    sql.push_str(&format!(
        " ORDER BY at DESC, id DESC LIMIT {}",
        limit.clamp(1, 1000)
    ));
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Row {
                at: r.try_get(0)?,
                actor: r.try_get(1)?,
                action: r.try_get(2)?,
                subject: r.try_get(3)?,
                reference: r.try_get(4)?,
                detail: r.try_get(5)?,
                ip: r.try_get(6)?,
            })
        })
        .collect()
}

/// The actions recorded, for the filter's select.
pub const ACTIONS: &[&str] = &[
    "sign_in",
    "sign_in_failed",
    "sign_in_locked",
    "second_factor_failed",
    "recovery_code_used",
    "totp_enrolled",
    "sign_out",
    "sign_out_everywhere",
    "user_created",
    "user_disabled",
    "second_factor_reset",
    "synonyms_added",
    "synonyms_removed",
    "role_changed",
    "password_set",
    "password_changed",
    "view_request",
    "assign",
    "decision",
    "export",
    "service_reviewed",
    "service_archived",
    "service_created",
    "service_edited",
    "service_given_back",
    "taxonomy_mapped",
    "suggestion_rejected",
    "report_resolved",
    "close",
    "retention_purge",
    "audit_viewed",
];

/// `GET /staff/audit` (admins): the log, newest first, filtered. Reading it is audited too.
pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(filter): Query<Filter>,
) -> super::Result<Response> {
    staff.require(may::ADMIN)?;
    let pool = state.db.pool();
    let rows = search(pool, &filter, 500).await?;
    let mut e = staff.event("audit_viewed");
    let detail = format!(
        "actor={} action={} reference={} from={} to={}",
        filter.actor, filter.action, filter.reference, filter.from, filter.to
    );
    e.detail = Some(&detail);
    record(pool, &state.staff.clock.now(), &e).await?;
    Ok(view::page(
        StatusCode::OK,
        "Audit log",
        Some(&staff),
        move || log_view(filter, rows),
    ))
}

fn log_view(filter: Filter, rows: Vec<Row>) -> impl IntoView {
    let caption = format!(
        "{} event{}, newest first",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    let actions: Vec<(String, String)> = std::iter::once((String::new(), "Any".to_owned()))
        .chain(ACTIONS.iter().map(|a| ((*a).to_owned(), (*a).to_owned())))
        .collect();
    let filter_input = |name: &'static str, label: &'static str, value: String| {
        view! {
            <TextInput name=name label=label value=value error=None
                width="govuk-input--width-20" label_class="govuk-label" no_spellcheck=true/>
        }
    };
    view! {
        <h1 class="govuk-heading-l">"Audit log"</h1>
        <form method="get" action="/staff/audit">
            {filter_input("actor", "Who (email address)", filter.actor)}
            <Select name="action" label="Action" options=actions chosen=filter.action error=None
                label_class="govuk-label"/>
            {filter_input("reference", "Reference", filter.reference)}
            {filter_input("from", "From date (YYYY-MM-DD)", filter.from)}
            {filter_input("to", "To date (YYYY-MM-DD)", filter.to)}
            <Button text="Filter" class="govuk-button--secondary"/>
        </form>
        <Table
            caption=caption
            id="audit"
            heads=vec!["When (UTC)", "Who", "What", "Reference", "Subject", "Detail", "From"]
        >
            {rows
                .into_iter()
                .map(|r| {
                    view! {
                        <tr class="govuk-table__row">
                            <td class="govuk-table__cell">{r.at}</td>
                            <td class="govuk-table__cell">{r.actor}</td>
                            <td class="govuk-table__cell">{r.action}</td>
                            <td class="govuk-table__cell">{r.reference}</td>
                            <td class="govuk-table__cell">{r.subject}</td>
                            <td class="govuk-table__cell">{r.detail}</td>
                            <td class="govuk-table__cell">{r.ip}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}
