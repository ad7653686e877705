//! Post-deploy watches on screen: a line per running watch (and one that ended in the last half
//! hour) on the dashboard, the environment page and the wall — the verdict by colour, icon and
//! word, the countdown, the figures against the baseline, and "Roll back to …" when it is worse.

use super::live::use_live_feed;
use crate::domain::format;
use crate::domain::routines::watch::{DeployWatch, Verdict};
use leptos::prelude::*;

fn figure(
    label: &'static str,
    now: Option<(f64, crate::domain::Level)>,
    before: Option<f64>,
    unit: fn(f64) -> String,
) -> Option<impl IntoView> {
    let (v, level) = now?;
    let was = before
        .map(|b| format!(" (before {})", unit(b)))
        .unwrap_or_default();
    Some(view! {
        <span class=format!("watch-figure {}", level.css())>
            {label} " " <b>{unit(v)}</b> <span aria-hidden="true">{format!(" {}", level.icon())}</span> {was}
        </span>
    })
}

fn watch_line(w: DeployWatch, can_act: bool) -> impl IntoView {
    let feed = use_live_feed();
    let verdict = if w.ended { w.worst } else { w.current };
    let level = verdict.level();
    let word = match (w.ended, verdict) {
        (false, Verdict::Fine) => "fine so far".to_owned(),
        (false, v) => v.as_str().to_owned(),
        (true, v) => format!("ended: {}", v.as_str()),
    };
    // Only the countdown follows the clock: the rollback link must not be rebuilt under a finger.
    let (ends_at, ended) = (w.ends_at, w.ended);
    let time = move || {
        let now = feed.now.get();
        if ended {
            format!("ended {} ago", format::age(ends_at, now))
        } else {
            format!("{} left", format::elapsed((ends_at - now).num_seconds()))
        }
    };
    let earlier = (!w.ended && w.worst > w.current).then(|| {
        format!(
            "was {} earlier: {}",
            w.worst.as_str(),
            w.worst_reasons.join("; ")
        )
    });
    let rollback = (can_act && w.worst != Verdict::Fine)
        .then(|| w.rollback_href().zip(w.rollback_to.clone()))
        .flatten()
        .map(|(href, (_, words))| view! {
            <a class="btn btn-reject" href=href data-watch-rollback=w.env.to_string()>{format!("⟲ Roll back to {words}")}</a>
        });
    view! {
        <div class=format!("watch {}", level.css()) data-watch=w.id.to_string() data-verdict=verdict.as_str()>
            <p class="watch-head">
                <span class="watch-verdict"><span aria-hidden="true">{level.icon()}</span> " " {word}</span>
                " · watching " <b>{w.env.to_string()}</b> " after " <span class="mono">{w.what.clone()}</span>
                " · " {time}
            </p>
            <p class="watch-figures">
                {figure("error rate", w.reading.error_rate, w.baseline.error_rate, |v| format!("{v:.2} %"))}
                {figure("response", w.reading.response_time, w.baseline.response_time, format::millis)}
                <span class=format!("watch-figure {}", w.reading.health.css())>"health " <b>{w.reading.health.word()}</b></span>
            </p>
            {(!w.reasons.is_empty()).then(|| view! { <p class="watch-why">{w.reasons.join("; ")}</p> })}
            {earlier.map(|e| view! { <p class="watch-why">{e}</p> })}
            {rollback}
        </div>
    }
}

/// The watches of `env` (or of every environment), running or ended in the last half hour.
#[component]
pub fn WatchStrip(#[prop(optional, into)] env: Option<String>) -> impl IntoView {
    let feed = use_live_feed();
    let can_act = move || {
        super::session::current_session()
            .is_some_and(|s| s.principal.has(crate::domain::Role::Operator))
    };
    move || {
        let now = feed.now.get_untracked();
        let live = feed.incidents.get()?;
        let shown: Vec<DeployWatch> = live
            .watches
            .into_iter()
            .filter(|w| env.as_deref().is_none_or(|e| w.env.as_str() == e))
            .filter(|w| !w.ended || now - w.ends_at < chrono::Duration::minutes(30))
            .collect();
        (!shown.is_empty()).then(|| {
            let act = can_act();
            view! {
                <section class="watches" data-panel="watches">
                    {shown.into_iter().map(|w| watch_line(w, act)).collect_view()}
                </section>
            }
        })
    }
}
