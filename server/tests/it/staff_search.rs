//! Search in the staff portal, over HTTP against a real database: the triage decision's service
//! picker and the directory editor's finder go through the search index (typos and synonyms,
//! as families search).

use crate::staff::{add_user, app_with, enrol, submit_request, Browser};
use signpost::clock::Clock;
use sqlx::Row;

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
