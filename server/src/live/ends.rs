//! Ends live streams (the live feed, log tails) whose session has ended — signed out, expired —
//! or whose wall screen's token was revoked. One task checks every open stream at once: one query
//! for all their sessions every [`SESSION_CHECK`], one for all wall tokens every [`WALL_CHECK`],
//! however many viewers there are (a query per viewer every few seconds would be 1,000 queries a
//! second at 10,000 viewers). A database that does not answer ends nothing.

use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often wall screens' tokens are checked: a revoked screen must go dark within seconds.
pub const WALL_CHECK: Duration = Duration::from_secs(2);
/// How often people's sessions are checked.
pub const SESSION_CHECK: Duration = Duration::from_secs(10);

struct Watched {
    session: Option<String>,
    wall: Option<i64>,
    stop: CancellationToken,
}

#[derive(Default)]
pub struct StreamEnds {
    next: AtomicU64,
    open: Mutex<HashMap<u64, Watched>>,
}

/// A stream's place in the watch; leaves it when dropped (with the stream).
pub struct Watching {
    ends: Arc<StreamEnds>,
    id: u64,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.ends.lock().remove(&self.id);
    }
}

impl StreamEnds {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Watched>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Cancel `stop` once `session` has ended or the wall token `wall` is revoked.
    pub fn watch(
        self: &Arc<Self>,
        session: Option<String>,
        wall: Option<i64>,
        stop: CancellationToken,
    ) -> Watching {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(
            id,
            Watched {
                session,
                wall,
                stop,
            },
        );
        Watching {
            ends: self.clone(),
            id,
        }
    }

    /// How many streams are watched.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Check wall tokens every [`WALL_CHECK`] and sessions every [`SESSION_CHECK`] until
    /// `shutdown`.
    pub fn spawn(
        self: &Arc<Self>,
        pool: PgPool,
        shutdown: CancellationToken,
        tasks: &mut tokio::task::JoinSet<()>,
    ) {
        let ends = self.clone();
        let every = u32::try_from(SESSION_CHECK.as_secs() / WALL_CHECK.as_secs()).unwrap_or(1);
        tasks.spawn(async move {
            let mut round: u32 = 0;
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(WALL_CHECK) => {}
                }
                round = round.wrapping_add(1);
                ends.check(&pool, round.is_multiple_of(every.max(1))).await;
            }
        });
    }

    /// One round: wall tokens always, sessions when `sessions`.
    pub async fn check(&self, pool: &PgPool, sessions: bool) {
        let (walls, ids): (HashSet<i64>, HashSet<String>) = {
            let open = self.lock();
            (
                open.values().filter_map(|w| w.wall).collect(),
                if sessions {
                    open.values().filter_map(|w| w.session.clone()).collect()
                } else {
                    HashSet::new()
                },
            )
        };
        let revoked = if walls.is_empty() {
            HashSet::new()
        } else {
            let asked: Vec<i64> = walls.iter().copied().collect();
            match crate::store::wall_tokens::active_among(pool, &asked).await {
                Ok(active) => {
                    let active: HashSet<i64> = active.into_iter().collect();
                    walls.difference(&active).copied().collect()
                }
                Err(e) => {
                    tracing::warn!("checking live streams' wall tokens failed: {e}");
                    HashSet::new()
                }
            }
        };
        let gone: HashSet<String> = if ids.is_empty() {
            HashSet::new()
        } else {
            let asked: Vec<String> = ids.iter().cloned().collect();
            match crate::store::replicas::sessions_alive(pool, &asked).await {
                Ok(alive) => {
                    let alive: HashSet<String> = alive.into_iter().collect();
                    ids.difference(&alive).cloned().collect()
                }
                Err(e) => {
                    tracing::warn!("checking live streams' sessions failed: {e}");
                    HashSet::new()
                }
            }
        };
        if revoked.is_empty() && gone.is_empty() {
            return;
        }
        let open = self.lock();
        let mut ended = 0;
        for w in open.values() {
            let is_revoked = w.wall.is_some_and(|id| revoked.contains(&id));
            let is_gone = w.session.as_ref().is_some_and(|s| gone.contains(s));
            if is_revoked || is_gone {
                w.stop.cancel();
                ended += 1;
            }
        }
        tracing::info!(
            ended,
            revoked = revoked.len(),
            sessions_gone = gone.len(),
            "sessions ended: closing their live streams"
        );
    }
}
