//! The carer self-assessments at `/carers/self-assessment` and `/young-carers/self-assessment`.
//!
//! Their pages are the form engine's (`crate::forms`) with this module's finish step,
//! [`SelfAssessment`]: finishing keeps the answers with the draft and gives them a reference; the summary page then shows the answers, the directory's services that match them
//! (through the `Search` facade, with why each is shown), a print view, an email to the carer
//! themselves, and "ask the team to contact me", which stores a referral (status `new`) and emails
//! the team the reference and a link to the staff portal only, in one transaction.

mod emails;

use crate::cases;
use crate::config::Settings;
use crate::directory::repo;
use crate::forms::drafts::{self, Draft};
use crate::forms::{self, Finish, Form, FormBody, FormContext};
use crate::mail::{self, NewEmail};
use crate::search::{Filters, Near, QueryText, SearchQuery, SortOrder};
use crate::state::AppState;
use app::domain::{Postcode, TimeOfDayBand};
use app::forms::carers::summary::{MatchedNeed, MatchedService, Summary};
use app::forms::carers::{self as rules, When, ADULT, YOUNG};
use app::forms::{FieldError, FormData, FormSpec};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};

/// How far "near your postcode" reaches, in metres.
pub const NEAR_METRES: u32 = 15_000;
/// Services shown for each matching rule.
pub const PER_NEED: u32 = 3;

/// Why a carers' page failed.
#[derive(Debug, thiserror::Error)]
pub enum CarersError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

impl From<CarersError> for forms::FormError {
    fn from(error: CarersError) -> Self {
        match error {
            CarersError::Database(e) => Self::Database(e),
        }
    }
}

impl IntoResponse for CarersError {
    fn into_response(self) -> Response {
        // The kind only: the error text could quote answers.
        tracing::error!(error = %self, "carer self-assessment failed");
        crate::middleware::problem_response("/pkg/signpost.css")
    }
}

type Result<T> = std::result::Result<T, CarersError>;

/// Both forms' pages and their summaries.
pub fn routes(settings: &Settings) -> Router<AppState> {
    let mut router = Router::new();
    for spec in [&ADULT, &YOUNG] {
        let form = Form::new(spec, SelfAssessment, settings);
        let base = spec.base;
        let summary = Router::new()
            .route(&format!("{base}/summary"), get(summary))
            .route(&format!("{base}/summary/print"), get(print))
            .route(&format!("{base}/summary/contact"), post(contact))
            .route(&format!("{base}/summary/email"), post(email_summary))
            .route(&format!("{base}/summary/early-help"), post(tell_us_once))
            .layer(Extension(form.clone()));
        router = router.merge(forms::routes(form)).merge(summary);
    }
    router
}

/// The self-assessments' finish step: the answers stay with the draft for the summary.
pub struct SelfAssessment;

impl Finish for SelfAssessment {
    fn done(&self, spec: &'static FormSpec) -> String {
        format!("{}/summary", spec.base)
    }

    /// There is no confirmation page: the summary is it.
    async fn confirmation(&self, ctx: &FormContext<Self>) -> forms::Result<Response> {
        Ok(forms::see_other(&self.done(ctx.spec())))
    }

    async fn finish(
        &self,
        state: &AppState,
        spec: &'static FormSpec,
        draft: &Draft,
    ) -> forms::Result<()> {
        Ok(finish(state, spec, draft).await?)
    }
}

/// Finishes a self-assessment: gives the draft its reference and keeps its answers for the
/// summary (nothing is sent anywhere). A second finish changes nothing.
async fn finish(
    state: &AppState,
    spec: &FormSpec,
    draft: &Draft,
) -> std::result::Result<(), sqlx::Error> {
    let reference = app::forms::reference(spec.reference_prefix, rand::random());
    let mut tx = state.db.pool().begin().await?;
    // The summary can be read for a short time only (`SIGNPOST_SUMMARY_MINUTES`), then the
    // answers are deleted: a shared device must not show them for days.
    let finished = sqlx::query(
        "UPDATE form_draft SET submitted_reference = $1, updated_at = $2, expires_at = $3 \
         WHERE id = $4 AND submitted_reference IS NULL",
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
    if finished == 1 {
        // The KPI's record: which form and the day, nothing about the carer.
        sqlx::query(
            "INSERT INTO self_assessment_outcome (id, form, completed_on) VALUES ($1, $2, $3)",
        )
        .bind(&draft.id)
        .bind(spec.id)
        .bind(today_text(&state.clock))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    tracing::info!(reference = %reference, form = spec.id, "carer self-assessment finished");
    Ok(())
}

/// Today (UTC) as `YYYY-MM-DD`, or empty if the clock is before 1970.
fn today_text(clock: &crate::clock::Clock) -> String {
    clock.today().map(|d| d.to_string()).unwrap_or_default()
}

/// A carers' page: the state, the self-assessment and the browser's draft.
type Ctx = FormContext<SelfAssessment>;

/// The finished draft this browser holds, with its reference.
fn finished(ctx: &Ctx) -> Option<(Draft, String)> {
    ctx.finished_draft()
        .map(|(draft, reference)| (draft.clone(), reference.to_owned()))
}

#[derive(serde::Deserialize)]
pub struct SummaryQuery {
    sent: Option<String>,
}

/// What `{base}/summary` answers without a finished draft: the form while one is being filled
/// in, otherwise 404 (never finished here, deleted, or past its short life).
async fn no_summary(ctx: &Ctx) -> Response {
    if ctx.open_draft().is_some() {
        return forms::see_other(&format!("{}/tasks", ctx.spec().base));
    }
    let page = app::forms::view::FormPage::Message {
        title: "There is no summary to show",
        paragraphs: vec![
            format!(
                "A summary can be seen on the device that finished the form, for {} minutes. \
                 After that, or after \"Delete my answers\", the answers are deleted.",
                ctx.state.retention.summary_minutes()
            ),
            format!(
                "You can fill in the form again at {}{}.",
                ctx.state.site.public_url,
                ctx.spec().base
            ),
        ],
    };
    ctx.render(StatusCode::NOT_FOUND, page).await
}

/// `GET {base}/summary`.
async fn summary(ctx: Ctx, Query(query): Query<SummaryQuery>) -> Result<Response> {
    let Some((draft, reference)) = finished(&ctx) else {
        return Ok(no_summary(&ctx).await);
    };
    let spec = ctx.spec();
    let page = summary_model(&ctx.state, spec, draft, reference, false).await?;
    let page = Summary {
        emailed: query.sent.as_deref() == Some("email"),
        ..page
    };
    Ok(ctx.render(StatusCode::OK, page).await)
}

/// `GET {base}/summary/print`: the answers and services only.
async fn print(ctx: Ctx) -> Result<Response> {
    let Some((draft, reference)) = finished(&ctx) else {
        return Ok(no_summary(&ctx).await);
    };
    let spec = ctx.spec();
    let page = summary_model(&ctx.state, spec, draft, reference, true).await?;
    Ok(ctx.render(StatusCode::OK, page).await)
}

async fn summary_model(
    state: &AppState,
    spec: &'static FormSpec,
    draft: Draft,
    reference: String,
    print: bool,
) -> Result<Summary> {
    let referred = sqlx::query("SELECT id FROM carer_referral WHERE draft_id = $1")
        .bind(&draft.id)
        .fetch_optional(state.db.pool())
        .await?
        .is_some();
    let matches = matching_services(state, spec, &draft.data).await?;
    let urgent = (rules::is_young(spec) && rules::safeguarding(&draft.data))
        .then_some(&rules::IMMEDIATE_HELP);
    Ok(Summary {
        spec,
        reference,
        data: draft.data,
        matches,
        team: rules::team_name(spec),
        referred,
        urgent,
        emailed: false,
        print,
        email: String::new(),
        errors: Vec::new(),
        minutes: state.retention.summary_minutes(),
    })
}

/// Runs each matching rule through the directory's search: nearest first when the postcode is
/// known (within [`NEAR_METRES`]), otherwise in the search's own order.
pub async fn matching_services(
    state: &AppState,
    spec: &FormSpec,
    data: &FormData,
) -> Result<Vec<MatchedNeed>> {
    let place = match Postcode::parse(data.value("postcode")) {
        Ok(postcode) => {
            let mut conn = state.db.pool().acquire().await?;
            repo::locate_postcode(&mut conn, &postcode).await?
        }
        Err(_) => None,
    };
    let mut matched = Vec::new();
    for need in rules::matches(spec, data) {
        let filters = Filters {
            categories: need.categories.iter().map(|c| (*c).to_owned()).collect(),
            age: need.age,
            times: match need.when {
                When::Evening => vec![TimeOfDayBand::Evening],
                When::Any => Vec::new(),
            },
            ..Filters::default()
        };
        let near = place
            .filter(|_| need.near)
            .and_then(|(lat, lon)| Near::new(lat, lon, Some(NEAR_METRES)).ok());
        let sort = if near.is_some() {
            SortOrder::Distance
        } else {
            SortOrder::Relevance
        };
        let services =
            match SearchQuery::new(QueryText::default(), filters, near, sort, 1, PER_NEED) {
                Ok(query) => match state.search.search(&query).await {
                    Ok(results) => results
                        .hits
                        .into_iter()
                        .map(|hit| MatchedService {
                            id: hit.id,
                            name: hit.name.into_iter().map(|s| s.text).collect(),
                            summary: hit.summary.into_iter().map(|s| s.text).collect(),
                            distance: hit.distance_metres.map(crate::directory::pages::miles),
                        })
                        .collect(),
                    Err(e) => {
                        // The summary still shows; the carer is told nothing matched and where to
                        // search.
                        tracing::warn!(error = %e, "matching services: search failed");
                        Vec::new()
                    }
                },
                Err(_) => Vec::new(),
            };
        matched.push(MatchedNeed {
            why: need.why,
            services,
        });
    }
    Ok(matched)
}

/// `POST {base}/summary/contact`: stores the referral and emails the team, once.
async fn contact(ctx: Ctx) -> Result<Response> {
    let spec = ctx.spec();
    let state = &ctx.state;
    let Some((draft, reference)) = finished(&ctx) else {
        return Ok(forms::see_other(spec.base));
    };
    let to = format!("{}/summary#contact-me", spec.base);
    let data = &draft.data;
    let flags = rules::urgency_flags(spec, data);
    let urgent = rules::is_urgent(&flags);
    let outcode = Postcode::parse(data.value("postcode"))
        .ok()
        .map(|p| p.outward().to_owned());
    let id = uuid::Uuid::new_v4().to_string();
    let now = state.clock.now();
    let settings = &state.mail.settings;
    let flags_json = serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into());
    let mut tx = state.db.pool().begin().await?;
    // Insert first, so SQLite takes its write lock here and a concurrent second click waits,
    // then inserts nothing.
    let inserted = sqlx::query(
        "INSERT INTO carer_referral (id, reference, form, draft_id, status, urgent, \
         urgency_flags, outcode, answers, created_at, updated_at) \
         SELECT $1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10 \
         WHERE NOT EXISTS (SELECT 1 FROM carer_referral WHERE draft_id = $11)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(spec.id)
    .bind(&draft.id)
    .bind(i64::from(urgent))
    .bind(flags_json.clone())
    .bind(outcode.clone())
    .bind(drafts::json(data))
    .bind(&now)
    .bind(&now)
    .bind(&draft.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted != 1 {
        tx.rollback().await?;
        return Ok(forms::see_other(&to));
    }
    sqlx::query("UPDATE self_assessment_outcome SET referred_on = $1 WHERE id = $2")
        .bind(today_text(&state.clock))
        .bind(&draft.id)
        .execute(&mut *tx)
        .await?;
    // Into the carers team's triage queue (the staff portal), in the same transaction.
    cases::open_case(
        &mut tx,
        &cases::NewCase {
            id: &id,
            kind: cases::CARERS_REFERRAL,
            reference: &reference,
            received_at: &now,
            outcode: outcode.as_deref(),
            urgency_flags: &flags_json,
        },
    )
    .await?;
    let (subject, body) = emails::team(&emails::TeamFacts {
        reference: &reference,
        referral_id: &id,
        form: spec,
        urgent,
        received_at: &now,
        public_url: &state.site.public_url,
    });
    let recipient = if rules::is_young(spec) {
        settings.young_carers_team.clone()
    } else {
        settings.carers_team.clone()
    };
    mail::enqueue(
        &mut tx,
        &NewEmail {
            kind: "carer_referral_team",
            to: recipient,
            subject,
            body,
        },
        settings.message_id_domain(),
    )
    .await?;
    tx.commit().await?;
    state.mail.wake();
    tracing::info!(reference = %reference, urgent, "carer referral stored");
    Ok(forms::see_other(&to))
}

/// A carer's summary may be emailed 3 times per draft per day.
pub const SUMMARY_PER_DRAFT: crate::limit::Rule<'static> = crate::limit::Rule {
    purpose: "summary_email_draft",
    max: 3,
    window: std::time::Duration::from_secs(24 * 3600),
};

/// `POST {base}/summary/email`: the carer's own copy of their summary, through the outbox.
async fn email_summary(ctx: Ctx, FormBody(submitted): FormBody) -> Result<Response> {
    let spec = ctx.spec();
    let state = &ctx.state;
    let Some((draft, reference)) = finished(&ctx) else {
        return Ok(forms::see_other(spec.base));
    };
    let (typed, to) = forms::typed_mailbox(&submitted);
    // Only ever to the address the carer gave in their answers: the form cannot be used to send
    // the council's email, with text typed into it, to anyone else.
    let own = rules::own_email(spec, &draft.data);
    let to = to.and_then(|to| {
        if own.trim().is_empty() {
            Err("You did not give an email address in your answers, so we cannot email your summary. You can print it or save it as a PDF instead".to_owned())
        } else if !typed.trim().eq_ignore_ascii_case(own.trim()) {
            Err("Enter the email address you gave in your answers".to_owned())
        } else {
            Ok(to)
        }
    });
    let to = match to {
        Ok(to) => to,
        Err(message) => {
            let page = summary_model(state, spec, draft, reference, false).await?;
            let page = Summary {
                email: typed,
                errors: vec![FieldError {
                    field: "email".into(),
                    target: "email".into(),
                    message,
                }],
                ..page
            };
            return Ok(ctx.render(StatusCode::UNPROCESSABLE_ENTITY, page).await);
        }
    };
    if !ctx.allow_for_draft(&SUMMARY_PER_DRAFT, &draft).await
        || !ctx
            .allow_per_hour("summary_email", ctx.submissions_per_hour())
            .await
    {
        tracing::warn!(form = spec.id, "summary email refused: too many sent");
        return Ok(ctx
            .too_many("Your summary has been emailed as many times as we allow for now. Your answers are still here.")
            .await);
    }
    let matches = matching_services(state, spec, &draft.data).await?;
    let settings = &state.mail.settings;
    let (subject, text) = emails::own_copy(
        spec,
        &draft.data,
        &reference,
        &matches,
        &state.site.public_url,
    );
    let mut tx = state.db.pool().begin().await?;
    mail::enqueue(
        &mut tx,
        &NewEmail {
            kind: "carer_summary_copy",
            to,
            subject,
            body: text,
        },
        settings.message_id_domain(),
    )
    .await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(forms::see_other(&format!(
        "{}/summary?sent=email#email-summary",
        spec.base
    )))
}

/// `POST {base}/summary/early-help`: "tell us once". Starts an Early Help request from the
/// carer's contact details and what they want to change, and opens its task list.
async fn tell_us_once(ctx: Ctx) -> Result<Response> {
    let spec = ctx.spec();
    let Some((draft, _)) = ctx.finished_draft() else {
        return Ok(forms::see_other(spec.base));
    };
    let Some(carried) = rules::early_help_answers(spec, &draft.data) else {
        return Ok(forms::see_other(&format!("{}/summary", spec.base)));
    };
    let eh = &app::forms::early_help::SPEC;
    if !ctx.may_start_draft().await {
        return Ok(ctx
            .too_many("Too many forms have been started from your connection.")
            .await);
    }
    let (_, token) = drafts::create(ctx.state.db.pool(), &ctx.state.clock, eh.id, &carried).await?;
    Ok(forms::redirect_with(
        &format!("{}/tasks", eh.base),
        Some(forms::set_cookie(&token, ctx.form.secure_cookies(), eh)),
    ))
}
