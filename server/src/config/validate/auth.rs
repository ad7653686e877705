//! The `[auth]` section: session lengths, role grants, and the sign-in methods (`[auth.oidc]`,
//! `[auth.github]`).

use super::super::raw::{RawAuth, RawGithubSignIn, RawOidc};
use super::super::settings::{AuthSettings, GithubSignInSettings, OidcSettings};
use super::Validator;
use secrecy::ExposeSecret;
use std::time::Duration;
use url::Url;

impl Validator {
    pub(super) fn auth(&mut self, a: RawAuth, public_url: Option<&Url>) -> AuthSettings {
        use app::domain::{Grantee, Role, RoleGrants};
        let idle_timeout = self.duration(
            "auth.idle_timeout",
            a.idle_timeout.as_deref(),
            Duration::from_secs(30 * 60),
            Duration::from_secs(60),
        );
        let lifetime = self.duration(
            "auth.lifetime",
            a.lifetime.as_deref(),
            Duration::from_secs(12 * 3600),
            Duration::from_secs(300),
        );
        let mut grants = Vec::new();
        for (role, list) in [
            (Role::Viewer, a.viewer),
            (Role::Operator, a.operator),
            (Role::Approver, a.approver),
            (Role::Admin, a.admin),
        ] {
            let mut who = Vec::new();
            for (i, raw) in list.iter().enumerate() {
                match Grantee::parse(raw) {
                    Ok(g) => who.push(g),
                    Err(e) => self.issue(format!("auth.{}[{i}]", role.as_str()), e),
                }
            }
            grants.push((role, who));
        }
        if a.oidc.is_none() && a.github.is_none() {
            self.issue(
                "auth.oidc",
                "configure a sign-in method: [auth.oidc] (OpenID Connect) and/or [auth.github]",
            );
        }
        let oidc = a.oidc.and_then(|o| self.oidc(o, public_url));
        let github = a.github.and_then(|g| self.github_sign_in(g, public_url));
        AuthSettings {
            idle_timeout,
            lifetime,
            grants: RoleGrants(grants),
            demo_users: vec![],
            secure_cookies: public_url.is_some_and(|u| u.scheme() == "https"),
            oidc,
            github,
        }
    }

    fn github_sign_in(
        &mut self,
        g: RawGithubSignIn,
        public_url: Option<&Url>,
    ) -> Option<GithubSignInSettings> {
        let url = |v: &mut Self, field: &str, raw: Option<String>, default: &str| {
            let raw = raw.unwrap_or_else(|| default.to_owned());
            // A trailing slash makes `join` keep the path (GitHub Enterprise lives under /api/v3).
            let with_slash = if raw.ends_with('/') {
                raw.clone()
            } else {
                format!("{raw}/")
            };
            Url::parse(&with_slash)
                .map_err(|e| {
                    v.issue(
                        format!("auth.github.{field}"),
                        format!("{raw:?} is not a URL ({e})"),
                    )
                })
                .ok()
        };
        let web_url = url(self, "web_url", g.web_url, "https://github.com");
        let api_url = url(self, "api_url", g.api_url, "https://api.github.com");
        let secret = g.client_secret.or_else(|| {
            self.issue(
                "auth.github.client_secret",
                "is needed: set OPSDECK__AUTH__GITHUB__CLIENT_SECRET",
            );
            None
        });
        let key = match g
            .token_key
            .as_ref()
            .map(|k| crate::auth::token_key::TokenKey::from_base64(k.expose_secret()))
        {
            Some(Ok(k)) => Some(k),
            Some(Err(e)) => {
                self.issue("auth.github.token_key", e.to_string());
                None
            }
            None => {
                self.issue("auth.github.token_key", "is needed to keep people's GitHub tokens encrypted: set OPSDECK__AUTH__GITHUB__TOKEN_KEY");
                None
            }
        };
        let Some(public) = public_url else {
            self.issue(
                "server.public_url",
                "is needed for sign-in: GitHub redirects back to <public_url>/auth/github/callback",
            );
            return None;
        };
        Some(GithubSignInSettings {
            client_id: g.client_id,
            client_secret: secret?,
            web_url: web_url?,
            api_url: api_url?,
            redirect_url: public.join("/auth/github/callback").ok()?,
            token_key: key?,
        })
    }

    fn oidc(&mut self, o: RawOidc, public_url: Option<&Url>) -> Option<OidcSettings> {
        let issuer = match Url::parse(&o.issuer) {
            Ok(u) if u.scheme() == "https" => Some(o.issuer.clone()),
            // Plain HTTP would let anyone on the path forge ID tokens: loopback (tests) only.
            Ok(u)
                if u.scheme() == "http"
                    && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) =>
            {
                Some(o.issuer.clone())
            }
            Ok(_) => {
                self.issue(
                    "auth.oidc.issuer",
                    format!("{:?} must be an https URL", o.issuer),
                );
                None
            }
            Err(e) => {
                self.issue(
                    "auth.oidc.issuer",
                    format!("{:?} is not a URL ({e})", o.issuer),
                );
                None
            }
        };
        if o.client_id.trim().is_empty() {
            self.issue("auth.oidc.client_id", "must not be empty");
        }
        let Some(public) = public_url else {
            self.issue("server.public_url", "is needed for sign-in: the provider redirects back to <public_url>/auth/oidc/callback");
            return None;
        };
        let redirect_url = public.join("/auth/oidc/callback").ok()?;
        let mut scopes = o
            .scopes
            .unwrap_or_else(|| vec!["openid".into(), "profile".into(), "email".into()]);
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        Some(OidcSettings {
            issuer: issuer?,
            client_id: o.client_id,
            client_secret: o.client_secret,
            label: o.label.unwrap_or_else(|| "single sign-on".into()),
            scopes,
            groups_claim: o.groups_claim.unwrap_or_else(|| "groups".into()),
            redirect_url,
        })
    }
}
