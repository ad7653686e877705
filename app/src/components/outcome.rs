//! What a server function answered, under the form that called it: the message with ✔, or the
//! refusal in words with ✖ (announced to screen readers either way).

use crate::domain::AppError;
use leptos::prelude::*;

pub fn outcome(answer: Option<Result<String, AppError>>) -> Option<AnyView> {
    answer.map(|r| match r {
        Ok(m) => view! { <p class="verdict lvl-ok-text" role="status">"✔ " {m}</p> }.into_any(),
        Err(e) => view! { <p class="problem" role="alert">"✖ " {e.to_string()}</p> }.into_any(),
    })
}
