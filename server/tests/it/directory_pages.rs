//! The directory's pages through HTTP, on the demo county, on SQLite and on PostgreSQL: the
//! results page (typos, filters and their counts, "did you mean", hostile input, paging) and the
//! service page.

use crate::common::{spawn_app_with_demo, TestApp};
use signpost::directory::demo;

/// The text of the results count (`id="result-count"`).
fn result_count(html: &str) -> String {
    let start = html
        .find("id=\"result-count\"")
        .expect("the page has a result count");
    let after = &html[start..];
    let open = after.find('>').expect("tag closes") + 1;
    let close = after.find("</p>").expect("paragraph closes");
    after[open..close].trim().to_owned()
}

/// The number of services found, from the result count ("12 services found, …").
fn total(html: &str) -> u64 {
    let text = result_count(html);
    if text.starts_with("No services") {
        return 0;
    }
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number in the result count: {text}"))
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

fn service_id(key: &str) -> String {
    demo::id("service", key).to_string()
}

#[tokio::test]
async fn a_typo_finds_the_right_service_with_highlights_and_card_details() {
    let app = spawn_app_with_demo().await;
    let (status, html) = page(&app, "/search?q=autisum").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1 class=\"govuk-heading-l\">Search for services</h1>"));
    assert!(html.contains("role=\"status\""));
    assert!(html.contains("aria-live=\"polite\""));
    assert!(total(&html) > 0, "{}", result_count(&html));
    let id = service_id("spectrum-autism-family-group-brackenfield");
    assert!(
        html.contains(&format!("href=\"/services/{id}\"")),
        "the autism family group is in the results"
    );
    assert!(html.contains("<mark class=\"signpost-highlight\">"));
    // Cards carry the facts a family needs.
    for fact in [
        "<dt class=\"govuk-summary-list__key\">Cost</dt>",
        ">Ages<",
        ">How<",
        ">When<",
    ] {
        assert!(html.contains(fact), "cards show {fact}");
    }
    assert!(html.contains("<title>"));
    // Filters are a GET form with an "Apply filters" button and counts.
    assert!(html.contains("action=\"/search\""));
    assert!(html.contains("Apply filters"));
    assert!(
        html.contains("SEND support ("),
        "category names with counts"
    );
    app.stop().await;
}

/// The count shown with the age input for one age group ("0 to 4 years (12)").
fn age_band_count(html: &str, label: &str) -> u64 {
    let start = html
        .find("id=\"age-bands\"")
        .expect("age-group counts with the age input");
    let bands = &html[start..start + html[start..].find("</ul>").expect("the list ends")];
    let marker = format!("{label} (");
    let at = bands
        .find(&marker)
        .unwrap_or_else(|| panic!("{label} in {bands}"))
        + marker.len();
    bands[at..]
        .split(')')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count for {label} in {bands}"))
}

#[tokio::test]
async fn the_age_filter_shows_how_many_services_are_for_each_age_group() {
    let app = spawn_app_with_demo().await;
    let (_, everything) = page(&app, "/search").await;
    let all = total(&everything);
    let bands = [
        "0 to 4 years",
        "5 to 10 years",
        "11 to 15 years",
        "16 to 17 years",
        "18 to 25 years",
        "26 and over",
    ];
    let counts: Vec<u64> = bands
        .iter()
        .map(|b| age_band_count(&everything, b))
        .collect();
    assert!(
        counts.iter().all(|&n| n > 0 && n <= all),
        "every group has services, none more than all: {counts:?} of {all}"
    );
    // Age 3 is in the first group: every service for a 3-year-old counts there, and the
    // groups follow the other filters.
    let (_, three) = page(&app, "/search?age=3").await;
    let for_three = total(&three);
    assert!(for_three > 0 && for_three < all, "{for_three} of {all}");
    assert_eq!(age_band_count(&three, "0 to 4 years"), for_three);
    assert!(age_band_count(&three, "26 and over") < for_three);
    let (_, free_three) = page(&app, "/search?age=3&cost=free").await;
    assert_eq!(
        age_band_count(&free_three, "0 to 4 years"),
        total(&free_three)
    );
    assert!(total(&free_three) < for_three);
    // Words narrow them too.
    let (_, toddler) = page(&app, "/search?q=toddler").await;
    assert!(age_band_count(&toddler, "0 to 4 years") <= total(&toddler));
    assert!(age_band_count(&toddler, "0 to 4 years") > 0);
    // No counts when the search could not run.
    let (status, bad) = page(&app, "/search?age=old").await;
    assert_eq!(status, 400);
    assert!(!bad.contains("id=\"age-bands\""));
    app.stop().await;
}

#[tokio::test]
async fn filters_change_the_count_and_show_facet_counts() {
    let app = spawn_app_with_demo().await;
    let (_, everything) = page(&app, "/search").await;
    let all = total(&everything);
    assert!(all > 20, "the demo county has many services: {all}");
    let (status, free) = page(&app, "/search?cost=free").await;
    assert_eq!(status, 200);
    let free_count = total(&free);
    assert!(free_count > 0 && free_count < all, "{free_count} of {all}");
    // The panel's "Free (n)" on the unfiltered page is the filtered total.
    assert!(
        everything.contains(&format!("Free ({free_count})")),
        "facet count for free matches the filtered total"
    );
    let (_, narrow) = page(&app, "/search?cost=free&time=evening&age=12").await;
    let narrow_count = total(&narrow);
    assert!(narrow_count < free_count, "{narrow_count} < {free_count}");
    // The checked boxes stay checked.
    assert!(narrow.contains("value=\"free\" checked"));
    assert!(narrow.contains("value=\"evening\" checked"));
    assert!(narrow.contains("value=\"12\""));
    // Categories (a parent includes its children) and pages.
    let (_, send) = page(&app, "/search?category=send-support").await;
    let send_count = total(&send);
    assert!(send_count > 0 && send_count < all);
    if all > 20 {
        assert!(everything.contains("govuk-pagination"));
        let (status, second) = page(&app, "/search?page=2").await;
        assert_eq!(status, 200);
        assert!(result_count(&second).contains("showing 21 to"));
    }
    // With a postcode, distances in miles, and nearest first on request.
    let (status, near) = page(&app, "/search?q=swimming&postcode=BK1&sort=distance").await;
    assert_eq!(status, 200, "{}", result_count(&near));
    assert!(near.contains("miles away"));
    assert!(result_count(&near).contains("nearest first"));
    let (_, within) = page(&app, "/search?postcode=BK1&radius=3").await;
    assert!(total(&within) < all);
    app.stop().await;
}

#[tokio::test]
async fn zero_results_suggest_a_spelling_and_broader_searches() {
    let app = spawn_app_with_demo().await;
    let (status, html) = page(&app, "/search?q=adhf").await;
    assert_eq!(status, 200);
    assert_eq!(total(&html), 0);
    assert!(html.contains("Did you mean"));
    assert!(html.contains("href=\"/search?q=adhd\""));
    assert!(html.contains("01632 960 000"));
    let (_, html) = page(&app, "/search?q=zzzzqqqq&cost=free&category=young-carers").await;
    assert_eq!(total(&html), 0);
    assert!(html.contains("remove all filters"));
    assert!(html.contains("href=\"/search?q=zzzzqqqq&amp;category=young-carers\""));
    app.stop().await;
}

#[tokio::test]
async fn hostile_input_gets_a_clear_message_never_a_500_or_markup() {
    let app = spawn_app_with_demo().await;
    let long = "a".repeat(5000);
    let cases: Vec<(String, &str)> = vec![
        (format!("/search?q={long}"), "200 characters or fewer"),
        ("/search?page=-1".into(), "Page must be a whole number"),
        ("/search?page=abc".into(), "Page must be a whole number"),
        ("/search?page=99999".into(), "Page must be a whole number"),
        (
            "/search?category=%3Cscript%3Ealert(1)%3C/script%3E".into(),
            "Choose categories from the list",
        ),
        ("/search?day=XX".into(), "Choose days from the list"),
        (
            "/search?time=midnight".into(),
            "Choose morning, afternoon or evening",
        ),
        (
            "/search?mode=carrier-pigeon".into(),
            "Choose in person, online or by phone",
        ),
        ("/search?cost=cheap".into(), "Choose ‘Free’"),
        (
            "/search?language=klingon".into(),
            "Choose languages from the list",
        ),
        (
            "/search?route=%22%20OR%201=1".into(),
            "Choose how to access services",
        ),
        (
            "/search?age=%3Cb%3E".into(),
            "Enter an age as a whole number",
        ),
        ("/search?age=500".into(), "Enter an age from 0 to 120"),
        (
            "/search?postcode=%3Cscript%3E".into(),
            "Enter a real postcode",
        ),
        (
            "/search?postcode=ZZ9%209ZZ".into(),
            "We cannot find that postcode",
        ),
        (
            "/search?radius=5".into(),
            "Enter a postcode to search within a distance",
        ),
        (
            "/search?postcode=BK1&radius=-3".into(),
            "Enter a distance from 1 to 100",
        ),
        (
            "/search?sort=distance".into(),
            "Enter a postcode to sort by distance",
        ),
        ("/search?sort=%3Cimg%3E".into(), "Choose how to sort"),
    ];
    for (path, message) in cases {
        let (status, html) = page(&app, &path).await;
        assert_eq!(status, 400, "{path}");
        assert!(
            html.contains("govuk-error-summary"),
            "{path}: error summary"
        );
        assert!(html.contains(message), "{path}: says {message}");
        assert!(html.contains("govuk-error-message"), "{path}: field error");
        assert!(html.contains("<title>Error: "), "{path}: title says error");
        assert!(!html.contains("<script>alert"), "{path}: nothing reflected");
        assert!(!html.contains("<img>") && !html.contains("<b>"), "{path}");
    }
    // Markup in the words is searched for as text and shown escaped.
    let (status, html) = page(&app, "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<title>Search results: "));
    // A page beyond the last result says so and links back.
    let (status, html) = page(&app, "/search?q=autism&page=40").await;
    assert_eq!(status, 200);
    assert!(html.contains("There are no results on this page"));
    assert!(html.contains("href=\"/search?q=autism\""));
    app.stop().await;
}

#[tokio::test]
async fn the_service_page_has_everything_a_family_needs() {
    let app = spawn_app_with_demo().await;
    let id = service_id("spectrum-autism-family-group-brackenfield");
    let (status, html) = page(&app, &format!("/services/{id}")).await;
    assert_eq!(status, 200);
    let name_start = html.find("<h1 class=\"govuk-heading-l\">").expect("h1") + 28;
    let name = &html[name_start..name_start + html[name_start..].find("</h1>").expect("h1 ends")];
    assert!(name.contains("Autism"), "{name}");
    assert!(html.contains(&format!("<title>{name} – ")));
    for heading in [
        "What it is",
        "Who it is for",
        "When",
        "Where",
        "Cost",
        "How to access it",
        "Contact",
    ] {
        assert!(
            html.contains(&format!("<h2 class=\"govuk-heading-m\">{heading}</h2>")),
            "{heading}"
        );
    }
    assert!(html.contains("https://www.openstreetmap.org/?mlat="));
    assert!(html.contains("#map=17/"));
    assert!(html.contains("href=\"tel:+44"));
    assert!(html.contains("Last reviewed: "));
    assert!(html.contains("Ages "));
    assert!(!html.contains("<iframe"), "no embedded map");
    for heading in ["Languages", "SEND Local Offer"] {
        assert!(
            html.contains(&format!("<h2 class=\"govuk-heading-m\">{heading}</h2>")),
            "{heading}"
        );
    }
    assert!(html.contains("Changing Places toilet"), "accessibility");
    assert!(html.contains("Wheelchair accessible"));
    assert!(html.contains("a diagnosis is not needed"), "SEND answers");
    // Without a postcode the page offers to say how far it is, and says no distance.
    assert!(html.contains("How far is it from you?"));
    assert!(!html.contains("miles away"));

    // With a postcode (as the results page's links carry it): each place's distance.
    let (status, near) = page(&app, &format!("/services/{id}?postcode=bk1+4ab")).await;
    assert_eq!(status, 200);
    assert!(
        near.contains("miles away</strong> from BK1 4AB"),
        "distance shown"
    );
    assert!(
        near.contains("value=\"BK1 4AB\""),
        "the postcode in its normal form"
    );
    // An outward code alone measures from its centre.
    let (status, near) = page(&app, &format!("/services/{id}?postcode=BK2")).await;
    assert_eq!(status, 200);
    assert!(near.contains(" from BK2"), "distance from an outward code");
    // A postcode that is not one, or not known here: the GOV.UK error pattern, no distance.
    for (bad, message) in [
        ("not+a+postcode", "Enter a real postcode, like BK1 4AB"),
        ("SW1A+1AA", "We cannot find that postcode"),
        (
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "Enter a real postcode",
        ),
    ] {
        let (status, html) = page(&app, &format!("/services/{id}?postcode={bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(html.contains("govuk-error-summary"), "{bad}");
        assert!(html.contains(message), "{bad}");
        assert!(html.contains("<title>Error: "), "{bad}");
        assert!(!html.contains("miles away"), "{bad}");
        assert!(!html.contains("<script>alert"), "{bad}");
    }

    for path in [
        "/services/00000000-0000-0000-0000-000000000000".to_owned(),
        "/services/not-a-uuid".to_owned(),
        "/services/%3Cscript%3E".to_owned(),
    ] {
        let (status, html) = page(&app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("Page not found"));
    }
    app.stop().await;
}

#[tokio::test]
async fn archived_services_are_not_found() {
    let app = spawn_app_with_demo().await;
    let id = service_id("spectrum-autism-family-group-brackenfield");
    sqlx::query("UPDATE service SET status = 'archived' WHERE id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, _) = page(&app, &format!("/services/{id}")).await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn a_service_name_with_markup_is_escaped_in_the_title_and_page() {
    let app = spawn_app_with_demo().await;
    let id = service_id("spectrum-autism-family-group-brackenfield");
    sqlx::query("UPDATE service SET name = $1 WHERE id = $2")
        .bind("Tots & Toddlers </title><script>alert(1)</script>")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, html) = page(&app, &format!("/services/{id}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("<title>Tots &amp; Toddlers &lt;/title&gt;&lt;script&gt;alert(1)"));
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_searches_and_links_to_categories() {
    let app = spawn_app_with_demo().await;
    let (status, html) = page(&app, "/").await;
    assert_eq!(status, 200);
    assert!(html.contains("action=\"/search\""));
    assert!(html.contains("name=\"q\""));
    assert!(html.contains("name=\"postcode\""));
    assert!(html.contains("href=\"/search?category=young-carers\""));
    // A route for each kind of visitor, the forms, and the FIS number.
    for (href, text) in [
        ("/search", "Parents and carers"),
        ("/young-carers", "Young carers"),
        ("/carers", "Adult carers"),
        ("/practitioners", "Practitioners"),
        ("/request-support", "Ask for early help for your family"),
        ("/carers/self-assessment", "s self-assessment"),
        ("/young-carers/self-assessment", "s self-assessment"),
    ] {
        let opening = format!("href=\"{href}\">");
        let found = html.match_indices(&opening).any(|(start, _)| {
            html[start..]
                .find("</a>")
                .is_some_and(|end| html[start..start + end].contains(text))
        });
        assert!(found, "a link to {href} saying {text}");
    }
    assert!(html.contains("href=\"tel:"), "the FIS phone number");
    let (status, practitioners) = page(&app, "/practitioners").await;
    assert_eq!(status, 200);
    assert!(practitioners.contains("Send this list to a family"));
    let (status, html) = page(&app, "/search?category=young-carers").await;
    assert_eq!(status, 200);
    assert!(total(&html) > 0);
    app.stop().await;
}

#[tokio::test]
async fn the_search_box_suggests_service_names_as_you_type() {
    let app = spawn_app_with_demo().await;
    let response = app.get("/search/suggest?q=autis").await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json")));
    let names: Vec<String> = response.json().await.unwrap();
    assert!(!names.is_empty() && names.len() <= 6, "{names:?}");
    assert!(
        names.iter().any(|n| n.to_lowercase().contains("autism")),
        "{names:?}"
    );
    for path in [
        "/search/suggest".to_owned(),
        "/search/suggest?q=".to_owned(),
        format!("/search/suggest?q={}", "a".repeat(5000)),
        "/search/suggest?q=%3Cscript%3E".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        let names: Vec<String> = response.json().await.unwrap();
        assert!(names.iter().all(|n| !n.contains("<script>")), "{path}");
    }
}

#[tokio::test]
async fn results_link_to_services_with_the_postcode_and_stay_within_the_html_budget() {
    let app = spawn_app_with_demo().await;
    let id = service_id("spectrum-autism-family-group-brackenfield");
    let (status, html) = page(&app, "/search?q=autism+group&postcode=BK1+4AB").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("href=\"/services/{id}?postcode=BK1+4AB\"")),
        "the card's link carries the postcode, so the service page can say how far it is"
    );
    let (_, html) = page(&app, "/search?q=autism+group").await;
    assert!(html.contains(&format!("href=\"/services/{id}\"")));
    // The results page budget (issue #5): at most 60 KB of HTML, the busiest pages included
    // (every service, a distance on every card, the filter panel with every count).
    for path in [
        "/search",
        "/search?q=young+carers&cost=free",
        "/search?postcode=BK1+4AB",
        "/search?postcode=BK1+4AB&radius=20&sort=distance",
        "/search?q=swimming&postcode=BK3&age=7&day=SA&time=morning",
        "/search?q=zzzqqqxx",
    ] {
        let (status, html) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        println!("{path}: {} bytes", html.len());
        assert!(html.len() <= 60_000, "{path}: {} bytes", html.len());
    }
    app.stop().await;
}

#[tokio::test]
async fn chosen_filters_are_tags_that_each_remove_only_themselves() {
    let app = spawn_app_with_demo().await;
    let (status, html) = page(&app, "/search?q=club&time=evening&cost=free&age=12").await;
    assert_eq!(status, 200);
    let tags = html
        .split("id=\"chosen-filters\"")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the chosen filters");
    // Each tag is the same search without that one filter (from its first page).
    for (text, href) in [
        ("Age 12", "/search?q=club&amp;cost=free&amp;time=evening"),
        ("Free", "/search?q=club&amp;age=12&amp;time=evening"),
        ("Evening", "/search?q=club&amp;age=12&amp;cost=free"),
    ] {
        assert!(
            tags.contains(&format!("href=\"{href}\"")) && tags.contains(text),
            "a tag for {text} links to {href}: {tags}"
        );
    }
    assert_eq!(tags.matches("signpost-chosen__tag").count(), 3, "{tags}");
    // No filters, no tags.
    let (_, plain) = page(&app, "/search?q=club").await;
    assert!(!plain.contains("signpost-chosen__tag"));
    app.stop().await;
}
