//! Save and return, for every form of the engine: `POST {base}/save` emails a link that works
//! once, for the draft's lifetime ([`drafts::LIFETIME`]); `GET {base}/resume/{token}` exchanges
//! it for a new draft cookie.

use super::drafts;
use super::{redirect_with, see_other, typed_mailbox, Finish, FormContext, Result};
use crate::mail::{self, NewEmail};
use crate::web;
use app::forms::view::FormPage;
use app::forms::{FieldError, FormSpec, Submitted};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

/// `POST {base}/save`: emails a link to come back to the draft.
pub(super) async fn save_link<F: Finish>(
    ctx: &FormContext<F>,
    submitted: &Submitted,
) -> Result<Response> {
    let spec = ctx.spec();
    let Some(draft) = ctx.open_draft() else {
        return Ok(see_other(spec.base));
    };
    let (typed, to) = typed_mailbox(submitted);
    let to = match to {
        Ok(to) => to,
        Err(message) => {
            return Ok(ctx
                .render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FormPage::Save {
                        spec,
                        email: typed,
                        errors: vec![FieldError {
                            field: "email".into(),
                            target: "email".into(),
                            message,
                        }],
                    },
                )
                .await)
        }
    };
    let token = web::token::new_token();
    let state = &ctx.state;
    let settings = &state.mail.settings;
    let (subject, body) = resume_link(&state.site.public_url, &token, spec);
    let mut tx = state.db.pool().begin().await?;
    drafts::set_resume_token(&mut tx, &state.clock, &draft.id, &token).await?;
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
    // They chose to come back later: the cookie now lasts as long as the draft (it is a session
    // cookie until then, for shared devices).
    let keep = ctx.token.as_deref().map(|t| ctx.form.keep_cookie(t));
    Ok(redirect_with(&format!("{}/saved", spec.base), keep))
}

/// `GET {base}/resume/{token}`: the link from the save-and-return email.
pub(super) async fn resume<F: Finish>(
    ctx: FormContext<F>,
    Path(token): Path<String>,
) -> Result<Response> {
    let spec = ctx.spec();
    let cookie = if web::token::looks_like_token(&token) {
        drafts::resume(ctx.state.db.pool(), &ctx.state.clock, &token).await?
    } else {
        None
    };
    match cookie {
        Some(cookie) => Ok(redirect_with(
            &format!("{}/tasks", spec.base),
            // Back by the link they asked for: they chose to keep the answers.
            Some(ctx.form.keep_cookie(&cookie)),
        )),
        None => Ok(ctx
            .render(
                StatusCode::NOT_FOUND,
                FormPage::Message {
                    title: "This link has expired or has already been used",
                    paragraphs: vec![
                        format!(
                            "Links to come back to a form work once, for {} days.",
                            drafts::LIFETIME_DAYS
                        ),
                        "If you still have the device you started on, your answers may still be saved there. Otherwise you can start a new request.".into(),
                    ],
                },
            )
            .await),
    }
}

/// The save-and-return email: the link and nothing the person typed.
pub fn resume_link(public_url: &str, token: &str, spec: &FormSpec) -> (String, String) {
    let subject = format!("Your link to come back to: {}", spec.title);
    let body = format!(
        "Use this link to come back to your answers:\n\
         \n\
         {public_url}{base}/resume/{token}\n\
         \n\
         The link works once, for {days} days. If you did not ask for it, you can ignore this email.\n\
         \n\
         {service}\n",
        base = spec.base,
        days = drafts::LIFETIME_DAYS,
        service = app::site::COUNCIL_NAME,
    );
    (subject, body)
}
