use crate::components::layout::FisPhoneLink;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Page not found" (GOV.UK pattern), served with status 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-l">"Page not found"</h1>
                <p class="govuk-body">"If you typed the web address, check it is correct."</p>
                <p class="govuk-body">"If you pasted the web address, check you copied the entire address."</p>
                <p class="govuk-body">
                    "If the web address is correct or you selected a link or button, "
                    <a class="govuk-link" href="/">"go to the home page"</a>
                    " or call the Family Information Service on "
                    <FisPhoneLink/>
                    "."
                </p>
            </div>
        </div>
    }
}
