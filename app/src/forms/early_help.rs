//! The Early Help request for support (FORMS.md §6.3), declared for the form engine.
//!
//! The family is never asked to rate a level of need: the Hub decides that.

use super::{
    choice, choice_hint, Choice, Field, FormData, FormSpec, ListSpec, Page, Section, TextRule,
};

/// Free-text answers are capped at this many characters.
pub const FREE_TEXT_MAX: usize = 5_000;
const NAME_MAX: usize = 100;
const SHORT_MAX: usize = 200;

/// The out-of-hours duty number (Ofcom drama range).
pub const OUT_OF_HOURS_PHONE: &str = "01632 960 999";
pub const OUT_OF_HOURS_TEL: &str = "+441632960999";
/// The Early Help Hub's front door (Ofcom drama range).
pub const HUB_PHONE: &str = "01632 960 123";
pub const HUB_TEL: &str = "+441632960123";
/// Where "Exit this page" goes (one place for the whole site).
pub use crate::site::EXIT_URL;

pub const PARENT: &str = "parent";
pub const YOUNG_PERSON: &str = "young-person";
pub const PRACTITIONER: &str = "practitioner";

const YES_NO: &[Choice] = &[choice("yes", "Yes"), choice("no", "No")];
const YES_NO_UNSURE: &[Choice] = &[
    choice("yes", "Yes"),
    choice("no", "No"),
    choice("not-sure", "I do not know"),
];

fn who(data: &FormData) -> &str {
    data.value("who")
}
fn is_family(data: &FormData) -> bool {
    matches!(who(data), PARENT | YOUNG_PERSON)
}
fn is_practitioner(data: &FormData) -> bool {
    who(data) == PRACTITIONER
}
fn practitioner_without_consent(data: &FormData) -> bool {
    is_practitioner(data) && data.value("family_agreed") == "no"
}
fn interpreter_needed(data: &FormData) -> bool {
    data.value("interpreter") == "yes"
}

const WHO: &[Choice] = &[
    choice_hint(
        PARENT,
        "A parent or carer",
        "You are asking for support for your own family",
    ),
    choice_hint(
        YOUNG_PERSON,
        "A young person aged 16 or 17",
        "You are asking for support for yourself",
    ),
    choice_hint(
        PRACTITIONER,
        "A practitioner",
        "You work with the family, for example in a school, health service or charity",
    ),
];

const CONTACT_METHODS: &[Choice] = &[
    choice("phone", "Phone call"),
    choice("text", "Text message"),
    choice("email", "Email"),
    choice("letter", "Letter"),
];

const SHARE_WITH: &[Choice] = &[
    choice("school", "School, nursery or college"),
    choice(
        "health",
        "Health services, such as your GP or health visitor",
    ),
    choice("childrens-centre", "Family hubs and children's centres"),
    choice("housing", "Housing services"),
    choice("other-council", "Other council services"),
];

const NEED_AREAS: &[Choice] = &[
    choice("education", "Going to school and learning"),
    choice("early-years", "Development of a baby or young child"),
    choice("health", "Physical or mental health"),
    choice("substance-use", "Drug or alcohol use"),
    choice("relationships", "Family relationships"),
    choice(
        "exploitation",
        "Keeping children safe from abuse or exploitation",
    ),
    choice("crime", "Crime or anti-social behaviour"),
    choice("domestic-abuse", "Domestic abuse"),
    choice("housing", "Housing"),
    choice("money", "Money, debt or work"),
];

const PROFESSIONAL_TYPES: &[Choice] = &[
    choice("gp", "GP"),
    choice("school", "School, nursery or college"),
    choice("health-visitor", "Health visitor or school nurse"),
    choice("mental-health", "Mental health service"),
    choice("social-worker", "Social worker"),
    choice("other", "Someone else"),
];

const SEND: &[Choice] = &[
    choice("yes", "Yes"),
    choice("no", "No"),
    choice("not-sure", "Not sure"),
];

/// The children the request is about.
pub static CHILDREN: ListSpec = ListSpec {
    key: "children",
    item: "child",
    empty_question: "",
    min: 1,
    max: 10,
    name_fields: &["child_first_name", "child_last_name"],
    fields: &[
        Field::text("child_first_name", "First name", NAME_MAX)
            .required("Enter the child's first name")
            .short("First name"),
        Field::text("child_last_name", "Last name", NAME_MAX)
            .required("Enter the child's last name")
            .short("Last name"),
        Field::date("child_dob", "Date of birth or due date", 280)
            .required("Enter the child's date of birth or due date")
            .hint("For example, 27 3 2019. If the baby is not born yet, enter the due date.")
            .short("Date of birth or due date"),
        Field::text("child_gender", "Gender (optional)", NAME_MAX).short("Gender"),
        Field::text(
            "child_school",
            "School, nursery or college (optional)",
            SHORT_MAX,
        )
        .short("School, nursery or college"),
        Field::radios(
            "child_send",
            "Does the child have special educational needs or a disability? (optional)",
            SEND,
        )
        .short("Special educational needs or disability"),
        Field::text("child_language", "First language (optional)", NAME_MAX)
            .short("First language"),
        Field::text("child_ethnicity", "Ethnicity (optional)", NAME_MAX).short("Ethnicity"),
        Field::text("child_religion", "Religion (optional)", NAME_MAX).short("Religion"),
        Field::textarea(
            "child_location_concern",
            "Are you worried about where the child is living or staying now? (optional)",
            FREE_TEXT_MAX,
        )
        .hint("Tell us where they are and why you are worried")
        .short("Where the child is living"),
    ],
};

/// The adults in the household and important people outside it.
pub static ADULTS: ListSpec = ListSpec {
    key: "adults",
    item: "adult",
    empty_question: "Do you want to tell us about an adult in the child's life?",
    min: 0,
    max: 10,
    name_fields: &["adult_name"],
    fields: &[
        Field::text("adult_name", "Full name", NAME_MAX)
            .required("Enter the adult's full name")
            .short("Full name"),
        Field::text("adult_relationship", "Relationship to the child", NAME_MAX)
            .required("Enter the adult's relationship to the child")
            .hint("For example, mother, stepfather, grandparent, family friend")
            .short("Relationship to the child"),
        Field::radios("adult_lives_with", "Do they live with the child?", YES_NO)
            .required("Select yes if they live with the child"),
        Field::radios(
            "adult_parental_responsibility",
            "Do they have parental responsibility?",
            YES_NO_UNSURE,
        )
        .required("Select whether they have parental responsibility")
        .hint("Mothers, and fathers named on the birth certificate, usually do"),
        Field::text(
            "adult_communication",
            "Do they need an interpreter or help to communicate? (optional)",
            SHORT_MAX,
        )
        .hint("For example, a British Sign Language interpreter or a Polish interpreter")
        .short("Interpreter or communication needs"),
    ],
};

/// Professionals already working with the family.
pub static PROFESSIONALS: ListSpec = ListSpec {
    key: "professionals",
    item: "professional",
    empty_question:
        "Is anyone already working with the family, such as a GP, school or health visitor?",
    min: 0,
    max: 10,
    name_fields: &["professional_name"],
    fields: &[
        Field::radios(
            "professional_type",
            "What kind of professional are they?",
            PROFESSIONAL_TYPES,
        )
        .required("Select what kind of professional they are"),
        Field::text("professional_name", "Name or organisation", SHORT_MAX)
            .required("Enter their name or organisation")
            .hint("For example, Dr Rahman at Millbrook Surgery")
            .short("Name or organisation"),
        Field::text(
            "professional_contact",
            "Phone number or email address (optional)",
            SHORT_MAX,
        )
        .short("Phone number or email address"),
    ],
};

static SECTIONS: &[Section] = &[
    Section {
        id: "about-you",
        title: "About you",
        pages: &[
            Page::new(
                "who",
                "Who is filling in this form?",
                &[Field::radios("who", "Who is filling in this form?", WHO)
                    .required("Select who is filling in this form")],
            ),
            Page::new(
                "your-details",
                "Your details",
                &[
                    Field::text("your_name", "Full name", NAME_MAX)
                        .required("Enter your full name")
                        .autocomplete("name")
                        .short("Full name"),
                    Field::text("your_relationship", "Your relationship to the child or children (optional)", NAME_MAX)
                        .hint("For example, mother, grandparent, foster carer. Leave this empty if the request is about you.")
                        .short("Relationship"),
                    Field::rule("your_phone", "Phone number (optional)", TextRule::Phone)
                        .hint("We will only call if you tell us it is safe")
                        .short("Phone number"),
                    Field::rule("your_email", "Email address (optional)", TextRule::Email)
                        .hint("We will send you a confirmation and your reference number")
                        .short("Email address"),
                ],
            )
            .show_if(is_family),
            Page::new(
                "practitioner-details",
                "Your details",
                &[
                    Field::text("practitioner_name", "Full name", NAME_MAX)
                        .required("Enter your full name")
                        .autocomplete("name")
                        .short("Full name"),
                    Field::text("practitioner_role", "Job title or role", NAME_MAX)
                        .required("Enter your job title or role")
                        .short("Job title or role"),
                    Field::text("practitioner_organisation", "Organisation", SHORT_MAX)
                        .required("Enter the organisation you work for")
                        .autocomplete("organization")
                        .short("Organisation"),
                    Field::rule("practitioner_email", "Work email address", TextRule::Email)
                        .required("Enter your work email address")
                        .short("Work email address"),
                    Field::rule("practitioner_phone", "Work phone number", TextRule::Phone)
                        .required("Enter your work phone number")
                        .short("Work phone number"),
                ],
            )
            .intro(&["We cannot accept anonymous requests from practitioners."])
            .show_if(is_practitioner),
            Page::new(
                "postcode",
                "What is the family's postcode?",
                &[Field::rule("postcode", "What is the family's postcode?", TextRule::Postcode)
                    .required("Enter the family's postcode")
                    .hint("Where the child lives. For example, BK1 4AB")
                    .short("Postcode")],
            ),
        ],
    },
    Section {
        id: "consent",
        title: "Agreement and sharing information",
        pages: &[
            Page::new(
                "agreement",
                "Agreement and sharing information",
                &[
                    Field::radios(
                        "family_agrees_support",
                        "Do you agree to us contacting you about support?",
                        YES_NO,
                    )
                    .required("Select yes if you agree to us contacting you about support")
                    .hint("Early help is voluntary. You can change your mind at any time."),
                    Field::checkboxes(
                        "family_share_with",
                        "Who can we share information with to help you? (optional)",
                        SHARE_WITH,
                    )
                    .hint("Select all that apply. We only share what they need to know.")
                    .short("Who we can share information with"),
                    Field::textarea(
                        "must_not_see",
                        "Is there anyone who must not see this request or be told about it? (optional)",
                        FREE_TEXT_MAX,
                    )
                    .hint("For example, a person you are afraid of. Tell us their name and relationship to you.")
                    .short("Anyone who must not see this request"),
                    Field::radios(
                        "feedback_ok",
                        "Can we contact you to ask what you thought of our service? (optional)",
                        YES_NO,
                    )
                    .short("Feedback and research"),
                ],
            )
            .show_if(is_family),
            Page::new(
                "family-agreed",
                "Has the family agreed to this request?",
                &[Field::radios(
                    "family_agreed",
                    "Has the family agreed to this request and to information being shared?",
                    YES_NO,
                )
                .required("Select yes if the family has agreed to this request")
                .hint("Early help is voluntary: families should usually know about and agree to a request.")],
            )
            .show_if(is_practitioner),
            Page::new(
                "no-agreement",
                "Why has the family not agreed?",
                &[Field::textarea(
                    "no_agreement_reason",
                    "Why have you not got the family's agreement?",
                    FREE_TEXT_MAX,
                )
                .required("Enter why you have not got the family's agreement")
                .hint("For example, asking would put the child at greater risk.")
                .short("Why you have not got the family's agreement")],
            )
            .warning(
                "If you think a child is at risk of significant harm, do not wait: phone the Early Help Hub front door now on 01632 960 123.",
            )
            .show_if(practitioner_without_consent),
        ],
    },
    Section {
        id: "children",
        title: "The children",
        pages: &[Page::list("children", "The children", &CHILDREN)],
    },
    Section {
        id: "family",
        title: "The family and household",
        pages: &[Page::list("adults", "Adults in the child's life", &ADULTS)
            .intro(&["Tell us about the adults in the household, anyone with parental responsibility, and important people outside the home."])],
    },
    Section {
        id: "professionals",
        title: "Professionals already involved",
        pages: &[
            Page::list("professionals", "Professionals already involved", &PROFESSIONALS),
            Page::new(
                "support-in-place",
                "Support already in place",
                &[
                    Field::radios(
                        "team_around_family",
                        "Is there already a lead practitioner or Team Around the Family?",
                        YES_NO_UNSURE,
                    )
                    .required("Select whether there is already a lead practitioner or Team Around the Family"),
                    Field::radios(
                        "social_worker_allocated",
                        "Does the family already have a social worker?",
                        YES_NO_UNSURE,
                    )
                    .required("Select whether the family already has a social worker")
                    .hint("If they do, you can also contact the social worker directly."),
                ],
            ),
        ],
    },
    Section {
        id: "worries",
        title: "What is happening",
        pages: &[
            Page::new(
                "worries",
                "What are you worried about?",
                &[Field::textarea("worries", "What are you worried about?", FREE_TEXT_MAX)
                    .required("Enter what you are worried about")
                    .hint("Tell us what is happening and how it affects the child or children.")
                    .short("What you are worried about")],
            ),
            Page::new(
                "working-well",
                "What is working well?",
                &[Field::textarea("working_well", "What is working well?", FREE_TEXT_MAX)
                    .required("Enter what is working well")
                    .hint("For example, people who help, things the family is good at.")
                    .short("What is working well")],
            ),
            Page::new(
                "needs-to-happen",
                "What needs to happen?",
                &[Field::textarea("needs_to_happen", "What needs to happen?", FREE_TEXT_MAX)
                    .required("Enter what needs to happen")
                    .hint("What would make things better?")
                    .short("What needs to happen")],
            ),
            Page::new(
                "child-wants",
                "What does the child want?",
                &[Field::textarea(
                    "child_wants",
                    "What does the child or young person want to happen?",
                    FREE_TEXT_MAX,
                )
                .required("Enter what the child or young person wants to happen")
                .hint("In their own words if you can. If you do not know, tell us why.")
                .short("What the child wants")],
            ),
            Page::new(
                "need-areas",
                "Which of these are part of the worry?",
                &[Field::checkboxes(
                    "need_areas",
                    "Which of these are part of the worry? (optional)",
                    NEED_AREAS,
                )
                .hint("Select all that apply. This helps us find the right people.")
                .short("What the worry is about")],
            ),
        ],
    },
    Section {
        id: "contact",
        title: "Contact and access needs",
        pages: &[
            Page::new(
                "contact",
                "How we contact the family",
                &[
                    Field::radios("contact_method", "How should we contact the family first?", CONTACT_METHODS)
                        .required("Select how we should contact the family first"),
                    Field::radios("safe_to_call", "Is it safe to phone?", YES_NO)
                        .required("Select yes if it is safe to phone"),
                    Field::radios("safe_to_leave_message", "Is it safe to leave a message?", YES_NO)
                        .required("Select yes if it is safe to leave a message"),
                    Field::radios("safe_to_write", "Is it safe to send a letter or email?", YES_NO)
                        .required("Select yes if it is safe to send a letter or email"),
                ],
            ),
            Page::new(
                "access-needs",
                "Interpreters and access needs",
                &[
                    Field::radios("interpreter", "Does the family need an interpreter?", YES_NO)
                        .required("Select yes if the family needs an interpreter"),
                    Field::text("interpreter_language", "Which language? (optional)", NAME_MAX)
                        .hint("Including British Sign Language")
                        .short("Interpreter language"),
                    Field::textarea(
                        "access_needs",
                        "Does anyone need help to take part, such as easy read or step-free access? (optional)",
                        FREE_TEXT_MAX,
                    )
                    .short("Access needs"),
                ],
            ),
        ],
    },
];

/// The request for support.
pub static SPEC: FormSpec = FormSpec {
    id: "early-help",
    base: "/request-support",
    title: "Ask for early help",
    reference_prefix: "EH",
    sections: SECTIONS,
    words: &WORDS,
    interrupts: &[],
};

static WORDS: super::Words = super::Words {
    check_title: "Check your answers before sending your request",
    send_heading: "Now send your request",
    declaration: "By sending this request you confirm that, to the best of your knowledge, the details you are providing are correct, and that you understand the Early Help Hub will use them to decide how to help",
    send_button: "Accept and send",
    not_ready: "You can check your answers and send your request when every section is completed.",
    phone_instead: "call the Early Help Hub on 01632 960 123",
};

/// Who made the request, for the triage email and the confirmation.
pub fn requester_type(data: &FormData) -> &'static str {
    match who(data) {
        PARENT => "Parent or carer (self-referral)",
        YOUNG_PERSON => "Young person aged 16 or 17 (self-referral)",
        PRACTITIONER => "Practitioner",
        _ => "Unknown",
    }
}

/// Where the acknowledgement goes: the practitioner's work address, or the family's address if
/// they gave one and said it is safe to write.
pub fn acknowledgement_address(data: &FormData) -> Option<&str> {
    if is_practitioner(data) {
        return Some(data.value("practitioner_email")).filter(|e| !e.is_empty());
    }
    let email = data.value("your_email");
    (!email.is_empty() && data.value("safe_to_write") == "yes").then_some(email)
}

/// Facts the Hub needs to prioritise, without personal data: each is a fixed phrase.
pub fn urgency_flags(data: &FormData, today: crate::domain::IsoDate) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if practitioner_without_consent(data) {
        flags.push("Made without the family's agreement");
    }
    if data.has("need_areas", "exploitation") {
        flags.push("Worry about abuse or exploitation");
    }
    if data.has("need_areas", "domestic-abuse") {
        flags.push("Domestic abuse");
    }
    if !data.value("must_not_see").is_empty() {
        flags.push("Someone must not see this request");
    }
    if ["safe_to_call", "safe_to_leave_message", "safe_to_write"]
        .iter()
        .any(|f| data.value(f) == "no")
    {
        flags.push("Not safe to contact in some ways");
    }
    let baby = data.list("children").iter().any(|child| {
        crate::domain::IsoDate::parse(super::first(child, "child_dob"))
            .ok()
            .is_some_and(|dob| {
                let year_ago = crate::domain::IsoDate::new(
                    today.year().saturating_sub(1),
                    today.month(),
                    today.day().min(28),
                );
                year_ago.is_ok_and(|y| dob >= y)
            })
    });
    if baby {
        flags.push("Baby under one or unborn");
    }
    if interpreter_needed(data) {
        flags.push("Interpreter needed");
    }
    flags
}
