//! The carer forms' rules: routing at entry, safeguarding, matching services, and the young
//! carer form's reading age.

use super::*;
use crate::forms::{readability, Kind, Status};

fn answers(pairs: &[(&str, &[&str])]) -> FormData {
    let mut data = FormData::default();
    for (k, v) in pairs {
        data.values
            .insert((*k).into(), v.iter().map(|s| s.to_string()).collect());
    }
    data
}

fn answered(spec: &'static FormSpec, slugs: &[&str], pairs: &[(&str, &[&str])]) -> FormData {
    let mut data = answers(pairs);
    for s in slugs {
        data.done.insert((*s).into());
    }
    let _ = spec;
    data
}

#[test]
fn adults_entry_routes_under_18s_parent_carers_and_other_areas_elsewhere() {
    let to = |slug: &str, pairs: &[(&str, &[&str])]| {
        let data = answered(&ADULT, &[slug], pairs);
        ADULT.next_after(slug, &data, false)
    };
    assert_eq!(
        to("your-age", &[("carer_age", &["under-18"])]),
        "/carers/self-assessment/use-the-young-carers-form"
    );
    assert_eq!(
        to("your-age", &[("carer_age", &["18-or-over"])]),
        "/carers/self-assessment/cared-for-age"
    );
    assert_eq!(
        to("cared-for-age", &[("cared_for_age", &["child"])]),
        "/carers/self-assessment/parent-carers"
    );
    assert_eq!(
        to("cared-for-age", &[("cared_for_age", &["both"])]),
        "/carers/self-assessment/where-you-live"
    );
    assert_eq!(
        to("where-you-live", &[("in_area", &["no"])]),
        "/carers/self-assessment/outside-brackenshire"
    );
    assert_eq!(
        to("where-you-live", &[("in_area", &["not-sure"])]),
        "/carers/self-assessment/tasks"
    );
}

#[test]
fn a_routed_away_answer_keeps_the_rest_of_the_form_closed() {
    let slugs = ["your-age", "cared-for-age", "where-you-live"];
    let mut data = answered(
        &ADULT,
        &slugs,
        &[
            ("carer_age", &["under-18"]),
            ("cared_for_age", &["adult"]),
            ("in_area", &["yes"]),
        ],
    );
    let check = &ADULT.sections[0];
    assert_eq!(ADULT.status(check, &data), Status::InProgress);
    assert_eq!(ADULT.status(&ADULT.sections[1], &data), Status::CannotStart);
    assert_eq!(
        ADULT.section_start(check, &data).map(|p| p.slug),
        Some("your-age")
    );
    data.values
        .insert("carer_age".into(), vec!["18-or-over".into()]);
    assert_eq!(ADULT.status(check, &data), Status::Completed);
    assert_eq!(ADULT.status(&ADULT.sections[1], &data), Status::NotStarted);
}

#[test]
fn young_carers_entry_routes_by_age_and_area() {
    let to = |slug: &str, pairs: &[(&str, &[&str])]| {
        let data = answered(&YOUNG, &[slug], pairs);
        YOUNG.next_after(slug, &data, false)
    };
    let base = "/young-carers/self-assessment";
    assert_eq!(
        to("your-age", &[("young_age", &["7"])]),
        format!("{base}/ask-a-grown-up")
    );
    assert_eq!(
        to("your-age", &[("young_age", &["18"])]),
        format!("{base}/use-the-adult-carers-form")
    );
    assert_eq!(
        to("your-age", &[("young_age", &["9"])]),
        format!("{base}/do-it-with-a-grown-up")
    );
    assert_eq!(
        to("your-age", &[("young_age", &["14"])]),
        format!("{base}/who-started")
    );
    assert_eq!(
        to("your-age", &[("young_age", &["17"])]),
        format!("{base}/when-you-turn-18")
    );
    assert_eq!(
        to("where-you-live", &[("young_in_area", &["no"])]),
        format!("{base}/outside-brackenshire")
    );
    // The non-blocking ones carry on to the next page.
    let data = answered(&YOUNG, &["your-age"], &[("young_age", &["9"])]);
    assert_eq!(
        YOUNG.next_without_interrupt("your-age", &data, false),
        format!("{base}/who-started")
    );
    let start = &YOUNG.sections[0];
    let data = answered(
        &YOUNG,
        &["your-age", "who-started", "where-you-live"],
        &[
            ("young_age", &["9"]),
            ("who_started", &["me"]),
            ("young_in_area", &["yes"]),
        ],
    );
    assert_eq!(YOUNG.status(start, &data), Status::Completed);
}

#[test]
fn safeguarding_answers_show_immediate_help_and_flag_urgent() {
    for answer in SAFEGUARDING_ANSWERS {
        let data = answered(&YOUNG, &["worries"], &[("hard_things", &[answer])]);
        assert_eq!(
            YOUNG.next_after("worries", &data, false),
            "/young-carers/self-assessment/get-help-now"
        );
        let flags = urgency_flags(&YOUNG, &data);
        assert!(is_urgent(&flags), "{answer}: {flags:?}");
    }
    let data = answered(
        &YOUNG,
        &["worries"],
        &[("hard_things", &["money", "bullied"])],
    );
    assert_eq!(
        YOUNG.next_after("worries", &data, false),
        "/young-carers/self-assessment/talk-to"
    );
    assert!(!is_urgent(&urgency_flags(&YOUNG, &data)));
    let data = answers(&[("able_now", &["no"])]);
    assert!(is_urgent(&urgency_flags(&ADULT, &data)));
    let data = answers(&[("able_now", &["with-support"])]);
    assert!(!is_urgent(&urgency_flags(&ADULT, &data)));
}

fn categories(needs: &[Need]) -> Vec<&'static str> {
    needs
        .iter()
        .flat_map(|n| n.categories.iter().copied())
        .collect()
}

#[test]
fn adults_asking_for_a_break_are_shown_breaks_and_day_workers_evening_groups() {
    let needs = matches(
        &ADULT,
        &answers(&[
            ("would_help", &["breaks"]),
            ("work", &["full-time"]),
            ("work_hours", &["daytime"]),
            ("money_worries", &["no"]),
            ("emergency_plan", &["yes"]),
        ]),
    );
    assert_eq!(
        categories(&needs),
        [
            "adult-carers.breaks-and-respite",
            "adult-carers.sitting-services",
            "adult-carers.peer-support-groups"
        ]
    );
    assert_eq!(needs[1].when, When::Evening);
    assert!(needs[1].why.contains("evening"));
    assert!(needs[0].why.contains("break"));
}

#[test]
fn adults_see_only_what_their_answers_call_for() {
    let needs = matches(
        &ADULT,
        &answers(&[
            ("work", &["retired"]),
            ("money_worries", &["no"]),
            ("emergency_plan", &["yes"]),
            ("health_impact", &["none"]),
            ("sleep", &["fine"]),
        ]),
    );
    assert!(needs.is_empty(), "{needs:?}");
    // Night workers are not sent to evening groups; money worries bring money advice.
    let needs = matches(
        &ADULT,
        &answers(&[
            ("work", &["part-time"]),
            ("work_hours", &["nights"]),
            ("money_worries", &["yes"]),
            ("emergency_plan", &["no"]),
            ("under_18_helps", &["yes"]),
            ("sleep", &["often"]),
        ]),
    );
    assert_eq!(
        categories(&needs),
        [
            "money-and-housing.money-and-benefits-advice",
            "money-and-housing.debt",
            "adult-carers.training-and-wellbeing",
            "adult-carers.carers-advice",
            "young-carers.assessments-and-one-to-one"
        ]
    );
    assert!(needs.iter().all(|n| n.when == When::Any));
}

#[test]
fn young_carers_see_groups_for_their_age_near_their_postcode() {
    let needs = matches(
        &YOUNG,
        &answers(&[
            ("young_age", &["10"]),
            ("postcode", &["BK1 4AB"]),
            ("school_hard", &["no"]),
            ("friends_hard", &["no"]),
            ("feelings", &["good"]),
            ("talk_to", &["family"]),
        ]),
    );
    assert_eq!(needs.len(), 1, "{needs:?}");
    assert_eq!(needs[0].categories, ["young-carers.groups-and-clubs"]);
    assert_eq!(needs[0].age, Some(10));
    assert!(needs[0].near);
    assert_eq!(
        needs[0].why,
        "Young carers groups for people aged 10 near BK1"
    );

    let needs = matches(
        &YOUNG,
        &answers(&[
            ("young_age", &["16"]),
            ("postcode", &["BK2 1AA"]),
            ("school_hard", &["a-lot"]),
            ("young_would_help", &["break"]),
            ("hard_things", &["money"]),
            ("feelings", &["sad"]),
        ]),
    );
    assert_eq!(
        categories(&needs),
        [
            "young-carers.groups-and-clubs",
            "young-carers.activities-and-trips",
            "young-carers.school-support",
            "young-carers.assessments-and-one-to-one",
            "money-and-housing.money-and-benefits-advice",
            "young-carers.young-adult-carers"
        ]
    );
    assert!(needs
        .iter()
        .filter(|n| n.categories[0].starts_with("young-carers"))
        .all(|n| n.age == Some(16)));
    assert_eq!(needs[4].age, None, "money advice is for the adults");
}

#[test]
fn both_forms_have_all_eight_outcomes_and_no_verdict() {
    let outcomes = ADULT.sections.iter().find(|s| s.id == "outcomes").unwrap();
    assert_eq!(outcomes.pages.len(), 8);
    for page in outcomes.pages {
        let Kind::Radios(choices) = page.fields[0].kind else {
            panic!("{} asks with radios", page.slug)
        };
        let values: Vec<_> = choices.iter().map(|c| c.value).collect();
        assert_eq!(values, ["without-help", "distress", "risk", "not-affected"]);
        assert_eq!(page.fields[1].label, "Tell us more (optional)");
    }
    for spec in [&ADULT, &YOUNG] {
        for (_, page) in spec
            .sections
            .iter()
            .flat_map(|s| s.pages.iter().map(move |p| (s, p)))
        {
            let choices = page.fields.iter().flat_map(|f| match f.kind {
                Kind::Radios(c) | Kind::Checkboxes(c) => c.iter().map(|c| c.label).collect(),
                _ => Vec::new(),
            });
            let texts = page
                .fields
                .iter()
                .flat_map(|f| [Some(f.label), f.hint])
                .flatten()
                .chain([page.title])
                .chain(page.intro.iter().copied())
                .chain(choices);
            for text in texts {
                assert_no_verdict(text);
            }
        }
        for interrupt in spec.interrupts {
            for text in interrupt.paragraphs.iter().chain([&interrupt.title]) {
                assert_no_verdict(text);
            }
        }
        for text in [
            spec.words.declaration,
            spec.words.check_title,
            spec.words.not_ready,
        ] {
            assert_no_verdict(text);
        }
    }
}

/// Words that would tell a carer whether they qualify for support, which the forms never do.
fn assert_no_verdict(text: &str) {
    let lower = text.to_lowercase();
    for verdict in [
        "eligib",
        "qualify",
        "entitled",
        "you meet the",
        "threshold",
        "criteria",
        "you will get support",
        "you will not get",
    ] {
        assert!(!lower.contains(verdict), "a verdict ({verdict}) in: {text}");
    }
}

#[test]
fn interrupts_are_listed_and_slugs_do_not_clash_with_pages() {
    for spec in [&ADULT, &YOUNG] {
        for interrupt in spec.interrupts {
            assert!(spec.page(interrupt.slug).is_none(), "{}", interrupt.slug);
            assert_eq!(spec.interrupt_page(interrupt.slug), Some(*interrupt));
        }
    }
}

/// Everything the young carer reads on the form's pages.
/// The young carer form's prose, as a reader meets it: the start page, section and page titles,
/// questions, hints, answers of four words or more (a "Yes" or "A bit" is not a sentence and would
/// flatter the score), intros, interrupts and the form's own wording at the end.
fn young_texts() -> Vec<&'static str> {
    let mut texts: Vec<&'static str> = YOUNG_START.to_vec();
    for section in YOUNG.sections {
        texts.push(section.title);
        for page in section.pages {
            texts.push(page.title);
            texts.extend(page.intro.iter().copied());
            texts.extend(page.warning);
            let list = page.list.map(|l| l.fields).unwrap_or_default();
            for field in page.fields.iter().chain(list.iter()) {
                texts.push(field.label);
                texts.extend(field.hint);
                if let Kind::Radios(c) | Kind::Checkboxes(c) = field.kind {
                    texts.extend(
                        c.iter()
                            .map(|c| c.label)
                            .filter(|l| l.split_whitespace().count() >= 4),
                    );
                    texts.extend(c.iter().filter_map(|c| c.hint));
                }
            }
        }
    }
    for interrupt in YOUNG.interrupts {
        texts.push(interrupt.title);
        texts.extend(interrupt.warning);
        texts.extend(interrupt.paragraphs.iter().copied());
    }
    texts.extend([
        YOUNG.words.check_title,
        YOUNG.words.send_heading,
        YOUNG.words.declaration,
        YOUNG.words.not_ready,
    ]);
    texts.retain(|t| !t.trim().is_empty());
    texts
}

/// Whether prose reads at about age 9: a Flesch–Kincaid reading age of 8 or under, fewer than
/// one word in sixteen of three syllables or more, and no sentence over 20 words. The formula is
/// rough, so the bounds sit a year under the aim, where the adult form (written for adults) falls
/// outside both. A score of one short text alone would be noise: these measure the whole form.
fn reads_at_about_age_9(texts: &[&str]) -> Result<String, String> {
    let all = texts.join("\n");
    let age = readability::reading_age(&all);
    let words: Vec<&str> = all
        .split(|c: char| !c.is_ascii_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let long = words
        .iter()
        .filter(|w| readability::syllables(w) >= 3)
        .count();
    let share = long as f64 / words.len().max(1) as f64;
    let figures = format!("reading age {age:.1}, {:.1}% long words", share * 100.0);
    if age > 8.0 || share >= 0.0625 {
        return Err(figures);
    }
    for sentence in all.split(['.', '?', '!', '\n']) {
        if sentence.split_whitespace().count() > 20 {
            return Err(format!("too long for a young reader: {sentence}"));
        }
    }
    Ok(figures)
}

#[test]
fn the_young_carer_form_reads_at_about_age_9() {
    let young = reads_at_about_age_9(&young_texts());
    println!("young carer form: {young:?}");
    assert!(young.is_ok(), "{young:?}");
    // The adult form is written for adults: the same measure says so, so it can tell them apart.
    let adult: Vec<&str> = ADULT
        .sections
        .iter()
        .flat_map(|s| s.pages.iter())
        .flat_map(|p| {
            p.fields
                .iter()
                .map(|f| f.label)
                .chain(p.fields.iter().filter_map(|f| f.hint))
        })
        .collect();
    let adult = reads_at_about_age_9(&adult);
    println!("adult carer form: {adult:?}");
    assert!(adult.is_err());
}

#[test]
fn tell_us_once_carries_contact_details_into_an_early_help_request() {
    let adult = answers(&[
        ("carer_name", &["Sam Carer"]),
        ("carer_email", &["sam@example.org"]),
        ("postcode", &["BK1 4AB"]),
        ("what_to_change", &["Help with nights"]),
        ("contact_method", &["email"]),
        ("cared_for_condition", &["not carried"]),
    ]);
    let eh = early_help_answers(&ADULT, &adult).unwrap();
    assert_eq!(eh.value("who"), "parent");
    assert_eq!(eh.value("your_name"), "Sam Carer");
    assert_eq!(eh.value("your_email"), "sam@example.org");
    assert_eq!(eh.value("postcode"), "BK1 4AB");
    assert_eq!(eh.value("needs_to_happen"), "Help with nights");
    assert_eq!(eh.value("contact_method"), "email");
    assert!(
        eh.done.is_empty(),
        "every page is still checked by the person"
    );
    // Every carried name is a field of the Early Help form.
    for name in eh.values.keys() {
        assert!(
            crate::forms::early_help::SPEC
                .sections
                .iter()
                .flat_map(|s| s.pages.iter())
                .any(|p| p.fields.iter().any(|f| f.name == name)),
            "{name}"
        );
    }
    let young = answers(&[("young_age", &["12"]), ("young_name", &["Tam"])]);
    assert!(early_help_answers(&YOUNG, &young).is_none());
    let young = answers(&[("young_age", &["17"]), ("young_name", &["Tam"])]);
    assert_eq!(
        early_help_answers(&YOUNG, &young).unwrap().value("who"),
        "young-person"
    );
}

#[test]
fn the_way_a_carer_chooses_to_be_contacted_asks_for_its_details_when_they_are_missing() {
    let next = |pairs: &[(&str, &[&str])]| {
        let data = answered(&ADULT, &["contact"], pairs);
        ADULT.next_after("contact", &data, false)
    };
    let base = "/carers/self-assessment/";
    // Details already given in "About you": nothing more to ask.
    assert!(!next(&[
        ("contact_method", &["phone"]),
        ("carer_phone", &["01632 960002"])
    ])
    .starts_with(&format!("{base}contact-")));
    assert!(!next(&[
        ("contact_method", &["email"]),
        ("carer_email", &["sam@example.org"])
    ])
    .starts_with(&format!("{base}contact-")));
    // Left out: the form asks for them.
    assert_eq!(
        next(&[("contact_method", &["phone"])]),
        format!("{base}contact-phone")
    );
    assert_eq!(
        next(&[("contact_method", &["email"])]),
        format!("{base}contact-email")
    );
    // Letters need an address, which "About you" never asks for.
    assert_eq!(
        next(&[
            ("contact_method", &["letter"]),
            ("carer_email", &["sam@example.org"])
        ]),
        format!("{base}postal-address")
    );
    // The number given on the contact page is the one carried into an Early Help request.
    let data = answers(&[
        ("carer_name", &["Sam"]),
        ("contact_method", &["phone"]),
        ("contact_phone", &["01632 960002"]),
    ]);
    let eh = early_help_answers(&ADULT, &data).unwrap();
    assert_eq!(eh.value("your_phone"), "01632 960002");
}
