//! People and the ways they sign in. A person (a `users` row) has identities — (provider,
//! subject) pairs — so the same human signing in through OpenID Connect and through GitHub is one
//! person: every rule that counts people counts them once. A sign-in finds its person by its
//! identity; an unknown identity whose verified address is a person's verified address joins that
//! person; otherwise it is a new person. The sign-in's audit event commits with it.

use super::audit::{self, Event};
use app::domain::Identity;
use sqlx::{PgConnection, PgPool};

/// How a sign-in found its person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// The identity was known.
    Known,
    /// A new identity, joined to the person with this verified address.
    ByEmail(String),
    /// Nobody known: a new person.
    New,
}

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("{email} is the verified address of more than one opsdeck person: ask an admin to sort it out")]
    Ambiguous { email: String },
    #[error("this GitHub account ({login}) is already linked to another opsdeck person, {other}; sign in as them, or ask an admin to unlink it")]
    LinkedElsewhere { login: String, other: String },
    #[error("the database did not answer: {0}")]
    Db(#[from] sqlx::Error),
}

fn lower(emails: &[String]) -> Vec<String> {
    emails.iter().map(|e| e.trim().to_lowercase()).collect()
}

/// The person `id` belongs to, creating or linking as needed, with the audit event `action`
/// (`details` gains how the person was found) — all in one transaction.
pub async fn sign_in(
    pool: &PgPool,
    id: &Identity,
    action: &str,
    details: serde_json::Value,
) -> Result<(i64, Found), PeopleError> {
    let mut tx = pool.begin().await?;
    let (user_id, found) = find_or_create(&mut tx, id).await?;
    let mut details = details;
    if let (Some(o), Found::ByEmail(email)) = (details.as_object_mut(), &found) {
        o.insert("linked_by_verified_email".into(), email.clone().into());
    }
    audit::append(
        &mut *tx,
        Event {
            user_id: Some(user_id),
            actor: &id.display_name,
            action,
            environment: None,
            details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((user_id, found))
}

async fn find_or_create(
    conn: &mut PgConnection,
    id: &Identity,
) -> Result<(i64, Found), PeopleError> {
    let emails = lower(&id.verified_emails);
    if let Some(user_id) = known(conn, id).await? {
        refresh(conn, user_id, id, &emails).await?;
        return Ok((user_id, Found::Known));
    }
    let matches: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT user_id, lower(verified_email) FROM identities
          WHERE lower(verified_email) = ANY($1) ORDER BY user_id",
    )
    .bind(&emails)
    .fetch_all(&mut *conn)
    .await?;
    let people: std::collections::BTreeSet<i64> = matches.iter().map(|(u, _)| *u).collect();
    let (user_id, found) = match (people.len(), matches.first()) {
        (1, Some((user_id, email))) => (*user_id, Found::ByEmail(email.clone())),
        (0, _) => {
            let user_id: i64 = sqlx::query_scalar(
                "INSERT INTO users (display_name, email, github_login) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(&id.display_name)
            .bind(&id.email)
            .bind(id.login.as_deref().filter(|_| id.provider == "github"))
            .fetch_one(&mut *conn)
            .await?;
            (user_id, Found::New)
        }
        _ => {
            let email = matches.first().map(|(_, e)| e.clone()).unwrap_or_default();
            return Err(PeopleError::Ambiguous { email });
        }
    };
    // Two first sign-ins of one identity at once: the second finds the first's row.
    let inserted = sqlx::query(
        "INSERT INTO identities (user_id, provider, subject, verified_email, login) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (provider, subject) DO NOTHING",
    )
    .bind(user_id)
    .bind(&id.provider)
    .bind(&id.subject)
    .bind(emails.first())
    .bind(&id.login)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        if let Some(winner) = known(conn, id).await? {
            return Ok((winner, Found::Known));
        }
    }
    refresh(conn, user_id, id, &emails).await?;
    Ok((user_id, found))
}

async fn known(conn: &mut PgConnection, id: &Identity) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM identities WHERE provider = $1 AND subject = $2 FOR UPDATE",
    )
    .bind(&id.provider)
    .bind(&id.subject)
    .fetch_optional(conn)
    .await
}

/// The newest sign-in's name, addresses and login.
async fn refresh(
    conn: &mut PgConnection,
    user_id: i64,
    id: &Identity,
    emails: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE identities SET verified_email = coalesce($3, verified_email), login = coalesce($4, login),
                last_sign_in = now()
          WHERE provider = $1 AND subject = $2",
    )
    .bind(&id.provider)
    .bind(&id.subject)
    .bind(emails.first())
    .bind(&id.login)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE users SET display_name = $2, email = coalesce($3, email),
                github_login = coalesce($4, github_login), last_sign_in = now()
          WHERE id = $1",
    )
    .bind(user_id)
    .bind(&id.display_name)
    .bind(&id.email)
    .bind(id.login.as_deref().filter(|_| id.provider == "github"))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Link a GitHub identity to the signed-in person `user_id` ("Connect GitHub"), with the audit
/// event, in the caller's transaction. Refused in words when the account is another person's.
pub async fn link(
    conn: &mut PgConnection,
    user_id: i64,
    who: &str,
    id: &Identity,
) -> Result<(), PeopleError> {
    let login = id.login.clone().unwrap_or_default();
    if let Some(owner) = known(conn, id).await? {
        if owner != user_id {
            let other: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                .bind(owner)
                .fetch_one(&mut *conn)
                .await?;
            return Err(PeopleError::LinkedElsewhere {
                login,
                other: format!("{other} (#{owner})"),
            });
        }
    } else {
        sqlx::query(
            "INSERT INTO identities (user_id, provider, subject, verified_email, login) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user_id)
        .bind(&id.provider)
        .bind(&id.subject)
        .bind(lower(&id.verified_emails).first())
        .bind(&id.login)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE users SET github_login = $2 WHERE id = $1")
        .bind(user_id)
        .bind(&login)
        .execute(&mut *conn)
        .await?;
    audit::append(
        &mut *conn,
        Event {
            user_id: Some(user_id),
            actor: who,
            action: "github_connected",
            environment: None,
            details: serde_json::json!({"login": login, "github_id": id.subject}),
        },
    )
    .await?;
    Ok(())
}
