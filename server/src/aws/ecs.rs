//! The ECS service panel from `DescribeServices`, `ListTasks`, `DescribeTasks` and
//! `DescribeTaskDefinition` (the last only when the primary deployment's revision changes).

use super::error::port_error;
use super::{chrono_time, AwsEnvironment};
use app::domain::cloud::console;
use app::domain::cloud::ecs::{family_revision, task_id, TaskDefinition};
use app::domain::cloud::{EcsDeployment, EcsEvent, EcsPanel, EcsTask};
use app::ports::PortError;

/// The runbook looks at the most recent events only.
const EVENTS: usize = 10;

pub(super) async fn read(r: &AwsEnvironment) -> Result<EcsPanel, PortError> {
    let (Some(cluster), Some(service)) = (r.cfg.cluster.as_deref(), r.cfg.service.as_deref())
    else {
        return Err(PortError::Other(
            "no ECS cluster and service configured".into(),
        ));
    };
    let region = r.region.as_str();
    let out = r
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .map_err(|e| {
            if e.as_service_error()
                .is_some_and(|s| s.is_cluster_not_found_exception())
            {
                PortError::NotFound(format!("cluster {cluster} not found in {region}"))
            } else {
                port_error("ecs:DescribeServices", e)
            }
        })?;
    let Some(svc) = out.services().first() else {
        let reason = out
            .failures()
            .first()
            .and_then(|f| f.reason())
            .unwrap_or("MISSING");
        return Err(PortError::NotFound(format!(
            "service {service} not found in cluster {cluster} ({region}): {reason}"
        )));
    };
    let deployments: Vec<EcsDeployment> = svc
        .deployments()
        .iter()
        .map(|d| EcsDeployment {
            id: d.id().unwrap_or_default().to_owned(),
            status: d.status().unwrap_or_default().to_owned(),
            rollout_state: d.rollout_state().map(|s| s.as_str().to_owned()),
            rollout_reason: d.rollout_state_reason().map(str::to_owned),
            task_definition: family_revision(d.task_definition().unwrap_or_default()).to_owned(),
            desired: d.desired_count(),
            running: d.running_count(),
            pending: d.pending_count(),
            failed: d.failed_tasks(),
            created_at: d.created_at().and_then(chrono_time),
            updated_at: d.updated_at().and_then(chrono_time),
        })
        .collect();
    let events = svc
        .events()
        .iter()
        .take(EVENTS)
        .map(|e| EcsEvent {
            at: e.created_at().and_then(chrono_time),
            message: e.message().unwrap_or_default().to_owned(),
        })
        .collect();
    let primary_td = svc
        .deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.task_definition())
        .or(svc.task_definition())
        .map(str::to_owned);
    let tasks = tasks(r, cluster, service).await?;
    let task_definition = match primary_td {
        Some(arn) => Some(task_definition(r, &arn).await?),
        None => None,
    };
    Ok(EcsPanel {
        cluster: cluster.to_owned(),
        service: service.to_owned(),
        status: svc.status().unwrap_or("UNKNOWN").to_owned(),
        running: svc.running_count(),
        desired: svc.desired_count(),
        pending: svc.pending_count(),
        deployments,
        events,
        tasks,
        task_definition,
        console_url: console::ecs_service(region, cluster, service),
    })
}

async fn tasks(
    r: &AwsEnvironment,
    cluster: &str,
    service: &str,
) -> Result<Vec<EcsTask>, PortError> {
    let listed = r
        .ecs
        .list_tasks()
        .cluster(cluster)
        .service_name(service)
        .send()
        .await
        .map_err(|e| port_error("ecs:ListTasks", e))?;
    let arns = listed.task_arns().to_vec();
    if arns.is_empty() {
        return Ok(vec![]);
    }
    let described = r
        .ecs
        .describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(arns))
        .send()
        .await
        .map_err(|e| port_error("ecs:DescribeTasks", e))?;
    let mut tasks: Vec<EcsTask> = described
        .tasks()
        .iter()
        .map(|t| {
            let id = task_id(t.task_arn().unwrap_or_default()).to_owned();
            EcsTask {
                console_url: console::ecs_task(&r.region, cluster, &id),
                id,
                last_status: t.last_status().unwrap_or("UNKNOWN").to_owned(),
                desired_status: t.desired_status().unwrap_or("UNKNOWN").to_owned(),
                health: t.health_status().map(|h| h.as_str().to_owned()),
                started_at: t.started_at().and_then(chrono_time),
                task_definition: family_revision(t.task_definition_arn().unwrap_or_default())
                    .to_owned(),
            }
        })
        .collect();
    tasks.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.id.cmp(&b.id)));
    Ok(tasks)
}

/// A task definition revision never changes, so each is asked for once.
async fn task_definition(r: &AwsEnvironment, arn: &str) -> Result<TaskDefinition, PortError> {
    if let Some(td) = r.task_definitions.lock().await.get(arn) {
        return Ok(td.clone());
    }
    let out = r
        .ecs
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
        .map_err(|e| port_error("ecs:DescribeTaskDefinition", e))?;
    let td = out.task_definition().ok_or_else(|| {
        PortError::Other(format!(
            "ecs:DescribeTaskDefinition: no task definition in the answer for {arn}"
        ))
    })?;
    let containers = td.container_definitions();
    // The configured container, or the only one.
    let container = match r.cfg.container.as_deref() {
        Some(name) => containers.iter().find(|c| c.name() == Some(name)),
        None if containers.len() == 1 => containers.first(),
        None => None,
    };
    let family = td.family().unwrap_or_default().to_owned();
    let found = TaskDefinition {
        console_url: console::task_definition(&r.region, &family, td.revision()),
        family,
        revision: td.revision(),
        image: container.and_then(|c| c.image()).map(str::to_owned),
    };
    let mut cache = r.task_definitions.lock().await;
    if cache.len() > 50 {
        cache.clear();
    }
    cache.insert(arn.to_owned(), found.clone());
    Ok(found)
}
