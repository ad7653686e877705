//! The `[incident]`, `[[contacts]]` and `[[support]]` sections.

use super::super::raw::{RawContact, RawIncident, RawSupport};
use super::super::settings::TerraformSettings;
use super::Validator;
use app::domain::incident::{Contact, EscalationStep, IncidentSettings, SupportLink};
use std::time::Duration;

impl Validator {
    pub(super) fn incident(
        &mut self,
        raw: RawIncident,
        contacts: Vec<RawContact>,
        support: Vec<RawSupport>,
    ) -> (IncidentSettings, Option<TerraformSettings>) {
        let mut s = IncidentSettings::default();
        if let Some(n) = raw.propose_after_probes {
            if n == 0 {
                self.issue("incident.propose_after_probes", "must be at least 1");
            } else {
                s.propose_after_probes = n;
            }
        }
        s.auto_declare = raw.auto_declare.unwrap_or(false);
        if let Some(p) = raw.infrastructure_path {
            let p = p.trim().trim_matches('/').to_owned();
            s.infrastructure_path = (!p.is_empty()).then_some(p);
        }
        if !contacts.is_empty() {
            s.contacts = contacts
                .into_iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    if c.name.trim().is_empty() || c.role.trim().is_empty() {
                        self.issue(format!("contacts[{i}]"), "needs a name and a role");
                        return None;
                    }
                    Some(Contact {
                        name: c.name,
                        role: c.role,
                        phone: c.phone,
                        slack: c.slack,
                        email: c.email,
                    })
                })
                .collect();
        }
        if !support.is_empty() {
            s.support = support
                .into_iter()
                .enumerate()
                .filter_map(|(i, l)| match url::Url::parse(&l.url) {
                    Ok(u) if matches!(u.scheme(), "https" | "http") => Some(SupportLink {
                        name: l.name,
                        url: u.to_string(),
                    }),
                    _ => {
                        self.issue(
                            format!("support[{i}].url"),
                            format!("{:?} is not an http(s) address", l.url),
                        );
                        None
                    }
                })
                .collect();
        }
        if let Some(steps) = raw.escalation {
            let mut out = Vec::new();
            let mut last = Duration::ZERO;
            for (i, step) in steps.into_iter().enumerate() {
                let path = format!("incident.escalation[{i}]");
                let after = self.duration(
                    &format!("{path}.after"),
                    Some(&step.after),
                    Duration::ZERO,
                    Duration::ZERO,
                );
                if after < last {
                    self.issue(
                        format!("{path}.after"),
                        "steps must be in order: each falls due after the one before",
                    );
                }
                last = after;
                if step.what.trim().is_empty() {
                    self.issue(format!("{path}.do"), "say what to do at this step");
                }
                out.push(EscalationStep {
                    due_after_s: i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                    words: step.what,
                    contacts: step.contacts,
                    support: step.support,
                });
            }
            if out.is_empty() {
                self.issue(
                    "incident.escalation",
                    "give at least one step, or leave it out for the runbook's",
                );
            } else {
                s.escalation = out;
            }
        }
        let terraform = raw.terraform.and_then(|t| {
            let endpoint_url = match t.endpoint_url.as_deref().map(url::Url::parse) {
                None => None,
                Some(Ok(u)) => Some(u),
                Some(Err(e)) => {
                    self.issue(
                        "incident.terraform.endpoint_url",
                        format!("not a URL ({e})"),
                    );
                    return None;
                }
            };
            if !t.state.contains('/') {
                self.issue(
                    "incident.terraform.state",
                    format!(
                        "{:?} must be bucket/key, as the lock's LockID names it",
                        t.state
                    ),
                );
                return None;
            }
            Some(TerraformSettings {
                region: t.region,
                table: t.table,
                state: t.state,
                endpoint_url,
            })
        });
        (s, terraform)
    }
}
