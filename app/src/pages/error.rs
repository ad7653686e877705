//! How a page shows an error it could not recover from: in words, never a blank page.

use crate::api::AppError;
use leptos::prelude::*;

#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let title = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::BadRequest(_) => "Bad request",
        AppError::Unauthorized(_) => "Please sign in",
        AppError::Forbidden(_) => "Not allowed",
        AppError::Conflict(_) => "Already done",
        AppError::Unavailable(_) | AppError::Transport(_) => "Unavailable",
    };
    view! {
        <section class="error-panel" role="alert">
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
            <p><a href="/">"Back to the dashboard"</a></p>
        </section>
    }
}
