//! One probe = one fresh connection, timed phase by phase like `curl -w`.

use super::body::parse_body;
use app::domain::{
    DnsCheck, Endpoint, FailureKind, HealthBody, PeerCertificate, PhaseTimings, ProbeFailure,
    ProbeResult,
};
use app::ports::HealthProber;
use bytes::Bytes;
use chrono::Utc;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use url::Url;

/// Bodies larger than this are cut off: a health body is a few hundred bytes.
const MAX_BODY: usize = 256 * 1024;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

#[derive(Clone)]
pub struct HttpProber {
    tls: TlsConnector,
    timeout: Duration,
}

fn fail(kind: FailureKind, message: impl Into<String>) -> ProbeFailure {
    ProbeFailure {
        kind,
        message: message.into(),
    }
}

/// Where a probe got to, so a timeout can say which phase hung.
#[derive(Clone, Copy, Debug)]
enum Phase {
    Dns,
    Connect,
    Tls,
    Send,
    Wait,
    Body,
}

impl Phase {
    fn waiting_for(self) -> &'static str {
        match self {
            Phase::Dns => "the DNS lookup",
            Phase::Connect => "the TCP connection",
            Phase::Tls => "the TLS handshake",
            Phase::Send => "sending the request",
            Phase::Wait => "the response headers",
            Phase::Body => "the response body",
        }
    }
}

struct Progress {
    started: Instant,
    phase: Phase,
    timings: PhaseTimings,
    http_status: Option<u16>,
    remote_addr: Option<String>,
    body: Option<HealthBody>,
    certificate: Option<PeerCertificate>,
}

impl Progress {
    fn mark(&self) -> Option<f64> {
        Some(self.started.elapsed().as_secs_f64() * 1000.0)
    }
}

impl HttpProber {
    pub fn new(tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Self {
        Self {
            tls: TlsConnector::from(tls),
            timeout,
        }
    }

    async fn run(&self, url: &Url, p: &mut Progress) -> Result<(), ProbeFailure> {
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => {
                return Err(fail(
                    FailureKind::Connect,
                    format!("unsupported scheme {other:?}"),
                ))
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| fail(FailureKind::Dns, "the URL has no host"))?;
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });

        // DNS (curl: time_namelookup). An IP literal needs no lookup.
        p.phase = Phase::Dns;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| fail(FailureKind::Dns, format!("cannot resolve {host}: {e}")))?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(fail(
                FailureKind::Dns,
                format!("{host} resolves to no address"),
            ));
        }
        p.timings.namelookup_ms = p.mark();

        // TCP (time_connect): first address that accepts, like curl without happy eyeballs.
        p.phase = Phase::Connect;
        let mut last_err = None;
        let mut tcp = None;
        for addr in &addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    p.remote_addr = Some(addr.to_string());
                    tcp = Some(s);
                    break;
                }
                Err(e) => last_err = Some((addr, e)),
            }
        }
        let tcp = match (tcp, last_err) {
            (Some(s), _) => s,
            (None, Some((addr, e))) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err(fail(
                    FailureKind::Refused,
                    format!("nothing listens on {addr}"),
                ))
            }
            (None, Some((addr, e))) => {
                return Err(fail(
                    FailureKind::Connect,
                    format!("cannot connect to {addr}: {e}"),
                ))
            }
            (None, None) => return Err(fail(FailureKind::Connect, "no address to connect to")),
        };
        let _ = tcp.set_nodelay(true);
        p.timings.connect_ms = p.mark();

        // TLS (time_appconnect).
        let stream: Box<dyn Io> = if https {
            p.phase = Phase::Tls;
            let name = ServerName::try_from(bare.to_owned()).map_err(|e| {
                fail(
                    FailureKind::Tls,
                    format!("{host} is not a valid TLS server name: {e}"),
                )
            })?;
            let tls = self.tls.connect(name, tcp).await.map_err(|e| {
                fail(
                    FailureKind::Tls,
                    format!(
                        "TLS handshake with {host} failed: {}",
                        super::tls::tls_reason(&e)
                    ),
                )
            })?;
            p.timings.appconnect_ms = p.mark();
            p.certificate = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|leaf| super::cert::read(leaf));
            Box::new(tls)
        } else {
            Box::new(tcp)
        };

        // HTTP/1.1 on this one connection; it is closed when the probe ends.
        p.phase = Phase::Send;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
                .await
                .map_err(|e| fail(FailureKind::Connect, format!("HTTP handshake failed: {e}")))?;
        let conn = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let host_header = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let request = hyper::Request::get(path)
            .header(hyper::header::HOST, host_header)
            .header(
                hyper::header::USER_AGENT,
                concat!("opsdeck-probe/", env!("CARGO_PKG_VERSION")),
            )
            .header(hyper::header::ACCEPT, "application/json")
            .header(hyper::header::CONNECTION, "close")
            .body(Empty::<Bytes>::new())
            .map_err(|e| {
                fail(
                    FailureKind::Connect,
                    format!("cannot build the request: {e}"),
                )
            })?;
        p.timings.pretransfer_ms = p.mark();

        p.phase = Phase::Wait;
        let response = sender.send_request(request).await.map_err(|e| {
            if e.is_parse() {
                fail(
                    FailureKind::BadBody,
                    format!("the answer is not HTTP/1.1: {e}"),
                )
            } else {
                fail(
                    FailureKind::Connect,
                    format!("the connection broke before an answer: {e}"),
                )
            }
        })?;
        p.timings.starttransfer_ms = p.mark();
        let status = response.status();
        p.http_status = Some(status.as_u16());
        let location = response
            .headers()
            .get(hyper::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);

        p.phase = Phase::Body;
        let body = Limited::new(response.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    fail(
                        FailureKind::BadBody,
                        format!("the body is larger than {} KiB", MAX_BODY / 1024),
                    )
                } else {
                    // A body cut short means the server or the network failed mid-answer.
                    fail(
                        FailureKind::Connect,
                        format!("the connection broke while reading the body: {e}"),
                    )
                }
            })?
            .to_bytes();
        p.timings.total_ms = p.mark();
        drop(conn);

        let parsed = parse_body(&body);
        if let Ok(b) = &parsed {
            p.body = Some(b.clone());
        }
        if status.is_redirection() {
            return Err(fail(
                FailureKind::HttpStatus,
                format!(
                    "HTTP {status}: redirected to {}; probes do not follow redirects, configure the final URL",
                    location.as_deref().unwrap_or("(no Location header)")
                ),
            ));
        }
        if !status.is_success() {
            return Err(fail(FailureKind::HttpStatus, format!("HTTP {status}")));
        }
        parsed
            .map(|_| ())
            .map_err(|why| fail(FailureKind::BadBody, why))
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[async_trait::async_trait]
impl HealthProber for HttpProber {
    #[tracing::instrument(skip(self), fields(endpoint = endpoint.as_str()))]
    async fn probe(&self, endpoint: Endpoint, url: &str) -> ProbeResult {
        let at = Utc::now();
        let mut p = Progress {
            started: Instant::now(),
            phase: Phase::Dns,
            timings: PhaseTimings::default(),
            http_status: None,
            remote_addr: None,
            body: None,
            certificate: None,
        };
        let failure = match Url::parse(url) {
            Err(e) => Some(fail(
                FailureKind::Connect,
                format!("{url:?} is not a URL: {e}"),
            )),
            Ok(parsed) => match tokio::time::timeout(self.timeout, self.run(&parsed, &mut p)).await
            {
                Ok(Ok(())) => None,
                Ok(Err(f)) => Some(f),
                Err(_) => Some(fail(
                    FailureKind::Timeout,
                    format!(
                        "no answer within {} (waiting for {})",
                        humantime::format_duration(self.timeout),
                        p.phase.waiting_for()
                    ),
                )),
            },
        };
        if let Some(f) = &failure {
            tracing::debug!(kind = f.kind.as_str(), message = %f.message, "probe failed");
        }
        ProbeResult {
            endpoint,
            url: url.to_owned(),
            at,
            http_status: p.http_status,
            timings: p.timings,
            body: p.body,
            failure,
            remote_addr: p.remote_addr,
            certificate: p.certificate,
        }
    }

    #[tracing::instrument(skip(self))]
    async fn dns(&self, host: &str) -> DnsCheck {
        let at = Utc::now();
        let started = Instant::now();
        let lookup = tokio::time::timeout(self.timeout, tokio::net::lookup_host((host, 0))).await;
        let lookup_ms = started.elapsed().as_secs_f64() * 1000.0;
        let (addresses, error) = match lookup {
            Ok(Ok(addrs)) => {
                let mut ips: Vec<String> = addrs.map(|a| a.ip().to_string()).collect();
                ips.sort();
                ips.dedup();
                (ips, None)
            }
            Ok(Err(e)) => (vec![], Some(format!("cannot resolve {host}: {e}"))),
            Err(_) => (
                vec![],
                Some(format!(
                    "no DNS answer for {host} within {}",
                    humantime::format_duration(self.timeout)
                )),
            ),
        };
        DnsCheck {
            host: host.to_owned(),
            addresses,
            lookup_ms,
            error,
            at,
        }
    }
}
