//! "Cancel query" and "Terminate connection" as change-control requests, against a real second
//! Postgres database made by the test: the stuck migration freed by terminating its blocker after
//! an approval; only the session the approvers saw is ever signalled (a pid with another
//! connection time is left alone); a lost answer after sending is "outcome unknown"; a role that
//! may not signal gets PostgreSQL's refusal in words; and without an admin URL nothing is offered.

use app::domain::actions::{ActionKind, DbSession};
use app::ports::PortError;
use opsdeck_tests::people::{person, until_state};
use opsdeck_tests::{fresh_database, wait_until, TestApp};
use secrecy::{ExposeSecret, SecretString};
use server::config::DatabaseDiagSettings;
use server::dbdiag::PgSessions;
use sqlx::{Connection, Executor, PgConnection};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A session holding an exclusive lock on `votes` (the blocker) and a migration waiting for it.
struct Stuck {
    holder: PgConnection,
    holder_pid: i32,
    migration: tokio::task::JoinHandle<Result<(), String>>,
}

async fn stuck(url: &SecretString) -> Stuck {
    let mut setup = PgConnection::connect(url.expose_secret())
        .await
        .expect("setup");
    setup
        .execute("CREATE TABLE votes (id int)")
        .await
        .expect("schema");
    let mut holder = PgConnection::connect(url.expose_secret())
        .await
        .expect("holder");
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .expect("pid");
    holder
        .execute("BEGIN; LOCK TABLE votes IN ACCESS EXCLUSIVE MODE /* nightly report */")
        .await
        .expect("lock");
    let u = url.expose_secret().to_owned();
    let migration = tokio::spawn(async move {
        let mut c = PgConnection::connect(&u).await.map_err(|e| e.to_string())?;
        c.execute("ALTER TABLE votes ADD COLUMN presenter_note text")
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    // The migration is waiting before anyone looks.
    until_count(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE votes%' AND $1 = $1",
        0,
        1,
        "the migration waiting",
    )
    .await;
    Stuck {
        holder,
        holder_pid,
        migration,
    }
}

/// Wait until `sql` (with `$1` = `pid`) counts `want`.
async fn until_count(url: &SecretString, sql: &str, pid: i32, want: i64, what: &str) {
    let pool = sqlx::PgPool::connect(url.expose_secret())
        .await
        .expect("look");
    wait_until(Duration::from_secs(10), what, || {
        let (pool, sql) = (pool.clone(), sql.to_owned());
        async move {
            match sqlx::query_scalar::<_, i64>(&sql)
                .bind(pid)
                .fetch_one(&pool)
                .await
            {
                Ok(n) if n == want => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }
    })
    .await;
}

/// Oscar asks for `kind` on prod's session `pid`: the answer's status and body.
async fn ask(app: &TestApp, kind: &str, pid: i32, reason: &str) -> (u16, String) {
    let pid = pid.to_string();
    person(app, "oscar")
        .await
        .request(
            app,
            &[
                ("env", "prod"),
                ("kind", kind),
                ("pid", &pid),
                ("reason", reason),
            ],
        )
        .await
}

fn with_admin(url: &SecretString, admin: Option<SecretString>) -> DatabaseDiagSettings {
    let mut s = DatabaseDiagSettings::new(url.clone());
    s.admin_url = admin;
    s.refresh = Duration::from_millis(500);
    s
}

#[tokio::test]
async fn terminating_the_blocker_after_approval_frees_the_stuck_migration() {
    let url = fresh_database().await;
    let mut stuck = stuck(&url).await;
    let diag = with_admin(&url, Some(url.clone()));
    let app = TestApp::builder()
        .configure(move |s| s.environments[0].database = Some(diag))
        .spawn()
        .await;
    let oscar = person(&app, "oscar").await;

    // The database page links the blocker to the request form, filled in.
    let link = format!(
        "/actions?kind=terminate_connection&amp;env=prod&amp;pid={}",
        stuck.holder_pid
    );
    let page = wait_until(
        Duration::from_secs(15),
        "the blocker on the page",
        || async {
            let r = oscar
                .client
                .get(format!("{}/env/prod/database", app.base))
                .send()
                .await
                .expect("page");
            let page = r.text().await.expect("body");
            if page.contains(&link) {
                Ok(page)
            } else {
                Err(page)
            }
        },
    )
    .await;
    assert!(page.contains("data-signal=\"cancel_query\""), "{page}");

    let pid = stuck.holder_pid;
    let (code, body) = ask(
        &app,
        "terminate_connection",
        stuck.holder_pid,
        "the nightly report holds the migration's lock",
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let id: i64 = body.trim().parse().expect("the request's id");
    // Approvers see the session it will reach, read when it was asked.
    let (_, request_page) = app.text(&format!("/requests/{id}")).await;
    for text in [
        format!("Terminate database session {pid}"),
        "The database session".to_owned(),
        "LOCK TABLE votes IN ACCESS EXCLUSIVE MODE /* nightly report */".to_owned(),
        "Connected at".to_owned(),
    ] {
        assert!(request_page.contains(&text), "{text:?} in {request_page}");
    }
    // Nothing happens before an approval.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!stuck.migration.is_finished(), "still waiting unapproved");

    let alice = person(&app, "alice").await;
    let (code, body) = alice.decide(&app, id, "approve", "report can rerun").await;
    assert_eq!(code, 200, "{body}");
    until_state(&app, id, "succeeded", Duration::from_secs(15)).await;

    let migrated = tokio::time::timeout(Duration::from_secs(10), &mut stuck.migration)
        .await
        .expect("the migration finishes once its blocker is gone")
        .expect("task");
    assert_eq!(migrated, Ok(()), "the ALTER TABLE ran");
    assert!(
        stuck.holder.execute("SELECT 1").await.is_err(),
        "the blocker's session was ended"
    );
    let (_, request_page) = app.text(&format!("/requests/{id}")).await;
    assert!(
        request_page.contains(&format!("PostgreSQL ended the session (pid {pid}")),
        "{request_page}"
    );
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT details::text FROM audit_events WHERE details->>'request' = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.pool().await)
    .await
    .expect("audit");
    assert!(
        audit.iter().any(|d| d.contains("pg_terminate_backend")),
        "the outcome is in the audit log: {audit:?}"
    );
}

#[tokio::test]
async fn only_the_session_the_approvers_saw_is_signalled() {
    let url = fresh_database().await;
    let mut stuck = stuck(&url).await;
    let sessions = PgSessions::new(&url, Duration::from_secs(2));
    let seen = sessions
        .session(stuck.holder_pid)
        .await
        .expect("the session");
    assert_eq!(seen.pid, stuck.holder_pid);
    assert!(seen.query.contains("LOCK TABLE votes"), "{seen:?}");

    // The same pid with another connection time is another session (PostgreSQL reuses pids):
    // nothing is sent to it.
    let other = DbSession {
        connected_at: seen.connected_at - chrono::Duration::seconds(1),
        ..seen.clone()
    };
    let refused = sessions
        .signal(ActionKind::TerminateConnection, &other)
        .await
        .expect_err("not the same session");
    assert!(
        matches!(&refused, PortError::Conflict(m) if m.contains("nothing was sent")),
        "{refused:?}"
    );
    stuck.holder.execute("SELECT 1").await.expect("left alone");

    // A session that has ended is told in words, before and after the request.
    let gone = sessions.session(999_999).await.expect_err("no such pid");
    assert!(
        gone.detail().contains("no session with pid 999999"),
        "{gone:?}"
    );
    let cancelled = sessions
        .signal(ActionKind::CancelQuery, &seen)
        .await
        .expect("the real session");
    assert!(cancelled.contains("cancelled its query"), "{cancelled}");
    // Cancelling leaves the session (and its idle transaction's lock) in place.
    stuck
        .holder
        .execute("SELECT 1")
        .await
        .expect("still connected");
    assert!(sessions
        .look(&seen)
        .await
        .expect("look")
        .contains("still connected"));
}

/// A loopback TCP proxy to Postgres that, once armed, passes a client's statement on and then
/// cuts the connection before any answer comes back: the answer is lost after sending.
async fn cutting_proxy(upstream: std::net::SocketAddr) -> (std::net::SocketAddr, Arc<AtomicBool>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let armed = Arc::new(AtomicBool::new(false));
    let arm = armed.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let armed = arm.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let back = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                });
                let mut buf = vec![0u8; 64 * 1024];
                let mut first = true;
                loop {
                    let n = match cr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    // The startup message has no type byte; after it, an Execute ('E') message
                    // runs the statement. Answers stop first, then the statement goes on.
                    let cut = !first && armed.load(Ordering::SeqCst) && executes(&buf[..n]);
                    if cut {
                        back.abort();
                    }
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    if cut {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        break;
                    }
                    first = false;
                }
            });
        }
    });
    (addr, armed)
}

/// Whether the frontend messages in `chunk` include an Execute.
fn executes(chunk: &[u8]) -> bool {
    let mut i = 0;
    while i + 5 <= chunk.len() {
        if chunk[i] == b'E' {
            return true;
        }
        let len = u32::from_be_bytes([chunk[i + 1], chunk[i + 2], chunk[i + 3], chunk[i + 4]]);
        i += 1 + len as usize;
    }
    false
}

#[tokio::test]
async fn an_answer_lost_after_sending_is_outcome_unknown() {
    let url = fresh_database().await;
    let stuck = stuck(&url).await;
    let mut parsed = url::Url::parse(url.expose_secret()).expect("url");
    let upstream = tokio::net::lookup_host(format!(
        "{}:{}",
        parsed.host_str().expect("host"),
        parsed.port().unwrap_or(5432)
    ))
    .await
    .expect("resolve")
    .next()
    .expect("an address");
    let (proxy, armed) = cutting_proxy(upstream).await;
    parsed.set_host(Some("127.0.0.1")).expect("host");
    parsed.set_port(Some(proxy.port())).expect("port");
    let through_proxy = SecretString::from(parsed.to_string());
    let diag = with_admin(&url, Some(through_proxy));
    let app = TestApp::builder()
        .configure(move |s| s.environments[0].database = Some(diag))
        .spawn()
        .await;
    let (code, body) = ask(
        &app,
        "terminate_connection",
        stuck.holder_pid,
        "stuck migration",
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let id: i64 = body.trim().parse().expect("id");
    armed.store(true, Ordering::SeqCst);
    let alice = person(&app, "alice").await;
    assert_eq!(alice.decide(&app, id, "approve", "").await.0, 200);
    until_state(&app, id, "outcome_unknown", Duration::from_secs(20)).await;
    let (_, page) = app.text(&format!("/requests/{id}")).await;
    assert!(
        page.contains("was sent but no answer came back"),
        "said in words: {page}"
    );
    // Why it is unknown and not "failed": the statement did reach the server.
    until_count(
        &url,
        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
        stuck.holder_pid,
        0,
        "the blocker gone",
    )
    .await;
}

#[tokio::test]
async fn a_role_that_may_not_signal_gets_postgresqls_refusal_in_words() {
    let url = fresh_database().await;
    let mut admin = PgConnection::connect(url.expose_secret())
        .await
        .expect("admin");
    // Roles are global to the server: unique names, dropped at the end.
    let suffix = std::process::id();
    let (app_role, weak) = (format!("conflicto_{suffix}"), format!("monitor_{suffix}"));
    for role in [&app_role, &weak] {
        admin
            .execute(format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN").as_str())
            .await
            .expect("role");
    }
    admin
        .execute(format!("GRANT pg_monitor TO {weak}").as_str())
        .await
        .expect("grant");
    let as_role = |role: &str| {
        let mut u = url::Url::parse(url.expose_secret()).expect("url");
        u.set_username(role).expect("user");
        u.set_password(None).expect("password");
        SecretString::from(u.to_string())
    };
    let mut app_session = PgConnection::connect(as_role(&app_role).expose_secret())
        .await
        .expect("the application's session");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut app_session)
        .await
        .expect("pid");

    let sessions = PgSessions::new(&as_role(&weak), Duration::from_secs(2));
    let seen = sessions.session(pid).await.expect("pg_monitor sees it");
    let refused = sessions
        .signal(ActionKind::TerminateConnection, &seen)
        .await
        .expect_err("no pg_signal_backend");
    assert!(
        matches!(&refused, PortError::Denied(m) if m.contains("PostgreSQL refused") && m.contains("pg_signal_backend")),
        "{refused:?}"
    );
    app_session.execute("SELECT 1").await.expect("untouched");
    drop(app_session);
    for role in [&app_role, &weak] {
        let _ = admin
            .execute(format!("DROP ROLE IF EXISTS {role}").as_str())
            .await;
    }
}

#[tokio::test]
async fn without_an_admin_url_the_actions_are_not_offered() {
    let url = fresh_database().await;
    let stuck = stuck(&url).await;
    let diag = with_admin(&url, None);
    let app = TestApp::builder()
        .configure(move |s| {
            s.environments[0].database = Some(diag);
            // No simulated database either: nothing may signal sessions anywhere.
            for e in &mut s.environments[1..] {
                e.database = Some(with_admin(&url_for_rest(), None));
            }
        })
        .spawn()
        .await;
    let oscar = person(&app, "oscar").await;
    let (code, body) = ask(&app, "cancel_query", stuck.holder_pid, "stuck").await;
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("not offered for prod"), "{body}");
    let actions = oscar
        .client
        .get(format!("{}/actions", app.base))
        .send()
        .await
        .expect("actions")
        .text()
        .await
        .expect("body");
    assert!(
        actions.contains("data-kind=\"restart\""),
        "the catalogue is there"
    );
    assert!(!actions.contains("data-kind=\"cancel_query\""), "{actions}");
    let page = oscar
        .client
        .get(format!("{}/env/prod/database", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(!page.contains("data-signal"), "{page}");
}

/// A URL for environments that must not use the simulated database (never connected to here).
fn url_for_rest() -> SecretString {
    SecretString::from("postgres://monitor@127.0.0.1:1/none".to_owned())
}
