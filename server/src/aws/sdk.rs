//! One AWS SDK configuration per environment: region, optional endpoint (an emulator), the
//! default credential chain, one rustls HTTP client, and hard time limits with bounded retries so
//! a silent AWS endpoint can never hold a poller forever.

use crate::config::CallLimits;
use crate::metrics::Metrics;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::Arc;
use std::time::Duration;

/// What a client is for: reads may be retried with backoff; a call that changes something is made
/// exactly once (a retry after a timeout could do it twice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Read,
    Change,
}

/// Build the SDK configuration for one region (and emulator endpoint, if any).
pub async fn sdk_config(
    region: &str,
    endpoint_url: Option<&str>,
    limits: CallLimits,
    credentials: Option<SharedCredentialsProvider>,
    purpose: Purpose,
) -> SdkConfig {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(limits.connect)
        .read_timeout(limits.read)
        .operation_attempt_timeout(limits.attempt)
        .operation_timeout(limits.operation)
        .build();
    let retry = match purpose {
        // Standard retry mode backs off on throttling with jitter; the bounds keep a poll short.
        Purpose::Read => RetryConfig::standard()
            .with_max_attempts(limits.max_attempts)
            .with_initial_backoff(Duration::from_millis(200))
            .with_max_backoff(Duration::from_secs(2)),
        Purpose::Change => RetryConfig::disabled(),
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(retry);
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url.trim_end_matches('/'));
    }
    if let Some(c) = credentials {
        loader = loader.credentials_provider(c);
    }
    loader.load().await
}

/// Counts every attempt (retries included) per API in `/metrics`, so the cost of opsdeck
/// against AWS quotas is visible.
#[derive(Clone)]
pub struct CountCalls(pub Arc<Metrics>);

impl std::fmt::Debug for CountCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CountCalls")
    }
}

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "opsdeck::CountCalls"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(meta) = cfg.load::<Metadata>() {
            // Named as IAM names the action, so the counts match the policy in the README.
            let service = match meta.service() {
                "Elastic Load Balancing v2" => "elasticloadbalancing".to_owned(),
                "CloudWatch Logs" => "logs".to_owned(),
                other => other.to_ascii_lowercase(),
            };
            let op = format!("{service}:{}", meta.name());
            self.0.upstream_call("aws", &op);
        }
        Ok(())
    }
}
