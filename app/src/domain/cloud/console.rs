//! Links to each resource's page in the AWS console, so one click leads from a panel to the
//! place the runbook's `aws` commands look at.

fn enc(s: &str) -> String {
    // Resource names are [A-Za-z0-9-_.]: anything else is percent-encoded so a link stays a link.
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn base(region: &str) -> String {
    format!("https://{r}.console.aws.amazon.com", r = enc(region))
}

pub fn ecs_service(region: &str, cluster: &str, service: &str) -> String {
    format!(
        "{}/ecs/v2/clusters/{}/services/{}/health?region={}",
        base(region),
        enc(cluster),
        enc(service),
        enc(region)
    )
}

pub fn ecs_task(region: &str, cluster: &str, task_id: &str) -> String {
    format!(
        "{}/ecs/v2/clusters/{}/tasks/{}/configuration?region={}",
        base(region),
        enc(cluster),
        enc(task_id),
        enc(region)
    )
}

pub fn task_definition(region: &str, family: &str, revision: i32) -> String {
    format!(
        "{}/ecs/v2/task-definitions/{}/{revision}/containers?region={}",
        base(region),
        enc(family),
        enc(region)
    )
}

pub fn rds_instance(region: &str, instance: &str) -> String {
    format!(
        "{}/rds/home?region={r}#database:id={};is-cluster=false",
        base(region),
        enc(instance),
        r = enc(region)
    )
}

pub fn rds_snapshots(region: &str, instance: &str) -> String {
    format!(
        "{}/rds/home?region={r}#snapshots-list:search={}",
        base(region),
        enc(instance),
        r = enc(region)
    )
}

pub fn load_balancer(region: &str, name: &str) -> String {
    format!(
        "{}/ec2/home?region={r}#LoadBalancers:search={}",
        base(region),
        enc(name),
        r = enc(region)
    )
}

pub fn target_group(region: &str, name: &str) -> String {
    format!(
        "{}/ec2/home?region={r}#TargetGroups:search={}",
        base(region),
        enc(name),
        r = enc(region)
    )
}

pub fn metrics(region: &str, namespace: &str) -> String {
    format!(
        "{}/cloudwatch/home?region={r}#metricsV2?graph=~()&namespace=~'{}",
        base(region),
        enc(namespace),
        r = enc(region)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_name_region_and_resource_and_cannot_be_bent() {
        let u = super::ecs_service("us-east-1", "conflicto-prod-cluster", "conflicto-prod-svc");
        assert_eq!(
            u,
            "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/conflicto-prod-cluster/services/conflicto-prod-svc/health?region=us-east-1"
        );
        let odd = super::rds_instance("us-east-1", "x\"><script>");
        assert!(!odd.contains('"') && !odd.contains('<'), "{odd}");
    }
}
