//! Executed once at AWS and GitHub too: change control's calls go through the real adapters to a
//! stub on loopback that answers too late, with a 5xx, or with a refusal. Exactly one request
//! reaches it each time — no SDK retry — and an answer that leaves the outcome open is "outcome
//! unknown — verify" on the request page, never "failed"; a person then marks it done or failed.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use opsdeck_tests::aws::credentials;
use opsdeck_tests::people::{person, until_state, Person};
use opsdeck_tests::TestApp;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the stub answers a call that changes something.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Answer {
    /// After the attempt timeout (3 s; opsdeck gives up after 1 s).
    Late,
    Error500,
    /// A definite refusal, in AWS's or GitHub's words.
    Refuse,
}

#[derive(Clone)]
struct Stub {
    answer: Arc<Mutex<Answer>>,
    /// (operation, body) of every request.
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Stub {
    async fn start(answer: Answer) -> (Self, String) {
        let stub = Stub {
            answer: Arc::new(Mutex::new(answer)),
            seen: Arc::new(Mutex::new(Vec::new())),
        };
        let app = axum::Router::new()
            .fallback(answer_request)
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

    fn set(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    fn bodies(&self, op: &str) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|(o, _)| o == op)
            .map(|(_, b)| b.clone())
            .collect()
    }
}

fn operation(method: &Method, uri: &Uri, headers: &HeaderMap, body: &str) -> String {
    if let Some(t) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        return t.rsplit('.').next().unwrap_or(t).to_owned();
    }
    if let Some(a) = body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return a.to_owned();
    }
    format!("{method} {}", uri.path())
}

const SOURCE: &str = r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances><DBInstance>
<DBInstanceIdentifier>conflicto-prod</DBInstanceIdentifier><DBInstanceClass>db.r6g.large</DBInstanceClass><Engine>postgres</Engine>
<DBInstanceStatus>available</DBInstanceStatus><MultiAZ>true</MultiAZ><StorageType>gp3</StorageType><PubliclyAccessible>false</PubliclyAccessible>
<DBSubnetGroup><DBSubnetGroupName>conflicto-prod-db</DBSubnetGroupName></DBSubnetGroup>
<VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-0c0ff1c7</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>
<DBParameterGroups><DBParameterGroup><DBParameterGroupName>conflicto-pg16</DBParameterGroupName><ParameterApplyStatus>in-sync</ParameterApplyStatus></DBParameterGroup></DBParameterGroups>
</DBInstance></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeDBInstancesResponse>"#;

const RESTORING: &str = r#"<RestoreDBInstanceFromDBSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><RestoreDBInstanceFromDBSnapshotResult><DBInstance>
<DBInstanceIdentifier>conflicto-prod-recovery</DBInstanceIdentifier><DBInstanceStatus>creating</DBInstanceStatus></DBInstance></RestoreDBInstanceFromDBSnapshotResult>
<ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></RestoreDBInstanceFromDBSnapshotResponse>"#;

async fn answer_request(
    State(stub): State<Stub>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    let op = operation(&method, &uri, &headers, &body);
    stub.seen.lock().unwrap().push((op.clone(), body));
    let answer = *stub.answer.lock().unwrap();
    let xml = [("content-type", "text/xml")];
    let json = [("content-type", "application/x-amz-json-1.1")];
    let changes = matches!(
        op.as_str(),
        "RestoreDBInstanceFromDBSnapshot" | "UpdateService"
    ) || op.ends_with("/dispatches");
    if changes {
        match answer {
            Answer::Late => tokio::time::sleep(Duration::from_secs(3)).await,
            Answer::Error500 => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            Answer::Refuse if op == "UpdateService" => {
                return (
                    StatusCode::BAD_REQUEST,
                    json,
                    r#"{"__type":"InvalidParameterException","message":"The desired count is above the service's limit."}"#,
                )
                    .into_response()
            }
            Answer::Refuse => {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    [("content-type", "application/json")],
                    r#"{"message":"Unexpected inputs provided: [\"version\"]","documentation_url":"https://docs.github.com/rest"}"#,
                )
                    .into_response()
            }
        }
    }
    match op.as_str() {
        "DescribeDBInstances" => (StatusCode::OK, xml, SOURCE).into_response(),
        "RestoreDBInstanceFromDBSnapshot" => (StatusCode::OK, xml, RESTORING).into_response(),
        "UpdateService" => (
            StatusCode::OK,
            json,
            r#"{"service":{"serviceName":"conflicto-prod-svc","desiredCount":5,"deployments":[]}}"#,
        )
            .into_response(),
        o if o.ends_with("/dispatches") => StatusCode::NO_CONTENT.into_response(),
        // The panels' reads (and GitHub's runs) are not this test's subject.
        _ => (StatusCode::NOT_FOUND, "not stubbed").into_response(),
    }
}

/// opsdeck with prod's AWS and GitHub at the stub, one-second attempts.
async fn app(stub_url: &str) -> TestApp {
    let stub_url = stub_url.to_owned();
    TestApp::builder()
        .configure(move |s| {
            s.aws.limits.attempt = Duration::from_secs(1);
            s.aws.limits.read = Duration::from_secs(1);
            s.aws.limits.operation = Duration::from_secs(2);
            s.github.api_url = url::Url::parse(&format!("{stub_url}/")).unwrap();
            s.github.timeout = Duration::from_secs(1);
            for e in &mut s.environments {
                e.aws = None;
            }
            s.environments[0].aws = Some(server::config::AwsSettings {
                region: "us-east-1".into(),
                endpoint_url: Some(stub_url.parse().unwrap()),
                cluster: Some("conflicto-prod-cluster".into()),
                service: Some("conflicto-prod-svc".into()),
                db_instance: Some("conflicto-prod".into()),
                ..Default::default()
            });
            s.environments[1].github = None;
            if let Some(g) = s.environments[0].github.as_mut() {
                g.repository = Some("conflicto/conflicto".into());
                g.rollback_workflow = Some("rollback.yml".into());
            }
        })
        .clouds(server::startup::Clouds::Real {
            credentials: Some(credentials()),
        })
        .spawn()
        .await
}

async fn ask(p: &Person, app: &TestApp, fields: &[(&str, &str)]) -> i64 {
    let (code, body) = p.request(app, fields).await;
    assert_eq!(code, 200, "{body}");
    body.trim().parse().expect("id")
}

async fn page(app: &TestApp, id: i64) -> String {
    app.get(&format!("/requests/{id}"))
        .await
        .text()
        .await
        .expect("page")
}

#[tokio::test]
async fn a_restore_answered_too_late_is_sent_once_and_its_outcome_is_unknown_until_someone_looks() {
    let (stub, url) = Stub::start(Answer::Late).await;
    let app = app(&url).await;
    let (oscar, alice, abel) = (
        person(&app, "oscar").await,
        person(&app, "alice").await,
        person(&app, "abel").await,
    );
    let id = ask(
        &oscar,
        &app,
        &[
            ("env", "prod"),
            ("kind", "restore"),
            ("snapshot", "rds:conflicto-prod-2026-12-01-03-00"),
            ("new_instance", "conflicto-prod-recovery"),
            ("reason", "orders damaged since 06:10"),
        ],
    )
    .await;
    // What will be sent is on the page before anyone approves.
    let before = page(&app, id).await;
    for text in [
        "conflicto-prod-db",
        "sg-0c0ff1c7",
        "conflicto-pg16",
        "db.r6g.large",
    ] {
        assert!(before.contains(text), "the request page shows {text}");
    }
    for p in [&alice, &abel] {
        let (code, body) = p.decide(&app, id, "approve", "").await;
        assert_eq!(code, 200, "{body}");
    }
    until_state(&app, id, "outcome_unknown", Duration::from_secs(15)).await;
    // Long enough for any retry to have arrived (the stub answers after 3 s).
    tokio::time::sleep(Duration::from_secs(4)).await;
    let sent = stub.bodies("RestoreDBInstanceFromDBSnapshot");
    assert_eq!(sent.len(), 1, "exactly one restore reached AWS");
    for field in [
        "PubliclyAccessible=false",
        "DeletionProtection=true",
        "MultiAZ=true",
        "DBSubnetGroupName=conflicto-prod-db",
        "VpcSecurityGroupIds.VpcSecurityGroupId.1=sg-0c0ff1c7",
        "DBParameterGroupName=conflicto-pg16",
        "DBInstanceClass=db.r6g.large",
        "StorageType=gp3",
        "Value=conflicto-prod",
    ] {
        assert!(sent[0].contains(field), "{field} in {}", sent[0]);
    }
    assert!(
        sent[0].contains(&format!("Key=opsdeck-request&Tags.Tag.1.Value={id}")),
        "{}",
        sent[0]
    );
    let unknown = page(&app, id).await;
    assert!(unknown.contains("outcome unknown"), "the page says so");
    assert!(unknown.contains("Verify the real state"));

    let (code, body) = oscar
        .post(
            &app,
            "resolve_request",
            &[("id", &id.to_string()), ("outcome", "done"), ("reason", "")],
        )
        .await;
    assert_eq!(code, 400, "a reason is required: {body}");
    let (code, body) = oscar
        .post(
            &app,
            "resolve_request",
            &[
                ("id", &id.to_string()),
                ("outcome", "done"),
                ("reason", "conflicto-prod-recovery exists, status creating"),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    until_state(&app, id, "succeeded", Duration::from_secs(2)).await;
    let ada = person(&app, "ada").await;
    let (code, body) = ada
        .post(
            &app,
            "resolve_request",
            &[
                ("id", &id.to_string()),
                ("outcome", "failed"),
                ("reason", "no"),
            ],
        )
        .await;
    assert_eq!(code, 409, "resolved once: {body}");
    let resolved: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'action.succeeded' AND details->>'request' = $1",
    )
    .bind(id.to_string())
    .fetch_one(&app.pool().await)
    .await
    .expect("the resolution is audited");
    assert_eq!(resolved["resolved"], true);
    assert!(page(&app, id).await.contains("marked it done"));
}

#[tokio::test]
async fn a_5xx_is_unknown_and_a_refusal_is_failed_each_sent_once() {
    let (stub, url) = Stub::start(Answer::Error500).await;
    let app = app(&url).await;
    let (oscar, alice) = (person(&app, "oscar").await, person(&app, "alice").await);
    let scale = |n: &'static str| {
        [
            ("env", "prod"),
            ("kind", "scale"),
            ("count", n),
            ("reason", "traffic"),
        ]
    };
    let id = ask(&oscar, &app, &scale("5")).await;
    alice.decide(&app, id, "approve", "").await;
    until_state(&app, id, "outcome_unknown", Duration::from_secs(10)).await;
    assert_eq!(
        stub.bodies("UpdateService").len(),
        1,
        "a 5xx is not retried"
    );

    stub.set(Answer::Refuse);
    let id = ask(&oscar, &app, &scale("6")).await;
    alice.decide(&app, id, "approve", "").await;
    until_state(&app, id, "failed", Duration::from_secs(10)).await;
    assert_eq!(stub.bodies("UpdateService").len(), 2);
    assert!(
        page(&app, id).await.contains("InvalidParameterException"),
        "AWS's words"
    );
}

#[tokio::test]
async fn a_rollback_dispatch_answered_too_late_is_sent_once() {
    let (stub, url) = Stub::start(Answer::Late).await;
    let app = app(&url).await;
    let (oscar, alice) = (person(&app, "oscar").await, person(&app, "alice").await);
    let id = ask(
        &oscar,
        &app,
        &[
            ("env", "prod"),
            ("kind", "rollback"),
            ("version", "v1.4.1"),
            ("reason", "5xx after 1.4.2"),
        ],
    )
    .await;
    alice.decide(&app, id, "approve", "").await;
    until_state(&app, id, "outcome_unknown", Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let dispatch = "POST /repos/conflicto/conflicto/actions/workflows/rollback.yml/dispatches";
    let sent = stub.bodies(dispatch);
    assert_eq!(sent.len(), 1, "exactly one dispatch reached GitHub");
    assert!(sent[0].contains(r#""version":"v1.4.1""#), "{}", sent[0]);
    assert!(page(&app, id).await.contains("outcome unknown"));
}
