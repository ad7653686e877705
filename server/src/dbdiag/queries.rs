//! The runbook's psql procedures as queries, in one READ ONLY transaction with a short
//! `statement_timeout`. The migration table is read under a savepoint so a missing table is a
//! finding, not a failed read. Errors are told in words, never with the URL.

use crate::config::DatabaseDiagSettings;
use app::domain::database::{cut, BlockedLock, DbDiagnostics, MigrationVersion, Session};
use app::domain::Thresholds;
use sqlx::{PgPool, Postgres, Row, Transaction};

fn words(e: sqlx::Error) -> String {
    match &e {
        sqlx::Error::Database(d) if d.code().as_deref() == Some("57014") => {
            "a diagnostic query ran past statement_timeout and was cancelled".into()
        }
        sqlx::Error::Database(d) => {
            format!("the database refused a diagnostic query: {}", d.message())
        }
        sqlx::Error::PoolTimedOut => "could not get a connection to the database in time".into(),
        sqlx::Error::Io(io) => format!("cannot reach the database: {io}"),
        sqlx::Error::Tls(t) => format!("TLS with the database failed: {t}"),
        other => format!("reading the database failed: {other}"),
    }
}

/// `"alembic_version"` or `"public"."alembic_version"`: the configured name, validated as
/// identifiers at load, quoted.
fn quoted(table: &str) -> String {
    table
        .split('.')
        .map(|part| format!("\"{}\"", part.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

/// A session's columns of `pg_stat_activity`, qualified with `a.` where it is joined.
fn columns(a: &str) -> String {
    format!(
        "{a}pid, {a}usename::text AS usr, {a}application_name::text AS app, {a}state::text AS st, \
         CASE WHEN {a}wait_event IS NULL THEN NULL ELSE {a}wait_event_type || ': ' || {a}wait_event END AS wait, \
         EXTRACT(EPOCH FROM clock_timestamp() - COALESCE({a}query_start, {a}xact_start, {a}backend_start))::float8 AS running_s, \
         {a}query"
    )
}

fn session(r: &sqlx::postgres::PgRow) -> Result<Session, sqlx::Error> {
    let query: Option<String> = r.try_get("query")?;
    Ok(Session {
        pid: r.try_get("pid")?,
        user: r.try_get("usr")?,
        application: r.try_get("app")?,
        state: r.try_get("st")?,
        wait: r.try_get("wait")?,
        running_s: r.try_get::<Option<f64>, _>("running_s")?.unwrap_or(0.0),
        query: cut(query.as_deref().unwrap_or_default()),
    })
}

async fn migration(
    tx: &mut Transaction<'_, Postgres>,
    table: &str,
) -> Result<MigrationVersion, sqlx::Error> {
    sqlx::query("SAVEPOINT migration")
        .execute(&mut **tx)
        .await?;
    let read = sqlx::query_scalar::<_, String>(&format!(
        "SELECT version_num::text FROM {} ORDER BY 1",
        quoted(table)
    ))
    .fetch_all(&mut **tx)
    .await;
    let out = match read {
        Ok(versions) => MigrationVersion {
            table: table.to_owned(),
            versions,
            error: None,
        },
        Err(e) => {
            sqlx::query("ROLLBACK TO SAVEPOINT migration")
                .execute(&mut **tx)
                .await?;
            let why = match &e {
                sqlx::Error::Database(d) if d.code().as_deref() == Some("42P01") => {
                    format!("the table {table} does not exist")
                }
                sqlx::Error::Database(d) if d.code().as_deref() == Some("42703") => {
                    format!("{table} has no version_num column")
                }
                _ => words(e),
            };
            MigrationVersion {
                table: table.to_owned(),
                versions: vec![],
                error: Some(why),
            }
        }
    };
    Ok(out)
}

pub(super) async fn read(
    pool: &PgPool,
    s: &DatabaseDiagSettings,
    connection_levels: Thresholds,
) -> Result<DbDiagnostics, String> {
    read_in(pool, s, connection_levels).await.map_err(words)
}

async fn read_in(
    pool: &PgPool,
    s: &DatabaseDiagSettings,
    connection_levels: Thresholds,
) -> Result<DbDiagnostics, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION READ ONLY")
        .execute(&mut *tx)
        .await?;
    // SET LOCAL takes no parameters: the value is a whole number of milliseconds from the config.
    sqlx::query(&format!(
        "SET LOCAL statement_timeout = {}",
        s.statement_timeout.as_millis().max(1)
    ))
    .execute(&mut *tx)
    .await?;
    let head = sqlx::query(
        "SELECT current_setting('server_version') AS v, current_database()::text AS db,
                pg_database_size(current_database()) AS size,
                current_setting('max_connections')::bigint AS max",
    )
    .fetch_one(&mut *tx)
    .await?;
    let by_state: Vec<(String, i64)> = sqlx::query_as(
        "SELECT COALESCE(state, 'unknown')::text, count(*) FROM pg_stat_activity
          WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC, 1",
    )
    .fetch_all(&mut *tx)
    .await?;
    let by_application: Vec<(String, i64)> = sqlx::query_as(
        "SELECT COALESCE(NULLIF(application_name, ''), '(none)')::text, count(*) FROM pg_stat_activity
          WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    )
    .fetch_all(&mut *tx)
    .await?;
    let long_after_s = s.long_query_after.as_secs();
    let long_rows = sqlx::query(&format!(
        "SELECT {} FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND state <> 'idle' AND pid <> pg_backend_pid()
            AND query_start < clock_timestamp() - make_interval(secs => $1)
          ORDER BY query_start LIMIT 20",
        columns("")
    ))
    .bind(long_after_s as f64)
    .fetch_all(&mut *tx)
    .await?;
    let long_running = long_rows
        .iter()
        .map(session)
        .collect::<Result<Vec<_>, _>>()?;
    // Locks not granted in this database, each with the sessions pg_blocking_pids names.
    let blocked_rows = sqlx::query(&format!(
        "SELECT {}, l.locktype::text AS locktype, l.mode::text AS mode,
                CASE WHEN l.relation IS NULL THEN NULL ELSE l.relation::regclass::text END AS relation,
                pg_blocking_pids(a.pid) AS blockers
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE NOT l.granted
            AND (l.database IS NULL OR l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
          ORDER BY a.query_start LIMIT 20",
        columns("a.")
    ))
    .fetch_all(&mut *tx)
    .await?;
    let mut blocked = Vec::new();
    for r in &blocked_rows {
        let pids: Vec<i32> = r.try_get("blockers")?;
        let blockers = if pids.is_empty() {
            vec![]
        } else {
            let rows = sqlx::query(&format!(
                "SELECT {} FROM pg_stat_activity WHERE pid = ANY($1) ORDER BY pid",
                columns("")
            ))
            .bind(&pids)
            .fetch_all(&mut *tx)
            .await?;
            rows.iter().map(session).collect::<Result<Vec<_>, _>>()?
        };
        blocked.push(BlockedLock {
            waiting: session(r)?,
            lock_type: r.try_get("locktype")?,
            mode: r.try_get("mode")?,
            relation: r.try_get("relation")?,
            blockers,
        });
    }
    let migration = migration(&mut tx, &s.migration_table).await?;
    tx.commit().await?;
    Ok(DbDiagnostics {
        server_version: head.try_get("v")?,
        database: head.try_get("db")?,
        size_bytes: head.try_get("size")?,
        migration,
        max_connections: head.try_get("max")?,
        by_state,
        by_application,
        long_running,
        long_after_s,
        blocked,
        connection_levels,
    })
}
