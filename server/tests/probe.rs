//! Integration tests for the health-probe adapter [`server::probe::HttpProber`].
//!
//! Every test starts a real server on 127.0.0.1 (axum over hyper, optionally behind
//! tokio-rustls with a throw-away CA made by rcgen, or a raw `TcpListener` for misbehaving
//! peers) and probes it the way opsdeck does after a deploy. The assertions are about what an
//! operator sees: whether the probe failed, the failure kind and its words, the HTTP status,
//! the parsed health body, the curl-style phase timings and the address that answered.

use app::domain::{Endpoint, FailureKind, PhaseTimings, ProbeResult};
use app::ports::HealthProber;
use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::Router;
use server::probe::{tls_config, HttpProber};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

mod support;

use support::*;

/// Generous for loopback, so healthy probes never time out on a loaded 2-core machine.
const PATIENT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// Probing and checking
// ---------------------------------------------------------------------------------------------

/// A prober trusting the system roots, plus `ca_file` when given.
fn prober(ca_file: Option<&Path>, timeout: Duration) -> HttpProber {
    HttpProber::new(tls_config(ca_file).expect("TLS client config"), timeout)
}

/// The failure of a probe that must have failed with `kind`; returns its message.
fn expect_failure(result: &ProbeResult, kind: FailureKind) -> &str {
    let failure = result
        .failure
        .as_ref()
        .unwrap_or_else(|| panic!("expected a {kind:?} failure, the probe succeeded: {result:#?}"));
    assert_eq!(failure.kind, kind, "wrong failure kind: {result:#?}");
    &failure.message
}

/// Probe `url`, timing the whole call from outside.
async fn timed_probe(
    prober: &HttpProber,
    endpoint: Endpoint,
    url: &str,
) -> (ProbeResult, Duration) {
    let started = Instant::now();
    let result = prober.probe(endpoint, url).await;
    (result, started.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The marks are cumulative like `curl -w`: whichever phases happened come in order
/// (namelookup ≤ connect ≤ appconnect ≤ pretransfer ≤ starttransfer ≤ total), and none is later
/// than the probe call as timed from outside (`elapsed`), so a mark in the wrong unit shows.
fn assert_marks_in_order(t: &PhaseTimings, elapsed: Duration) {
    let marks: Vec<f64> = [
        t.namelookup_ms,
        t.connect_ms,
        t.appconnect_ms,
        t.pretransfer_ms,
        t.starttransfer_ms,
        t.total_ms,
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(
        marks.windows(2).all(|w| w[0] <= w[1]),
        "marks out of order: {t:?}"
    );
    if let Some(last) = marks.last() {
        assert!(
            *last <= ms(elapsed),
            "a mark at {last} ms in a probe that took {elapsed:?}: {t:?}"
        );
    }
}

/// Every phase of a completed exchange was measured (TLS aside, checked per test), in order.
fn assert_all_phases_measured(t: &PhaseTimings, elapsed: Duration) {
    assert!(t.namelookup_ms.is_some(), "{t:?}");
    assert!(t.connect_ms.is_some(), "{t:?}");
    assert!(t.pretransfer_ms.is_some(), "{t:?}");
    assert!(t.starttransfer_ms.is_some(), "{t:?}");
    assert!(t.total_ms.is_some(), "{t:?}");
    assert_marks_in_order(t, elapsed);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn healthy_http_endpoint_is_ok_with_body_timings_and_address() {
    let server = serve(healthy_app(), None).await;
    let url = server.url(HEALTH_PATH);

    let (result, elapsed) = timed_probe(&prober(None, PATIENT), Endpoint::Health, &url).await;

    assert!(result.failure.is_none(), "{result:#?}");
    assert_eq!(result.endpoint, Endpoint::Health);
    assert_eq!(result.url, url);
    assert_eq!(result.http_status, Some(200));
    assert_eq!(
        result.remote_addr.as_deref(),
        Some(server.addr.to_string().as_str())
    );

    let body = result.body.as_ref().expect("the runbook body is parsed");
    assert_eq!(body.status.as_deref(), Some("healthy"));
    assert_eq!(body.timestamp.as_deref(), Some("2025-01-01T12:00:00Z"));
    assert_eq!(body.version.as_deref(), Some("0.1.0"));
    assert_eq!(body.environment.as_deref(), Some("prod"));
    assert_eq!(body.app_version.as_deref(), Some("abc123"));
    // Fields the runbook does not name are kept, not dropped.
    assert_eq!(body.extra.get("db"), Some(&serde_json::json!("ok")));

    assert_all_phases_measured(&result.timings, elapsed);
    assert_eq!(
        result.timings.appconnect_ms, None,
        "plain HTTP has no TLS phase"
    );
}

#[tokio::test]
async fn healthy_https_endpoint_with_private_ca_measures_tls() {
    let pki = TestPki::new("https-ok");
    let server = serve(healthy_app(), Some(pki.acceptor.clone())).await;

    let (result, elapsed) = timed_probe(
        &prober(Some(&pki.ca_file), PATIENT),
        Endpoint::Ready,
        &server.https_url(HEALTH_PATH),
    )
    .await;

    assert!(result.failure.is_none(), "{result:#?}");
    assert_eq!(result.http_status, Some(200));
    assert_eq!(
        result.body.as_ref().and_then(|b| b.status.as_deref()),
        Some("healthy")
    );
    assert_eq!(
        result.remote_addr.as_deref(),
        Some(server.addr.to_string().as_str())
    );

    let t = result.timings;
    assert_all_phases_measured(&t, elapsed);
    let tls_done = t.appconnect_ms.expect("HTTPS has a TLS phase");
    assert!(
        t.connect_ms.unwrap() <= tls_done && tls_done <= t.pretransfer_ms.unwrap(),
        "{t:?}"
    );
}

#[tokio::test]
async fn the_handshake_reads_the_certificate_names_issuer_and_expiry() {
    let pki = TestPki::expiring_in("https-cert", 12);
    let server = serve(healthy_app(), Some(pki.acceptor.clone())).await;

    let result = prober(Some(&pki.ca_file), PATIENT)
        .probe(Endpoint::Health, &server.https_url(HEALTH_PATH))
        .await;

    assert!(result.failure.is_none(), "{result:#?}");
    let cert = result
        .certificate
        .expect("the certificate of the handshake");
    assert_eq!(cert.names, ["localhost", "127.0.0.1"]);
    assert_eq!(cert.subject, "CN=localhost");
    assert_eq!(cert.issuer, "CN=opsdeck simulated CA");
    let days = cert.days_left(chrono::Utc::now());
    assert!((11..=12).contains(&days), "{days} days left");
    assert!(cert
        .expiry_words(chrono::Utc::now())
        .starts_with("expires in 1"));
    // The default limits: 21 days is the warning.
    assert_eq!(
        app::domain::CertificateLimits::default().evaluate(&cert, chrono::Utc::now()),
        app::domain::Level::Warning
    );
}

#[tokio::test]
async fn an_expired_certificate_fails_the_handshake_in_words() {
    let pki = TestPki::expiring_in("https-expired", -2);
    let server = serve(healthy_app(), Some(pki.acceptor.clone())).await;

    let result = prober(Some(&pki.ca_file), PATIENT)
        .probe(Endpoint::Health, &server.https_url(HEALTH_PATH))
        .await;

    let message = expect_failure(&result, FailureKind::Tls);
    assert!(message.contains("expired"), "{message}");
    assert!(result.certificate.is_none());
}

#[tokio::test]
async fn plain_http_has_no_certificate() {
    let server = serve(healthy_app(), None).await;
    let result = prober(None, PATIENT)
        .probe(Endpoint::Health, &server.url(HEALTH_PATH))
        .await;
    assert!(result.failure.is_none(), "{result:#?}");
    assert!(result.certificate.is_none());
}

#[tokio::test]
async fn https_without_the_private_ca_is_a_tls_failure() {
    let pki = TestPki::new("https-untrusted");
    let server = serve(healthy_app(), Some(pki.acceptor.clone())).await;

    // Only the system roots: our CA is unknown to them.
    let result = prober(None, PATIENT)
        .probe(Endpoint::Health, &server.https_url(HEALTH_PATH))
        .await;

    let message = expect_failure(&result, FailureKind::Tls);
    assert!(message.contains("certificate"), "{message}");
    assert!(message.contains("localhost"), "{message}");
    assert_eq!(result.http_status, None);
    assert_eq!(
        result.timings.appconnect_ms, None,
        "the handshake never completed"
    );
}

#[tokio::test]
async fn slow_server_times_out_waiting_for_headers() {
    let slow = Router::new().route(
        HEALTH_PATH,
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            RUNBOOK_BODY
        }),
    );
    let server = serve(slow, None).await;

    let started = Instant::now();
    let result = prober(None, Duration::from_millis(300))
        .probe(Endpoint::Health, &server.url(HEALTH_PATH))
        .await;
    let elapsed = started.elapsed();

    let message = expect_failure(&result, FailureKind::Timeout);
    assert!(message.contains("300ms"), "{message}");
    assert!(message.contains("the response headers"), "{message}");
    // A bound on a hang, not a performance measurement: the probe must not wait for the server,
    // nor give up before its timeout.
    assert!(
        elapsed < Duration::from_secs(2),
        "the probe took {elapsed:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(300),
        "gave up after {elapsed:?}, before the 300 ms timeout"
    );
    assert_marks_in_order(&result.timings, elapsed);
    // What was measured before the hang is still reported.
    assert!(result.timings.connect_ms.is_some(), "{:?}", result.timings);
    assert_eq!(result.timings.starttransfer_ms, None);
    assert_eq!(result.http_status, None);
}

/// A server that thinks before answering: the time goes to the wait for the first byte, between
/// sending the request (`pretransfer`) and the headers (`starttransfer`).
#[tokio::test]
async fn a_slow_answer_is_timed_as_the_wait_for_the_first_byte() {
    const DELAY: Duration = Duration::from_millis(400);
    let slow = Router::new().route(
        HEALTH_PATH,
        get(|| async {
            tokio::time::sleep(DELAY).await;
            ([(header::CONTENT_TYPE, "application/json")], RUNBOOK_BODY)
        }),
    );
    let server = serve(slow, None).await;

    let (result, elapsed) = timed_probe(
        &prober(None, PATIENT),
        Endpoint::Health,
        &server.url(HEALTH_PATH),
    )
    .await;

    assert!(result.failure.is_none(), "{result:#?}");
    let t = result.timings;
    assert_all_phases_measured(&t, elapsed);
    // The server's wait starts after the request left, which is after `pretransfer`: exact.
    let wait = t.starttransfer_ms.unwrap() - t.pretransfer_ms.unwrap();
    assert!(
        wait >= ms(DELAY),
        "{wait} ms between sending and the answer of a server that waits {DELAY:?}: {t:?}"
    );
    assert!(t.total_ms.unwrap() >= ms(DELAY), "{t:?}");
}

/// Headers at once, the body later: the time goes to the download, after `starttransfer`.
#[tokio::test]
async fn a_slow_body_is_timed_as_the_download() {
    const DELAY: Duration = Duration::from_millis(600);
    let addr = serve_slow_body(DELAY).await;

    let (result, elapsed) = timed_probe(
        &prober(None, PATIENT),
        Endpoint::Health,
        &format!("http://{addr}{HEALTH_PATH}"),
    )
    .await;

    assert!(result.failure.is_none(), "{result:#?}");
    assert_eq!(
        result.body.as_ref().and_then(|b| b.status.as_deref()),
        Some("healthy")
    );
    let t = result.timings;
    assert_all_phases_measured(&t, elapsed);
    let total = t.total_ms.unwrap();
    assert!(total - t.pretransfer_ms.unwrap() >= ms(DELAY), "{t:?}");
    // The server starts its wait when it writes the headers, a little before the probe marks
    // their arrival: half the delay is left for a loaded machine, far more than the headers
    // take on loopback, far less than a download mistimed as waiting would leave.
    let download = total - t.starttransfer_ms.unwrap();
    assert!(
        download >= ms(DELAY) / 2.0,
        "{download} ms of download for a body sent {DELAY:?} after the headers: {t:?}"
    );
}

#[tokio::test]
async fn server_errors_are_http_status_failures() {
    let server = serve(
        answering(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "boom"),
        None,
    )
    .await;
    let result = prober(None, PATIENT)
        .probe(Endpoint::Health, &server.url(HEALTH_PATH))
        .await;
    let message = expect_failure(&result, FailureKind::HttpStatus);
    assert!(message.contains("500"), "{message}");
    assert_eq!(result.http_status, Some(500));
    assert_eq!(
        result.body, None,
        "a plain-text error page is not a health body"
    );

    // A 503 from a readiness check often explains itself in the health shape: keep that.
    let unhealthy = r#"{"status":"unhealthy","version":"0.1.0","db":"down"}"#;
    let server = serve(
        answering(
            StatusCode::SERVICE_UNAVAILABLE,
            "application/json",
            unhealthy,
        ),
        None,
    )
    .await;
    let (result, elapsed) = timed_probe(
        &prober(None, PATIENT),
        Endpoint::Ready,
        &server.url(HEALTH_PATH),
    )
    .await;
    let message = expect_failure(&result, FailureKind::HttpStatus);
    assert!(message.contains("503"), "{message}");
    assert_eq!(result.http_status, Some(503));
    let body = result
        .body
        .as_ref()
        .expect("the 503 body of the health shape is kept");
    assert_eq!(body.status.as_deref(), Some("unhealthy"));
    assert_eq!(body.extra.get("db"), Some(&serde_json::json!("down")));
    assert_all_phases_measured(&result.timings, elapsed);
}

#[tokio::test]
async fn html_body_is_a_bad_body_with_an_excerpt() {
    let server = serve(
        answering(StatusCode::OK, "text/html", "<html>oops</html>"),
        None,
    )
    .await;

    let (result, elapsed) = timed_probe(
        &prober(None, PATIENT),
        Endpoint::Health,
        &server.url(HEALTH_PATH),
    )
    .await;

    let message = expect_failure(&result, FailureKind::BadBody);
    assert!(message.contains("not JSON"), "{message}");
    assert!(message.contains("<html>oops</html>"), "{message}");
    assert_eq!(result.http_status, Some(200));
    assert_eq!(result.body, None);
    assert_all_phases_measured(&result.timings, elapsed);
}

#[tokio::test]
async fn redirect_is_reported_not_followed() {
    let target = "https://example.test/api/v1/health/";
    let redirecting = Router::new().route(
        HEALTH_PATH,
        get(move || async move { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, target)]) }),
    );
    let server = serve(redirecting, None).await;

    let result = prober(None, PATIENT)
        .probe(Endpoint::Health, &server.url(HEALTH_PATH))
        .await;

    let message = expect_failure(&result, FailureKind::HttpStatus);
    assert!(message.contains("301"), "{message}");
    assert!(message.contains(target), "{message}");
    assert!(message.contains("do not follow redirects"), "{message}");
    assert_eq!(result.http_status, Some(301));
    // Only one connection: nothing went to the Location.
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn closed_port_is_refused_and_names_the_address() {
    // A port that was just free: bind, note it, close it.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);

    let result = prober(None, PATIENT)
        .probe(Endpoint::Live, &format!("http://{addr}{HEALTH_PATH}"))
        .await;

    let message = expect_failure(&result, FailureKind::Refused);
    assert!(message.contains(&addr.to_string()), "{message}");
    assert_eq!(result.http_status, None);
    assert_eq!(result.remote_addr, None, "nothing answered");
    assert!(result.timings.namelookup_ms.is_some());
    assert_eq!(result.timings.connect_ms, None);
}

#[tokio::test]
async fn unresolvable_host_is_a_dns_failure() {
    // `.invalid` is reserved (RFC 2606); on this machine the resolver fails fast for it
    // (checked with `getent ahosts nonexistent.invalid`), so this is Dns, not Timeout.
    let result = prober(None, PATIENT)
        .probe(
            Endpoint::Health,
            "http://nonexistent.invalid/api/v1/health/",
        )
        .await;

    let message = expect_failure(&result, FailureKind::Dns);
    assert!(message.contains("nonexistent.invalid"), "{message}");
    assert_eq!(
        result.timings,
        PhaseTimings::default(),
        "no phase completed"
    );
    assert_eq!(result.remote_addr, None);
}

#[tokio::test]
async fn dns_check_resolves_localhost_and_explains_unknown_hosts() {
    let prober = prober(None, PATIENT);

    let started = Instant::now();
    let check = prober.dns("localhost").await;
    let elapsed = started.elapsed();
    assert_eq!(check.host, "localhost");
    assert_eq!(check.error, None, "{check:#?}");
    assert!(
        check
            .addresses
            .iter()
            .any(|a| a == "127.0.0.1" || a == "::1"),
        "{check:#?}"
    );
    assert!(
        check.lookup_ms <= ms(elapsed),
        "a lookup of {} ms in a call that took {elapsed:?}",
        check.lookup_ms
    );

    let check = prober.dns("nonexistent.invalid").await;
    assert!(check.addresses.is_empty(), "{check:#?}");
    let error = check.error.expect("an unknown host is an error");
    assert!(error.contains("nonexistent.invalid"), "{error}");
}

#[tokio::test]
async fn silent_server_times_out() {
    let addr = serve_silence().await;

    let started = Instant::now();
    let result = prober(None, Duration::from_millis(300))
        .probe(Endpoint::Health, &format!("http://{addr}/"))
        .await;
    let elapsed = started.elapsed();

    let message = expect_failure(&result, FailureKind::Timeout);
    // The connection was made and the request sent; the answer is what never came.
    assert!(message.contains("the response headers"), "{message}");
    assert_eq!(
        result.remote_addr.as_deref(),
        Some(addr.to_string().as_str())
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "the probe took {elapsed:?}"
    );
}

#[tokio::test]
async fn every_probe_opens_a_fresh_connection() {
    let server = serve(healthy_app(), None).await;
    let prober = prober(None, PATIENT);
    let url = server.url(HEALTH_PATH);

    // Reused connections would hide DNS/connect/TLS time, so each probe must dial anew.
    for _ in 0..3 {
        let result = prober.probe(Endpoint::Health, &url).await;
        assert!(result.failure.is_none(), "{result:#?}");
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 3);
}
