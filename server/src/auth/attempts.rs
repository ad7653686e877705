//! Sign-in attempts from one client address are limited (a wrong wall token, an unknown demo
//! user, a provider callback replayed: 429 with Retry-After beyond the limit), and the failures are
//! written to the audit log as counted summaries — who or what, why, how many, first and last —
//! once per `[limits] failure_summary_every`, so six hundred anonymous failures are a few rows
//! rather than six hundred, and never a flood under the chain's global lock.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// Distinct (action, who) summaries kept between flushes; beyond, failures are counted together.
const MAX_KINDS: usize = 200;
/// Example reasons kept per summary (attacker-chosen text, shortened).
const EXAMPLES: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub action: String,
    pub actor: String,
    pub count: u64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub reasons: Vec<String>,
}

pub struct Attempts {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    trust_forwarded_for: bool,
    failures: Mutex<BTreeMap<(String, String), Summary>>,
}

impl Attempts {
    pub fn new(per_minute: u32, trust_forwarded_for: bool) -> Arc<Self> {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Arc::new(Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)),
            trust_forwarded_for,
            failures: Mutex::new(BTreeMap::new()),
        })
    }

    /// Who is asking: the connection's peer, or — behind a proxy that says so — the last address
    /// in `X-Forwarded-For` (the one the proxy appended; earlier ones are the client's own claim).
    pub fn client(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        if self.trust_forwarded_for {
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return forwarded;
            }
        }
        peer.map(|p| p.ip())
    }

    /// Admit one attempt from `client`, or say how many seconds until the next is admitted.
    pub fn admit(&self, client: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&client).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }

    /// Count a failed attempt: `action` (e.g. `sign_in_failed`), who it claimed to be (short,
    /// never attacker-sized), and why.
    pub fn failed(&self, action: &str, actor: &str, reason: &str) {
        let now = Utc::now();
        let mut all = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut key = (
            action.to_owned(),
            actor.chars().take(64).collect::<String>(),
        );
        if !all.contains_key(&key) && all.len() >= MAX_KINDS {
            key.1 = "(many others)".into();
        }
        let s = all.entry(key.clone()).or_insert_with(|| Summary {
            action: key.0.clone(),
            actor: key.1.clone(),
            count: 0,
            first: now,
            last: now,
            reasons: vec![],
        });
        s.count += 1;
        s.last = now;
        let reason: String = reason.chars().take(200).collect();
        if s.reasons.len() < EXAMPLES && !s.reasons.contains(&reason) {
            s.reasons.push(reason);
        }
    }

    /// The summaries since the last call, emptied; old limiter keys are forgotten.
    pub fn drain(&self) -> Vec<Summary> {
        self.limiter.retain_recent();
        let mut all = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *all).into_values().collect()
    }
}

/// Which requests are sign-in attempts: given by the router, which knows the routes.
pub type IsAttempt = fn(&Request) -> bool;

/// Middleware: sign-in attempts beyond the limit get 429 with Retry-After, in words.
pub async fn limit(
    State((attempts, is_attempt)): State<(Arc<Attempts>, IsAttempt)>,
    req: Request,
    next: Next,
) -> Response {
    if !is_attempt(&req) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let Some(client) = attempts.client(req.headers(), peer) else {
        return next.run(req).await;
    };
    match attempts.admit(client) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            attempts.failed(
                "sign_in_rate_limited",
                &format!("client {client}"),
                req.uri().path(),
            );
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many sign-in attempts from your address: try again in {wait} s\n"),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

/// Write the failure summaries to the audit log every `every` (and once more when asked to stop).
pub fn spawn_summaries(
    pool: sqlx::PgPool,
    attempts: Arc<Attempts>,
    every: std::time::Duration,
    tasks: &mut tokio::task::JoinSet<()>,
) {
    tasks.spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            flush(&pool, &attempts).await;
        }
    });
}

/// Write what has been counted so far.
pub async fn flush(pool: &sqlx::PgPool, attempts: &Attempts) {
    for s in attempts.drain() {
        let event = crate::store::audit::Event {
            user_id: None,
            actor: &s.actor,
            action: &s.action,
            environment: None,
            details: serde_json::json!({
                "count": s.count, "first": s.first, "last": s.last, "reasons": s.reasons,
            }),
        };
        if let Err(e) = crate::store::audit::append(pool, event).await {
            tracing::warn!(
                count = s.count,
                "recording failed sign-in attempts failed: {e}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_per_kind_with_a_few_reasons() {
        let a = Attempts::new(10, false);
        for i in 0..600 {
            a.failed(
                "wall_sign_in_failed",
                "wall:(unknown token)",
                &format!("try {}", i % 5),
            );
        }
        a.failed("sign_in_failed", "oidc:(unknown)", "state mismatch");
        let s = a.drain();
        assert_eq!(s.len(), 2);
        let wall = s
            .iter()
            .find(|s| s.action == "wall_sign_in_failed")
            .unwrap();
        assert_eq!(wall.count, 600);
        assert_eq!(wall.reasons.len(), EXAMPLES);
        assert!(a.drain().is_empty(), "drained");
    }

    #[test]
    fn the_limit_is_per_client_and_the_proxy_address_only_when_trusted() {
        let a = Attempts::new(3, false);
        let x: IpAddr = "192.0.2.7".parse().unwrap();
        let y: IpAddr = "192.0.2.8".parse().unwrap();
        for _ in 0..3 {
            assert!(a.admit(x).is_ok());
        }
        assert!(a.admit(x).unwrap_err() >= 1, "a wait in seconds");
        assert!(a.admit(y).is_ok(), "another client is not affected");
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.1, 198.51.100.9"),
        );
        let peer: SocketAddr = "10.0.0.2:5555".parse().unwrap();
        assert_eq!(a.client(&h, Some(peer)), Some(peer.ip()), "not trusted");
        let trusting = Attempts::new(3, true);
        assert_eq!(
            trusting.client(&h, Some(peer)),
            Some("198.51.100.9".parse().unwrap()),
            "the address the proxy appended"
        );
    }
}
