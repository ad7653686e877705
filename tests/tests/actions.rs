//! Change control through the whole server: requests, approvals by others, execution exactly
//! once (also with fifty approvals at once on two opsdeck instances sharing the database), a
//! crash mid-execution ending as "outcome unknown" and never retried, and the refusals.

use app::domain::actions::Action;
use app::domain::EnvName;
use app::ports::{ActionExecutor, ExecutionContext, PortError};
use opsdeck_tests::people::{person, state, until_state};
use opsdeck_tests::{fresh_database, wait_until, TestApp};
use secrecy::SecretString;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Counts executions; optionally never answers (a process that dies mid-call).
#[derive(Default)]
struct Recorder {
    calls: AtomicUsize,
    hang: bool,
}

#[async_trait::async_trait]
impl ActionExecutor for Recorder {
    async fn prepare(&self, _env: &EnvName, action: Action) -> Result<Action, PortError> {
        Ok(action)
    }
    async fn execute(
        &self,
        _env: &EnvName,
        action: &Action,
        _ctx: ExecutionContext,
    ) -> Result<String, PortError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.hang {
            std::future::pending::<()>().await;
        }
        Ok(format!("recorded: {}", action.describe()))
    }
    async fn verify(&self, _env: &EnvName, _a: &Action) -> Result<String, PortError> {
        Ok("recorder: nothing to see".into())
    }
}

/// opsdeck on `db` whose approved actions go to `executor` instead of the simulated world.
async fn app_with(db: SecretString, executor: Arc<Recorder>) -> TestApp {
    TestApp::builder()
        .database(db)
        .executor(executor)
        .spawn()
        .await
}

/// Oscar asks for a restart of `env` with `reason`, Alice approves with `comment`, and it runs:
/// the request's id.
async fn restart_asked_approved_done(app: &TestApp, env: &str, reason: &str, comment: &str) -> i64 {
    let oscar = person(app, "oscar").await;
    let (_, body) = oscar
        .request(
            app,
            &[("env", env), ("kind", "restart"), ("reason", reason)],
        )
        .await;
    let id: i64 = body.trim().parse().expect("the new request's id");
    let alice = person(app, "alice").await;
    let (code, body) = alice.decide(app, id, "approve", comment).await;
    assert_eq!(code, 200, "{body}");
    until_state(app, id, "succeeded", Duration::from_secs(10)).await;
    id
}

#[tokio::test]
async fn an_operator_asks_an_approver_approves_and_the_simulated_world_changes() {
    let app = TestApp::builder().spawn().await;
    let oscar = person(&app, "oscar").await;
    let (code, body) = oscar
        .request(
            &app,
            &[
                ("env", "prod"),
                ("kind", "scale"),
                ("count", "5"),
                ("reason", "CPU above 85 % for 20 min"),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let id: i64 = body.trim().parse().expect("the new request's id");
    // An operator may ask but not approve.
    assert_eq!(oscar.decide(&app, id, "approve", "").await.0, 403);
    let alice = person(&app, "alice").await;
    let (code, body) = alice.decide(&app, id, "approve", "CPU graph agrees").await;
    assert_eq!(code, 200, "{body}");
    until_state(&app, id, "succeeded", Duration::from_secs(10)).await;
    assert_eq!(
        app.world()
            .cloud(&opsdeck_tests::env("prod"))
            .expect("prod")
            .desired(),
        5
    );

    let page = app
        .get(&format!("/requests/{id}"))
        .await
        .text()
        .await
        .expect("page");
    // People are shown with their stable id: two people may choose the same display name.
    let alice_id: i64 = sqlx::query_scalar(
        "SELECT user_id FROM identities WHERE provider = 'demo' AND subject = 'alice'",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("alice is a person");
    let approved = format!("Alice Approver (#{alice_id}) approved: CPU graph agrees");
    for text in [
        "Scale to 5 tasks",
        "CPU above 85 % for 20 min",
        approved.as_str(),
        "done",
    ] {
        assert!(page.contains(text), "request page lacks {text:?}");
    }
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE details->>'request' = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.pool().await)
    .await
    .expect("audit");
    assert_eq!(
        actions,
        [
            "action.requested",
            "action.approval",
            "action.approved",
            "action.executing",
            "action.succeeded"
        ]
    );
}

#[tokio::test]
async fn stop_all_writes_by_break_glass_takes_prod_down_and_waits_for_review() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .spawn()
        .await;
    let alice = person(&app, "alice").await;
    let (code, body) = alice
        .request(
            &app,
            &[
                ("env", "prod"),
                ("kind", "stop_writes"),
                ("reason", "orders table corrupting"),
            ],
        )
        .await;
    assert_eq!(
        code, 403,
        "an approver without the operator role cannot request: {body}"
    );
    let ada = person(&app, "ada").await;
    let (_, body) = ada
        .request(
            &app,
            &[
                ("env", "prod"),
                ("kind", "stop_writes"),
                ("reason", "orders table corrupting"),
            ],
        )
        .await;
    let id: i64 = body.trim().parse().expect("id");
    assert_eq!(
        ada.decide(&app, id, "break_glass", "").await.0,
        403,
        "break glass needs a reason"
    );
    let (code, body) = ada
        .decide(&app, id, "break_glass", "rows being overwritten right now")
        .await;
    assert_eq!(code, 200, "{body}");
    until_state(&app, id, "succeeded", Duration::from_secs(10)).await;
    app.wait_for(
        Duration::from_secs(10),
        "prod down after stopping writes",
        |s| opsdeck_tests::TestApp::level(s, "prod") == "critical",
    )
    .await;
    let started: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'incident.started' AND environment = 'prod'",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("audit");
    assert_eq!(started, 1, "stopping writes records the incident start");
    // A second person reviews it; the one who broke the glass cannot.
    assert_eq!(
        ada.post(&app, "review_request", &[("id", &id.to_string())])
            .await
            .0,
        403
    );
    let (code, body) = alice
        .post(&app, "review_request", &[("id", &id.to_string())])
        .await;
    assert_eq!(code, 200, "{body}");
}

#[tokio::test]
async fn refusals_are_clear_and_nothing_executes() {
    let recorder = Arc::new(Recorder::default());
    let app = app_with(fresh_database().await, recorder.clone()).await;
    let ada = person(&app, "ada").await;
    let vera = person(&app, "vera").await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[
                ("env", "prod"),
                ("kind", "scale"),
                ("count", "11"),
                ("reason", "x"),
            ],
            "more than the configured maximum of 10",
        ),
        (
            &[
                ("env", "prod"),
                ("kind", "scale"),
                ("count", "4"),
                ("reason", " "),
            ],
            "the reason is required",
        ),
        (
            &[
                ("env", "prod"),
                ("kind", "restore"),
                ("snapshot", "rds:conflicto-prod-2026-11-27-03-00"),
                ("new_instance", "conflicto-prod"),
                ("reason", "x"),
            ],
            "existing database",
        ),
        (
            &[
                ("env", "prod"),
                ("kind", "rollback"),
                ("version", "v1; rm -rf /"),
                ("reason", "x"),
            ],
            "must be a tag or a commit sha",
        ),
        (
            &[("env", "prod"), ("kind", "drop_database"), ("reason", "x")],
            "is not an action",
        ),
    ];
    for (fields, words) in cases {
        let (code, body) = ada.request(&app, fields).await;
        assert_eq!(code, 400, "{fields:?}: {body}");
        assert!(body.contains(words), "{fields:?}: {body}");
    }
    assert_eq!(
        vera.request(
            &app,
            &[("env", "prod"), ("kind", "restart"), ("reason", "x")]
        )
        .await
        .0,
        403
    );

    let (_, body) = ada
        .request(
            &app,
            &[
                ("env", "prod"),
                ("kind", "restart"),
                ("reason", "stuck tasks"),
            ],
        )
        .await;
    let id: i64 = body.trim().parse().expect("id");
    let (code, body) = ada.decide(&app, id, "approve", "").await;
    assert_eq!(code, 403);
    assert!(body.contains("someone else must approve it"), "{body}");
    assert_eq!(
        vera.decide(&app, id, "approve", "").await.0,
        403,
        "a viewer cannot approve"
    );
    assert_eq!(
        ada.decide(&app, id, "break_glass", "hurry").await.0,
        403,
        "no break glass for a restart"
    );
    // Thirty-one minutes later it has expired: approving is refused, and it never runs.
    sqlx::query(
        "UPDATE action_requests SET requested_at = now() - interval '31 minutes' WHERE id = $1",
    )
    .bind(id)
    .execute(&app.pool().await)
    .await
    .expect("age the request");
    let alice = person(&app, "alice").await;
    let (code, body) = alice.decide(&app, id, "approve", "").await;
    assert_eq!(code, 403);
    assert!(body.contains("expired"), "{body}");
    assert_eq!(state(&app, id).await, "expired");

    // A rejected request never runs either.
    let (_, body) = ada
        .request(
            &app,
            &[("env", "dev"), ("kind", "restart"), ("reason", "try it")],
        )
        .await;
    let id: i64 = body.trim().parse().expect("id");
    assert_eq!(
        alice.decide(&app, id, "reject", "").await.0,
        400,
        "a rejection needs a reason"
    );
    assert_eq!(
        alice
            .decide(&app, id, "reject", "not during the release")
            .await
            .0,
        200
    );
    assert_eq!(alice.decide(&app, id, "approve", "").await.0, 403);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(state(&app, id).await, "rejected");
    assert_eq!(
        recorder.calls.load(Ordering::SeqCst),
        0,
        "nothing was executed"
    );
}

#[tokio::test]
async fn fifty_simultaneous_approvals_on_two_instances_execute_once() {
    let db = fresh_database().await;
    let recorder = Arc::new(Recorder::default());
    let a = app_with(db.clone(), recorder.clone()).await;
    let b = app_with(db, recorder.clone()).await;
    let oscar = person(&a, "oscar").await;
    let (_, body) = oscar
        .request(
            &a,
            &[
                ("env", "prod"),
                ("kind", "restart"),
                ("reason", "memory leak"),
            ],
        )
        .await;
    let id: i64 = body.trim().parse().expect("id");
    let mut approvers = Vec::new();
    for (app, who) in [
        (&a, "alice"),
        (&b, "abel"),
        (&a, "ada"),
        (&b, "alice"),
        (&a, "abel"),
    ] {
        approvers.push((app, person(app, who).await));
    }
    let attempts = (0..50).map(|i| {
        let (app, p) = &approvers[i % approvers.len()];
        async move { p.decide(app, id, "approve", "go").await.0 }
    });
    let codes = futures::future::join_all(attempts).await;
    assert!(codes.contains(&200), "{codes:?}");
    assert!(codes.iter().all(|c| *c == 200 || *c == 403), "{codes:?}");
    until_state(&a, id, "succeeded", Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(2)).await; // both workers had every chance to run it again
    assert_eq!(
        recorder.calls.load(Ordering::SeqCst),
        1,
        "executed exactly once"
    );
    let executions: i32 =
        sqlx::query_scalar("SELECT executions FROM action_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&a.pool().await)
            .await
            .expect("executions");
    assert_eq!(executions, 1);
}

#[tokio::test]
async fn a_process_that_dies_mid_execution_leaves_outcome_unknown_never_a_second_run() {
    let db = fresh_database().await;
    let hanging = Arc::new(Recorder {
        hang: true,
        ..Default::default()
    });
    let a = app_with(db.clone(), hanging.clone()).await;
    let oscar = person(&a, "oscar").await;
    let (_, body) = oscar
        .request(
            &a,
            &[
                ("env", "prod"),
                ("kind", "scale"),
                ("count", "6"),
                ("reason", "launch traffic"),
            ],
        )
        .await;
    let id: i64 = body.trim().parse().expect("id");
    let alice = person(&a, "alice").await;
    assert_eq!(alice.decide(&a, id, "approve", "ok").await.0, 200);
    until_state(&a, id, "executing", Duration::from_secs(10)).await;
    // "executing" is stored before the call goes out: wait for the call itself.
    wait_until(
        Duration::from_secs(5),
        "the call to the executor",
        || async {
            match hanging.calls.load(Ordering::SeqCst) {
                1 => Ok(()),
                n => Err(format!("{n} calls")),
            }
        },
    )
    .await;
    // The process dies between "executing" and the outcome.
    a.started.shutdown().await;

    let fresh = Arc::new(Recorder::default());
    let b = app_with(db, fresh.clone()).await;
    until_state(&b, id, "outcome_unknown", Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        fresh.calls.load(Ordering::SeqCst),
        0,
        "never executed a second time"
    );
    let page = b
        .get(&format!("/requests/{id}"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("outcome unknown — verify"),
        "the page says so"
    );
    let oscar_b = person(&b, "oscar").await;
    let (code, body) = oscar_b
        .post(&b, "verify_request", &[("id", &id.to_string())])
        .await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("recorder: nothing to see"), "{body}");
}

#[tokio::test]
async fn the_audit_page_filters_and_exports_for_approvers_only() {
    let app = TestApp::builder().spawn().await;
    restart_asked_approved_done(&app, "dev", "=HYPERLINK(\"http://evil\")", "fine").await;
    let (oscar, alice) = (person(&app, "oscar").await, person(&app, "alice").await);

    let csv = alice
        .client
        .get(format!(
            "{}/api/v1/audit.csv?action=action.&env=dev",
            app.base
        ))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.expect("body");
    assert!(
        text.starts_with("id,at,actor_user_id,actor,action,environment,details,hash\n"),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        6,
        "header + five action events: {text}"
    );
    assert!(!text.contains("sign_in"), "filtered by action");
    // Here the formula reaches the export only inside the details' JSON, which starts with `{`.
    assert!(
        !text.contains(",\"=HYPERLINK"),
        "no cell starts with a formula"
    );
    assert_no_cell_is_a_formula(&text);

    let json: Vec<serde_json::Value> = alice
        .client
        .get(format!("{}/api/v1/audit.json?person=alice", app.base))
        .send()
        .await
        .expect("json")
        .json()
        .await
        .expect("json body");
    assert!(
        !json.is_empty()
            && json
                .iter()
                .all(|e| e["actor"].as_str().unwrap_or("").contains("Alice"))
    );

    let refused = oscar
        .client
        .get(format!("{}/api/v1/audit.csv", app.base))
        .send()
        .await
        .expect("csv");
    assert_eq!(
        refused.status(),
        403,
        "operators cannot export the audit log"
    );
    let page = alice
        .client
        .get(format!("{}/audit?action=action.approved", app.base))
        .send()
        .await
        .expect("page");
    let page = page.text().await.expect("page");
    assert!(
        page.contains("action.approved") && page.contains("Export CSV"),
        "the audit page"
    );
    assert!(!page.contains("action.requested"), "filtered");
}

/// The cells of a CSV export as a spreadsheet reads them: quotes removed, doubled quotes undone.
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (_, c) => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "the export ends with a whole row"
    );
    rows
}

/// OWASP's list: a cell starting with one of these may run as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn assert_no_cell_is_a_formula(csv: &str) {
    for row in csv_cells(csv) {
        assert_eq!(row.len(), 8, "{row:?}");
        for cell in row {
            assert!(
                !cell.starts_with(FORMULA_STARTS),
                "a formula cell: {cell:?}"
            );
        }
    }
}

/// People's names come from the identity provider, so anyone can choose one a spreadsheet would
/// run. Each lands in the export's own `actor` column, defused by a leading quote.
#[tokio::test]
async fn names_a_spreadsheet_would_run_are_defused_in_the_audit_export() {
    let hostile = [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+9)*cmd|' /C calc'!A0",
        "\t=1+2",
        "\r=1+2",
    ];
    let app = TestApp::builder()
        .configure(move |s| {
            let auth = s.auth.as_mut().expect("demo sign-in");
            for (i, name) in hostile.iter().enumerate() {
                let key = format!("hostile{i}");
                let user = app::domain::DemoUser {
                    key: key.clone(),
                    name: (*name).to_owned(),
                    roles: vec![app::domain::Role::Viewer],
                };
                let identity = app::domain::Identity {
                    provider: "demo".into(),
                    subject: key.clone(),
                    display_name: (*name).to_owned(),
                    email: Some(format!("{key}@demo.opsdeck")),
                    login: None,
                    groups: vec![],
                    teams: vec![],
                    verified_emails: vec![],
                };
                auth.demo_users.push((user, identity));
            }
        })
        .spawn()
        .await;
    for i in 0..hostile.len() {
        let r = opsdeck_tests::demo_sign_in(&app.base, &format!("hostile{i}"), "/", None).await;
        assert_eq!(r.status(), 303, "hostile{i} signs in");
    }

    let alice = person(&app, "alice").await;
    let csv = alice
        .client
        .get(format!("{}/api/v1/audit.csv?action=sign_in", app.base))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("body");
    assert_no_cell_is_a_formula(&csv);
    let rows = csv_cells(&csv);
    assert_eq!(rows[0][2..4], ["actor_user_id", "actor"], "the header");
    let actors: Vec<String> = rows.iter().map(|row| row[3].clone()).collect();
    // Beside each name its person id: two people may choose the same display name.
    assert!(
        rows[1..].iter().all(|row| row[2].parse::<i64>().is_ok()),
        "{rows:?}"
    );
    for name in hostile {
        assert!(
            actors.contains(&format!("'{name}")),
            "{name:?} is exported as '{name:?}: {actors:?}"
        );
    }

    // Only the CSV defuses: the JSON export and the audit log keep the names as they were.
    let json: Vec<serde_json::Value> = alice
        .client
        .get(format!("{}/api/v1/audit.json?action=sign_in", app.base))
        .send()
        .await
        .expect("json")
        .json()
        .await
        .expect("json body");
    for name in hostile {
        assert!(
            json.iter().any(|e| e["actor"] == name),
            "{name:?} in {json:?}"
        );
    }
}

#[tokio::test]
async fn requests_approvals_and_outcomes_are_posted_to_the_webhook() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T000/B000/XXXX"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&hook)
        .await;
    let url = format!("{}/services/T000/B000/XXXX", hook.uri());
    let app = TestApp::builder()
        .configure(move |s| {
            s.notify = Some(server::config::NotifySettings {
                webhook_url: SecretString::from(url),
                templates: Default::default(),
                public_url: Some("https://opsdeck.example.com/".parse().expect("url")),
            });
        })
        .spawn()
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await; // the notifier takes over
    let id = restart_asked_approved_done(&app, "dev", "stuck workers", "go ahead").await;
    let texts = wait_until(Duration::from_secs(15), "three webhook posts", || async {
        let texts: Vec<String> = hook
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_owned))
            .collect();
        if texts.len() >= 3 {
            Ok(texts)
        } else {
            Err(format!("{texts:?}"))
        }
    })
    .await;
    let link = format!("https://opsdeck.example.com/requests/{id}");
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(
        texts[0].contains(
            "Oscar Operator asks: *Restart (force a new deployment)* on *dev* — stuck workers"
        ) && texts[0].ends_with(&link),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].starts_with(&format!("Alice Approver approved request {id}"))
            && texts[1].contains(": go ahead"),
        "{}",
        texts[1]
    );
    assert!(
        texts[2].contains("*succeeded*") && texts[2].contains("ECS started a new deployment"),
        "{}",
        texts[2]
    );
}

/// Everyone's header counts the requests waiting for a decision, live.
#[tokio::test]
async fn the_inbox_count_travels_on_the_live_stream() {
    let app = TestApp::builder().spawn().await;
    let oscar = person(&app, "oscar").await;
    oscar
        .request(
            &app,
            &[("env", "dev"), ("kind", "restart"), ("reason", "stuck")],
        )
        .await;
    let response = app
        .client
        .get(format!("{}/api/v1/live", app.base))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .expect("live");
    let mut inbox = opsdeck_tests::sse::Events::only(response, "inbox");
    inbox
        .until(Duration::from_secs(10), |v| v["pending"] == 1)
        .await
        .expect("an inbox event with one waiting request");
}
