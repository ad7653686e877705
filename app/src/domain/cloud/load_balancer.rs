//! The load balancer panel: the runbook's `aws elbv2 describe-load-balancers` and target health,
//! beside the DNS check, for the "production down" assessment.

use crate::domain::Level;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancerPanel {
    pub name: String,
    /// active, provisioning, active_impaired, failed.
    pub state: String,
    pub state_reason: Option<String>,
    pub dns_name: String,
    pub scheme: Option<String>,
    pub target_groups: Vec<TargetGroupHealth>,
    pub console_url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct TargetGroupHealth {
    pub name: String,
    pub healthy: u32,
    pub unhealthy: u32,
    /// initial, draining, unused, unavailable.
    pub other: u32,
    /// Reasons given for targets that are not healthy ("Target.FailedHealthChecks").
    pub reasons: Vec<String>,
    pub console_url: String,
}

impl TargetGroupHealth {
    pub fn total(&self) -> u32 {
        self.healthy + self.unhealthy + self.other
    }
}

impl LoadBalancerPanel {
    /// Down when the balancer is not active, has no target group at all, or a group has no
    /// healthy target (none registered counts: nothing can answer); degraded when some targets are
    /// unhealthy or the balancer is impaired.
    pub fn level(&self) -> Level {
        match self.state.as_str() {
            "active" => {}
            "provisioning" | "active_impaired" => return Level::Warning,
            _ => return Level::Critical,
        }
        let none_healthy =
            self.target_groups.is_empty() || self.target_groups.iter().any(|g| g.healthy == 0);
        let some_unhealthy = self.target_groups.iter().any(|g| g.unhealthy > 0);
        if none_healthy {
            Level::Critical
        } else if some_unhealthy {
            Level::Warning
        } else {
            Level::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_state_and_targets() {
        let group = |healthy, unhealthy| TargetGroupHealth {
            name: "tg".into(),
            healthy,
            unhealthy,
            ..Default::default()
        };
        let lb = |state: &str, groups| LoadBalancerPanel {
            name: "alb".into(),
            state: state.into(),
            state_reason: None,
            dns_name: "alb.example".into(),
            scheme: None,
            target_groups: groups,
            console_url: String::new(),
        };
        assert_eq!(lb("active", vec![group(2, 0)]).level(), Level::Ok);
        assert_eq!(lb("active", vec![group(1, 1)]).level(), Level::Warning);
        assert_eq!(lb("active", vec![group(0, 2)]).level(), Level::Critical);
        assert_eq!(lb("failed", vec![group(2, 0)]).level(), Level::Critical);
        assert_eq!(lb("provisioning", vec![]).level(), Level::Warning);
        // Scaled to zero: no targets at all, nothing answers.
        assert_eq!(lb("active", vec![group(0, 0)]).level(), Level::Critical);
        // No target group at all: nothing receives traffic.
        assert_eq!(lb("active", vec![]).level(), Level::Critical);
    }
}
