//! The keyboard shortcut of "Exit this page": pressing Shift three times within five seconds
//! leaves for an ordinary site, as GOV.UK Frontend's component does. The button itself is a plain
//! link and works without JavaScript; only this shortcut needs the island.

use leptos::prelude::*;

#[island]
pub fn ExitShortcut() -> impl IntoView {
    // Effects never run on the server: `data-ready="true"` marks the hydrated shortcut.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
        static PRESSES: AtomicU8 = AtomicU8::new(0);
        static FIRST_MS: AtomicU64 = AtomicU64::new(0);
        let handle = window_event_listener(leptos::ev::keyup, |event| {
            if event.key() != "Shift" {
                PRESSES.store(0, Ordering::Relaxed);
                return;
            }
            let now = event.time_stamp() as u64;
            if PRESSES.load(Ordering::Relaxed) == 0
                || now.saturating_sub(FIRST_MS.load(Ordering::Relaxed)) > 5_000
            {
                PRESSES.store(0, Ordering::Relaxed);
                FIRST_MS.store(now, Ordering::Relaxed);
            }
            if PRESSES.fetch_add(1, Ordering::Relaxed) + 1 >= 3 {
                PRESSES.store(0, Ordering::Relaxed);
                let _ = window().location().replace(crate::site::EXIT_URL);
            }
        });
        // The listener lives as long as the page.
        std::mem::forget(handle);
    }
    view! { <span class="signpost-exit-shortcut" data-ready=move || ready.get().to_string()></span> }
}
