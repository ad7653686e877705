//! The host's TLS certificate as the probe's handshake saw it: on the environment page in full,
//! on the wall only when it is close to expiry. Days are counted from the probe that read it, so
//! the server's page and the hydrated one agree.

use crate::domain::{EnvSnapshot, Level};
use leptos::prelude::*;

/// The certificate's state in a badge: colour, icon and a word that fits a certificate.
fn badge(level: Level, expired: bool) -> impl IntoView {
    let word = match level {
        Level::Ok => "valid",
        Level::Warning => "renew soon",
        Level::Critical if expired => "expired",
        Level::Critical => "renew now",
        Level::Unknown => "not read",
    };
    view! {
        <span class=format!("badge {}", level.css()) data-level=level.as_str()>
            <span class="badge-icon" aria-hidden="true">{level.icon()}</span>
            <span class="badge-word">{word}</span>
        </span>
    }
}

/// When the certificate was read, which is "now" for its days left.
fn read_at(e: &EnvSnapshot) -> Option<chrono::DateTime<chrono::Utc>> {
    e.probes
        .iter()
        .find(|p| p.certificate.is_some())
        .map(|p| p.at)
}

#[component]
pub fn CertificatePanel(env: EnvSnapshot) -> impl IntoView {
    let body = match (env.is_https(), env.certificate(), read_at(&env)) {
        (false, _, _) => view! {
            <p class="muted">"Served over plain http: there is no certificate to check."</p>
        }
        .into_any(),
        (true, Some(c), Some(at)) => {
            let level = env.certificate_limits.evaluate(c, at);
            let limits = env.certificate_limits;
            let names = if c.names.is_empty() {
                "(no subjectAltName)".to_owned()
            } else {
                c.names.join(", ")
            };
            // The table has its tbody: a browser adds one while parsing, and hydration must find it.
            view! {
                <p class="cert-verdict">
                    {badge(level, c.expired(at))}
                    " " {c.expiry_words(at)}
                    <span class="muted">{format!(
                        " · warning at {} days, critical at {}",
                        limits.warning_days, limits.critical_days
                    )}</span>
                </p>
                <table class="kv"><tbody>
                    <tr><th>"Names"</th><td class="mono wrap">{names}</td></tr>
                    <tr><th>"Subject"</th><td class="mono wrap">{c.subject.clone()}</td></tr>
                    <tr><th>"Issuer"</th><td class="mono wrap">{c.issuer.clone()}</td></tr>
                    <tr><th>"Valid"</th><td>{format!(
                        "{} to {}",
                        c.not_before.format("%Y-%m-%d %H:%M UTC"),
                        c.not_after.format("%Y-%m-%d %H:%M UTC")
                    )}</td></tr>
                </tbody></table>
            }
            .into_any()
        }
        (true, _, _) => {
            let why = env
                .probes
                .iter()
                .find_map(|p| p.failure.as_ref())
                .map(|f| f.message.clone())
                .unwrap_or_else(|| "no probe has completed a handshake yet".into());
            view! {
                <p class="cert-verdict">
                    {badge(Level::Unknown, false)}
                    " No certificate read: " {why}
                </p>
            }
            .into_any()
        }
    };
    view! {
        <section class="panel" id="certificate">
            <h2>"TLS certificate"</h2>
            {body}
        </section>
    }
}

/// A chip for the wall, shown only when the certificate needs attention.
#[component]
pub fn CertificateChip(env: EnvSnapshot) -> impl IntoView {
    let (Some(c), Some(at)) = (env.certificate(), read_at(&env)) else {
        return ().into_any();
    };
    let level = env.certificate_limits.evaluate(c, at);
    if level == Level::Ok {
        return ().into_any();
    }
    let class = format!("cert-chip {}", level.css());
    view! {
        <span class=class data-level=level.as_str()>
            <span aria-hidden="true">{level.icon()}</span>
            {format!(" TLS certificate {}", c.expiry_words(at))}
        </span>
    }
    .into_any()
}
