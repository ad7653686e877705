//! The calls change control makes — ecs:UpdateService (scale, stop writes, force a new deployment)
//! and rds:RestoreDBInstanceFromDBSnapshot — and the reads that verify what they did. Kept apart
//! from the panels' reads: these change the outside world, so each is sent once, on clients with
//! no retries, and an answer that leaves the outcome open is "outcome unknown", never "failed"
//! (see `error::change_error`).

use super::{ecs, error, rds, AwsEnvironment};
use app::domain::actions::RestoreCopy;
use app::ports::{ExecutionContext, PortError};

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

    /// What a restore of this environment's database copies: read from the configured instance.
    pub async fn restore_copy(&self) -> Result<RestoreCopy, PortError> {
        let source = self.cfg.db_instance.as_deref().ok_or_else(|| {
            PortError::Other(
                "no db_instance configured: a restore copies the network and settings of the environment's database".into(),
            )
        })?;
        let i = rds::instance(self, source).await?;
        Ok(RestoreCopy {
            source_instance: source.to_owned(),
            subnet_group: i
                .db_subnet_group()
                .and_then(|g| g.db_subnet_group_name())
                .map(str::to_owned),
            security_groups: i
                .vpc_security_groups()
                .iter()
                .filter_map(|g| g.vpc_security_group_id())
                .map(str::to_owned)
                .collect(),
            parameter_group: i
                .db_parameter_groups()
                .first()
                .and_then(|g| g.db_parameter_group_name())
                .map(str::to_owned),
            instance_class: i.db_instance_class().map(str::to_owned),
            multi_az: i.multi_az().unwrap_or(false),
            storage_type: i.storage_type().map(str::to_owned),
        })
    }

    /// Restore `snapshot` into a new instance with `copy`'s network and settings, never publicly
    /// accessible, with deletion protection, tagged with the request; the configured instance is
    /// never touched.
    pub async fn restore(
        &self,
        snapshot: &str,
        new_instance: &str,
        copy: &RestoreCopy,
        ctx: &ExecutionContext,
    ) -> Result<String, PortError> {
        if self.cfg.db_instance.as_deref() == Some(new_instance) {
            return Err(PortError::Conflict(format!(
                "{new_instance} is the existing database"
            )));
        }
        let tag = |k: &str, v: String| aws_sdk_rds::types::Tag::builder().key(k).value(v).build();
        let call = self
            .change_rds
            .restore_db_instance_from_db_snapshot()
            .db_snapshot_identifier(snapshot)
            .db_instance_identifier(new_instance)
            .publicly_accessible(false)
            .deletion_protection(true)
            .multi_az(copy.multi_az)
            .set_db_subnet_group_name(copy.subnet_group.clone())
            .set_vpc_security_group_ids(
                (!copy.security_groups.is_empty()).then(|| copy.security_groups.clone()),
            )
            .set_db_parameter_group_name(copy.parameter_group.clone())
            .set_db_instance_class(copy.instance_class.clone())
            .set_storage_type(copy.storage_type.clone())
            .tags(tag("opsdeck-request", ctx.request_id.to_string()))
            .tags(tag("opsdeck-requester", tag_value(&ctx.requester)))
            .tags(tag("opsdeck-restored-from", copy.source_instance.clone()));
        let out = call
            .send()
            .await
            .map_err(|e| error::change_error("rds:RestoreDBInstanceFromDBSnapshot", e))?;
        let status = out
            .db_instance()
            .and_then(|i| i.db_instance_status())
            .unwrap_or("creating");
        Ok(format!(
            "RDS is restoring {snapshot} into {new_instance} (status {status}), in {}'s network, not publicly accessible, deletion protection on",
            copy.source_instance
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

/// A tag value RDS accepts: letters, digits, spaces and `_.:/=+-@`, at most 256 characters. A
/// display name is the person's own text; anything else becomes `_`.
fn tag_value(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(256)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_display_name_becomes_a_tag_value_rds_accepts() {
        assert_eq!(super::tag_value("Ada <Admin> & Co."), "Ada _Admin_ _ Co.");
        assert_eq!(super::tag_value(&"x".repeat(300)).len(), 256);
    }
}
