//! Refuses state-changing requests that a browser sent on behalf of another site: the first half
//! of CSRF protection (the session token comes with sign-in). A request without `Origin` and
//! `Sec-Fetch-Site` (curl, scripts) is not a browser acting for another site and passes here.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use url::Url;

/// The origin opsdeck is served from, when configured (`server.public_url`); otherwise the
/// request's own `Host` is taken as the origin.
#[derive(Clone, Default)]
pub struct ExpectedOrigin {
    origin: Option<Arc<str>>,
    /// Listening on loopback with no public URL: only loopback host names are opsdeck's, which
    /// stops DNS rebinding (another site's name re-pointed at 127.0.0.1) from reading anything.
    loopback_hosts_only: bool,
}

impl ExpectedOrigin {
    pub fn new(public_url: Option<&Url>, listen: std::net::SocketAddr) -> Self {
        Self {
            origin: public_url.map(|u| Arc::from(u.origin().ascii_serialization())),
            loopback_hosts_only: public_url.is_none() && listen.ip().is_loopback(),
        }
    }
}

/// Whether a `Host` header names this machine's loopback interface.
fn is_loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true; // HTTP/1.0 or h2 without Host: nothing for a rebinding page to exploit
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

fn refused(why: &str) -> Response {
    tracing::warn!("refused a cross-site request: {why}");
    (StatusCode::FORBIDDEN, format!("refused: {why}\n")).into_response()
}

/// Why the request must be refused, if it must.
fn cross_site(headers: &HeaderMap, expected: &ExpectedOrigin) -> Option<String> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Some(format!("the browser marked this request {site}"));
        }
    }
    let origin = headers.get(header::ORIGIN)?;
    let origin = origin.to_str().unwrap_or("(not text)");
    let matches = match &expected.origin {
        Some(want) => origin == &**want,
        None => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            host.is_some() && authority == host
        }
    };
    (!matches).then(|| format!("Origin {origin:?} is not opsdeck's own"))
}

pub async fn same_origin(
    State(expected): State<ExpectedOrigin>,
    req: Request,
    next: Next,
) -> Response {
    if expected.loopback_hosts_only && !is_loopback_host(req.headers()) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "refused: opsdeck answers only to its loopback address here\n",
        )
            .into_response();
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    match cross_site(req.headers(), &expected) {
        Some(why) => refused(&why),
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_passes_and_foreign_origins_do_not() {
        let none = ExpectedOrigin::default();
        let local: std::net::SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let rebinding = headers(&[("host", "evil.example:3000")]);
        assert!(!is_loopback_host(&rebinding));
        assert!(is_loopback_host(&headers(&[("host", "localhost:3000")])));
        assert!(ExpectedOrigin::new(None, local).loopback_hosts_only);
        assert_eq!(
            cross_site(&headers(&[("host", "127.0.0.1:3000")]), &none),
            None
        );
        let ok = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(cross_site(&ok, &none), None);
        let evil = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ]);
        assert!(cross_site(&evil, &none).unwrap().contains("evil.example"));
        let null = headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert!(cross_site(&null, &none).is_some());
        let marked = headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")]);
        assert!(cross_site(&marked, &none).unwrap().contains("cross-site"));
    }

    #[test]
    fn a_configured_public_url_is_the_only_origin() {
        let url = Url::parse("https://opsdeck.example.com/").unwrap();
        let want = ExpectedOrigin::new(Some(&url), "0.0.0.0:3000".parse().unwrap());
        assert!(!want.loopback_hosts_only);
        let proxied = headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "https://opsdeck.example.com"),
        ]);
        assert_eq!(cross_site(&proxied, &want), None);
        let other = headers(&[
            ("host", "opsdeck.example.com"),
            ("origin", "http://opsdeck.example.com"),
        ]);
        assert!(cross_site(&other, &want).is_some(), "scheme matters");
    }
}
