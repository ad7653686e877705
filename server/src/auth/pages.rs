//! The plain pages the sign-in layer answers with itself, outside the Leptos app: a sign-in that
//! failed and a person with no role. They are askama templates (`server/templates/`), so every
//! value that reaches them — a provider's error text, a display name — is escaped by the engine.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "sign_in_failed.html")]
struct SignInFailed<'a> {
    why: &'a str,
}

#[derive(Template)]
#[template(path = "no_role.html")]
struct NoRole<'a> {
    name: &'a str,
    csrf_token: &'a str,
}

/// Why a sign-in could not be finished, with a way to try again.
pub fn sign_in_failed(why: &str) -> Response {
    page(StatusCode::BAD_REQUEST, &SignInFailed { why })
}

/// Signed in, but granted no role: nothing to see, and a way to sign out.
pub fn no_role(name: &str, csrf_token: &str) -> Response {
    page(StatusCode::FORBIDDEN, &NoRole { name, csrf_token })
}

fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("rendering a page failed: {e}");
            let msg = "opsdeck could not render this page (see its log)\n";
            (StatusCode::INTERNAL_SERVER_ERROR, msg).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>";
    /// As askama escapes it (numeric character references).
    const ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

    #[test]
    fn a_hostile_reason_is_escaped() {
        let html = SignInFailed { why: HOSTILE }.render().unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains(&format!("<p>{ESCAPED}</p>")), "{html}");
        assert!(html.contains("<h1>Sign-in failed</h1>"), "{html}");
    }

    #[test]
    fn a_hostile_name_and_token_are_escaped() {
        let html = NoRole {
            name: HOSTILE,
            csrf_token: "\"><script>alert(1)</script>",
        }
        .render()
        .unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains(&format!("<b>{ESCAPED}</b>")), "{html}");
        assert!(
            html.contains(&format!("value=\"&#34;&#62;{ESCAPED}\"")),
            "the attribute is not broken out of: {html}"
        );
        assert!(html.contains("No role in opsdeck"), "{html}");
    }
}
