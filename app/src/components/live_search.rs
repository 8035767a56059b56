//! With JavaScript, the search is quicker to use: ticking a filter or changing the sort updates
//! the results without reloading the page, and the search box suggests services as you type.
//! Without JavaScript (or before this island has hydrated) the same form works by submitting it:
//! nothing here is needed to search.
//!
//! How: the island attaches listeners to the page's existing, server-rendered form. On a change
//! it fetches the results page for the form's new state (the same URL a submit would load),
//! copies the new result count into the existing live region (so screen readers announce it),
//! swaps the results and the filter counts, and updates the address bar. Suggestions come from
//! `/search/suggest` into a `<datalist>`.

use leptos::prelude::*;

#[island]
pub fn LiveSearch() -> impl IntoView {
    // Effects never run on the server: `data-ready="true"` marks the hydrated island.
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        enhance::attach();
        ready.set(true);
    });
    view! { <span class="signpost-live-search" data-ready=move || ready.get().to_string()></span> }
}

#[cfg(feature = "hydrate")]
mod enhance {
    use leptos::prelude::{document, window};
    use std::sync::atomic::{AtomicU32, Ordering};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Document, DomParser, Element, Event, FormData, HtmlFormElement, HtmlInputElement, Response,
        SupportedType, UrlSearchParams,
    };

    /// The latest refresh asked for: older answers arriving late are dropped.
    static LATEST: AtomicU32 = AtomicU32::new(0);

    pub fn attach() {
        if let Some(form) = document()
            .query_selector("form.signpost-search")
            .ok()
            .flatten()
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
        {
            let on_change = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                    return;
                };
                let kind = target.get_attribute("type").unwrap_or_default();
                let is_filter = kind == "checkbox" || target.tag_name() == "SELECT";
                if !is_filter {
                    return;
                }
                if let Some(form) = target
                    .closest("form")
                    .ok()
                    .flatten()
                    .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
                {
                    if let Some(url) = url_of(&form) {
                        let generation = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
                        leptos::task::spawn_local(refresh(url, generation));
                    }
                }
            });
            let _ =
                form.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            on_change.forget();
            // Submitting the form loads the page it asks for: a refresh still on its way is
            // older than that and must neither swap results in nor, if the navigation cuts its
            // fetch off, load its own (older) address instead.
            let on_submit = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                LATEST.fetch_add(1, Ordering::SeqCst);
            });
            let _ =
                form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
            on_submit.forget();
            // Likewise when anything else leaves the page (a result's link, Back).
            let on_leave = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                LATEST.fetch_add(1, Ordering::SeqCst);
            });
            let _ = window().add_event_listener_with_callback(
                "beforeunload",
                on_leave.as_ref().unchecked_ref(),
            );
            on_leave.forget();
        }
        if let Some(input) = document()
            .get_element_by_id("q")
            .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
        {
            let on_input = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                if let Some(input) = event
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                {
                    let value = input.value();
                    if value.trim().chars().count() >= 2 {
                        leptos::task::spawn_local(suggest(value));
                    }
                }
            });
            let _ =
                input.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
            on_input.forget();
        }
    }

    /// The results page's address for the form as it is now (what submitting it would load).
    fn url_of(form: &HtmlFormElement) -> Option<String> {
        let data = FormData::new_with_form(form).ok()?;
        let params = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        let query: String = params.to_string().into();
        Some(format!("/search?{query}"))
    }

    async fn fetch_text(url: &str) -> Option<String> {
        let response: Response = JsFuture::from(window().fetch_with_str(url))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        if !response.ok() {
            return None;
        }
        JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()
    }

    async fn refresh(url: String, generation: u32) {
        let page = fetch_text(&url).await.and_then(|html| {
            DomParser::new()
                .ok()?
                .parse_from_string(&html, SupportedType::TextHtml)
                .ok()
        });
        if LATEST.load(Ordering::SeqCst) != generation {
            return;
        }
        match page {
            Some(new) if swap(&new) => {
                let _ = window()
                    .history()
                    .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&url)));
            }
            // Anything unexpected (an error page, a network failure): load the page normally.
            _ => {
                let _ = window().location().set_href(&url);
            }
        }
    }

    /// Puts the new page's results into this one. False when the new page has no results region.
    fn swap(new: &Document) -> bool {
        let here = document();
        let (Some(region), Some(new_region)) = (
            here.get_element_by_id("results-region"),
            new.get_element_by_id("results-region"),
        ) else {
            return false;
        };
        // The count: same element (the live region), new text, so it is announced.
        if let (Some(count), Some(new_count)) = (
            here.get_element_by_id("result-count"),
            new.get_element_by_id("result-count"),
        ) {
            count.set_text_content(new_count.text_content().as_deref());
        }
        // Everything else in the region is replaced.
        let children = region.children();
        for i in (0..children.length()).rev() {
            if let Some(child) = children.item(i) {
                if child.id() != "result-count" {
                    child.remove();
                }
            }
        }
        let new_children = new_region.children();
        for i in 0..new_children.length() {
            if let Some(child) = new_children.item(i) {
                if child.id() != "result-count" {
                    if let Ok(node) = here.import_node_with_deep(&child, true) {
                        let _ = region.append_child(&node);
                    }
                }
            }
        }
        // The shortlist buttons' forms, which follow the search form, and the chosen filters'
        // tags above the results.
        for id in ["shortlist-forms", "chosen-filters"] {
            if let (Some(old), Some(fresh)) =
                (here.get_element_by_id(id), new.get_element_by_id(id))
            {
                old.set_inner_html(&fresh.inner_html());
            }
        }
        // The counts in the filter panel's labels (the inputs keep their focus and state).
        if let Ok(labels) = new.query_selector_all(".signpost-filters label[for]") {
            for i in 0..labels.length() {
                let Some(label) = labels.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let Some(target) = label.get_attribute("for") else {
                    continue;
                };
                if let Ok(Some(existing)) =
                    here.query_selector(&format!(".signpost-filters label[for=\"{target}\"]"))
                {
                    existing.set_inner_html(&label.inner_html());
                }
            }
        }
        true
    }

    /// Fills the search box's suggestions with the names of services matching what is typed.
    async fn suggest(typed: String) {
        let Ok(params) = UrlSearchParams::new() else {
            return;
        };
        params.append("q", &typed);
        let query: String = params.to_string().into();
        let Some(json) = fetch_text(&format!("/search/suggest?{query}")).await else {
            return;
        };
        let Ok(value) = js_sys::JSON::parse(&json) else {
            return;
        };
        let Some(list) = document().get_element_by_id("q-suggestions") else {
            return;
        };
        list.set_inner_html("");
        for name in js_sys::Array::from(&value).iter() {
            if let (Some(name), Ok(option)) =
                (name.as_string(), document().create_element("option"))
            {
                let _ = option.set_attribute("value", &name);
                let _ = list.append_child(&option);
            }
        }
    }
}
