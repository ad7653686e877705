//! What crosses between replicas: each published item as (key, sequence number, JSON), and the
//! leader's items applied to a follower's hub exactly as they were, so every replica sends the
//! same bytes with the same event ids.

use super::{frame, Hub, LiveItem, Published, PublishedCloud, PublishedInbox, PublishedIncidents};
use app::domain::in_flight::OpenRequest;
use app::domain::incident::IncidentsLive;
use app::domain::{CloudSnapshot, EnvSnapshot};
use std::sync::Arc;

impl LiveItem {
    /// "env:prod", "cloud:prod", "inbox", "incidents": one row per key between replicas.
    pub fn replica_key(&self) -> String {
        match self.key() {
            (kind, "") => kind.to_owned(),
            (kind, name) => format!("{kind}:{name}"),
        }
    }

    /// The event's JSON, as sent (the `data:` line of its frame).
    pub fn json(&self) -> String {
        let frame = self.frame();
        let text = String::from_utf8_lossy(&frame);
        text.split_once("\ndata: ")
            .map(|(_, rest)| rest.trim_end_matches('\n').to_owned())
            .unwrap_or_default()
    }
}

#[derive(serde::Deserialize)]
struct Inbox {
    pending: u32,
    open: Vec<OpenRequest>,
}

impl Hub {
    /// Apply an item another replica published, when it is newer than what this hub has. An
    /// environment this replica does not have configured, or JSON it cannot read, is skipped and
    /// said (`Err`): replicas must run the same configuration and version.
    pub fn apply_remote(&self, key: &str, seq: u64, json: &str) -> Result<bool, String> {
        let (kind, name) = key.split_once(':').unwrap_or((key, ""));
        let bad = |e: serde_json::Error| format!("{key}: {e}");
        let mut applied = Ok(false);
        self.tx.send_if_modified(|state| {
            let newer = |have: u64| seq > have;
            let frame = frame(kind, seq, json);
            applied = match kind {
                "env" => match serde_json::from_str::<EnvSnapshot>(json).map_err(bad) {
                    Err(e) => Err(e),
                    Ok(mut snapshot) => {
                        snapshot.seq = seq;
                        match state.envs.iter_mut().find(|e| e.name.as_str() == name) {
                            Some(slot) if newer(slot.seq) => {
                                *slot = Arc::new(Published { snapshot, frame });
                                Ok(true)
                            }
                            Some(_) => Ok(false),
                            None => Err(format!("{key}: no such environment here")),
                        }
                    }
                },
                "cloud" => match serde_json::from_str::<CloudSnapshot>(json).map_err(bad) {
                    Err(e) => Err(e),
                    Ok(mut cloud) => {
                        cloud.seq = seq;
                        match state
                            .clouds
                            .iter_mut()
                            .find(|c| c.cloud.name.as_str() == name)
                        {
                            Some(slot) if newer(slot.cloud.seq) => {
                                *slot = Arc::new(PublishedCloud { cloud, frame });
                                Ok(true)
                            }
                            Some(_) => Ok(false),
                            None => Err(format!("{key}: no such environment with AWS here")),
                        }
                    }
                },
                "inbox" => match serde_json::from_str::<Inbox>(json).map_err(bad) {
                    Err(e) => Err(e),
                    Ok(_) if state.inbox.as_ref().is_some_and(|i| !newer(i.seq)) => Ok(false),
                    Ok(i) => {
                        state.inbox = Some(Arc::new(PublishedInbox {
                            seq,
                            pending: i.pending,
                            open: i.open,
                            frame,
                        }));
                        Ok(true)
                    }
                },
                "incidents" => match serde_json::from_str::<IncidentsLive>(json).map_err(bad) {
                    Err(e) => Err(e),
                    Ok(_) if state.incidents.as_ref().is_some_and(|i| !newer(i.live.seq)) => {
                        Ok(false)
                    }
                    Ok(mut live) => {
                        live.seq = seq;
                        state.incidents = Some(Arc::new(PublishedIncidents { live, frame }));
                        Ok(true)
                    }
                },
                other => Err(format!("{other:?} is not a kind of live item")),
            };
            matches!(applied, Ok(true))
        });
        applied
    }
}
