//! The GOV.UK service navigation, as an island.
//!
//! Without JavaScript every link is visible and the "Menu" button stays hidden. Once hydrated,
//! small screens fold the links behind the button (as GOV.UK Frontend's own script does); wider
//! screens keep them visible (CSS). `data-enhanced="true"` marks the hydrated state.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One link in the service navigation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavItem {
    pub href: String,
    pub text: String,
}

impl NavItem {
    pub fn new(href: &str, text: &str) -> Self {
        Self {
            href: href.to_owned(),
            text: text.to_owned(),
        }
    }
}

#[island]
pub fn ServiceNavigation(items: Vec<NavItem>, current: Option<String>) -> impl IntoView {
    let enhanced = RwSignal::new(false);
    let open = RwSignal::new(false);
    // Effects never run on the server: this only happens once the island has hydrated.
    Effect::new(move |_| enhanced.set(true));
    let current = current.unwrap_or_default();
    view! {
        <nav
            aria-label="Menu"
            class="govuk-service-navigation__wrapper"
            class:signpost-nav--collapsed=move || enhanced.get() && !open.get()
            data-enhanced=move || enhanced.get().to_string()
        >
            <button
                type="button"
                class="govuk-service-navigation__toggle signpost-nav__toggle"
                aria-controls="navigation"
                hidden=move || !enhanced.get()
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Menu"
            </button>
            <ul class="govuk-service-navigation__list" id="navigation">
                {items
                    .into_iter()
                    .map(|item| {
                        let active = item.href == current;
                        view! {
                            <li
                                class="govuk-service-navigation__item"
                                class:govuk-service-navigation__item--active=active
                            >
                                <a
                                    class="govuk-service-navigation__link"
                                    href=item.href
                                    aria-current=active.then_some("page")
                                >
                                    {if active {
                                        view! {
                                            <strong class="govuk-service-navigation__active-fallback">
                                                {item.text}
                                            </strong>
                                        }
                                            .into_any()
                                    } else {
                                        item.text.into_any()
                                    }}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
