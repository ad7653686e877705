//! A status shown by colour, icon and word together.

use crate::domain::Level;
use leptos::prelude::*;

#[component]
pub fn StatusBadge(
    level: Level,
    #[prop(optional)] large: bool,
    /// A word that fits the thing better than the health words ("1 failed run").
    #[prop(optional)]
    word: Option<&'static str>,
) -> impl IntoView {
    let class = format!(
        "badge {}{}",
        level.css(),
        if large { " badge-large" } else { "" }
    );
    view! {
        <span class=class data-level=level.as_str()>
            <span class="badge-icon" aria-hidden="true">{level.icon()}</span>
            <span class="badge-word">{word.unwrap_or(level.word())}</span>
        </span>
    }
}
