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
    Verify,
}

pub(super) async fn verify(config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
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
            println!(
                "audit log intact: {events} events, newest hash {}",
                head.as_deref().unwrap_or("(none: the log is empty)")
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
