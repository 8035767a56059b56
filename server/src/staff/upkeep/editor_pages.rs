//! The listing editor's two pages as views: the form (every field of [`ListingForm`] with its
//! error, the categories by group, up to six times) and the preview (the listing as the service
//! page will read it, with the form carried in hidden fields to "Save and publish"). The
//! handlers that load, check and save are in [`super::editor`].

use super::editor::{Choices, Target};
use crate::directory::edit::{ListingForm, ScheduleRow, MAX_SCHEDULES};
use crate::staff::view::form::{
    error_for, group_class, Checkboxes, ErrorMessage, ErrorSummary, FieldError, Radios, Select,
    SummaryList, SummaryRow, TextArea, TextInput,
};
use crate::staff::view::Csrf;
use app::pages::directory::ServicePageModel as ServiceModel;
use leptos::prelude::*;

/// The hidden fields every editor form carries: the CSRF token, the listing's id, the stored
/// record's modification time and the suggestion it started from.
#[component]
fn TargetFields(target: Target, csrf: String) -> impl IntoView {
    view! {
        <Csrf token=csrf/>
        <input type="hidden" name="service_id" value=target.id/>
        <input type="hidden" name="base_modified" value=target.base_modified/>
        {target.suggestion.map(|s| view! { <input type="hidden" name="suggestion" value=s/> })}
    }
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

/// The categories, a group of checkboxes per top-level category; the first box carries the
/// field's id.
fn categories(choices: &Choices, chosen: &[String], error: Option<String>) -> impl IntoView {
    let mut n = 0;
    let groups = choices
        .categories
        .iter()
        .map(|(group, terms)| {
            let items = terms
                .iter()
                .map(|(id, name)| {
                    let input_id = if n == 0 {
                        "categories".to_owned()
                    } else {
                        format!("categories-{n}")
                    };
                    n += 1;
                    view! {
                        <div class="govuk-checkboxes__item">
                            <input
                                class="govuk-checkboxes__input"
                                id=input_id.clone()
                                name="categories"
                                type="checkbox"
                                value=id.clone()
                                checked=chosen.contains(id)
                            />
                            <label class="govuk-label govuk-checkboxes__label" for=input_id>
                                {name.clone()}
                            </label>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="govuk-fieldset govuk-!-margin-bottom-4">
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">
                        {group.clone()}
                    </legend>
                    <div class="govuk-checkboxes govuk-checkboxes--small">{items}</div>
                </fieldset>
            }
        })
        .collect_view();
    let group = group_class(error.is_some());
    view! {
        <div class=group>
            <h2 class="govuk-heading-m">"Categories"</h2>
            <p class="govuk-hint">"Tick every category a family might look under."</p>
            <ErrorMessage id="categories".to_owned() message=error/>
            {groups}
        </div>
    }
}

/// `value` is chosen, or nothing is and `value` is the default.
fn chosen(current: &str, value: &str, default: &str) -> bool {
    current.eq_ignore_ascii_case(value) || (current.is_empty() && value == default)
}

/// Time `i` (a fieldset of days, how often, start, end, when in the year and a note).
fn schedule(i: usize, row: ScheduleRow, errors: &[FieldError]) -> impl IntoView {
    let days_id = format!("schedule-{i}-days");
    let error = error_for(errors, &days_id);
    let id = |part: &str| format!("schedule-{i}-{part}");
    let hint = format!(
        "Two letters a day, separated by commas: MO,WE. For a monthly session, the week first: 1TU is the first Tuesday, -1FR the last Friday.{}",
        if row.is_blank() {
            " Leave it empty if there are no more times."
        } else {
            ""
        }
    );
    let describedby = if error.is_some() {
        format!("{days_id}-hint {days_id}-error")
    } else {
        format!("{days_id}-hint")
    };
    let freqs = [("WEEKLY", "Every week"), ("MONTHLY", "Every month")]
        .into_iter()
        .map(|(value, label)| {
            let selected = chosen(&row.freq, value, "WEEKLY");
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view();
    let seasons = [
        ("all_year", "All year"),
        ("term_time", "Term time only"),
        ("school_holidays", "School holidays only"),
    ]
    .into_iter()
    .map(|(value, label)| {
        let selected = chosen(&row.season, value, "all_year");
        view! { <option value=value selected=selected>{label}</option> }
    })
    .collect_view();
    let input = |part: &str, label: &'static str, value: String, width: &'static str| {
        let class = if width.is_empty() {
            "govuk-input".to_owned()
        } else {
            format!("govuk-input {width}")
        };
        view! {
            <div class="govuk-form-group">
                <label class="govuk-label" for=id(part)>{label}</label>
                <input class=class id=id(part) name=id(part) type="text" value=value/>
            </div>
        }
    };
    let group = group_class(error.is_some());
    view! {
        <fieldset class="govuk-fieldset govuk-!-margin-bottom-6">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">
                {format!("Time {}", i + 1)}
            </legend>
            <div class=group>
                <label class="govuk-label" for=days_id.clone()>"Days"</label>
                <div class="govuk-hint" id=format!("{days_id}-hint")>{hint}</div>
                <ErrorMessage id=days_id.clone() message=error/>
                <input
                    class="govuk-input govuk-input--width-10"
                    id=days_id.clone()
                    name=days_id
                    type="text"
                    value=row.days
                    aria-describedby=describedby
                />
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label" for=id("freq")>"How often"</label>
                <select class="govuk-select" id=id("freq") name=id("freq")>{freqs}</select>
            </div>
            {input("opens", "Starts (24-hour clock, like 09:30)", row.opens_at, "govuk-input--width-5")}
            {input("closes", "Ends", row.closes_at, "govuk-input--width-5")}
            <div class="govuk-form-group">
                <label class="govuk-label" for=id("season")>"When in the year"</label>
                <select class="govuk-select" id=id("season") name=id("season")>{seasons}</select>
            </div>
            {input("description", "Anything else about this time (optional)", row.description, "")}
        </fieldset>
    }
}

/// The form's rows of times: those typed, and one spare (up to the most the form shows).
fn schedule_rows(listing: &ListingForm) -> Vec<ScheduleRow> {
    let mut rows: Vec<ScheduleRow> = listing
        .schedules
        .iter()
        .filter(|r| !r.is_blank())
        .cloned()
        .collect();
    if rows.len() < MAX_SCHEDULES {
        rows.push(ScheduleRow::default());
    }
    rows
}

/// The note above a form started from a suggestion: what the provider said about times (which
/// the editor turns into rows) and that the rest is already filled in.
fn suggestion_note(times: Option<String>) -> impl IntoView {
    view! {
        <div class="govuk-inset-text" id="suggestion-note">
            <p class="govuk-body">
                "This form is filled in with the provider's suggested wording. Check it, then preview and save."
            </p>
            {times
                .map(|t| {
                    view! {
                        <p class="govuk-body">
                            "About the times, they said: "
                            <strong>{t}</strong>
                            ". Change the times below to match."
                        </p>
                    }
                })}
        </div>
    }
}

/// Where a feed's listing comes from, and what saving it here means (README, "Feeds").
fn feed_note((feed, overridden): (String, bool)) -> impl IntoView {
    let text = if overridden {
        format!("This listing comes from the feed {feed} and has been edited here: pulls from {feed} leave it as it was saved here. To follow the feed again, use \u{201c}Give back to the feed\u{201d} on the directory page.")
    } else {
        format!("This listing comes from the feed {feed}. Saving it here makes it a local edit: later pulls from {feed} will leave it as you save it.")
    };
    view! { <div class="govuk-inset-text" id="feed-note">{text}</div> }
}

/// The editor's form. `note` is `Some(times)` when it started from a suggestion (the times the
/// provider wrote, if any).
pub(super) fn form(
    target: Target,
    csrf: String,
    listing: ListingForm,
    choices: Choices,
    errors: Vec<FieldError>,
    note: Option<Option<String>>,
) -> impl IntoView {
    let e = |name: &str| error_for(&errors, name);
    let value = |name: &str| listing.text(name).unwrap_or_default().to_owned();
    // A text input: name, label, hint, width class.
    let input = |name: &'static str,
                 label: &'static str,
                 hint: &'static str,
                 width: &'static str| {
        view! { <TextInput name=name label=label hint=hint value=value(name) error=e(name) width=width/> }
            .into_any()
    };
    let textarea = |name: &'static str, label: &'static str, hint: &'static str, rows: u8| {
        view! { <TextArea name=name label=label hint=hint value=value(name) error=e(name) rows=rows/> }
            .into_any()
    };
    // Open when it holds something, so that a value or an error in it is never hidden.
    let org_open = !listing.new_organization.trim().is_empty()
        || !listing.new_organization_description.trim().is_empty()
        || errors
            .iter()
            .any(|e| e.field.starts_with("new_organization"));
    let heading = if target.is_new {
        "Add a listing".to_owned()
    } else {
        format!("Edit {}", listing.name)
    };
    let organisations: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose".to_owned()))
            .chain(choices.organisations.iter().cloned())
            .collect();
    let organisation = view! { <Select
        name="organization_id"
        label="Organisation that runs it"
        options=organisations
        chosen=listing.organization_id.clone()
        error=e("organization_id")
    /> }
    .into_any();
    let route = view! { <Radios
        name="referral_route"
        legend="How families get it"
        options=pairs(&[
            ("self", "They contact the service themselves"),
            ("professional", "A professional refers them"),
            ("drop_in", "They drop in"),
        ])
        chosen=listing.referral_route.clone()
        error=e("referral_route")
    /> }
    .into_any();
    let delivery = view! { <Checkboxes
                        name="delivery"
                        legend="How it is delivered"
                        hint="Tick all that apply."
                        options=pairs(&[("in_person", "In person"), ("online", "Online"), ("telephone", "By phone")])
                        chosen=listing.delivery.clone()
                        error=e("delivery")
                    /> }.into_any();
    let status = view! { <Radios
                        name="status"
                        legend="Is it running?"
                        options=pairs(&[("active", "Yes, it is running"), ("temporarily closed", "It is closed for now")])
                        chosen=listing.status.clone()
                        error=e("status")
                    /> }.into_any();
    let cost = view! { <Radios
        name="cost"
        legend="Does it cost anything?"
        options=pairs(&[("free", "It is free"), ("paid", "There is a charge"), ("", "Not known")])
        chosen=listing.cost.clone()
        error=e("cost")
    /> }
    .into_any();
    let action = target.action();
    let feed = target.feed.clone();
    let times = schedule_rows(&listing)
        .into_iter()
        .enumerate()
        .map(|(i, row)| schedule(i, row, &errors).into_any())
        .collect_view();
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <ErrorSummary errors=errors.clone()/>
                <h1 class="govuk-heading-l">{heading}</h1>
                {note.map(suggestion_note)}
                {feed.map(feed_note)}
                <form method="post" action=action id="editor" novalidate>
                    <TargetFields target=target csrf=csrf/>
                    {input("name", "Name of the service", "", "")}
                    <h2 class="govuk-heading-m">"Organisation"</h2>
                    {organisation}
                    <details class="govuk-details" open=org_open>
                        <summary class="govuk-details__summary">
                            <span class="govuk-details__summary-text">
                                "The organisation is not in the list"
                            </span>
                        </summary>
                        <div class="govuk-details__text">
                            {input("new_organization", "New organisation's name", "", "")}
                            {textarea("new_organization_description", "What the new organisation does", "", 3)}
                        </div>
                    </details>
                    <h2 class="govuk-heading-m">"What it is"</h2>
                    {textarea(
                        "summary",
                        "Summary",
                        "One or two sentences for the search results: at most 300 characters. Left empty, the description's first sentence is used.",
                        2,
                    )}
                    {textarea("description", "Description", "What happens there, in plain English.", 8)}
                    {categories(&choices, &listing.categories, e("categories")).into_any()}
                    <h2 class="govuk-heading-m">"Who it is for"</h2>
                    {input("minimum_age", "Youngest age (optional)", "In whole years, from 0 to 25.", "govuk-input--width-2")}
                    {input("maximum_age", "Oldest age (optional)", "", "govuk-input--width-2")}
                    {textarea(
                        "eligibility",
                        "Who can use it (optional)",
                        "For example: families living in Brackenshire with a child under 5.",
                        3,
                    )}
                    <h2 class="govuk-heading-m">"How to get it"</h2>
                    {route}
                    {delivery}
                    {status}
                    <h2 class="govuk-heading-m">"Where"</h2>
                    <p class="govuk-hint">
                        "The main place it runs. Leave the address empty for a service that is only online or by phone. Other places are kept as they are."
                    </p>
                    {input("place_name", "Name of the place (optional)", "", "")}
                    {input("address_1", "Address line 1", "", "")}
                    {input("address_2", "Address line 2 (optional)", "", "")}
                    {input("city", "Town or city", "", "govuk-!-width-two-thirds")}
                    {input("postcode", "Postcode", "", "govuk-input--width-10")}
                    <div class="govuk-form-group">
                        <div class="govuk-checkboxes govuk-checkboxes--small">
                            <div class="govuk-checkboxes__item">
                                <input
                                    class="govuk-checkboxes__input"
                                    id="wheelchair_accessible"
                                    name="wheelchair_accessible"
                                    type="checkbox"
                                    value="yes"
                                    checked=listing.wheelchair_accessible
                                />
                                <label class="govuk-label govuk-checkboxes__label" for="wheelchair_accessible">
                                    "The place is wheelchair accessible"
                                </label>
                            </div>
                        </div>
                    </div>
                    <h2 class="govuk-heading-m">"Contact"</h2>
                    {input("phone", "Phone number (optional)", "", "govuk-input--width-20")}
                    {input("email", "Email address (optional)", "", "")}
                    {input("website", "Website (optional)", "Starting with https://", "")}
                    <h2 class="govuk-heading-m">"Cost"</h2>
                    {cost}
                    {input(
                        "cost_description",
                        "What it costs (optional)",
                        "For example: £3 a session, first session free.",
                        "",
                    )}
                    <h2 class="govuk-heading-m">"When it runs"</h2>
                    {times}
                    <div class="govuk-button-group">
                        <button type="submit" class="govuk-button" name="action" value="preview">
                            "Preview"
                        </button>
                        <a class="govuk-link" href="/staff/directory">"Cancel"</a>
                    </div>
                </form>
            </div>
        </div>
    }
}

/// Several lines in one summary row.
fn lines(items: Vec<String>) -> impl IntoView {
    items
        .into_iter()
        .map(|i| view! { <span class="signpost-block">{i}</span> })
        .collect_view()
}

/// The preview: the listing as the service page will read it (`m`), and the form carried in
/// hidden fields (`carried`: `ListingForm::hidden_inputs`) to save or change it.
pub(super) fn preview(
    target: Target,
    csrf: String,
    m: ServiceModel,
    carried: Vec<(String, String)>,
) -> impl IntoView {
    let when: Vec<String> = m
        .schedules
        .iter()
        .map(|s| {
            [
                Some(s.summary.clone()),
                s.dates.clone(),
                s.description.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(". ")
        })
        .collect();
    let places = m
        .places
        .iter()
        .map(|p| {
            let mut place: Vec<String> = p.name.iter().cloned().collect();
            place.extend(p.address_lines.iter().cloned());
            if p.wheelchair_accessible {
                place.push("Wheelchair accessible".to_owned());
            }
            if p.map_href.is_none() {
                place.push("(No map position: the postcode is not one we know)".to_owned());
            }
            view! { <SummaryRow key="Where">{lines(place)}</SummaryRow> }
        })
        .collect_view();
    let mut contact: Vec<String> = m
        .contacts
        .iter()
        .flat_map(|c| c.phones.iter().map(|p| p.display.clone()))
        .collect();
    contact.extend(m.email.iter().cloned());
    contact.extend(m.website.iter().cloned());
    let action = target.action();
    view! {
        <span class="govuk-caption-l">"Preview"</span>
        <h1 class="govuk-heading-l">"Check the listing before you publish it"</h1>
        <p class="govuk-body">
            "This is how the service page will read. Saving also records today as the date the listing was last checked."
        </p>
        <SummaryList id="preview">
            <SummaryRow key="Name">{m.name}</SummaryRow>
            <SummaryRow key="Organisation">{m.organisation.unwrap_or_default()}</SummaryRow>
            <SummaryRow key="Summary">{m.summary.unwrap_or_default()}</SummaryRow>
            <SummaryRow key="Description">{m.description.unwrap_or_default()}</SummaryRow>
            <SummaryRow key="Categories">{lines(m.categories)}</SummaryRow>
            {m.status_note.map(|note| view! { <SummaryRow key="Status">{note}</SummaryRow> })}
            <SummaryRow key="Ages">{m.ages}</SummaryRow>
            {m.eligibility.map(|e| view! { <SummaryRow key="Who can use it">{e}</SummaryRow> })}
            <SummaryRow key="When">
                {if when.is_empty() {
                    "Contact the service to find out when it runs".into_any()
                } else {
                    lines(when).into_any()
                }}
            </SummaryRow>
            {places}
            <SummaryRow key="How it is delivered">{m.modes}</SummaryRow>
            <SummaryRow key="Cost">{lines(m.costs)}</SummaryRow>
            <SummaryRow key="How to get it">{m.access}</SummaryRow>
            <SummaryRow key="Contact">{lines(contact)}</SummaryRow>
        </SummaryList>
        <form method="post" action=action>
            <TargetFields target=target csrf=csrf/>
            <div>
                {carried
                    .into_iter()
                    .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                    .collect_view()}
            </div>
            <div class="govuk-button-group">
                <button type="submit" class="govuk-button" name="action" value="save">
                    "Save and publish"
                </button>
                <button
                    type="submit"
                    class="govuk-button govuk-button--secondary"
                    name="action"
                    value="change"
                >
                    "Change the listing"
                </button>
            </div>
        </form>
    }
}
