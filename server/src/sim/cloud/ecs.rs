//! The simulated ECS service: its tasks, deployment and events follow the injected fault — "down"
//! stops the tasks, a 5xx or a slow application fails the target group's health checks.

use super::{SimCloud, REGION};
use app::domain::cloud::ecs::TaskDefinition;
use app::domain::cloud::{console, EcsDeployment, EcsEvent, EcsPanel, EcsTask};
use app::domain::Fault;
use app::ports::PortError;
use chrono::{Duration, Utc};

pub(super) fn read(c: &SimCloud) -> Result<EcsPanel, PortError> {
    let fault = c.observe();
    let now = Utc::now();
    let service = c.name("-svc");
    let cluster = c.name("-cluster");
    let desired = c.desired();
    let running = if fault == Fault::Down { 0 } else { desired };
    let td = task_definition(c);
    let td_name = format!("{}:{}", td.family, td.revision);
    {
        let mut ev = c.events.lock().unwrap_or_else(|p| p.into_inner());
        let (events, last) = &mut *ev;
        if *last != fault {
            let message = match fault {
                Fault::Down => format!("(service {service}) has stopped {desired} running tasks: (task 3f2c9a1b) (task 8d41e0c7). Reason: Essential container in task exited"),
                Fault::Error5xx => format!("(service {service}) (port 8000) is unhealthy in (target-group conflicto-{}-tg) due to (reason Health checks failed with these codes: [503]).", c.env),
                Fault::Slow => format!("(service {service}) (port 8000) is unhealthy in (target-group conflicto-{}-tg) due to (reason Request timed out).", c.env),
                Fault::Garbage | Fault::None => format!("(service {service}) has reached a steady state."),
            };
            events.push_front(EcsEvent {
                at: Some(now),
                message,
            });
            events.truncate(10);
            *last = fault;
        }
    }
    let events = c
        .events
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .0
        .iter()
        .cloned()
        .collect();
    let health = match fault {
        Fault::Error5xx | Fault::Slow => "UNHEALTHY",
        Fault::Down => "UNKNOWN",
        _ => "HEALTHY",
    };
    let tasks = (0..desired)
        .map(|i| {
            let id = format!(
                "{:032x}",
                (u128::from(i as u32) + 7).wrapping_mul(0x1f3a_9c4b_77e1_0d29_5a6b_c3d4_e5f6_0718)
            );
            EcsTask {
                console_url: console::ecs_task(REGION, &cluster, &id),
                id,
                last_status: if fault == Fault::Down {
                    "PROVISIONING".into()
                } else {
                    "RUNNING".into()
                },
                desired_status: "RUNNING".into(),
                health: Some(health.into()),
                started_at: (fault != Fault::Down)
                    .then(|| c.started - Duration::hours(26) + Duration::minutes(i64::from(i))),
                task_definition: td_name.clone(),
            }
        })
        .collect();
    Ok(EcsPanel {
        console_url: console::ecs_service(REGION, &cluster, &service),
        cluster,
        service,
        status: "ACTIVE".into(),
        running,
        desired,
        pending: desired - running,
        deployments: vec![EcsDeployment {
            id: "ecs-svc/8841".into(),
            status: "PRIMARY".into(),
            rollout_state: Some("COMPLETED".into()),
            rollout_reason: Some("ECS deployment ecs-svc/8841 completed.".into()),
            task_definition: td_name,
            desired,
            running,
            pending: desired - running,
            failed: 0,
            created_at: Some(c.started - Duration::hours(26)),
            updated_at: Some(c.started - Duration::hours(26) + Duration::minutes(4)),
        }],
        events,
        tasks,
        task_definition: Some(td),
    })
}

fn task_definition(c: &SimCloud) -> TaskDefinition {
    let family = c.name("");
    let revision = if c.prod { 42 } else { 57 };
    TaskDefinition {
        console_url: console::task_definition(REGION, &family, revision),
        family,
        revision,
        image: Some(format!(
            "123456789012.dkr.ecr.{REGION}.amazonaws.com/conflicto-backend:v{}",
            c.app.version()
        )),
    }
}
