//! Signpost's user interface: the HTML shell, the router, the page layout and the pages.
//!
//! Every page is rendered on the server and works without JavaScript. The browser only receives
//! WebAssembly for the few interactive *islands* (`#[island]` components); everything else stays
//! plain server-rendered HTML (see the README, "Hydration: islands").
#![recursion_limit = "256"]

pub mod components;
pub mod domain;
pub mod forms;
pub mod pages;
pub mod site;
pub mod text;

#[cfg(feature = "ssr")]
pub mod csp;

use components::layout::Layout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};
use pages::{
    carer_assessment::{CarerCrisisPage, CarerStartPage, YoungCarerStartPage},
    directory::{SearchPage, ServicePage},
    home::HomePage,
    info::{AccessibilityPage, ContactPage, CookiesPage, PractitionersPage, PrivacyPage},
    not_found::NotFoundPage,
    request_support::{SafetyPage, StartPage},
};

/// The HTML document around `<App/>`, rendered on the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    csp::provide_nonce_and_policy();
    let stylesheet = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en" class="govuk-template">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content=site::BRAND_COLOUR/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="icon" href="/favicon.ico" sizes="32x32"/>
                <link rel="stylesheet" href=stylesheet/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body class="govuk-template__body">
                <App/>
            </body>
        </html>
    }
}

/// The application: the router and the pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} – {} – {}", site::SERVICE_NAME, site::COUNCIL_NAME)/>
        <Router>
            <Layout>
                <Routes fallback=served_or_not_found>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("accessibility") view=AccessibilityPage/>
                    <Route path=path!("privacy") view=PrivacyPage/>
                    <Route path=path!("cookies") view=CookiesPage/>
                    <Route path=path!("contact") view=ContactPage/>
                    <Route path=path!("practitioners") view=PractitionersPage/>
                    <Route path=path!("request-support") view=StartPage/>
                    <Route path=path!("request-support/staying-safe-online") view=SafetyPage/>
                    <Route path=path!("carers/self-assessment") view=CarerStartPage/>
                    <Route path=path!("carers/self-assessment/before-you-start") view=CarerCrisisPage/>
                    <Route path=path!("young-carers/self-assessment") view=YoungCarerStartPage/>
                    <Route path=path!("search") view=SearchPage/>
                    <Route path=path!("services/:id") view=ServicePage/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Pages the server renders from its own data (the server's handler puts the page's model in
/// the context: the form engine's [`forms::view::FormPage`], a form's own pages (the carers'
/// summary, the request for support's confirmation), the shortlist's and "report a problem"'s
/// models) and, for anything else, "Page not found".
fn served_or_not_found() -> impl IntoView {
    if let Some(page) = use_context::<forms::view::FormPage>() {
        return forms::view::render(page);
    }
    forms::carers::summary::render()
        .or_else(pages::request_support::render)
        .or_else(pages::shortlist::render)
        .or_else(pages::report::render)
        .or_else(pages::suggest::render)
        .or_else(pages::landing::render)
        .unwrap_or_else(|| NotFoundPage().into_any())
}

/// The entry point the hydration script calls in the browser: it registers the islands, which the
/// loader then hydrates one by one. Nothing else on the page is hydrated.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
