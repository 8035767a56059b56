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

/// One save-and-return link per draft per hour.
pub const LINK_PER_DRAFT: crate::limit::Rule<'static> = crate::limit::Rule {
    purpose: "resume_link_draft",
    max: 1,
    window: std::time::Duration::from_secs(3600),
};

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
    // One link per draft per hour, and the site's limit per address: the form cannot be used
    // to send links to someone else's mailbox over and over.
    if !ctx.allow_for_draft(&LINK_PER_DRAFT, draft).await
        || !ctx
            .allow_per_hour("resume_link", ctx.submissions_per_hour())
            .await
    {
        tracing::warn!(form = spec.id, "save and return refused: too many links");
        return Ok(ctx
            .too_many("A link to come back to this form was sent less than an hour ago. Your answers are saved on this device.")
            .await);
    }
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
