//! The page layout every page shares: skip link, header, service navigation, phase banner, main,
//! the Family Information Service's phone line and the footer.

use crate::components::navigation::ServiceNavigation;
use crate::site;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The links in the service navigation, in order.
const NAVIGATION: &[(&str, &str)] = &[("/", "Home"), ("/contact", "Contact us")];

/// The service navigation's links, the current page marked as GOV.UK Frontend does.
#[component]
fn NavigationLinks(current: Option<String>) -> impl IntoView {
    let current = current.unwrap_or_default();
    view! {
        <ul class="govuk-service-navigation__list" id="navigation">
            {NAVIGATION
                .iter()
                .map(|&(href, text)| {
                    let active = href == current;
                    view! {
                        <li
                            class="govuk-service-navigation__item"
                            class:govuk-service-navigation__item--active=active
                        >
                            <a
                                class="govuk-service-navigation__link"
                                href=href
                                aria-current=active.then_some("page")
                            >
                                {if active {
                                    view! {
                                        <strong class="govuk-service-navigation__active-fallback">
                                            {text}
                                        </strong>
                                    }
                                        .into_any()
                                } else {
                                    text.into_any()
                                }}
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The layout inside the router: it knows the current page for the navigation.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let current = use_location().pathname.get_untracked();
    view! { <PageFrame current=Some(current)>{children()}</PageFrame> }
}

/// The layout itself, usable outside the router (for the error page).
#[component]
pub fn PageFrame(current: Option<String>, children: Children) -> impl IntoView {
    view! {
        <a href="#main-content" class="govuk-skip-link">"Skip to main content"</a>
        <header class="govuk-generic-header">
            <div class="govuk-generic-header__container govuk-width-container">
                <div class="govuk-generic-header__logo">
                    <a href="/" class="govuk-generic-header__homepage-link">
                        <span class="signpost-header__organisation">{site::COUNCIL_NAME}</span>
                    </a>
                </div>
            </div>
        </header>
        <section aria-label="Service information" class="govuk-service-navigation">
            <div class="govuk-width-container">
                <div class="govuk-service-navigation__container">
                    <span class="govuk-service-navigation__service-name">
                        <a href="/" class="govuk-service-navigation__link">{site::SERVICE_NAME}</a>
                    </span>
                    <ServiceNavigation>
                        <NavigationLinks current=current/>
                    </ServiceNavigation>
                </div>
            </div>
        </section>
        <div class="govuk-width-container">
            <div class="govuk-phase-banner">
                <p class="govuk-phase-banner__content">
                    <strong class="govuk-tag govuk-phase-banner__content__tag">"Beta"</strong>
                    <span class="govuk-phase-banner__text">
                        "This is a new service. "
                        <a class="govuk-link" href="/contact">"Tell us what you think"</a>
                        " to help us improve it."
                    </span>
                </p>
            </div>
            <main class="govuk-main-wrapper" id="main-content">
                {children()}
            </main>
            <HelpLine/>
        </div>
        <Footer/>
    }
}

/// The Family Information Service's phone number, on every page, so nobody is left with only an
/// online route.
#[component]
pub fn HelpLine() -> impl IntoView {
    view! {
        <aside class="signpost-help-line govuk-!-margin-bottom-6" aria-label="Help by phone">
            <p class="govuk-body govuk-!-margin-bottom-0">
                "Need to talk to someone? Call the Family Information Service on "
                <FisPhoneLink/>
                " (" {site::FIS_HOURS} ")."
            </p>
        </aside>
    }
}

/// The Family Information Service's number as a `tel:` link.
#[component]
pub fn FisPhoneLink() -> impl IntoView {
    view! { <a class="govuk-link" href=format!("tel:{}", site::FIS_PHONE_TEL)>{site::FIS_PHONE}</a> }
}

#[component]
fn Footer() -> impl IntoView {
    let links = [
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/cookies", "Cookies"),
        ("/contact", "Contact us"),
    ];
    view! {
        <footer class="govuk-footer">
            <div class="govuk-width-container">
                <div class="govuk-footer__meta">
                    <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
                        <h2 class="govuk-visually-hidden">"Support links"</h2>
                        <ul class="govuk-footer__inline-list">
                            {links
                                .into_iter()
                                .map(|(href, text)| {
                                    view! {
                                        <li class="govuk-footer__inline-list-item">
                                            <a class="govuk-footer__link" href=href>{text}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        <div class="govuk-footer__meta-custom">
                            "Run by " {site::COUNCIL_NAME}
                            ". Brackenshire is a fictional county: this is a demonstration service."
                        </div>
                    </div>
                    <div class="govuk-footer__meta-item">
                        "© " {site::COUNCIL_NAME}
                    </div>
                </div>
            </div>
        </footer>
    }
}
