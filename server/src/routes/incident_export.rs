//! `GET /incidents/{id}/export.md` and `.json`: a post-incident draft — the record, its durations,
//! the timeline, the change-control actions and the people — as Markdown (an askama template) and
//! as JSON. Everything in it that people or upstreams wrote is escaped for Markdown (and HTML), so
//! pasting the draft into a wiki cannot make a note a link or a script.

use crate::state::AppState;
use app::domain::incident::{EntryKind, IncidentPage};
use app::domain::{format, SessionInfo};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::fmt;

/// Text people or upstreams wrote, escaped for Markdown and HTML when the template shows it.
struct Md(String);

impl fmt::Display for Md {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '&' => f.write_str("&amp;")?,
                '\n' | '\r' => f.write_str(" ")?,
                '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '{' | '}'
                | '~' => write!(f, "\\{c}")?,
                c => write!(f, "{c}")?,
            }
        }
        Ok(())
    }
}

struct Line {
    at: String,
    kind: &'static str,
    text: Md,
    who: String,
}

#[derive(Template)]
#[template(path = "postmortem.md", escape = "none")]
struct Draft {
    id: i64,
    title: Md,
    severity: &'static str,
    status: &'static str,
    environments: String,
    started: String,
    declared: String,
    declared_by: Md,
    lead: Md,
    resolved: String,
    to_detect: String,
    to_mitigate: String,
    to_resolve: String,
    summary: Md,
    timeline: Vec<Line>,
    actions: Vec<Md>,
    people: Vec<Md>,
}

async fn page(state: &AppState, info: &SessionInfo, id: i64) -> Result<IncidentPage, Response> {
    app::usecases::incident::room(&state.services, &info.principal, id)
        .await
        .map_err(|e| {
            let code =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (code, format!("{e}\n")).into_response()
        })
}

fn people(p: &IncidentPage) -> Vec<String> {
    let mut out: Vec<String> = p
        .timeline
        .iter()
        .filter_map(|e| {
            e.who
                .as_ref()
                .map(|w| format!("{} (#{})", w.who, w.user_id))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn actions(p: &IncidentPage) -> Vec<String> {
    p.timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Change)
        .map(|e| format!("{} {}", format::clock(e.at), e.text))
        .collect()
}

pub async fn markdown(
    State(state): State<AppState>,
    Extension(info): Extension<SessionInfo>,
    Path(id): Path<i64>,
) -> Response {
    let p = match page(&state, &info, id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let i = &p.incident;
    let d = i.durations();
    let dur = |s: Option<i64>| s.map(format::elapsed).unwrap_or_else(|| "not yet".into());
    let draft = Draft {
        id: i.id,
        title: Md(i.title.clone()),
        severity: i.severity.label(),
        status: i.status.as_str(),
        environments: i
            .environments
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        started: format::datetime(i.started_at),
        declared: format::datetime(i.declared.at),
        declared_by: Md(i.declared.who.clone()),
        lead: Md(i
            .lead
            .as_ref()
            .map(|l| l.who.clone())
            .unwrap_or_else(|| "nobody".into())),
        resolved: i
            .resolved_at
            .map(format::datetime)
            .unwrap_or_else(|| "not yet".into()),
        to_detect: format::elapsed(d.to_detect_s),
        to_mitigate: dur(d.to_mitigate_s),
        to_resolve: dur(d.to_resolve_s),
        summary: Md(i
            .summary
            .clone()
            .unwrap_or_else(|| "(not resolved yet)".into())),
        timeline: p
            .timeline
            .iter()
            .map(|e| Line {
                at: format::clock(e.at),
                kind: e.kind.as_str(),
                text: Md(e.text.clone()),
                who: e
                    .who
                    .as_ref()
                    .map(|w| Md(format!("{} (#{})", w.who, w.user_id)).to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        actions: actions(&p).into_iter().map(Md).collect(),
        people: people(&p).into_iter().map(Md).collect(),
    };
    match draft.render() {
        Ok(text) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/markdown; charset=utf-8".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"incident-{id}.md\""),
                ),
            ],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("rendering the post-incident draft failed: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the draft could not be rendered\n",
            )
                .into_response()
        }
    }
}

pub async fn json(
    State(state): State<AppState>,
    Extension(info): Extension<SessionInfo>,
    Path(id): Path<i64>,
) -> Response {
    match page(&state, &info, id).await {
        Ok(p) => Json(serde_json::json!({
            "incident": p.incident,
            "durations": p.incident.durations(),
            "timeline": p.timeline,
            "actions": actions(&p),
            "people": people(&p),
        }))
        .into_response(),
        Err(r) => r,
    }
}
