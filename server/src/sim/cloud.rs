//! The demo's simulated AWS for one environment: an ECS service, CloudWatch metrics, nightly RDS
//! snapshots and a load balancer, all coherent with the simulated application's health — an
//! injected 5xx fault raises the error rate, "slow" raises response time and CPU, "down" stops
//! the tasks and empties the target group. It implements the same port as the real adapter.

use super::SimConflicto;
use app::domain::cloud::ecs::TaskDefinition;
use app::domain::cloud::metrics::derived_max_connections;
use app::domain::cloud::{
    console, BackupsPanel, DbSnapshot, EcsDeployment, EcsEvent, EcsPanel, EcsTask,
    LoadBalancerPanel, MetricKind, MetricPoint, TargetGroupHealth,
};
use app::domain::{EnvName, Fault};
use app::ports::{CloudReader, MetricReadings, PortError};
use chrono::{DateTime, Duration, DurationRound, Timelike, Utc};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

const REGION: &str = "us-east-1";

pub struct SimCloud {
    env: EnvName,
    app: Arc<SimConflicto>,
    prod: bool,
    started: DateTime<Utc>,
    /// The fault seen in each minute (unix minute → fault), so past metrics show past incidents.
    faults: Mutex<BTreeMap<i64, Fault>>,
    /// Service events, newest first, and the fault they were last written for.
    events: Mutex<(VecDeque<EcsEvent>, Fault)>,
    /// The desired count set by a scale or stop-writes action (`None`: the default).
    desired_set: Mutex<Option<i32>>,
}

impl SimCloud {
    pub fn new(env: EnvName, app: Arc<SimConflicto>, prod: bool) -> Self {
        let started = Utc::now();
        let service = format!("conflicto-{env}-svc");
        let events = VecDeque::from([
            EcsEvent {
                at: Some(started - Duration::minutes(3)),
                message: format!("(service {service}) has reached a steady state."),
            },
            EcsEvent {
                at: Some(started - Duration::hours(26)),
                message: format!(
                    "(service {service}) (deployment ecs-svc/8841) deployment completed."
                ),
            },
        ]);
        Self {
            env,
            app,
            prod,
            started,
            faults: Mutex::new(BTreeMap::new()),
            events: Mutex::new((events, Fault::None)),
            desired_set: Mutex::new(None),
        }
    }

    fn name(&self, suffix: &str) -> String {
        format!("conflicto-{}{suffix}", self.env)
    }

    /// Note the current fault for this minute and return it.
    fn observe(&self) -> Fault {
        let fault = self.app.fault();
        let minute = Utc::now().timestamp().div_euclid(60);
        let mut log = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        log.insert(minute, fault);
        // A day and a bit is all any chart shows.
        while log.len() > 1600 {
            log.pop_first();
        }
        fault
    }

    /// The worst fault seen during `[start, start + period)`.
    fn fault_during(&self, start: i64, period: i64) -> Fault {
        let log = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        log.range(
            start.div_euclid(60)
                ..(start + period)
                    .div_euclid(60)
                    .max(start.div_euclid(60) + 1),
        )
        .map(|(_, f)| *f)
        .max_by_key(|f| severity(*f))
        .unwrap_or(Fault::None)
    }

    pub fn desired(&self) -> i32 {
        let set = *self.desired_set.lock().unwrap_or_else(|p| p.into_inner());
        set.unwrap_or(if self.prod { 3 } else { 1 })
    }

    /// What `ecs update-service --desired-count` does to the simulation.
    pub fn set_desired(&self, n: i32) {
        *self.desired_set.lock().unwrap_or_else(|p| p.into_inner()) = Some(n);
        self.note(format!(
            "(service {}) desired count changed to {n}.",
            self.name("-svc")
        ));
    }

    /// Add a service event, newest first.
    pub fn note(&self, message: String) {
        let mut ev = self.events.lock().unwrap_or_else(|p| p.into_inner());
        ev.0.push_front(EcsEvent {
            at: Some(Utc::now()),
            message,
        });
        ev.0.truncate(10);
    }

    fn task_definition(&self) -> TaskDefinition {
        let family = self.name("");
        let revision = if self.prod { 42 } else { 57 };
        TaskDefinition {
            console_url: console::task_definition(REGION, &family, revision),
            family,
            revision,
            image: Some(format!(
                "123456789012.dkr.ecr.{REGION}.amazonaws.com/conflicto-backend:v{}",
                self.app.version()
            )),
        }
    }
}

fn severity(f: Fault) -> u8 {
    match f {
        Fault::None => 0,
        Fault::Garbage => 1,
        Fault::Slow => 2,
        Fault::Error5xx => 3,
        Fault::Down => 4,
    }
}

/// Smooth, repeatable variation: a slow daily wave plus a little per-point noise.
fn wave(t: i64, seed: u64) -> f64 {
    let day = (t as f64 / 86_400.0) * std::f64::consts::TAU;
    let mut x = (t as u64 / 60).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    let noise = (x % 1000) as f64 / 1000.0 - 0.5;
    day.sin() * 0.6 + noise * 0.4
}

#[async_trait::async_trait]
impl CloudReader for SimCloud {
    async fn ecs(&self) -> Result<EcsPanel, PortError> {
        let fault = self.observe();
        let now = Utc::now();
        let service = self.name("-svc");
        let cluster = self.name("-cluster");
        let desired = self.desired();
        let running = if fault == Fault::Down { 0 } else { desired };
        let td = self.task_definition();
        let td_name = format!("{}:{}", td.family, td.revision);
        {
            let mut ev = self.events.lock().unwrap_or_else(|p| p.into_inner());
            let (events, last) = &mut *ev;
            if *last != fault {
                let message = match fault {
                    Fault::Down => format!("(service {service}) has stopped {desired} running tasks: (task 3f2c9a1b) (task 8d41e0c7). Reason: Essential container in task exited"),
                    Fault::Error5xx => format!("(service {service}) (port 8000) is unhealthy in (target-group conflicto-{}-tg) due to (reason Health checks failed with these codes: [503]).", self.env),
                    Fault::Slow => format!("(service {service}) (port 8000) is unhealthy in (target-group conflicto-{}-tg) due to (reason Request timed out).", self.env),
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
        let events = self
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
                    (u128::from(i as u32) + 7)
                        .wrapping_mul(0x1f3a_9c4b_77e1_0d29_5a6b_c3d4_e5f6_0718)
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
                    started_at: (fault != Fault::Down).then(|| {
                        self.started - Duration::hours(26) + Duration::minutes(i64::from(i))
                    }),
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
                created_at: Some(self.started - Duration::hours(26)),
                updated_at: Some(self.started - Duration::hours(26) + Duration::minutes(4)),
            }],
            events,
            tasks,
            task_definition: Some(td),
        })
    }

    async fn metrics(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        period_s: u32,
    ) -> Result<MetricReadings, PortError> {
        self.observe();
        let p = i64::from(period_s.max(60));
        let slots: Vec<i64> = (start.timestamp().div_euclid(p) * p
            ..=end.timestamp().div_euclid(p) * p)
            .step_by(p as usize)
            .collect();
        let scale: f64 = if self.prod { 1.0 } else { 0.3 };
        let max_conns = derived_max_connections(self.instance_class()).unwrap_or(100);
        let allocated = self.allocated_gib();
        let mut series: BTreeMap<usize, (MetricKind, Vec<MetricPoint>)> = BTreeMap::new();
        for (i, kind) in MetricKind::ALL.into_iter().enumerate() {
            series.insert(i, (kind, Vec::new()));
        }
        for t in &slots {
            let Some(at) = DateTime::from_timestamp(*t, 0) else {
                continue;
            };
            // Before the demo started there was no incident.
            let fault = if at
                < self
                    .started
                    .duration_trunc(Duration::minutes(1))
                    .unwrap_or(self.started)
            {
                Fault::None
            } else {
                self.fault_during(*t, p)
            };
            let w = |seed| wave(*t, seed);
            let values: [Option<f64>; 7] = [
                // Response time, ms.
                match fault {
                    Fault::Down => None,
                    Fault::Slow => Some(3000.0 + 400.0 * w(1)),
                    Fault::Error5xx => Some(900.0 + 200.0 * w(1)),
                    _ => Some(180.0 * scale.max(0.6) + 60.0 * w(1)),
                },
                // Error rate, %.
                Some(match fault {
                    Fault::Down => 100.0,
                    Fault::Error5xx => 38.0 + 6.0 * w(2),
                    Fault::Slow => 2.2 + 0.8 * w(2),
                    Fault::Garbage => 0.6 + 0.2 * w(2),
                    Fault::None => (0.12 + 0.1 * w(2)).max(0.0),
                }),
                // ECS CPU and memory, %.
                match fault {
                    Fault::Down => None,
                    Fault::Slow => Some(86.0 + 5.0 * w(3)),
                    _ => Some(34.0 * scale.max(0.7) + 10.0 * w(3)),
                },
                (fault != Fault::Down).then(|| 56.0 + 6.0 * w(4)),
                // RDS CPU, %.
                Some(match fault {
                    Fault::Slow => 74.0 + 6.0 * w(5),
                    Fault::Down => 3.0 + w(5),
                    _ => 18.0 * scale.max(0.5) + 6.0 * w(5),
                }),
                // Storage used, %: creeping up slowly over the day.
                Some(41.0 + (*t % 86_400) as f64 / 86_400.0 * 0.4 + 0.05 * w(6)),
                // Connections as a share of max_connections, %.
                Some(match fault {
                    Fault::Slow => 76.0 + 4.0 * w(7),
                    Fault::Error5xx => 92.0 + 3.0 * w(7),
                    Fault::Down => 0.0,
                    _ => (120.0 * scale + 25.0 * w(7)) / f64::from(max_conns) * 100.0,
                }),
            ];
            for (i, v) in values.into_iter().enumerate() {
                if let Some((_, points)) = series.get_mut(&i) {
                    points.push(MetricPoint {
                        at,
                        value: v.map(|v| v.max(0.0)),
                    });
                }
            }
        }
        let free_gib = allocated * (1.0 - 0.414);
        Ok(MetricReadings {
            series: series.into_values().collect(),
            details: vec![
                (MetricKind::ResponseTime, "TargetResponseTime, p95".into()),
                (
                    MetricKind::RdsStorageUsed,
                    format!("{free_gib:.1} GiB free of {allocated:.0} GiB"),
                ),
                (
                    MetricKind::DbConnections,
                    format!(
                        "of max_connections ≈{max_conns}, derived from {}",
                        self.instance_class()
                    ),
                ),
            ],
            notes: vec![],
        })
    }

    async fn backups(&self, overdue_after_s: u64) -> Result<BackupsPanel, PortError> {
        let now = Utc::now();
        let instance = self.name("");
        // Nightly at 03:00 UTC, taking about ten minutes.
        let today = now.duration_trunc(Duration::days(1)).unwrap_or(now) + Duration::hours(3);
        let mut automated = Vec::new();
        for day in 0..8 {
            let at = today - Duration::days(day);
            if at > now {
                continue;
            }
            let creating = now - at < Duration::minutes(10);
            automated.push(DbSnapshot {
                id: format!("rds:{instance}-{}", at.format("%Y-%m-%d-%H-%M")),
                status: if creating { "creating" } else { "available" }.into(),
                created_at: Some(at),
                allocated_gib: Some(self.allocated_gib() as i32),
                progress_percent: Some(if creating {
                    ((now - at).num_seconds() * 100 / 600) as i32
                } else {
                    100
                }),
            });
        }
        automated.truncate(7);
        let manual = vec![DbSnapshot {
            id: format!("{instance}-before-migration-0042"),
            status: "available".into(),
            created_at: Some(self.started - Duration::days(5) - Duration::hours(7)),
            allocated_gib: Some(self.allocated_gib() as i32),
            progress_percent: Some(100),
        }];
        let restorable = now.with_second(0).unwrap_or(now) - Duration::minutes(4);
        Ok(BackupsPanel {
            console_url: console::rds_instance(REGION, &instance),
            snapshots_url: console::rds_snapshots(REGION, &instance),
            instance,
            instance_status: Some("available".into()),
            instance_class: Some(self.instance_class().into()),
            latest_restorable: Some(restorable),
            retention_days: Some(7),
            automated,
            manual,
            overdue_after_s,
        })
    }

    async fn load_balancer(&self) -> Result<LoadBalancerPanel, PortError> {
        let fault = self.observe();
        let name = self.name("-alb");
        let tg = format!("conflicto-{}-tg", self.env);
        let desired = self.desired() as u32;
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
}

impl SimCloud {
    fn instance_class(&self) -> &'static str {
        if self.prod {
            "db.m5.large"
        } else {
            "db.t3.micro"
        }
    }

    fn allocated_gib(&self) -> f64 {
        if self.prod {
            100.0
        } else {
            20.0
        }
    }
}
