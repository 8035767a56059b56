//! The GOV.UK service navigation, as an island.
//!
//! Without JavaScript every link is visible and the "Menu" button stays hidden. Once hydrated,
//! small screens fold the links behind the button (as GOV.UK Frontend's own script does); wider
//! screens keep them visible (CSS). `data-enhanced="true"` marks the hydrated state.

use leptos::prelude::*;

/// The navigation wrapper and its Menu toggle. The links are `children`: rendered on the server
/// and not part of the WebAssembly, which only carries the toggle.
#[island]
pub fn ServiceNavigation(children: Children) -> impl IntoView {
    let enhanced = RwSignal::new(false);
    let open = RwSignal::new(false);
    // Effects never run on the server: this only happens once the island has hydrated.
    Effect::new(move |_| enhanced.set(true));
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
            {children()}
        </nav>
    }
}
