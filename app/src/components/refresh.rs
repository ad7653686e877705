//! A page that reads its data again while it is open: a counter that ticks every `every` in the
//! browser (its resources depend on it) and stops when the page is left.

use leptos::prelude::*;

pub fn use_refresh(every: std::time::Duration) -> RwSignal<u32> {
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        use leptos::leptos_dom::helpers::set_interval_with_handle;
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), every) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = every;
    tick
}
