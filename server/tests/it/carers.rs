//! The carer self-assessments through HTTP, as a browser without JavaScript: every page a form
//! POST answered by a 303 and the draft cookie carried along, against the real database
//! (SQLite, or PostgreSQL with `TEST_DATABASE_URL`), the demo directory and search, and a real
//! SMTP server on loopback.

use crate::common::journey::{error_lines, Visitor};
use crate::common::smtp::SmtpSink;
use crate::common::{spawn_app_with, TestApp};
use signpost::mail::MailTransport;
use sqlx::Row;
use std::time::Duration;

pub(crate) const ADULT: &str = "/carers/self-assessment";
const YOUNG: &str = "/young-carers/self-assessment";

/// What the carers type, which must never appear in the team's email.
const SECRETS: &[&str] = &[
    "Morwenna",
    "Pendragon-Smith",
    "Gwendolyn",
    "early onset dementia",
    "XYZZY",
    "carer@family.example",
    "01632 960 002",
    "BK1 4AB",
    "Tamsin",
    "my little brother",
    "epilepsy",
    "PLUGH",
    "1961",
    "943 476 5919",
    "Brackenfield Health Centre",
];

async fn app_with_smtp(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(move |s| {
        s.demo_data = true;
        s.mail.transport = MailTransport::Smtp(url);
        s.mail.poll_interval = Duration::from_millis(100);
        s.mail.retry_base = Duration::from_millis(200);
    })
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

/// The `CA-XXXX-XXXX` or `YC-XXXX-XXXX` reference in a page or an email.
fn reference_in(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(&format!("{prefix}-"))?;
    let candidate = text.get(start..start + 12)?;
    let ok = candidate.as_bytes()[7] == b'-'
        && candidate[3..]
            .chars()
            .all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit());
    ok.then(|| candidate.to_owned())
}

/// The service ids shown under the matching rule whose reason contains `why`.
fn services_under(html: &str, why: &str) -> Vec<String> {
    let block = html
        .split("signpost-match")
        .skip(1)
        .find(|b| b.split("</h3>").next().is_some_and(|h| h.contains(why)))
        .unwrap_or_else(|| panic!("no services shown because {why}"));
    block
        .split("href=\"/services/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

async fn has_category(app: &TestApp, service: &str, codes: &[&str]) -> bool {
    let list = codes
        .iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(", ");
    count(
        app,
        &format!(
            "SELECT COUNT(*) FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id \
             WHERE a.link_id = '{service}' AND t.code IN ({list})"
        ),
    )
    .await
        > 0
}

/// Answers every page of the adult form; `able_now`, `work_hours` and `breaks` vary.
pub(crate) async fn adult_answers(v: &mut Visitor<'_>, able_now: &str) {
    let crisis = v.get(&format!("{ADULT}/before-you-start")).await;
    assert_eq!(crisis.status, 200);
    assert!(crisis.body.contains("999"));
    assert!(crisis.body.contains(&format!("{ADULT}/your-age")));
    let next = v
        .answer(&format!("{ADULT}/your-age"), &[("carer_age", "18-or-over")])
        .await;
    assert_eq!(next, format!("{ADULT}/cared-for-age"));
    v.answer(
        &format!("{ADULT}/cared-for-age"),
        &[("cared_for_age", "adult")],
    )
    .await;
    let next = v
        .answer(&format!("{ADULT}/where-you-live"), &[("in_area", "yes")])
        .await;
    assert_eq!(next, format!("{ADULT}/tasks"));
    v.answer(
        &format!("{ADULT}/your-details"),
        &[
            ("carer_name", "Morwenna Pendragon-Smith"),
            ("carer_dob-day", "3"),
            ("carer_dob-month", "11"),
            ("carer_dob-year", "1961"),
            ("postcode", "bk1 4ab"),
            ("carer_phone", "01632 960002"),
            ("carer_email", "carer@family.example"),
        ],
    )
    .await;
    // An NHS number with a typing mistake is refused with a message; the right one is kept in
    // its normal form.
    let wrong = v
        .post(
            &format!("{ADULT}/gp-and-nhs-number"),
            &[
                ("gp", "Brackenfield Health Centre"),
                ("nhs_number", "943 476 5918"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong
        .body
        .contains("Enter your NHS number exactly as it is on your letters or in the NHS App"));
    v.answer(
        &format!("{ADULT}/gp-and-nhs-number"),
        &[
            ("gp", "Brackenfield Health Centre"),
            ("nhs_number", "9434765919"),
        ],
    )
    .await;
    v.answer(
        &format!("{ADULT}/communication"),
        &[("communication_needs", ""), ("someone_involved", "no")],
    )
    .await;
    let first = v.get(&format!("{ADULT}/cared-for")).await;
    assert_eq!(
        first.location.as_deref(),
        Some("/carers/self-assessment/cared-for/1")
    );
    v.answer(
        &format!("{ADULT}/cared-for/1"),
        &[
            ("cared_for_name", "Gwendolyn"),
            ("cared_for_relationship", "parent"),
            ("cared_for_condition", "early onset dementia XYZZY"),
            ("cared_for_lives_with", "yes"),
            ("cared_for_aware", "yes"),
            ("cared_for_consent", "yes"),
        ],
    )
    .await;
    v.answer(&format!("{ADULT}/cared-for"), &[("add_another", "no")])
        .await;
    v.answer(
        &format!("{ADULT}/caring-tasks"),
        &[("caring_tasks", "meals"), ("caring_tasks", "medication")],
    )
    .await;
    v.answer(
        &format!("{ADULT}/caring-time"),
        &[("caring_hours", "35-49"), ("caring_when", "both")],
    )
    .await;
    v.answer(
        &format!("{ADULT}/other-help"),
        &[("others_help", "no"), ("others_help_detail", "")],
    )
    .await;
    let next = v
        .answer(
            &format!("{ADULT}/able-and-willing"),
            &[
                ("able_now", able_now),
                ("willing_now", "yes"),
                ("future", "not-sure"),
                ("willing_future", "with-changes"),
            ],
        )
        .await;
    if able_now == "no" {
        assert_eq!(next, format!("{ADULT}/if-you-cannot-carry-on"));
        let help = v.get(&next).await;
        assert_eq!(help.status, 200);
        assert!(help.body.contains("01632 960 321"));
        assert!(help.body.contains("999"));
    } else {
        assert_eq!(next, format!("{ADULT}/tasks"));
    }
    v.answer(
        &format!("{ADULT}/health"),
        &[
            ("health_impact", "some"),
            ("health_worse", "no"),
            ("sleep", "sometimes"),
            ("health_more", ""),
        ],
    )
    .await;
    for (slug, name) in [
        ("outcome-children", "outcome_child_care"),
        ("outcome-other-care", "outcome_other_care"),
        ("outcome-home", "outcome_home"),
        ("outcome-food", "outcome_nutrition"),
        ("outcome-relationships", "outcome_relationships"),
        ("outcome-work", "outcome_work"),
        ("outcome-community", "outcome_community"),
        ("outcome-leisure", "outcome_recreation"),
    ] {
        let more = format!("{name}_more");
        v.answer(
            &format!("{ADULT}/{slug}"),
            &[(name, "distress"), (more.as_str(), "")],
        )
        .await;
    }
    let next = v
        .answer(
            &format!("{ADULT}/work"),
            &[("work", "full-time"), ("work_wishes", "")],
        )
        .await;
    assert_eq!(next, format!("{ADULT}/work-hours"));
    v.answer(&format!("{ADULT}/work-hours"), &[("work_hours", "daytime")])
        .await;
    v.answer(
        &format!("{ADULT}/changes"),
        &[
            ("what_to_change", "A night off now and then PLUGH"),
            ("would_help", "breaks"),
            ("money_worries", "no"),
        ],
    )
    .await;
    v.answer(
        &format!("{ADULT}/whole-family"),
        &[("under_18_helps", "no")],
    )
    .await;
    v.answer(
        &format!("{ADULT}/contingency"),
        &[
            ("contingency", "My sister would come"),
            ("emergency_plan", "yes"),
        ],
    )
    .await;
    let next = v
        .answer(
            &format!("{ADULT}/contact"),
            &[
                ("contact_method", "email"),
                ("safe_to_leave_message", "yes"),
                ("best_time", ""),
            ],
        )
        .await;
    assert_eq!(next, format!("{ADULT}/tasks"));
}

/// Finishes the form and returns the summary page's HTML and reference.
pub(crate) async fn finish(v: &mut Visitor<'_>, base: &str, prefix: &str) -> (String, String) {
    let check = v.get(&format!("{base}/check-answers")).await;
    assert_eq!(check.status, 200, "check answers is open");
    assert!(!check.body.to_lowercase().contains("eligib"));
    let reply = v.post(&format!("{base}/check-answers"), &[]).await;
    assert_eq!(reply.status, 303, "{}", error_lines(&reply.body));
    assert_eq!(reply.location, Some(format!("{base}/summary")));
    let summary = v.get(&format!("{base}/summary")).await;
    assert_eq!(summary.status, 200);
    let reference = reference_in(&summary.body, prefix).expect("a reference on the summary");
    (summary.body, reference)
}

#[tokio::test]
async fn an_adult_carer_finishes_sees_matching_services_and_asks_the_team_to_contact_them() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    let (summary, reference) = finish(&mut carer, ADULT, "CA").await;
    assert!(
        summary.contains("Morwenna Pendragon-Smith"),
        "the answers are on the summary"
    );
    assert!(summary.contains("Gwendolyn"));
    assert!(!summary.to_lowercase().contains("eligib"), "no verdict");

    // They asked for a break: breaks and sitting services, each explained.
    let breaks = services_under(&summary, "break from caring would help");
    assert!(!breaks.is_empty(), "breaks are shown");
    for id in &breaks {
        assert!(
            has_category(
                &app,
                id,
                &[
                    "adult-carers.breaks-and-respite",
                    "adult-carers.sitting-services"
                ]
            )
            .await,
            "{id} is a break or sitting service"
        );
    }
    // They work in the daytime: carers' groups that meet in the evening.
    let evening = services_under(&summary, "meet in the evening");
    assert!(!evening.is_empty(), "evening groups are shown");
    for id in &evening {
        assert!(has_category(&app, id, &["adult-carers.peer-support-groups"]).await);
        let evening_sessions = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM schedule WHERE service_id = '{id}' \
                 AND (opens_at >= '17:00' OR closes_at > '17:30')"
            ),
        )
        .await;
        assert!(evening_sessions > 0, "{id} meets in the evening");
    }
    // Nothing they did not ask for.
    assert!(!summary.contains("worries about money"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM carer_referral").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox_email").await, 0);
    // The KPI's record of a finished self-assessment: the form and the day, not yet referred.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM self_assessment_outcome \
             WHERE form = 'carer-self-assessment' AND referred_on IS NULL"
        )
        .await,
        1
    );

    // Ask the carers' team to contact me: stored once, one email with the reference and link.
    for _ in 0..2 {
        let reply = carer.post(&format!("{ADULT}/summary/contact"), &[]).await;
        assert_eq!(reply.status, 303);
    }
    let row = sqlx::query("SELECT id, status, urgent, form, answers FROM carer_referral")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.len(), 1, "one referral after two clicks");
    let id: String = row[0].try_get(0).unwrap();
    assert_eq!(row[0].try_get::<String, _>(1).unwrap(), "new");
    assert_eq!(row[0].try_get::<i64, _>(2).unwrap(), 0);
    assert_eq!(
        row[0].try_get::<String, _>(3).unwrap(),
        "carer-self-assessment"
    );
    assert!(row[0]
        .try_get::<String, _>(4)
        .unwrap()
        .contains("Gwendolyn"));
    let page = carer.get(&format!("{ADULT}/summary")).await;
    assert!(page.body.contains("We have asked the carers"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM self_assessment_outcome WHERE referred_on IS NOT NULL"
        )
        .await,
        1,
        "the KPI counts the referral once"
    );

    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 1);
    let email = &mail[0];
    assert_eq!(email.to, ["<carers-team@brackenshire.example>"]);
    let text = email.everything();
    assert!(text.contains(&reference));
    assert!(email.body().contains(&format!("/staff/requests/{id}")));
    for secret in SECRETS {
        assert!(!text.contains(secret), "the team's email contains {secret}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 1, "no second email");
    // The referral is in the carers team's triage queue (the staff portal), once.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM triage_case WHERE kind = 'carers_referral' \
                 AND status = 'new' AND id = '{id}'"
            )
        )
        .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn an_adult_who_cannot_carry_on_gets_help_at_once_and_an_urgent_referral() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "no").await;
    finish(&mut carer, ADULT, "CA").await;
    carer.post(&format!("{ADULT}/summary/contact"), &[]).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM carer_referral WHERE urgent = 1").await,
        1
    );
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    assert!(mail[0]
        .header("Subject")
        .unwrap_or_default()
        .contains("URGENT"));
    app.stop().await;
}

/// Answers every page of the young carer form; `hard_things` may hold a safeguarding answer.
async fn young_answers(v: &mut Visitor<'_>, age: &str, hard_things: &[&str]) {
    let next = v
        .answer(&format!("{YOUNG}/your-age"), &[("young_age", age)])
        .await;
    if age == "10" {
        assert_eq!(next, format!("{YOUNG}/do-it-with-a-grown-up"));
        let page = v.get(&next).await;
        assert!(page.body.contains("grown-up you trust"));
        assert!(
            page.body.contains(&format!("{YOUNG}/who-started")),
            "carry on"
        );
    }
    v.answer(&format!("{YOUNG}/who-started"), &[("who_started", "me")])
        .await;
    v.answer(
        &format!("{YOUNG}/where-you-live"),
        &[("young_in_area", "yes")],
    )
    .await;
    v.answer(
        &format!("{YOUNG}/your-details"),
        &[
            ("young_name", "Tamsin"),
            ("postcode", "BK1 4AB"),
            ("young_school", ""),
        ],
    )
    .await;
    v.answer(
        &format!("{YOUNG}/look-after/1"),
        &[
            ("look_after_who", "my little brother"),
            ("look_after_why", "He has epilepsy"),
        ],
    )
    .await;
    v.answer(&format!("{YOUNG}/look-after"), &[("add_another", "no")])
        .await;
    v.answer(
        &format!("{YOUNG}/what-you-do"),
        &[("young_tasks", "household"), ("young_tasks", "siblings")],
    )
    .await;
    v.answer(
        &format!("{YOUNG}/how-often"),
        &[("how_often", "every-day"), ("how_long", "1-3")],
    )
    .await;
    v.answer(
        &format!("{YOUNG}/school"),
        &[("school_hard", "no"), ("school_more", "")],
    )
    .await;
    v.answer(
        &format!("{YOUNG}/friends-and-fun"),
        &[("friends_hard", "no"), ("enjoy", "football")],
    )
    .await;
    v.answer(
        &format!("{YOUNG}/sleep-and-feelings"),
        &[("sleep_hard", "no"), ("feelings", "ok")],
    )
    .await;
    let mut pairs = vec![("worries", "")];
    pairs.extend(hard_things.iter().map(|h| ("hard_things", *h)));
    let next = v.answer(&format!("{YOUNG}/worries"), &pairs).await;
    if hard_things
        .iter()
        .any(|h| ["hurt", "self-harm", "not-worth-living"].contains(h))
    {
        assert_eq!(next, format!("{YOUNG}/get-help-now"));
        let help = v.get(&next).await;
        assert_eq!(help.status, 200);
        for shown in ["999", "0800 1111", "at school"] {
            assert!(help.body.contains(shown), "immediate help shows {shown}");
        }
        assert!(help.body.contains(&format!("{YOUNG}/talk-to")), "carry on");
    } else {
        assert_eq!(next, format!("{YOUNG}/talk-to"));
    }
    v.answer(&format!("{YOUNG}/talk-to"), &[("talk_to", "family")])
        .await;
    v.answer(
        &format!("{YOUNG}/better"),
        &[
            ("better", "More time to play"),
            ("keep_caring", "yes"),
            ("family_agree", "yes"),
        ],
    )
    .await;
    v.answer(
        &format!("{YOUNG}/who-involved"),
        &[("who_involved", "parents")],
    )
    .await;
    let next = v
        .answer(
            &format!("{YOUNG}/contact"),
            &[
                ("young_contact", "parent-phone"),
                ("young_phone", ""),
                ("young_email", ""),
            ],
        )
        .await;
    assert_eq!(next, format!("{YOUNG}/tasks"));
}

#[tokio::test]
async fn a_young_carer_sees_groups_for_their_age_near_them() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut child = Visitor::new(&app);
    young_answers(&mut child, "10", &["bullied"]).await;
    let (summary, _) = finish(&mut child, YOUNG, "YC").await;
    assert!(!summary.contains("id=\"immediate-help\""));
    let groups = services_under(&summary, "Young carers groups for people aged 10 near BK1");
    assert!(!groups.is_empty(), "groups are shown");
    for id in &groups {
        assert!(has_category(&app, id, &["young-carers.groups-and-clubs"]).await);
        let ages = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM service WHERE id = '{id}' \
                 AND (minimum_age IS NULL OR minimum_age <= 10) \
                 AND (maximum_age IS NULL OR maximum_age >= 10)"
            ),
        )
        .await;
        assert_eq!(ages, 1, "{id} takes 10-year-olds");
    }
    assert!(
        summary.contains("miles away"),
        "nearest first, with the distance"
    );
    // Nothing asked for, nothing shown.
    assert!(!summary.contains("makes school hard"));
    child.post(&format!("{YOUNG}/summary/contact"), &[]).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM carer_referral WHERE urgent = 0").await,
        1
    );
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail[0].to, ["<young-carers@brackenshire.example>"]);
    app.stop().await;
}

#[tokio::test]
async fn a_safeguarding_answer_shows_immediate_help_and_flags_the_referral_urgent() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut child = Visitor::new(&app);
    young_answers(&mut child, "14", &["self-harm"]).await;
    let (summary, reference) = finish(&mut child, YOUNG, "YC").await;
    assert!(
        summary.contains("id=\"immediate-help\""),
        "help shown again on the summary"
    );
    assert!(summary.contains("0800 1111"));
    let reply = child.post(&format!("{YOUNG}/summary/contact"), &[]).await;
    assert_eq!(reply.status, 303);
    let row = sqlx::query(
        "SELECT urgent, status, urgency_flags FROM carer_referral WHERE reference = $1",
    )
    .bind(&reference)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(row.try_get::<i64, _>(0).unwrap(), 1);
    assert_eq!(row.try_get::<String, _>(1).unwrap(), "new");
    assert!(row
        .try_get::<String, _>(2)
        .unwrap()
        .contains("Safeguarding"));
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    let text = mail[0].everything();
    assert!(mail[0]
        .header("Subject")
        .unwrap_or_default()
        .contains("URGENT"));
    assert!(text.contains(&reference));
    for secret in SECRETS
        .iter()
        .chain(&["self-harm", "hurt themselves", "Safeguarding"])
    {
        assert!(!text.contains(secret), "the team's email contains {secret}");
    }
    app.stop().await;
}

#[tokio::test]
async fn entry_checks_route_people_elsewhere_and_keep_the_form_closed() {
    let app = spawn_app_with(|_| {}).await;
    let mut v = Visitor::new(&app);
    let next = v
        .answer(&format!("{ADULT}/your-age"), &[("carer_age", "under-18")])
        .await;
    assert_eq!(next, format!("{ADULT}/use-the-young-carers-form"));
    let page = v.get(&next).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("href=\"/young-carers/self-assessment\""));
    assert!(
        !page.body.contains(">Continue<"),
        "no way on with this answer"
    );
    let tasks = v.get(&format!("{ADULT}/tasks")).await;
    assert!(tasks.body.contains("Cannot start yet"));
    let check = v.get(&format!("{ADULT}/check-answers")).await;
    assert_eq!(check.location, Some(format!("{ADULT}/tasks")));
    // An interrupt page is only shown straight after the answer that calls for it.
    let other = v.get(&format!("{ADULT}/parent-carers")).await;
    assert_eq!(other.location, Some(format!("{ADULT}/tasks")));

    let next = v
        .answer(&format!("{ADULT}/your-age"), &[("carer_age", "18-or-over")])
        .await;
    assert_eq!(next, format!("{ADULT}/cared-for-age"));
    let next = v
        .answer(
            &format!("{ADULT}/cared-for-age"),
            &[("cared_for_age", "child")],
        )
        .await;
    assert_eq!(next, format!("{ADULT}/parent-carers"));
    assert!(v.get(&next).await.body.contains("/request-support"));

    let mut child = Visitor::new(&app);
    let next = child
        .answer(&format!("{YOUNG}/your-age"), &[("young_age", "18")])
        .await;
    assert_eq!(next, format!("{YOUNG}/use-the-adult-carers-form"));
    let next = child
        .answer(&format!("{YOUNG}/your-age"), &[("young_age", "16")])
        .await;
    assert_eq!(next, format!("{YOUNG}/when-you-turn-18"));
    assert!(child
        .get(&next)
        .await
        .body
        .contains("transition assessment"));
    app.stop().await;
}

#[tokio::test]
async fn both_forms_save_and_resume_by_an_emailed_link() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    for (n, base, pairs) in [
        (1, ADULT, vec![("carer_age", "18-or-over")]),
        (2, YOUNG, vec![("young_age", "14")]),
    ] {
        let mut first = Visitor::new(&app);
        first.answer(&format!("{base}/your-age"), &pairs).await;
        let save = first.get(&format!("{base}/save")).await;
        assert_eq!(save.status, 200);
        let reply = first
            .post(
                &format!("{base}/save"),
                &[("email", "carer@family.example")],
            )
            .await;
        assert_eq!(reply.location, Some(format!("{base}/saved")));
        let mail = sink.wait_for(n, Duration::from_secs(10)).await;
        let body = mail[n - 1].body();
        let link = body
            .lines()
            .find(|l| l.contains(&format!("{base}/resume/")))
            .expect("a resume link")
            .trim()
            .to_owned();
        let path = &link[link.find(base).unwrap()..];

        let mut later = Visitor::new(&app);
        let reply = later.get(path).await;
        assert_eq!(reply.location, Some(format!("{base}/tasks")));
        let tasks = later.get(&format!("{base}/tasks")).await;
        assert!(tasks.body.contains("In progress"), "the answers came back");
        let page = later.get(&format!("{base}/your-age")).await;
        let (name, value) = pairs[0];
        let input = page
            .body
            .split('<')
            .find(|tag| {
                tag.starts_with("input")
                    && tag.contains(&format!("name=\"{name}\""))
                    && tag.contains(&format!("value=\"{value}\""))
            })
            .unwrap_or_else(|| panic!("the answer {name}={value} came back"));
        if input.contains("type=\"radio\"") {
            assert!(input.contains("checked"), "{input}");
        }
        // Once only.
        let again = Visitor::new(&app).get(path).await;
        assert_eq!(again.status, 404);
    }
    app.stop().await;
}

#[tokio::test]
async fn the_summary_prints_and_emails_itself_to_the_carer() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    let (_, reference) = finish(&mut carer, ADULT, "CA").await;
    let print = carer.get(&format!("{ADULT}/summary/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains(&reference));
    assert!(print.body.contains("Gwendolyn"));
    assert!(
        !print.body.contains("summary/contact"),
        "no forms on the print view"
    );

    let wrong = carer
        .post(
            &format!("{ADULT}/summary/email"),
            &[("email", "not an email")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("govuk-error-summary"));
    // Only to the address given in the answers: the form is no relay to anyone else.
    let elsewhere = carer
        .post(
            &format!("{ADULT}/summary/email"),
            &[("email", "someone.else@elsewhere.example")],
        )
        .await;
    assert_eq!(elsewhere.status, 422);
    assert!(elsewhere
        .body
        .contains("Enter the email address you gave in your answers"));
    let reply = carer
        .post(
            &format!("{ADULT}/summary/email"),
            &[("email", "Carer@Family.example")],
        )
        .await;
    assert_eq!(reply.status, 303);
    let mail = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 1, "nothing went to the other address");
    assert_eq!(mail[0].to, ["<Carer@family.example>"]);
    let body = mail[0].body();
    assert!(body.contains(&reference));
    assert!(
        body.contains("Gwendolyn"),
        "their own copy has their answers"
    );
    assert!(body.contains("/services/"), "and the services");

    // Someone else's browser sees no summary.
    let stranger = Visitor::new(&app).get(&format!("{ADULT}/summary")).await;
    assert_eq!(stranger.status, 404);
    assert!(!stranger.body.contains("Gwendolyn"));
    app.stop().await;
}

#[tokio::test]
async fn tell_us_once_starts_an_early_help_request_with_the_carers_answers() {
    let sink = SmtpSink::start().await;
    let app = app_with_smtp(&sink).await;
    let mut carer = Visitor::new(&app);
    adult_answers(&mut carer, "yes").await;
    finish(&mut carer, ADULT, "CA").await;
    let carers_cookie = carer.cookie.clone();
    let reply = carer
        .post(&format!("{ADULT}/summary/early-help"), &[])
        .await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.location.as_deref(), Some("/request-support/tasks"));
    let details = carer.get("/request-support/your-details").await;
    assert_eq!(details.status, 200);
    assert!(details.body.contains("value=\"Morwenna Pendragon-Smith\""));
    assert!(details.body.contains("value=\"carer@family.example\""));
    let postcode = carer.get("/request-support/postcode").await;
    assert!(postcode.body.contains("value=\"BK1 4AB\""));
    // The carer's summary is still theirs: a browser keeps both cookies (different paths); this
    // visitor holds one at a time.
    carer.cookie = carers_cookie;
    let summary = carer.get(&format!("{ADULT}/summary")).await;
    assert_eq!(summary.status, 200);
    app.stop().await;
}
