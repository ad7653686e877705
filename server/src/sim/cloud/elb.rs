//! The simulated load balancer: its target group's healthy and unhealthy targets, with the
//! reasons AWS gives, follow the injected fault.

use super::{SimCloud, REGION};
use app::domain::cloud::{console, LoadBalancerPanel, TargetGroupHealth};
use app::domain::Fault;
use app::ports::PortError;

pub(super) fn read(c: &SimCloud) -> Result<LoadBalancerPanel, PortError> {
    let fault = c.observe();
    let name = c.name("-alb");
    let tg = format!("conflicto-{}-tg", c.env);
    let desired = c.desired() as u32;
    let (healthy, unhealthy, reasons) = match fault {
        Fault::Down => (0, desired, vec!["Target.FailedHealthChecks".to_owned()]),
        Fault::Error5xx => (0, desired, vec!["Target.ResponseCodeMismatch".to_owned()]),
        Fault::Slow => (
            desired.saturating_sub(1),
            1,
            vec!["Target.Timeout".to_owned()],
        ),
        _ => (desired, 0, vec![]),
    };
    Ok(LoadBalancerPanel {
        console_url: console::load_balancer(REGION, &name),
        dns_name: format!("{name}-1234567890.{REGION}.elb.amazonaws.com"),
        name,
        state: "active".into(),
        state_reason: None,
        scheme: Some("internet-facing".into()),
        target_groups: vec![TargetGroupHealth {
            console_url: console::target_group(REGION, &tg),
            name: tg,
            healthy,
            unhealthy,
            other: 0,
            reasons,
        }],
    })
}
