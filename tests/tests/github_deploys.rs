//! The GitHub deploy adapter against a local stub (wiremock) serving GitHub's documented payloads,
//! including the awkward ones: a `null` head_branch, a `requested` status, 304 Not Modified, a 403
//! rate limit with retry-after, a 422 refusal. What opsdeck sends is asserted as well: the server
//! token on reads, the person's token on writes, the bodies of reviews and dispatches.

use app::domain::deploys::DeployRun;
use app::ports::DeployTarget;
use app::ports::{DeploySource, PortError, UserToken};
use app::usecases::deploys::deploys_panel;
use secrecy::SecretString;
use server::github::GithubRepo;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REPO: &str = "tristanl-slalom/conflicto";

fn repo(server: &MockServer) -> GithubRepo {
    GithubRepo::new(
        format!("{}/", server.uri()).parse().expect("url"),
        REPO,
        Some(SecretString::from("server-token".to_owned())),
        Duration::from_secs(5),
        Arc::new(server::metrics::Metrics::new()),
    )
    .expect("client")
}

/// A workflow run as the REST reference shows it (trimmed of fields opsdeck ignores).
fn run_json(
    id: u64,
    sha: &str,
    status: &str,
    conclusion: Option<&str>,
    branch: Option<&str>,
    hours_ago: i64,
) -> serde_json::Value {
    let at = (chrono::Utc::now() - chrono::Duration::hours(hours_ago))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    serde_json::json!({
        "id": id, "name": "Deploy to Production", "node_id": "WFR_kwLOA", "run_number": id % 1000,
        "head_branch": branch, "head_sha": sha, "path": ".github/workflows/deploy-prod.yml",
        "event": "push", "status": status, "conclusion": conclusion, "workflow_id": 4711,
        "html_url": format!("https://github.com/{REPO}/actions/runs/{id}"),
        "created_at": at, "updated_at": at, "run_started_at": at,
        "actor": {"login": "maria", "id": 1}, "triggering_actor": {"login": "jonas", "id": 2},
        "head_commit": {"id": sha, "message": format!("Change {id}\n\nLonger body"), "author": {"name": "Maria"}},
        "repository": {"full_name": REPO}
    })
}

fn runs_body(runs: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({"total_count": runs.len(), "workflow_runs": runs})
}

fn rate_headers(t: ResponseTemplate, remaining: u32) -> ResponseTemplate {
    t.insert_header("x-ratelimit-limit", "5000")
        .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
        .insert_header("x-ratelimit-reset", "1900000000")
}

#[tokio::test]
async fn runs_use_the_server_token_and_an_unchanged_answer_costs_nothing() {
    let server = MockServer::start().await;
    let runs_path = format!("/repos/{REPO}/actions/workflows/deploy-prod.yml/runs");
    Mock::given(method("GET"))
        .and(path(runs_path.as_str()))
        .and(header("if-none-match", "W/\"etag-1\""))
        .respond_with(rate_headers(ResponseTemplate::new(304), 4990))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(runs_path.as_str()))
        .and(query_param("per_page", "20"))
        .and(header("authorization", "Bearer server-token"))
        .and(header("x-github-api-version", "2022-11-28"))
        .respond_with(
            rate_headers(ResponseTemplate::new(200), 4990)
                .insert_header("etag", "W/\"etag-1\"")
                .set_body_json(runs_body(vec![
                    run_json(9001, "c7f1e2d3a4b5", "requested", None, None, 0),
                    run_json(
                        9000,
                        "b6e0d1c2a3f4",
                        "completed",
                        Some("success"),
                        Some("main"),
                        5,
                    ),
                ])),
        )
        .with_priority(2)
        .mount(&server)
        .await;

    let r = repo(&server);
    let first = r.runs("deploy-prod.yml", 20).await.expect("runs");
    let second = r
        .runs("deploy-prod.yml", 20)
        .await
        .expect("runs from the 304");
    assert_eq!(first, second);
    assert_eq!(first.len(), 2);
    assert_eq!(
        first[0].status, "requested",
        "an unknown status is kept, not a parse failure"
    );
    assert_eq!(first[0].head_branch, None);
    assert_eq!(first[0].actor.as_deref(), Some("jonas"), "who triggered it");
    assert_eq!(
        first[0].message.as_deref(),
        Some("Change 9001"),
        "first line only"
    );
    assert!(first[1].succeeded());
    let rate = r.rate().expect("rate budget");
    assert_eq!((rate.limit, rate.remaining), (5000, 4990));
    let sent = server.received_requests().await.expect("recorded");
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1]
            .headers
            .get("if-none-match")
            .map(|v| v.to_str().unwrap()),
        Some("W/\"etag-1\"")
    );
}

#[tokio::test]
async fn a_workflow_named_in_words_is_looked_up_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/actions/workflows")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 2,
            "workflows": [
                {"id": 4710, "name": "CI", "path": ".github/workflows/ci.yml", "state": "active"},
                {"id": 4711, "name": "Deploy to Production", "path": ".github/workflows/deploy-prod.yml", "state": "active"}
            ]
        })))
        // Once for "Deploy to Production" (then remembered), once for the unknown name.
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/actions/workflows/4711/runs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(runs_body(vec![])))
        .expect(2)
        .mount(&server)
        .await;
    let r = repo(&server);
    r.runs("Deploy to Production", 20).await.expect("runs");
    r.runs("Deploy to Production", 20).await.expect("runs");
    match r.runs("Deploy to Staging", 20).await {
        Err(PortError::NotFound(m)) => assert_eq!(
            m,
            format!("no workflow named \"Deploy to Staging\" in {REPO}")
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rate_limits_and_refusals_are_told_in_words() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/actions/workflows/deploy-prod.yml/runs")))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("retry-after", "60")
                .set_body_json(serde_json::json!({
                    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{REPO}/actions/workflows/gone.yml/runs"
        )))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(serde_json::json!({"message": "Not Found"})),
        )
        .mount(&server)
        .await;
    let r = repo(&server);
    match r.runs("deploy-prod.yml", 20).await {
        Err(PortError::Throttled(m)) => {
            assert!(
                m.contains("secondary rate limit") && m.ends_with("retry after 60 s"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.runs("gone.yml", 20).await,
        Err(PortError::NotFound(_))
    ));
}

#[tokio::test]
async fn reviews_go_out_as_the_person_and_github_s_refusal_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/actions/runs/42/pending_deployments")))
        .and(header("authorization", "Bearer server-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([{
            "environment": {"id": 161088068, "node_id": "MDExOkVudmlyb25tZW50", "name": "prod",
                            "url": "https://api.github.com/repos/o/r/environments/prod", "html_url": "https://github.com/o/r/deployments/activity_log?environments_filter=prod"},
            "wait_timer": 30, "wait_timer_started_at": "2026-11-27T08:00:00Z",
            "current_user_can_approve": false,
            "reviewers": [
                {"type": "User", "reviewer": {"login": "alice", "id": 3}},
                {"type": "Team", "reviewer": {"id": 9, "name": "Conflicto leads", "slug": "conflicto-leads"}}
            ]
        }])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/actions/runs/42/pending_deployments")))
        .and(header("authorization", "Bearer alice-token"))
        .and(body_json(serde_json::json!({"environment_ids": [161088068], "state": "approved", "comment": "health is green"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/actions/runs/42/pending_deployments")))
        .and(header("authorization", "Bearer jonas-token"))
        .respond_with(ResponseTemplate::new(422).set_body_json(serde_json::json!({
            "message": "Reviewer cannot approve their own deployment",
            "documentation_url": "https://docs.github.com/rest/actions/workflow-runs#review-pending-deployments-for-a-workflow-run"
        })))
        .mount(&server)
        .await;

    let r = repo(&server);
    let pending = r.pending(42).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].environment, "prod");
    assert_eq!(pending[0].wait_timer_min, 30);
    assert_eq!(
        pending[0].reviewers,
        vec!["user alice".to_owned(), "team conflicto-leads".to_owned()]
    );

    r.review(
        &UserToken("alice-token".into()),
        42,
        &[161088068],
        true,
        "health is green",
    )
    .await
    .expect("approved as alice");
    match r
        .review(&UserToken("jonas-token".into()), 42, &[161088068], true, "")
        .await
    {
        Err(PortError::Conflict(m)) => assert_eq!(
            m,
            "GitHub refused: Reviewer cannot approve their own deployment"
        ),
        other => panic!("{other:?}"),
    }
    // Writes never carry the server's token.
    for req in server.received_requests().await.expect("recorded") {
        if req.method.as_str() == "POST" {
            let auth = req
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_ne!(auth.as_deref(), Some("Bearer server-token"));
        }
    }
}

#[tokio::test]
async fn a_rollback_dispatch_sends_its_inputs_and_returns_the_run() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/{REPO}/actions/workflows/rollback.yml/dispatches")))
        .and(header("authorization", "Bearer ada-token"))
        .and(body_json(serde_json::json!({
            "ref": "main",
            "inputs": {"environment": "prod", "version": "v1.4.1"},
            "return_run_details": true
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "workflow_run_id": 9402, "run_url": format!("https://api.github.com/repos/{REPO}/actions/runs/9402"),
            "html_url": format!("https://github.com/{REPO}/actions/runs/9402")
        })))
        .mount(&server)
        .await;
    let r = repo(&server);
    let inputs = vec![
        ("environment".to_owned(), "prod".to_owned()),
        ("version".to_owned(), "v1.4.1".to_owned()),
    ];
    let d = r
        .dispatch(
            &UserToken("ada-token".into()),
            "rollback.yml",
            "main",
            &inputs,
        )
        .await
        .expect("dispatched");
    assert_eq!(d.run_id, Some(9402));
    assert_eq!(
        d.html_url.as_deref(),
        Some("https://github.com/tristanl-slalom/conflicto/actions/runs/9402")
    );
}

#[tokio::test]
async fn the_panel_knows_the_last_good_version_the_gate_and_what_went_through_dev() {
    let server = MockServer::start().await;
    let prod = vec![
        run_json(105, "eeee555", "waiting", None, None, 0),
        run_json(
            104,
            "dddd444",
            "completed",
            Some("success"),
            Some("main"),
            2,
        ),
        run_json(
            103,
            "cccc333",
            "completed",
            Some("failure"),
            Some("main"),
            4,
        ),
        run_json(
            102,
            "bbbb222",
            "completed",
            Some("success"),
            Some("main"),
            6,
        ),
    ];
    let dev = vec![
        run_json(
            205,
            "eeee555",
            "completed",
            Some("success"),
            Some("main"),
            1,
        ),
        run_json(
            204,
            "dddd444",
            "completed",
            Some("success"),
            Some("main"),
            3,
        ),
    ];
    for (wf, runs) in [("deploy-prod.yml", prod), ("deploy-dev.yml", dev)] {
        Mock::given(method("GET"))
            .and(path(format!("/repos/{REPO}/actions/workflows/{wf}/runs")))
            .respond_with(ResponseTemplate::new(200).set_body_json(runs_body(runs)))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/actions/runs/105/pending_deployments")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([{
            "environment": {"id": 7, "name": "prod"}, "wait_timer": 0, "wait_timer_started_at": null, "reviewers": []
        }])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/compare/dddd444...eeee555")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "html_url": format!("https://github.com/{REPO}/compare/dddd444...eeee555"),
            "status": "ahead", "ahead_by": 2, "behind_by": 0, "total_commits": 2,
            "commits": [
                {"sha": "aaaa111", "commit": {"message": "Older change", "author": {"name": "Maria"}}, "author": {"login": "maria"}},
                {"sha": "eeee555", "commit": {"message": "Newest change\n\nbody", "author": {"name": "Jonas"}}, "author": null}
            ],
            "files": [
                {"sha": "f1", "filename": "app/orders.py", "status": "modified", "additions": 3, "deletions": 1, "changes": 4},
                {"sha": "f2", "filename": "alembic/versions/0042_orders_index.py", "status": "added", "additions": 20, "deletions": 0, "changes": 20},
                {"sha": "f3", "filename": "docs/migrations.md", "status": "modified", "additions": 1, "deletions": 0, "changes": 1}
            ]
        })))
        .mount(&server)
        .await;
    // GET /repos/{owner}/{repo}/tags, as the REST reference shows it.
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/tags")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"name": "v1.4.3", "commit": {"sha": "eeee555", "url": "https://api.github.com/repos/o/r/commits/eeee555"},
             "zipball_url": "https://github.com/o/r/zipball/v1.4.3", "tarball_url": "https://github.com/o/r/tarball/v1.4.3", "node_id": "MDM6UmVmMQ=="},
            {"name": "v1.4.1", "commit": {"sha": "bbbb222", "url": "https://api.github.com/repos/o/r/commits/bbbb222"},
             "zipball_url": "https://github.com/o/r/zipball/v1.4.1", "tarball_url": "https://github.com/o/r/tarball/v1.4.1", "node_id": "MDM6UmVmMg=="}
        ])))
        .mount(&server)
        .await;
    let source: Arc<dyn DeploySource> = Arc::new(repo(&server));
    let target = DeployTarget {
        source: source.clone(),
        repository: REPO.into(),
        workflow: "deploy-prod.yml".into(),
        workflow_url: String::new(),
        approval_environment: Some("prod".into()),
        rollback: None,
        tested_first_in: Some((source, "deploy-dev.yml".into())),
        tested_first_name: Some("dev".into()),
        gate: Default::default(),
    };
    let panel = deploys_panel(&target).await.expect("panel");
    let sha = |r: Option<&DeployRun>| r.map(|r| r.head_sha.clone());
    assert_eq!(sha(panel.current()), Some("dddd444".into()));
    assert_eq!(
        sha(panel.last_known_good()),
        Some("bbbb222".into()),
        "skips the failed run"
    );
    // Versions read as tag and short sha where the commit has a tag, the sha alone otherwise.
    let labels: Vec<String> = panel.runs.iter().map(DeployRun::version_label).collect();
    assert_eq!(
        labels,
        ["v1.4.3 · eeee555", "dddd444", "cccc333", "v1.4.1 · bbbb222"]
    );
    assert_eq!(
        panel.tested_in_dev.clone().unwrap_or_default(),
        vec![105, 104],
        "bbbb222 never went through dev"
    );
    assert_eq!(panel.gates.len(), 1);
    let gate = &panel.gates[0];
    assert_eq!(gate.run.id, 105);
    assert_eq!(gate.pending[0].environment, "prod");
    let messages: Vec<&str> = gate.changes.iter().map(|c| c.message.as_str()).collect();
    assert_eq!(
        messages,
        ["Newest change", "Older change"],
        "newest first, first lines"
    );
    assert_eq!(
        gate.changes[0].author.as_deref(),
        Some("Jonas"),
        "the commit author when GitHub knows no user"
    );
    assert_eq!(
        gate.migration_files,
        ["alembic/versions/0042_orders_index.py"],
        "changed files under the default migration paths, from the compare's files"
    );
}

/// "What changed recently" in the infrastructure: commits to the configured path since a time,
/// read with the server's token, as GitHub's list-commits reference shows them.
#[tokio::test]
async fn commits_to_the_infrastructure_path_are_listed_with_who_and_when() {
    let server = MockServer::start().await;
    let since = chrono::Utc::now() - chrono::Duration::hours(24);
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}/commits")))
        .and(query_param("path", "iac/environments/prod"))
        .and(query_param(
            "since",
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ))
        .and(header("authorization", "Bearer server-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([{
            "sha": "7638417db6d59f3c431d3e1f261cc637155684cd",
            "html_url": "https://github.com/tristanl-slalom/conflicto/commit/7638417db6d59f3c431d3e1f261cc637155684cd",
            "commit": {
                "author": {"name": "Priya", "email": "priya@example.com", "date": "2026-12-01T18:02:11Z"},
                "message": "prod: raise the ALB idle timeout\n\nThe exports time out at 60 s."
            },
            "author": {"login": "priya", "id": 7}
        }])))
        .expect(1)
        .mount(&server)
        .await;
    let commits = repo(&server)
        .commits_touching("iac/environments/prod", since)
        .await
        .expect("commits");
    assert_eq!(commits.len(), 1);
    let c = &commits[0];
    assert_eq!(
        c.message, "prod: raise the ALB idle timeout",
        "the first line"
    );
    assert_eq!(c.author, "priya");
    assert_eq!(
        c.at.map(|t| t.to_rfc3339()),
        Some("2026-12-01T18:02:11+00:00".into())
    );
    assert!(c
        .url
        .as_deref()
        .is_some_and(|u| u.ends_with("7638417db6d59f3c431d3e1f261cc637155684cd")));
}
