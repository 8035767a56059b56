//! The page layout every page shares: skip link, header, service navigation, phase banner, main,
//! the Family Information Service's phone line and the footer.

use crate::components::navigation::ServiceNavigation;
use crate::site;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// One link of the service navigation: the journeys a family starts from.
struct Section {
    href: &'static str,
    text: &'static str,
    /// The paths that belong to this section (each one itself and everything below it).
    paths: &'static [&'static str],
}

/// The service navigation, in order: every journey a family starts from, then contact.
const NAVIGATION: &[Section] = &[
    Section {
        href: "/search",
        text: "Find services",
        paths: &["/search", "/services", "/shortlist"],
    },
    Section {
        href: "/young-carers",
        text: "Young carers",
        paths: &["/young-carers"],
    },
    Section {
        href: "/carers",
        text: "Carers",
        paths: &["/carers"],
    },
    Section {
        href: "/request-support",
        text: "Ask for early help",
        paths: &["/request-support"],
    },
    Section {
        href: "/contact",
        text: "Contact us",
        paths: &["/contact"],
    },
];

/// The section `path` belongs to, if any ("/services/123" is in "Find services").
fn section_of(path: &str) -> Option<&'static str> {
    NAVIGATION
        .iter()
        .find(|s| {
            s.paths.iter().any(|p| {
                path == *p
                    || path
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .map(|s| s.href)
}

/// The service navigation's links, the current section marked as GOV.UK Frontend does
/// (`aria-current="page"` on the section's own page, `"true"` anywhere below it).
#[component]
fn NavigationLinks(current: Option<String>) -> impl IntoView {
    let current = current.unwrap_or_default();
    let section = section_of(&current);
    view! {
        <ul class="govuk-service-navigation__list" id="navigation">
            {NAVIGATION
                .iter()
                .map(|s| {
                    let active = section == Some(s.href);
                    let aria_current = active
                        .then_some(if current == s.href { "page" } else { "true" });
                    view! {
                        <li
                            class="govuk-service-navigation__item"
                            class:govuk-service-navigation__item--active=active
                        >
                            <a
                                class="govuk-service-navigation__link"
                                href=s.href
                                aria-current=aria_current
                            >
                                {if active {
                                    view! {
                                        <strong class="govuk-service-navigation__active-fallback">
                                            {s.text}
                                        </strong>
                                    }
                                        .into_any()
                                } else {
                                    s.text.into_any()
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

#[cfg(test)]
mod tests {
    use super::section_of;

    #[test]
    fn pages_belong_to_their_journey() {
        assert_eq!(section_of("/search"), Some("/search"));
        assert_eq!(section_of("/services/5d3c"), Some("/search"));
        assert_eq!(section_of("/shortlist/send"), Some("/search"));
        assert_eq!(
            section_of("/young-carers/self-assessment/about-you"),
            Some("/young-carers")
        );
        assert_eq!(section_of("/carers"), Some("/carers"));
        assert_eq!(
            section_of("/request-support/check-answers"),
            Some("/request-support")
        );
        // A shared beginning is not enough: "/carers" is not "/carersx".
        assert_eq!(section_of("/carersx"), None);
        assert_eq!(section_of("/"), None);
    }
}
