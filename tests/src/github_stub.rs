//! A local stub of GitHub's OAuth endpoints and the REST API calls sign-in makes (`/user`,
//! `/user/teams`, `/user/emails`), answering with the payloads GitHub documents — including its
//! 200-with-error token answers. It cannot check what github.com checks (real apps, real users);
//! it checks what opsdeck sends. Several people can be configured; `sign_in_as` picks who the next
//! authorization is for, as a browser signed in to github.com would.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use server::auth::token_key::TokenKey;
use server::config::GithubSignInSettings;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "Iv1.opsdeck";
pub const CLIENT_SECRET: &str = "stub-secret";

/// A GitHub account.
#[derive(Clone, Debug)]
pub struct GithubUser {
    pub login: String,
    pub id: i64,
    pub name: String,
    /// The public address on the profile (any address the person chose to show).
    pub public_email: Option<String>,
    /// `/user/emails`: (address, verified).
    pub emails: Vec<(String, bool)>,
    /// `org/team-slug`.
    pub teams: Vec<String>,
}

impl GithubUser {
    /// GitHub's documentation example: octocat, on Conflicto's on-call team.
    pub fn octocat() -> Self {
        Self {
            login: "octocat".into(),
            id: 583231,
            name: "The Octocat".into(),
            public_email: Some("octocat@github.com".into()),
            emails: vec![("octocat@github.com".into(), true)],
            teams: vec!["Conflicto/oncall".into()],
        }
    }

    /// The access token the stub issues this user (`n`: 1 at sign-in, 2 after a refresh).
    pub fn token(&self, n: u32) -> String {
        format!("ghu_{}_{n}", self.login)
    }
}

#[derive(Default)]
pub struct GithubStub {
    users: Vec<GithubUser>,
    next: Mutex<usize>,
    pub refreshes: AtomicUsize,
}

impl GithubStub {
    /// Start the stub with `users` (the first signs in unless `sign_in_as` says otherwise); its
    /// base URL (for `web_url` and `api_url`).
    pub async fn start(users: Vec<GithubUser>) -> (String, Arc<Self>) {
        let state = Arc::new(Self {
            users,
            ..Self::default()
        });
        let app = Router::new()
            .route("/login/oauth/authorize", get(authorize))
            .route("/login/oauth/access_token", post(access_token))
            .route("/user", get(user))
            .route("/user/teams", get(teams))
            .route("/user/emails", get(emails))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the GitHub stub");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (format!("http://{addr}/"), state)
    }

    /// The next authorization is `login`'s.
    pub fn sign_in_as(&self, login: &str) {
        let i = self
            .users
            .iter()
            .position(|u| u.login == login)
            .expect("a configured GitHub user");
        *self.next.lock().expect("lock") = i;
    }

    fn by_token(&self, h: &HeaderMap) -> Option<&GithubUser> {
        let auth = h.get("authorization")?.to_str().ok()?;
        self.users.iter().find(|u| {
            auth == format!("Bearer {}", u.token(1)) || auth == format!("Bearer {}", u.token(2))
        })
    }
}

async fn authorize(
    State(stub): State<Arc<GithubStub>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return (StatusCode::BAD_REQUEST, "unknown client").into_response();
    }
    let who = &stub.users[*stub.next.lock().expect("lock")];
    let to = format!(
        "{}?code=code-for-{}&state={}",
        q["redirect_uri"], who.login, q["state"]
    );
    Redirect::to(&to).into_response()
}

async fn access_token(
    State(stub): State<Arc<GithubStub>>,
    Form(f): Form<HashMap<String, String>>,
) -> Json<serde_json::Value> {
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
        return Json(
            serde_json::json!({"error": "incorrect_client_credentials", "error_description": "The client_id and/or client_secret passed are incorrect."}),
        );
    }
    let tokens = |u: &GithubUser, n: u32| {
        serde_json::json!({
            "access_token": u.token(n), "expires_in": 28800, "refresh_token": format!("ghr_{}_{n}", u.login),
            "refresh_token_expires_in": 15811200, "scope": "", "token_type": "bearer"
        })
    };
    for u in &stub.users {
        if field("grant_type") == "refresh_token"
            && field("refresh_token") == format!("ghr_{}_1", u.login)
        {
            stub.refreshes.fetch_add(1, Ordering::SeqCst);
            return Json(tokens(u, 2));
        }
        if field("code") == format!("code-for-{}", u.login) {
            return Json(tokens(u, 1));
        }
    }
    Json(
        serde_json::json!({"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}),
    )
}

fn bad_credentials() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({"message": "Bad credentials"})),
    )
        .into_response()
}

async fn user(State(stub): State<Arc<GithubStub>>, h: HeaderMap) -> Response {
    let Some(u) = stub.by_token(&h) else {
        return bad_credentials();
    };
    Json(serde_json::json!({"login": u.login, "id": u.id, "name": u.name, "email": u.public_email, "type": "User"})).into_response()
}

async fn teams(State(stub): State<Arc<GithubStub>>, h: HeaderMap) -> Response {
    let Some(u) = stub.by_token(&h) else {
        return bad_credentials();
    };
    let teams: Vec<serde_json::Value> = u
        .teams
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let (org, slug) = t.split_once('/')?;
            Some(serde_json::json!({"id": i + 1, "slug": slug, "name": slug, "organization": {"login": org, "id": 9}}))
        })
        .collect();
    Json(teams).into_response()
}

async fn emails(State(stub): State<Arc<GithubStub>>, h: HeaderMap) -> Response {
    let Some(u) = stub.by_token(&h) else {
        return bad_credentials();
    };
    let all: Vec<serde_json::Value> = u
        .emails
        .iter()
        .enumerate()
        .map(|(i, (email, verified))| {
            serde_json::json!({"email": email, "verified": verified, "primary": i == 0, "visibility": "private"})
        })
        .collect();
    Json(all).into_response()
}

/// opsdeck's `[auth.github]` for the stub at `base`, with opsdeck reachable at `public`.
pub fn sign_in_settings(base: &str, public: &str) -> GithubSignInSettings {
    GithubSignInSettings {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.to_owned().into(),
        web_url: url::Url::parse(base).unwrap(),
        api_url: url::Url::parse(base).unwrap(),
        redirect_url: url::Url::parse(&format!("{public}auth/github/callback")).unwrap(),
        token_key: TokenKey::from_base64(
            &base64::engine::general_purpose::STANDARD.encode([42u8; 32]),
        )
        .unwrap(),
    }
}
