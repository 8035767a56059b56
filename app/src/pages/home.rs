use crate::components::layout::FisPhoneLink;
use crate::site;
use leptos::prelude::*;
use leptos_meta::Title;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-xl">"Find help and support for your family in Brackenshire"</h1>
                <p class="govuk-body-l">
                    "Information, advice and local services for parents, carers, young carers, "
                    "children and young people with special educational needs and disabilities "
                    "(SEND), and the people who work with them."
                </p>
                <div class="govuk-inset-text">
                    "If a child is in immediate danger, call 999."
                </div>
                <h2 class="govuk-heading-m">"Talk to someone"</h2>
                <p class="govuk-body">
                    "The Family Information Service can tell you about childcare, activities, "
                    "support for carers and SEND support near you. Call "
                    <FisPhoneLink/>
                    ", " {site::FIS_HOURS} ", or see "
                    <a class="govuk-link" href="/contact">"all the ways to contact us"</a> "."
                </p>
            </div>
        </div>
    }
}
