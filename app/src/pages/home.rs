use crate::components::layout::FisPhoneLink;
use crate::site;
use leptos::prelude::*;
use leptos_meta::Title;

/// Categories linked from the home page: codes of the category tree (`docs/taxonomy.md`) and
/// their names there.
const POPULAR: &[(&str, &str)] = &[
    ("send-support", "SEND support"),
    ("young-carers", "Young carers"),
    ("adult-carers", "Adult carers"),
    ("parenting", "Parenting"),
    ("childcare-and-early-years", "Childcare and early years"),
    ("mental-health", "Mental health"),
    ("money-and-housing", "Money and housing"),
    ("activities-and-clubs", "Activities and clubs"),
];

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
                <form method="get" action="/search" class="signpost-home-search" role="search">
                    <div class="govuk-form-group">
                        <label class="govuk-label govuk-label--m" for="q">"What are you looking for?"</label>
                        <div class="govuk-hint" id="q-hint">
                            "For example, autism support, toddler group or food bank"
                        </div>
                        <input class="govuk-input" id="q" name="q" type="search" list="q-suggestions"
                            autocomplete="off" aria-describedby="q-hint"/>
                        <datalist id="q-suggestions"></datalist>
                    </div>
                    <div class="govuk-form-group">
                        <label class="govuk-label govuk-label--s" for="postcode">"Postcode (optional)"</label>
                        <div class="govuk-hint" id="postcode-hint">
                            "To see services near you first, for example BK1 4AB"
                        </div>
                        <input
                            class="govuk-input govuk-input--width-10"
                            id="postcode"
                            name="postcode"
                            type="text"
                            autocomplete="postal-code"
                            spellcheck="false"
                            aria-describedby="postcode-hint"
                        />
                    </div>
                    <button type="submit" class="govuk-button" data-module="govuk-button">"Search"</button>
                </form>
                <crate::components::live_search::LiveSearch/>
                <div class="govuk-inset-text">
                    "If a child is in immediate danger, call 999."
                </div>
                <h2 class="govuk-heading-m">"Help for you"</h2>
                <ul class="govuk-list signpost-routes" id="routes">
                    <li>
                        <a class="govuk-link govuk-!-font-weight-bold" href="/search">"Parents and carers"</a>
                        <span class="signpost-block">"Groups, activities, childcare, parenting and SEND support near you."</span>
                    </li>
                    <li>
                        <a class="govuk-link govuk-!-font-weight-bold" href="/young-carers">"Young carers"</a>
                        <span class="signpost-block">"If you help look after someone at home: groups and help just for you."</span>
                    </li>
                    <li>
                        <a class="govuk-link govuk-!-font-weight-bold" href="/carers">"Adult carers"</a>
                        <span class="signpost-block">"Peer groups, breaks, money advice and a carer's self-assessment."</span>
                    </li>
                    <li>
                        <a class="govuk-link govuk-!-font-weight-bold" href="/practitioners">"Practitioners"</a>
                        <span class="signpost-block">"Find services for the families you work with, shortlist them and send them to a family."</span>
                    </li>
                </ul>
                <h2 class="govuk-heading-m">"Ask for help"</h2>
                <ul class="govuk-list">
                    <li><a class="govuk-link" href="/request-support">"Ask for early help for your family"</a></li>
                    <li><a class="govuk-link" href="/carers/self-assessment">"Carer's self-assessment"</a></li>
                    <li><a class="govuk-link" href="/young-carers/self-assessment">"Young carer's self-assessment"</a></li>
                </ul>
                <h2 class="govuk-heading-m">"Popular categories"</h2>
                <ul class="govuk-list" id="popular-categories">
                    {POPULAR
                        .iter()
                        .map(|&(code, name)| {
                            view! {
                                <li>
                                    <a class="govuk-link" href=format!("/search?category={code}")>{name}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
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
