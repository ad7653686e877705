//! A restore request that succeeded, marked a restore drill: what was checked (restored, data
//! checked, instance cleaned up) and a note — what the weekly check's "restore drill" item reads.

use crate::api::RecordDrill;
use crate::domain::format;
use crate::domain::routines::RestoreDrill;
use leptos::prelude::*;

#[component]
pub fn DrillPanel(
    request_id: i64,
    drill: Option<RestoreDrill>,
    can_record: bool,
    action: ServerAction<RecordDrill>,
) -> impl IntoView {
    let body = match drill {
        Some(d) => view! {
            <p class=if d.proves_backups() { "verdict lvl-ok-text" } else { "verdict lvl-warning-text" } data-drill="recorded">
                <span aria-hidden="true">{if d.proves_backups() { "✔ " } else { "▲ " }}</span>
                {format!("Recorded as a restore drill by {} (#{}) at {}: {}.", d.by, d.by_id, format::datetime(d.at), d.result_words())}
            </p>
            {(!d.note.is_empty()).then(|| view! { <p class="reason">{d.note.clone()}</p> })}
        }
        .into_any(),
        None if can_record => view! {
            <p class="muted">"Was this restore a drill? Record what was checked: the weekly check looks for a drill in the last 30 days."</p>
            <ActionForm action attr:class="action-form drill-form">
                <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                <input type="hidden" name="request_id" value=request_id.to_string() />
                <label class="tick"><input type="checkbox" name="restored" value="yes" />" The new instance came up from the snapshot"</label>
                <label class="tick"><input type="checkbox" name="data_checked" value="yes" />" The data was checked (row counts, the latest records)"</label>
                <label class="tick"><input type="checkbox" name="cleaned_up" value="yes" />" The drill's instance was deleted afterwards"</label>
                <label class="wide">"Note (optional)"<input type="text" name="note" maxlength="500" /></label>
                <button type="submit" class="btn" data-record-drill="">"Record as a restore drill"</button>
            </ActionForm>
        }
        .into_any(),
        None => view! { <p class="muted">"Not recorded as a restore drill."</p> }.into_any(),
    };
    let outcome = move || crate::components::outcome::outcome(action.value().get());
    view! {
        <section class="panel" data-panel="drill" id="drill">
            <h2>"Restore drill"</h2>
            {body}
            {outcome}
        </section>
    }
}
