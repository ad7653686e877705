//! The audit log is append-only and tamper-evident: UPDATE and DELETE are refused by Postgres, and
//! `opsdeck audit verify` — the real binary — names the first event a superuser changed behind
//! opsdeck's back.

use sqlx::{Connection, Executor};
use std::process::Command;

fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database (dropped by `make test`'s clean-up of opsdeck_test_* databases).
async fn fresh() -> String {
    let admin = admin_url();
    let name = format!("opsdeck_test_audit_{}", fastrand::u64(..));
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .expect("reach Postgres at DATABASE_URL");
    c.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    let mut url = url::Url::parse(&admin).expect("url");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

fn verify(db: &str) -> (i32, String) {
    verify_with(db, &[])
}

fn verify_with(db: &str, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["audit", "verify"])
        .args(extra)
        .env("DATABASE_URL", db)
        .output()
        .expect("run opsdeck");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[tokio::test]
async fn the_chain_holds_refuses_changes_and_names_a_tampered_event() {
    let db = fresh().await;
    let pool = server::store::connect(&secrecy::SecretString::from(db.clone()), 2)
        .await
        .expect("connect");
    server::store::migrate(&pool).await.expect("migrate");
    let (code, out) = verify(&db);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("audit log intact: 0 events"), "{out}");

    for (i, action) in ["sign_in", "deploy.review", "sign_out", "sign_in"]
        .iter()
        .enumerate()
    {
        server::store::users::audit(
            &pool,
            None,
            &format!("person {i}"),
            action,
            serde_json::json!({"n": i}),
        )
        .await
        .expect("append");
    }
    let (code, out) = verify(&db);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("audit log intact: 4 events, newest hash "),
        "{out}"
    );

    // opsdeck's own database user cannot change history.
    for sql in [
        "UPDATE audit_events SET actor = 'mallory' WHERE id = 2",
        "DELETE FROM audit_events WHERE id = 2",
        "TRUNCATE audit_events",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.expect_err(sql);
        assert!(
            err.to_string().contains("audit_events is append-only"),
            "{sql}: {err}"
        );
    }

    // A superuser who switches the triggers off can — and verify names the event.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_events ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("ids");
    let mut su = sqlx::PgConnection::connect(&db)
        .await
        .expect("superuser connection");
    su.execute("SET session_replication_role = replica")
        .await
        .expect("bypass triggers");
    su.execute(
        format!(
            "UPDATE audit_events SET actor = 'mallory' WHERE id = {}",
            ids[1]
        )
        .as_str(),
    )
    .await
    .expect("tamper");
    let (code, out) = verify(&db);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("BROKEN at event {} ", ids[1])),
        "{out}"
    );
    assert!(
        out.contains("mallory") && out.contains("does not match its hash"),
        "{out}"
    );

    // Removing an event breaks the link of the one after it.
    su.execute(
        format!(
            "UPDATE audit_events SET actor = 'person 1' WHERE id = {}",
            ids[1]
        )
        .as_str(),
    )
    .await
    .expect("restore");
    assert_eq!(verify(&db).0, 0, "restored content verifies again");
    su.execute(format!("DELETE FROM audit_events WHERE id = {}", ids[2]).as_str())
        .await
        .expect("delete");
    let (code, out) = verify(&db);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("BROKEN at event {} ", ids[3])) && out.contains("does not link"),
        "{out}"
    );
}

#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    let db = fresh().await;
    let pool = server::store::connect(&secrecy::SecretString::from(db.clone()), 10)
        .await
        .expect("connect");
    server::store::migrate(&pool).await.expect("migrate");
    let writers = (0..40).map(|i| {
        let pool = pool.clone();
        tokio::spawn(async move {
            server::store::users::audit(
                &pool,
                None,
                &format!("writer {i}"),
                "test",
                serde_json::json!({}),
            )
            .await
            .expect("append")
        })
    });
    futures::future::join_all(writers).await;
    let (code, out) = verify(&db);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact: 40 events"), "{out}");
}

/// A chain cannot show events removed from its end; a head recorded earlier can. opsdeck records
/// heads itself (`audit.head` events, posted by the webhook), once per change.
#[tokio::test]
async fn truncation_from_the_end_fails_against_a_recorded_head() {
    let db = fresh().await;
    let pool = server::store::connect(&secrecy::SecretString::from(db.clone()), 2)
        .await
        .expect("connect");
    server::store::migrate(&pool).await.expect("migrate");
    for i in 0..3 {
        server::store::users::audit(
            &pool,
            None,
            "someone",
            "sign_in",
            serde_json::json!({"n": i}),
        )
        .await
        .expect("audit");
    }
    let (id, hash) = server::store::audit::publish_head(&pool)
        .await
        .expect("publish")
        .expect("a head to publish");
    assert_eq!(
        server::store::audit::publish_head(&pool)
            .await
            .expect("again"),
        None,
        "nothing happened since: no second head"
    );
    let expected = format!("{id}:{hash}");
    let (code, out) = verify_with(&db, &["--expect-head", &expected]);
    assert_eq!(code, 0, "{out}");
    let head_id: i64 = out
        .split("(head ")
        .nth(1)
        .and_then(|h| h.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the head is printed: {out}"));
    assert!(
        head_id > id,
        "the newest event is the head event itself: {out}"
    );

    // Someone with the owner's powers removes the last events, triggers off.
    let mut su = sqlx::PgConnection::connect(&db).await.expect("superuser");
    su.execute(
        format!(
            "ALTER TABLE audit_events DISABLE TRIGGER USER; DELETE FROM audit_events WHERE id >= {id}; ALTER TABLE audit_events ENABLE TRIGGER USER"
        )
        .as_str(),
    )
    .await
    .expect("truncate");
    let (code, out) = verify(&db);
    assert_eq!(code, 0, "the chain alone still holds: {out}");
    let (code, out) = verify_with(&db, &["--expect-head", &expected]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("event {id} is missing")), "{out}");
    let (code, out) = verify_with(&db, &["--expect-head", "nonsense"]);
    assert_ne!(code, 0);
    assert!(out.contains("ID:HASH"), "{out}");
}
