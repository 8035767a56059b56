//! Landing pages for young carers (`/young-carers`) and adult carers (`/carers`): a few
//! services for each need, found by the same search as the results page, each section with a
//! link to all its results.

use leptos::prelude::*;
use leptos_meta::Title;

/// A service in a section: name, one line about it, when it runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LandingService {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub when: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LandingSection {
    pub heading: &'static str,
    pub text: &'static str,
    pub services: Vec<LandingService>,
    pub total: u64,
    /// The results page with this section's filters.
    pub see_all: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LandingModel {
    pub title: &'static str,
    pub lead: &'static str,
    /// The self-assessment: (link text, address, what it is).
    pub assessment: (&'static str, &'static str, &'static str),
    pub sections: Vec<LandingSection>,
}

/// The page, when the server put a [`LandingModel`] in the context.
pub fn render() -> Option<AnyView> {
    use_context::<LandingModel>().map(|model| view! { <LandingPage model/> }.into_any())
}

#[component]
fn LandingPage(model: LandingModel) -> impl IntoView {
    let (link_text, href, about) = model.assessment;
    view! {
        <Title text=model.title/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-xl">{model.title}</h1>
                <p class="govuk-body-l">{model.lead}</p>
                <div class="govuk-inset-text">
                    <p class="govuk-body">{about}</p>
                    <a class="govuk-link govuk-!-font-weight-bold" href=href>{link_text}</a>
                </div>
                {model
                    .sections
                    .into_iter()
                    .map(|section| view! { <Section section/> })
                    .collect_view()}
            </div>
        </div>
    }
}

#[component]
fn Section(section: LandingSection) -> impl IntoView {
    let total = section.total;
    view! {
        <h2 class="govuk-heading-m">{section.heading}</h2>
        <p class="govuk-body">{section.text}</p>
        {if section.services.is_empty() {
            view! {
                <p class="govuk-body">
                    "There are none listed at the moment. Call the Family Information Service on "
                    <crate::components::layout::FisPhoneLink/>
                    " and we will help you find something."
                </p>
            }
            .into_any()
        } else {
            view! {
                <ul class="govuk-list signpost-landing-list">
                    {section
                        .services
                        .into_iter()
                        .map(|s| {
                            view! {
                                <li class="govuk-!-margin-bottom-3">
                                    <a class="govuk-link govuk-!-font-weight-bold" href=format!("/services/{}", s.id)>
                                        {s.name}
                                    </a>
                                    <span class="signpost-block">{s.summary}</span>
                                    {s.when.map(|w| view! { <span class="signpost-block govuk-hint govuk-!-margin-bottom-0">{w}</span> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="govuk-body">
                    <a class="govuk-link" href=section.see_all>
                        {format!("See all {total} ")}
                        <span class="govuk-visually-hidden">{section.heading}</span>
                        <span aria-hidden="true">"services"</span>
                    </a>
                </p>
            }
            .into_any()
        }}
    }
}
