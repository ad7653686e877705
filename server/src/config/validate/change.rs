//! The `[change]` section: change-control limits and each action's approval policy.

use super::super::raw::RawChange;
use super::Validator;
use std::time::Duration;

impl Validator {
    pub(super) fn change(&mut self, c: RawChange) -> app::domain::actions::ChangeSettings {
        use app::domain::actions::{ActionKind, ChangeSettings};
        let mut out = ChangeSettings::default();
        if let Some(n) = c.max_tasks {
            if n == 0 || n > 1000 {
                self.issue(
                    "change.max_tasks",
                    format!("{n} is out of range: 1 to 1000"),
                );
            } else {
                out.max_tasks = n;
            }
        }
        for (name, p) in c.policy {
            let path = format!("change.policy.{name}");
            let Some(kind) = ActionKind::parse(&name) else {
                let known: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
                self.issue(
                    path,
                    format!("unknown action; use one of {}", known.join(", ")),
                );
                continue;
            };
            let mut policy = out.policy(kind);
            if let Some(a) = p.approvals {
                if a == 0 || a > 10 {
                    self.issue(
                        format!("{path}.approvals"),
                        format!("{a} is out of range: 1 to 10"),
                    );
                } else {
                    policy.approvals = a;
                }
            }
            if let Some(r) = p.requester_may_approve {
                policy.requester_may_approve = r;
            }
            let expiry = self.duration(
                &format!("{path}.expires_after"),
                p.expires_after.as_deref(),
                Duration::from_secs(u64::try_from(policy.expires_after_s).unwrap_or(1800)),
                Duration::from_secs(60),
            );
            policy.expires_after_s = i64::try_from(expiry.as_secs()).unwrap_or(1800);
            if let Some(slot) = out.policies.iter_mut().find(|(k, _)| *k == kind) {
                slot.1 = policy;
            }
        }
        out
    }
}
