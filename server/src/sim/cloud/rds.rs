//! Simulated RDS backups: a week of nightly automated snapshots at 03:00 UTC (the newest still
//! "creating" for its first ten minutes) and one manual snapshot from before a migration.

use super::{SimCloud, REGION};
use app::domain::cloud::{console, BackupsPanel, DbSnapshot, ReadReplica};
use app::ports::PortError;
use chrono::{Duration, DurationRound, Timelike, Utc};

pub(super) fn read(c: &SimCloud, overdue_after_s: u64) -> Result<BackupsPanel, PortError> {
    let now = Utc::now();
    let instance = c.name("");
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
            allocated_gib: Some(c.allocated_gib() as i32),
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
        created_at: Some(c.started - Duration::days(5) - Duration::hours(7)),
        allocated_gib: Some(c.allocated_gib() as i32),
        progress_percent: Some(100),
    }];
    let restorable = now.with_second(0).unwrap_or(now) - Duration::minutes(4);
    Ok(BackupsPanel {
        console_url: console::rds_instance(REGION, &instance),
        snapshots_url: console::rds_snapshots(REGION, &instance),
        instance,
        instance_status: Some("available".into()),
        instance_class: Some(c.instance_class().into()),
        latest_restorable: Some(restorable),
        retention_days: Some(7),
        automated,
        manual,
        overdue_after_s,
        // Production has a read replica; it falls behind while the application is slow.
        replicas: if c.prod {
            vec![ReadReplica {
                id: format!("{}-replica", c.name("")),
                status: Some("available".into()),
                lag_s: Some(match c.app.fault() {
                    app::domain::Fault::Slow => 95.0,
                    _ => 0.4,
                }),
            }]
        } else {
            vec![]
        },
    })
}
