//! The `[github]` section: how the deploy panels read GitHub with the server's token.

use super::super::raw::RawGithubApi;
use super::super::settings::GithubApiSettings;
use super::Validator;
use std::time::Duration;
use url::Url;

impl Validator {
    pub(super) fn github_api(&mut self, g: RawGithubApi) -> GithubApiSettings {
        let d = GithubApiSettings::default();
        let api_url = match g.api_url {
            None => d.api_url,
            Some(raw) => {
                let with_slash = if raw.ends_with('/') {
                    raw.clone()
                } else {
                    format!("{raw}/")
                };
                match Url::parse(&with_slash) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") => u,
                    _ => {
                        self.issue("github.api_url", format!("{raw:?} is not an http(s) URL"));
                        d.api_url
                    }
                }
            }
        };
        let interval = self.duration(
            "github.interval",
            g.interval.as_deref(),
            d.interval,
            Duration::from_secs(5),
        );
        let timeout = self.duration(
            "github.timeout",
            g.timeout.as_deref(),
            d.timeout,
            Duration::from_millis(100),
        );
        GithubApiSettings {
            api_url,
            token: g.token,
            interval,
            timeout,
        }
    }
}
