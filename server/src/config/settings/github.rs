//! `[github]`: the server's own reads of GitHub.

use secrecy::SecretString;
use std::time::Duration;
use url::Url;

/// `[github]`: how the deploy panels read GitHub with the server's token — not the sign-in app
/// ([`super::GithubSignInSettings`]) nor one environment's workflows
/// ([`super::DeployWorkflowSettings`]).
#[derive(Debug, Clone)]
pub struct GithubApiSettings {
    pub api_url: Url,
    /// The server's token for reads; `None`: anonymous (public repositories, 60 requests/hour).
    pub token: Option<SecretString>,
    pub interval: Duration,
    pub timeout: Duration,
}

impl Default for GithubApiSettings {
    fn default() -> Self {
        Self {
            api_url: Url::parse("https://api.github.com/").unwrap_or_else(|_| unreachable!()),
            token: None,
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}
