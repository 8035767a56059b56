//! Search in the staff portal, over HTTP against a real database: the triage decision's service
//! picker and the directory editor's finder go through the search index (typos and synonyms,
//! as families search), and admins edit the search synonyms at `/staff/synonyms`, which search
//! then uses at once.

use crate::common::spawn_app_with;
use crate::staff::{add_user, app_with, csrf_in, enrol, submit_request, Browser};
use serde_json::Value;
use signpost::clock::Clock;
use sqlx::Row;
use std::time::Duration;

/// Active services with "autism" in their name (the demo county has several).
async fn autism_services(app: &crate::common::TestApp) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT id, name FROM service WHERE status = 'active' AND LOWER(name) LIKE '%autism%' \
         ORDER BY name, id",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("services")
    .iter()
    .map(|r| (r.try_get(0).expect("id"), r.try_get(1).expect("name")))
    .collect()
}

async fn api_ids(app: &crate::common::TestApp, search: &str) -> Vec<String> {
    let body: Value = app
        .get(&format!("/api/oruk/services?search={search}&per_page=100"))
        .await
        .json()
        .await
        .expect("json");
    body["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_triage_picker_and_the_editors_finder_forgive_typos_and_know_synonyms() {
    let clock = Clock::system();
    let app = app_with(&clock, None, true).await;
    let (_, request) = submit_request(&app).await;
    let autism = autism_services(&app).await;
    assert!(autism.len() >= 2, "the demo county has autism services");
    // No name holds the misspelling: only the search index's typo tolerance finds them.
    assert!(autism
        .iter()
        .all(|(_, name)| !name.to_lowercase().contains("autisum")));

    add_user(&app, "hub@brackenshire.example", "hub").await;
    let mut hub = Browser::new(&app);
    enrol(&mut hub, &clock, "hub@brackenshire.example").await;
    let decision = format!("/staff/requests/{request}/decision");

    let page = hub.get(&format!("{decision}?q=autisum")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for (id, name) in &autism {
        assert!(
            page.body.contains(&format!(r#"value="{id}""#)),
            "a typo finds {name} to tick"
        );
    }
    // A synonym: "ASD" is in the shipped group with "autism".
    let page = hub.get(&format!("{decision}?q=asd")).await;
    assert_eq!(page.status, 200);
    assert!(
        autism
            .iter()
            .any(|(id, _)| page.body.contains(&format!(r#"value="{id}""#))),
        "a synonym finds autism services"
    );

    // Text with no words in it (punctuation only) is looked for in names as typed, and so is
    // text too long to be a search: `%` and `_` are themselves there, not wildcards that match
    // every name.
    let names: Vec<String> = sqlx::query("SELECT name FROM service")
        .fetch_all(app.db.pool())
        .await
        .expect("names")
        .iter()
        .map(|r| r.try_get(0).expect("name"))
        .collect();
    assert!(names.iter().all(|n| !n.contains(['%', '_'])));
    for q in ["%25", "_", "%25_%25", &"a%25".repeat(101)] {
        let page = hub.get(&format!("{decision}?q={q}")).await;
        assert_eq!(page.status, 200, "{q}: {}", page.body);
        assert!(
            !page.body.contains(r#"name="service""#),
            "{q}: no service has it in its name"
        );
    }

    // Statuses are the database's: a listing closed for now (the index still has it, as it
    // keeps temporarily closed listings) is not offered for signposting; the editor finds it.
    let (closed, closed_name) = &autism[0];
    sqlx::query("UPDATE service SET status = 'temporarily_closed' WHERE id = $1")
        .bind(closed)
        .execute(app.db.pool())
        .await
        .expect("closed");
    let page = hub.get(&format!("{decision}?q=autisum")).await;
    assert!(
        !page.body.contains(&format!(r#"value="{closed}""#)),
        "{closed_name} is temporarily closed: not for signposting"
    );
    assert!(page.body.contains(&format!(r#"value="{}""#, autism[1].0)));

    add_user(&app, "directory@brackenshire.example", "directory").await;
    let mut editor = Browser::new(&app);
    enrol(&mut editor, &clock, "directory@brackenshire.example").await;
    let page = editor.get("/staff/directory?q=autisum").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for (id, name) in &autism {
        assert!(
            page.body
                .contains(&format!("/staff/directory/services/{id}/edit")),
            "the editor's finder finds {name} despite the typo"
        );
    }
    // A listing's id finds it.
    let page = editor.get(&format!("/staff/directory?q={closed}")).await;
    assert!(page
        .body
        .contains(&format!("/staff/directory/services/{closed}/edit")));
    // Archived listings cannot be edited, so the finder does not offer them.
    sqlx::query("UPDATE service SET status = 'archived' WHERE id = $1")
        .bind(closed)
        .execute(app.db.pool())
        .await
        .expect("archived");
    let page = editor.get("/staff/directory?q=autisum").await;
    assert!(!page
        .body
        .contains(&format!("/staff/directory/services/{closed}/edit")));
}

#[tokio::test]
async fn an_admin_adds_and_removes_a_synonym_and_search_uses_it_at_once() {
    let clock = Clock::system();
    let app = {
        let clock = clock.clone();
        // The sync worker would also apply the change, at its next pass: an hour away here, so
        // what this shows is the page applying it at once.
        spawn_app_with(move |s| {
            s.staff.clock = clock;
            s.demo_data = true;
            s.search_sync_interval = Duration::from_secs(3600);
        })
        .await
    };
    let autism = autism_services(&app).await;
    assert!(!autism.is_empty());
    assert!(
        api_ids(&app, "wobbly").await.is_empty(),
        "nothing is wobbly yet"
    );

    add_user(&app, "admin@brackenshire.example", "admin").await;
    let mut admin = Browser::new(&app);
    enrol(&mut admin, &clock, "admin@brackenshire.example").await;
    let page = admin.get("/staff/synonyms").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("asd, autism, autistic"),
        "the shipped groups are listed"
    );
    assert!(
        page.body.contains(r#"href="/staff/synonyms""#),
        "in the menu"
    );
    let csrf = csrf_in(&page.body);

    // Bad input: the GOV.UK error summary, linked to the field, and what was typed kept.
    let page = admin
        .post("/staff/synonyms", &[("csrf", &csrf), ("terms", "wobbly")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("govuk-error-summary"));
    assert!(page
        .body
        .contains(r##"<a href="#terms">Enter at least two different words or phrases"##));
    assert!(page.body.contains(r#"value="wobbly""#));
    let page = admin
        .post(
            "/staff/synonyms",
            &[
                ("csrf", &csrf),
                ("terms", "wobbly, one two three four five six"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("5 words or fewer"));
    // Without the session's token, nothing is added.
    let page = admin
        .post(
            "/staff/synonyms",
            &[("csrf", "0"), ("terms", "wobbly, autism")],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(api_ids(&app, "wobbly").await.is_empty());

    let page = admin
        .post(
            "/staff/synonyms",
            &[("csrf", &csrf), ("terms", " Wobbly ,  autism ")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let done = page.location.expect("back to the page");
    assert!(done.starts_with("/staff/synonyms?added="), "{done}");
    assert!(!done.contains("later"), "applied at once: {done}");
    // At once: no waiting for the sync worker.
    let found = api_ids(&app, "wobbly").await;
    for (id, name) in &autism {
        assert!(found.contains(id), "\"wobbly\" finds {name}");
    }
    let page = admin.get(&done).await;
    assert!(page.body.contains("Search uses it now"));
    let odd = admin.get("/staff/synonyms?added=%3Cb%3E&removed=x").await;
    assert_eq!(odd.status, 200, "an odd banner value is ignored");
    assert!(!odd.body.contains("id=\"done\"") && !odd.body.contains("<b>"));
    assert!(page.body.contains("Wobbly, autism"));
    let (group, detail): (String, String) = {
        let row =
            sqlx::query("SELECT id, terms FROM search_synonym WHERE terms = 'Wobbly, autism'")
                .fetch_one(app.db.pool())
                .await
                .expect("stored");
        (row.try_get(0).expect("id"), row.try_get(1).expect("terms"))
    };
    let audited: i64 = sqlx::query(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'synonyms_added' \
         AND actor_email = 'admin@brackenshire.example' AND detail = $1",
    )
    .bind(&detail)
    .fetch_one(app.db.pool())
    .await
    .expect("audit")
    .try_get(0)
    .expect("count");
    assert_eq!(audited, 1);

    // Anyone else is refused, whatever they send.
    for role in ["hub", "carers", "directory"] {
        let email = format!("{role}@brackenshire.example");
        add_user(&app, &email, role).await;
        let mut b = Browser::new(&app);
        enrol(&mut b, &clock, &email).await;
        assert_eq!(b.get("/staff/synonyms").await.status, 403, "{role}");
        let csrf = csrf_in(&b.get("/staff/account").await.body);
        let page = b
            .post("/staff/synonyms", &[("csrf", &csrf), ("terms", "zzz, qqq")])
            .await;
        assert_eq!(page.status, 403, "{role}");
        let page = b
            .post(
                &format!("/staff/synonyms/{group}/remove"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(page.status, 403, "{role}");
    }
    let stored: i64 =
        sqlx::query("SELECT COUNT(*) FROM search_synonym WHERE terms = 'zzz, qqq' OR id = $1")
            .bind(&group)
            .fetch_one(app.db.pool())
            .await
            .expect("count")
            .try_get(0)
            .expect("count");
    assert_eq!(stored, 1, "only the admin's group is there");

    let page = admin
        .post(
            &format!("/staff/synonyms/{group}/remove"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(api_ids(&app, "wobbly").await.is_empty(), "removed at once");
    let page = admin
        .post(
            &format!("/staff/synonyms/{group}/remove"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404, "already removed");
    let audited: i64 = sqlx::query(
        "SELECT COUNT(*) FROM audit_event WHERE action = 'synonyms_removed' AND detail = $1",
    )
    .bind(&detail)
    .fetch_one(app.db.pool())
    .await
    .expect("audit")
    .try_get(0)
    .expect("count");
    assert_eq!(audited, 1);
}
