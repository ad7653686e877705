//! People acting through opsdeck's server functions as a browser would: signed in through the
//! demo's sign-in, posting forms with their CSRF token — and the request states they lead to.

use crate::{signed_in_client, wait_until, TestApp};
use std::time::Duration;

/// A demo person's browser: its cookies and CSRF token.
pub struct Person {
    pub client: reqwest::Client,
    pub csrf: String,
}

/// Sign in as the demo's `who` (vera, oscar, alice, abel, ada).
pub async fn person(app: &TestApp, who: &str) -> Person {
    let (client, csrf) = signed_in_client(&app.base, who).await;
    Person { client, csrf }
}

impl Person {
    pub async fn post(
        &self,
        app: &TestApp,
        endpoint: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String) {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &self.csrf));
        let r = self
            .client
            .post(format!("{}/api/fn/{endpoint}", app.base))
            .form(&form)
            .send()
            .await
            .expect("request");
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    pub async fn request(&self, app: &TestApp, fields: &[(&str, &str)]) -> (u16, String) {
        self.post(app, "request_action", fields).await
    }

    pub async fn decide(
        &self,
        app: &TestApp,
        id: i64,
        decision: &str,
        comment: &str,
    ) -> (u16, String) {
        self.post(
            app,
            "decide_request",
            &[
                ("id", &id.to_string()),
                ("decision", decision),
                ("comment", comment),
            ],
        )
        .await
    }
}

/// A request's state as stored.
pub async fn state(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM action_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool().await)
        .await
        .expect("state")
}

/// Wait until request `id` is `want`, or fail after `within`.
pub async fn until_state(app: &TestApp, id: i64, want: &str, within: Duration) {
    wait_until(within, &format!("request {id} {want}"), || async {
        let s = state(app, id).await;
        if s == want {
            Ok(())
        } else {
            Err(format!("request {id} is {s}"))
        }
    })
    .await
}
