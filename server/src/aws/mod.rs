//! The AWS adapter: one [`AwsReader`] per environment implements `app`'s [`CloudReader`] port
//! with the real SDK clients (ECS, CloudWatch, RDS, ELBv2), each call bounded in time.

mod cloudwatch;
mod ecs;
mod elb;
pub mod error;
mod rds;
pub mod sdk;

use crate::config::{AwsSettings, CallLimits};
use crate::metrics::Metrics;
use app::domain::cloud::{BackupsPanel, EcsPanel, LoadBalancerPanel};
use app::ports::{CloudReader, MetricReadings, PortError};
use aws_credential_types::provider::SharedCredentialsProvider;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

pub struct AwsReader {
    cfg: AwsSettings,
    region: String,
    response_time_statistic: String,
    max_connections: Option<u32>,
    ecs: aws_sdk_ecs::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    rds: aws_sdk_rds::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    task_definitions: Mutex<HashMap<String, app::domain::cloud::ecs::TaskDefinition>>,
    discovery: Mutex<Option<(std::time::Instant, cloudwatch::Discovery)>>,
}

/// Everything an [`AwsReader`] is built from besides the environment's own names.
#[derive(Clone)]
pub struct ReaderOptions {
    pub limits: CallLimits,
    pub response_time_statistic: String,
    pub metrics: Arc<Metrics>,
    /// `None`: the AWS default credential chain. Tests pass fixed credentials for an emulator.
    pub credentials: Option<SharedCredentialsProvider>,
}

impl AwsReader {
    pub async fn new(cfg: &AwsSettings, opts: &ReaderOptions) -> Self {
        let sdk = sdk::sdk_config(
            &cfg.region,
            cfg.endpoint_url.as_ref().map(url::Url::as_str),
            opts.limits,
            opts.credentials.clone(),
        )
        .await;
        let count = sdk::CountCalls(opts.metrics.clone());
        Self {
            ecs: aws_sdk_ecs::Client::from_conf(
                aws_sdk_ecs::config::Builder::from(&sdk)
                    .interceptor(count.clone())
                    .build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(&sdk)
                    .interceptor(count.clone())
                    .build(),
            ),
            rds: aws_sdk_rds::Client::from_conf(
                aws_sdk_rds::config::Builder::from(&sdk)
                    .interceptor(count.clone())
                    .build(),
            ),
            elb: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(&sdk)
                    .interceptor(count)
                    .build(),
            ),
            region: cfg.region.clone(),
            response_time_statistic: opts.response_time_statistic.clone(),
            max_connections: cfg.max_connections,
            cfg: cfg.clone(),
            task_definitions: Mutex::new(HashMap::new()),
            discovery: Mutex::new(None),
        }
    }
}

#[async_trait::async_trait]
impl CloudReader for AwsReader {
    async fn ecs(&self) -> Result<EcsPanel, PortError> {
        ecs::read(self).await
    }

    async fn metrics(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        period_s: u32,
    ) -> Result<MetricReadings, PortError> {
        let result = cloudwatch::read(self, start, end, period_s).await;
        if matches!(result, Err(PortError::NotFound(_))) {
            // A resource renamed or recreated: look the dimensions up again next time.
            *self.discovery.lock().await = None;
        }
        result
    }

    async fn backups(&self, overdue_after_s: u64) -> Result<BackupsPanel, PortError> {
        rds::read(self, overdue_after_s).await
    }

    async fn load_balancer(&self) -> Result<LoadBalancerPanel, PortError> {
        elb::read(self).await
    }
}

fn chrono_time(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

fn aws_time(secs: i64) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(secs)
}

/// The ECS and RDS calls change control makes (ecs:UpdateService, rds:RestoreDBInstanceFromDBSnapshot),
/// and the reads that verify them.
impl AwsReader {
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
            .ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .desired_count(count)
            .send()
            .await
            .map_err(|e| error::port_error("ecs:UpdateService", e))?;
        let desired = out.service().map_or(count, |s| s.desired_count());
        Ok(format!(
            "ECS accepted: {service} in {cluster} now wants {desired} tasks"
        ))
    }

    /// Force a new deployment (fresh tasks, same task definition).
    pub async fn force_new_deployment(&self) -> Result<String, PortError> {
        let (cluster, service) = self.service()?;
        let out = self
            .ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .force_new_deployment(true)
            .send()
            .await
            .map_err(|e| error::port_error("ecs:UpdateService", e))?;
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
            .rds
            .restore_db_instance_from_db_snapshot()
            .db_snapshot_identifier(snapshot)
            .db_instance_identifier(new_instance)
            .send()
            .await
            .map_err(|e| error::port_error("rds:RestoreDBInstanceFromDBSnapshot", e))?;
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
