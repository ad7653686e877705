//! CloudWatch Logs reads: `FilterLogEvents` over one log group, a page at a time. Each call is a
//! read with the SDK's bounded retries and time limits, and is let through the account and
//! Region's budget by the caller (`logs::budget`), never called per viewer.

use super::error::port_error;
use super::{sdk, AwsOptions};
use crate::config::AwsSettings;
use app::ports::logs::{LogPage, LogQuery, RawLogEvent};
use app::ports::{LogEvents, PortError};

pub struct CloudWatchLogs {
    client: aws_sdk_cloudwatchlogs::Client,
}

impl CloudWatchLogs {
    pub async fn new(cfg: &AwsSettings, opts: &AwsOptions) -> Self {
        let endpoint = cfg.endpoint_url.as_ref().map(url::Url::as_str);
        // One attempt per call: every call passes the budget first, and a retry inside the SDK
        // would be a call the budget never saw. A failed round is read again next round.
        let limits = crate::config::CallLimits {
            max_attempts: 1,
            ..opts.limits
        };
        let sdk = sdk::sdk_config(
            &cfg.region,
            endpoint,
            limits,
            opts.credentials.clone(),
            sdk::Purpose::Read,
        )
        .await;
        Self {
            client: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(&sdk)
                    .interceptor(sdk::CountCalls(opts.metrics.clone()))
                    .build(),
            ),
        }
    }
}

#[async_trait::async_trait]
impl LogEvents for CloudWatchLogs {
    async fn filter(&self, q: &LogQuery) -> Result<LogPage, PortError> {
        let out = self
            .client
            .filter_log_events()
            .log_group_name(&q.group)
            .set_filter_pattern(q.pattern.clone().filter(|p| !p.trim().is_empty()))
            .start_time(q.start_ms)
            .end_time(q.end_ms)
            .set_next_token(q.next.clone())
            .limit(i32::try_from(q.limit).unwrap_or(10_000))
            .send()
            .await
            .map_err(|e| port_error("logs:FilterLogEvents", e))?;
        let events = out
            .events()
            .iter()
            .map(|e| RawLogEvent {
                id: e.event_id().unwrap_or_default().to_owned(),
                at_ms: e.timestamp().unwrap_or_default(),
                stream: e.log_stream_name().unwrap_or_default().to_owned(),
                message: e.message().unwrap_or_default().to_owned(),
            })
            .collect();
        // CloudWatch may hand back the same token at the end of a group: stop there.
        let next = out
            .next_token()
            .filter(|t| !t.is_empty() && Some(*t) != q.next.as_deref())
            .map(str::to_owned);
        Ok(LogPage { events, next })
    }
}
