//! `opsdeck serve` as a database role that does not own the tables: the owner migrates, the
//! application's role may read and write what it needs but only SELECT and INSERT on the audit
//! log — so opsdeck's own credentials can neither rewrite the log nor switch its triggers off.

use opsdeck_tests::people::{person, until_state};
use opsdeck_tests::{fresh_database, TestApp};
use secrecy::{ExposeSecret, SecretString};
use sqlx::Connection;
use std::time::Duration;

const ROLE: &str = "opsdeck_app_test";

/// The grants the README gives, for `ROLE` on the database at `owner_url`.
async fn grant_least_privilege(owner_url: &SecretString) {
    let mut owner = sqlx::PgConnection::connect(owner_url.expose_secret())
        .await
        .expect("owner");
    let grants = format!(
        "DO $$ BEGIN CREATE ROLE {ROLE} LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
         GRANT USAGE ON SCHEMA public, tower_sessions TO {ROLE};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, tower_sessions TO {ROLE};
         REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {ROLE};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE};"
    );
    sqlx::raw_sql(&grants)
        .execute(&mut owner)
        .await
        .expect("grant");
}

#[tokio::test]
async fn serve_works_as_a_role_that_cannot_disable_the_audit_triggers() {
    let owner_url = fresh_database().await;
    let owner = server::store::connect(&owner_url, 2).await.expect("owner");
    server::store::migrate(&owner)
        .await
        .expect("the owner migrates");
    grant_least_privilege(&owner_url).await;
    let mut app_url = url::Url::parse(owner_url.expose_secret()).unwrap();
    app_url.set_username(ROLE).unwrap();
    app_url.set_password(None).unwrap();
    let app_url = SecretString::from(app_url.to_string());

    // opsdeck as that role: nothing to migrate, so no DDL; sign-in, change control, audit.
    let app = TestApp::builder().database(app_url.clone()).spawn().await;
    let oscar = person(&app, "oscar").await;
    let (code, body) = oscar
        .request(
            &app,
            &[("env", "dev"), ("kind", "restart"), ("reason", "stuck")],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let id: i64 = body.trim().parse().unwrap();
    let alice = person(&app, "alice").await;
    alice.decide(&app, id, "approve", "").await;
    until_state(&app, id, "succeeded", Duration::from_secs(10)).await;
    let r = alice
        .client
        .get(format!("{}/api/v1/audit.json?action=action.", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // What that role cannot do to the audit log.
    let mut as_app = sqlx::PgConnection::connect(app_url.expose_secret())
        .await
        .unwrap();
    for (what, sql) in [
        (
            "switch the triggers off",
            "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        ),
        ("delete events", "DELETE FROM audit_events"),
        ("rewrite events", "UPDATE audit_events SET actor = 'nobody'"),
        ("truncate the log", "TRUNCATE audit_events"),
        (
            "replay as a replica",
            "SET session_replication_role = replica",
        ),
    ] {
        let err = sqlx::query(sql).execute(&mut as_app).await;
        assert!(err.is_err(), "the application's role must not {what}");
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(&mut as_app)
        .await
        .unwrap();
    assert!(n >= 5, "the log is intact: {n} events");
}

#[tokio::test]
async fn a_role_that_cannot_migrate_is_told_to_run_opsdeck_migrate() {
    let owner_url = fresh_database().await;
    let owner = server::store::connect(&owner_url, 2).await.expect("owner");
    server::store::migrate(&owner).await.expect("migrate");
    grant_least_privilege(&owner_url).await;
    // A migration this build has and the database does not: forget the newest one.
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&owner)
    .await
    .unwrap();
    let mut app_url = url::Url::parse(owner_url.expose_secret()).unwrap();
    app_url.set_username(ROLE).unwrap();
    let pool = server::store::connect(&SecretString::from(app_url.to_string()), 2)
        .await
        .unwrap();
    let err = server::store::migrate(&pool)
        .await
        .expect_err("the application's role cannot migrate");
    let words = err.to_string();
    assert!(words.contains("opsdeck migrate"), "{words}");
    assert!(words.contains("1 database migration"), "{words}");
}
