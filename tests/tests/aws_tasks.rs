//! The scheduled tasks' runs through the real ECS SDK client: against moto for what it emulates
//! (tasks run and stopped, `ListTasks` by family and desired status), and against a stub
//! answering in the shape the ECS API reference documents for what moto leaves out — moto stops
//! every container with exit code 0 and gives no stop code, so the failed run (exit 1) is a
//! recorded `DescribeTasks` answer.

use app::ports::CloudReader;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ContainerDefinition, LaunchType, NetworkConfiguration,
};
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use opsdeck_tests::aws::{
    default_subnets, moto_url, quick_limits, reader, security_group, seeders, settings, unique,
};
use std::sync::{Arc, Mutex};

async fn family(s: &opsdeck_tests::aws::Seeders, name: &str) -> String {
    s.ecs
        .register_task_definition()
        .family(name)
        .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("report")
                .image("conflicto-backend:1.4.2")
                .cpu(256)
                .memory(512)
                .build(),
        )
        .send()
        .await
        .expect("register task definition")
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition arn")
        .to_owned()
}

async fn run(
    s: &opsdeck_tests::aws::Seeders,
    cluster: &str,
    td: &str,
    subnets: &[String],
    sg: &str,
) -> String {
    s.ecs
        .run_task()
        .cluster(cluster)
        .task_definition(td)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .set_subnets(Some(subnets.to_vec()))
                        .security_groups(sg)
                        .assign_public_ip(AssignPublicIp::Disabled)
                        .build()
                        .expect("awsvpc configuration"),
                )
                .build(),
        )
        .send()
        .await
        .expect("run task")
        .tasks()
        .first()
        .and_then(|t| t.task_arn())
        .expect("a task")
        .to_owned()
}

#[tokio::test]
async fn stopped_tasks_of_the_scheduled_families_are_read_and_nothing_else() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let (vpc, subnets) = default_subnets(&moto).await;
    let sg = security_group(&moto, &vpc, &unique("tasks")).await;
    let cluster = unique("cluster");
    s.ecs
        .create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .expect("create cluster");
    let nightly = unique("nightly-report");
    let other = unique("migrations");
    let nightly_td = family(&s, &nightly).await;
    let other_td = family(&s, &other).await;

    let stopped = run(&s, &cluster, &nightly_td, &subnets, &sg).await;
    let _still_running = run(&s, &cluster, &nightly_td, &subnets, &sg).await;
    let other_stopped = run(&s, &cluster, &other_td, &subnets, &sg).await;
    for arn in [&stopped, &other_stopped] {
        s.ecs
            .stop_task()
            .cluster(&cluster)
            .task(arn)
            .reason("Essential container in task exited")
            .send()
            .await
            .expect("stop task");
    }

    let mut cfg = settings(&moto);
    cfg.cluster = Some(cluster.clone());
    let (r, _) = reader(&cfg, quick_limits(), "Average").await;
    let runs = r
        .stopped_tasks(std::slice::from_ref(&nightly))
        .await
        .expect("stopped tasks");

    assert_eq!(
        runs.len(),
        1,
        "only the stopped run of the family: {runs:#?}"
    );
    let run = &runs[0];
    assert_eq!(run.task_arn, stopped);
    assert_eq!(run.family, nightly);
    assert_eq!(
        run.stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );
    // moto stops every container with exit code 0: a run that succeeded.
    assert_eq!(run.exit_code, Some(0));
    assert!(!run.failed());
}

#[tokio::test]
async fn a_missing_cluster_is_an_error_in_words() {
    let moto = moto_url();
    let mut cfg = settings(&moto);
    cfg.cluster = Some(unique("no-such-cluster"));
    let (r, _) = reader(&cfg, quick_limits(), "Average").await;
    let err = r
        .stopped_tasks(&["conflicto-prod-nightly-report".to_owned()])
        .await
        .expect_err("no cluster");
    assert!(err.to_string().to_lowercase().contains("cluster"), "{err}");
}

/// The ECS API reference's `DescribeTasks` answer for a task whose essential container exited
/// with code 1.
const DESCRIBE_FAILED: &str = r#"{"failures":[],"tasks":[{
  "taskArn":"arn:aws:ecs:us-east-1:123456789012:task/conflicto-prod-cluster/0b69d5c0d0a34ad7a8ba9d2cf2a0d3e1",
  "taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/conflicto-prod-nightly-report:7",
  "clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/conflicto-prod-cluster",
  "lastStatus":"STOPPED","desiredStatus":"STOPPED","launchType":"FARGATE",
  "startedAt":1796522400.0,"stoppingAt":1796522638.1,"stoppedAt":1796522640.5,
  "stopCode":"EssentialContainerExited",
  "stoppedReason":"Essential container in task exited",
  "containers":[{"name":"report","lastStatus":"STOPPED","exitCode":1,
    "reason":"<script>alert(1)</script>"}]}]}"#;

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(String, String)>>>);

async fn answer(
    axum::extract::State(rec): axum::extract::State<Recorder>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    rec.0
        .lock()
        .unwrap()
        .push((target.clone(), String::from_utf8_lossy(&body).into_owned()));
    let json = if target.ends_with(".ListTasks") {
        r#"{"taskArns":["arn:aws:ecs:us-east-1:123456789012:task/conflicto-prod-cluster/0b69d5c0d0a34ad7a8ba9d2cf2a0d3e1"]}"#
    } else {
        DESCRIBE_FAILED
    };
    (
        [("content-type", "application/x-amz-json-1.1")],
        json.to_owned(),
    )
        .into_response()
}

#[tokio::test]
async fn a_run_that_exited_non_zero_is_a_failure_with_its_reason() {
    let rec = Recorder::default();
    let app = axum::Router::new().fallback(answer).with_state(rec.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut cfg = settings(&url);
    cfg.cluster = Some("conflicto-prod-cluster".into());
    let (r, _) = reader(&cfg, quick_limits(), "Average").await;

    let runs = r
        .stopped_tasks(&["conflicto-prod-nightly-report".to_owned()])
        .await
        .expect("stopped tasks");

    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.family, "conflicto-prod-nightly-report");
    assert_eq!(run.exit_code, Some(1));
    assert_eq!(run.stop_code.as_deref(), Some("EssentialContainerExited"));
    assert!(run.failed());
    assert_eq!(
        run.outcome_words(),
        "exit 1: Essential container in task exited"
    );
    assert_eq!(run.short_id(), "0b69d5c0d0a34ad7a8ba9d2cf2a0d3e1");

    // What was asked: the family's stopped tasks in the configured cluster, then those tasks.
    let seen = rec.0.lock().unwrap().clone();
    let (target, body) = &seen[0];
    assert!(target.ends_with("ListTasks"), "{target}");
    let asked: serde_json::Value = serde_json::from_str(body).expect("JSON request");
    assert_eq!(asked["cluster"], "conflicto-prod-cluster");
    assert_eq!(asked["family"], "conflicto-prod-nightly-report");
    assert_eq!(asked["desiredStatus"], "STOPPED");
    assert!(seen[1].0.ends_with("DescribeTasks"));
}
