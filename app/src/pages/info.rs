//! The service's information pages: accessibility statement, privacy notice, cookies, contact
//! and the page for practitioners.
//!
//! Their text lives in `app/src/content/*.html` (trusted, static, reviewed content written with
//! GOV.UK Frontend's typography classes) so that content changes never touch code.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn ContentPage(title: &'static str, html: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds" inner_html=html></div>
        </div>
    }
}

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    view! {
        <ContentPage
            title="Accessibility statement"
            html=include_str!("../content/accessibility.html")
        />
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! { <ContentPage title="Privacy notice" html=include_str!("../content/privacy.html")/> }
}

#[component]
pub fn CookiesPage() -> impl IntoView {
    view! { <ContentPage title="Cookies" html=include_str!("../content/cookies.html")/> }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    view! { <ContentPage title="Contact us" html=include_str!("../content/contact.html")/> }
}

#[component]
pub fn PractitionersPage() -> impl IntoView {
    view! {
        <ContentPage
            title="For practitioners"
            html=include_str!("../content/practitioners.html")
        />
    }
}
