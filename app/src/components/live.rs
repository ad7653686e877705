//! The live feed: one Server-Sent Events connection per page load to `/api/v1/live`, whose
//! snapshots override what the page was rendered with, plus a ticking clock for data ages.
//! On the server it is inert; in the browser it connects after hydration and reconnects forever.

use crate::domain::in_flight::OpenRequest;
use crate::domain::incident::IncidentsLive;
use crate::domain::{CloudSnapshot, Dashboard, EnvSnapshot};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct LiveFeed {
    /// Newest snapshot per environment received over SSE.
    pub updates: RwSignal<Vec<EnvSnapshot>>,
    /// Newest AWS snapshot per environment received over SSE.
    pub clouds: RwSignal<Vec<CloudSnapshot>>,
    /// Action requests waiting for a decision (once the stream said).
    pub pending: RwSignal<Option<u32>>,
    /// Requests waiting, running or with an unknown outcome (once the stream said).
    pub in_flight: RwSignal<Option<Vec<OpenRequest>>>,
    /// Open incidents and proposals: from the page's data, then the stream.
    pub incidents: RwSignal<Option<IncidentsLive>>,
    pub connected: RwSignal<bool>,
    /// The session ended (signed out, expired, wall token revoked): retrying will not help.
    pub signed_out: RwSignal<bool>,
    pub hydrated: RwSignal<bool>,
    /// Wall-clock time on the server's clock, ticking once a second in the browser.
    pub now: RwSignal<DateTime<Utc>>,
    /// Server clock minus browser clock, so ages do not depend on a wall screen's clock.
    pub offset_ms: RwSignal<i64>,
}

impl LiveFeed {
    /// The dashboard the page was rendered with, brought up to date by live updates.
    pub fn merge(&self, mut base: Dashboard) -> Dashboard {
        for update in self.updates.get() {
            base.apply(update);
        }
        for update in self.clouds.get() {
            base.apply_cloud(update);
        }
        if let Some(live) = self.incidents.get().filter(|l| l.seq >= base.incidents.seq) {
            base.incidents = live;
        }
        if let Some(open) = self.in_flight.get() {
            base.in_flight = open;
        }
        base
    }

    /// What the page was rendered with about incidents, unless the stream brought newer.
    pub fn seed_incidents(&self, from_page: &IncidentsLive) {
        let newer = self
            .incidents
            .get_untracked()
            .is_none_or(|l| l.seq < from_page.seq);
        // Untracked, as in `sync_clock`: called while a `Suspense` swaps views.
        if newer {
            self.incidents
                .update_untracked(|v| *v = Some(from_page.clone()));
        }
    }

    /// Align the browser's clock with the server's, from a page's `generated_at`. The browser's
    /// first value then equals the server's, so rendered ages hydrate unchanged.
    pub fn sync_clock(&self, server_now: DateTime<Utc>) {
        // Untracked: pages call this while their `Suspense` swaps the old view for the new one.
        // Notifying would queue the old view's closures, which then run after their owner (and
        // its memos and actions) is gone, and panic. The ticker notifies within a second.
        #[cfg(feature = "hydrate")]
        {
            let local = local_now();
            let offset = (server_now - local).num_milliseconds();
            self.offset_ms.update_untracked(|v| *v = offset);
            self.now.update_untracked(|v| *v = server_now);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = server_now;
    }

    /// The newest AWS snapshot of one environment, if a live update beats `base`.
    pub fn cloud(&self, base: Option<CloudSnapshot>) -> Option<CloudSnapshot> {
        let base = base?;
        match self.clouds.get().into_iter().find(|c| c.name == base.name) {
            Some(u) if u.seq >= base.seq => Some(u),
            _ => Some(base),
        }
    }

    /// The newest snapshot of one environment, if a live update beats `base`.
    pub fn env(&self, mut base: EnvSnapshot) -> EnvSnapshot {
        if let Some(u) = self.updates.get().into_iter().find(|u| u.name == base.name) {
            if u.seq >= base.seq {
                base = u;
            }
        }
        base
    }
}

/// This side's clock: the server's when rendering there, the browser's in the browser.
pub fn local_now() -> DateTime<Utc> {
    #[cfg(feature = "ssr")]
    {
        Utc::now()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        DateTime::UNIX_EPOCH
    }
}

pub fn provide_live_feed() {
    let feed = LiveFeed {
        updates: RwSignal::new(Vec::new()),
        clouds: RwSignal::new(Vec::new()),
        pending: RwSignal::new(None),
        in_flight: RwSignal::new(None),
        incidents: RwSignal::new(None),
        connected: RwSignal::new(false),
        signed_out: RwSignal::new(false),
        hydrated: RwSignal::new(false),
        now: RwSignal::new(local_now()),
        offset_ms: RwSignal::new(0),
    };
    provide_context(feed);
    // Only someone who may see opsdeck gets a live stream (the sign-in page would get 401s).
    #[cfg(feature = "hydrate")]
    {
        let session = use_context::<super::session::SessionResource>();
        Effect::new(move |_| {
            let may_watch = session
                .and_then(|s| s.get_untracked())
                .and_then(Result::ok)
                .flatten()
                .is_some();
            client::start(feed, may_watch)
        });
    }
}

pub fn use_live_feed() -> LiveFeed {
    use_context::<LiveFeed>().unwrap_or_else(|| {
        provide_live_feed();
        expect_context::<LiveFeed>()
    })
}

#[cfg(feature = "hydrate")]
mod client {
    use super::{local_now, IncidentsLive, LiveFeed, OpenRequest};
    use crate::domain::{CloudSnapshot, EnvSnapshot};
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{EventSource, MessageEvent};

    /// The first wait before opening a new stream; doubled after each failure in a row (a server
    /// answering 429 to too many streams, or one that is down), at most `RECONNECT_MAX_MS`, with
    /// jitter so many screens do not come back at the same moment.
    const RECONNECT_MS: f64 = 3_000.0;
    const RECONNECT_MAX_MS: f64 = 60_000.0;

    thread_local! {
        /// Failed connections in a row.
        static FAILURES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    pub fn start(feed: LiveFeed, connect_feed: bool) {
        feed.hydrated.set(true);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
        let tick = Closure::<dyn FnMut()>::new(move || {
            let offset = chrono::Duration::milliseconds(feed.offset_ms.get_untracked());
            feed.now.set(local_now() + offset);
        });
        let _ = window().set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            1_000,
        );
        tick.forget();
        if connect_feed {
            connect(feed);
        }
    }

    /// True when `/api/v1/session` answers 401: the session is over.
    async fn session_gone() -> bool {
        let Ok(value) =
            wasm_bindgen_futures::JsFuture::from(window().fetch_with_str("/api/v1/session")).await
        else {
            return false; // the server is unreachable: keep retrying
        };
        value
            .dyn_into::<web_sys::Response>()
            .map(|r| r.status() == 401)
            .unwrap_or(false)
    }

    fn reconnect_later(feed: LiveFeed) {
        let failures = FAILURES.with(|f| {
            f.set(f.get().saturating_add(1));
            f.get()
        });
        let backoff = (RECONNECT_MS * 2f64.powi(failures.min(10) as i32 - 1)).min(RECONNECT_MAX_MS);
        let wait = backoff * (0.75 + 0.5 * js_sys::Math::random());
        let again = Closure::once_into_js(move || connect(feed));
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
            again.unchecked_ref(),
            wait as i32,
        );
    }

    /// Keep `into` up to date with the stream's `event` events (one snapshot per environment).
    fn listen<T>(source: &EventSource, event: &str, into: RwSignal<Vec<T>>, feed: LiveFeed)
    where
        T: crate::domain::dashboard::Versioned
            + serde::de::DeserializeOwned
            + Send
            + Sync
            + 'static,
    {
        let on_event = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            // An event this build cannot read is skipped; the next one replaces it anyway.
            let Ok(snap) = serde_json::from_str::<T>(&text) else {
                return;
            };
            into.update(|all| crate::domain::dashboard::upsert(all, snap));
            feed.connected.set(true);
        });
        let _ = source.add_event_listener_with_callback(event, on_event.as_ref().unchecked_ref());
        on_event.forget();
    }

    fn connect(feed: LiveFeed) {
        let Ok(source) = EventSource::new("/api/v1/live") else {
            reconnect_later(feed);
            return;
        };
        listen::<EnvSnapshot>(&source, "env", feed.updates, feed);
        listen::<CloudSnapshot>(&source, "cloud", feed.clouds, feed);
        let on_inbox = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(v) = ev
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            else {
                return;
            };
            if let Some(n) = v["pending"].as_u64() {
                feed.pending.set(Some(u32::try_from(n).unwrap_or(u32::MAX)));
            }
            if let Ok(open) = serde_json::from_value::<Vec<OpenRequest>>(v["open"].clone()) {
                feed.in_flight.set(Some(open));
            }
        });
        let _ = source.add_event_listener_with_callback("inbox", on_inbox.as_ref().unchecked_ref());
        on_inbox.forget();
        let on_incidents = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let live = ev
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str::<IncidentsLive>(&t).ok());
            if let Some(live) = live {
                feed.incidents.set(Some(live));
            }
        });
        let _ = source
            .add_event_listener_with_callback("incidents", on_incidents.as_ref().unchecked_ref());
        on_incidents.forget();

        let on_open = Closure::<dyn FnMut()>::new(move || {
            FAILURES.with(|f| f.set(0));
            feed.connected.set(true);
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        // The browser retries by itself after a dropped stream; when it gives up (the server
        // answered with an error, e.g. a proxy's 502 during a restart) we open a new one.
        let src = source.clone();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            feed.connected.set(false);
            // EventSource hides the status: ask whether the session is still there, so a signed-out
            // page says so instead of reconnecting forever.
            wasm_bindgen_futures::spawn_local(async move {
                if session_gone().await {
                    feed.signed_out.set(true);
                }
            });
            if src.ready_state() == EventSource::CLOSED {
                src.close();
                if !feed.signed_out.get_untracked() {
                    reconnect_later(feed);
                }
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }
}
