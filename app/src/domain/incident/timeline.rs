//! One timeline per incident, merged from what opsdeck saw (health level changes, deploy runs,
//! approval-gate reviews, change-control requests, decisions and outcomes) and what people did in
//! the room (declared, led, status and severity, escalation steps, notes). Entries are text people
//! and upstreams wrote: shown escaped, never as markup.

use crate::domain::{Level, Signed};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Declared,
    Health,
    Deploy,
    Gate,
    Change,
    Escalation,
    Status,
    Lead,
    Severity,
    Note,
    Resolved,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Declared => "declared",
            EntryKind::Health => "health",
            EntryKind::Deploy => "deploy",
            EntryKind::Gate => "gate",
            EntryKind::Change => "change",
            EntryKind::Escalation => "escalation",
            EntryKind::Status => "status",
            EntryKind::Lead => "lead",
            EntryKind::Severity => "severity",
            EntryKind::Note => "note",
            EntryKind::Resolved => "resolved",
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            EntryKind::Declared => "⚑",
            EntryKind::Health => "♥",
            EntryKind::Deploy => "⇪",
            EntryKind::Gate => "‖",
            EntryKind::Change => "⚙",
            EntryKind::Escalation => "☎",
            EntryKind::Status => "➜",
            EntryKind::Lead => "★",
            EntryKind::Severity => "‼",
            EntryKind::Note => "✎",
            EntryKind::Resolved => "✔",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    pub text: String,
    /// The person, when a person did it.
    pub who: Option<Signed>,
    /// Where to look closer (a request, a run on GitHub).
    pub link: Option<String>,
    /// For health and outcomes: how it looked.
    pub level: Option<Level>,
}

/// Merge entries from every source, oldest first; the same thing seen twice (same time, kind and
/// text) is kept once.
pub fn merge(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| a.at.cmp(&b.at).then(a.kind.as_str().cmp(b.kind.as_str())));
    entries.dedup_by(|a, b| a.at == b.at && a.kind == b.kind && a.text == b.text);
    entries
}

/// A health level change as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelChange {
    pub env: String,
    pub at: DateTime<Utc>,
    pub level: Level,
    pub words: String,
}

impl From<&LevelChange> for Entry {
    fn from(c: &LevelChange) -> Self {
        Entry {
            at: c.at,
            kind: EntryKind::Health,
            text: format!("{} is {}: {}", c.env, c.level.word(), c.words),
            who: None,
            link: Some(format!("/env/{}", c.env)),
            level: Some(c.level),
        }
    }
}

/// The timeline entry an audit event makes, if it makes one: what people did in the room and in
/// change control, and reviews at the approval gate.
pub fn from_audit(e: &crate::domain::audit::AuditEvent) -> Option<Entry> {
    let d = &e.details;
    let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
    let who = e.actor_user_id.map(|user_id| Signed {
        user_id,
        who: e.actor.clone(),
        at: e.at,
    });
    let request = d["request"].as_i64();
    let request_link = request.map(|r| format!("/requests/{r}"));
    let (kind, text, link, level) = match e.action.as_str() {
        "incident.declared" => (
            EntryKind::Declared,
            format!("{} declared the incident: {}", e.actor, s("title")),
            None,
            None,
        ),
        "incident.lead" => (
            EntryKind::Lead,
            format!("{} took the lead", e.actor),
            None,
            None,
        ),
        "incident.status" => (
            EntryKind::Status,
            format!("{} set the status to {}", e.actor, s("status")),
            None,
            None,
        ),
        "incident.severity" => (
            EntryKind::Severity,
            format!("{} set the severity to {}", e.actor, s("severity")),
            None,
            None,
        ),
        "incident.note" => (EntryKind::Note, s("text"), None, None),
        "incident.step_done" => (
            EntryKind::Escalation,
            format!("{} marked done: {}", e.actor, s("words")),
            None,
            None,
        ),
        "incident.step_due" => (
            EntryKind::Escalation,
            format!("Due now: {}", s("words")),
            None,
            Some(Level::Warning),
        ),
        "incident.resolved" => (
            EntryKind::Resolved,
            format!("{} resolved it: {}", e.actor, s("summary")),
            None,
            Some(Level::Ok),
        ),
        "incident.started" => (
            EntryKind::Change,
            format!("Writes stopped: {}", s("reason")),
            request_link,
            Some(Level::Critical),
        ),
        "action.requested" => (
            EntryKind::Change,
            format!(
                "{} asked for request {}: {} — {}",
                e.actor,
                request.unwrap_or_default(),
                d["action"]["kind"]
                    .as_str()
                    .unwrap_or("an action")
                    .replace('_', " "),
                s("reason")
            ),
            request_link,
            None,
        ),
        "action.approval" | "action.rejection" | "action.break_glass" => (
            EntryKind::Change,
            format!(
                "{} {} request {}{}",
                e.actor,
                match e.action.as_str() {
                    "action.approval" => "approved",
                    "action.rejection" => "rejected",
                    _ => "broke the glass on",
                },
                request.unwrap_or_default(),
                match s("comment").as_str() {
                    "" => String::new(),
                    c => format!(": {c}"),
                }
            ),
            request_link,
            None,
        ),
        "action.succeeded" | "action.failed" | "action.outcome_unknown" => (
            EntryKind::Change,
            format!(
                "Request {} {}: {}",
                request.unwrap_or_default(),
                e.action.trim_start_matches("action.").replace('_', " "),
                s("result")
            ),
            request_link,
            Some(match e.action.as_str() {
                "action.succeeded" => Level::Ok,
                _ => Level::Critical,
            }),
        ),
        "deploy.review" => (
            EntryKind::Gate,
            format!(
                "{} {} run {} at the approval gate{}",
                e.actor,
                if s("decision") == "approve" {
                    "approved"
                } else {
                    "rejected"
                },
                d["run_id"],
                match s("comment").as_str() {
                    "" => String::new(),
                    c => format!(": {c}"),
                }
            ),
            None,
            None,
        ),
        _ => return None,
    };
    Some(Entry {
        at: e.at,
        kind,
        text,
        who,
        link,
        level,
    })
}
