//! The age of a figure ("updated 8 s ago"), ticking in the browser, marked when overdue.

use super::live::use_live_feed;
use crate::domain::format;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// `stale_after_ms`: past this age the figure is shown as stale.
#[component]
pub fn Age(at: Option<DateTime<Utc>>, stale_after_ms: u64) -> impl IntoView {
    let feed = use_live_feed();
    move || {
        let now = feed.now.get();
        match at {
            None => view! { <span class="age age-stale">"no data yet"</span> }.into_any(),
            Some(at) => {
                let stale = (now - at).num_milliseconds() > stale_after_ms as i64;
                let class = if stale { "age age-stale" } else { "age" };
                let title = format::datetime(at);
                let text = if stale {
                    format!("stale: {} old", format::age(at, now))
                } else {
                    format!("{} ago", format::age(at, now))
                };
                view! { <time class=class datetime=at.to_rfc3339() title=title>{text}</time> }
                    .into_any()
            }
        }
    }
}
