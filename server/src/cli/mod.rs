//! The command line: `serve`, `demo`, `check-config`, `migrate`, `wall-token`, `audit`, and
//! `probe` (curl -w for one URL). This file parses the arguments, runs the small commands and holds
//! what several share; the larger ones have files of their own.

mod audit;
mod demo;
mod probe;
mod wall_token;

use crate::config::{self, Settings};
use crate::startup;
use crate::store;
use anyhow::Context as _;
use audit::AuditAction;
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use wall_token::WallTokenAction;

#[derive(Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "The Conflicto runbook as a live dashboard"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run against real infrastructure, as configured.
    Serve {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Overrides server.listen.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Run with a simulated Conflicto and a private database: nothing to configure.
    Demo {
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
        listen: SocketAddr,
        /// Start with a fault injected, e.g. `--fault prod=slow` (none, slow, error5xx, garbage, down).
        #[arg(long, value_name = "ENV=FAULT")]
        fault: Vec<String>,
        /// Where the private PostgreSQL cluster keeps its files (when DATABASE_URL is not set).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// For benchmarks: how many live streams the demo serves, in all and to one session
        /// (default: [limits] max_live_streams and live_streams_per_session, 10,000 and 8).
        #[arg(long, value_name = "N")]
        live_streams: Option<u32>,
    },
    /// Validate a configuration file; print what it resolves to, or every problem.
    CheckConfig {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Apply database migrations (DATABASE_URL, or database.url from --config) and exit.
    Migrate {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Manage wall-screen tokens (DATABASE_URL, or database.url from --config).
    WallToken {
        #[command(subcommand)]
        action: WallTokenAction,
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
    },
    /// The audit log (DATABASE_URL, or database.url from --config).
    Audit {
        #[command(subcommand)]
        action: AuditAction,
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
    },
    /// Probe one URL like `curl -w` and print the phase timings.
    Probe {
        url: String,
        #[arg(long, default_value_t = 1)]
        count: u32,
        #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
        timeout: Duration,
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
        /// One JSON object per probe instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { config, listen } => serve(config, listen).await,
            Command::Demo {
                listen,
                fault,
                data_dir,
                live_streams,
            } => demo::run(listen, fault, data_dir, live_streams).await,
            Command::CheckConfig { config } => check_config(config),
            Command::Migrate { config } => migrate(config).await,
            Command::WallToken { action, config } => wall_token::run(action, config).await,
            Command::Audit {
                action: AuditAction::Verify { expect_head },
                config,
            } => audit::verify(config, expect_head).await,
            Command::Probe {
                url,
                count,
                timeout,
                ca_file,
                json,
            } => probe::run(url, count, timeout, ca_file, json).await,
        }
    });
    // Streams may still be open; do not wait for them.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load(path: &std::path::Path) -> anyhow::Result<Settings> {
    config::load(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn check_config(path: PathBuf) -> anyhow::Result<ExitCode> {
    match config::load(&path) {
        Ok(s) => {
            println!("{}: OK\n{}", path.display(), s.describe());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            Ok(ExitCode::from(2))
        }
    }
}

fn database_url(settings: Option<&Settings>) -> Option<SecretString> {
    settings
        .and_then(|s| s.database_url.clone())
        .or_else(|| std::env::var("DATABASE_URL").ok().map(SecretString::from))
}

async fn migrate(config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let settings = config.as_deref().map(load).transpose()?;
    let url = database_url(settings.as_ref())
        .context("no database: set DATABASE_URL or database.url in --config")?;
    let pool = store::connect(&url, 2).await?;
    store::migrate(&pool).await?;
    println!("migrations applied to {}", config::redact(&url));
    Ok(ExitCode::SUCCESS)
}

async fn serve(path: PathBuf, listen: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    let mut settings = load(&path)?;
    if let Some(l) = listen {
        settings.listen = l;
    }
    if let Some(why) =
        config::public_without_sign_in(settings.listen, settings.allow_public_without_sign_in)
    {
        anyhow::bail!("--listen {why}");
    }
    let url =
        database_url(Some(&settings)).context("no database: set DATABASE_URL or database.url")?;
    let pool = store::connect(&url, settings.db_max_connections).await?;
    store::migrate(&pool).await?;
    let running = startup::start(
        &settings,
        pool,
        None,
        startup::Clouds::Real { credentials: None },
    )
    .await?;
    println!("listening on http://{}", running.addr);
    wait_for_signal().await;
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    eprintln!("shutting down");
}
