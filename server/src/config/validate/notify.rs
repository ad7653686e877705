//! The `[notify]` section: the change-control webhook and its message templates.

use super::super::raw::RawNotify;
use super::super::settings::{NotifySettings, Templates};
use super::Validator;
use secrecy::ExposeSecret;
use url::Url;

impl Validator {
    pub(super) fn notify(
        &mut self,
        n: RawNotify,
        public_url: Option<&Url>,
    ) -> Option<NotifySettings> {
        let Some(url) = n.webhook_url else {
            self.issue(
                "notify.webhook_url",
                "is required: set OPSDECK__NOTIFY__WEBHOOK_URL (it is a secret, so not in the file)",
            );
            return None;
        };
        match Url::parse(url.expose_secret()) {
            Ok(u) if u.scheme() == "https" || (u.scheme() == "http" && is_loopback(&u)) => {}
            _ => {
                self.issue(
                    "notify.webhook_url",
                    "must be an https URL (http only on loopback); value not shown",
                );
                return None;
            }
        }
        let d = Templates::default();
        let t = |v: &mut Self, key: &str, raw: Option<String>, default: String| match raw {
            Some(s) if s.trim().is_empty() => {
                v.issue(
                    format!("notify.{key}"),
                    "an empty template would send empty messages",
                );
                default
            }
            Some(s) => s,
            None => default,
        };
        let templates = Templates {
            requested: t(self, "requested", n.requested, d.requested),
            decided: t(self, "decided", n.decided, d.decided),
            outcome: t(self, "outcome", n.outcome, d.outcome),
        };
        Some(NotifySettings {
            webhook_url: url,
            templates,
            public_url: public_url.cloned(),
        })
    }
}

fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}
