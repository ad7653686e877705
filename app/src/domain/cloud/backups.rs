//! The backups panel: the runbook's "Backup and recovery" checks — the latest automated RDS
//! snapshots, their age, an overdue state, the latest restorable time, and manual snapshots.

use crate::domain::Level;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub id: String,
    /// creating, available, failed, …
    pub status: String,
    pub created_at: Option<DateTime<Utc>>,
    pub allocated_gib: Option<i32>,
    /// 0–100 while being created.
    pub progress_percent: Option<i32>,
}

/// A read replica of the instance: its state and how far behind it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadReplica {
    pub id: String,
    pub status: Option<String>,
    /// CloudWatch `ReplicaLag`, the newest minute; `None` when CloudWatch has no point.
    pub lag_s: Option<f64>,
}

impl ReadReplica {
    /// Behind by a minute is a warning, by five critical; a replica not `available` is critical.
    pub fn level(&self) -> Level {
        if self.status.as_deref().is_some_and(|s| s != "available") {
            return Level::Critical;
        }
        match self.lag_s {
            None => Level::Unknown,
            Some(l) if l > 300.0 => Level::Critical,
            Some(l) if l > 60.0 => Level::Warning,
            Some(_) => Level::Ok,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackupsPanel {
    pub instance: String,
    pub instance_status: Option<String>,
    pub instance_class: Option<String>,
    pub latest_restorable: Option<DateTime<Utc>>,
    pub retention_days: Option<i32>,
    /// Newest first.
    pub automated: Vec<DbSnapshot>,
    /// Newest first.
    pub manual: Vec<DbSnapshot>,
    /// The newest completed automated snapshot may be at most this old.
    pub overdue_after_s: u64,
    pub console_url: String,
    pub snapshots_url: String,
    /// The instance's read replicas (`ReadReplicaDBInstanceIdentifiers`).
    #[serde(default)]
    pub replicas: Vec<ReadReplica>,
}

impl BackupsPanel {
    /// The newest automated snapshot that completed.
    pub fn newest_completed(&self) -> Option<&DbSnapshot> {
        self.automated
            .iter()
            .filter(|s| s.status == "available")
            .filter(|s| s.created_at.is_some())
            .max_by_key(|s| s.created_at)
    }

    /// Overdue: no completed automated snapshot, or the newest is older than the limit.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        let limit = Duration::seconds(i64::try_from(self.overdue_after_s).unwrap_or(i64::MAX / 2));
        match self.newest_completed().and_then(|s| s.created_at) {
            None => true,
            Some(at) => now - at > limit,
        }
    }

    pub fn level(&self, now: DateTime<Utc>) -> Level {
        let failed = self.automated.iter().take(1).any(|s| s.status == "failed");
        if self.overdue(now) {
            Level::Critical
        } else if failed {
            Level::Warning
        } else {
            Level::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(status: &str, hours_ago: i64, now: DateTime<Utc>) -> DbSnapshot {
        DbSnapshot {
            id: format!("rds:conflicto-prod-{hours_ago}"),
            status: status.into(),
            created_at: Some(now - Duration::hours(hours_ago)),
            allocated_gib: Some(20),
            progress_percent: Some(100),
        }
    }

    fn panel(automated: Vec<DbSnapshot>) -> BackupsPanel {
        BackupsPanel {
            instance: "conflicto-prod".into(),
            instance_status: Some("available".into()),
            instance_class: Some("db.t3.micro".into()),
            latest_restorable: None,
            retention_days: Some(7),
            automated,
            manual: vec![],
            overdue_after_s: 26 * 3600,
            console_url: String::new(),
            snapshots_url: String::new(),
            replicas: vec![],
        }
    }

    #[test]
    fn overdue_when_the_newest_completed_snapshot_is_older_than_the_limit() {
        let now = Utc::now();
        assert!(!panel(vec![snap("available", 5, now)]).overdue(now));
        assert!(panel(vec![snap("available", 27, now)]).overdue(now));
        // A snapshot still being created does not count as a backup yet.
        let p = panel(vec![snap("creating", 0, now), snap("available", 27, now)]);
        assert!(p.overdue(now));
        assert_eq!(p.level(now), Level::Critical);
        assert!(panel(vec![]).overdue(now), "no backup at all is overdue");
        let failed = panel(vec![snap("failed", 1, now), snap("available", 20, now)]);
        assert_eq!(failed.level(now), Level::Warning);
    }
}
