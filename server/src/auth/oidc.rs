//! Sign-in with any OpenID Connect provider (Okta, Google, Keycloak, IAM Identity Center, …):
//! discovery, authorization code with PKCE, state and nonce, and a verified ID token whose
//! claims (incl. the configured groups claim) become the person's identity.

use crate::config::OidcSettings;
use app::domain::{local_path, Identity};
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// How long discovered provider metadata (endpoints, keys) is reused.
const METADATA_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached or described itself wrongly: {0}")]
    Discovery(String),
    #[error(
        "the sign-in response does not belong to the sign-in that was started (state mismatch)"
    )]
    StateMismatch,
    #[error("exchanging the code failed: {0}")]
    Exchange(String),
    #[error("the ID token was not accepted: {0}")]
    IdToken(String),
}

/// What is kept in the session between sending the browser away and its return.
#[derive(Serialize, Deserialize)]
pub struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    pub next: String,
}

pub struct OidcProvider {
    settings: OidcSettings,
    http: reqwest::Client,
    metadata: RwLock<Option<(CoreProviderMetadata, Instant)>>,
}

impl OidcProvider {
    pub fn new(settings: OidcSettings) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            // Following redirects here would let a provider bounce us anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            settings,
            http,
            metadata: RwLock::new(None),
        })
    }

    pub fn label(&self) -> &str {
        &self.settings.label
    }

    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        if let Some((m, at)) = &*self.metadata.read().await {
            if at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        // Exactly as configured: the ID token's `iss` must equal it to the character.
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        *self.metadata.write().await = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    async fn client(
        &self,
    ) -> Result<
        openidconnect::core::CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let metadata = self.metadata().await?;
        let secret = self
            .settings
            .client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose_secret().to_owned()));
        let redirect = RedirectUrl::new(self.settings.redirect_url.to_string())
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser, and what to remember until it returns.
    pub async fn start(&self, next: &str) -> Result<(url::Url, Pending), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self.settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next: local_path(next).to_owned(),
        };
        Ok((url, pending))
    }

    /// Finish a sign-in: check state, exchange the code (with the PKCE verifier), verify the ID
    /// token (signature, issuer, audience, expiry, nonce) and read the person from it.
    pub async fn finish(
        &self,
        pending: Pending,
        code: &str,
        state: &str,
    ) -> Result<Identity, OidcError> {
        // Not secret-dependent timing worth protecting: a mismatch ends the attempt either way.
        if state != pending.state {
            return Err(OidcError::StateMismatch);
        }
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(e.to_string()))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| OidcError::IdToken("the provider returned no ID token".into()))?;
        let claims = match id_token.claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
        {
            Ok(c) => c,
            Err(e) => {
                // Perhaps the provider rotated its keys: discover afresh next time.
                *self.metadata.write().await = None;
                return Err(OidcError::IdToken(e.to_string()));
            }
        };
        // Grants match emails, so only an email the provider verified may count; a username the
        // person may choose themselves at some providers never does.
        let verified_email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|e| e.as_str().to_owned());
        let shown_email = claims.email().map(|e| e.as_str().to_owned());
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .or_else(|| shown_email.clone())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()))
            .unwrap_or_else(|| claims.subject().as_str().to_owned());
        Ok(Identity {
            provider: "oidc".into(),
            subject: format!("{}|{}", claims.issuer().as_str(), claims.subject().as_str()),
            display_name: name,
            verified_emails: verified_email.iter().cloned().collect(),
            email: verified_email,
            login: None,
            groups: groups(&id_token.to_string(), &self.settings.groups_claim),
            teams: vec![],
        })
    }
}

/// The groups claim from the (already verified) ID token's payload: a list of strings, or a
/// single string. Anything else counts as no groups.
fn groups(jwt: &str, claim: &str) -> Vec<String> {
    let payload = jwt
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    match payload.as_ref().and_then(|p| p.get(claim)) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::groups;
    use base64::Engine;

    fn jwt(payload: &str) -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b("{}"), b(payload))
    }

    #[test]
    fn groups_come_from_the_configured_claim() {
        assert_eq!(
            groups(&jwt(r#"{"groups":["leads","oncall"]}"#), "groups"),
            ["leads", "oncall"]
        );
        assert_eq!(groups(&jwt(r#"{"roles":"ops"}"#), "roles"), ["ops"]);
        assert!(groups(&jwt(r#"{"groups":42}"#), "groups").is_empty());
        assert!(groups("not a jwt", "groups").is_empty());
    }
}
