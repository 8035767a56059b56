//! The Early Help request for support at `/request-support`: the form (`app::forms::early_help`)
//! served by the form engine (`crate::forms`), and its own finish step — one transaction
//! storing the request, opening its case in the Hub's triage queue (`crate::cases`) and putting
//! the triage email and the acknowledgement in the outbox — its confirmation page, and the
//! family status page ([`status`]).

pub mod emails;
pub mod status;

use crate::cases;
use crate::config::Settings;
use crate::forms::drafts::{self, Draft};
use crate::forms::{self, Finish, Form, FormContext, FormError};
use crate::mail::{self, NewEmail};
use crate::state::AppState;
use app::forms::early_help::{self as eh, SPEC};
use app::forms::{FormData, FormSpec};
use app::pages::request_support::RequestSent;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Router;

type Result<T> = std::result::Result<T, FormError>;

/// The routes of the request for support (the start page and the safety page are ordinary
/// Leptos routes in `app`).
pub fn routes(settings: &Settings) -> Router<AppState> {
    forms::routes(Form::new(&SPEC, RequestForSupport, settings)).merge(status::routes())
}

/// The request for support's finish step: store the request and email the Hub.
pub struct RequestForSupport;

impl Finish for RequestForSupport {
    fn done(&self, spec: &'static FormSpec) -> String {
        format!("{}/confirmation", spec.base)
    }

    async fn confirmation(&self, ctx: &FormContext<Self>) -> Result<Response> {
        let spec = ctx.spec();
        let Some((_, reference)) = ctx.finished_draft() else {
            return Ok(forms::see_other(spec.base));
        };
        let acknowledged = acknowledged(&ctx.state, reference).await?;
        let page = RequestSent {
            reference: reference.to_owned(),
            acknowledged,
        };
        Ok(ctx.render(StatusCode::OK, page).await)
    }

    async fn finish(
        &self,
        state: &AppState,
        _spec: &'static FormSpec,
        draft: &Draft,
    ) -> Result<()> {
        store_request(state, draft).await?;
        state.mail.wake();
        Ok(())
    }
}

/// Whether the acknowledgement email went out (the requester gave an address that is safe to
/// use).
async fn acknowledged(state: &AppState, reference: &str) -> Result<bool> {
    use sqlx::Row;
    let row = sqlx::query("SELECT answers FROM early_help_request WHERE reference = $1")
        .bind(reference)
        .fetch_optional(state.db.pool())
        .await?;
    let Some(row) = row else { return Ok(false) };
    let answers: String = row.try_get(0)?;
    let data: FormData = serde_json::from_str(&answers).unwrap_or_default();
    Ok(eh::acknowledgement_address(&data).is_some())
}

/// One transaction: mark the draft sent (only if it was not already), store the request and
/// put the triage email and the acknowledgement in the outbox.
async fn store_request(state: &AppState, draft: &Draft) -> Result<Option<String>> {
    let data = &draft.data;
    let reference = app::forms::reference(SPEC.reference_prefix, rand::random());
    let id = uuid::Uuid::new_v4().to_string();
    let received_at = state.clock.now();
    let outcode = app::domain::Postcode::parse(data.value("postcode"))
        .ok()
        .map(|p| p.outcode().to_string());
    let flags = eh::urgency_flags(data, forms::today(&state.clock)?);
    let settings = &state.mail.settings;
    let mut tx = state.db.pool().begin().await?;
    // First statement of the transaction, so SQLite takes its write lock here and a concurrent
    // second submit waits, then finds the draft already sent.
    // The draft keeps only the reference, for the confirmation page, for a short time.
    let claimed = sqlx::query(
        "UPDATE form_draft SET submitted_reference = $1, answers = '{}', updated_at = $2, \
         expires_at = $3 WHERE id = $4 AND submitted_reference IS NULL",
    )
    .bind(&reference)
    .bind(state.clock.now_millis())
    .bind(drafts::finished_expiry(
        &state.clock,
        state.retention.summary,
    ))
    .bind(&draft.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        tx.rollback().await?;
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO early_help_request (id, reference, draft_id, requester_type, outcode, \
         urgency_flags, answers, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(&draft.id)
    .bind(data.value("who"))
    .bind(outcode.clone())
    .bind(serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into()))
    .bind(drafts::json(data))
    .bind(&received_at)
    .execute(&mut *tx)
    .await?;
    // Into the Hub's triage queue (`crate::cases`), in the same transaction.
    let status_token = cases::open_case(
        &mut tx,
        &cases::NewCase {
            id: &id,
            kind: cases::EARLY_HELP,
            reference: &reference,
            received_at: &received_at,
            outcode: outcode.as_deref(),
            urgency_flags: &serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into()),
        },
    )
    .await?;
    let (subject, body) = emails::triage(&emails::TriageFacts {
        reference: &reference,
        request_id: &id,
        received_at: &received_at,
        requester_type: eh::requester_type(data),
        outcode: outcode.as_deref(),
        urgency_flags: &flags,
        public_url: &state.site.public_url,
    });
    let triage = NewEmail {
        kind: "early_help_triage",
        to: settings.hub.clone(),
        subject,
        body,
    };
    mail::enqueue(&mut tx, &triage, settings.message_id_domain()).await?;
    if let Some(to) = eh::acknowledgement_address(data).and_then(|a| a.parse().ok()) {
        let link = format!(
            "{}{}/status/{status_token}",
            state.site.public_url, SPEC.base
        );
        let (subject, body) = emails::acknowledgement(&reference, &link);
        let ack = NewEmail {
            kind: "early_help_acknowledgement",
            to,
            subject,
            body,
        };
        mail::enqueue(&mut tx, &ack, settings.message_id_domain()).await?;
    }
    tx.commit().await?;
    tracing::info!(reference = %reference, "request for support received");
    Ok(Some(reference))
}
