//! The calls change control makes — ecs:UpdateService (scale, stop writes, force a new deployment)
//! and rds:RestoreDBInstanceFromDBSnapshot — and the reads that verify what they did. Kept apart
//! from the panels' reads: these change the outside world, so each is sent once, on clients with
//! no retries, and an answer that leaves the outcome open is "outcome unknown", never "failed"
//! (see `error::change_error`).

use super::{ecs, error, rds, AwsEnvironment};
use app::ports::PortError;

impl AwsEnvironment {
    fn service(&self) -> Result<(&str, &str), PortError> {
        match (self.cfg.cluster.as_deref(), self.cfg.service.as_deref()) {
            (Some(c), Some(s)) => Ok((c, s)),
            _ => Err(PortError::Other(
                "no ECS cluster and service configured".into(),
            )),
        }
    }

    /// Set the service's desired count; AWS's answer in words.
    pub async fn set_desired(&self, count: i32) -> Result<String, PortError> {
        let (cluster, service) = self.service()?;
        let out = self
            .change_ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .desired_count(count)
            .send()
            .await
            .map_err(|e| error::change_error("ecs:UpdateService", e))?;
        let desired = out.service().map_or(count, |s| s.desired_count());
        Ok(format!(
            "ECS accepted: {service} in {cluster} now wants {desired} tasks"
        ))
    }

    /// Force a new deployment (fresh tasks, same task definition).
    pub async fn force_new_deployment(&self) -> Result<String, PortError> {
        let (cluster, service) = self.service()?;
        let out = self
            .change_ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .force_new_deployment(true)
            .send()
            .await
            .map_err(|e| error::change_error("ecs:UpdateService", e))?;
        let deployment = out
            .service()
            .and_then(|s| s.deployments().first())
            .and_then(|d| d.id())
            .unwrap_or("?")
            .to_owned();
        Ok(format!(
            "ECS started a new deployment of {service}: {deployment}"
        ))
    }

    /// Restore `snapshot` into a new instance; the configured instance is never touched.
    pub async fn restore(&self, snapshot: &str, new_instance: &str) -> Result<String, PortError> {
        if self.cfg.db_instance.as_deref() == Some(new_instance) {
            return Err(PortError::Conflict(format!(
                "{new_instance} is the existing database"
            )));
        }
        let out = self
            .change_rds
            .restore_db_instance_from_db_snapshot()
            .db_snapshot_identifier(snapshot)
            .db_instance_identifier(new_instance)
            .send()
            .await
            .map_err(|e| error::change_error("rds:RestoreDBInstanceFromDBSnapshot", e))?;
        let status = out
            .db_instance()
            .and_then(|i| i.db_instance_status())
            .unwrap_or("creating");
        Ok(format!(
            "RDS is restoring {snapshot} into {new_instance} (status {status})"
        ))
    }

    /// The service's desired and running counts now, in words.
    pub async fn describe_counts(&self) -> Result<(i32, i32), PortError> {
        let p = ecs::read(self).await?;
        Ok((p.desired, p.running))
    }

    pub async fn instance_status(&self, id: &str) -> Result<String, PortError> {
        let i = rds::instance(self, id).await?;
        Ok(i.db_instance_status().unwrap_or("unknown").to_owned())
    }
}
