//! The demo's simulated AWS for one environment: an ECS service, CloudWatch metrics, nightly RDS
//! snapshots and a load balancer, all coherent with the simulated application's health — an
//! injected 5xx fault raises the error rate, "slow" raises response time and CPU, "down" stops
//! the tasks and empties the target group. It implements the same port as the real adapter, and
//! mirrors its layout: one file per simulated source; here, the state they share.

mod cloudwatch;
mod ecs;
mod elb;
mod rds;
mod scheduled;

use super::SimConflicto;
use app::domain::cloud::{BackupsPanel, EcsEvent, EcsPanel, LoadBalancerPanel, TaskRun};
use app::domain::{EnvName, Fault};
use app::ports::{CloudReader, MetricReadings, PortError};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

const REGION: &str = "us-east-1";

/// The simulated AWS of one environment, and what its sources share: the faults seen, the
/// service events and the desired count.
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
    /// When a run of the nightly job was made to fail.
    nightly_failed: Mutex<Option<DateTime<Utc>>>,
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
            nightly_failed: Mutex::new(None),
        }
    }

    /// Run the nightly job once more now, and have it fail (exit 1).
    pub fn fail_nightly_job(&self) -> String {
        *self
            .nightly_failed
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Utc::now());
        self.name("-nightly-report")
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

    /// The database's class and size: the metrics and the backups both show them.
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

fn severity(f: Fault) -> u8 {
    match f {
        Fault::None => 0,
        Fault::Garbage => 1,
        Fault::Slow => 2,
        Fault::Error5xx => 3,
        Fault::Down => 4,
    }
}

#[async_trait::async_trait]
impl CloudReader for SimCloud {
    async fn ecs(&self) -> Result<EcsPanel, PortError> {
        ecs::read(self)
    }

    async fn metrics(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        period_s: u32,
    ) -> Result<MetricReadings, PortError> {
        cloudwatch::read(self, start, end, period_s)
    }

    async fn backups(&self, overdue_after_s: u64) -> Result<BackupsPanel, PortError> {
        rds::read(self, overdue_after_s)
    }

    async fn load_balancer(&self) -> Result<LoadBalancerPanel, PortError> {
        elb::read(self)
    }

    async fn stopped_tasks(&self, families: &[String]) -> Result<Vec<TaskRun>, PortError> {
        Ok(scheduled::read(self, families))
    }
}
