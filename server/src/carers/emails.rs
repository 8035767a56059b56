//! The carers' emails. The team's email carries no personal data at all — no names, answers,
//! area or reasons — only the reference, when it arrived, which form, whether it is urgent and
//! a link to the staff portal. The carer's own copy carries their answers: they asked for it, to
//! an address they typed, after being told it includes their answers.

use app::forms::carers as rules;
use app::forms::carers::summary::MatchedNeed;
use app::forms::{FormData, FormSpec};

pub struct TeamFacts<'a> {
    pub reference: &'a str,
    pub referral_id: &'a str,
    pub form: &'a FormSpec,
    pub urgent: bool,
    pub received_at: &'a str,
    pub public_url: &'a str,
}

pub fn team(facts: &TeamFacts<'_>) -> (String, String) {
    let (kind, who) = if rules::is_young(facts.form) {
        ("young carer", "A young carer")
    } else {
        ("carer", "A carer")
    };
    let urgent = if facts.urgent { " [URGENT]" } else { "" };
    let subject = format!("New {kind} referral {}{urgent}", facts.reference);
    let urgency = if facts.urgent {
        "Urgent: yes. Read it now: an answer needs a response today.\n\n"
    } else {
        ""
    };
    let body = format!(
        "{who} finished a self-assessment and asked you to contact them.\n\
         \n\
         Reference: {reference}\n\
         Received: {received}\n\
         \n\
         {urgency}\
         Read the answers in the staff portal (you need to sign in):\n\
         {url}/staff/requests/{id}\n\
         \n\
         This email has no personal details on purpose.\n",
        reference = facts.reference,
        received = facts.received_at,
        url = facts.public_url,
        id = facts.referral_id,
    );
    (subject, body)
}

/// The answers as plain text, section by section (the same order as the summary page).
pub fn answers_text(spec: &'static FormSpec, data: &FormData) -> String {
    let mut out = String::new();
    for section in spec.sections {
        out.push_str(&format!("\n{}\n", section.title.to_uppercase()));
        for page in section.pages.iter().filter(|p| p.is_visible(data)) {
            if let Some(list) = page.list {
                for (i, item) in data.list(list.key).iter().enumerate() {
                    out.push_str(&format!("{} {}\n", list.item, i + 1));
                    for field in list.fields {
                        line(&mut out, field.short, &field.display(item));
                    }
                }
            } else {
                for field in page.fields {
                    line(&mut out, field.short, &field.display(&data.values));
                }
            }
        }
    }
    out
}

fn line(out: &mut String, key: &str, value: &str) {
    let value = if value.is_empty() {
        "Not answered".to_owned()
    } else {
        value.replace('\n', "; ")
    };
    out.push_str(&format!("- {key}: {value}\n"));
}

pub fn own_copy(
    spec: &'static FormSpec,
    data: &FormData,
    reference: &str,
    matches: &[MatchedNeed],
    public_url: &str,
) -> (String, String) {
    let subject = format!("Your summary: {} ({reference})", spec.title);
    let mut services = String::new();
    for need in matches.iter().filter(|m| !m.services.is_empty()) {
        services.push_str(&format!("\n{}:\n", need.why));
        for s in &need.services {
            services.push_str(&format!("- {}: {public_url}/services/{}\n", s.name, s.id));
        }
    }
    if services.is_empty() {
        services = format!("\nSearch for support at {public_url}/search\n");
    }
    let body = format!(
        "This is the summary you asked us to send you.\n\
         \n\
         Reference: {reference}\n\
         \n\
         It is not a decision about what support you can get. To talk about support, {phone}.\n\
         \n\
         SERVICES THAT MAY HELP YOU\n\
         {services}\
         {answers}\n\
         {service}\n",
        phone = spec.words.phone_instead,
        answers = answers_text(spec, data),
        service = app::site::COUNCIL_NAME,
    );
    (subject, body)
}
