//! Local servers for the probe tests: plain HTTP, HTTPS behind a throw-away CA, and peers that
//! misbehave (silent, slow to send the body, counting connections).
#![allow(dead_code)] // each test binary uses its own subset

use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The path the runbook curls.
pub const HEALTH_PATH: &str = "/api/v1/health/";

/// The body the runbook documents, plus `db`, a field it does not name.
pub const RUNBOOK_BODY: &str = r#"{"status":"healthy","timestamp":"2025-01-01T12:00:00Z","version":"0.1.0","environment":"prod","app_version":"abc123","db":"ok"}"#;

// ---------------------------------------------------------------------------------------------
// Local servers
// ---------------------------------------------------------------------------------------------

/// A server started for one test. It lives until the test's runtime shuts down.
pub struct TestServer {
    pub addr: SocketAddr,
    /// TCP connections accepted so far, to check that every probe opens its own.
    pub accepted: Arc<AtomicUsize>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// An https URL by name, so the certificate for "localhost" can be verified.
    pub fn https_url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }
}

/// Serve `app` on 127.0.0.1 with a port chosen by the OS; TLS when an acceptor is given.
///
/// The accept loop is written out (instead of `axum::serve`) so TLS can sit in front of axum
/// and so accepted connections can be counted.
pub async fn serve(app: Router, tls: Option<TlsAcceptor>) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let app = app.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    None => serve_http(tcp, app).await,
                    // A failed handshake (the probe rejected our certificate) just ends the connection.
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            serve_http(stream, app).await;
                        }
                    }
                }
            });
        }
    });
    TestServer { addr, accepted }
}

/// HTTP/1.1 on one accepted connection, answered by the axum router.
pub async fn serve_http<S>(io: S, app: Router)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(app))
        .await;
}

/// A router answering `HEALTH_PATH` with a fixed status, content type and body.
pub fn answering(status: StatusCode, content_type: &'static str, body: &'static str) -> Router {
    Router::new().route(
        HEALTH_PATH,
        get(move || async move { (status, [(header::CONTENT_TYPE, content_type)], body) }),
    )
}

/// A healthy application: 200 with the runbook body.
pub fn healthy_app() -> Router {
    answering(StatusCode::OK, "application/json", RUNBOOK_BODY)
}

/// A server that accepts connections and then never says anything, holding the sockets open
/// so the probe sees neither an answer nor a close.
pub async fn serve_silence() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

/// A server that sends the headers of a healthy answer at once and its body `delay` later, over
/// a raw socket: axum would send both together.
pub async fn serve_slow_body(delay: std::time::Duration) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // The request head; a probe sends no body.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let headers = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    RUNBOOK_BODY.len()
                );
                if socket.write_all(headers.as_bytes()).await.is_err() {
                    return;
                }
                let _ = socket.flush().await;
                tokio::time::sleep(delay).await;
                let _ = socket.write_all(RUNBOOK_BODY.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

// ---------------------------------------------------------------------------------------------
// A throw-away PKI
// ---------------------------------------------------------------------------------------------

/// A private CA (written to a PEM file, as an operator would configure `ca_file`) and a TLS
/// acceptor serving a certificate for "localhost" signed by it: the simulated world's.
pub struct TestPki {
    pub ca_file: PathBuf,
    pub acceptor: TlsAcceptor,
    _pki: server::sim::pki::SimPki,
}

impl TestPki {
    /// `name` keeps the CA files of tests running in parallel apart.
    pub fn new(name: &str) -> Self {
        Self::expiring_in(name, 90)
    }

    /// A certificate that expires `days` from now.
    pub fn expiring_in(name: &str, days: i64) -> Self {
        let pki = server::sim::pki::SimPki::new(name, days).expect("make a test CA");
        TestPki {
            ca_file: pki.ca_file().to_owned(),
            acceptor: TlsAcceptor::from(pki.server.clone()),
            _pki: pki,
        }
    }
}
