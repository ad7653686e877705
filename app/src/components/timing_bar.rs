//! The curl `-w` phase timings of one probe as a stacked bar with a legend.

use crate::domain::{format, PhaseTimings};
use leptos::prelude::*;

#[component]
pub fn TimingBar(timings: PhaseTimings, #[prop(optional)] legend: bool) -> impl IntoView {
    let phases = timings.phases();
    let total: f64 = phases.iter().map(|p| p.1).sum();
    let segments = phases
        .iter()
        .map(|(label, ms)| {
            let pct = if total > 0.0 { ms / total * 100.0 } else { 0.0 };
            let style = format!("width:{pct:.2}%");
            let class = format!("seg seg-{}", label.to_ascii_lowercase());
            let title = format!("{label}: {}", format::millis(*ms));
            view! { <span class=class style=style title=title></span> }
        })
        .collect_view();
    let legend_view = legend.then(|| {
        phases
            .iter()
            .map(|(label, ms)| {
                let class = format!("key seg-{}", label.to_ascii_lowercase());
                view! {
                    <li>
                        <span class=class aria-hidden="true"></span>
                        {*label}
                        " "
                        <b>{format::millis(*ms)}</b>
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <div class="timing" role="img" aria-label=format!("total {}", format::millis(total))>
            <div class="timing-bar">{segments}</div>
            {legend_view.map(|l| view! { <ul class="timing-legend">{l}</ul> })}
        </div>
    }
}
