//! The AWS adapter: one [`AwsEnvironment`] per environment. Its reads implement `app`'s
//! [`CloudReader`] port with the real SDK clients (ECS, CloudWatch, RDS, ELBv2), each call bounded
//! in time; the calls change control makes (scale, restart, restore) live apart, in `changes`.

mod changes;
mod cloudwatch;
mod ecs;
mod elb;
pub mod error;
pub mod logs;
mod rds;
mod scheduled;
pub mod sdk;
pub mod terraform;

use crate::config::{AwsSettings, CallLimits};
use crate::metrics::Metrics;
use app::domain::cloud::{BackupsPanel, EcsPanel, LoadBalancerPanel, TaskRun};
use app::ports::{CloudReader, MetricReadings, PortError};
use aws_credential_types::provider::SharedCredentialsProvider;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

pub struct AwsEnvironment {
    cfg: AwsSettings,
    region: String,
    response_time_statistic: String,
    max_connections: Option<u32>,
    ecs: aws_sdk_ecs::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    rds: aws_sdk_rds::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    /// Change control's clients: one attempt per call, never retried (see `changes`).
    change_ecs: aws_sdk_ecs::Client,
    change_rds: aws_sdk_rds::Client,
    task_definitions: Mutex<HashMap<String, app::domain::cloud::ecs::TaskDefinition>>,
    discovery: Mutex<Option<(std::time::Instant, cloudwatch::Discovery)>>,
}

/// Everything an [`AwsEnvironment`] is built from besides the environment's own names.
#[derive(Clone)]
pub struct AwsOptions {
    pub limits: CallLimits,
    pub response_time_statistic: String,
    pub metrics: Arc<Metrics>,
    /// `None`: the AWS default credential chain. Tests pass fixed credentials for an emulator.
    pub credentials: Option<SharedCredentialsProvider>,
}

impl AwsEnvironment {
    pub async fn new(cfg: &AwsSettings, opts: &AwsOptions) -> Self {
        let endpoint = cfg.endpoint_url.as_ref().map(url::Url::as_str);
        let sdk = sdk::sdk_config(
            &cfg.region,
            endpoint,
            opts.limits,
            opts.credentials.clone(),
            sdk::Purpose::Read,
        )
        .await;
        let once = sdk::sdk_config(
            &cfg.region,
            endpoint,
            opts.limits,
            opts.credentials.clone(),
            sdk::Purpose::Change,
        )
        .await;
        let count = sdk::CountCalls(opts.metrics.clone());
        Self {
            change_ecs: aws_sdk_ecs::Client::from_conf(
                aws_sdk_ecs::config::Builder::from(&once)
                    .interceptor(count.clone())
                    .build(),
            ),
            change_rds: aws_sdk_rds::Client::from_conf(
                aws_sdk_rds::config::Builder::from(&once)
                    .interceptor(count.clone())
                    .build(),
            ),
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
impl CloudReader for AwsEnvironment {
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

    async fn stopped_tasks(&self, families: &[String]) -> Result<Vec<TaskRun>, PortError> {
        scheduled::read(self, families).await
    }
}

fn chrono_time(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

fn aws_time(secs: i64) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(secs)
}
