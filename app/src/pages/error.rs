//! "Sorry, there is a problem with the service" (GOV.UK pattern): what the server sends when a
//! request fails unexpectedly. It is a complete document rendered without the router, so it can be
//! produced even when the application itself is what failed.

use crate::components::layout::FisPhoneLink;
#[cfg(feature = "ssr")]
use crate::components::layout::PageFrame;
use crate::site;
use leptos::prelude::*;

#[component]
pub fn ProblemPage() -> impl IntoView {
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <h1 class="govuk-heading-l">"Sorry, there is a problem with the service"</h1>
                <p class="govuk-body">"Try again later."</p>
                <p class="govuk-body">
                    "If you were filling in a form, the answers you saved are safe. "
                    "You can also call the Family Information Service on "
                    <FisPhoneLink/>
                    " (" {site::FIS_HOURS} ")."
                </p>
            </div>
        </div>
    }
}

/// The whole error document as HTML. `stylesheet` is the site's CSS URL.
#[cfg(feature = "ssr")]
pub fn problem_document(stylesheet: &str) -> String {
    // A root with a server-side shared context, as leptos_axum gives each request: islands
    // (the navigation) need one to render.
    let owner = Owner::new_root(Some(std::sync::Arc::new(
        hydration_context::SsrSharedContext::new(),
    )));
    let body = owner.with(|| {
        view! {
            <PageFrame current=None>
                <ProblemPage/>
            </PageFrame>
        }
        .to_html()
    });
    format!(
        "<!DOCTYPE html><html lang=\"en\" class=\"govuk-template\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sorry, there is a problem with the service – {} – {}</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body class=\"govuk-template__body\">{body}</body></html>",
        site::SERVICE_NAME,
        site::COUNCIL_NAME
    )
}
