//! `opsdeck wall-token`: create, list and revoke the tokens that let a wall screen watch the
//! dashboard without signing in.

use super::{database_url, load};
use crate::store::{self, wall_tokens};
use anyhow::Context as _;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum WallTokenAction {
    /// Create a token; it is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token: its screens lose their session and live stream within seconds.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

pub(super) async fn run(
    action: WallTokenAction,
    config: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let settings = config.as_deref().map(load).transpose()?;
    let url = database_url(settings.as_ref())
        .context("no database: set DATABASE_URL or database.url in --config")?;
    let pool = store::connect(&url, 2).await?;
    store::migrate(&pool).await?;
    match action {
        WallTokenAction::Create { name } => {
            let who = cli_account();
            let by = wall_tokens::By {
                user_id: None,
                name: &who,
            };
            let token = wall_tokens::create(&pool, &name, by).await?;
            println!("wall token {name:?} created. Shown once; open this on the wall screen:");
            println!("  /wall?token={token}");
        }
        WallTokenAction::List => {
            for t in wall_tokens::list(&pool).await? {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", app::domain::format::datetime(at)),
                    None => "active".into(),
                };
                println!(
                    "{}\t{state}\tcreated {} by {}",
                    t.name,
                    app::domain::format::datetime(t.created_at),
                    t.created_by
                );
            }
        }
        WallTokenAction::Revoke { name } => {
            let by = wall_tokens::By {
                user_id: None,
                name: &cli_account(),
            };
            if !wall_tokens::revoke(&pool, &name, by).await? {
                anyhow::bail!("no active wall token named {name:?}");
            }
            println!("wall token {name:?} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Who ran the command, by the operating system's account (the CLI has no sign-in).
fn cli_account() -> String {
    let uid = nix::unistd::getuid();
    let account = nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map_or_else(|| format!("uid {uid}"), |u| u.name);
    format!("cli:{account}")
}
