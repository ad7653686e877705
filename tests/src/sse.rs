//! Reading Server-Sent Events (`event:`/`id:`/`data:` blocks) from `/api/v1/live` in tests.

use futures::StreamExt;
use std::time::Duration;

pub struct Events {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
    /// Only events of this kind are returned (`None`: every kind).
    only: Option<&'static str>,
}

#[derive(Debug)]
pub struct Ev {
    pub event: String,
    pub id: String,
    pub data: String,
}

impl Events {
    /// Every event of the stream.
    pub fn new(r: reqwest::Response) -> Self {
        Self {
            body: Box::pin(r.bytes_stream()),
            buf: String::new(),
            only: None,
        }
    }

    /// Only the events named `kind` ("env", "cloud", "inbox").
    pub fn only(r: reqwest::Response, kind: &'static str) -> Self {
        Self {
            only: Some(kind),
            ..Self::new(r)
        }
    }

    /// The next event, or `None` when none comes within `within` or the stream ends.
    pub async fn next(&mut self, within: Duration) -> Option<Ev> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut ev = Ev {
                    event: String::new(),
                    id: String::new(),
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        ev.event = v.trim().into();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        ev.id = v.trim().into();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        ev.data.push_str(v.trim_start());
                    }
                }
                if !ev.event.is_empty() && self.only.is_none_or(|k| k == ev.event) {
                    return Some(ev);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .ok()??
                .ok()?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event whose JSON data satisfies `pred`.
    pub async fn until(
        &mut self,
        within: Duration,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> Option<Ev> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let ev = self.next(left).await?;
            let v: serde_json::Value = serde_json::from_str(&ev.data).ok()?;
            if pred(&v) {
                return Some(ev);
            }
        }
    }
}
