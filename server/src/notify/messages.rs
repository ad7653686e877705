//! The text of each message: change control's templates filled from the request, and the audit
//! log's head (so it is recorded outside the database).

use super::render::fill;
use crate::config::NotifySettings;
use crate::store::notify_feed::{FeedEvent, NotifyFeed};

pub(super) async fn text(s: &NotifySettings, feed: &mut NotifyFeed, e: &FeedEvent) -> String {
    if let Some(text) = outside_change_control(s, e) {
        return text;
    }
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

/// Incidents and what opsdeck noticed by itself: a link to the room, the environment, the words.
/// A watch's reasons, one sentence.
fn reasons(d: &serde_json::Value) -> String {
    d["reasons"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

fn outside_change_control(s: &NotifySettings, e: &FeedEvent) -> Option<String> {
    let d = &e.details;
    let text = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
    let link = |path: String| {
        s.public_url
            .as_ref()
            .and_then(|u| u.join(&path).ok())
            .map(|u| u.to_string())
            .unwrap_or_default()
    };
    let room = || {
        link(format!(
            "incidents/{}",
            d["incident"].as_i64().unwrap_or_default()
        ))
    };
    let env = e.environment.clone().unwrap_or_default();
    let (template, values) = match e.action.as_str() {
        "incident.declared" => (
            ":rotating_light: Incident {id} declared by {who}: *{title}* ({severity}) on {env} {url}",
            vec![
                ("id", d["incident"].to_string()),
                ("who", e.actor.clone()),
                ("title", text("title")),
                ("severity", text("severity")),
                ("env", env),
                ("url", room()),
            ],
        ),
        "incident.step_due" => (
            ":alarm_clock: Incident {id} ({title}): due now — {words} {url}",
            vec![
                ("id", d["incident"].to_string()),
                ("title", text("title")),
                ("words", text("words")),
                ("url", room()),
            ],
        ),
        "incident.resolved" => (
            ":white_check_mark: Incident {id} resolved by {who}: {summary} {url}",
            vec![
                ("id", d["incident"].to_string()),
                ("who", e.actor.clone()),
                ("summary", text("summary")),
                ("url", room()),
            ],
        ),
        "env.down" => (
            ":red_circle: {env} is down: {words} {url}",
            vec![("env", env.clone()), ("words", text("words")), ("url", link(format!("env/{env}")))],
        ),
        "env.recovered" => (
            ":large_green_circle: {env} recovered: {words} {url}",
            vec![("env", env.clone()), ("words", text("words")), ("url", link(format!("env/{env}")))],
        ),
        "backups.overdue" => (
            ":floppy_disk: {env}: backups are overdue — the newest automated snapshot is older than the limit {url}",
            vec![("env", env.clone()), ("url", link(format!("env/{env}")))],
        ),
        "deploy.watch.verdict" => (
            ":warning: {env}: after deploying {what}, the watch says {verdict}: {reasons} — roll back? {url}",
            vec![
                ("env", env.clone()),
                ("what", text("what")),
                ("verdict", text("verdict")),
                ("reasons", reasons(d)),
                ("url", link(format!("env/{env}"))),
            ],
        ),
        "deploy.watch.ended" => (
            ":eyes: {env}: the watch after deploying {what} ended — {verdict} {url}",
            vec![
                ("env", env.clone()),
                ("what", text("what")),
                ("verdict", text("verdict")),
                ("url", link(format!("env/{env}"))),
            ],
        ),
        "deploy.gate.waiting" | "deploy.gate.reminder" => (
            ":hourglass_flowing_sand: {still}{what} waits at {env}'s approval gate — checklist: {checklist} {url}",
            vec![
                (
                    "still",
                    if e.action.ends_with("reminder") { "Still waiting: " } else { "" }.to_owned(),
                ),
                ("what", text("what")),
                ("env", env.clone()),
                ("checklist", {
                    let blocking = d["blocking"]
                        .as_array()
                        .map(|b| b.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>())
                        .unwrap_or_default();
                    if blocking.is_empty() {
                        "passes".to_owned()
                    } else {
                        format!("fails ({})", blocking.join("; "))
                    }
                }),
                (
                    "url",
                    link(format!("env/{env}#gate-{}", d["run_id"].as_u64().unwrap_or_default())),
                ),
            ],
        ),
        "checks.morning.overdue" => (
            ":alarm_clock: Nobody has signed off today's morning check (due {due}); {failing} item(s) failing now {url}",
            vec![
                ("due", text("due")),
                ("failing", d["failing"].as_u64().unwrap_or_default().to_string()),
                ("url", link("checks/morning".into())),
            ],
        ),
        "freeze.declared" => (
            ":snowflake: Change freeze declared by {who} until {until}: {reason} {url}",
            vec![
                ("who", e.actor.clone()),
                ("until", text("until")),
                ("reason", text("reason")),
                ("url", link("actions#freeze".into())),
            ],
        ),
        "override" => (
            ":warning: {who} overrode on {env}: {reason} — needs someone else's review {url}",
            vec![
                ("who", e.actor.clone()),
                ("env", env.clone()),
                ("reason", text("reason")),
                ("url", link("actions#freeze".into())),
            ],
        ),
        _ => return None,
    };
    Some(fill(template, &values))
}
