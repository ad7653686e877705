//! `/demo`: the demo control — make the simulated Conflicto slow, failing or down and watch the
//! dashboard react. Works without wasm (plain form posts).

use super::ErrorPanel;
use crate::api::{get_demo_faults, SetDemoFault, StartIncidentScenario};
use crate::components::Header;
use crate::domain::Fault;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DemoPage() -> impl IntoView {
    let set_fault = ServerAction::<SetDemoFault>::new();
    let scenario = ServerAction::<StartIncidentScenario>::new();
    let freeze = ServerAction::<crate::api::DeclareFreeze>::new();
    let fail_job = ServerAction::<crate::api::FailNightlyJob>::new();
    let faults = Resource::new(move || set_fault.version().get(), |_| get_demo_faults());
    view! {
        <Title text="opsdeck — demo control" />
        <Header demo=true />
        <main class="page">
            <h1>"Demo control"</h1>
            <p class="muted">"Inject a fault into the simulated application, then watch the dashboard or the wall react."</p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match faults.await {
                        Ok(list) => list
                            .into_iter()
                            .map(|(env, current)| view! { <FaultRow env current action=set_fault /> })
                            .collect_view()
                            .into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
            {move || set_fault.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorPanel error /> })}
            <section class="panel" data-panel="scenario">
                <h2>"Incident scenario"</h2>
                <p class="muted">"A bad deploy reaches prod, its errors climb, then prod goes down. opsdeck proposes an incident a few probes later; declare it and watch the wall switch to the incident room."</p>
                <ActionForm action=scenario>
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <button type="submit" class="btn btn-reject" data-scenario="incident">"⚑ Start an incident scenario"</button>
                </ActionForm>
                {move || scenario.value().get().map(|r| match r {
                    Ok(m) => view! { <p class="verdict" role="status">{m}</p> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </section>
            <section class="panel" data-panel="demo-job">
                <h2>"Scheduled task"</h2>
                <p class="muted">"Run prod's nightly report job again and have it exit with code 1, as it would when the database refuses it: the morning check's scheduled-task item turns red with the task's stop reason."</p>
                <ActionForm action=fail_job>
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <button type="submit" class="btn" data-demo-job="">"✖ Fail the nightly job"</button>
                </ActionForm>
                {move || fail_job.value().get().map(|r| match r {
                    Ok(m) => view! { <p class="verdict" role="status">{m} " " <a href="/checks/morning">"See the morning check"</a></p> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </section>
            <section class="panel" data-panel="demo-freeze">
                <h2>"Change freeze"</h2>
                <p class="muted">"Freeze changes for an hour, as an approver would before a big event: every page shows the banner, the deploy gate's checklist fails, and approving a restart or a scale asks for an override reason. End it on the Actions page."</p>
                <ActionForm action=freeze>
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <input type="hidden" name="reason" value="Demo: the conference keynote is live" />
                    <input type="hidden" name="hours" value="1" />
                    <button type="submit" class="btn" data-demo-freeze="">"❄ Freeze changes for 1 hour"</button>
                </ActionForm>
                {move || freeze.value().get().map(|r| match r {
                    Ok(m) => view! { <p class="verdict" role="status">{m} " " <a href="/actions#freeze">"End it on the Actions page"</a></p> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </section>
        </main>
    }
}

#[component]
fn FaultRow(env: String, current: Fault, action: ServerAction<SetDemoFault>) -> impl IntoView {
    let buttons = Fault::ALL
        .into_iter()
        .map(|f| {
            let env = env.clone();
            let class = if f == current { "btn btn-active" } else { "btn" };
            view! {
                <ActionForm action>
                    <input type="hidden" name="env" value=env />
                    <input type="hidden" name="fault" value=f.as_str() />
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <button type="submit" class=class data-fault=f.as_str() aria-pressed=(f == current).to_string()>
                        {f.label()}
                    </button>
                </ActionForm>
            }
        })
        .collect_view();
    view! {
        <section class="panel fault-row" data-env=env.clone()>
            <h2>{env.clone()} " — now: " <b>{current.label()}</b></h2>
            <div class="fault-buttons">{buttons}</div>
        </section>
    }
}
