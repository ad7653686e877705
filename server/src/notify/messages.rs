//! The text of each message: change control's templates filled from the request, and the audit
//! log's head (so it is recorded outside the database).

use super::render::fill;
use crate::config::NotifySettings;
use crate::store::notify_feed::{FeedEvent, NotifyFeed};

pub(super) async fn text(s: &NotifySettings, feed: &mut NotifyFeed, e: &FeedEvent) -> String {
    if e.action == "audit.head" {
        let id = e.details["id"].as_i64().unwrap_or_default();
        let hash = e.details["hash"].as_str().unwrap_or_default();
        return fill(
            "opsdeck's audit log head: event {id}, hash {hash}. Keep it: `opsdeck audit verify --expect-head {id}:{hash}` shows whether events were removed since.",
            &[("id", id.to_string()), ("hash", hash.to_owned())],
        );
    }
    let id = e.details["request"].as_i64().unwrap_or_default();
    let request = feed.request(id).await.ok().flatten();
    let last = request.as_ref().and_then(|r| r.decisions.last());
    let comment = last
        .map(|d| d.comment.clone())
        .filter(|c| !c.is_empty())
        .map(|c| format!(": {c}"))
        .unwrap_or_default();
    let url = s
        .public_url
        .as_ref()
        .and_then(|u| u.join(&format!("requests/{id}")).ok())
        .map(|u| u.to_string())
        .unwrap_or_default();
    let template = match e.action.as_str() {
        "action.requested" => &s.templates.requested,
        "action.approved" | "action.rejected" => &s.templates.decided,
        _ => &s.templates.outcome,
    };
    let values = [
        ("id", id.to_string()),
        ("env", e.environment.clone().unwrap_or_default()),
        (
            "action",
            request
                .as_ref()
                .map(|r| r.action.describe())
                .unwrap_or_default(),
        ),
        (
            "reason",
            request
                .as_ref()
                .map(|r| r.reason.clone())
                .unwrap_or_default(),
        ),
        (
            "requester",
            request
                .as_ref()
                .map(|r| r.requester.clone())
                .unwrap_or_default(),
        ),
        (
            "who",
            last.map(|d| d.who.clone())
                .unwrap_or_else(|| e.actor.clone()),
        ),
        ("comment", comment),
        (
            "state",
            e.action
                .strip_prefix("action.")
                .unwrap_or(&e.action)
                .replace('_', " "),
        ),
        (
            "result",
            e.details["result"].as_str().unwrap_or_default().to_owned(),
        ),
        ("url", url),
    ];
    fill(template, &values)
}
