//! `opsdeck audit verify`: check the audit log's hash chain and name the first event that does
//! not fit.

use super::{database_url, load};
use crate::store::{self, audit::Verdict};
use anyhow::Context as _;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum AuditAction {
    /// Check the whole hash chain; name the first event that does not fit. Exit 1 if one does not.
    Verify {
        /// A head recorded earlier (printed by `verify`, logged and posted by `opsdeck serve`):
        /// also fail if that event is missing or different — events removed from the end.
        #[arg(long, value_name = "ID:HASH")]
        expect_head: Option<String>,
    },
}

pub(super) async fn verify(
    config: Option<PathBuf>,
    expect_head: Option<String>,
) -> anyhow::Result<ExitCode> {
    let expected = expect_head
        .as_deref()
        .map(|h| {
            let (id, hash) = h.split_once(':')?;
            Some((id.trim().parse::<i64>().ok()?, hash.trim().to_owned()))
        })
        .map(|h| h.context("--expect-head must be ID:HASH, as `opsdeck audit verify` prints it"))
        .transpose()?;
    let settings = config.as_deref().map(load).transpose()?;
    let url = database_url(settings.as_ref())
        .context("no database: set DATABASE_URL or database.url in --config")?;
    let pool = store::connect(&url, 2).await?;
    store::migrate(&pool).await?;
    match store::audit::verify(&pool)
        .await
        .context("reading the audit log")?
    {
        Verdict::Intact { events, head } => {
            if let Some((id, hash)) = expected {
                if let Err(why) = store::audit::check_head(&pool, id, &hash).await? {
                    println!("audit log TRUNCATED or rewritten: {why}");
                    return Ok(ExitCode::from(1));
                }
            }
            let newest = store::audit::head(&pool).await?;
            println!(
                "audit log intact: {events} events, newest hash {}{}",
                head.as_deref().unwrap_or("(none: the log is empty)"),
                newest
                    .map(|(id, hash)| format!(" (head {id}:{hash})"))
                    .unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Broken {
            id,
            at,
            actor,
            action,
            reason,
        } => {
            println!("audit log BROKEN at event {id} ({at}, {actor}, {action}): {reason}");
            Ok(ExitCode::from(1))
        }
    }
}
