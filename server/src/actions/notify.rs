//! Slack-compatible webhook notifications for change control: a new request, an approval or
//! rejection, and the outcome — each rendered from a template and posted as `{"text": …}`.
//! Read from the audit log (so nothing that happened is missed and nothing is sent twice), by one
//! opsdeck process at a time (a session advisory lock), after the last event it sent.

use crate::config::NotifySettings;
use secrecy::ExposeSecret;
use sqlx::{Connection, PgConnection, PgPool};
use std::time::Duration;
use tokio::task::JoinSet;

const LOCK: i64 = 7_220_417_002;

pub fn spawn(pool: PgPool, settings: NotifySettings, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move {
        let http = match reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
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
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
}

/// Hold the notifier lock and send new events until something fails.
async fn run(pool: &PgPool, s: &NotifySettings, http: &reqwest::Client) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
    let mine: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK)
        .fetch_one(&mut conn)
        .await?;
    if !mine {
        return Ok(()); // another opsdeck process notifies
    }
    // Events from before this process took over are not re-sent.
    let mut last: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM audit_events")
        .fetch_one(&mut conn)
        .await?;
    loop {
        let events: Vec<(i64, String, String, Option<String>, serde_json::Value)> = sqlx::query_as(
            "SELECT id, actor, action, environment, details FROM audit_events
              WHERE id > $1 AND action IN ('action.requested', 'action.approved', 'action.rejected',
                    'action.succeeded', 'action.failed', 'action.outcome_unknown')
              ORDER BY id LIMIT 50",
        )
        .bind(last)
        .fetch_all(&mut conn)
        .await?;
        for (id, actor, action, env, details) in events {
            let text = render(s, &mut conn, &actor, &action, env.as_deref(), &details).await?;
            let sent = http
                .post(s.webhook_url.expose_secret())
                .json(&serde_json::json!({ "text": text }))
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {}
                // The address is a secret: the error is reported without it.
                Ok(r) => tracing::warn!("the notification webhook answered HTTP {}", r.status()),
                Err(e) => tracing::warn!(
                    "the notification webhook could not be reached ({})",
                    e.without_url()
                ),
            }
            last = id;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn render(
    s: &NotifySettings,
    conn: &mut PgConnection,
    actor: &str,
    action: &str,
    env: Option<&str>,
    details: &serde_json::Value,
) -> Result<String, sqlx::Error> {
    let id = details["request"].as_i64().unwrap_or_default();
    let request = crate::store::actions::load(conn, id).await.ok().flatten();
    let what = request
        .as_ref()
        .map(|r| r.action.describe())
        .unwrap_or_default();
    let reason = request
        .as_ref()
        .map(|r| r.reason.clone())
        .unwrap_or_default();
    let requester = request
        .as_ref()
        .map(|r| r.requester.clone())
        .unwrap_or_default();
    let comment = request
        .as_ref()
        .and_then(|r| r.decisions.last())
        .map(|d| d.comment.clone())
        .filter(|c| !c.is_empty())
        .map(|c| format!(": {c}"))
        .unwrap_or_default();
    let state = action
        .strip_prefix("action.")
        .unwrap_or(action)
        .replace('_', " ");
    let url = s
        .public_url
        .as_ref()
        .and_then(|u| u.join(&format!("requests/{id}")).ok())
        .map(|u| u.to_string())
        .unwrap_or_default();
    let template = match action {
        "action.requested" => &s.templates.requested,
        "action.approved" | "action.rejected" => &s.templates.decided,
        _ => &s.templates.outcome,
    };
    let who = request
        .as_ref()
        .and_then(|r| r.decisions.last())
        .map(|d| d.who.clone())
        .unwrap_or_else(|| actor.to_owned());
    Ok(template
        .replace("{id}", &id.to_string())
        .replace("{env}", env.unwrap_or_default())
        .replace("{action}", &what)
        .replace("{reason}", &reason)
        .replace("{requester}", &requester)
        .replace("{who}", &who)
        .replace("{comment}", &comment)
        .replace("{state}", &state)
        .replace("{result}", details["result"].as_str().unwrap_or_default())
        .replace("{url}", &url)
        .trim()
        .to_owned())
}
