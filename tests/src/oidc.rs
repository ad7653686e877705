//! A real OpenID Connect provider on loopback (npm `oidc-provider`, strict: exact redirect URIs,
//! PKCE required; see `tests/oidc/provider.mjs` for its accounts), and a client that signs in
//! through its login and consent forms like a browser.

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The provider, stopped when dropped.
pub struct Provider {
    child: tokio::process::Child,
    pub issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Start the provider, which knows exactly one redirect URI.
pub async fn provider(redirect_uri: &str) -> Provider {
    let port = free_port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc/provider.mjs");
    let mut child = tokio::process::Command::new("node")
        .arg(script)
        .arg(port.to_string())
        .arg(redirect_uri)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs the test provider (make test installs it)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("ready") {
                return;
            }
        }
        panic!("the provider exited");
    })
    .await
    .expect("the provider starts");
    // Keep reading: node dies of EPIPE if it writes a notice to a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Provider {
        child,
        issuer: format!("http://127.0.0.1:{port}"),
    }
}

/// Follow redirects and fill the provider's forms (login, then consent) as `login`, until the
/// browser is back at opsdeck past the callback. Returns the last response.
pub async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    login: &str,
    next: &str,
) -> reqwest::Response {
    let form_re = regex::Regex::new(r#"<form[^>]*action="([^"]+)""#).unwrap();
    let input_re =
        regex::Regex::new(r#"<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)""#)
            .unwrap();
    let mut url = url::Url::parse(&format!("{}/auth/oidc/start?next={}", base, next)).unwrap();
    let mut r = client.get(url.clone()).send().await.unwrap();
    for _ in 0..20 {
        if r.status().is_redirection() {
            let loc = r.headers()["location"].to_str().unwrap().to_owned();
            url = url.join(&loc).unwrap();
            if url.as_str().starts_with(base) && !url.path().starts_with("/auth/oidc/") {
                return r; // back at opsdeck, signed in (or not)
            }
            r = client.get(url.clone()).send().await.unwrap();
            continue;
        }
        let html = r.text().await.unwrap();
        let Some(action) = form_re.captures(&html).map(|c| c[1].to_owned()) else {
            panic!("neither a redirect nor a form at {url}:\n{html}");
        };
        let mut fields: Vec<(String, String)> = input_re
            .captures_iter(&html)
            .map(|c| (c[1].to_owned(), c[2].to_owned()))
            .collect();
        if html.contains(r#"name="login""#) {
            fields.push(("login".into(), login.into()));
            fields.push(("password".into(), "any".into()));
        }
        url = url.join(&action).unwrap();
        r = client.post(url.clone()).form(&fields).send().await.unwrap();
    }
    panic!("too many steps");
}
