//! One log line as a person reads it: its time and the message as text (never HTML). A long
//! line, a multi-line one or a JSON one opens with "show all": the whole message, and a JSON
//! line's fields as a list.

use crate::domain::logs::LogLine;
use leptos::prelude::*;

#[component]
pub fn LogLineView(line: LogLine) -> impl IntoView {
    let (preview, more) = line.preview();
    let time = line.at.format("%H:%M:%S").to_string();
    let expandable = more || !line.fields.is_empty();
    let body = if expandable {
        let fields = (!line.fields.is_empty()).then(|| {
            let rows = line
                .fields
                .iter()
                .map(|(k, v)| view! { <div><dt>{k.clone()}</dt><dd>{v.clone()}</dd></div> })
                .collect_view();
            view! { <dl class="log-fields">{rows}</dl> }
        });
        let cut = line.cut.map(|n| {
            view! { <p class="muted">{format!("opsdeck keeps the first {} of {n} characters.", line.text.chars().count())}</p> }
        });
        view! {
            <details class="log-more">
                <summary>
                    <code class="log-text">{preview}</code>
                    <span class="show-all">{if more { "show all" } else { "fields" }}</span>
                </summary>
                {fields}
                <pre class="log-full">{line.text.clone()}</pre>
                {cut}
            </details>
        }
        .into_any()
    } else {
        view! { <code class="log-text">{preview}</code> }.into_any()
    };
    view! {
        <li class="log-line" data-line=line.id.clone()>
            <time class="log-time mono" datetime=line.at.to_rfc3339() title=line.stream.clone()>{time}</time>
            {body}
        </li>
    }
}

/// Matches per five minutes as bars: the hour at a glance.
#[component]
pub fn CountBars(counts: Vec<u32>, css: &'static str) -> impl IntoView {
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = counts.len().max(1) as f64;
    let w = 120.0 / n;
    let bars = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let h = (f64::from(*c) / top * 28.0).max(if *c > 0 { 2.0 } else { 0.5 });
            view! {
                <rect x=format!("{:.1}", i as f64 * w + 0.5) y=format!("{:.1}", 30.0 - h)
                    width=format!("{:.1}", (w - 1.0).max(1.0)) height=format!("{h:.1}") />
            }
        })
        .collect_view();
    let words = format!(
        "matches per five minutes over the last hour: {}",
        counts
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let label = words.clone();
    view! {
        <svg class=format!("count-bars {css}") viewBox="0 0 120 30" role="img" aria-label=label>
            <title>{words}</title>
            {bars}
        </svg>
    }
}
