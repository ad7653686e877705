//! Database diagnostics against a real second Postgres database made by the test (a stand-in for
//! Conflicto's): its `alembic_version`, a lock held by one session blocking another (the blocked
//! query appears with its blocker), a `pg_sleep` running long, a statement timeout and an
//! unreachable server told in words — and the page, for operators only, showing hostile query
//! text as text.

use app::ports::DatabaseDiagnostics;
use opsdeck_tests::people::person;
use opsdeck_tests::{fresh_database, wait_until, TestApp};
use secrecy::{ExposeSecret, SecretString};
use server::config::DatabaseDiagSettings;
use server::dbdiag::PgDiagnostics;
use sqlx::{Connection, Executor, PgConnection};
use std::time::Duration;

const HOSTILE: &str = "SELECT count(*) FROM votes /* <script>alert(1)</script> */";

fn levels() -> app::domain::Thresholds {
    app::domain::Thresholds::new(70.0, 90.0).expect("levels")
}

fn settings(url: &SecretString) -> DatabaseDiagSettings {
    let mut s = DatabaseDiagSettings::new(url.clone());
    s.long_query_after = Duration::from_secs(1);
    s.refresh = Duration::from_millis(500);
    s
}

/// Conflicto's database at version 0042, and a session holding an exclusive lock on `votes`
/// while another waits for it and a third sleeps. The connections live as long as the value.
struct Stuck {
    holder: PgConnection,
    holder_pid: i32,
    _waiting: tokio::task::JoinHandle<()>,
    _sleeping: tokio::task::JoinHandle<()>,
}

async fn stuck(url: &SecretString) -> Stuck {
    let mut setup = PgConnection::connect(url.expose_secret())
        .await
        .expect("setup");
    setup
        .execute(
            "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
             INSERT INTO alembic_version VALUES ('0042_presenter_shortcuts');
             CREATE TABLE votes (id int);",
        )
        .await
        .expect("schema");
    let mut holder = PgConnection::connect(url.expose_secret())
        .await
        .expect("holder");
    // Its pid first: pg_stat_activity shows a session's last statement, which is to be the lock.
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .expect("pid");
    holder
        .execute("BEGIN; LOCK TABLE votes IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let u = url.expose_secret().to_owned();
    let waiting = tokio::spawn(async move {
        let mut c = PgConnection::connect(&u).await.expect("waiting");
        let _ = c.execute(HOSTILE).await;
    });
    let u = url.expose_secret().to_owned();
    let sleeping = tokio::spawn(async move {
        let mut c = PgConnection::connect(&u).await.expect("sleeping");
        let _ = c.execute("SELECT pg_sleep(30) /* nightly report */").await;
    });
    Stuck {
        holder,
        holder_pid,
        _waiting: waiting,
        _sleeping: sleeping,
    }
}

#[tokio::test]
async fn a_blocked_query_appears_with_its_blocker_and_a_long_query_with_its_age() {
    let url = fresh_database().await;
    let stuck = stuck(&url).await;
    let diag = PgDiagnostics::new(settings(&url), levels());
    let d = wait_until(
        Duration::from_secs(15),
        "the lock wait and the long query",
        || async {
            let r = diag.read().await;
            match r.value {
                Some(d) if !d.blocked.is_empty() && !d.long_running.is_empty() => Ok(d),
                _ => Err(format!("{r:#?}")),
            }
        },
    )
    .await;

    assert_eq!(d.migration.versions, ["0042_presenter_shortcuts"]);
    assert!(d.migration.error.is_none());
    let b = &d.blocked[0];
    assert_eq!(b.waiting.query, HOSTILE, "the statement's text, as sent");
    assert_eq!(b.relation.as_deref(), Some("votes"));
    assert_eq!(b.mode, "AccessShareLock");
    assert_eq!(b.waiting.wait.as_deref(), Some("Lock: relation"));
    assert_eq!(b.blockers.len(), 1);
    assert_eq!(b.blockers[0].pid, stuck.holder_pid);
    assert!(
        b.blockers[0].query.contains("LOCK TABLE votes"),
        "{:?}",
        b.blockers[0]
    );
    assert!(d
        .long_running
        .iter()
        .any(|s| s.query.contains("pg_sleep(30)") && s.running_s >= 1.0));
    assert!(d.connections() >= 3 && d.max_connections > 0);
    assert_eq!(
        d.level(),
        app::domain::Level::Warning,
        "a lock wait under a minute"
    );
    assert!(d.size_bytes > 0);

    // Reads are shared: within the refresh interval a second reader gets the same reading.
    let (a, b) = (diag.read().await, diag.read().await);
    assert_eq!(a.fetched_at, b.fetched_at);
    drop(stuck.holder);
}

#[tokio::test]
async fn a_missing_table_a_timeout_and_an_unreachable_server_are_told_in_words() {
    let url = fresh_database().await;
    let mut setup = PgConnection::connect(url.expose_secret())
        .await
        .expect("setup");
    setup
        .execute("CREATE VIEW slow_version AS SELECT pg_sleep(3)::text AS version_num")
        .await
        .expect("view");

    let missing = PgDiagnostics::new(settings(&url), levels()).read().await;
    let d = missing.value.expect("the rest is read");
    assert_eq!(
        d.migration.error.as_deref(),
        Some("the table alembic_version does not exist")
    );

    let mut slow = settings(&url);
    slow.migration_table = "public.slow_version".into();
    slow.statement_timeout = Duration::from_millis(300);
    let timed_out = PgDiagnostics::new(slow, levels()).read().await;
    let d = timed_out.value.expect("the rest is read");
    assert_eq!(
        d.migration.error.as_deref(),
        Some("a diagnostic query ran past statement_timeout and was cancelled")
    );

    let nowhere = SecretString::from("postgres://monitor:s3cret@127.0.0.1:1/conflicto".to_owned());
    let down = PgDiagnostics::new(settings(&nowhere), levels())
        .read()
        .await;
    assert!(down.value.is_none());
    let err = down.error.expect("an error");
    assert!(
        err.contains("database") && !err.contains("s3cret"),
        "in words, without the password: {err}"
    );
}

#[tokio::test]
async fn the_page_is_for_operators_and_shows_query_text_as_text() {
    let url = fresh_database().await;
    let _stuck = stuck(&url).await;
    let diag = settings(&url);
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .configure(move |s| s.environments[0].database = Some(diag))
        .spawn()
        .await;
    let (vera, oscar) = (person(&app, "vera").await, person(&app, "oscar").await);
    let get = |p: &opsdeck_tests::people::Person, path: &str| {
        let req = p.client.get(format!("{}{path}", app.base));
        async move {
            let r = req.send().await.expect("request");
            (r.status().as_u16(), r.text().await.expect("body"))
        }
    };
    let (code, _) = get(&vera, "/api/fn/database?env=prod").await;
    assert_eq!(code, 403, "a viewer does not see query texts");
    let page = wait_until(
        Duration::from_secs(15),
        "the lock wait on the page",
        || async {
            let (code, page) = get(&oscar, "/env/prod/database").await;
            if code == 200 && page.contains("data-blocked=") {
                Ok(page)
            } else {
                Err(format!("{code}: {page}"))
            }
        },
    )
    .await;
    assert!(page.contains("0042_presenter_shortcuts"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            && !page.contains("<script>alert(1)"),
        "the query is text"
    );
    assert!(page.contains("Locks not granted (1)"), "{page}");
    // dev has no database configured: the simulated one answers.
    let (code, body) = get(&oscar, "/api/fn/database?env=dev").await;
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("0041_votes_poll_id") || body.contains("0042_presenter_shortcuts"),
        "{body}"
    );
    let (code, _) = get(&oscar, "/api/fn/database?env=nope").await;
    assert_eq!(code, 404);
}
