//! Slack-compatible webhook notifications, at least once and in order: change control's requests,
//! decisions and outcomes, and the audit log's head. Read from the audit log after the last event
//! delivered (kept in Postgres, so a process that takes over continues from there), by one opsdeck
//! process at a time; a failed POST is retried with backoff before anything later is sent.

mod messages;
pub mod render;

use crate::config::NotifySettings;
use crate::store::notify_feed::NotifyFeed;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use std::time::Duration;
use tokio::task::JoinSet;

/// Backoff between tries of one message: doubling from 1 s, at most this long.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A message the webhook refuses (4xx other than 429) is given up after this many tries: it will
/// not be accepted later either, and everything after it waits.
const REFUSALS: u32 = 3;

pub fn spawn(pool: PgPool, settings: NotifySettings, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move {
        let http = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("notifications are off: {e}");
                return;
            }
        };
        loop {
            if let Err(e) = run(&pool, &settings, &http).await {
                tracing::warn!("notifications paused: {e}");
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
}

/// Hold the feed and deliver, in order, until the database fails (another process may take over).
async fn run(pool: &PgPool, s: &NotifySettings, http: &reqwest::Client) -> Result<(), sqlx::Error> {
    let Some((mut feed, mut last)) = NotifyFeed::take_over(pool).await? else {
        return Ok(()); // another opsdeck process notifies
    };
    loop {
        let events = feed.after(last, 50).await?;
        for event in events {
            let text = messages::text(s, &mut feed, &event).await;
            deliver(http, s, &text).await;
            feed.delivered(event.id).await?;
            last = event.id;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

enum Attempt {
    Delivered,
    /// Worth trying again: no answer, a 5xx, a 429.
    Retry(String),
    /// The webhook refused this message.
    Refused(String),
}

async fn attempt(http: &reqwest::Client, s: &NotifySettings, text: &str) -> Attempt {
    match http
        .post(s.webhook_url.expose_secret())
        .json(&serde_json::json!({ "text": text }))
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => Attempt::Delivered,
        Ok(r) if r.status().is_server_error() || r.status().as_u16() == 429 => {
            Attempt::Retry(format!("HTTP {}", r.status().as_u16()))
        }
        Ok(r) => Attempt::Refused(format!("HTTP {}", r.status().as_u16())),
        // The address is a secret: the error is reported without it.
        Err(e) => Attempt::Retry(format!("not reached ({})", e.without_url())),
    }
}

/// Deliver `text`, trying again with backoff; only a message the webhook keeps refusing is given up.
async fn deliver(http: &reqwest::Client, s: &NotifySettings, text: &str) {
    let mut wait = Duration::from_secs(1);
    let mut refusals = 0;
    loop {
        match attempt(http, s, text).await {
            Attempt::Delivered => return,
            Attempt::Retry(why) => {
                tracing::warn!("the notification webhook failed ({why}); trying again in {wait:?}");
            }
            Attempt::Refused(why) => {
                refusals += 1;
                if refusals >= REFUSALS {
                    tracing::error!("the notification webhook refused a message {REFUSALS} times ({why}); it is skipped");
                    return;
                }
                tracing::warn!(
                    "the notification webhook refused a message ({why}); trying again in {wait:?}"
                );
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_BACKOFF);
    }
}
