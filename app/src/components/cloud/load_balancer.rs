//! The load balancer: state, DNS name, target groups with healthy / unhealthy counts, and the
//! runbook's DNS check of the application's host beside it.

use super::SourceHead;
use crate::domain::cloud::{LoadBalancerPanel, Sourced};
use crate::domain::{format, DnsCheck, Level};
use leptos::prelude::*;

#[component]
pub fn LoadBalancerCard(
    source: Sourced<LoadBalancerPanel>,
    dns: Option<DnsCheck>,
) -> impl IntoView {
    let level = source
        .value
        .as_ref()
        .map_or(Level::Unknown, LoadBalancerPanel::level);
    let console = source.value.as_ref().map(|p| p.console_url.clone());
    let body = source.value.clone().map(|p| {
        let groups = p
            .target_groups
            .iter()
            .map(|g| {
                let cls = if g.healthy == 0 {
                    "lvl-critical-text"
                } else if g.unhealthy > 0 {
                    "lvl-warning-text"
                } else {
                    "lvl-ok-text"
                };
                view! {
                    <tr>
                        <td class="mono"><a href=g.console_url.clone() target="_blank" rel="noopener noreferrer">{g.name.clone()}</a></td>
                        <td class=cls>{format!("{} healthy", g.healthy)}</td>
                        <td>{format!("{} unhealthy", g.unhealthy)}{(g.other > 0).then(|| format!(", {} other", g.other))}</td>
                        <td>{g.reasons.join(", ")}</td>
                    </tr>
                }
            })
            .collect_view();
        let state_cls = match p.state.as_str() {
            "active" => "lvl-ok-text",
            "provisioning" | "active_impaired" => "lvl-warning-text",
            _ => "lvl-critical-text",
        };
        view! {
            <dl class="facts">
                <div><dt>"name"</dt><dd class="mono">{p.name.clone()}</dd></div>
                <div><dt>"state"</dt><dd class=state_cls>{p.state.clone()}{p.state_reason.clone().map(|r| format!(" ({r})"))}</dd></div>
                <div><dt>"scheme"</dt><dd>{p.scheme.clone().unwrap_or_else(|| "–".into())}</dd></div>
                <div class="wide"><dt>"DNS name"</dt><dd class="mono">{p.dns_name.clone()}</dd></div>
            </dl>
            {if p.target_groups.is_empty() {
                view! { <p class="lvl-critical-text" data-no-target-groups=""><span aria-hidden="true">"✖ "</span>"No target groups — nothing receives traffic."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="compact">
                            <thead><tr><th>"target group"</th><th>"healthy"</th><th>"not healthy"</th><th>"reasons"</th></tr></thead>
                            <tbody>{groups}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        }
    });
    let dns = dns.map(|d| {
        view! {
            <p class="dns-line">
                "DNS " <span class="mono">{d.host.clone()}</span> " → "
                {match d.error.clone() {
                    Some(err) => view! { <span class="lvl-critical-text">{err}</span> }.into_any(),
                    None => view! { <span class="mono">{d.addresses.join(", ")}</span> }.into_any(),
                }}
                " in " {format::millis(d.lookup_ms)}
            </p>
        }
    });
    view! {
        <section class=format!("panel cloud-panel {}", level.css()) data-panel="load-balancer">
            <SourceHead title="Load balancer" source=source.clone() level console_url=console />
            {match body {
                Some(b) => b.into_any(),
                None => view! { <p class="muted">"Waiting for the first answer from Elastic Load Balancing."</p> }.into_any(),
            }}
            {dns}
        </section>
    }
}
