//! A simulated Conflicto backend: the runbook's three health endpoints with realistic bodies,
//! latency and jitter. "Down" really closes the port, so the probe sees a refused connection.
//! Given a TLS configuration it is served over https, handshake and all.

use app::domain::{EnvName, Fault};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

struct Inner {
    env: EnvName,
    /// (version, app_version): a deploy or rollback in the simulated GitHub changes them.
    versions: Mutex<(String, String)>,
    base_ms: u64,
    fault: Mutex<Fault>,
}

pub struct SimConflicto {
    inner: Arc<Inner>,
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    server: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl SimConflicto {
    pub async fn start(
        env: EnvName,
        version: &str,
        base_ms: u64,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> std::io::Result<Self> {
        let app_version = format!("{:x}", fastrand::u64(..))
            .chars()
            .take(12)
            .collect();
        let inner = Arc::new(Inner {
            env,
            versions: Mutex::new((version.to_owned(), app_version)),
            base_ms,
            fault: Mutex::new(Fault::None),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let handle = serve(listener, inner.clone(), tls.clone());
        Ok(Self {
            inner,
            addr,
            tls,
            server: tokio::sync::Mutex::new(Some(handle)),
        })
    }

    pub fn url(&self) -> Url {
        // A host name and port always make a valid URL. Over TLS the name is the one the
        // certificate carries, as it would be in production.
        let url = match self.tls {
            Some(_) => format!("https://localhost:{}", self.addr.port()),
            None => format!("http://{}", self.addr),
        };
        Url::parse(&url).unwrap_or_else(|_| unreachable!())
    }

    pub fn version(&self) -> String {
        self.inner
            .versions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// What a finished deploy of `version` at commit `sha` leaves running.
    pub fn set_version(&self, version: &str, sha: &str) {
        *self
            .inner
            .versions
            .lock()
            .unwrap_or_else(|p| p.into_inner()) =
            (version.to_owned(), sha.chars().take(12).collect());
    }

    pub fn fault(&self) -> Fault {
        *self.inner.fault.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub async fn set_fault(&self, fault: Fault) -> std::io::Result<()> {
        // One change at a time: the fault and the open/closed port must agree.
        let mut server = self.server.lock().await;
        *self.inner.fault.lock().unwrap_or_else(|p| p.into_inner()) = fault;
        match (fault, server.is_some()) {
            (Fault::Down, true) => {
                if let Some(h) = server.take() {
                    h.abort();
                    let _ = h.await;
                }
            }
            (f, false) if f != Fault::Down => {
                let listener = tokio::net::TcpListener::bind(self.addr).await?;
                *server = Some(serve(listener, self.inner.clone(), self.tls.clone()));
            }
            _ => {}
        }
        Ok(())
    }
}

fn serve(
    listener: tokio::net::TcpListener,
    inner: Arc<Inner>,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> tokio::task::JoinHandle<()> {
    let app = Router::new()
        .route("/api/v1/health/", get(health))
        .route("/api/v1/health/ready", get(ready))
        .route("/api/v1/health/live", get(live))
        .with_state(inner);
    let Some(tls) = tls else {
        return tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    };
    // axum::serve speaks plain TCP: the handshake is done here, one task per connection, so a
    // slow client never holds up the others. Connections end with the accept loop ("Down").
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            connections.spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(
                        hyper_util::rt::TokioIo::new(stream),
                        hyper_util::service::TowerToHyperService::new(app),
                    )
                    .await;
            });
            while connections.try_join_next().is_some() {}
        }
    })
}

async fn delay(inner: &Inner) {
    let fault = *inner.fault.lock().unwrap_or_else(|p| p.into_inner());
    let ms = match fault {
        Fault::Slow => 2500 + fastrand::u64(0..1000),
        _ => {
            // Mostly steady, with the occasional slow request.
            let jitter = fastrand::u64(0..inner.base_ms);
            let spike = if fastrand::u8(0..40) == 0 {
                inner.base_ms * 4
            } else {
                0
            };
            inner.base_ms / 2 + jitter + spike
        }
    };
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

async fn answer(inner: &Inner, status: &str, extra: serde_json::Value) -> Response {
    delay(inner).await;
    let fault = *inner.fault.lock().unwrap_or_else(|p| p.into_inner());
    match fault {
        Fault::Error5xx => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"status": "unhealthy", "error": "database connection pool exhausted",
                "timestamp": Utc::now().to_rfc3339(), "environment": inner.env.as_str()})
            .to_string(),
        )
            .into_response(),
        Fault::Garbage => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        _ => {
            let (version, app_version) =
                inner.versions.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let mut body = serde_json::json!({
                "status": status,
                "timestamp": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "version": version,
                "environment": inner.env.as_str(),
                "app_version": app_version,
            });
            if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
                b.extend(e.clone());
            }
            ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
        }
    }
}

async fn health(State(inner): State<Arc<Inner>>) -> Response {
    answer(&inner, "healthy", serde_json::json!({})).await
}

async fn ready(State(inner): State<Arc<Inner>>) -> Response {
    answer(
        &inner,
        "ready",
        serde_json::json!({"checks": {"database": "ok", "cache": "ok"}}),
    )
    .await
}

async fn live(State(inner): State<Arc<Inner>>) -> Response {
    answer(&inner, "alive", serde_json::json!({})).await
}
