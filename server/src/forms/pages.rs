//! The engine's page handlers for any form under its base: questions, interrupts, task list,
//! check answers (and "Accept and send", which calls the form's [`Finish`] step), and the items
//! of add-another lists.

use super::drafts;
use super::{
    not_found_page, redirect_with, save, see_other, today, Finish, FormBody, FormContext, Result,
};
use app::forms::view::FormPage;
use app::forms::{self, FieldError, FormData, FormSpec, Submitted};
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

fn with_change(path: String, change: bool) -> String {
    if change {
        format!("{path}?change=1")
    } else {
        path
    }
}

/// The answers of the draft still being filled in (none yet: empty).
fn open_data<F>(ctx: &FormContext<F>) -> FormData {
    ctx.open_draft().map(|d| d.data.clone()).unwrap_or_default()
}

/// `GET {base}/{page}`.
pub(super) async fn show<F: Finish>(
    ctx: FormContext<F>,
    Path(slug): Path<String>,
) -> Result<Response> {
    let spec = ctx.spec();
    let change = ctx.change;
    let page = match slug.as_str() {
        "confirmation" => return ctx.form.finish.confirmation(&ctx).await,
        "tasks" => FormPage::Tasks {
            spec,
            data: open_data(&ctx),
        },
        "check-answers" => {
            let data = open_data(&ctx);
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
            if ctx.open_draft().is_none() {
                return Ok(see_other(spec.base));
            }
            FormPage::Save {
                spec,
                email: String::new(),
                errors: vec![],
            }
        }
        "saved" => FormPage::Saved { spec },
        "answers-deleted" => FormPage::Deleted { spec },
        _ if spec.interrupt_page(&slug).is_some() => {
            let data = open_data(&ctx);
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
                return Ok(ctx.render(StatusCode::NOT_FOUND, not_found_page()).await);
            };
            let data = open_data(&ctx);
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
    Ok(ctx.render(StatusCode::OK, page).await)
}

/// Why the draft limit's 429 page is shown.
const TOO_MANY_DRAFTS: &str =
    "Too many forms have been started from your connection, so we did not save this answer.";

/// Saves `data` into the open draft, creating it (and its cookie) when there is none yet.
async fn store<F: Finish>(ctx: &FormContext<F>, data: &FormData) -> Result<Option<HeaderValue>> {
    let pool = ctx.state.db.pool();
    match ctx.open_draft() {
        Some(d) => {
            drafts::save(pool, &ctx.state.clock, &d.id, data).await?;
            Ok(None)
        }
        None => {
            let (_, token) = drafts::create(pool, &ctx.state.clock, ctx.spec().id, data).await?;
            Ok(Some(ctx.form.set_cookie(&token)))
        }
    }
}

/// `POST {base}/{page}`.
pub(super) async fn submit_page<F: Finish>(
    ctx: FormContext<F>,
    Path(slug): Path<String>,
    FormBody(submitted): FormBody,
) -> Result<Response> {
    let spec = ctx.spec();
    match slug.as_str() {
        "check-answers" => return send(&ctx, &submitted).await,
        "save" => return save::save_link(&ctx, &submitted).await,
        "delete-answers" => return delete_answers(&ctx).await,
        _ => {}
    }
    let Some((_, page)) = spec.page(&slug) else {
        return Ok(ctx.render(StatusCode::NOT_FOUND, not_found_page()).await);
    };
    let mut data = open_data(&ctx);
    if !page.is_visible(&data) {
        return Ok(see_other(&format!("{}/tasks", spec.base)));
    }
    let change = ctx.change;
    if let Some(list) = page.list {
        return add_another(&ctx, page, list, data, &submitted).await;
    }
    match forms::validate(page.fields, &submitted, today(&ctx.state.clock)?) {
        Ok(answers) => {
            for field in page.fields {
                match answers.get(field.name) {
                    Some(v) => data.values.insert(field.name.into(), v.clone()),
                    None => data.values.remove(field.name),
                };
            }
            data.done.insert(page.slug.into());
            spec.prune(&mut data);
            if ctx.open_draft().is_none() && !ctx.may_start_draft().await {
                return Ok(ctx.too_many(TOO_MANY_DRAFTS).await);
            }
            let cookie = store(&ctx, &data).await?;
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
            Ok(ctx
                .render(
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

/// The answer to "Do you need to add another?" on an add-another list's summary page.
async fn add_another<F: Finish>(
    ctx: &FormContext<F>,
    page: &'static forms::Page,
    list: &'static forms::ListSpec,
    mut data: FormData,
    submitted: &Submitted,
) -> Result<Response> {
    let spec = ctx.spec();
    let change = ctx.change;
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
    match answer.as_str() {
        "yes" if items < list.max => Ok(see_other(&with_change(
            format!("{}/{}/{}", spec.base, page.slug, items + 1),
            change,
        ))),
        "no" | "yes" if items >= list.min => {
            data.done.insert(page.slug.into());
            let cookie = store(ctx, &data).await?;
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
            Ok(ctx
                .render(
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
    }
}

fn article(item: &str) -> String {
    match item.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {item}"),
        _ => format!("a {item}"),
    }
}

/// The list page and item number of `{base}/{page}/{number}`, if both exist.
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

/// `GET {base}/{page}/{number}`: one item of an add-another list.
pub(super) async fn show_item<F: Finish>(
    ctx: FormContext<F>,
    Path((slug, number)): Path<(String, String)>,
) -> Result<Response> {
    let spec = ctx.spec();
    let data = open_data(&ctx);
    let Some((page, list, number)) = list_item(spec, &slug, &number, &data) else {
        return Ok(ctx.render(StatusCode::NOT_FOUND, not_found_page()).await);
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
        change: ctx.change,
    };
    Ok(ctx.render(StatusCode::OK, page).await)
}

/// `POST {base}/{page}/{number}`.
pub(super) async fn submit_item<F: Finish>(
    ctx: FormContext<F>,
    Path((slug, number)): Path<(String, String)>,
    FormBody(submitted): FormBody,
) -> Result<Response> {
    let spec = ctx.spec();
    let mut data = open_data(&ctx);
    let Some((page, list, number)) = list_item(spec, &slug, &number, &data) else {
        return Ok(ctx.render(StatusCode::NOT_FOUND, not_found_page()).await);
    };
    let change = ctx.change;
    match forms::validate(list.fields, &submitted, today(&ctx.state.clock)?) {
        Ok(answers) => {
            let items = data.lists.entry(list.key.into()).or_default();
            if number <= items.len() {
                items[number - 1] = answers;
            } else {
                items.push(answers);
            }
            if ctx.open_draft().is_none() && !ctx.may_start_draft().await {
                return Ok(ctx.too_many(TOO_MANY_DRAFTS).await);
            }
            let cookie = store(&ctx, &data).await?;
            let to = with_change(format!("{}/{}", spec.base, page.slug), change);
            Ok(redirect_with(&to, cookie))
        }
        Err((typed, errors)) => Ok(ctx
            .render(
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

/// `POST {base}/{page}/{number}/remove`.
pub(super) async fn remove_item<F: Finish>(
    ctx: FormContext<F>,
    Path((slug, number)): Path<(String, String)>,
) -> Result<Response> {
    let spec = ctx.spec();
    let Some(draft) = ctx.open_draft() else {
        return Ok(see_other(spec.base));
    };
    let mut data = draft.data.clone();
    let Some((page, list, number)) = list_item(spec, &slug, &number, &data) else {
        return Ok(ctx.render(StatusCode::NOT_FOUND, not_found_page()).await);
    };
    let items = data.lists.entry(list.key.into()).or_default();
    if number <= items.len() {
        items.remove(number - 1);
    }
    if items.len() < list.min {
        data.done.remove(page.slug);
    }
    drafts::save(ctx.state.db.pool(), &ctx.state.clock, &draft.id, &data).await?;
    Ok(see_other(&format!("{}/{}", spec.base, page.slug)))
}

/// `POST {base}/delete-answers`: "Delete my answers", from any page of the form or its summary:
/// deletes the draft this browser's cookie points to (finished or not, its answers and any
/// resume link), removes the cookie and shows the confirmation page.
async fn delete_answers<F: Finish>(ctx: &FormContext<F>) -> Result<Response> {
    let spec = ctx.spec();
    if let Some(draft) = &ctx.draft {
        drafts::delete(ctx.state.db.pool(), &draft.id).await?;
        tracing::info!(
            form = spec.id,
            "answers deleted by the person who gave them"
        );
    }
    Ok(redirect_with(
        &format!("{}/answers-deleted", spec.base),
        Some(ctx.form.clear_cookie()),
    ))
}

/// `POST {base}/check-answers`: "Accept and send", once: the form's own [`Finish`] step.
async fn send<F: Finish>(ctx: &FormContext<F>, submitted: &Submitted) -> Result<Response> {
    let spec = ctx.spec();
    let done = ctx.form.finish.done(spec);
    let Some(draft) = &ctx.draft else {
        return Ok(see_other(spec.base));
    };
    // A second click, a refresh or a replay of this POST: the form is finished already.
    if draft.submitted_reference.is_some() {
        return Ok(see_other(&done));
    }
    let honeypot = submitted
        .iter()
        .any(|(k, v)| k == "website" && !v.trim().is_empty());
    if honeypot {
        tracing::warn!(
            form = spec.id,
            "form refused: the hidden field was filled in"
        );
        return Ok(ctx
            .render(
                StatusCode::BAD_REQUEST,
                FormPage::Message {
                    title: "Your request could not be sent",
                    paragraphs: vec![
                        "Something about this request looked automated, so we did not send it."
                            .into(),
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
    if !ctx.may_send().await {
        tracing::warn!(
            form = spec.id,
            "form refused: too many submissions from one address"
        );
        return Ok(ctx
            .render(
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
    ctx.form.finish.finish(&ctx.state, spec, draft).await?;
    Ok(see_other(&done))
}
