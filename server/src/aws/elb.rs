//! The load balancer panel from `DescribeLoadBalancers`, `DescribeTargetGroups` and
//! `DescribeTargetHealth` — the runbook's "production down" check.

use super::error::port_error;
use super::AwsEnvironment;
use app::domain::cloud::{console, LoadBalancerPanel, TargetGroupHealth};
use app::ports::PortError;
use aws_sdk_elasticloadbalancingv2::types::LoadBalancer;

pub(super) async fn find(r: &AwsEnvironment, name: &str) -> Result<LoadBalancer, PortError> {
    let out = r
        .elb
        .describe_load_balancers()
        .names(name)
        .send()
        .await
        .map_err(|e| {
            if e.as_service_error()
                .is_some_and(|s| s.is_load_balancer_not_found_exception())
            {
                PortError::NotFound(format!("load balancer {name} not found in {}", r.region))
            } else {
                port_error("elasticloadbalancing:DescribeLoadBalancers", e)
            }
        })?;
    out.load_balancers().first().cloned().ok_or_else(|| {
        PortError::NotFound(format!("load balancer {name} not found in {}", r.region))
    })
}

pub(super) async fn read(r: &AwsEnvironment) -> Result<LoadBalancerPanel, PortError> {
    let Some(name) = r.cfg.load_balancer.as_deref() else {
        return Err(PortError::Other("no load balancer configured".into()));
    };
    let lb = find(r, name).await?;
    let arn = lb.load_balancer_arn().unwrap_or_default();
    // AWS (and moto) answer TargetGroupNotFound for a balancer without target groups: that is an
    // empty list — a balancer that sends traffic nowhere — not a failure to read the panel.
    let groups = match r
        .elb
        .describe_target_groups()
        .load_balancer_arn(arn)
        .send()
        .await
    {
        Ok(out) => out.target_groups().to_vec(),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_target_group_not_found_exception()) =>
        {
            vec![]
        }
        Err(e) => return Err(port_error("elasticloadbalancing:DescribeTargetGroups", e)),
    };
    let mut target_groups = Vec::new();
    for g in &groups {
        let group_name = g.target_group_name().unwrap_or_default().to_owned();
        let health = r
            .elb
            .describe_target_health()
            .target_group_arn(g.target_group_arn().unwrap_or_default())
            .send()
            .await
            .map_err(|e| port_error("elasticloadbalancing:DescribeTargetHealth", e))?;
        let mut tg = TargetGroupHealth {
            console_url: console::target_group(&r.region, &group_name),
            name: group_name,
            ..Default::default()
        };
        for d in health.target_health_descriptions() {
            let th = d.target_health();
            match th.and_then(|t| t.state()).map(|s| s.as_str()) {
                Some("healthy") => tg.healthy += 1,
                Some("unhealthy") => tg.unhealthy += 1,
                _ => tg.other += 1,
            }
            if let Some(reason) = th.and_then(|t| t.reason()) {
                let reason = reason.as_str().to_owned();
                if !tg.reasons.contains(&reason) {
                    tg.reasons.push(reason);
                }
            }
        }
        target_groups.push(tg);
    }
    let state = lb.state();
    Ok(LoadBalancerPanel {
        name: name.to_owned(),
        state: state
            .and_then(|s| s.code())
            .map_or("unknown", |c| c.as_str())
            .to_owned(),
        state_reason: state.and_then(|s| s.reason()).map(str::to_owned),
        dns_name: lb.dns_name().unwrap_or_default().to_owned(),
        scheme: lb.scheme().map(|s| s.as_str().to_owned()),
        target_groups,
        console_url: console::load_balancer(&r.region, name),
    })
}
