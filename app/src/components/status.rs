//! A status shown by colour, icon and word together.

use crate::domain::Level;
use leptos::prelude::*;

#[component]
pub fn StatusBadge(level: Level, #[prop(optional)] large: bool) -> impl IntoView {
    let class = format!(
        "badge {}{}",
        level.css(),
        if large { " badge-large" } else { "" }
    );
    view! {
        <span class=class data-level=level.as_str()>
            <span class="badge-icon" aria-hidden="true">{level.icon()}</span>
            <span class="badge-word">{level.word()}</span>
        </span>
    }
}
