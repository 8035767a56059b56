//! The shortlist, kept without an account: a cookie holding the ids of the services a visitor
//! added (ids of public listings only: no personal data). Adding and removing are POST forms
//! that redirect back (they work without JavaScript); the list can be printed, copied as text,
//! emailed to the visitor, or sent by a practitioner to a family (both through the outbox,
//! rate-limited per IP address).

use super::pages::{form_error, render_with, render_with_status, service_model};
use super::repo;
use crate::limit::{Rule, Subject};
use crate::mail::{self, NewEmail};
use crate::state::AppState;
use crate::web;
use app::domain::contact::Email;
use app::forms::FieldError;
use app::pages::directory::ServicePageModel;
use app::pages::shortlist::{
    SendFormModel, SendKind, SentModel, ShortlistItem, ShortlistModel, MAX_NOTE, MAX_SHORTLIST,
};
use app::site;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use http::{HeaderMap, HeaderValue, StatusCode};
use std::net::SocketAddr;
use uuid::Uuid;

pub const COOKIE_NAME: &str = "signpost_shortlist";
const MAX_AGE_SECS: u64 = 30 * 24 * 3600;
/// The longest field value looked at (anything longer is refused).
const MAX_FIELD: usize = 4000;

/// The ids on a visitor's shortlist, oldest first: at most [`MAX_SHORTLIST`], each a UUID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shortlist(Vec<Uuid>);

impl Shortlist {
    /// The shortlist in the request's cookie (an unreadable cookie is an empty shortlist).
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self::parse(web::cookie::value(headers, COOKIE_NAME).unwrap_or(""))
    }

    fn parse(value: &str) -> Self {
        let mut ids: Vec<Uuid> = Vec::new();
        for id in value.split('.').filter_map(|s| Uuid::parse_str(s).ok()) {
            if !ids.contains(&id) && ids.len() < MAX_SHORTLIST {
                ids.push(id);
            }
        }
        Self(ids)
    }

    pub fn contains(&self, id: &str) -> bool {
        Uuid::parse_str(id).is_ok_and(|id| self.0.contains(&id))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `id`; false when the shortlist is full.
    fn add(&mut self, id: Uuid) -> bool {
        if self.0.contains(&id) {
            return true;
        }
        if self.0.len() >= MAX_SHORTLIST {
            return false;
        }
        self.0.push(id);
        true
    }

    fn remove(&mut self, id: Uuid) {
        self.0.retain(|i| *i != id);
    }

    fn value(&self) -> String {
        self.0
            .iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The `Set-Cookie` header that stores this shortlist (or deletes the cookie when empty).
    fn set_cookie(&self, secure: bool) -> Option<HeaderValue> {
        let value = self.value();
        let cookie = web::cookie::SetCookie {
            name: COOKIE_NAME,
            value: &value,
            path: "/",
            max_age: Some(if self.0.is_empty() { 0 } else { MAX_AGE_SECS }),
            same_site: web::cookie::SameSite::Lax,
            secure,
        };
        HeaderValue::from_str(&cookie.text()).ok()
    }
}

#[derive(Clone, Copy)]
struct CookieSecure(bool);

/// The shortlist's emails (to yourself and to a family together) from one IP address per hour.
#[derive(Clone, Copy)]
struct EmailsPerHour(u32);

pub fn routes(public_url: &str, submissions_per_hour: u32) -> Router<AppState> {
    Router::new()
        .route("/shortlist", get(list))
        .route("/shortlist/print", get(print))
        .route("/shortlist/add", post(add))
        .route("/shortlist/remove", post(remove))
        .route("/shortlist/email", get(email_form).post(email_send))
        .route("/shortlist/email/sent", get(email_sent))
        .route("/shortlist/send", get(family_form).post(family_send))
        .route("/shortlist/send/sent", get(family_sent))
        .layer(Extension(EmailsPerHour(submissions_per_hour)))
        .layer(Extension(CookieSecure(public_url.starts_with("https://"))))
}

/// The form's fields (the first value of each name), or `None` when the body is not a form or a
/// value is absurdly long.
fn form_fields(body: &[u8]) -> Option<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    pairs
        .iter()
        .all(|(_, v)| v.chars().count() <= MAX_FIELD)
        .then_some(pairs)
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// Where to go back to: a path on this site, never another site.
fn safe_back(back: &str) -> &str {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && back.len() <= 2000
        && !back.chars().any(|c| c.is_control());
    if local {
        back
    } else {
        "/shortlist"
    }
}

fn see_other(to: &str, cookie: Option<HeaderValue>) -> Response {
    web::redirect::see_other_with_cookie(to, cookie)
}

fn bad_request(message: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, message).into_response()
}

/// The request's form fields (see [`form_fields`]).
async fn body_fields(body: Body) -> Option<Vec<(String, String)>> {
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.ok()?;
    form_fields(&bytes)
}

/// `POST /shortlist/add` and `/shortlist/remove`: `id`, and `back` (where to return).
async fn change(state: &AppState, secure: CookieSecure, req: Request<Body>, add: bool) -> Response {
    let mut shortlist = Shortlist::from_headers(req.headers());
    let Some(pairs) = body_fields(req.into_body()).await else {
        return bad_request("The form could not be read. Go back and try again.");
    };
    let Ok(id) = Uuid::parse_str(&field(&pairs, "id")) else {
        return bad_request("That is not a service in the directory. Go back and try again.");
    };
    let back = field(&pairs, "back");
    let mut back = safe_back(&back).to_owned();
    // From the results page: back to the same card.
    if back.starts_with("/search") && !back.contains('#') {
        back = format!("{back}#result-{id}");
    }
    if add {
        match repo::get_listed_service(state.db.pool(), &id.to_string()).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return bad_request("That service is not in the directory any more.");
            }
            Err(e) => {
                tracing::error!(error = %e, "shortlist: reading the service failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
        if !shortlist.add(id) {
            return see_other("/shortlist?full=1", None);
        }
    } else {
        shortlist.remove(id);
    }
    see_other(&back, shortlist.set_cookie(secure.0))
}

async fn add(
    State(state): State<AppState>,
    Extension(secure): Extension<CookieSecure>,
    req: Request<Body>,
) -> Response {
    change(&state, secure, req, true).await
}

async fn remove(
    State(state): State<AppState>,
    Extension(secure): Extension<CookieSecure>,
    req: Request<Body>,
) -> Response {
    change(&state, secure, req, false).await
}

/// The services on the shortlist that are still listed, as their page models.
async fn services(
    state: &AppState,
    shortlist: &Shortlist,
) -> Result<Vec<ServicePageModel>, Response> {
    let mut out = Vec::new();
    for id in &shortlist.0 {
        match repo::get_listed_service(state.db.pool(), &id.to_string()).await {
            Ok(Some(s))
                if super::model::Status::parse(&s.status)
                    != Some(super::model::Status::Archived) =>
            {
                out.push(service_model(s));
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "shortlist: reading services failed");
                return Err(StatusCode::SERVICE_UNAVAILABLE.into_response());
            }
        }
    }
    Ok(out)
}

fn item(s: &ServicePageModel) -> ShortlistItem {
    let mut contacts = Vec::new();
    for c in &s.contacts {
        for p in &c.phones {
            contacts.push(format!("Phone: {}", p.display));
        }
        if let Some(email) = &c.email {
            contacts.push(format!("Email: {email}"));
        }
    }
    if let Some(email) = &s.email {
        contacts.push(format!("Email: {email}"));
    }
    if let Some(url) = &s.website {
        contacts.push(format!("Website: {url}"));
    }
    contacts.dedup();
    ShortlistItem {
        id: s.id.clone(),
        name: s.name.clone(),
        organisation: s.organisation.clone(),
        summary: s.summary.clone(),
        contacts,
        address: s
            .places
            .first()
            .map(|p| p.address_lines.join(", "))
            .filter(|a| !a.is_empty()),
        when: s.schedules.iter().map(|l| l.summary.clone()).collect(),
    }
}

/// One short line for a text message: the name and the first way to get in touch.
fn text_line(item: &ShortlistItem) -> String {
    let contact = item
        .contacts
        .first()
        .map(|c| {
            c.split_once(": ")
                .map_or(c.as_str(), |(_, value)| value)
                .to_owned()
        })
        .unwrap_or_else(|| "see the directory".to_owned());
    format!("{} – {contact}", item.name)
}

fn as_text(items: &[ShortlistItem]) -> String {
    items.iter().map(text_line).collect::<Vec<_>>().join("\n")
}

async fn show(state: AppState, req: Request<Body>, print: bool) -> Response {
    let shortlist = Shortlist::from_headers(req.headers());
    let services = match services(&state, &shortlist).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let items: Vec<ShortlistItem> = services.iter().map(item).collect();
    let model = ShortlistModel {
        text: as_text(&items),
        items,
        print,
    };
    render_with(&state, model, req).await
}

async fn list(State(state): State<AppState>, req: Request<Body>) -> Response {
    show(state, req, false).await
}

async fn print(State(state): State<AppState>, req: Request<Body>) -> Response {
    show(state, req, true).await
}

async fn email_form(State(state): State<AppState>, req: Request<Body>) -> Response {
    form(state, req, SendKind::ToMyself).await
}

async fn family_form(State(state): State<AppState>, req: Request<Body>) -> Response {
    form(state, req, SendKind::ToFamily).await
}

async fn form(state: AppState, req: Request<Body>, kind: SendKind) -> Response {
    let count = Shortlist::from_headers(req.headers()).len();
    let model = SendFormModel {
        kind,
        count,
        ..SendFormModel::default()
    };
    render_with(&state, model, req).await
}

async fn email_sent(State(state): State<AppState>, req: Request<Body>) -> Response {
    render_with(
        &state,
        SentModel {
            kind: SendKind::ToMyself,
        },
        req,
    )
    .await
}

async fn family_sent(State(state): State<AppState>, req: Request<Body>) -> Response {
    render_with(
        &state,
        SentModel {
            kind: SendKind::ToFamily,
        },
        req,
    )
    .await
}

async fn email_send(
    State(state): State<AppState>,
    Extension(limit): Extension<EmailsPerHour>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Response {
    send(state, limit, peer, req, SendKind::ToMyself).await
}

async fn family_send(
    State(state): State<AppState>,
    Extension(limit): Extension<EmailsPerHour>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Response {
    send(state, limit, peer, req, SendKind::ToFamily).await
}

/// Checks the form: the recipient, and for a family the sender's name and organisation and the
/// note's length.
fn check(model: &SendFormModel) -> (Option<Email>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let email = if model.email.is_empty() {
        errors.push(form_error(
            "email",
            match model.kind {
                SendKind::ToMyself => "Enter your email address",
                SendKind::ToFamily => "Enter the family's email address",
            },
        ));
        None
    } else {
        match Email::parse(&model.email) {
            Ok(e) => Some(e),
            Err(_) => {
                errors.push(form_error(
                    "email",
                    "Enter an email address in the correct format, like name@example.com",
                ));
                None
            }
        }
    };
    if model.kind == SendKind::ToFamily {
        for (name, value, missing) in [
            ("name", &model.name, "Enter your name"),
            (
                "organisation",
                &model.organisation,
                "Enter your organisation",
            ),
        ] {
            if value.is_empty() {
                errors.push(form_error(name, missing));
            } else if value.chars().count() > 100 {
                errors.push(form_error(name, "Enter 100 characters or fewer"));
            } else if has_link(value) {
                errors.push(form_error(name, "Remove the web address"));
            }
        }
        if model.note.chars().count() > MAX_NOTE {
            errors.push(form_error(
                "note",
                "Your note must be 1,000 characters or fewer",
            ));
        } else if has_link(&model.note) {
            errors.push(form_error(
                "note",
                "Remove web addresses from your note: the list already links to each service",
            ));
        }
    }
    (email, errors)
}

/// Whether `text` holds something a mail program would turn into a link (a web address, a
/// bare domain such as `example.com/x`, or an email address): the family email's note, name
/// and organisation may not carry links from a stranger in a message from the council.
fn has_link(text: &str) -> bool {
    let lower = text.to_lowercase();
    if ["http:", "https:", "www.", "://", "@", "mailto:"]
        .iter()
        .any(|p| lower.contains(p))
    {
        return true;
    }
    // A bare domain: letters or digits, a dot, then two or more letters (example.com, bit.ly).
    lower
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | '\''))
        .any(|word| {
            let word = word.trim_end_matches(['.', ',', ';', ':', '!', '?']);
            match word.split_once('.') {
                Some((left, right)) => {
                    !left.is_empty()
                        && left.chars().all(|c| c.is_alphanumeric() || c == '-')
                        && right.split(['/', '?', '#']).next().is_some_and(|host| {
                            host.rsplit('.').next().is_some_and(|tld| {
                                tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
                            })
                        })
                }
                None => false,
            }
        })
}

/// The email's text: the services with their contacts and links.
fn body(
    public_url: &str,
    kind: SendKind,
    model: &SendFormModel,
    items: &[ShortlistItem],
) -> String {
    let mut out = String::new();
    match kind {
        SendKind::ToMyself => out.push_str("Here is the shortlist of services you made.\n\n"),
        SendKind::ToFamily => {
            out.push_str(&format!(
                "{} from {} has sent you some services that might help.\n\n\
                 This list was sent by someone who used our website. We have not checked who they \
                 are. If you did not expect it, you can ignore this email.\n\n",
                model.name, model.organisation
            ));
            if !model.note.is_empty() {
                out.push_str(&format!("Their note:\n{}\n\n", model.note));
            }
        }
    }
    for (i, item) in items.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, item.name));
        for line in item
            .organisation
            .iter()
            .chain(&item.when)
            .chain(&item.address)
            .chain(&item.contacts)
        {
            out.push_str(&format!("   {line}\n"));
        }
        out.push_str(&format!(
            "   More about it: {public_url}/services/{}\n\n",
            item.id
        ));
    }
    out.push_str(&format!(
        "From {} ({}): {public_url}/search\nIf you need help, call the Family Information Service on {} ({}).\n",
        site::SERVICE_NAME,
        site::COUNCIL_NAME,
        site::FIS_PHONE,
        site::FIS_HOURS
    ));
    out
}

async fn send(
    state: AppState,
    limit: EmailsPerHour,
    peer: SocketAddr,
    req: Request<Body>,
    kind: SendKind,
) -> Response {
    let shortlist = Shortlist::from_headers(req.headers());
    let (parts, body_stream) = req.into_parts();
    let Some(pairs) = body_fields(body_stream).await else {
        return bad_request("The form could not be read. Go back and try again.");
    };
    let req = Request::from_parts(parts, Body::empty());
    let mut model = SendFormModel {
        kind,
        count: shortlist.len(),
        email: field(&pairs, "email"),
        name: field(&pairs, "name"),
        organisation: field(&pairs, "organisation"),
        note: field(&pairs, "note"),
        errors: Vec::new(),
    };
    if shortlist.is_empty() {
        return see_other("/shortlist", None);
    }
    let (email, errors) = check(&model);
    model.errors = errors;
    let to = email.and_then(|e| e.as_str().parse().ok());
    let Some(to) = to.filter(|_| model.errors.is_empty()) else {
        if model.errors.is_empty() {
            model.errors.push(form_error(
                "email",
                "Enter an email address in the correct format, like name@example.com",
            ));
        }
        return render_with_status(&state, model, req, StatusCode::BAD_REQUEST).await;
    };
    let rule = Rule::per_hour("shortlist_email", limit.0);
    if !state.limits.allow(&rule, Subject::Ip(peer.ip())).await {
        model.errors.push(form_error(
            "email",
            "Too many emails have been sent from this connection. Try again in an hour, or call the Family Information Service",
        ));
        return render_with_status(&state, model, req, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let services = match services(&state, &shortlist).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let items: Vec<ShortlistItem> = services.iter().map(item).collect();
    let settings = state.mail.settings.clone();
    let (kind_name, subject) = match kind {
        SendKind::ToMyself => ("shortlist", "Your shortlist of services".to_owned()),
        // A fixed subject: nothing the sender typed goes into a header.
        SendKind::ToFamily => (
            "shortlist_to_family",
            "Services that might help you".to_owned(),
        ),
    };
    let email = NewEmail {
        kind: kind_name,
        to,
        subject,
        body: body(&state.site.public_url, kind, &model, &items),
    };
    let stored = async {
        let mut tx = state.db.pool().begin().await?;
        mail::enqueue(&mut tx, &email, settings.message_id_domain()).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, "shortlist: storing the email failed");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    state.mail.wake();
    see_other(
        match kind {
            SendKind::ToMyself => "/shortlist/email/sent",
            SendKind::ToFamily => "/shortlist/send/sent",
        },
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_keeps_ids_once_in_order_and_ignores_junk() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let s = Shortlist::parse(&format!("{a}.junk.{b}.{a}.<script>"));
        assert_eq!(s.0, vec![a, b]);
        assert_eq!(Shortlist::parse(&s.value()), s);
        assert!(s.contains(&b.to_string()));
        assert!(!s.contains("not-an-id"));
    }

    #[test]
    fn the_shortlist_is_bounded() {
        let mut s = Shortlist::default();
        for _ in 0..MAX_SHORTLIST {
            assert!(s.add(Uuid::new_v4()));
        }
        assert!(!s.add(Uuid::new_v4()), "full");
        let long = (0..MAX_SHORTLIST + 5)
            .map(|_| Uuid::new_v4().to_string())
            .collect::<Vec<_>>()
            .join(".");
        assert_eq!(Shortlist::parse(&long).len(), MAX_SHORTLIST);
    }

    #[test]
    fn back_links_stay_on_this_site() {
        assert_eq!(
            safe_back("/search?q=swim#result-1"),
            "/search?q=swim#result-1"
        );
        assert_eq!(safe_back("https://evil.example/"), "/shortlist");
        assert_eq!(safe_back("//evil.example/"), "/shortlist");
        assert_eq!(safe_back("/\\evil.example"), "/shortlist");
        assert_eq!(safe_back(""), "/shortlist");
    }

    #[test]
    fn each_service_is_one_short_line() {
        let item = ShortlistItem {
            name: "Tots Play".into(),
            contacts: vec!["Phone: 01632 960 123".into(), "Email: a@b.example".into()],
            ..ShortlistItem::default()
        };
        assert_eq!(text_line(&item), "Tots Play – 01632 960 123");
    }

    #[test]
    fn links_are_found_in_a_note() {
        for link in [
            "see https://evil.example",
            "www.evil.example",
            "go to evil.example/claim",
            "bit.ly/x",
            "write to me@evil.example",
            "EVIL.COM",
        ] {
            assert!(has_link(link), "{link}");
        }
        for plain in [
            "See you on Tuesday.",
            "Call 01632 960 123 after 3 p.m.",
            "Ages 5-11. Free",
            "",
        ] {
            assert!(!has_link(plain), "{plain}");
        }
    }

    #[test]
    fn a_family_needs_a_sender_and_a_valid_address() {
        let model = SendFormModel {
            kind: SendKind::ToFamily,
            email: "not an email".into(),
            note: "x".repeat(MAX_NOTE + 1),
            ..SendFormModel::default()
        };
        let (email, errors) = check(&model);
        assert!(email.is_none());
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "organisation", "note"]);
    }
}
