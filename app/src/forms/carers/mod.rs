//! The carer self-assessments (FORMS.md §6.1–6.2), declared for the form engine: the adult
//! carer's (Care Act 2014 s.10; Care and Support (Eligibility Criteria) Regulations 2015 reg 3)
//! and the young carer's (Children Act 1989 s.17ZA), written for 8 to 17-year-olds.
//!
//! Neither form ever shows an eligibility verdict. At the end the carer keeps a summary with the
//! directory's services that match their answers ([`matches`]), and can ask the team to contact
//! them (a referral, flagged urgent by [`urgency_flags`]); its page is [`summary`].
//!
//! Long on purpose: two whole forms' questions, declared as data, and their matching rules.

pub mod summary;

use super::{
    choice, choice_hint, Choice, Field, FormData, FormSpec, Interrupt, ListSpec, Page, Section,
    TextRule, Words,
};

/// Free-text answers are capped at this many characters.
pub const FREE_TEXT_MAX: usize = 5_000;
const NAME_MAX: usize = 100;

/// The carers' team (Ofcom drama range).
pub const CARERS_PHONE: &str = "01632 960 321";
pub const CARERS_TEL: &str = "+441632960321";
/// The young carers service (Ofcom drama range).
pub const YOUNG_CARERS_PHONE: &str = "01632 960 654";
pub const YOUNG_CARERS_TEL: &str = "+441632960654";
/// Adult social care out of hours (Ofcom drama range).
pub const ADULT_OUT_OF_HOURS_PHONE: &str = "01632 960 998";
pub const ADULT_OUT_OF_HOURS_TEL: &str = "+441632960998";
/// Childline (real, free, 24 hours).
pub const CHILDLINE_PHONE: &str = "0800 1111";
pub const CHILDLINE_TEL: &str = "08001111";

pub const ADULT_BASE: &str = "/carers/self-assessment";
pub const YOUNG_BASE: &str = "/young-carers/self-assessment";

const YES_NO: &[Choice] = &[choice("yes", "Yes"), choice("no", "No")];
const YES_NO_UNSURE: &[Choice] = &[
    choice("yes", "Yes"),
    choice("no", "No"),
    choice("not-sure", "I do not know"),
];

// ---------------------------------------------------------------------------------------------
// Adult carer self-assessment
// ---------------------------------------------------------------------------------------------

static UNDER_18: Interrupt = Interrupt {
    slug: "use-the-young-carers-form",
    title: "Use the young carers' form",
    warning: None,
    paragraphs: &[
        "This form is for carers aged 18 or over.",
        "If you are under 18 and help to look after someone, there is a form written for you. The young carers service will help you.",
    ],
    links: &[
        ("Fill in the young carers' form", YOUNG_BASE),
        ("Change your answer", "/carers/self-assessment/your-age"),
    ],
    blocking: true,
};

static PARENT_CARER: Interrupt = Interrupt {
    slug: "parent-carers",
    title: "Parent carers of disabled children have a different assessment",
    warning: None,
    paragraphs: &[
        "If you care for a child under 18, you can ask for a parent carer's needs assessment (Children Act 1989, section 17ZD). It looks at the whole family.",
        "Ask for it through the Early Help request for support, or phone the Family Information Service. If you also care for an adult, change your answer to say so.",
    ],
    links: &[
        ("Ask for early help for your family", "/request-support"),
        ("Find support for parent carers", "/search?category=adult-carers.parent-carers"),
        ("Change your answer", "/carers/self-assessment/cared-for-age"),
    ],
    blocking: true,
};

static OUT_OF_AREA_ADULT: Interrupt = Interrupt {
    slug: "outside-brackenshire",
    title: "Contact the council where the person you care for lives",
    warning: None,
    paragraphs: &[
        "Brackenshire County Council assesses carers who live in Brackenshire or who care for someone who lives here.",
        "The council where the person you care for lives can assess you.",
    ],
    links: &[
        ("Find your local council on GOV.UK", "https://www.gov.uk/find-local-council"),
        ("Change your answer", "/carers/self-assessment/where-you-live"),
    ],
    blocking: true,
};

static CANNOT_CARRY_ON: Interrupt = Interrupt {
    slug: "if-you-cannot-carry-on",
    title: "Get help now if you cannot carry on caring",
    warning: Some("If someone is in danger or needs urgent medical help, call 999."),
    paragraphs: &[
        "You told us you are not able to keep caring now. You do not have to finish this form first.",
        "Phone the carers' team on 01632 960 321 (Monday to Friday, 9am to 5pm). Out of hours, phone adult social care on 01632 960 998.",
        "You can carry on with the form afterwards. If you ask us to contact you at the end, we will mark it urgent.",
    ],
    links: &[
        ("Phone the carers' team: 01632 960 321", "tel:+441632960321"),
        ("Phone adult social care out of hours: 01632 960 998", "tel:+441632960998"),
    ],
    blocking: false,
};

static YOUNG_CARER_IN_FAMILY: Interrupt = Interrupt {
    slug: "a-young-carer-in-your-family",
    title: "A young carer in your family can get support too",
    warning: None,
    paragraphs: &[
        "Children and young people who help to care have a right to their own young carer's assessment.",
        "They can fill in the young carers' form, with you or on their own, or the young carers service can visit. Phone them on 01632 960 654.",
    ],
    links: &[("Open the young carers' form", YOUNG_BASE)],
    blocking: false,
};

fn adult_age_route(data: &FormData) -> Option<&'static Interrupt> {
    (data.value("carer_age") == "under-18").then_some(&UNDER_18)
}
fn cared_for_route(data: &FormData) -> Option<&'static Interrupt> {
    (data.value("cared_for_age") == "child").then_some(&PARENT_CARER)
}
fn adult_area_route(data: &FormData) -> Option<&'static Interrupt> {
    (data.value("in_area") == "no").then_some(&OUT_OF_AREA_ADULT)
}
fn able_route(data: &FormData) -> Option<&'static Interrupt> {
    (data.value("able_now") == "no").then_some(&CANNOT_CARRY_ON)
}
fn whole_family_route(data: &FormData) -> Option<&'static Interrupt> {
    (data.value("under_18_helps") == "yes").then_some(&YOUNG_CARER_IN_FAMILY)
}
fn is_working(data: &FormData) -> bool {
    matches!(data.value("work"), "full-time" | "part-time")
}

const AGE_CHOICES: &[Choice] = &[
    choice("18-or-over", "18 or over"),
    choice("under-18", "Under 18"),
];

const CARED_FOR_AGE: &[Choice] = &[
    choice("adult", "An adult aged 18 or over"),
    choice("child", "A child under 18 only"),
    choice_hint(
        "both",
        "An adult and a child",
        "This form is about the adult or adults you care for",
    ),
];

const RELATIONSHIP_TO_YOU: &[Choice] = &[
    choice("partner", "My husband, wife or partner"),
    choice("parent", "My parent"),
    choice("adult-child", "My son or daughter (aged 18 or over)"),
    choice("other-relative", "Another relative"),
    choice("friend", "A friend or neighbour"),
];

const CONSENT: &[Choice] = &[
    choice("yes", "Yes, they agree"),
    choice("no", "No, they do not agree"),
    choice("not-asked", "I have not asked them yet"),
    choice_hint(
        "cannot-decide",
        "They are not able to decide",
        "For example, because of dementia. We will talk to you about this.",
    ),
];

const CARING_TASKS: &[Choice] = &[
    choice("housework", "Housework"),
    choice("meals", "Preparing meals"),
    choice("shopping", "Shopping"),
    choice("laundry", "Laundry"),
    choice(
        "personal-care",
        "Personal care, such as washing, dressing or using the toilet",
    ),
    choice("medication", "Medication"),
    choice("supervision", "Keeping them safe or watching over them"),
    choice("money", "Managing money and paperwork"),
    choice("emotional", "Emotional support"),
    choice("appointments", "Going to appointments with them"),
];

const HOURS: &[Choice] = &[
    choice("under-20", "Less than 20 hours a week"),
    choice("20-34", "20 to 34 hours a week"),
    choice("35-49", "35 to 49 hours a week"),
    choice("50-plus", "50 hours a week or more"),
];

const DAY_NIGHT: &[Choice] = &[
    choice("day", "During the day"),
    choice("night", "At night"),
    choice("both", "Both day and night"),
];

const ABLE: &[Choice] = &[
    choice("yes", "Yes"),
    choice("with-support", "Yes, but only with more support"),
    choice("no", "No, I cannot carry on caring now"),
];

const WILLING: &[Choice] = &[
    choice("yes", "Yes"),
    choice("with-changes", "Yes, if some things change"),
    choice("no", "No"),
];

const FUTURE: &[Choice] = &[
    choice("yes", "Yes"),
    choice("not-sure", "I am not sure"),
    choice("no", "No"),
];

const HEALTH_IMPACT: &[Choice] = &[
    choice("none", "Caring does not affect my health"),
    choice("some", "Caring affects my health a little"),
    choice("a-lot", "Caring affects my health a lot"),
];

const SLEEP: &[Choice] = &[
    choice("fine", "I usually sleep well"),
    choice("sometimes", "Caring sometimes disturbs my sleep"),
    choice("often", "Caring often disturbs my sleep"),
];

/// How caring affects an outcome: the three ways of reg 3(3) of the Eligibility Regulations,
/// and "not affected". No answer is scored or turned into a verdict.
pub const OUTCOME_MODES: &[Choice] = &[
    choice("without-help", "I cannot do this without help"),
    choice(
        "distress",
        "I can, but it causes me a lot of pain, distress or anxiety",
    ),
    choice(
        "risk",
        "I can, but it puts my health or safety, or someone else's, at risk",
    ),
    choice("not-affected", "Caring does not affect this"),
];

const WORK: &[Choice] = &[
    choice("full-time", "I work full time"),
    choice("part-time", "I work part time"),
    choice("want-work", "I am not working but would like to"),
    choice("studying", "I am studying or training"),
    choice("not-working", "I am not working"),
    choice("retired", "I am retired"),
];

const WORK_HOURS: &[Choice] = &[
    choice("daytime", "Mostly in the daytime"),
    choice("evenings", "Mostly in the evenings"),
    choice("nights", "Mostly at night"),
    choice("varies", "It changes"),
];

/// What would help: these drive the matching services.
const WOULD_HELP: &[Choice] = &[
    choice("breaks", "A break from caring"),
    choice("peer-support", "Meeting other carers"),
    choice("money-advice", "Advice about money and benefits"),
    choice("information", "Information and advice about caring"),
    choice("wellbeing", "Help with my own health and wellbeing"),
    choice("emergency-plan", "An emergency plan in case I cannot care"),
];

const CONTACT_METHODS: &[Choice] = &[
    choice("phone", "Phone call"),
    choice("email", "Email"),
    choice("letter", "Letter"),
];

/// The paragraphs of the young carer form's start page (`/young-carers/self-assessment`), here
/// so that the readability test scores them with the form's questions.
pub const YOUNG_START: &[&str] = &[
    "Do you help to look after someone at home? Maybe they are ill or disabled. Or they drink too \
     much or take drugs. If so, you are a young carer.",
    "This form is for you if you are 8 to 17. It asks what you do and how you feel. This is not a \
     test of how well you care. There are no wrong answers.",
    "At the end you get a summary to keep. We show you groups and help near you. You can ask the \
     young carers service to get in touch.",
    "If you are under 13, it is a good idea to fill it in with a grown-up you trust.",
];

/// The people the carer looks after.
pub static CARED_FOR: ListSpec = ListSpec {
    key: "cared_for",
    item: "person",
    empty_question: "",
    min: 1,
    max: 5,
    name_fields: &["cared_for_name"],
    fields: &[
        Field::text("cared_for_name", "Their first name", NAME_MAX)
            .required("Enter the first name of the person you care for")
            .short("First name"),
        Field::radios(
            "cared_for_relationship",
            "How are they related to you?",
            RELATIONSHIP_TO_YOU,
        )
        .required("Select how they are related to you")
        .short("Relationship"),
        Field::birth_date("cared_for_dob", "Their date of birth (optional)")
            .hint("For example, 14 6 1948")
            .short("Their date of birth"),
        Field::textarea(
            "cared_for_condition",
            "Why do they need care?",
            FREE_TEXT_MAX,
        )
        .required("Enter why they need care")
        .hint("For example, an illness, disability, dementia, mental health or addiction")
        .short("Why they need care"),
        Field::radios("cared_for_lives_with", "Do they live with you?", YES_NO)
            .required("Select yes if they live with you")
            .short("Lives with you"),
        Field::radios(
            "cared_for_aware",
            "Do they know you are filling in this assessment?",
            YES_NO,
        )
        .required("Select yes if they know you are filling in this assessment")
        .short("Knows about this assessment"),
        Field::radios(
            "cared_for_consent",
            "Do they agree to us sharing information about them with you and the carers' team?",
            CONSENT,
        )
        .required("Select whether they agree to us sharing information about them")
        .short("Agrees to sharing information"),
    ],
};

macro_rules! outcome_page {
    ($slug:literal, $name:literal, $more:literal, $question:literal, $hint:literal, $short:literal) => {
        Page::new(
            $slug,
            $question,
            &[
                Field::radios($name, $question, OUTCOME_MODES)
                    .required("Select how caring affects this")
                    .hint($hint)
                    .short($short),
                Field::textarea($more, "Tell us more (optional)", FREE_TEXT_MAX)
                    .short(concat!($short, ": more")),
            ],
        )
    };
}

static ADULT_SECTIONS: &[Section] = &[
    Section {
        id: "check",
        title: "Check this form is right for you",
        pages: &[
            Page::new(
                "your-age",
                "How old are you?",
                &[Field::radios("carer_age", "How old are you?", AGE_CHOICES)
                    .required("Select how old you are")
                    .short("Your age")],
            )
            .interrupt(adult_age_route),
            Page::new(
                "cared-for-age",
                "Who do you care for?",
                &[Field::radios("cared_for_age", "Who do you care for?", CARED_FOR_AGE)
                    .required("Select who you care for")
                    .short("Who you care for")],
            )
            .interrupt(cared_for_route),
            Page::new(
                "where-you-live",
                "Do you, or the person you care for, live in Brackenshire?",
                &[Field::radios(
                    "in_area",
                    "Do you, or the person you care for, live in Brackenshire?",
                    YES_NO_UNSURE,
                )
                .required("Select yes if you, or the person you care for, live in Brackenshire")
                .short("Lives in Brackenshire")],
            )
            .interrupt(adult_area_route),
        ],
    },
    Section {
        id: "about-you",
        title: "About you",
        pages: &[
            Page::new(
                "your-details",
                "Your details",
                &[
                    Field::text("carer_name", "Full name", NAME_MAX)
                        .required("Enter your full name")
                        .autocomplete("name")
                        .short("Full name"),
                    Field::birth_date("carer_dob", "Date of birth")
                        .required("Enter your date of birth")
                        .hint("For example, 27 3 1970")
                        .short("Date of birth"),
                    Field::rule("postcode", "Postcode", TextRule::Postcode)
                        .required("Enter your postcode")
                        .hint("We use it to find support near you. For example, BK1 4AB")
                        .short("Postcode"),
                    Field::rule("carer_phone", "Phone number (optional)", TextRule::Phone)
                        .short("Phone number"),
                    Field::rule("carer_email", "Email address (optional)", TextRule::Email)
                        .short("Email address"),
                ],
            ),
            Page::new(
                "gp-and-nhs-number",
                "Your GP and NHS number",
                &[
                    Field::text("gp", "Your GP surgery (optional)", NAME_MAX)
                        .hint("For example, Brackenfield Health Centre")
                        .short("GP surgery"),
                    Field::rule("nhs_number", "Your NHS number (optional)", TextRule::NhsNumber)
                        .hint("A 10 digit number, like 485 777 3457. It is on letters from the NHS and in the NHS App")
                        .short("NHS number"),
                ],
            )
            .intro(&["These help the carers' team work with your GP. You do not have to give them."]),
            Page::new(
                "communication",
                "Communication and support",
                &[
                    Field::textarea(
                        "communication_needs",
                        "Do you need any help to communicate with us? (optional)",
                        FREE_TEXT_MAX,
                    )
                    .hint("For example, an interpreter, large print or easy read")
                    .short("Communication needs"),
                    Field::radios(
                        "someone_involved",
                        "Would you like someone else to be involved in your assessment?",
                        YES_NO,
                    )
                    .required("Select yes if you would like someone else to be involved")
                    .hint("For example, a friend, relative or advocate")
                    .short("Someone else involved"),
                ],
            ),
        ],
    },
    Section {
        id: "cared-for",
        title: "The people you care for",
        pages: &[Page::list("cared-for", "The people you care for", &CARED_FOR)],
    },
    Section {
        id: "caring-role",
        title: "Your caring role",
        pages: &[
            Page::new(
                "caring-tasks",
                "What do you do as a carer?",
                &[Field::checkboxes("caring_tasks", "What do you do as a carer?", CARING_TASKS)
                    .required("Select what you do as a carer")
                    .hint("Select all that apply")
                    .short("What you do")],
            ),
            Page::new(
                "caring-time",
                "How much time you spend caring",
                &[
                    Field::radios("caring_hours", "How many hours a week do you spend caring?", HOURS)
                        .required("Select how many hours a week you spend caring")
                        .short("Hours a week"),
                    Field::radios("caring_when", "When do you care?", DAY_NIGHT)
                        .required("Select when you care")
                        .short("When you care"),
                ],
            ),
            Page::new(
                "other-help",
                "Does anyone else help with caring?",
                &[
                    Field::radios("others_help", "Does anyone else help with caring?", YES_NO)
                        .required("Select yes if anyone else helps with caring")
                        .short("Anyone else helps"),
                    Field::textarea("others_help_detail", "Who helps, and how? (optional)", FREE_TEXT_MAX)
                        .hint("For example, family, friends, paid carers or a day centre")
                        .short("Who helps"),
                ],
            ),
        ],
    },
    Section {
        id: "able-willing",
        title: "Carrying on caring",
        pages: &[Page::new(
            "able-and-willing",
            "Carrying on caring",
            &[
                Field::radios("able_now", "Are you able to keep caring now?", ABLE)
                    .required("Select whether you are able to keep caring now")
                    .short("Able to keep caring now"),
                Field::radios("willing_now", "Do you want to keep caring?", WILLING)
                    .required("Select whether you want to keep caring")
                    .hint("It is your choice. You do not have to be a carer.")
                    .short("Wants to keep caring"),
                Field::radios("future", "Do you think you will be able to keep caring in the future?", FUTURE)
                    .required("Select whether you will be able to keep caring in the future")
                    .short("Able to care in future"),
                Field::radios("willing_future", "Do you want to keep caring in the future?", WILLING)
                    .required("Select whether you want to keep caring in the future")
                    .short("Wants to keep caring in future"),
            ],
        )
        .interrupt(able_route)],
    },
    Section {
        id: "health",
        title: "Your health and sleep",
        pages: &[Page::new(
            "health",
            "Your health and sleep",
            &[
                Field::radios("health_impact", "Does caring affect your physical or mental health?", HEALTH_IMPACT)
                    .required("Select whether caring affects your health")
                    .short("Effect on your health"),
                Field::radios("health_worse", "Is your health getting worse, or at risk of getting worse?", YES_NO_UNSURE)
                    .required("Select whether your health is getting worse")
                    .short("Health getting worse"),
                Field::radios("sleep", "How is your sleep?", SLEEP)
                    .required("Select how your sleep is")
                    .short("Sleep"),
                Field::textarea("health_more", "Tell us more (optional)", FREE_TEXT_MAX)
                    .short("Health: more"),
            ],
        )],
    },
    Section {
        id: "outcomes",
        title: "How caring affects your life",
        pages: &[
            outcome_page!("outcome-children", "outcome_child_care", "outcome_child_care_more",
                "Does caring affect looking after any children you are responsible for?",
                "If you do not look after children, choose \"Caring does not affect this\"",
                "Looking after children"),
            outcome_page!("outcome-other-care", "outcome_other_care", "outcome_other_care_more",
                "Does caring affect the care you give to anyone else?",
                "If you only care for the people you have told us about, choose \"Caring does not affect this\"",
                "Caring for others"),
            outcome_page!("outcome-home", "outcome_home", "outcome_home_more",
                "Does caring affect keeping your home clean and safe to live in?",
                "For example, cleaning, repairs, heating and paying bills",
                "Keeping your home"),
            outcome_page!("outcome-food", "outcome_nutrition", "outcome_nutrition_more",
                "Does caring affect eating well and having the food you need?",
                "For example, having time to shop, cook and eat proper meals",
                "Eating well"),
            outcome_page!("outcome-relationships", "outcome_relationships", "outcome_relationships_more",
                "Does caring affect your relationships with family and friends?",
                "For example, having time to see people who matter to you",
                "Relationships"),
            outcome_page!("outcome-work", "outcome_work", "outcome_work_more",
                "Does caring affect work, training, education or volunteering?",
                "Including starting or going back to work or study",
                "Work, training, education or volunteering"),
            outcome_page!("outcome-community", "outcome_community", "outcome_community_more",
                "Does caring affect using services and places in your community?",
                "For example, going to the doctor, the shops, the library or leisure centre",
                "Using local services and places"),
            outcome_page!("outcome-leisure", "outcome_recreation", "outcome_recreation_more",
                "Does caring affect having time for hobbies, rest and things you enjoy?",
                "For example, seeing friends, exercise, hobbies or a break",
                "Hobbies, rest and leisure"),
        ],
    },
    Section {
        id: "work-and-leisure",
        title: "Work, training, education and leisure",
        pages: &[
            Page::new(
                "work",
                "Work, training and education",
                &[
                    Field::radios("work", "Which of these describes you?", WORK)
                        .required("Select which of these describes you")
                        .short("Work or study"),
                    Field::textarea(
                        "work_wishes",
                        "Is there any work, training, education or leisure you would like to do? (optional)",
                        FREE_TEXT_MAX,
                    )
                    .short("Work, training and leisure you would like"),
                ],
            ),
            Page::new(
                "work-hours",
                "When do you usually work?",
                &[Field::radios("work_hours", "When do you usually work?", WORK_HOURS)
                    .required("Select when you usually work")
                    .short("When you work")],
            )
            .show_if(is_working),
        ],
    },
    Section {
        id: "changes",
        title: "What you would like to change",
        pages: &[Page::new(
            "changes",
            "What you would like to change",
            &[
                Field::textarea("what_to_change", "What would you like to change or achieve?", FREE_TEXT_MAX)
                    .required("Enter what you would like to change or achieve")
                    .hint("In your own words. For example, time for yourself, or help with nights.")
                    .short("What you would like to change"),
                Field::checkboxes("would_help", "Would any of these help? (optional)", WOULD_HELP)
                    .hint("Select all that apply. We will show you services that can help.")
                    .short("What would help"),
                Field::radios("money_worries", "Do you have worries about money?", YES_NO)
                    .required("Select yes if you have worries about money")
                    .short("Worries about money"),
            ],
        )],
    },
    Section {
        id: "family",
        title: "Your family and the future",
        pages: &[
            Page::new(
                "whole-family",
                "Does anyone under 18 help with caring?",
                &[Field::radios("under_18_helps", "Does anyone under 18 help with caring?", YES_NO)
                    .required("Select yes if anyone under 18 helps with caring")
                    .hint("For example, your children or grandchildren")
                    .short("Someone under 18 helps")],
            )
            .interrupt(whole_family_route),
            Page::new(
                "contingency",
                "If you could not care tomorrow",
                &[
                    Field::textarea(
                        "contingency",
                        "What would happen if you could not care tomorrow?",
                        FREE_TEXT_MAX,
                    )
                    .required("Enter what would happen if you could not care tomorrow")
                    .hint("For example, if you were ill or in hospital. Who would step in?")
                    .short("If you could not care tomorrow"),
                    Field::radios("emergency_plan", "Do you have an emergency plan?", YES_NO)
                        .required("Select yes if you have an emergency plan")
                        .short("Emergency plan"),
                ],
            ),
        ],
    },
    Section {
        id: "contact",
        title: "How we contact you",
        pages: &[
        Page::new(
            "contact",
            "How we contact you",
            &[
                Field::radios("contact_method", "How would you like us to contact you?", CONTACT_METHODS)
                    .required("Select how you would like us to contact you")
                    .short("How to contact you"),
                Field::radios("safe_to_leave_message", "Can we leave a message?", YES_NO)
                    .required("Select yes if we can leave a message")
                    .short("Can leave a message"),
                Field::text("best_time", "When is the best time to contact you? (optional)", NAME_MAX)
                    .short("Best time to contact you"),
            ],
        ),
        // The way chosen needs its details: asked here when "About you" left them out.
        Page::new(
            "contact-phone",
            "Your phone number",
            &[Field::rule("contact_phone", "What number should we call?", TextRule::Phone)
                .required("Enter a phone number we can call you on")
                .hint("For example, 01632 960 001 or 07700 900 982")
                .short("Phone number to call")],
        )
        .show_if(needs_contact_phone),
        Page::new(
            "contact-email",
            "Your email address",
            &[Field::rule("contact_email", "What email address should we use?", TextRule::Email)
                .required("Enter an email address we can write to")
                .short("Email address to write to")],
        )
        .show_if(needs_contact_email),
        Page::new(
            "postal-address",
            "Your address",
            &[
                Field::text("address_line_1", "Address line 1", NAME_MAX)
                    .required("Enter the first line of your address")
                    .autocomplete("address-line1")
                    .short("Address line 1"),
                Field::text("address_line_2", "Address line 2 (optional)", NAME_MAX)
                    .autocomplete("address-line2")
                    .short("Address line 2"),
                Field::text("town", "Town or village", NAME_MAX)
                    .required("Enter your town or village")
                    .autocomplete("address-level2")
                    .short("Town or village"),
            ],
        )
        .intro(&["We send letters to this address, with the postcode you gave in About you."])
        .show_if(wants_letters),
        ],
    },
];

/// Asked for a phone call but gave no phone number in "About you".
fn needs_contact_phone(data: &FormData) -> bool {
    data.value("contact_method") == "phone" && data.value("carer_phone").trim().is_empty()
}

/// Asked for email but gave no email address in "About you".
fn needs_contact_email(data: &FormData) -> bool {
    data.value("contact_method") == "email" && data.value("carer_email").trim().is_empty()
}

/// Asked for letters: a postal address is needed (the form has only the postcode until then).
fn wants_letters(data: &FormData) -> bool {
    data.value("contact_method") == "letter"
}

/// The adult carer's phone number: from "About you", or the contact page when it was left out.
fn adult_phone(data: &FormData) -> &str {
    match data.value("carer_phone") {
        "" => data.value("contact_phone"),
        phone => phone,
    }
}

/// The adult carer's email address: from "About you", or the contact page when it was left out.
fn adult_email(data: &FormData) -> &str {
    match data.value("carer_email") {
        "" => data.value("contact_email"),
        email => email,
    }
}

static ADULT_WORDS: Words = Words {
    check_title: "Check your answers",
    send_heading: "Finish your self-assessment",
    declaration: "By finishing you confirm that, to the best of your knowledge, your answers are correct. Nothing is sent to the carers' team unless you ask them to contact you on the next page. You can see your summary on this device for a short time after finishing",
    send_button: "Accept and finish",
    not_ready: "You can check your answers and see your summary when every section is completed.",
    phone_instead: "call the carers' team on 01632 960 321",
};

/// The adult carer's self-assessment.
pub static ADULT: FormSpec = FormSpec {
    id: "carer-self-assessment",
    base: ADULT_BASE,
    title: "Carer's self-assessment",
    reference_prefix: "CA",
    sections: ADULT_SECTIONS,
    words: &ADULT_WORDS,
    interrupts: &[
        &UNDER_18,
        &PARENT_CARER,
        &OUT_OF_AREA_ADULT,
        &CANNOT_CARRY_ON,
        &YOUNG_CARER_IN_FAMILY,
    ],
};

// ---------------------------------------------------------------------------------------------
// Young carer self-assessment: short sentences, everyday words.
// ---------------------------------------------------------------------------------------------

static TOO_YOUNG: Interrupt = Interrupt {
    slug: "ask-a-grown-up",
    title: "Ask a grown-up to help you",
    warning: None,
    paragraphs: &[
        "This form is for young carers aged 8 to 17.",
        "Ask a grown-up you trust to call the young carers service. They can help you.",
    ],
    links: &[
        (
            "Call the young carers service: 01632 960 654",
            "tel:+441632960654",
        ),
        (
            "Change your answer",
            "/young-carers/self-assessment/your-age",
        ),
    ],
    blocking: true,
};

static ADULT_NOW: Interrupt = Interrupt {
    slug: "use-the-adult-carers-form",
    title: "Use the carer's self-assessment for adults",
    warning: None,
    paragraphs: &[
        "This form is for young carers aged 8 to 17. Carers aged 18 or over have their own form.",
    ],
    links: &[
        ("Fill in the carer's self-assessment", ADULT_BASE),
        (
            "Change your answer",
            "/young-carers/self-assessment/your-age",
        ),
    ],
    blocking: true,
};

static WITH_AN_ADULT: Interrupt = Interrupt {
    slug: "do-it-with-a-grown-up",
    title: "You might like a grown-up to help",
    warning: None,
    paragraphs: &[
        "You can fill this in on your own. But it can help to do it with a grown-up you trust.",
        "This could be someone in your family, a teacher or a young carers worker.",
    ],
    links: &[],
    blocking: false,
};

static TURNING_18: Interrupt = Interrupt {
    slug: "when-you-turn-18",
    title: "When you turn 18",
    warning: None,
    paragraphs: &[
        "You can ask for a special check to plan for when you turn 18. It is called a transition assessment.",
        "It looks at what help you will need as a young adult carer. Tell us on the last pages if you want one.",
    ],
    links: &[],
    blocking: false,
};

static OUT_OF_AREA_YOUNG: Interrupt = Interrupt {
    slug: "outside-brackenshire",
    title: "Ask your own council",
    warning: None,
    paragraphs: &[
        "We help young carers who live in Brackenshire.",
        "Ask a grown-up to find your own council. They have a young carers service too.",
    ],
    links: &[
        (
            "Find your local council on GOV.UK",
            "https://www.gov.uk/find-local-council",
        ),
        (
            "Change your answer",
            "/young-carers/self-assessment/where-you-live",
        ),
    ],
    blocking: true,
};

/// Shown straight away when an answer says the child is being hurt, hurts themselves or feels
/// life is not worth living.
pub static IMMEDIATE_HELP: Interrupt = Interrupt {
    slug: "get-help-now",
    title: "Thank you for telling us. You can get help now",
    warning: Some("If you are in danger now, call 999."),
    paragraphs: &[
        "You do not have to deal with this on your own.",
        "You can call Childline for free on 0800 1111. You can call any time, day or night. It will not show on the phone bill.",
        "You can talk to a grown-up you trust at school. For example, a teacher or the school nurse.",
        "If you ask us to get in touch at the end, we will do it as soon as we can.",
    ],
    links: &[
        ("Call 999", "tel:999"),
        ("Call Childline: 0800 1111", "tel:08001111"),
        ("Talk to Childline online", "https://www.childline.org.uk/get-support/"),
    ],
    blocking: false,
};

/// Ages offered: "7 or younger", 8 to 17, "18 or older".
const YOUNG_AGES: &[Choice] = &[
    choice("7", "7 or younger"),
    choice("8", "8"),
    choice("9", "9"),
    choice("10", "10"),
    choice("11", "11"),
    choice("12", "12"),
    choice("13", "13"),
    choice("14", "14"),
    choice("15", "15"),
    choice("16", "16"),
    choice("17", "17"),
    choice("18", "18 or older"),
];

/// The young carer's age, 7 (or younger) to 18 (or older).
pub fn young_age(data: &FormData) -> Option<u8> {
    data.value("young_age").parse().ok()
}

fn young_age_route(data: &FormData) -> Option<&'static Interrupt> {
    match young_age(data)? {
        ..=7 => Some(&TOO_YOUNG),
        8..=12 => Some(&WITH_AN_ADULT),
        16 | 17 => Some(&TURNING_18),
        18.. => Some(&ADULT_NOW),
        _ => None,
    }
}
fn young_area_route(data: &FormData) -> Option<&'static Interrupt> {
    (data.value("young_in_area") == "no").then_some(&OUT_OF_AREA_YOUNG)
}
fn safeguarding_route(data: &FormData) -> Option<&'static Interrupt> {
    safeguarding(data).then_some(&IMMEDIATE_HELP)
}
fn is_16_or_17(data: &FormData) -> bool {
    matches!(young_age(data), Some(16 | 17))
}

/// The answers that show immediate help and flag the form urgent.
pub const SAFEGUARDING_ANSWERS: &[&str] = &["hurt", "self-harm", "not-worth-living"];

/// Whether the young carer said they are being hurt, hurt themselves or feel life is not worth
/// living.
pub fn safeguarding(data: &FormData) -> bool {
    SAFEGUARDING_ANSWERS
        .iter()
        .any(|a| data.has("hard_things", a))
}

const WHO_STARTED: &[Choice] = &[
    choice("me", "Me"),
    choice("me-with-adult", "Me, with a grown-up helping"),
    choice("parent", "My mum, dad or carer"),
    choice_hint(
        "worker",
        "A teacher or worker",
        "Only if I said yes to them doing it",
    ),
];

const YOUNG_TASKS: &[Choice] = &[
    choice_hint(
        "household",
        "Jobs at home",
        "Like cooking, cleaning, washing clothes or shopping",
    ),
    choice_hint(
        "personal",
        "Helping someone get washed or dressed",
        "Or helping them eat, or go to the toilet",
    ),
    choice_hint(
        "emotional",
        "Keeping someone company",
        "Like cheering them up, or staying with them when they are sad",
    ),
    choice_hint(
        "siblings",
        "Looking after my brothers or sisters",
        "Like getting them ready for school",
    ),
    choice_hint(
        "money-practical",
        "Money and other jobs",
        "Like paying for things, reading letters, giving medicine or talking to doctors",
    ),
];

const HOW_OFTEN: &[Choice] = &[
    choice("every-day", "Every day"),
    choice("most-days", "Most days"),
    choice("some-days", "Once or twice a week"),
    choice("now-and-then", "Now and then"),
];

const HOW_LONG: &[Choice] = &[
    choice("under-1", "Less than 1 hour"),
    choice("1-3", "1 to 3 hours"),
    choice("over-3", "More than 3 hours"),
];

const HOW_MUCH: &[Choice] = &[
    choice("no", "No"),
    choice("a-bit", "A bit"),
    choice("a-lot", "A lot"),
];

const FEELINGS: &[Choice] = &[
    choice("good", "Happy most of the time"),
    choice("ok", "OK"),
    choice("sad", "Sad or worried a lot of the time"),
];

/// "Are any of these true for you?": the last three are the safeguarding answers.
const HARD_THINGS: &[Choice] = &[
    choice("money", "My family worries about money"),
    choice("bullied", "I get picked on or bullied"),
    choice("hurt", "Someone hurts me or makes me feel unsafe"),
    choice("self-harm", "I hurt myself on purpose"),
    choice("not-worth-living", "I feel that life is not worth living"),
];

const TALK_TO: &[Choice] = &[
    choice("family", "Someone in my family"),
    choice("friend", "A friend"),
    choice("school", "Someone at school"),
    choice("worker", "A young carers worker"),
    choice("nobody", "Nobody"),
];

const YOUNG_WOULD_HELP: &[Choice] = &[
    choice("group", "Meeting other young carers"),
    choice("break", "A break, like a fun day out"),
    choice("school-help", "Help at school"),
    choice("someone-to-talk-to", "Someone to talk to"),
    choice("family-help", "More help for my family"),
];

const KEEP_CARING: &[Choice] = &[
    choice("yes", "Yes"),
    choice("less", "Yes, but I want to do less"),
    choice("no", "No"),
    choice("not-sure", "I am not sure"),
];

const WHO_INVOLVED: &[Choice] = &[
    choice("parents", "My mum, dad or carer"),
    choice("school", "My school"),
    choice("other", "Someone else"),
];

const YOUNG_CONTACT: &[Choice] = &[
    choice("parent-phone", "Phone my mum, dad or carer"),
    choice("my-phone", "Phone or text me"),
    choice("email", "Email"),
    choice("school", "Talk to me at school"),
];

/// The people the young carer looks after.
pub static LOOK_AFTER: ListSpec = ListSpec {
    key: "look_after",
    item: "person",
    empty_question: "",
    min: 1,
    max: 5,
    name_fields: &["look_after_who"],
    fields: &[
        Field::text("look_after_who", "Who do you look after?", NAME_MAX)
            .required("Tell us who you look after")
            .hint("For example, my mum or my little brother")
            .short("Who"),
        Field::textarea("look_after_why", "Why do they need help?", FREE_TEXT_MAX)
            .required("Tell us why they need help")
            .hint("Use your own words. It is fine if you do not know.")
            .short("Why they need help"),
    ],
};

static YOUNG_SECTIONS: &[Section] = &[
    Section {
        id: "start",
        title: "Before you start",
        pages: &[
            Page::new(
                "your-age",
                "How old are you?",
                &[Field::radios("young_age", "How old are you?", YOUNG_AGES)
                    .required("Tell us how old you are")
                    .short("Your age")],
            )
            .interrupt(young_age_route),
            Page::new(
                "who-started",
                "Who is filling in this form?",
                &[Field::radios("who_started", "Who is filling in this form?", WHO_STARTED)
                    .required("Tell us who is filling in this form")
                    .short("Who is filling it in")],
            ),
            Page::new(
                "where-you-live",
                "Do you live in Brackenshire?",
                &[Field::radios("young_in_area", "Do you live in Brackenshire?", YES_NO_UNSURE)
                    .required("Tell us if you live in Brackenshire")
                    .short("Lives in Brackenshire")],
            )
            .interrupt(young_area_route),
        ],
    },
    Section {
        id: "about-you",
        title: "About you",
        pages: &[Page::new(
            "your-details",
            "About you",
            &[
                Field::text("young_name", "What is your first name?", NAME_MAX)
                    .required("Tell us your first name")
                    .short("First name"),
                Field::rule("postcode", "What is your postcode?", TextRule::Postcode)
                    .required("Tell us your postcode")
                    .hint("We use it to find groups near you. For example, BK1 4AB")
                    .short("Postcode"),
                Field::text("young_school", "Which school do you go to? (optional)", NAME_MAX)
                    .short("School"),
            ],
        )
        .intro(&["This is not a test of how well you care. There are no wrong answers."])],
    },
    Section {
        id: "look-after",
        title: "Who you look after",
        pages: &[Page::list("look-after", "Who you look after", &LOOK_AFTER)],
    },
    Section {
        id: "what-you-do",
        title: "What you do",
        pages: &[
            Page::new(
                "what-you-do",
                "What do you do to help?",
                &[Field::checkboxes("young_tasks", "What do you do to help?", YOUNG_TASKS)
                    .required("Tell us what you do to help")
                    .hint("Pick all the ones you do")
                    .short("What you do")],
            ),
            Page::new(
                "how-often",
                "How often do you help?",
                &[
                    Field::radios("how_often", "How often do you help?", HOW_OFTEN)
                        .required("Tell us how often you help")
                        .short("How often"),
                    Field::radios("how_long", "On those days, how long do you help for?", HOW_LONG)
                        .required("Tell us how long you help for")
                        .short("How long"),
                ],
            ),
        ],
    },
    Section {
        id: "your-life",
        title: "School, friends and feelings",
        pages: &[
            Page::new(
                "school",
                "School",
                &[
                    Field::radios("school_hard", "Does helping at home make school hard?", HOW_MUCH)
                        .required("Tell us if helping at home makes school hard")
                        .hint("Like being late, being tired or not doing homework")
                        .short("School is hard"),
                    Field::textarea("school_more", "Tell us more (optional)", FREE_TEXT_MAX)
                        .short("School: more"),
                ],
            ),
            Page::new(
                "friends-and-fun",
                "Friends and fun",
                &[
                    Field::radios("friends_hard", "Does helping at home stop you seeing friends?", HOW_MUCH)
                        .required("Tell us if helping at home stops you seeing friends")
                        .short("Stops you seeing friends"),
                    Field::textarea("enjoy", "What do you like doing for fun? (optional)", FREE_TEXT_MAX)
                        .short("Things you enjoy"),
                ],
            ),
            Page::new(
                "sleep-and-feelings",
                "Sleep and feelings",
                &[
                    Field::radios("sleep_hard", "Does helping at home stop you sleeping well?", HOW_MUCH)
                        .required("Tell us if helping at home stops you sleeping well")
                        .short("Sleep"),
                    Field::radios("feelings", "How do you feel most of the time?", FEELINGS)
                        .required("Tell us how you feel most of the time")
                        .short("Feelings"),
                ],
            ),
        ],
    },
    Section {
        id: "worries",
        title: "Worries",
        pages: &[
            Page::new(
                "worries",
                "Worries",
                &[
                    Field::textarea("worries", "Is there anything you worry about? (optional)", FREE_TEXT_MAX)
                        .short("Worries"),
                    Field::checkboxes("hard_things", "Are any of these true for you? (optional)", HARD_THINGS)
                        .hint("Pick all that are true. You can skip this.")
                        .short("Hard things"),
                ],
            )
            .interrupt(safeguarding_route),
            Page::new(
                "talk-to",
                "Who do you talk to when you are worried?",
                &[Field::checkboxes("talk_to", "Who do you talk to when you are worried?", TALK_TO)
                    .required("Tell us who you talk to, or pick Nobody")
                    .hint("Pick all the people you talk to")
                    .short("Who you talk to")],
            ),
        ],
    },
    Section {
        id: "better",
        title: "Making things better",
        pages: &[Page::new(
            "better",
            "Making things better",
            &[
                Field::textarea("better", "What would make things better for you?", FREE_TEXT_MAX)
                    .required("Tell us what would make things better")
                    .short("What would make things better"),
                Field::checkboxes("young_would_help", "Would any of these help? (optional)", YOUNG_WOULD_HELP)
                    .hint("Pick all that would help. We will show you things near you.")
                    .short("What would help"),
                Field::radios("keep_caring", "Do you want to keep helping at home?", KEEP_CARING)
                    .required("Tell us if you want to keep helping at home")
                    .short("Keep helping"),
                Field::radios("family_agree", "Does your family agree about the help you give?", YES_NO_UNSURE)
                    .required("Tell us if your family agrees about the help you give")
                    .short("Family agrees"),
            ],
        )],
    },
    Section {
        id: "next",
        title: "Who we talk to and what happens next",
        pages: &[
            Page::new(
                "who-involved",
                "Who should we talk to?",
                &[Field::checkboxes("who_involved", "Who should we talk to? (optional)", WHO_INVOLVED)
                    .hint("We usually tell your mum, dad or carer. They can see what you wrote.")
                    .short("Who we talk to")],
            )
            .intro(&[
                "If you ask us to get in touch, a young carers worker will call you or your family.",
                "If we are worried you are not safe, we must tell someone who can help. We will tell you first.",
            ]),
            Page::new(
                "turning-18",
                "When you turn 18",
                &[Field::radios(
                    "transition",
                    "Do you want a check to plan for when you turn 18?",
                    YES_NO_UNSURE,
                )
                .required("Tell us if you want a check to plan for when you turn 18")
                .hint("It is called a transition assessment")
                .short("Plan for turning 18")],
            )
            .show_if(is_16_or_17),
            Page::new(
                "contact",
                "How should we get in touch?",
                &[
                    Field::radios("young_contact", "How should we get in touch?", YOUNG_CONTACT)
                        .required("Tell us how we should get in touch")
                        .short("How to get in touch"),
                    Field::rule("young_phone", "Phone number (optional)", TextRule::Phone)
                        .short("Phone number"),
                    Field::rule("young_email", "Email address (optional)", TextRule::Email)
                        .short("Email address"),
                ],
            ),
        ],
    },
];

static YOUNG_WORDS: Words = Words {
    check_title: "Check your answers",
    send_heading: "Finish",
    declaration: "When you finish, you will see a summary to keep. Nothing is sent to the young carers service unless you ask them to get in touch on the next page",
    send_button: "Finish",
    not_ready: "When every part is done, you can check your answers and see your summary.",
    phone_instead: "ask a grown-up to call the young carers service on 01632 960 654",
};

/// The young carer's self-assessment.
pub static YOUNG: FormSpec = FormSpec {
    id: "young-carer-self-assessment",
    base: YOUNG_BASE,
    title: "Young carers: tell us about you",
    reference_prefix: "YC",
    sections: YOUNG_SECTIONS,
    words: &YOUNG_WORDS,
    interrupts: &[
        &TOO_YOUNG,
        &ADULT_NOW,
        &WITH_AN_ADULT,
        &TURNING_18,
        &OUT_OF_AREA_YOUNG,
        &IMMEDIATE_HELP,
    ],
};

// ---------------------------------------------------------------------------------------------
// After the form: urgency and matching services
// ---------------------------------------------------------------------------------------------

/// Whether this form is the young carer's.
pub fn is_young(spec: &FormSpec) -> bool {
    spec.id == YOUNG.id
}

/// Facts the team needs to prioritise a referral, each a fixed phrase (no personal data).
pub fn urgency_flags(spec: &FormSpec, data: &FormData) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if is_young(spec) {
        if data.has("hard_things", "hurt") {
            flags.push("Safeguarding: said someone hurts them or makes them feel unsafe");
        }
        if data.has("hard_things", "self-harm") {
            flags.push("Safeguarding: said they hurt themselves on purpose");
        }
        if data.has("hard_things", "not-worth-living") {
            flags.push("Safeguarding: said life is not worth living");
        }
        if young_age(data).is_some_and(|a| a < 13) {
            flags.push("Young carer under 13");
        }
    } else {
        if data.value("able_now") == "no" {
            flags.push("Carer cannot carry on caring now");
        }
        if data.value("under_18_helps") == "yes" {
            flags.push("Someone under 18 helps with caring");
        }
        if data.value("emergency_plan") == "no" {
            flags.push("No emergency plan");
        }
    }
    flags
}

/// Whether a referral with these flags is urgent (a safeguarding answer, or a carer who cannot
/// carry on).
pub fn is_urgent(flags: &[&str]) -> bool {
    flags
        .iter()
        .any(|f| f.starts_with("Safeguarding") || *f == "Carer cannot carry on caring now")
}

/// A time of day a matching service should run at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Any,
    Evening,
}

/// One kind of service to look for, and why it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// Shown above the services: why they match the answers.
    pub why: String,
    /// Category codes (any of them).
    pub categories: &'static [&'static str],
    /// Only services open to someone of this age.
    pub age: Option<u8>,
    pub when: When,
    /// Nearest first, within the search radius of the postcode.
    pub near: bool,
}

fn need(why: impl Into<String>, categories: &'static [&'static str]) -> Need {
    Need {
        why: why.into(),
        categories,
        age: None,
        when: When::Any,
        near: true,
    }
}

/// The kinds of service that match the answers, in the order shown. Pure: the server runs each
/// through the directory's search.
pub fn matches(spec: &FormSpec, data: &FormData) -> Vec<Need> {
    if is_young(spec) {
        young_matches(data)
    } else {
        adult_matches(data)
    }
}

fn adult_matches(data: &FormData) -> Vec<Need> {
    let mut needs = Vec::new();
    if data.has("would_help", "breaks") {
        needs.push(need(
            "You said a break from caring would help",
            &[
                "adult-carers.breaks-and-respite",
                "adult-carers.sitting-services",
            ],
        ));
    }
    let works_days = is_working(data) && data.value("work_hours") == "daytime";
    if works_days {
        needs.push(Need {
            when: When::Evening,
            ..need(
                "You work in the daytime, so these carers' groups meet in the evening",
                &["adult-carers.peer-support-groups"],
            )
        });
    } else if data.has("would_help", "peer-support") {
        needs.push(need(
            "You said meeting other carers would help",
            &["adult-carers.peer-support-groups"],
        ));
    }
    if data.value("money_worries") == "yes" || data.has("would_help", "money-advice") {
        needs.push(need(
            "You told us you have worries about money",
            &[
                "money-and-housing.money-and-benefits-advice",
                "money-and-housing.debt",
            ],
        ));
    }
    let health = data.value("health_impact") == "a-lot"
        || data.value("sleep") == "often"
        || data.has("would_help", "wellbeing");
    if health {
        needs.push(need(
            "You told us caring affects your health or sleep",
            &["adult-carers.training-and-wellbeing"],
        ));
    }
    if data.value("emergency_plan") == "no"
        || data.has("would_help", "emergency-plan")
        || data.has("would_help", "information")
    {
        needs.push(need(
            "Carers' advice services can help you make an emergency plan and tell you what support you can get",
            &["adult-carers.carers-advice"],
        ));
    }
    if data.value("under_18_helps") == "yes" {
        needs.push(need(
            "You told us someone under 18 helps with caring",
            &["young-carers.assessments-and-one-to-one"],
        ));
    }
    needs
}

fn young_matches(data: &FormData) -> Vec<Need> {
    let mut needs = Vec::new();
    let age = young_age(data).filter(|a| (8..=17).contains(a));
    let outcode = crate::domain::Postcode::parse(data.value("postcode"))
        .map(|p| p.outward().to_owned())
        .unwrap_or_default();
    let near = if outcode.is_empty() {
        String::new()
    } else {
        format!(" near {outcode}")
    };
    if let Some(age) = age {
        needs.push(Need {
            age: Some(age),
            ..need(
                format!("Young carers groups for people aged {age}{near}"),
                &["young-carers.groups-and-clubs"],
            )
        });
    }
    if data.has("young_would_help", "break") || data.value("friends_hard") == "a-lot" {
        needs.push(Need {
            age,
            ..need(
                "You said a break or time for fun would help",
                &["young-carers.activities-and-trips"],
            )
        });
    }
    if data.value("school_hard") != "no" && !data.value("school_hard").is_empty()
        || data.has("young_would_help", "school-help")
    {
        needs.push(Need {
            age,
            ..need(
                "You told us helping at home makes school hard",
                &["young-carers.school-support"],
            )
        });
    }
    if data.has("young_would_help", "someone-to-talk-to")
        || data.value("feelings") == "sad"
        || data.has("talk_to", "nobody")
    {
        needs.push(Need {
            age,
            ..need(
                "You said someone to talk to would help",
                &["young-carers.assessments-and-one-to-one"],
            )
        });
    }
    if data.has("hard_things", "money") {
        needs.push(need(
            "You told us your family worries about money. These are for grown-ups in your family",
            &["money-and-housing.money-and-benefits-advice"],
        ));
    }
    if let Some(age @ (16 | 17)) = age {
        needs.push(Need {
            age: Some(age),
            ..need(
                "You are 16 or 17: groups for young adult carers",
                &["young-carers.young-adult-carers"],
            )
        });
    }
    needs
}

/// Who gets the referral email: the carers' team or the young carers service.
pub fn team_name(spec: &FormSpec) -> &'static str {
    if is_young(spec) {
        "young carers service"
    } else {
        "carers' team"
    }
}

/// The summary's contact address for the carer's own copy, if they gave one.
pub fn own_email(spec: &FormSpec, data: &FormData) -> String {
    if is_young(spec) {
        data.value("young_email").to_owned()
    } else {
        adult_email(data).to_owned()
    }
}

#[cfg(test)]
mod tests;

/// "Tell us once": the answers an Early Help request can start from, so the carer does not type
/// them again. Only contact details, the postcode and what they would like to change are carried
/// over, and no page is marked answered: the person checks each one. None for young carers under
/// 16 (a parent or practitioner makes the request for them).
pub fn early_help_answers(spec: &FormSpec, data: &FormData) -> Option<FormData> {
    use super::early_help::{PARENT, YOUNG_PERSON};
    let mut carried = FormData::default();
    let mut set = |name: &str, value: &str| {
        if !value.is_empty() {
            carried.values.insert(name.into(), vec![value.to_owned()]);
        }
    };
    if is_young(spec) {
        if !is_16_or_17(data) {
            return None;
        }
        set("who", YOUNG_PERSON);
        set("your_name", data.value("young_name"));
        set("your_phone", data.value("young_phone"));
        set("your_email", data.value("young_email"));
        set("needs_to_happen", data.value("better"));
    } else {
        set("who", PARENT);
        set("your_name", data.value("carer_name"));
        set("your_phone", adult_phone(data));
        set("your_email", adult_email(data));
        set("needs_to_happen", data.value("what_to_change"));
        let method = data.value("contact_method");
        if matches!(method, "phone" | "email" | "letter") {
            set("contact_method", method);
        }
    }
    set("postcode", data.value("postcode"));
    Some(carried)
}

/// Whether the summary offers "tell us once" into an Early Help request.
pub fn offers_early_help(spec: &FormSpec, data: &FormData) -> bool {
    early_help_answers(spec, data).is_some()
}
