//! Directory editing over HTTP against a real database: a directory editor adds a listing
//! (validation, preview, save, the public page and the search index), edits one without
//! overwriting someone else's change, and works the review queue: a provider's suggested change
//! (public form → email to the directory team at a real SMTP server → diff → editor → applied),
//! a reported problem (resolved) and a rejected suggestion. Every decision is audited.

use crate::common::journey::Visitor;
use crate::common::smtp::SmtpSink;
use crate::common::TestApp;
use crate::staff::{add_user, app_with, csrf_in, enrol, Browser, Page};
use signpost::clock::Clock;
use sqlx::Row;
use std::time::Duration;

const EDITOR: &str = "editor@brackenshire.example";

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let rest = &tag[start..];
    Some(&rest[..rest.find('"')?])
}

/// The values a browser would submit from the form posting to `action` (submit buttons left
/// out): inputs (ticked boxes and radios only), textareas and selected options.
pub(crate) fn form_values(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("a form posting to {action}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").expect("the form ends")];
    let mut values = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<input ") {
            let kind = attribute(tag, "type").unwrap_or("text");
            let checkable = kind == "checkbox" || kind == "radio";
            if let Some(name) = attribute(tag, "name") {
                if !checkable || tag.contains(" checked") {
                    let value = attribute(tag, "value").unwrap_or_default();
                    values.push((unescape(name), unescape(value)));
                }
            }
        } else if tag.starts_with("<textarea ") {
            let name = attribute(tag, "name").expect("a named textarea");
            let body = &rest[end + 1..];
            let text = &body[..body.find("</textarea>").expect("textarea ends")];
            values.push((unescape(name), unescape(text)));
        } else if tag.starts_with("<select ") {
            let name = attribute(tag, "name").expect("a named select");
            let body = &rest[end..];
            let body = &body[..body.find("</select>").expect("select ends")];
            let chosen = body
                .split("<option ")
                .find(|o| o.contains(" selected"))
                .and_then(|o| attribute(&format!(" {o}"), "value").map(str::to_owned))
                .unwrap_or_default();
            values.push((unescape(name), unescape(&chosen)));
        }
        rest = &rest[end.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
    values
}

/// The error summary of a page (for failure messages).
fn summary_of(html: &str) -> &str {
    let start = html.find("govuk-error-summary").unwrap_or(0);
    let rest = &html[start..];
    &rest[..rest.find("</ul>").unwrap_or(rest.len().min(2000))]
}

pub(crate) fn set(values: &mut Vec<(String, String)>, name: &str, value: &str) {
    values.retain(|(k, _)| k != name);
    values.push((name.to_owned(), value.to_owned()));
}

pub(crate) async fn post_values(
    b: &mut Browser<'_>,
    path: &str,
    values: &[(String, String)],
) -> Page {
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(path, &pairs).await
}

pub(crate) async fn one(app: &TestApp, sql: &str) -> String {
    sqlx::query(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get(0)
        .expect("a value")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get(0)
        .expect("a count")
}

pub(crate) async fn editor<'a>(app: &'a TestApp, clock: &Clock) -> Browser<'a> {
    add_user(app, EDITOR, "directory").await;
    let mut b = Browser::new(app);
    enrol(&mut b, clock, EDITOR).await;
    b
}

/// Polls the public search until `id` is (or is no longer) among the results for `q`.
pub(crate) async fn search_finds(app: &TestApp, q: &str, id: &str, wanted: bool) -> bool {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    for _ in 0..60 {
        let body = app
            .get(&format!("/search?q={q}"))
            .await
            .text()
            .await
            .expect("body");
        if body.contains(&format!("/services/{id}")) == wanted {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn an_editor_adds_a_listing_checks_the_preview_and_families_find_it() {
    let clock = Clock::system();
    let app = app_with(&clock, None, true).await;
    let mut b = editor(&app, &clock).await;
    let page = b.get("/staff/directory").await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains(r#"href="/staff/directory/services/new""#));
    let form = b.get("/staff/directory/services/new").await;
    assert_eq!(form.status, 200);
    let action = "/staff/directory/services/new";
    let mut values = form_values(&form.body, action);
    let id = values
        .iter()
        .find(|(k, _)| k == "service_id")
        .map(|(_, v)| v.clone())
        .expect("the new listing's id");

    // Everything wrong at once: each problem named against its field, nothing saved.
    set(&mut values, "minimum_age", "ten");
    set(&mut values, "postcode", "NOT A POSTCODE");
    set(&mut values, "address_1", "1 Quay Street");
    set(&mut values, "city", "Bracken");
    set(&mut values, "cost", "paid");
    set(&mut values, "schedule-0-days", "Saturday");
    set(&mut values, "schedule-0-opens", "10:00");
    set(&mut values, "schedule-0-closes", "09:00");
    set(&mut values, "action", "preview");
    let page = post_values(&mut b, action, &values).await;
    assert_eq!(page.status, 422, "{}", page.body);
    for (anchor, message) in [
        ("#minimum_age", "Enter an age as a number, like 5"),
        ("#cost_description", "Say what it costs"),
    ] {
        assert!(
            page.body
                .contains(&format!(r##"<a href="{anchor}">{message}</a>"##)),
            "{anchor}: {}",
            summary_of(&page.body)
        );
    }
    set(&mut values, "minimum_age", "0");
    set(&mut values, "cost_description", "£2 a session");
    // A new organisation needs to say what it does.
    set(&mut values, "new_organization", "Harbourside Dads CIC");
    let page = post_values(&mut b, action, &values).await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains(r#"<details open class="govuk-details">"#),
        "the new organisation's fields are shown, not folded away"
    );
    for anchor in [
        "#name",
        "#new_organization_description",
        "#description",
        "#categories",
        "#postcode",
        "#schedule-0-days",
    ] {
        assert!(
            page.body.contains(&format!(r##"<a href="{anchor}">"##)),
            "{anchor} in the error summary: {}",
            summary_of(&page.body)
        );
    }
    assert!(
        page.body.contains(r#"value="1 Quay Street""#),
        "typed values kept"
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM service WHERE id = '{id}'")
        )
        .await,
        0
    );

    // Put right, then previewed: still nothing saved.
    let term = one(
        &app,
        "SELECT id FROM taxonomy_term WHERE code = 'parenting.parenting-courses'",
    )
    .await;
    let postcode = one(
        &app,
        "SELECT postcode FROM postcode ORDER BY postcode LIMIT 1",
    )
    .await;
    set(&mut values, "name", "Harbourside Dads' Club");
    set(
        &mut values,
        "new_organization_description",
        "A community interest company run by local dads.",
    );
    set(
        &mut values,
        "description",
        "A Saturday morning club for dads and their children under five. Play, breakfast and a chat.",
    );
    values.push(("categories".into(), term.clone()));
    values.push(("delivery".into(), "in_person".into()));
    set(&mut values, "maximum_age", "5");
    set(&mut values, "postcode", &postcode);
    set(&mut values, "schedule-0-days", "SA");
    set(&mut values, "schedule-0-closes", "11:30");
    set(&mut values, "schedule-0-season", "term_time");
    let preview = post_values(&mut b, action, &values).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview
        .body
        .contains("Check the listing before you publish it"));
    assert!(
        preview.body.contains("Harbourside Dads' Club")
            || preview.body.contains("Harbourside Dads&#39; Club")
    );
    assert!(preview.body.contains("Harbourside Dads CIC"));
    assert!(preview.body.contains("Saturdays"), "{}", preview.body);
    assert!(preview.body.contains("term time"), "{}", preview.body);
    assert!(preview.body.contains("Ages 0 to 5"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM service WHERE id = '{id}'")
        )
        .await,
        0,
        "a preview saves nothing"
    );

    // Saved from the preview page's own form.
    let mut saved = form_values(&preview.body, action);
    set(&mut saved, "action", "save");
    let page = post_values(&mut b, action, &saved).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/staff/directory?saved={id}").as_str())
    );
    let page = b.get(&format!("/staff/directory?saved={id}")).await;
    assert!(page.body.contains("is saved and published"));
    // A second click on "Save" does not make a second listing.
    let again = post_values(&mut b, action, &saved).await;
    assert_eq!(again.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM service WHERE name = 'Harbourside Dads'' Club'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM organization WHERE name = 'Harbourside Dads CIC'"
        )
        .await,
        1,
        "the new organisation is stored with the listing"
    );
    let public = app.get(&format!("/services/{id}")).await;
    assert_eq!(public.status().as_u16(), 200);
    let public = public.text().await.expect("body");
    assert!(public.contains("Harbourside Dads"));
    assert!(public.contains("£2 a session"));
    assert!(
        search_finds(&app, "harbourside dads", &id, true).await,
        "the new listing is in the search index"
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audit_event WHERE action = 'service_created' \
                 AND subject = 'service:{id}'"
            )
        )
        .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn an_edit_reaches_the_public_page_but_never_overwrites_a_newer_change() {
    let clock = Clock::system();
    let app = app_with(&clock, None, true).await;
    let mut b = editor(&app, &clock).await;
    let id = one(
        &app,
        "SELECT id FROM service WHERE status = 'active' ORDER BY name LIMIT 1",
    )
    .await;
    let path = format!("/staff/directory/services/{id}/edit");
    let form = b.get(&path).await;
    assert_eq!(form.status, 200);
    let mut values = form_values(&form.body, &path);
    // Every stored value is in the form: previewing it unchanged passes validation.
    set(&mut values, "action", "preview");
    let preview = post_values(&mut b, &path, &values).await;
    assert_eq!(preview.status, 200, "{}", preview.body);

    set(&mut values, "name", "Renamed Toddler Group");
    set(&mut values, "phone", "01632 960 777");
    set(&mut values, "action", "save");
    let stale = values.clone();
    let page = post_values(&mut b, &path, &values).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app
        .get(&format!("/services/{id}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(public.contains("Renamed Toddler Group"));
    assert!(public.contains("01632 960 777"));
    assert!(search_finds(&app, "renamed toddler", &id, true).await);
    let today = clock.today().expect("today").to_string();
    assert_eq!(
        one(
            &app,
            &format!("SELECT last_reviewed FROM service WHERE id = '{id}'")
        )
        .await,
        today,
        "an edit counts as a review"
    );

    // The same form again (opened before that save): refused, nothing overwritten.
    let mut stale = stale;
    set(&mut stale, "name", "An Older Name");
    let page = post_values(&mut b, &path, &stale).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Someone else changed this listing"));
    assert_eq!(
        one(&app, &format!("SELECT name FROM service WHERE id = '{id}'")).await,
        "Renamed Toddler Group"
    );
    // Archived listings and unknown ids cannot be edited.
    assert_eq!(
        b.get("/staff/directory/services/not-an-id/edit")
            .await
            .status,
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn a_provider_suggests_a_change_and_the_editor_applies_it_from_the_review_queue() {
    let clock = Clock::system();
    let sink = SmtpSink::start().await;
    let app = app_with(&clock, Some(&sink), true).await;
    let (id, name) = {
        let row = sqlx::query(
            "SELECT s.id, s.name FROM service s WHERE s.status = 'active' AND EXISTS \
             (SELECT 1 FROM contact c JOIN phone p ON p.contact_id = c.id WHERE c.service_id = s.id) \
             ORDER BY s.name LIMIT 1",
        )
        .fetch_one(app.db.pool())
        .await
        .expect("a service with a phone");
        (
            row.try_get::<String, _>(0).expect("id"),
            row.try_get::<String, _>(1).expect("name"),
        )
    };
    let service_page = app
        .get(&format!("/services/{id}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(service_page.contains(&format!("/services/{id}/suggest-change")));

    // The public form, filled in with the listing.
    let mut provider = Visitor::new(&app);
    let path = format!("/services/{id}/suggest-change");
    let form = provider.get(&path).await;
    assert_eq!(form.status, 200);
    let mut values = form_values(&form.body, &path);
    assert!(values.iter().any(|(k, v)| k == "name" && *v == name));
    // Hostile and wrong input: clear errors, never a 500, nothing stored.
    set(&mut values, "phone", "<script>alert(1)</script>");
    set(&mut values, "summary", &"x".repeat(5000));
    set(&mut values, "suggester_email", "not an email");
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let reply = provider.post(&path, &pairs).await;
    assert_eq!(reply.status, 400);
    assert!(!reply.body.contains("<script>alert(1)"), "escaped");
    assert!(reply
        .body
        .contains("Summary must be 300 characters or fewer"));
    assert!(reply
        .body
        .contains("Enter a telephone number, like 01632 960 001"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM suggested_change").await,
        0
    );

    let mut values = form_values(&form.body, &path);
    set(&mut values, "phone", "01632 960 123");
    set(
        &mut values,
        "times",
        "We now meet on Thursdays too, 1pm to 3pm",
    );
    set(&mut values, "suggester_name", "Priya Provider");
    set(
        &mut values,
        "suggester_organisation",
        "Brackenshire Play CIC",
    );
    set(&mut values, "suggester_email", "priya@play.example");
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let reply = provider.post(&path, &pairs).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let sent = reply.location.expect("to the confirmation");
    let sent_page = provider.get(&sent).await;
    assert_eq!(sent_page.status, 200);
    let reference = one(&app, "SELECT reference FROM suggested_change").await;
    assert!(reference.starts_with("SC-"));
    assert!(sent_page.body.contains(&reference));
    assert_eq!(
        one(&app, "SELECT proposed FROM suggested_change").await,
        r#"{"phone":"01632 960 123","times":"We now meet on Thursdays too, 1pm to 3pm"}"#,
        "only what changed is kept"
    );
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail[0].to, ["<directory-team@brackenshire.example>"]);
    let text = mail[0].everything();
    assert!(text.contains(&reference));
    assert!(text.contains("/staff/directory/review"));
    for private in ["Priya", "priya@play.example", "01632 960 123", "Thursdays"] {
        assert!(!text.contains(private), "the email carries {private}");
    }

    // A member of the public reports a problem with another listing.
    let other = one(
        &app,
        &format!(
            "SELECT id FROM service WHERE status = 'active' AND id <> '{id}' ORDER BY name LIMIT 1"
        ),
    )
    .await;
    let reply = Visitor::new(&app)
        .post(
            &format!("/services/{other}/report"),
            &[
                ("problem", "place"),
                ("details", "They moved to the library"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);

    // The editor's review queue: the diff, then the editor with the suggested wording.
    let mut b = editor(&app, &clock).await;
    let page = b.get("/staff/directory").await;
    assert!(
        page.body.contains("2 items waiting in the review queue"),
        "{}",
        page.body
    );
    let queue = b.get("/staff/directory/review").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains(&reference));
    assert!(queue.body.contains("01632 960 123"));
    assert!(queue.body.contains("When it runs"));
    assert!(queue.body.contains("Priya Provider"), "staff see who asked");
    assert!(queue.body.contains("They moved to the library"));
    let suggestion = one(&app, "SELECT id FROM suggested_change").await;
    let edit = format!("/staff/directory/services/{id}/edit?suggestion={suggestion}");
    assert!(queue.body.contains(&edit.replace('&', "&amp;")) || queue.body.contains(&edit));
    let form = b.get(&edit).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("We now meet on Thursdays too"));
    let edit_path = format!("/staff/directory/services/{id}/edit");
    let mut values = form_values(&form.body, &edit_path);
    assert!(values
        .iter()
        .any(|(k, v)| k == "phone" && v == "01632 960 123"));
    set(&mut values, "schedule-1-days", "TH");
    set(&mut values, "schedule-1-opens", "13:00");
    set(&mut values, "schedule-1-closes", "15:00");
    set(&mut values, "action", "save");
    let page = post_values(&mut b, &edit_path, &values).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        one(&app, "SELECT status FROM suggested_change").await,
        "applied"
    );
    let public = app
        .get(&format!("/services/{id}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(public.contains("01632 960 123"));
    assert!(public.contains("Thursdays"), "{public}");

    // The report is resolved from the queue.
    let queue = b.get("/staff/directory/review").await;
    assert!(queue.body.contains("No suggested changes are waiting."));
    let report = one(&app, "SELECT id FROM listing_report").await;
    let csrf = csrf_in(&queue.body);
    let page = b
        .post(
            &format!("/staff/directory/review/reports/{report}/resolve"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        one(&app, "SELECT status FROM listing_report").await,
        "resolved"
    );
    let queue = b.get("/staff/directory/review").await;
    assert!(queue.body.contains("No reported problems are waiting."));
    // A second resolve finds nothing to do.
    let page = b
        .post(
            &format!("/staff/directory/review/reports/{report}/resolve"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404);
    let actions: Vec<String> = sqlx::query(
        "SELECT action FROM audit_event WHERE action IN ('service_edited', 'report_resolved') \
         ORDER BY at, action",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("audit")
    .iter()
    .map(|r| r.try_get(0).expect("action"))
    .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.contains(&"service_edited".to_owned()));
    assert!(actions.contains(&"report_resolved".to_owned()));
    app.stop().await;
}

#[tokio::test]
async fn a_rejected_suggestion_changes_nothing() {
    let clock = Clock::system();
    let app = app_with(&clock, None, true).await;
    let id = one(
        &app,
        "SELECT id FROM service WHERE status = 'active' ORDER BY name LIMIT 1",
    )
    .await;
    let name = one(&app, &format!("SELECT name FROM service WHERE id = '{id}'")).await;
    let path = format!("/services/{id}/suggest-change");
    let mut provider = Visitor::new(&app);
    let form = provider.get(&path).await;
    // Nothing changed: refused.
    let mut values = form_values(&form.body, &path);
    set(&mut values, "suggester_name", "Sam");
    set(&mut values, "suggester_organisation", "Someone");
    set(&mut values, "suggester_email", "sam@example.com");
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let reply = provider.post(&path, &pairs).await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("Change at least one thing"));
    set(&mut values, "name", "A Much Better Name");
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(provider.post(&path, &pairs).await.status, 303);
    let suggestion = one(&app, "SELECT id FROM suggested_change").await;

    let mut b = editor(&app, &clock).await;
    let queue = b.get("/staff/directory/review").await;
    let csrf = csrf_in(&queue.body);
    let page = b
        .post(
            &format!("/staff/directory/review/suggestions/{suggestion}/reject"),
            &[
                ("csrf", &csrf),
                ("note", "The provider's old name is right"),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        one(&app, "SELECT status FROM suggested_change").await,
        "rejected"
    );
    assert_eq!(
        one(&app, &format!("SELECT name FROM service WHERE id = '{id}'")).await,
        name
    );
    // A rejected suggestion no longer opens in the editor.
    let page = b
        .get(&format!(
            "/staff/directory/services/{id}/edit?suggestion={suggestion}"
        ))
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'suggestion_rejected'"
        )
        .await,
        1
    );
    app.stop().await;
}
