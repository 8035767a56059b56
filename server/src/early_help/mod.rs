//! The Early Help request for support at `/request-support`: the form engine's pages served from
//! a server-side draft, and the submission (one transaction: the request and its two emails).
//!
//! Every page is a plain HTML form: GET renders the page from the draft (server-side rendering
//! through the Leptos shell), POST validates with the rules in `app::forms`, saves the draft and
//! redirects (303), or renders the page again with the error summary. JavaScript is never
//! needed. The draft is found through a random token in an HttpOnly cookie; no answer ever
//! appears in a URL.

pub mod drafts;
pub mod emails;

use crate::clock;
use crate::config::Settings;
use crate::limit::RateLimiter;
use crate::mail::{self, NewEmail};
use crate::startup::AppState;
use crate::web;
use app::forms::early_help::{self as eh, SPEC};
use app::forms::view::FormPage;
use app::forms::{self, FieldError, FormData, FormSpec, Submitted};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use drafts::Draft;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const COOKIE: &str = "signpost_draft";

/// A form served by these handlers, and what finishing it does.
#[derive(Clone, Copy)]
pub struct Form {
    pub spec: &'static FormSpec,
    pub finish: Finish,
}

/// What "Accept and send" does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Store an Early Help request and email the Hub (this module).
    EarlyHelpRequest,
    /// Keep the answers for the carer's summary (`crate::carers`).
    SelfAssessment,
}

/// The routes of the request for support (the start page and the safety page are ordinary
/// Leptos routes in `app`).
pub fn routes(settings: &Settings) -> Router<AppState> {
    form_routes(
        Form {
            spec: &SPEC,
            finish: Finish::EarlyHelpRequest,
        },
        settings,
    )
}

/// The pages of any form of the form engine under its `base`: questions, add-another lists,
/// interrupts, task list, check answers, save and return.
pub fn form_routes(form: Form, settings: &Settings) -> Router<AppState> {
    let limiter = Arc::new(RateLimiter::new(
        settings.site.submissions_per_hour,
        Duration::from_secs(3600),
    ));
    let base = form.spec.base;
    Router::new()
        .route(&format!("{base}/resume/{{token}}"), get(resume))
        .route(&format!("{base}/{{page}}"), get(show).post(submit_page))
        .route(
            &format!("{base}/{{page}}/{{number}}"),
            get(show_item).post(submit_item),
        )
        .route(
            &format!("{base}/{{page}}/{{number}}/remove"),
            post(remove_item),
        )
        .layer(Extension(limiter))
        .layer(Extension(CookieSecure::from(settings)))
        .layer(Extension(form))
}

/// Whether cookies get `Secure` (the public address is https).
#[derive(Clone, Copy)]
pub(crate) struct CookieSecure(bool);

impl CookieSecure {
    pub(crate) fn from(settings: &Settings) -> Self {
        Self(settings.site.is_https())
    }
}

/// Why a form request failed.
#[derive(Debug, thiserror::Error)]
pub enum EarlyHelpError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("the clock is outside the supported dates")]
    Clock,
}

impl IntoResponse for EarlyHelpError {
    fn into_response(self) -> Response {
        // The kind only: the error text could quote answers.
        tracing::error!(error = %self, "request for support failed");
        crate::middleware::problem_response("/pkg/signpost.css")
    }
}

type Result<T> = std::result::Result<T, EarlyHelpError>;

#[derive(serde::Deserialize)]
pub struct ChangeQuery {
    change: Option<String>,
}

impl ChangeQuery {
    fn on(&self) -> bool {
        self.change.is_some()
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    web::cookie::token(headers, COOKIE)
}

pub(crate) fn set_cookie(token: &str, secure: CookieSecure, spec: &FormSpec) -> HeaderValue {
    web::cookie::SetCookie {
        name: COOKIE,
        value: token,
        path: spec.base,
        max_age: Some(drafts::LIFETIME.as_secs()),
        same_site: web::cookie::SameSite::Lax,
        secure: secure.0,
    }
    .header()
}

/// The draft of `spec` this browser's cookie points to (sent or not).
pub(crate) async fn load(
    state: &AppState,
    headers: &HeaderMap,
    spec: &FormSpec,
) -> std::result::Result<Option<Draft>, sqlx::Error> {
    match cookie_token(headers) {
        Some(token) => drafts::load(state.db.pool(), spec.id, &token).await,
        None => Ok(None),
    }
}

/// The draft still being filled in (a sent draft counts as none: the next answer starts anew).
fn open(draft: Option<Draft>) -> Option<Draft> {
    draft.filter(|d| d.submitted_reference.is_none())
}

/// Renders a form page inside the site's shell, with `status`.
pub(crate) async fn render(
    state: &AppState,
    uri: &Uri,
    status: StatusCode,
    page: FormPage,
) -> Response {
    web::render::render_at(&state.leptos_options, uri, status, page).await
}

pub(crate) fn see_other(to: &str) -> Response {
    web::redirect::see_other(to)
}

pub(crate) fn not_found_page() -> FormPage {
    FormPage::Message {
        title: "Page not found",
        paragraphs: vec!["If you typed the web address, check it is correct.".into()],
    }
}

fn today() -> Result<app::domain::IsoDate> {
    clock::today().map_err(|_| EarlyHelpError::Clock)
}

/// `GET /request-support/{page}`.
async fn show(
    State(state): State<AppState>,
    Extension(form): Extension<Form>,
    Path(slug): Path<String>,
    Query(query): Query<ChangeQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response> {
    let spec = form.spec;
    let draft = load(&state, &headers, spec).await?;
    let change = query.on();
    let page = match slug.as_str() {
        "confirmation" if form.finish == Finish::SelfAssessment => {
            return Ok(see_other(&format!("{}/summary", spec.base)));
        }
        "confirmation" => {
            let Some(reference) = draft.and_then(|d| d.submitted_reference) else {
                return Ok(see_other(spec.base));
            };
            let acknowledged = acknowledged(&state, &reference).await?;
            FormPage::Confirmation {
                spec,
                reference,
                acknowledged,
            }
        }
        "tasks" => FormPage::Tasks {
            spec,
            data: open(draft).map(|d| d.data).unwrap_or_default(),
        },
        "check-answers" => {
            let data = open(draft).map(|d| d.data).unwrap_or_default();
            if !spec.is_complete(&data) {
                return Ok(see_other(&format!("{}/tasks", spec.base)));
            }
            FormPage::Check {
                spec,
                data,
                errors: vec![],
            }
        }
        "save" => {
            if open(draft).is_none() {
                return Ok(see_other(spec.base));
            }
            FormPage::Save {
                spec,
                email: String::new(),
                errors: vec![],
            }
        }
        "saved" => FormPage::Saved { spec },
        _ if spec.interrupt_page(&slug).is_some() => {
            let data = open(draft).map(|d| d.data).unwrap_or_default();
            let Some(interrupt) = spec.interrupt_page(&slug) else {
                return Ok(see_other(&format!("{}/tasks", spec.base)));
            };
            // Only straight after the answer that calls for it.
            let Some(page) = spec.interrupted_at(interrupt, &data) else {
                return Ok(see_other(&format!("{}/tasks", spec.base)));
            };
            FormPage::Interrupt {
                spec,
                interrupt,
                continue_to: (!interrupt.blocking)
                    .then(|| spec.next_without_interrupt(page.slug, &data, change)),
                back: with_change(format!("{}/{}", spec.base, page.slug), change),
            }
        }
        _ => {
            let Some((_, page)) = spec.page(&slug) else {
                return Ok(render(&state, &uri, StatusCode::NOT_FOUND, not_found_page()).await);
            };
            let data = open(draft).map(|d| d.data).unwrap_or_default();
            if !page.is_visible(&data) {
                return Ok(see_other(&format!("{}/tasks", spec.base)));
            }
            let back = if change {
                format!("{}/check-answers", spec.base)
            } else {
                spec.back_from(page.slug, &data)
            };
            match page.list {
                Some(list) => {
                    let items = data.list(list.key).to_vec();
                    if items.is_empty() && list.min > 0 {
                        let to = format!("{}/{}/1", spec.base, page.slug);
                        return Ok(see_other(&with_change(to, change)));
                    }
                    FormPage::ListSummary {
                        spec,
                        page,
                        items,
                        errors: vec![],
                        change,
                        back,
                    }
                }
                None => FormPage::Question {
                    spec,
                    page,
                    values: data.values.clone(),
                    errors: vec![],
                    change,
                    back,
                },
            }
        }
    };
    Ok(render(&state, &uri, StatusCode::OK, page).await)
}

fn with_change(path: String, change: bool) -> String {
    if change {
        format!("{path}?change=1")
    } else {
        path
    }
}

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

/// A URL-encoded form body, with repeated names kept (checkboxes). Anything else is a 415.
pub(crate) fn parse_form(
    headers: &HeaderMap,
    body: &Bytes,
) -> std::result::Result<Submitted, Box<Response>> {
    web::form::parse(headers, body).map_err(|e| Box::new(e.into_response()))
}

/// Saves `data` into the draft, creating it (and its cookie) when there is none yet.
async fn store(
    state: &AppState,
    spec: &'static FormSpec,
    draft: Option<&Draft>,
    data: &FormData,
    secure: CookieSecure,
) -> Result<Option<HeaderValue>> {
    match draft {
        Some(d) => {
            drafts::save(state.db.pool(), &d.id, data).await?;
            Ok(None)
        }
        None => {
            let (_, token) = drafts::create(state.db.pool(), spec.id, data).await?;
            Ok(Some(set_cookie(&token, secure, spec)))
        }
    }
}

pub(crate) fn redirect_with(to: &str, cookie: Option<HeaderValue>) -> Response {
    web::redirect::see_other_with_cookie(to, cookie)
}

/// `POST /request-support/{page}`.
#[allow(clippy::too_many_arguments)]
async fn submit_page(
    State(state): State<AppState>,
    Extension(form): Extension<Form>,
    Extension(limiter): Extension<Arc<RateLimiter>>,
    Extension(secure): Extension<CookieSecure>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    Query(query): Query<ChangeQuery>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response> {
    let spec = form.spec;
    let submitted = match parse_form(&headers, &body) {
        Ok(s) => s,
        Err(response) => return Ok(*response),
    };
    let draft = load(&state, &headers, spec).await?;
    match slug.as_str() {
        "check-answers" => {
            return send(&state, form, &limiter, peer, draft, &submitted, &uri).await
        }
        "save" => return save_link(&state, spec, open(draft), &submitted, &uri).await,
        _ => {}
    }
    let Some((_, page)) = spec.page(&slug) else {
        return Ok(render(&state, &uri, StatusCode::NOT_FOUND, not_found_page()).await);
    };
    let draft = open(draft);
    let mut data = draft.as_ref().map(|d| d.data.clone()).unwrap_or_default();
    if !page.is_visible(&data) {
        return Ok(see_other(&format!("{}/tasks", spec.base)));
    }
    let change = query.on();
    if let Some(list) = page.list {
        let items = data.list(list.key).len();
        let answer = forms::first(
            &submitted
                .iter()
                .cloned()
                .fold(forms::Fields::new(), |mut m, (k, v)| {
                    m.entry(k).or_default().push(v);
                    m
                }),
            "add_another",
        )
        .to_owned();
        return match answer.as_str() {
            "yes" if items < list.max => Ok(see_other(&with_change(
                format!("{}/{}/{}", spec.base, page.slug, items + 1),
                change,
            ))),
            "no" | "yes" if items >= list.min => {
                data.done.insert(page.slug.into());
                let cookie = store(&state, spec, draft.as_ref(), &data, secure).await?;
                Ok(redirect_with(
                    &spec.next_after(page.slug, &data, change),
                    cookie,
                ))
            }
            _ => {
                let message = if answer == "no" {
                    format!("Add at least {} {}", list.min, list.item)
                } else if items == 0 {
                    format!("Select yes if you want to add {}", article(list.item))
                } else {
                    format!("Select yes if you need to add another {}", list.item)
                };
                let back = spec.back_from(page.slug, &data);
                Ok(render(
                    &state,
                    &uri,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FormPage::ListSummary {
                        spec,
                        page,
                        items: data.list(list.key).to_vec(),
                        errors: vec![FieldError {
                            field: "add_another".into(),
                            target: "add_another".into(),
                            message,
                        }],
                        change,
                        back,
                    },
                )
                .await)
            }
        };
    }
    match forms::validate(page.fields, &submitted, today()?) {
        Ok(answers) => {
            for field in page.fields {
                match answers.get(field.name) {
                    Some(v) => data.values.insert(field.name.into(), v.clone()),
                    None => data.values.remove(field.name),
                };
            }
            data.done.insert(page.slug.into());
            spec.prune(&mut data);
            let cookie = store(&state, spec, draft.as_ref(), &data, secure).await?;
            Ok(redirect_with(
                &spec.next_after(page.slug, &data, change),
                cookie,
            ))
        }
        Err((typed, errors)) => {
            let back = if change {
                format!("{}/check-answers", spec.base)
            } else {
                spec.back_from(page.slug, &data)
            };
            Ok(render(
                &state,
                &uri,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormPage::Question {
                    spec,
                    page,
                    values: typed,
                    errors,
                    change,
                    back,
                },
            )
            .await)
        }
    }
}

fn article(item: &str) -> String {
    match item.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {item}"),
        _ => format!("a {item}"),
    }
}

/// The list page and item number of `/request-support/{page}/{number}`, if both exist.
fn list_item(
    spec: &'static FormSpec,
    slug: &str,
    number: &str,
    data: &FormData,
) -> Option<(&'static forms::Page, &'static forms::ListSpec, usize)> {
    let (_, page) = spec.page(slug)?;
    let list = page.list?;
    let number: usize = number.parse().ok()?;
    let len = data.list(list.key).len();
    (number >= 1 && number <= (len + 1).min(list.max) && page.is_visible(data))
        .then_some((page, list, number))
}

/// `GET /request-support/{page}/{number}`: one item of an add-another list.
async fn show_item(
    State(state): State<AppState>,
    Extension(form): Extension<Form>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<ChangeQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response> {
    let spec = form.spec;
    let data = open(load(&state, &headers, spec).await?)
        .map(|d| d.data)
        .unwrap_or_default();
    let Some((page, list, number)) = list_item(spec, &slug, &number, &data) else {
        return Ok(render(&state, &uri, StatusCode::NOT_FOUND, not_found_page()).await);
    };
    let values = data
        .list(list.key)
        .get(number - 1)
        .cloned()
        .unwrap_or_default();
    let page = FormPage::ListItem {
        spec,
        page,
        number,
        values,
        errors: vec![],
        change: query.on(),
    };
    Ok(render(&state, &uri, StatusCode::OK, page).await)
}

/// `POST /request-support/{page}/{number}`.
#[allow(clippy::too_many_arguments)]
async fn submit_item(
    State(state): State<AppState>,
    Extension(form): Extension<Form>,
    Extension(secure): Extension<CookieSecure>,
    Path((slug, number)): Path<(String, String)>,
    Query(query): Query<ChangeQuery>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response> {
    let spec = form.spec;
    let submitted = match parse_form(&headers, &body) {
        Ok(s) => s,
        Err(response) => return Ok(*response),
    };
    let draft = open(load(&state, &headers, spec).await?);
    let mut data = draft.as_ref().map(|d| d.data.clone()).unwrap_or_default();
    let Some((page, list, number)) = list_item(spec, &slug, &number, &data) else {
        return Ok(render(&state, &uri, StatusCode::NOT_FOUND, not_found_page()).await);
    };
    let change = query.on();
    match forms::validate(list.fields, &submitted, today()?) {
        Ok(answers) => {
            let items = data.lists.entry(list.key.into()).or_default();
            if number <= items.len() {
                items[number - 1] = answers;
            } else {
                items.push(answers);
            }
            let cookie = store(&state, spec, draft.as_ref(), &data, secure).await?;
            let to = with_change(format!("{}/{}", spec.base, page.slug), change);
            Ok(redirect_with(&to, cookie))
        }
        Err((typed, errors)) => Ok(render(
            &state,
            &uri,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormPage::ListItem {
                spec,
                page,
                number,
                values: typed,
                errors,
                change,
            },
        )
        .await),
    }
}

/// `POST /request-support/{page}/{number}/remove`.
async fn remove_item(
    State(state): State<AppState>,
    Extension(form): Extension<Form>,
    Path((slug, number)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response> {
    let spec = form.spec;
    let Some(draft) = open(load(&state, &headers, spec).await?) else {
        return Ok(see_other(spec.base));
    };
    let mut data = draft.data.clone();
    let Some((page, list, number)) = list_item(spec, &slug, &number, &data) else {
        return Ok(render(&state, &uri, StatusCode::NOT_FOUND, not_found_page()).await);
    };
    let items = data.lists.entry(list.key.into()).or_default();
    if number <= items.len() {
        items.remove(number - 1);
    }
    if items.len() < list.min {
        data.done.remove(page.slug);
    }
    drafts::save(state.db.pool(), &draft.id, &data).await?;
    Ok(see_other(&format!("{}/{}", spec.base, page.slug)))
}

/// `POST /request-support/check-answers`: sends the request, once.
#[allow(clippy::too_many_arguments)]
async fn send(
    state: &AppState,
    form: Form,
    limiter: &RateLimiter,
    peer: SocketAddr,
    draft: Option<Draft>,
    submitted: &Submitted,
    uri: &Uri,
) -> Result<Response> {
    let spec = form.spec;
    let confirmation = match form.finish {
        Finish::EarlyHelpRequest => format!("{}/confirmation", spec.base),
        Finish::SelfAssessment => format!("{}/summary", spec.base),
    };
    let Some(draft) = draft else {
        return Ok(see_other(spec.base));
    };
    // A second click, a refresh or a replay of this POST: the request exists already.
    if draft.submitted_reference.is_some() {
        return Ok(see_other(&confirmation));
    }
    let honeypot = submitted
        .iter()
        .any(|(k, v)| k == "website" && !v.trim().is_empty());
    if honeypot {
        tracing::warn!("request for support refused: the hidden field was filled in");
        return Ok(render(
            state,
            uri,
            StatusCode::BAD_REQUEST,
            FormPage::Message {
                title: "Your request could not be sent",
                paragraphs: vec![
                    "Something about this request looked automated, so we did not send it.".into(),
                    format!(
                        "Please {} and we will take your answers by phone.",
                        spec.words.phone_instead
                    ),
                ],
            },
        )
        .await);
    }
    if !spec.is_complete(&draft.data) {
        return Ok(see_other(&format!("{}/tasks", spec.base)));
    }
    if !limiter.allow(peer.ip()) {
        tracing::warn!("request for support refused: too many submissions from one address");
        return Ok(render(
            state,
            uri,
            StatusCode::TOO_MANY_REQUESTS,
            FormPage::Message {
                title: "Too many requests have been sent from your connection",
                paragraphs: vec![
                    "Your answers are saved. Try sending your request again in an hour.".into(),
                    format!("If you need help sooner, {}.", spec.words.phone_instead),
                ],
            },
        )
        .await);
    }
    match form.finish {
        Finish::EarlyHelpRequest => {
            store_request(state, &draft).await?;
            state.mail.wake();
        }
        Finish::SelfAssessment => {
            crate::carers::finish(state, spec, &draft).await?;
        }
    }
    Ok(see_other(&confirmation))
}

/// One transaction: mark the draft sent (only if it was not already), store the request and
/// put the triage email and the acknowledgement in the outbox.
async fn store_request(state: &AppState, draft: &Draft) -> Result<Option<String>> {
    let data = &draft.data;
    let reference = forms::reference(SPEC.reference_prefix, rand::random());
    let id = uuid::Uuid::new_v4().to_string();
    let received_at = clock::now();
    let outcode = app::domain::Postcode::parse(data.value("postcode"))
        .ok()
        .map(|p| p.outcode().to_string());
    let flags = eh::urgency_flags(data, today()?);
    let settings = &state.mail.settings;
    let mut tx = state.db.pool().begin().await?;
    // First statement of the transaction, so SQLite takes its write lock here and a concurrent
    // second submit waits, then finds the draft already sent.
    let claimed = sqlx::query(
        "UPDATE form_draft SET submitted_reference = $1, answers = '{}', updated_at = $2 \
         WHERE id = $3 AND submitted_reference IS NULL",
    )
    .bind(&reference)
    .bind(clock::timestamp_millis(SystemTime::now()))
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
    // Into the Hub's triage queue (server/src/staff/triage.rs), in the same transaction.
    let status_token = crate::staff::triage::open_case(
        &mut tx,
        &crate::staff::triage::NewCase {
            id: &id,
            kind: crate::staff::triage::EARLY_HELP,
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

/// `POST /request-support/save`: emails a link to come back to the draft.
async fn save_link(
    state: &AppState,
    spec: &'static FormSpec,
    draft: Option<Draft>,
    submitted: &Submitted,
    uri: &Uri,
) -> Result<Response> {
    let Some(draft) = draft else {
        return Ok(see_other(spec.base));
    };
    let typed = submitted
        .iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let email = match app::domain::Email::parse(&typed) {
        Ok(email) => email,
        Err(e) => {
            return Ok(render(
                state,
                uri,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormPage::Save {
                    spec,
                    email: typed,
                    errors: vec![FieldError {
                        field: "email".into(),
                        target: "email".into(),
                        message: e.to_string(),
                    }],
                },
            )
            .await)
        }
    };
    let Ok(to) = email.as_str().parse() else {
        return Ok(render(
            state,
            uri,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormPage::Save {
                spec,
                email: typed,
                errors: vec![FieldError {
                    field: "email".into(),
                    target: "email".into(),
                    message: "Enter an email address in the correct format, like name@example.com"
                        .into(),
                }],
            },
        )
        .await);
    };
    let token = drafts::new_token();
    let settings = &state.mail.settings;
    let (subject, body) = emails::resume_link(&state.site.public_url, &token, spec);
    let mut tx = state.db.pool().begin().await?;
    drafts::set_resume_token(&mut tx, &draft.id, &token).await?;
    mail::enqueue(
        &mut tx,
        &NewEmail {
            kind: "form_resume_link",
            to,
            subject,
            body,
        },
        settings.message_id_domain(),
    )
    .await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(see_other(&format!("{}/saved", spec.base)))
}

/// `GET /request-support/resume/{token}`: the link from the save-and-return email.
async fn resume(
    State(state): State<AppState>,
    Extension(form): Extension<Form>,
    Extension(secure): Extension<CookieSecure>,
    Path(token): Path<String>,
    uri: Uri,
) -> Result<Response> {
    let spec = form.spec;
    let valid = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let cookie = if valid {
        drafts::resume(state.db.pool(), &token).await?
    } else {
        None
    };
    match cookie {
        Some(cookie) => Ok(redirect_with(
            &format!("{}/tasks", spec.base),
            Some(set_cookie(&cookie, secure, spec)),
        )),
        None => Ok(render(
            &state,
            &uri,
            StatusCode::NOT_FOUND,
            FormPage::Message {
                title: "This link has expired or has already been used",
                paragraphs: vec![
                    "Links to come back to a form work once, for 30 days.".into(),
                    "If you still have the device you started on, your answers may still be saved there. Otherwise you can start a new request.".into(),
                ],
            },
        )
        .await),
    }
}

/// Deletes expired drafts every hour until `stopped`. Started by the application.
pub async fn purge_drafts(db: crate::db::Db) {
    loop {
        match drafts::purge_expired(db.pool()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "deleted expired form drafts"),
            Err(_) => tracing::warn!("could not delete expired form drafts"),
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}
