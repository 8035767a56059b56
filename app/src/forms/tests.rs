//! The form engine's rules, on the Early Help form.

use super::early_help::{self, SPEC};
use super::*;

fn today() -> IsoDate {
    IsoDate::new(2026, 11, 22).unwrap()
}

fn submitted(pairs: &[(&str, &str)]) -> Submitted {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn page(slug: &str) -> &'static Page {
    SPEC.page(slug).unwrap().1
}

#[test]
fn required_answers_have_their_own_messages() {
    let err = validate(page("who").fields, &submitted(&[]), today()).unwrap_err();
    assert_eq!(err.1.len(), 1);
    assert_eq!(err.1[0].message, "Select who is filling in this form");
    assert_eq!(err.1[0].target, "who");
    let err = validate(
        page("practitioner-details").fields,
        &submitted(&[]),
        today(),
    )
    .unwrap_err();
    let messages: Vec<_> = err.1.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Enter your full name",
            "Enter your job title or role",
            "Enter the organisation you work for",
            "Enter your work email address",
            "Enter your work phone number"
        ]
    );
}

#[test]
fn domain_types_check_and_normalise_answers() {
    let ok = validate(
        page("practitioner-details").fields,
        &submitted(&[
            ("practitioner_name", " Sam Jones "),
            ("practitioner_role", "Teacher"),
            ("practitioner_organisation", "Millbrook School"),
            ("practitioner_email", "Sam@Millbrook.EXAMPLE"),
            ("practitioner_phone", "01632960001"),
        ]),
        today(),
    )
    .unwrap();
    assert_eq!(ok["practitioner_name"], ["Sam Jones"]);
    assert_eq!(ok["practitioner_phone"], ["01632 960 001"]);
    assert_eq!(ok["practitioner_email"], ["Sam@millbrook.example"]);
    let err = validate(
        page("postcode").fields,
        &submitted(&[("postcode", "not a postcode")]),
        today(),
    )
    .unwrap_err();
    assert_eq!(
        err.0["postcode"],
        ["not a postcode"],
        "the answer is kept as typed"
    );
    assert!(err.1[0].message.contains("postcode"));
}

#[test]
fn free_text_is_capped_and_huge_input_is_not_echoed() {
    let long = "a".repeat(5_001);
    let err = validate(
        page("worries").fields,
        &submitted(&[("worries", &long)]),
        today(),
    )
    .unwrap_err();
    assert_eq!(
        err.1[0].message,
        "What you are worried about must be 5,000 characters or fewer"
    );
    assert_eq!(err.0["worries"][0].len(), 5_001);
    let huge = "a".repeat(100_000);
    let err = validate(
        page("worries").fields,
        &submitted(&[("worries", &huge)]),
        today(),
    )
    .unwrap_err();
    assert_eq!(
        err.1[0].message,
        "What you are worried about must be 5,000 characters or fewer"
    );
    assert_eq!(err.0["worries"][0], "");
    let ok = validate(
        page("worries").fields,
        &submitted(&[("worries", &"é".repeat(5_000))]),
        today(),
    );
    assert!(ok.is_ok(), "5,000 characters (not bytes) are allowed");
}

#[test]
fn dates_are_checked_part_by_part() {
    let fields = early_help::CHILDREN.fields;
    let base = [("child_first_name", "Amy"), ("child_last_name", "Lee")];
    let with = |d: &str, m: &str, y: &str| {
        let mut s = submitted(&base);
        s.push(("child_dob-day".into(), d.into()));
        s.push(("child_dob-month".into(), m.into()));
        s.push(("child_dob-year".into(), y.into()));
        validate(fields, &s, today())
    };
    assert_eq!(with("3", "4", "2019").unwrap()["child_dob"], ["2019-04-03"]);
    let msg = |r: Result<Fields, (Fields, Vec<FieldError>)>| r.unwrap_err().1[0].message.clone();
    assert_eq!(
        msg(with("", "", "")),
        "Enter the child's date of birth or due date"
    );
    assert_eq!(
        msg(with("3", "", "2019")),
        "Date of birth or due date must include a month"
    );
    assert_eq!(
        msg(with("31", "2", "2019")),
        "Date of birth or due date must be a real date"
    );
    assert_eq!(
        msg(with("1", "1", "2028")),
        "Date of birth or due date must be within the next 9 months"
    );
    assert!(with("1", "6", "2027").is_ok(), "a due date in 7 months");
    assert_eq!(msg(with("1", "1", "19")), "Year must include 4 numbers");
}

#[test]
fn choices_outside_the_list_are_refused() {
    let err = validate(
        page("who").fields,
        &submitted(&[("who", "<script>")]),
        today(),
    )
    .unwrap_err();
    assert_eq!(err.1[0].message, "Select who is filling in this form");
    let ok = validate(
        page("need-areas").fields,
        &submitted(&[
            ("need_areas", "housing"),
            ("need_areas", "bogus"),
            ("need_areas", "money"),
        ]),
        today(),
    )
    .unwrap();
    assert_eq!(ok["need_areas"], ["housing", "money"]);
}

fn answered(who: &str) -> FormData {
    let mut data = FormData::default();
    data.values.insert("who".into(), vec![who.into()]);
    data.done.insert("who".into());
    data
}

#[test]
fn branches_follow_who_is_filling_in_the_form() {
    let parent = answered(early_help::PARENT);
    assert_eq!(
        SPEC.next_after("who", &parent, false),
        "/request-support/your-details"
    );
    let practitioner = answered(early_help::PRACTITIONER);
    assert_eq!(
        SPEC.next_after("who", &practitioner, false),
        "/request-support/practitioner-details"
    );
    let mut no_consent = practitioner.clone();
    no_consent
        .values
        .insert("family_agreed".into(), vec!["no".into()]);
    assert!(SPEC.page("no-agreement").unwrap().1.is_visible(&no_consent));
    assert!(!SPEC
        .page("no-agreement")
        .unwrap()
        .1
        .is_visible(&practitioner));
    assert_eq!(
        SPEC.back_from("your-details", &parent),
        "/request-support/who"
    );
    assert_eq!(SPEC.back_from("who", &parent), "/request-support/tasks");
}

#[test]
fn changing_a_branch_drops_the_old_answers_and_asks_the_new_questions() {
    let mut data = answered(early_help::PARENT);
    data.values.insert("your_name".into(), vec!["Alex".into()]);
    data.done.insert("your-details".into());
    data.values
        .insert("who".into(), vec![early_help::PRACTITIONER.into()]);
    SPEC.prune(&mut data);
    assert!(!data.values.contains_key("your_name"));
    assert!(!data.done.contains("your-details"));
    assert_eq!(
        SPEC.next_after("who", &data, true),
        "/request-support/practitioner-details?change=1"
    );
}

#[test]
fn the_task_list_tracks_sections() {
    let data = FormData::default();
    let first = &SPEC.sections[0];
    assert_eq!(SPEC.status(first, &data), Status::NotStarted);
    assert_eq!(SPEC.status(&SPEC.sections[1], &data), Status::CannotStart);
    let data = answered(early_help::PARENT);
    assert_eq!(SPEC.status(first, &data), Status::InProgress);
    assert!(!SPEC.is_complete(&data));
}

#[test]
fn references_use_an_unambiguous_alphabet() {
    let r = reference("EH", [0, 1, 2, 3, 29, 30, 255, 128]);
    assert_eq!(r.len(), "EH-7K3Q-9M2P".len());
    assert!(r.starts_with("EH-"));
    for c in r[3..].chars().filter(|c| *c != '-') {
        assert!(!"01ILOU".contains(c), "{c} is ambiguous");
    }
    assert_eq!(reference("EH", [0; 8]), "EH-2222-2222");
}

#[test]
fn the_triage_flags_are_fixed_phrases() {
    let mut data = answered(early_help::PRACTITIONER);
    data.values
        .insert("family_agreed".into(), vec!["no".into()]);
    data.values
        .insert("need_areas".into(), vec!["domestic-abuse".into()]);
    let mut child = Fields::new();
    child.insert("child_dob".into(), vec!["2026-08-01".into()]);
    data.lists.insert("children".into(), vec![child]);
    let flags = early_help::urgency_flags(&data, today());
    assert_eq!(
        flags,
        [
            "Made without the family's agreement",
            "Domestic abuse",
            "Baby under one or unborn"
        ]
    );
}

#[test]
fn acknowledgements_go_only_where_it_is_safe() {
    let mut parent = answered(early_help::PARENT);
    parent
        .values
        .insert("your_email".into(), vec!["a@b.example".into()]);
    parent
        .values
        .insert("safe_to_write".into(), vec!["no".into()]);
    assert_eq!(early_help::acknowledgement_address(&parent), None);
    parent
        .values
        .insert("safe_to_write".into(), vec!["yes".into()]);
    assert_eq!(
        early_help::acknowledgement_address(&parent),
        Some("a@b.example")
    );
}

/// Every page and list item of the form, with its fields.
/// Every form of the engine: the rules below hold for all of them.
const ALL_FORMS: [&FormSpec; 3] = [&SPEC, &super::carers::ADULT, &super::carers::YOUNG];

fn all_field_sets(spec: &'static FormSpec) -> Vec<(&'static str, &'static [Field])> {
    let mut sets = Vec::new();
    for section in spec.sections {
        for page in section.pages {
            sets.push((page.slug, page.fields));
            if let Some(list) = page.list {
                sets.push((list.key, list.fields));
            }
        }
    }
    sets
}

#[test]
fn every_required_field_says_what_to_do_when_it_is_missing() {
    for spec in ALL_FORMS {
        // The young carer form speaks to children: "Tell us …" rather than "Enter …".
        let young = spec.id == super::carers::YOUNG.id;
        for (slug, fields) in all_field_sets(spec) {
            let errors = match validate(fields, &submitted(&[]), today()) {
                Ok(_) => vec![],
                Err((_, errors)) => errors,
            };
            let required: Vec<&Field> = fields.iter().filter(|f| !f.optional).collect();
            assert_eq!(errors.len(), required.len(), "{slug}");
            for (error, field) in errors.iter().zip(required) {
                assert_eq!(error.message, field.required, "{slug}/{}", field.name);
                assert!(
                    field.required.starts_with("Enter ")
                        || field.required.starts_with("Select ")
                        || (young && field.required.starts_with("Tell us ")),
                    "{slug}/{}: {:?} should say what to do",
                    field.name,
                    field.required
                );
                assert!(!field.label.contains("(optional)"), "{slug}/{}", field.name);
            }
            for field in fields.iter().filter(|f| f.optional) {
                assert!(
                    field.label.contains("(optional)") || matches!(field.kind, Kind::Radios(_)),
                    "{slug}/{}: optional questions say so",
                    field.name
                );
            }
        }
    }
}

#[test]
fn slugs_and_field_names_are_unique() {
    for spec in ALL_FORMS {
        let mut slugs = std::collections::BTreeSet::new();
        for page in spec.sections.iter().flat_map(|s| s.pages.iter()) {
            assert!(slugs.insert(page.slug), "slug {} twice", page.slug);
        }
        let mut names = std::collections::BTreeSet::new();
        for (_, fields) in all_field_sets(spec) {
            for field in fields {
                assert!(names.insert(field.name), "field {} twice", field.name);
            }
        }
        for reserved in [
            "tasks",
            "check-answers",
            "confirmation",
            "save",
            "saved",
            "resume",
            "summary",
            "before-you-start",
        ] {
            assert!(
                !slugs.contains(reserved),
                "{reserved} is the engine's own page"
            );
        }
    }
}
