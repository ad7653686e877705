//! The live tail of an environment's log group: lines streamed from `/api/v1/logs/tail` (one tail
//! per group on the server, shared by every viewer), newest first, at most 500 kept. A filter (a
//! CloudWatch pattern, checked by the server before the stream reopens with it) and pause, which
//! holds new lines until resumed. Lines are rendered as text.

use super::log_line::LogLineView;
use crate::api::check_log_filter;
use crate::domain::logs::{LogLine, TAIL_LINES};
use leptos::prelude::*;

/// Put `batch` (oldest first) in front of `lines` (newest first), keeping the newest 500. A line
/// already shown (the stream reconnected and sent its backlog again) is not added twice.
fn add(lines: &mut Vec<LogLine>, batch: Vec<LogLine>) {
    let mut shown: std::collections::HashSet<String> = lines.iter().map(|l| l.id.clone()).collect();
    let mut fresh: Vec<LogLine> = batch
        .into_iter()
        .rev()
        .filter(|l| shown.insert(l.id.clone()))
        .collect();
    fresh.append(lines);
    fresh.truncate(TAIL_LINES);
    *lines = fresh;
}

#[derive(Clone, Copy)]
struct TailState {
    lines: RwSignal<Vec<LogLine>>,
    /// Arrived while paused, oldest first.
    held: RwSignal<Vec<LogLine>>,
    paused: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    open: RwSignal<bool>,
}

impl TailState {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(&self, batch: Vec<LogLine>) {
        if self.paused.get_untracked() {
            self.held.update(|h| {
                h.extend(batch);
                let over = h.len().saturating_sub(TAIL_LINES);
                h.drain(..over);
            });
        } else {
            self.lines.update(|l| add(l, batch));
        }
    }
}

#[component]
pub fn LogTail(env: String) -> impl IntoView {
    let state = TailState {
        lines: RwSignal::new(Vec::new()),
        held: RwSignal::new(Vec::new()),
        paused: RwSignal::new(false),
        error: RwSignal::new(None),
        open: RwSignal::new(false),
    };
    let draft = RwSignal::new(String::new());
    let applied = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let apply = Action::new(move |f: &String| {
        let f = f.clone();
        async move { (f.clone(), check_log_filter(f).await) }
    });
    Effect::new(move |_| {
        if let Some((f, result)) = apply.value().get() {
            match result {
                Ok(()) => {
                    problem.set(None);
                    state.lines.set(Vec::new());
                    state.held.set(Vec::new());
                    applied.set(f);
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        }
    });
    #[cfg(feature = "hydrate")]
    {
        let env = env.clone();
        Effect::new(move |prev: Option<Option<client::Stream>>| {
            drop(prev);
            client::open(&env, &applied.get(), state)
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = &env;
    let toggle = move |_| {
        if state.paused.get_untracked() {
            let held = state.held.try_update(std::mem::take).unwrap_or_default();
            state.lines.update(|l| add(l, held));
            state.paused.set(false);
        } else {
            state.paused.set(true);
        }
    };
    view! {
        <section class="panel log-tail" data-panel="log-tail">
            <h2>"Live tail"</h2>
            <form class="tail-controls" on:submit=move |ev| {
                ev.prevent_default();
                apply.dispatch(draft.get_untracked());
            }>
                <label>"Filter (CloudWatch pattern) "
                    <input type="text" name="filter" placeholder="ERROR, \"authentication failed\", [..., status_code = 5*, ms]"
                        prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev)) />
                </label>
                <button type="submit">"Apply"</button>
                <button type="button" data-pause="" on:click=toggle>
                    {move || if state.paused.get() { format!("Resume ({} new)", state.held.get().len()) } else { "Pause".to_owned() }}
                </button>
            </form>
            {move || problem.get().map(|p| view! { <p class="problem" role="alert"><span aria-hidden="true">"✖ "</span>{p}</p> })}
            {move || state.error.get().map(|p| view! { <p class="problem source-error" role="alert"><span aria-hidden="true">"▲ "</span>{p}</p> })}
            <p class="muted tail-status">
                {move || match (state.open.get(), applied.get()) {
                    (false, _) => "Connecting…".to_owned(),
                    (true, f) if f.is_empty() => "Following every line, newest first (the newest 500 are kept).".to_owned(),
                    (true, f) => format!("Following lines matching {f}, newest first (the newest 500 are kept)."),
                }}
            </p>
            <ul class="log-lines tail-lines" data-tail-lines="">
                <For each=move || state.lines.get() key=|l| l.id.clone() let:line>
                    <LogLineView line />
                </For>
            </ul>
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use super::TailState;
    use crate::domain::logs::TailBatch;
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{EventSource, MessageEvent};

    /// An open stream; dropping it closes it (a new filter, or leaving the page).
    pub struct Stream(SendWrapper<EventSource>);

    impl Drop for Stream {
        fn drop(&mut self) {
            self.0.close();
        }
    }

    pub fn open(env: &str, filter: &str, state: TailState) -> Option<Stream> {
        let url = format!(
            "/api/v1/logs/tail?env={}&filter={}",
            js_sys::encode_uri_component(env),
            js_sys::encode_uri_component(filter)
        );
        state.open.set(false);
        // Only a malformed URL fails here, and ours is encoded.
        let source = EventSource::new(&url).ok()?;
        let on_lines = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(batch) = ev
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str::<TailBatch>(&t).ok())
            else {
                return;
            };
            state.open.set(true);
            match batch.error {
                Some(e) => state.error.set(Some(e)),
                None if !batch.lines.is_empty() => state.error.set(None),
                None => {}
            }
            state.receive(batch.lines);
        });
        let _ = source.add_event_listener_with_callback("lines", on_lines.as_ref().unchecked_ref());
        on_lines.forget();
        let src = source.clone();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            state.open.set(false);
            if src.ready_state() == EventSource::CLOSED {
                state.error.set(Some(
                    "the tail stream was closed by the server; reload the page to open it again"
                        .into(),
                ));
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        Some(Stream(SendWrapper::new(source)))
    }
}
