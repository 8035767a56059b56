//! The form engine's server side: the pages of any form described in `app::forms` (questions,
//! add-another lists, interrupts, task list, check answers, save and return), served from a
//! server-side draft ([`drafts`]).
//!
//! A feature registers its form with [`routes`]: the form's [`FormSpec`] and its own [`Finish`]
//! step (what "Accept and send" does and what comes after it). The engine knows nothing about
//! any particular form. Handlers take one [`FormContext`] (the state, the registered form and
//! the browser's draft) and, for POSTs, the [`FormBody`].
//!
//! Every page is a plain HTML form: GET renders the page from the draft (server-side rendering
//! through the Leptos shell), POST validates with the rules in `app::forms`, saves the draft and
//! redirects (303), or renders the page again with the error summary. JavaScript is never
//! needed. The draft is found through a random token in an HttpOnly cookie; no answer ever
//! appears in a URL.

pub mod drafts;
mod pages;
mod save;

use crate::clock;
use crate::config::Settings;
use crate::limit::{Rule, Subject};
use crate::state::AppState;
use crate::web;
use app::forms::view::FormPage;
use app::forms::{FormSpec, Submitted};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use drafts::Draft;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

const COOKIE: &str = "signpost_draft";

/// A form's own finish step, supplied by the feature that owns the form.
pub trait Finish: Send + Sync + 'static {
    /// Where the browser goes after "Accept and send" (also after a second click).
    fn done(&self, spec: &'static FormSpec) -> String;

    /// `GET {base}/confirmation`: what the form shows once it is finished.
    fn confirmation(
        &self,
        ctx: &FormContext<Self>,
    ) -> impl Future<Output = Result<Response>> + Send
    where
        Self: Sized;

    /// Finishes a complete draft (the engine has checked it, the hidden field and the rate
    /// limit). A second finish of the same draft must change nothing.
    fn finish(
        &self,
        state: &AppState,
        spec: &'static FormSpec,
        draft: &Draft,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// A form served by the engine: its questions and its finish step.
pub struct Form<F> {
    pub spec: &'static FormSpec,
    pub finish: F,
    /// "Accept and send" from one IP address per hour (the site's submission limit).
    submissions_per_hour: u32,
    /// New drafts from one IP address per hour.
    drafts_per_hour: u32,
    /// Whether cookies get `Secure` (the public address is https).
    cookie_secure: bool,
}

impl<F: Finish> Form<F> {
    pub fn new(spec: &'static FormSpec, finish: F, settings: &Settings) -> Arc<Self> {
        Arc::new(Self {
            spec,
            finish,
            submissions_per_hour: settings.site.submissions_per_hour,
            drafts_per_hour: settings.site.drafts_per_hour,
            cookie_secure: cookie_secure(settings),
        })
    }

    /// The `Set-Cookie` header for a draft token of this form: a session cookie (gone when the
    /// browser closes).
    pub fn set_cookie(&self, token: &str) -> HeaderValue {
        set_cookie(token, self.cookie_secure, self.spec)
    }

    /// The `Set-Cookie` header that keeps a draft token for the draft's lifetime: only when the
    /// person chose "save and come back later".
    pub fn keep_cookie(&self, token: &str) -> HeaderValue {
        cookie(token, self.cookie_secure, self.spec, Lifetime::Saved)
    }

    /// The `Set-Cookie` header that removes this form's draft cookie.
    pub fn clear_cookie(&self) -> HeaderValue {
        cookie("", self.cookie_secure, self.spec, Lifetime::Gone)
    }

    /// Whether cookies get `Secure` (the public address is https).
    pub fn secure_cookies(&self) -> bool {
        self.cookie_secure
    }
}

/// Whether the engine's cookies get `Secure` (the public address is https).
pub fn cookie_secure(settings: &Settings) -> bool {
    settings.site.is_https()
}

/// The pages of `form` under its base: questions, add-another lists, interrupts, task list,
/// check answers, confirmation, save and return.
pub fn routes<F: Finish>(form: Arc<Form<F>>) -> Router<AppState> {
    let base = form.spec.base;
    Router::new()
        .route(&format!("{base}/resume/{{token}}"), get(save::resume::<F>))
        .route(
            &format!("{base}/{{page}}"),
            get(pages::show::<F>).post(pages::submit_page::<F>),
        )
        .route(
            &format!("{base}/{{page}}/{{number}}"),
            get(pages::show_item::<F>).post(pages::submit_item::<F>),
        )
        .route(
            &format!("{base}/{{page}}/{{number}}/remove"),
            post(pages::remove_item::<F>),
        )
        .layer(Extension(form))
}

/// Why a form request failed.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("the clock is outside the supported dates")]
    Clock,
    #[error("a form route without its form")]
    NotRegistered,
}

impl IntoResponse for FormError {
    fn into_response(self) -> Response {
        // The kind only: the error text could quote answers.
        tracing::error!(error = %self, "form request failed");
        crate::middleware::problem_response("/pkg/signpost.css")
    }
}

pub type Result<T> = std::result::Result<T, FormError>;

/// Everything a form handler needs: the state, the registered form, the draft this browser's
/// cookie points to (sent or not), whether the page was opened to change an answer
/// (`?change=1`), and the URI (for rendering).
pub struct FormContext<F> {
    pub state: AppState,
    pub form: Arc<Form<F>>,
    pub draft: Option<Draft>,
    /// The draft cookie's token as the browser sent it (to keep it longer on "save and come
    /// back later").
    pub token: Option<String>,
    pub change: bool,
    pub uri: Uri,
    /// The visitor's address (`crate::middleware::client_ip`), for the rate limits.
    pub client: IpAddr,
}

#[derive(serde::Deserialize)]
struct ChangeQuery {
    change: Option<String>,
}

impl<F: Finish> FromRequestParts<AppState> for FormContext<F> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Response> {
        let form = parts
            .extensions
            .get::<Arc<Form<F>>>()
            .cloned()
            .ok_or(FormError::NotRegistered)
            .map_err(IntoResponse::into_response)?;
        let Query(query) =
            Query::<ChangeQuery>::try_from_uri(&parts.uri).map_err(IntoResponse::into_response)?;
        let token = web::cookie::token(&parts.headers, COOKIE);
        let draft = match &token {
            Some(token) => drafts::load(state.db.pool(), &state.clock, form.spec.id, token)
                .await
                .map_err(|e| FormError::from(e).into_response())?,
            None => None,
        };
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Ok(Self {
            state: state.clone(),
            form,
            draft,
            token,
            change: query.change.is_some(),
            uri: parts.uri.clone(),
            client,
        })
    }
}

impl<F> FormContext<F> {
    pub fn spec(&self) -> &'static FormSpec {
        self.form.spec
    }

    /// Counts one attempt by this visitor's address under `purpose`, at most `max` an hour
    /// (shared by every server); false when the limit is reached.
    pub async fn allow_per_hour(&self, purpose: &str, max: u32) -> bool {
        self.state
            .limits
            .allow(&Rule::per_hour(purpose, max), Subject::Ip(self.client))
            .await
    }

    /// Counts one attempt on this draft under `rule`; false when the limit is reached.
    pub async fn allow_for_draft(&self, rule: &Rule<'_>, draft: &Draft) -> bool {
        self.state
            .limits
            .allow(rule, Subject::Draft(&draft.id))
            .await
    }

    /// Whether this visitor may start one more draft (`SIGNPOST_DRAFTS_PER_HOUR`, for all the
    /// engine's forms together), counting it.
    pub async fn may_start_draft(&self) -> bool
    where
        F: Finish,
    {
        self.allow_per_hour("draft_start", self.form.drafts_per_hour)
            .await
    }

    /// Whether this visitor may send one more of this form (`SIGNPOST_SUBMISSIONS_PER_HOUR`),
    /// counting it.
    pub async fn may_send(&self) -> bool
    where
        F: Finish,
    {
        let purpose = format!("send:{}", self.spec().id);
        self.allow_per_hour(&purpose, self.form.submissions_per_hour)
            .await
    }

    /// The site's submission limit (`SIGNPOST_SUBMISSIONS_PER_HOUR`).
    pub fn submissions_per_hour(&self) -> u32
    where
        F: Finish,
    {
        self.form.submissions_per_hour
    }

    /// The "too many requests" page (429): `what` has been done too often from this
    /// connection.
    pub async fn too_many(&self, what: &str) -> Response {
        let spec = self.spec();
        self.render(
            StatusCode::TOO_MANY_REQUESTS,
            FormPage::Message {
                title: "Too many requests have been sent from your connection",
                paragraphs: vec![
                    format!("{what} Try again in an hour."),
                    format!("If you need help sooner, {}.", spec.words.phone_instead),
                ],
            },
        )
        .await
    }

    /// The draft still being filled in (a sent draft counts as none: the next answer starts
    /// anew).
    pub fn open_draft(&self) -> Option<&Draft> {
        self.draft
            .as_ref()
            .filter(|d| d.submitted_reference.is_none())
    }

    /// The finished draft, with its reference.
    pub fn finished_draft(&self) -> Option<(&Draft, &str)> {
        let draft = self.draft.as_ref()?;
        Some((draft, draft.submitted_reference.as_deref()?))
    }

    /// Renders a page model (the engine's [`FormPage`] or the form's own) inside the site's
    /// shell, with `status`.
    pub async fn render<T: Clone + Send + Sync + 'static>(
        &self,
        status: StatusCode,
        page: T,
    ) -> Response {
        render(&self.state, &self.uri, status, page).await
    }
}

/// A URL-encoded form body, with repeated names kept (checkboxes). Anything else is a 415.
pub struct FormBody(pub Submitted);

impl<S: Send + Sync> FromRequest<S> for FormBody {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> std::result::Result<Self, Response> {
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        web::form::parse(&headers, &body)
            .map(FormBody)
            .map_err(IntoResponse::into_response)
    }
}

/// The draft cookie's name (one per form: its path is the form's base).
pub const COOKIE_NAME: &str = COOKIE;

/// How long a draft cookie lives in the browser.
enum Lifetime {
    /// Until the browser closes (shared devices): the default.
    Session,
    /// For the draft's lifetime: the person chose "save and come back later".
    Saved,
    /// Removed ("Delete my answers").
    Gone,
}

fn cookie(token: &str, secure: bool, spec: &FormSpec, lifetime: Lifetime) -> HeaderValue {
    web::cookie::SetCookie {
        name: COOKIE,
        value: token,
        path: spec.base,
        max_age: match lifetime {
            Lifetime::Session => None,
            Lifetime::Saved => Some(drafts::LIFETIME.as_secs()),
            Lifetime::Gone => Some(0),
        },
        same_site: web::cookie::SameSite::Lax,
        secure,
    }
    .header()
}

/// The `Set-Cookie` header for a draft token of `spec`: a session cookie.
pub fn set_cookie(token: &str, secure: bool, spec: &FormSpec) -> HeaderValue {
    cookie(token, secure, spec, Lifetime::Session)
}

/// Renders a page model (the engine's [`FormPage`] or a form's own) inside the site's shell,
/// with `status`.
/// Every such page is `Cache-Control: no-store`: form pages, answers, summaries and error
/// re-shows hold what people typed, and must not stay in a shared device's cache.
pub async fn render<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    uri: &Uri,
    status: StatusCode,
    page: T,
) -> Response {
    web::render::no_store(web::render::render_at(&state.leptos_options, uri, status, page).await)
}

/// A 303 to `to`.
pub fn see_other(to: &str) -> Response {
    web::redirect::see_other(to)
}

/// A 303 to `to`, setting the draft cookie when there is one.
pub fn redirect_with(to: &str, cookie: Option<HeaderValue>) -> Response {
    web::redirect::see_other_with_cookie(to, cookie)
}

/// The engine's "Page not found".
pub fn not_found_page() -> FormPage {
    FormPage::Message {
        title: "Page not found",
        paragraphs: vec!["If you typed the web address, check it is correct.".into()],
    }
}

/// Today, for the date rules of the answers.
pub fn today(clock: &clock::Clock) -> Result<app::domain::IsoDate> {
    clock.today().map_err(|_| FormError::Clock)
}

/// The address typed into a form's `email` field (to show again) and, when it is one, the
/// mailbox to send to; otherwise the message for the field.
pub fn typed_mailbox(
    submitted: &[(String, String)],
) -> (
    String,
    std::result::Result<lettre::message::Mailbox, String>,
) {
    let typed = submitted
        .iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let to = app::domain::Email::parse(&typed)
        .map_err(|e| e.to_string())
        .and_then(|email| {
            email.as_str().parse().map_err(|_| {
                "Enter an email address in the correct format, like name@example.com".to_owned()
            })
        });
    (typed, to)
}
