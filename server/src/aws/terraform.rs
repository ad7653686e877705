//! Terraform's state lock from the S3 backend's DynamoDB lock table: the item whose `LockID` is the
//! state's `bucket/key` exists while a run holds the lock, with `Info` (JSON: `ID`, `Operation`,
//! `Who`, `Created`, `Path`). Read with `dynamodb:GetItem`, bounded like every AWS read.

use super::error::port_error;
use super::sdk::{self, CountCalls, Purpose};
use crate::config::{CallLimits, TerraformSettings};
use crate::metrics::Metrics;
use app::domain::incident::TerraformLock;
use app::ports::{PortError, TerraformLocks};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_dynamodb::types::AttributeValue;
use std::sync::Arc;

pub struct DynamoLocks {
    client: aws_sdk_dynamodb::Client,
    table: String,
    state: String,
}

impl DynamoLocks {
    pub async fn new(
        cfg: &TerraformSettings,
        limits: CallLimits,
        metrics: Arc<Metrics>,
        credentials: Option<SharedCredentialsProvider>,
    ) -> Self {
        let sdk = sdk::sdk_config(
            &cfg.region,
            cfg.endpoint_url.as_ref().map(url::Url::as_str),
            limits,
            credentials,
            Purpose::Read,
        )
        .await;
        Self {
            client: aws_sdk_dynamodb::Client::from_conf(
                aws_sdk_dynamodb::config::Builder::from(&sdk)
                    .interceptor(CountCalls(metrics))
                    .build(),
            ),
            table: cfg.table.clone(),
            state: cfg.state.clone(),
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Info {
    #[serde(rename = "ID", default)]
    id: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    created: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    path: String,
}

#[async_trait::async_trait]
impl TerraformLocks for DynamoLocks {
    async fn lock(&self) -> Result<Option<TerraformLock>, PortError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("LockID", AttributeValue::S(self.state.clone()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception())
                {
                    PortError::NotFound(format!("lock table {} not found", self.table))
                } else {
                    port_error("dynamodb:GetItem", e)
                }
            })?;
        let Some(item) = out.item() else {
            return Ok(None);
        };
        // The item without Info is the state's digest (`…-md5`), not a lock; Info is the
        // attacker-proof part only in that Terraform wrote it: shown as text, never trusted.
        let info: Info = item
            .get("Info")
            .and_then(|v| v.as_s().ok())
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        Ok(Some(TerraformLock {
            id: if info.id.is_empty() {
                "(unknown)".into()
            } else {
                info.id
            },
            path: if info.path.is_empty() {
                self.state.clone()
            } else {
                info.path
            },
            who: if info.who.is_empty() {
                "(unknown)".into()
            } else {
                info.who
            },
            operation: info.operation,
            created: info.created,
        }))
    }
}
