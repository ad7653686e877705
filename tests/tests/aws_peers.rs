//! The AWS adapter against a local stub that plays AWS: the failures a real endpoint produces
//! (throttling, 5xx, a malformed answer, no answer at all) and, recorded in the shape AWS documents,
//! the answers moto cannot give (ECS service events, rollout state and task health; CloudWatch
//! percentiles). Each failure must end, within the configured bound, as an error in words — and,
//! through the poller, as a stale panel that keeps its last value.

use app::domain::cloud::MetricKind;
use app::domain::Level;
use app::ports::{CloudReader, PortError};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration as ChronoDuration, Utc};
use opsdeck_tests::aws::{quick_limits, reader, settings};
use opsdeck_tests::TestApp;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Throttle,
    Error500,
    Malformed,
    Silent,
    Recorded,
}

#[derive(Clone)]
struct Stub {
    mode: Arc<Mutex<Mode>>,
    /// (x-amz-target or Action, body) of every request.
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Stub {
    async fn start(mode: Mode) -> (Self, String) {
        let stub = Stub {
            mode: Arc::new(Mutex::new(mode)),
            seen: Arc::new(Mutex::new(Vec::new())),
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(stub.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (stub, url)
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }
}

fn operation(headers: &HeaderMap, body: &str) -> String {
    if let Some(t) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        return t.rsplit('.').next().unwrap_or(t).to_owned();
    }
    body.split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("?")
        .to_owned()
}

async fn answer(
    axum::extract::State(stub): axum::extract::State<Stub>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    let op = operation(&headers, &body);
    stub.seen.lock().unwrap().push((op.clone(), body));
    let mode = *stub.mode.lock().unwrap();
    let json = [("content-type", "application/x-amz-json-1.1")];
    match mode {
        Mode::Throttle => (
            StatusCode::BAD_REQUEST,
            json,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        )
            .into_response(),
        Mode::Error500 => (StatusCode::INTERNAL_SERVER_ERROR, json, "").into_response(),
        Mode::Malformed => (
            StatusCode::OK,
            json,
            "<html><body>Bad Gateway</body></html>",
        )
            .into_response(),
        Mode::Silent => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK.into_response()
        }
        Mode::Recorded => recorded(&op),
    }
}

/// Answers in the shape the ECS and CloudWatch API references document.
fn recorded(op: &str) -> Response {
    let now = Utc::now().timestamp() as f64;
    let json = [("content-type", "application/x-amz-json-1.1")];
    match op {
        "DescribeServices" => {
            // 15 events, newest first, as ECS returns them; one is attacker-controlled-looking text.
            let events: Vec<serde_json::Value> = (0..15)
                .map(|i| {
                    let message = if i == 0 {
                        "(service conflicto-prod-svc) has started 1 tasks: (task 9f1c). <script>alert(1)</script>".to_owned()
                    } else {
                        format!("(service conflicto-prod-svc) event {i}")
                    };
                    serde_json::json!({"id": format!("e{i}"), "createdAt": now - f64::from(i) * 60.0, "message": message})
                })
                .collect();
            let body = serde_json::json!({
                "services": [{
                    "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/conflicto-prod-cluster/conflicto-prod-svc",
                    "serviceName": "conflicto-prod-svc",
                    "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/conflicto-prod-cluster",
                    "status": "ACTIVE",
                    "desiredCount": 3, "runningCount": 2, "pendingCount": 1,
                    "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/conflicto-prod:43",
                    "deployments": [
                        {"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/conflicto-prod:43",
                         "desiredCount": 3, "pendingCount": 1, "runningCount": 1, "failedTasks": 2,
                         "createdAt": now - 300.0, "updatedAt": now - 30.0,
                         "rolloutState": "IN_PROGRESS", "rolloutStateReason": "ECS deployment ecs-svc/2 in progress."},
                        {"id": "ecs-svc/1", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/conflicto-prod:42",
                         "desiredCount": 0, "pendingCount": 0, "runningCount": 1, "failedTasks": 0,
                         "createdAt": now - 86400.0, "updatedAt": now - 300.0, "rolloutState": "COMPLETED"}
                    ],
                    "events": events
                }],
                "failures": []
            });
            (StatusCode::OK, json, body.to_string()).into_response()
        }
        "ListTasks" => (
            StatusCode::OK,
            json,
            serde_json::json!({"taskArns": [
                "arn:aws:ecs:us-east-1:123456789012:task/conflicto-prod-cluster/0a1b2c3d4e5f",
                "arn:aws:ecs:us-east-1:123456789012:task/conflicto-prod-cluster/9f8e7d6c5b4a"
            ]})
            .to_string(),
        )
            .into_response(),
        "DescribeTasks" => (
            StatusCode::OK,
            json,
            serde_json::json!({"tasks": [
                {"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/conflicto-prod-cluster/0a1b2c3d4e5f",
                 "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/conflicto-prod:43",
                 "lastStatus": "RUNNING", "desiredStatus": "RUNNING", "healthStatus": "UNHEALTHY", "startedAt": now - 200.0},
                {"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/conflicto-prod-cluster/9f8e7d6c5b4a",
                 "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/conflicto-prod:42",
                 "lastStatus": "RUNNING", "desiredStatus": "RUNNING", "healthStatus": "HEALTHY", "startedAt": now - 80000.0}
            ], "failures": []})
            .to_string(),
        )
            .into_response(),
        "DescribeTaskDefinition" => (
            StatusCode::OK,
            json,
            serde_json::json!({"taskDefinition": {
                "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/conflicto-prod:43",
                "family": "conflicto-prod", "revision": 43,
                "containerDefinitions": [{"name": "conflicto-backend", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/conflicto-backend:v1.4.3"}]
            }})
            .to_string(),
        )
            .into_response(),
        "DescribeLoadBalancers" => xml(&format!(
            r#"<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeLoadBalancersResult><LoadBalancers><member><LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/conflicto-prod-alb/50dc6c495c0c9188</LoadBalancerArn><LoadBalancerName>conflicto-prod-alb</LoadBalancerName><DNSName>conflicto-prod-alb-1.us-east-1.elb.amazonaws.com</DNSName><State><Code>active</Code></State></member></LoadBalancers></DescribeLoadBalancersResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>"#,
            "r1"
        )),
        "GetMetricData" => {
            let t = |m: i64| {
                chrono::DateTime::from_timestamp((Utc::now().timestamp() / 60 - m) * 60, 0)
                    .unwrap()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            };
            xml(&format!(
                r#"<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults><member><Id>response_time</Id><Label>TargetResponseTime</Label><StatusCode>Complete</StatusCode><Timestamps><member>{}</member><member>{}</member></Timestamps><Values><member>0.412</member><member>5.5</member></Values></member><member><Id>requests</Id><Label>RequestCount</Label><StatusCode>Complete</StatusCode><Timestamps><member>{}</member></Timestamps><Values><member>100</member></Values></member></MetricDataResults><Messages/></GetMetricDataResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetMetricDataResponse>"#,
                t(3), t(2), t(2)
            ))
        }
        _ => (StatusCode::BAD_REQUEST, json, format!(r#"{{"__type":"UnknownOperationException","message":"{op}"}}"#)).into_response(),
    }
}

fn xml(body: &str) -> Response {
    (
        StatusCode::OK,
        [("content-type", "text/xml")],
        body.to_owned(),
    )
        .into_response()
}

fn ecs_settings(url: &str) -> server::config::AwsSettings {
    let mut cfg = settings(url);
    cfg.cluster = Some("conflicto-prod-cluster".into());
    cfg.service = Some("conflicto-prod-svc".into());
    cfg.container = Some("conflicto-backend".into());
    cfg
}

/// Each failure ends as an error in words, after a bounded number of attempts, within the bound.
#[tokio::test]
async fn failing_endpoints_end_in_words_within_the_bound() {
    let (stub, url) = Stub::start(Mode::Throttle).await;
    let limits = quick_limits();
    let (r, _) = reader(&ecs_settings(&url), limits, "Average").await;
    type Case = (Mode, fn(&PortError) -> bool, &'static str);
    let cases: [Case; 4] = [
        (
            Mode::Throttle,
            |e| matches!(e, PortError::Throttled(_)),
            "ThrottlingException: ecs:DescribeServices",
        ),
        (
            Mode::Error500,
            |e| matches!(e, PortError::Unavailable(_)),
            "ecs:DescribeServices: AWS answered HTTP 500",
        ),
        (
            Mode::Malformed,
            |e| matches!(e, PortError::Unavailable(_) | PortError::Other(_)),
            "ecs:DescribeServices",
        ),
        (
            Mode::Silent,
            |e| matches!(e, PortError::Unavailable(_)),
            "ecs:DescribeServices: AWS did not answer within the time limit",
        ),
    ];
    for (mode, kind, words) in cases {
        stub.set(mode);
        stub.seen.lock().unwrap().clear();
        let t0 = Instant::now();
        let err = r.ecs().await.expect_err("a failing endpoint fails");
        let took = t0.elapsed();
        assert!(kind(&err), "{mode:?}: {err:?}");
        assert!(
            err.detail().starts_with(words),
            "{mode:?}: {:?} should start with {words:?}",
            err.detail()
        );
        // Never more than the configured attempts; never longer than the operation bound (+ slack
        // for a loaded machine).
        let attempts = stub.requests().len();
        assert!(attempts <= 3, "{mode:?}: {attempts} attempts");
        if matches!(mode, Mode::Throttle | Mode::Error500) {
            assert_eq!(
                attempts, 3,
                "{mode:?}: transient errors are retried up to max_attempts"
            );
        }
        assert!(
            took < limits.operation + Duration::from_secs(2),
            "{mode:?} took {took:?}"
        );
    }
}

/// Through the poller: a panel whose source starts failing keeps its last value, carries the
/// error and is stale — visible in /api/v1/status and on the page.
#[tokio::test]
async fn a_failing_source_keeps_its_last_value_marked_stale() {
    let (stub, url) = Stub::start(Mode::Recorded).await;
    let stub_url = url.clone();
    let app = TestApp::builder()
        .interval(Duration::from_secs(5))
        .configure(move |s| {
            s.aws.ecs_interval = Duration::from_millis(300);
            s.aws.limits = quick_limits();
            for e in &mut s.environments {
                e.aws = None;
                e.github = None;
            }
            s.environments[0].aws = Some(ecs_settings(&stub_url));
        })
        // The real AWS adapter, pointed at the stub: no simulated world behind the panels.
        .clouds(server::startup::Clouds::Real {
            credentials: Some(opsdeck_tests::aws::credentials()),
        })
        .spawn()
        .await;
    assert!(app.world.is_none());
    let ecs = |s: &serde_json::Value| s["clouds"][0]["ecs"].clone();
    let first = ecs(&app
        .wait_for(Duration::from_secs(10), "ECS data from the stub", |s| {
            !ecs(s)["value"].is_null()
        })
        .await);
    assert_eq!(first["value"]["running"], 2);
    assert!(first["error"].is_null());

    stub.set(Mode::Silent);
    let failing = ecs(&app
        .wait_for(Duration::from_secs(15), "the hang reported", |s| {
            !ecs(s)["error"].is_null()
        })
        .await);
    assert_eq!(failing["value"]["running"], 2, "the last value is kept");
    assert_eq!(
        failing["error"],
        "ecs:DescribeServices: AWS did not answer within the time limit"
    );

    let page = app
        .client
        .get(format!("{}/env/prod", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("AWS did not answer within the time limit"),
        "error shown on the page"
    );
    assert!(page.contains("Showing the last figures fetched."));
    assert!(
        page.contains("2 / 3"),
        "the kept figures are still on the page"
    );
}

/// What moto cannot emulate: events, rollout state and task health, from recorded answers.
#[tokio::test]
async fn service_events_rollouts_and_task_health_from_a_recorded_answer() {
    let (stub, url) = Stub::start(Mode::Recorded).await;
    let (r, _) = reader(&ecs_settings(&url), quick_limits(), "Average").await;
    let panel = r.ecs().await.expect("panel");
    assert_eq!((panel.running, panel.desired, panel.pending), (2, 3, 1));
    assert_eq!(panel.events.len(), 10, "the last 10 events only");
    assert!(
        panel.events[0].message.contains("<script>"),
        "kept as text; escaped when rendered"
    );
    assert!(panel.events[0].at > panel.events[1].at, "newest first");
    assert!(panel.rolling_out());
    assert_eq!(
        panel.deployments[0].rollout_state.as_deref(),
        Some("IN_PROGRESS")
    );
    assert_eq!(panel.deployments[0].failed, 2);
    assert_eq!(panel.deployments[0].task_definition, "conflicto-prod:43");
    assert_eq!(
        panel.tasks[0].health.as_deref(),
        Some("UNHEALTHY"),
        "newest task first"
    );
    assert_eq!(panel.level(), Level::Warning);
    assert_eq!(
        panel.task_definition.as_ref().and_then(|t| t.image_tag()),
        Some("v1.4.3")
    );
    let ops: Vec<String> = stub.requests().into_iter().map(|(op, _)| op).collect();
    assert_eq!(
        ops,
        [
            "DescribeServices",
            "ListTasks",
            "DescribeTasks",
            "DescribeTaskDefinition"
        ]
    );
    let describe = &stub.requests()[0].1;
    assert!(
        describe.contains(r#""cluster":"conflicto-prod-cluster""#)
            && describe.contains(r#""services":["conflicto-prod-svc"]"#),
        "{describe}"
    );
}

/// moto answers percentiles with a 500: the request opsdeck sends for p95 is checked instead, and
/// a recorded answer shows how it is judged.
#[tokio::test]
async fn response_time_percentile_is_requested_and_judged() {
    let (stub, url) = Stub::start(Mode::Recorded).await;
    let mut cfg = settings(&url);
    cfg.load_balancer = Some("conflicto-prod-alb".into());
    let (r, _) = reader(&cfg, quick_limits(), "p95").await;
    let now = Utc::now();
    let readings = r
        .metrics(now - ChronoDuration::hours(1), now, 60)
        .await
        .expect("metrics");
    let sent = stub
        .requests()
        .into_iter()
        .find(|(op, _)| op == "GetMetricData")
        .expect("a GetMetricData request")
        .1;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(sent.as_bytes())
        .into_owned()
        .collect();
    let value = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    // The queries in the order opsdeck builds them: response time first, with the percentile.
    assert_eq!(
        value("MetricDataQueries.member.1.Id").as_deref(),
        Some("response_time")
    );
    assert_eq!(
        value("MetricDataQueries.member.1.MetricStat.Stat").as_deref(),
        Some("p95")
    );
    assert_eq!(
        value("MetricDataQueries.member.1.MetricStat.Period").as_deref(),
        Some("60")
    );
    assert_eq!(
        value("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value").as_deref(),
        Some("app/conflicto-prod-alb/50dc6c495c0c9188"),
        "the ALB dimension comes from its ARN"
    );
    assert_eq!(value("ScanBy").as_deref(), Some("TimestampAscending"));
    let rt = &readings
        .series
        .iter()
        .find(|(k, _)| *k == MetricKind::ResponseTime)
        .expect("rt")
        .1;
    let latest = rt.iter().rev().find_map(|p| p.value).expect("a value");
    assert_eq!(latest, 5500.0);
    let t = server::config::ThresholdSettings::default();
    let panel =
        app::usecases::cloud_metrics::metrics_panel(&readings, None, 900, |k| t.for_metric(k));
    assert_eq!(
        panel.get(MetricKind::ResponseTime).unwrap().level(),
        Level::Critical,
        "5.5 s > 5 s"
    );
    assert_eq!(
        panel
            .get(MetricKind::ResponseTime)
            .unwrap()
            .detail
            .as_deref(),
        Some("TargetResponseTime, p95")
    );
}
