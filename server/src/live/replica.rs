//! Several replicas behind a load balancer, one set of pollers. Every replica serves every
//! request; the pollers that call upstream (health probes, the AWS sources, GitHub) run on one
//! replica at a time, the leader, chosen by a lease in Postgres (`leases`). The leader renews it
//! every `every`; when it dies or cannot reach the database, the lease runs out after `ttl` and
//! another replica takes over (within two probe intervals).
//!
//! What viewers see crosses through Postgres too: the leader writes each item it publishes to
//! `live_items` (newest per key) and NOTIFYs `opsdeck_live`; every replica applies the newer items
//! to its own hub with the leader's sequence numbers, so all viewers see the same figures with the
//! same ages and event ids, and a browser that reconnects to another replica with `Last-Event-ID`
//! loses nothing. A follower also reads the table every `every`, in case a notification was lost.

use super::{Hub, LiveItem};
use crate::store::replicas::{self, LiveRow, CHANNEL};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The lease of the pollers.
const LEASE: &str = "pollers";

/// What the leader runs: spawns the pollers into the set it is given (aborted on losing the lease).
pub type Lead = Box<dyn Fn(&mut JoinSet<()>) + Send + Sync>;

pub struct Replica {
    pub pool: PgPool,
    pub hub: Arc<Hub>,
    /// This process, as the lease names it.
    pub id: String,
    /// How long a lease lasts without renewal.
    pub ttl: Duration,
    pub lead: Lead,
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// The lease and the renewal interval for a probe interval: a replica takes over at most
/// `ttl + every` = 2 intervals after the leader's last renewal (at least 1.5 s, so a slow
/// database under load does not make leaders change hands).
pub fn timing(interval: Duration) -> (Duration, Duration) {
    let ttl = (interval * 3 / 2).max(Duration::from_millis(1500));
    (ttl, ttl / 3)
}

/// Give the pollers' lease up (at shutdown, once nothing renews it): another replica takes over
/// at once.
pub async fn release(pool: &PgPool, replica: &str) -> Result<(), sqlx::Error> {
    replicas::release_lease(pool, LEASE, replica).await
}

/// Whether this replica leads, and since when it last held the lease.
struct Leading {
    pollers: Option<JoinSet<()>>,
    last_held: Instant,
}

impl Replica {
    /// Follow the leader's items and lead when the lease is free, until `shutdown`. The lease is
    /// tried once before this returns, so a lone replica leads from its first moment.
    pub async fn start(self, shutdown: CancellationToken, tasks: &mut JoinSet<()>) {
        let me = Arc::new(self);
        me.hub.set_leading(false);
        let after = me.first_items().await;
        let mut leading = Leading {
            pollers: None,
            last_held: Instant::now(),
        };
        me.step(&mut leading, &shutdown).await;
        tasks.spawn(me.clone().follow(after, shutdown.clone()));
        tasks.spawn(me.lead_when_free(leading, shutdown));
    }

    fn every(&self) -> Duration {
        self.ttl / 3
    }

    /// What a live leader published before this replica came, applied; nothing from a leader that
    /// is gone (its figures would pass for current until the first poll). The newest item seen.
    async fn first_items(&self) -> i64 {
        match replicas::lease_holder(&self.pool, LEASE).await {
            Ok(Some(_)) => {
                let mut after = 0;
                if let Err(e) = self.catch_up(&mut after).await {
                    tracing::warn!("reading the leader's live items failed: {e}");
                }
                after
            }
            Ok(None) => replicas::newest_live_seq(&self.pool).await.unwrap_or(0),
            Err(e) => {
                tracing::warn!("reading the pollers' lease failed: {e}");
                0
            }
        }
    }

    /// Take or renew the lease, and start or stop leading accordingly.
    async fn step(self: &Arc<Self>, leading: &mut Leading, shutdown: &CancellationToken) {
        let held = match replicas::hold_lease(&self.pool, LEASE, &self.id, self.ttl).await {
            Ok(h) => {
                if h {
                    leading.last_held = Instant::now();
                }
                h
            }
            // The database does not answer: keep leading only while the lease lasts.
            Err(e) => {
                tracing::warn!("renewing the pollers' lease failed: {e}");
                leading.pollers.is_some() && leading.last_held.elapsed() < self.ttl
            }
        };
        match (held, leading.pollers.is_some()) {
            (true, false) => {
                // The follower has applied everything the last leader published.
                let mut set = JoinSet::new();
                self.hub.set_leading(true);
                set.spawn(self.clone().publish(shutdown.child_token()));
                (self.lead)(&mut set);
                self.metrics.leader.set(1);
                tracing::info!(replica = %self.id, "leading: this replica runs the pollers");
                leading.pollers = Some(set);
            }
            (false, true) => {
                tracing::warn!(replica = %self.id, "lost the pollers' lease: following");
                self.hub.set_leading(false);
                self.metrics.leader.set(0);
                leading.pollers = None; // dropping the set aborts the pollers
            }
            _ => {}
        }
    }

    async fn lead_when_free(self: Arc<Self>, mut leading: Leading, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.every()) => {}
            }
            self.step(&mut leading, &shutdown).await;
        }
    }

    /// The leader's side: write each newer item to `live_items` and announce it.
    async fn publish(self: Arc<Self>, stop: CancellationToken) {
        let mut rx = self.hub.subscribe();
        let mut sent = rx.borrow().items().map(|i| i.seq()).max().unwrap_or(0);
        loop {
            let fresh: Vec<LiveItem> = rx
                .borrow_and_update()
                .items()
                .filter(|i| i.seq() > sent)
                .collect();
            if !fresh.is_empty() {
                match self.write(&fresh).await {
                    Ok(()) => sent = fresh.iter().map(LiveItem::seq).max().unwrap_or(sent),
                    // Tried again with the next change (or the next renewal's wake-up).
                    Err(e) => tracing::warn!("publishing live items to the replicas failed: {e}"),
                }
            }
            tokio::select! {
                () = stop.cancelled() => return,
                changed = rx.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(self.every()) => {}
            }
        }
    }

    async fn write(&self, items: &[LiveItem]) -> Result<(), sqlx::Error> {
        let rows: Vec<LiveRow> = items
            .iter()
            .map(|i| LiveRow {
                key: i.replica_key(),
                seq: i64::try_from(i.seq()).unwrap_or(i64::MAX),
                payload: i.json(),
            })
            .collect();
        replicas::write_live_items(&self.pool, &rows).await
    }

    /// Apply every item newer than `after` (then the newest seen).
    async fn catch_up(&self, after: &mut i64) -> Result<(), sqlx::Error> {
        let rows = replicas::live_items_after(&self.pool, *after).await?;
        for LiveRow { key, seq, payload } in rows {
            *after = (*after).max(seq);
            if let Err(e) = self
                .hub
                .apply_remote(&key, u64::try_from(seq).unwrap_or(0), &payload)
            {
                tracing::warn!("a live item from another replica was not applied: {e}");
            }
        }
        Ok(())
    }

    /// Every replica's side: apply what the leader publishes, on each notification and at least
    /// every `every` (the leader's own items are already there and are skipped).
    async fn follow(self: Arc<Self>, mut after: i64, shutdown: CancellationToken) {
        let mut listener: Option<PgListener> = None;
        loop {
            if listener.is_none() {
                listener = match PgListener::connect_with(&self.pool).await {
                    Ok(mut l) => match l.listen(CHANNEL).await {
                        Ok(()) => Some(l),
                        Err(e) => {
                            tracing::warn!("listening for live items failed: {e}");
                            None
                        }
                    },
                    Err(e) => {
                        tracing::warn!("listening for live items failed: {e}");
                        None
                    }
                };
            }
            if let Err(e) = self.catch_up(&mut after).await {
                tracing::warn!("reading live items failed: {e}");
            }
            let wait = tokio::time::sleep(self.every());
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = wait => {}
                got = async {
                    match listener.as_mut() {
                        Some(l) => l.recv().await.map(|_| ()),
                        None => std::future::pending().await,
                    }
                } => if got.is_err() { listener = None },
            }
        }
    }
}
