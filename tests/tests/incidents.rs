//! The incident room through the whole server, with the demo's simulated world: opsdeck proposes
//! (or declares) an incident when prod stays down, starting at the first bad probe, and withdraws
//! the proposal when prod recovers; escalation steps
//! fall due by an injected clock and are announced once; the timeline merges a rollback's request,
//! approval and execution; two people taking the lead at once leave one lead; notes are text;
//! the post-incident draft; who may do what.

use app::domain::Fault;
use opsdeck_tests::people::{person, until_state, Person};
use opsdeck_tests::{wait_until, TestApp, TestClock};
use std::time::Duration;

const FAST: Duration = Duration::from_millis(300);

fn proposals(s: &serde_json::Value) -> Vec<serde_json::Value> {
    s["incidents"]["proposals"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn open(s: &serde_json::Value) -> Vec<serde_json::Value> {
    s["incidents"]["open"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn declare(p: &Person, app: &TestApp, title: &str, env: &str) -> i64 {
    let (code, body) = p
        .post(
            app,
            "declare_incident",
            &[
                ("title", title),
                ("severity", "critical"),
                ("environments", env),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    body.trim().parse().expect("the incident's id")
}

async fn change(p: &Person, app: &TestApp, id: i64, what: &str, value: &str) -> (u16, String) {
    p.post(
        app,
        "change_incident",
        &[("id", &id.to_string()), ("what", what), ("value", value)],
    )
    .await
}

#[tokio::test]
async fn prod_down_for_three_probes_is_proposed_from_its_first_bad_probe() {
    let app = TestApp::builder()
        .interval(FAST)
        .configure(|s| s.incident.propose_after_probes = 3)
        .spawn()
        .await;
    app.wait_for(Duration::from_secs(10), "prod healthy first", |s| {
        TestApp::level(s, "prod") == "ok"
    })
    .await;
    app.inject("prod", Fault::Down).await;
    let status = app
        .wait_for(Duration::from_secs(15), "a proposal for prod", |s| {
            !proposals(s).is_empty()
        })
        .await;
    let p = &proposals(&status)[0];
    assert_eq!(p["env"], "prod");
    assert!(p["why"].as_str().unwrap().contains("(3 probes)"), "{p}");
    let first_bad: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT at FROM level_changes WHERE environment = 'prod' AND level = 'critical' ORDER BY id LIMIT 1",
    )
    .fetch_one(&app.pool().await)
    .await
    .unwrap();
    let since: chrono::DateTime<chrono::Utc> = p["since"].as_str().unwrap().parse().unwrap();
    assert_eq!(since, first_bad, "the first bad observation, not the third");
    let down: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'env.down'")
            .fetch_one(&app.pool().await)
            .await
            .unwrap();
    assert_eq!(down, 1, "people not looking hear about it once");

    // Declaring the proposal: its start is the proposal's.
    let oscar = person(&app, "oscar").await;
    let (code, body) = oscar
        .post(
            &app,
            "declare_incident",
            &[
                ("title", ""),
                ("severity", ""),
                ("environments", ""),
                ("proposal", p["id"].to_string().as_str()),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let status = app
        .wait_for(
            Duration::from_secs(5),
            "the open incident on the stream",
            |s| open(s).len() == 1 && proposals(s).is_empty(),
        )
        .await;
    let incident = &open(&status)[0]["incident"];
    assert_eq!(incident["started_at"], p["since"]);
    assert_eq!(incident["declared"]["who"], "Oscar Operator");
}

#[tokio::test]
async fn a_proposal_nobody_took_up_is_withdrawn_when_prod_recovers() {
    let app = TestApp::builder()
        .interval(FAST)
        .faults(&[("prod", Fault::Down)])
        .configure(|s| s.incident.propose_after_probes = 2)
        .spawn()
        .await;
    app.wait_for(Duration::from_secs(15), "a proposal for prod", |s| {
        !proposals(s).is_empty()
    })
    .await;
    app.inject("prod", Fault::None).await;
    let status = app
        .wait_for(
            Duration::from_secs(15),
            "the proposal gone once prod is healthy",
            |s| proposals(s).is_empty(),
        )
        .await;
    assert_eq!(TestApp::level(&status, "prod"), "ok");
    assert!(open(&status).is_empty(), "nothing was declared");
    let recovered: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'env.recovered'")
            .fetch_one(&app.pool().await)
            .await
            .unwrap();
    assert_eq!(
        recovered, 1,
        "people who heard it went down hear it came back"
    );
}

#[tokio::test]
async fn declaring_by_hand_takes_up_the_proposal_for_the_same_environment() {
    let app = TestApp::builder()
        .interval(FAST)
        .faults(&[("prod", Fault::Down)])
        .configure(|s| s.incident.propose_after_probes = 2)
        .spawn()
        .await;
    app.wait_for(Duration::from_secs(15), "a proposal for prod", |s| {
        !proposals(s).is_empty()
    })
    .await;
    let oscar = person(&app, "oscar").await;
    let id = declare(&oscar, &app, "prod is down", "prod").await;
    let status = app
        .wait_for(
            Duration::from_secs(5),
            "one open incident and no banner asking to declare it again",
            |s| open(s).len() == 1 && proposals(s).is_empty(),
        )
        .await;
    assert_eq!(open(&status)[0]["incident"]["id"], id);
}

#[tokio::test]
async fn with_auto_declare_opsdeck_declares_it_itself() {
    let app = TestApp::builder()
        .interval(FAST)
        .faults(&[("prod", Fault::Down)])
        .configure(|s| {
            s.incident.propose_after_probes = 2;
            s.incident.auto_declare = true;
        })
        .spawn()
        .await;
    let status = app
        .wait_for(
            Duration::from_secs(15),
            "an incident declared by opsdeck",
            |s| !open(s).is_empty(),
        )
        .await;
    let i = &open(&status)[0]["incident"];
    assert_eq!(i["declared"]["who"], "opsdeck");
    assert_eq!(i["environments"], serde_json::json!(["prod"]));
    assert!(proposals(&status).is_empty(), "declared, not proposed");
}

async fn room(app: &TestApp, id: i64) -> serde_json::Value {
    app.get(&format!("/api/fn/incident?id={id}"))
        .await
        .json()
        .await
        .expect("the room's JSON")
}

#[tokio::test]
async fn escalation_steps_fall_due_by_the_clock_and_are_announced_once() {
    let clock = TestClock::new();
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let oscar = person(&app, "oscar").await;
    let id = declare(&oscar, &app, "checkout errors", "prod").await;
    let page = room(&app, id).await;
    assert_eq!(page["steps"][0]["state"], "upcoming");
    assert!(page["steps"][0]["current"].as_bool().unwrap());

    clock.advance(chrono::Duration::minutes(6));
    let pool = app.pool().await;
    let due = || async {
        sqlx::query_scalar::<_, serde_json::Value>(
            "SELECT details FROM audit_events WHERE action = 'incident.step_due' ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let announced = wait_until(Duration::from_secs(5), "two steps due", || async {
        let d = due().await;
        if d.len() >= 2 {
            Ok(d)
        } else {
            Err(format!("{d:?}"))
        }
    })
    .await;
    assert_eq!(announced[0]["step"], 0);
    assert_eq!(announced[1]["step"], 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(due().await.len(), 2, "announced once, not every tick");
    let page = room(&app, id).await;
    assert_eq!(page["steps"][0]["state"], "overdue");
    assert_eq!(page["steps"][2]["state"], "upcoming");

    let (code, body) = change(&oscar, &app, id, "step", "1").await;
    assert_eq!(code, 200, "{body}");
    let page = room(&app, id).await;
    assert_eq!(page["steps"][0]["state"], "done");
    assert_eq!(page["steps"][0]["done"]["who"], "Oscar Operator");
    assert!(
        page["steps"][1]["current"].as_bool().unwrap(),
        "the next step is current"
    );
    let (code, _) = change(&oscar, &app, id, "step", "1").await;
    assert_eq!(code, 409, "done once");
    let (code, _) = change(&oscar, &app, id, "step", "99").await;
    assert_eq!(code, 400);
}

#[tokio::test]
async fn the_timeline_merges_a_rollback_request_its_approval_and_its_execution() {
    let app = TestApp::builder().spawn().await;
    let oscar = person(&app, "oscar").await;
    let id = declare(&oscar, &app, "errors after 1.4.2", "prod").await;
    let (code, body) = oscar
        .request(
            &app,
            &[
                ("env", "prod"),
                ("kind", "rollback"),
                ("version", "1.4.1"),
                ("reason", &format!("Incident {id}: errors after 1.4.2")),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let request: i64 = body.trim().parse().unwrap();
    person(&app, "alice")
        .await
        .decide(&app, request, "approve", "matches the graphs")
        .await;
    until_state(&app, request, "succeeded", Duration::from_secs(10)).await;
    let (code, _) = change(
        &oscar,
        &app,
        id,
        "note",
        "rolled back, watching the error rate",
    )
    .await;
    assert_eq!(code, 200);
    let page: serde_json::Value = app
        .get(&format!("/api/fn/incident?id={id}"))
        .await
        .json()
        .await
        .unwrap();
    let texts: Vec<String> = page["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["kind"].as_str().unwrap(),
                e["text"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "declared Oscar Operator declared the incident: errors after 1.4.2",
        &format!("change Oscar Operator asked for request {request}: rollback"),
        &format!("change Alice Approver approved request {request}: matches the graphs"),
        &format!("change Request {request} succeeded: GitHub started rollback.yml for 1.4.1"),
        "note rolled back, watching the error rate",
    ] {
        assert!(
            texts.iter().any(|t| t.starts_with(want)),
            "{want:?} in {texts:#?}"
        );
    }
    let order = |w: &str| texts.iter().position(|t| t.starts_with(w)).unwrap();
    assert!(order("declared") < order("change Oscar") && order("change Oscar") < order("note"));
}

#[tokio::test]
async fn two_people_taking_the_lead_at_once_leave_one_lead() {
    let app = TestApp::builder().spawn().await;
    let (oscar, ada) = (person(&app, "oscar").await, person(&app, "ada").await);
    let id = declare(&oscar, &app, "checkout down", "prod").await;
    let (a, b) = tokio::join!(
        change(&oscar, &app, id, "lead", ""),
        change(&ada, &app, id, "lead", "")
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409], "{a:?} {b:?}");
    let refused = if a.0 == 409 { &a.1 } else { &b.1 };
    assert!(refused.contains("leads this incident now"), "{refused}");
    let leads: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'incident.lead'")
            .fetch_one(&app.pool().await)
            .await
            .unwrap();
    assert_eq!(leads, 1);
    // Taking over knowingly works: the page sent the current lead's id.
    let lead_id: i64 = sqlx::query_scalar("SELECT lead_id FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    let (loser, _) = if a.0 == 409 {
        (&oscar, &ada)
    } else {
        (&ada, &oscar)
    };
    let (code, body) = change(loser, &app, id, "lead", &lead_id.to_string()).await;
    assert_eq!(code, 200, "{body}");
}

#[tokio::test]
async fn notes_are_text_and_bounded_and_the_draft_says_what_happened() {
    let app = TestApp::builder().spawn().await;
    let oscar = person(&app, "oscar").await;
    let id = declare(&oscar, &app, "checkout <b>down</b>", "prod").await;
    let hostile =
        "<script>alert(1)</script><img src=x onerror=alert(2)> [click](https://evil.example)";
    assert_eq!(change(&oscar, &app, id, "note", hostile).await.0, 200);
    assert_eq!(
        change(&oscar, &app, id, "note", &"x".repeat(501)).await.0,
        400
    );
    assert_eq!(change(&oscar, &app, id, "note", "   ").await.0, 400);
    let html = app
        .get(&format!("/incidents/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("<script>alert(1)") && !html.contains("<img src=x"),
        "escaped"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "shown as text"
    );

    assert_eq!(
        change(&oscar, &app, id, "status", "mitigating").await.0,
        200
    );
    assert_eq!(
        change(&oscar, &app, id, "resolve", "").await.0,
        400,
        "a summary is required"
    );
    let (code, body) = change(
        &oscar,
        &app,
        id,
        "resolve",
        "Rolled back 1.4.2; the cache bug is filed",
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        change(&oscar, &app, id, "note", "late").await.0,
        409,
        "resolved"
    );

    let md = app
        .get(&format!("/incidents/{id}/export.md"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        md.starts_with(&format!(
            "# Incident {id}: checkout &lt;b&gt;down&lt;/b&gt;"
        )),
        "{md}"
    );
    for want in [
        "Time to resolve",
        "Rolled back 1.4.2",
        "Oscar Operator",
        "\\[click\\]\\(https://evil.example\\)",
    ] {
        assert!(md.contains(want), "{want:?} in\n{md}");
    }
    assert!(!md.contains("<script>"), "{md}");
    let json: serde_json::Value = app
        .get(&format!("/incidents/{id}/export.json"))
        .await
        .json()
        .await
        .unwrap();
    assert!(json["durations"]["to_resolve_s"].as_i64().is_some());
    assert!(json["durations"]["to_mitigate_s"].as_i64().is_some());
    assert_eq!(json["incident"]["status"], "resolved");
}

#[tokio::test]
async fn a_viewer_may_look_but_not_declare_and_a_wall_only_looks() {
    let app = TestApp::builder().spawn().await;
    let vera = person(&app, "vera").await;
    let (code, _) = vera
        .post(
            &app,
            "declare_incident",
            &[
                ("title", "x"),
                ("severity", "low"),
                ("environments", "prod"),
            ],
        )
        .await;
    assert_eq!(code, 403);
    let oscar = person(&app, "oscar").await;
    let id = declare(&oscar, &app, "x", "prod").await;
    assert_eq!(change(&vera, &app, id, "note", "hi").await.0, 403);
    let r = vera
        .client
        .get(format!("{}/incidents/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "viewers see the room");

    // A wall screen shows the incident on the wall, and nothing else.
    let by = server::store::wall_tokens::By {
        user_id: None,
        name: "test",
    };
    let token = server::store::wall_tokens::create(&app.pool().await, "Team room", by)
        .await
        .unwrap();
    let screen = opsdeck_tests::new_client();
    let r = screen
        .get(format!("{}/wall?token={token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let wall = screen
        .get(format!("{}/wall", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wall.status(), 200);
    for path in [
        format!("/incidents/{id}"),
        "/incidents".to_owned(),
        format!("/incidents/{id}/export.md"),
    ] {
        let r = screen
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let seen = wait_until(
        Duration::from_secs(5),
        "the incident on the wall's data",
        || async {
            let s: serde_json::Value = screen
                .get(format!("{}/api/v1/status", app.base))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if open(&s).is_empty() {
                Err("not yet".to_owned())
            } else {
                Ok(s)
            }
        },
    )
    .await;
    assert_eq!(open(&seen)[0]["incident"]["id"], id);
}

#[tokio::test]
async fn the_webhook_hears_of_a_declaration_a_step_falling_due_and_the_resolution() {
    let hook = opsdeck_tests::webhook::Webhook::start().await;
    let notify = hook.settings();
    let clock = TestClock::new();
    let app = TestApp::builder()
        .clock(clock.clone())
        .configure(move |s| {
            s.notify = Some(notify);
        })
        .spawn()
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await; // the notifier takes over
    let oscar = person(&app, "oscar").await;
    let id = declare(&oscar, &app, "checkout <!channel> down", "prod").await;
    clock.advance(chrono::Duration::minutes(3));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    change(&oscar, &app, id, "resolve", "fixed by the rollback").await;
    let texts = hook.wait_for("Incident", 3, Duration::from_secs(15)).await;
    let room = format!("https://opsdeck.example.com/incidents/{id}");
    assert!(
        texts[0].contains(&format!("Incident {id} declared by Oscar Operator"))
            && texts[0].ends_with(&room),
        "{texts:?}"
    );
    assert!(
        texts[0].contains("&lt;!channel&gt;"),
        "the title cannot ping: {}",
        texts[0]
    );
    assert!(
        texts[1].contains("due now — Confirm the outage"),
        "{texts:?}"
    );
    assert!(
        texts[2].contains("resolved by Oscar Operator: fixed by the rollback"),
        "{texts:?}"
    );
}

/// One approver alone in an emergency, and writes stopped: each is an incident opsdeck proposes
/// (the runbook's "stop all writes" is an incident step), starting when it happened.
#[tokio::test]
async fn a_break_glass_that_stops_writes_is_proposed_as_an_incident() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    let (oscar, alice) = (person(&app, "oscar").await, person(&app, "alice").await);
    let before = chrono::Utc::now();
    let (code, body) = oscar
        .request(
            &app,
            &[
                ("env", "prod"),
                ("kind", "stop_writes"),
                ("reason", "orders are being overwritten"),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let id: i64 = body.trim().parse().expect("id");
    let (code, body) = alice
        .decide(&app, id, "break_glass", "rows overwritten right now")
        .await;
    assert_eq!(code, 200, "{body}");
    until_state(&app, id, "succeeded", Duration::from_secs(10)).await;
    let status = app
        .wait_for(Duration::from_secs(10), "a proposal for prod", |s| {
            !proposals(s).is_empty()
        })
        .await;
    let p = &proposals(&status)[0];
    assert_eq!(p["env"], "prod");
    let why = p["why"].as_str().unwrap_or_default();
    assert!(
        why.contains(&format!("break glass on request {id}")) || why.contains("writes"),
        "{why}"
    );
    let since: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(p["since"].clone()).expect("since");
    assert!(
        since >= before - chrono::Duration::seconds(1),
        "it starts when it happened"
    );
    assert!(open(&status).is_empty(), "proposed, not declared");
}
