//! A webhook receiver on loopback, as Slack would be: it accepts every POST, and a test reads
//! back the texts opsdeck sent.

use crate::wait_until;
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub struct Webhook {
    server: MockServer,
}

impl Webhook {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        Self { server }
    }

    /// `[notify]` posting here, with links under `https://opsdeck.example.com/`.
    pub fn settings(&self) -> server::config::NotifySettings {
        server::config::NotifySettings {
            webhook_url: secrecy::SecretString::from(format!("{}/hook", self.server.uri())),
            templates: Default::default(),
            public_url: Some("https://opsdeck.example.com/".parse().expect("url")),
        }
    }

    /// The texts received so far that contain `needle`, oldest first.
    pub async fn texts(&self, needle: &str) -> Vec<String> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_owned))
            .filter(|t| t.contains(needle))
            .collect()
    }

    /// Wait until at least `count` texts contain `needle`, or fail after `within`.
    pub async fn wait_for(&self, needle: &str, count: usize, within: Duration) -> Vec<String> {
        wait_until(
            within,
            &format!("{count} messages with {needle:?}"),
            || async {
                let texts = self.texts(needle).await;
                if texts.len() >= count {
                    Ok(texts)
                } else {
                    Err(format!("{texts:?}"))
                }
            },
        )
        .await
    }
}
