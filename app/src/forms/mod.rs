//! The form engine: multi-page forms declared as data.
//!
//! A [`FormSpec`] is a list of [`Section`]s (the task list), each a list of [`Page`]s. A page
//! asks one or more [`Field`]s, or is an add-another list ([`ListSpec`]) whose items are
//! themselves a set of fields. Pages can be shown only when earlier answers call for them
//! (`show_if`). The engine knows how to validate a page's answers (the same code on the server
//! and in the browser: this module uses nothing the browser lacks), which page comes next, what
//! the task list says, and what check-your-answers shows; [`view`] renders every page in GOV.UK
//! Frontend markup. The server stores the answers ([`FormData`]) as a draft after every page.
//!
//! The forms: the Early Help request for support ([`early_help`]) and the carer
//! self-assessments ([`carers`], with their summary page). The server side of the engine is
//! `server/src/forms`.
//!
//! Long on purpose: the whole engine's data model, navigation and validation rules in one place.

pub mod carers;
pub mod early_help;
pub mod readability;
pub mod view;

use crate::domain::{Email, IsoDate, NhsNumber, PhoneNumber, Postcode};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use validator::ValidateLength;

/// Answers by field name. Every answer is a list: one value for text, radios and dates (stored
/// as `YYYY-MM-DD`), any number for checkboxes.
pub type Fields = BTreeMap<String, Vec<String>>;

/// Everything entered so far in one form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormData {
    #[serde(default)]
    pub values: Fields,
    /// Add-another lists by list key: one `Fields` per item.
    #[serde(default)]
    pub lists: BTreeMap<String, Vec<Fields>>,
    /// Slugs of the pages answered (a list page once the user said they had added everyone).
    #[serde(default)]
    pub done: BTreeSet<String>,
}

impl FormData {
    /// The first value of a field, or "".
    pub fn value(&self, name: &str) -> &str {
        first(&self.values, name)
    }

    /// Whether a checkbox field includes `choice`.
    pub fn has(&self, name: &str, choice: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|v| v.iter().any(|c| c == choice))
    }

    pub fn list(&self, key: &str) -> &[Fields] {
        self.lists.get(key).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The first value of `name` in `fields`, or "".
pub fn first<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .get(name)
        .and_then(|v| v.first())
        .map(String::as_str)
        .unwrap_or_default()
}

/// A whole form.
#[derive(Debug)]
pub struct FormSpec {
    /// Stored with drafts, e.g. `early-help`.
    pub id: &'static str,
    /// Where its pages live, e.g. `/request-support`.
    pub base: &'static str,
    /// Its name, e.g. "Ask for early help".
    pub title: &'static str,
    /// Shown before the reference, e.g. `EH`.
    pub reference_prefix: &'static str,
    pub sections: &'static [Section],
    /// The words that differ between forms on the check, task list and refusal pages.
    pub words: &'static Words,
    /// Pages shown after an answer that calls for them (see [`Page::interrupt`]).
    pub interrupts: &'static [&'static Interrupt],
}

/// What a form calls its own sending and who to phone instead.
#[derive(Debug)]
pub struct Words {
    /// The h1 of check your answers, e.g. "Check your answers before sending your request".
    pub check_title: &'static str,
    /// The heading above the declaration, e.g. "Now send your request".
    pub send_heading: &'static str,
    /// The declaration above the button on check your answers; the page adds ", as described
    /// in the privacy notice." with a link.
    pub declaration: &'static str,
    /// The button that sends or finishes, e.g. "Accept and send".
    pub send_button: &'static str,
    /// Under the task list until everything is done.
    pub not_ready: &'static str,
    /// Who to phone instead, e.g. "call the Early Help Hub on 01632 960 123".
    pub phone_instead: &'static str,
}

/// A page of information shown straight after an answer that calls for it: immediate help
/// (non-blocking: the person can carry on) or a route elsewhere at entry (blocking: the form
/// cannot go on with that answer).
#[derive(Debug, PartialEq, Eq)]
pub struct Interrupt {
    /// The last part of its address.
    pub slug: &'static str,
    pub title: &'static str,
    pub paragraphs: &'static [&'static str],
    /// Shown as GOV.UK warning text above the paragraphs.
    pub warning: Option<&'static str>,
    /// (text, href) links shown as a list, e.g. to the right form or a phone number.
    pub links: &'static [(&'static str, &'static str)],
    pub blocking: bool,
}

/// One task in the task list.
#[derive(Debug)]
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub pages: &'static [Page],
}

/// One page of questions, or an add-another list.
#[derive(Debug)]
pub struct Page {
    /// The last part of the page's address.
    pub slug: &'static str,
    /// The page's h1 when it has several fields or is a list; with one field, the field's label
    /// is the h1 and this is the page title.
    pub title: &'static str,
    /// Paragraphs shown under the heading.
    pub intro: &'static [&'static str],
    /// Shown as GOV.UK warning text under the heading.
    pub warning: Option<&'static str>,
    pub fields: &'static [Field],
    pub list: Option<&'static ListSpec>,
    /// Shown only when this returns true for the answers so far.
    pub show_if: Option<fn(&FormData) -> bool>,
    /// After this page is answered, the interrupt its answers call for, if any.
    pub interrupt: Option<fn(&FormData) -> Option<&'static Interrupt>>,
}

impl Page {
    pub const fn new(slug: &'static str, title: &'static str, fields: &'static [Field]) -> Self {
        Page {
            slug,
            title,
            intro: &[],
            warning: None,
            fields,
            list: None,
            show_if: None,
            interrupt: None,
        }
    }

    pub const fn list(slug: &'static str, title: &'static str, list: &'static ListSpec) -> Self {
        Page {
            slug,
            title,
            intro: &[],
            warning: None,
            fields: &[],
            list: Some(list),
            show_if: None,
            interrupt: None,
        }
    }

    pub const fn intro(mut self, intro: &'static [&'static str]) -> Self {
        self.intro = intro;
        self
    }

    pub const fn warning(mut self, warning: &'static str) -> Self {
        self.warning = Some(warning);
        self
    }

    pub const fn show_if(mut self, when: fn(&FormData) -> bool) -> Self {
        self.show_if = Some(when);
        self
    }

    pub const fn interrupt(mut self, when: fn(&FormData) -> Option<&'static Interrupt>) -> Self {
        self.interrupt = Some(when);
        self
    }

    /// The interrupt these answers call for after this page.
    pub fn interrupted(&self, data: &FormData) -> Option<&'static Interrupt> {
        self.interrupt.and_then(|when| when(data))
    }

    /// Answered, and not with an answer that stops the form.
    pub fn is_done(&self, data: &FormData) -> bool {
        data.done.contains(self.slug) && !self.interrupted(data).is_some_and(|i| i.blocking)
    }

    pub fn is_visible(&self, data: &FormData) -> bool {
        self.show_if.is_none_or(|when| when(data))
    }

    /// One field, not a list: the field's label or legend is the page's h1.
    pub fn single_question(&self) -> bool {
        self.list.is_none() && self.fields.len() == 1
    }
}

/// An add-another list, e.g. the children.
#[derive(Debug)]
pub struct ListSpec {
    pub key: &'static str,
    /// e.g. "child": "Add a child", "Do you need to add another child?".
    pub item: &'static str,
    /// The question asked before the first item when the list may be empty.
    pub empty_question: &'static str,
    pub min: usize,
    pub max: usize,
    /// The item field(s) that name an item in the summary, joined with spaces.
    pub name_fields: &'static [&'static str],
    pub fields: &'static [Field],
}

/// One question.
#[derive(Debug)]
pub struct Field {
    /// Form field name and the id of its (first) input.
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub kind: Kind,
    pub optional: bool,
    /// The message when a required answer is missing.
    pub required: &'static str,
    /// Names the answer in length messages, e.g. "What you are worried about".
    pub short: &'static str,
}

/// The kinds of question.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text(TextRule),
    /// A free-text answer of at most `max` characters.
    TextArea {
        max: usize,
    },
    Radios(&'static [Choice]),
    Checkboxes(&'static [Choice]),
    /// Day, month and year. `future_days`: how far ahead it may be (for due dates);
    /// `years_back`: how many years before this one it may be (children's dates: 25; dates of
    /// birth of adults: 120).
    Date {
        future_days: u32,
        years_back: u16,
    },
}

/// What a one-line text answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// Any text up to `max` characters; `autocomplete` as HTML names it.
    Plain {
        max: usize,
        autocomplete: Option<&'static str>,
    },
    Email,
    Phone,
    Postcode,
    NhsNumber,
}

#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
}

pub const fn choice(value: &'static str, label: &'static str) -> Choice {
    Choice {
        value,
        label,
        hint: None,
    }
}

pub const fn choice_hint(value: &'static str, label: &'static str, hint: &'static str) -> Choice {
    Choice {
        value,
        label,
        hint: Some(hint),
    }
}

impl Field {
    const fn new(name: &'static str, label: &'static str, kind: Kind) -> Self {
        Field {
            name,
            label,
            hint: None,
            kind,
            optional: true,
            required: "",
            short: label,
        }
    }

    pub const fn text(name: &'static str, label: &'static str, max: usize) -> Self {
        Self::new(
            name,
            label,
            Kind::Text(TextRule::Plain {
                max,
                autocomplete: None,
            }),
        )
    }

    pub const fn rule(name: &'static str, label: &'static str, rule: TextRule) -> Self {
        Self::new(name, label, Kind::Text(rule))
    }

    pub const fn textarea(name: &'static str, label: &'static str, max: usize) -> Self {
        Self::new(name, label, Kind::TextArea { max })
    }

    pub const fn radios(
        name: &'static str,
        label: &'static str,
        choices: &'static [Choice],
    ) -> Self {
        Self::new(name, label, Kind::Radios(choices))
    }

    pub const fn checkboxes(
        name: &'static str,
        label: &'static str,
        choices: &'static [Choice],
    ) -> Self {
        Self::new(name, label, Kind::Checkboxes(choices))
    }

    /// A child's date (a date of birth or a due date): at most 25 years back.
    pub const fn date(name: &'static str, label: &'static str, future_days: u32) -> Self {
        Self::new(
            name,
            label,
            Kind::Date {
                future_days,
                years_back: 25,
            },
        )
    }

    /// An adult's date of birth: today or before, at most 120 years back.
    pub const fn birth_date(name: &'static str, label: &'static str) -> Self {
        Self::new(
            name,
            label,
            Kind::Date {
                future_days: 0,
                years_back: 120,
            },
        )
    }

    /// The answer is required; `message` is shown when it is missing.
    pub const fn required(mut self, message: &'static str) -> Self {
        self.optional = false;
        self.required = message;
        self
    }

    pub const fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub const fn short(mut self, short: &'static str) -> Self {
        self.short = short;
        self
    }

    pub const fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        if let Kind::Text(TextRule::Plain { max, .. }) = self.kind {
            self.kind = Kind::Text(TextRule::Plain {
                max,
                autocomplete: Some(autocomplete),
            });
        }
        self
    }

    /// The id of the input an error message links to.
    pub fn input_id(&self) -> String {
        match self.kind {
            Kind::Date { .. } => format!("{}-day", self.name),
            _ => self.name.to_owned(),
        }
    }

    /// The choice's label for a stored value.
    pub fn choice_label(&self, value: &str) -> Option<&'static str> {
        match self.kind {
            Kind::Radios(choices) | Kind::Checkboxes(choices) => {
                choices.iter().find(|c| c.value == value).map(|c| c.label)
            }
            _ => None,
        }
    }

    /// The answer as a person reads it (check your answers).
    pub fn display(&self, fields: &Fields) -> String {
        let values = fields.get(self.name).cloned().unwrap_or_default();
        match self.kind {
            Kind::Radios(_) | Kind::Checkboxes(_) => values
                .iter()
                .filter_map(|v| self.choice_label(v))
                .collect::<Vec<_>>()
                .join("\n"),
            Kind::Date { .. } => values
                .first()
                .and_then(|v| IsoDate::parse(v).ok())
                .map(|d| long_date(&d))
                .unwrap_or_default(),
            _ => values.join("\n"),
        }
    }
}

/// A date as GOV.UK writes it: "4 June 2026".
pub fn long_date(date: &IsoDate) -> String {
    format!("{} {} {}", date.day(), date.month_name(), date.year())
}

/// One message for one field (the shared type: the engine's validation returns it).
pub use crate::components::errors::FieldError;

/// The raw submission of a page: every value by name, in order (checkboxes repeat the name).
pub type Submitted = Vec<(String, String)>;

/// Longest input looked at, in characters, whatever a field allows: anything longer is refused
/// with the field's length message without being copied around.
pub const ABSOLUTE_MAX_CHARS: usize = 20_000;

/// Validates `fields` against `submitted` and returns the normalised answers, or the answers as
/// typed (to show again) with one message per wrong field. `today` bounds dates.
pub fn validate(
    fields: &[Field],
    submitted: &Submitted,
    today: IsoDate,
) -> Result<Fields, (Fields, Vec<FieldError>)> {
    let mut answers = Fields::new();
    let mut typed = Fields::new();
    let mut errors = Vec::new();
    let all = |name: &str| -> Vec<String> {
        submitted
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let one = |name: &str| -> String {
        submitted
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default()
    };
    for field in fields {
        let mut fail = |message: String| {
            errors.push(FieldError {
                field: field.name.to_owned(),
                target: field.input_id(),
                message,
            })
        };
        match field.kind {
            Kind::Text(rule) => {
                let raw = one(field.name);
                let text = raw.trim();
                typed.insert(field.name.into(), vec![raw.clone()]);
                if text.is_empty() {
                    if !field.optional {
                        fail(field.required.into());
                    }
                    continue;
                }
                let normal = match rule {
                    TextRule::Plain { max, .. } => {
                        if !text.validate_length(None, Some(max as u64), None) {
                            fail(too_long(field.short, max));
                            continue;
                        }
                        Ok(text.to_owned())
                    }
                    TextRule::Email => Email::parse(text)
                        .map(String::from)
                        .map_err(|e| e.to_string()),
                    TextRule::Phone => PhoneNumber::parse(text)
                        .map(String::from)
                        .map_err(|e| e.to_string()),
                    TextRule::Postcode => Postcode::parse(text)
                        .map(String::from)
                        .map_err(|e| e.to_string()),
                    TextRule::NhsNumber => NhsNumber::parse(text)
                        .map(String::from)
                        .map_err(|e| e.to_string()),
                };
                match normal {
                    Ok(value) => {
                        answers.insert(field.name.into(), vec![value]);
                    }
                    Err(message) => fail(message),
                }
            }
            Kind::TextArea { max } => {
                let raw = one(field.name);
                let text = raw.trim();
                if !raw.validate_length(None, Some(ABSOLUTE_MAX_CHARS as u64), None) {
                    // Too long to show again: the message says what to do.
                    typed.insert(field.name.into(), vec![String::new()]);
                    fail(too_long(field.short, max));
                    continue;
                }
                typed.insert(field.name.into(), vec![raw.clone()]);
                if text.is_empty() {
                    if !field.optional {
                        fail(field.required.into());
                    }
                    continue;
                }
                if !text.validate_length(None, Some(max as u64), None) {
                    fail(too_long(field.short, max));
                    continue;
                }
                answers.insert(field.name.into(), vec![text.to_owned()]);
            }
            Kind::Radios(choices) => {
                let value = one(field.name);
                typed.insert(field.name.into(), vec![value.clone()]);
                if value.is_empty() {
                    if !field.optional {
                        fail(field.required.into());
                    }
                    continue;
                }
                if choices.iter().any(|c| c.value == value) {
                    answers.insert(field.name.into(), vec![value]);
                } else {
                    fail(field.required.into());
                }
            }
            Kind::Checkboxes(choices) => {
                let values: Vec<String> = choices
                    .iter()
                    .filter(|c| all(field.name).iter().any(|v| v == c.value))
                    .map(|c| c.value.to_owned())
                    .collect();
                typed.insert(field.name.into(), values.clone());
                if values.is_empty() {
                    if !field.optional {
                        fail(field.required.into());
                    }
                    continue;
                }
                answers.insert(field.name.into(), values);
            }
            Kind::Date {
                future_days,
                years_back,
            } => {
                let parts = ["day", "month", "year"].map(|p| one(&format!("{}-{p}", field.name)));
                for (p, v) in ["day", "month", "year"].iter().zip(&parts) {
                    typed.insert(format!("{}-{p}", field.name), vec![v.clone()]);
                }
                match parse_date(&parts, field, today, future_days, years_back) {
                    Ok(Some(date)) => {
                        answers.insert(field.name.into(), vec![date.to_string()]);
                    }
                    Ok(None) => {}
                    Err(message) => fail(message),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err((typed, errors))
    }
}

fn too_long(short: &str, max: usize) -> String {
    format!("{short} must be {} characters or fewer", thousands(max))
}

/// 5000 → "5,000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn parse_date(
    parts: &[String; 3],
    field: &Field,
    today: IsoDate,
    future_days: u32,
    years_back: u16,
) -> Result<Option<IsoDate>, String> {
    let [d, m, y] = parts.each_ref().map(|p| p.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return if field.optional {
            Ok(None)
        } else {
            Err(field.required.into())
        };
    }
    let missing: Vec<&str> = [("a day", d), ("a month", m), ("a year", y)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} must include {}",
            field.short,
            missing.join(" and ")
        ));
    }
    let not_real = || format!("{} must be a real date", field.short);
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u8>(), m.parse::<u8>(), y.parse::<u16>()) else {
        return Err(not_real());
    };
    if y < 1000 {
        return Err("Year must include 4 numbers".into());
    }
    let date = IsoDate::new(y, m, d).map_err(|_| not_real())?;
    let latest = add_days(today, future_days);
    if date > latest {
        return Err(if future_days == 0 {
            format!("{} must be today or in the past", field.short)
        } else {
            format!("{} must be within the next 9 months", field.short)
        });
    }
    let earliest =
        IsoDate::new(today.year().saturating_sub(years_back), 1, 1).map_err(|_| not_real())?;
    if date < earliest {
        return Err(format!(
            "{} must be after {}",
            field.short,
            long_date(&earliest)
        ));
    }
    Ok(Some(date))
}

/// `date` plus `days` (whole days, forward).
fn add_days(date: IsoDate, days: u32) -> IsoDate {
    let mut date = date;
    for _ in 0..days {
        let (y, m, d) = (date.year(), date.month(), date.day());
        date = IsoDate::new(y, m, d + 1)
            .or_else(|_| IsoDate::new(y, m + 1, 1))
            .or_else(|_| IsoDate::new(y + 1, 1, 1))
            .unwrap_or(date);
    }
    date
}

/// A section's progress on the task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    CannotStart,
    NotStarted,
    InProgress,
    Completed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::CannotStart => "Cannot start yet",
            Status::NotStarted => "Not yet started",
            Status::InProgress => "In progress",
            Status::Completed => "Completed",
        }
    }
}

impl FormSpec {
    /// The page with this slug, and its section.
    pub fn page(&self, slug: &str) -> Option<(&'static Section, &'static Page)> {
        self.sections
            .iter()
            .flat_map(|s| s.pages.iter().map(move |p| (s, p)))
            .find(|(_, p)| p.slug == slug)
    }

    /// Every page shown for these answers, in order.
    pub fn visible_pages<'d>(
        &'static self,
        data: &'d FormData,
    ) -> impl Iterator<Item = (&'static Section, &'static Page)> + 'd {
        self.sections
            .iter()
            .flat_map(|s| s.pages.iter().map(move |p| (s, p)))
            .filter(move |(_, p)| p.is_visible(data))
    }

    pub fn status(&'static self, section: &Section, data: &FormData) -> Status {
        let first = self.sections.first().map(|s| s.id);
        if Some(section.id) != first {
            if let Some(first) = self.sections.first() {
                if self.status(first, data) != Status::Completed {
                    return Status::CannotStart;
                }
            }
        }
        let visible: Vec<&Page> = section
            .pages
            .iter()
            .filter(|p| p.is_visible(data))
            .collect();
        let done = visible.iter().filter(|p| p.is_done(data)).count();
        if done == visible.len() {
            Status::Completed
        } else if done > 0 || visible.iter().any(|p| page_has_answers(p, data)) {
            Status::InProgress
        } else {
            Status::NotStarted
        }
    }

    pub fn is_complete(&'static self, data: &FormData) -> bool {
        self.sections
            .iter()
            .all(|s| self.status(s, data) == Status::Completed)
    }

    /// The first page of a section still to answer (or its first page).
    pub fn section_start(
        &'static self,
        section: &Section,
        data: &FormData,
    ) -> Option<&'static Page> {
        let visible = || {
            self.sections
                .iter()
                .find(|s| s.id == section.id)
                .into_iter()
                .flat_map(|s| s.pages.iter())
                .filter(|p| p.is_visible(data))
        };
        visible()
            .find(|p| !p.is_done(data))
            .or_else(|| visible().next())
    }

    /// Where to go after `slug` was answered: in change mode the first unanswered page (new
    /// branches) or check your answers; otherwise the next page in the section or the task list.
    pub fn next_after(&'static self, slug: &str, data: &FormData, change: bool) -> String {
        if let Some(interrupt) = self.page(slug).and_then(|(_, p)| p.interrupted(data)) {
            let change = if change { "?change=1" } else { "" };
            return format!("{}/{}{change}", self.base, interrupt.slug);
        }
        self.next_without_interrupt(slug, data, change)
    }

    /// The interrupt with this slug.
    pub fn interrupt_page(&self, slug: &str) -> Option<&'static Interrupt> {
        self.interrupts.iter().copied().find(|i| i.slug == slug)
    }

    /// The visible page whose answers call for `interrupt` now.
    pub fn interrupted_at(
        &'static self,
        interrupt: &Interrupt,
        data: &FormData,
    ) -> Option<&'static Page> {
        self.visible_pages(data)
            .map(|(_, p)| p)
            .find(|p| data.done.contains(p.slug) && p.interrupted(data) == Some(interrupt))
    }

    /// Where "Continue" goes from an interrupt shown after `slug` (change mode when every
    /// page is answered, so a finished form goes back to check your answers).
    pub fn next_without_interrupt(
        &'static self,
        slug: &str,
        data: &FormData,
        change: bool,
    ) -> String {
        if change {
            return match self.visible_pages(data).find(|(_, p)| !p.is_done(data)) {
                Some((_, p)) => format!("{}/{}?change=1", self.base, p.slug),
                None => format!("{}/check-answers", self.base),
            };
        }
        let Some((section, _)) = self.page(slug) else {
            return format!("{}/tasks", self.base);
        };
        let mut pages = section.pages.iter().filter(|p| p.is_visible(data));
        let _ = pages.by_ref().find(|p| p.slug == slug);
        match pages.next() {
            Some(next) => format!("{}/{}", self.base, next.slug),
            None => format!("{}/tasks", self.base),
        }
    }

    /// The page before `slug` in its section, or the task list.
    pub fn back_from(&'static self, slug: &str, data: &FormData) -> String {
        let Some((section, _)) = self.page(slug) else {
            return format!("{}/tasks", self.base);
        };
        let mut previous = None;
        for page in section.pages.iter().filter(|p| p.is_visible(data)) {
            if page.slug == slug {
                break;
            }
            previous = Some(page.slug);
        }
        match previous {
            Some(p) => format!("{}/{p}", self.base),
            None => format!("{}/tasks", self.base),
        }
    }

    /// Drops answers to pages no longer shown, so a changed branch leaves nothing behind.
    pub fn prune(&'static self, data: &mut FormData) {
        let hidden: Vec<&Page> = self
            .sections
            .iter()
            .flat_map(|s| s.pages.iter())
            .filter(|p| !p.is_visible(data))
            .collect();
        for page in hidden {
            data.done.remove(page.slug);
            for field in page.fields {
                data.values.remove(field.name);
            }
            if let Some(list) = page.list {
                data.lists.remove(list.key);
            }
        }
    }
}

fn page_has_answers(page: &Page, data: &FormData) -> bool {
    page.fields.iter().any(|f| data.values.contains_key(f.name))
        || page.list.is_some_and(|l| !data.list(l.key).is_empty())
}

/// The characters of references: digits and capitals without 0/O, 1/I/L and U, which are misread.
pub const REFERENCE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A reference like `EH-7K3Q-9M2P` from 8 random bytes.
pub fn reference(prefix: &str, random: [u8; 8]) -> String {
    let chars: String = random
        .iter()
        .map(|b| REFERENCE_ALPHABET[usize::from(*b) % REFERENCE_ALPHABET.len()] as char)
        .collect();
    format!("{prefix}-{}-{}", &chars[..4], &chars[4..])
}

#[cfg(test)]
mod tests;
