//! The browser entry point: hydrates the server-rendered page. Nothing else lives here.
// The whole app's view type is monomorphised here; its depth exceeds the default limit.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
