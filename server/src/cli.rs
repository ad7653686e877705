//! The command line: `serve`, `demo`, `check-config`, `migrate`, and `probe` (curl -w for one URL).

use crate::config::{self, Settings};
use crate::sim::SimWorld;
use crate::startup;
use crate::store::{self, PrivateCluster};
use anyhow::Context as _;
use app::domain::{Endpoint, EnvName, Fault};
use app::ports::{DemoControl, HealthProber};
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

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

#[derive(Subcommand)]
enum AuditAction {
    /// Check the whole hash chain; name the first event that does not fit. Exit 1 if one does not.
    Verify,
}

#[derive(Subcommand)]
enum WallTokenAction {
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
            } => demo(listen, fault, data_dir).await,
            Command::CheckConfig { config } => check_config(config),
            Command::Migrate { config } => migrate(config).await,
            Command::WallToken { action, config } => wall_token(action, config).await,
            Command::Audit {
                action: AuditAction::Verify,
                config,
            } => audit_verify(config).await,
            Command::Probe {
                url,
                count,
                timeout,
                ca_file,
                json,
            } => probe(url, count, timeout, ca_file, json).await,
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

async fn audit_verify(config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    use crate::store::audit::{verify, Verdict};
    let settings = config.as_deref().map(load).transpose()?;
    let url = database_url(settings.as_ref())
        .context("no database: set DATABASE_URL or database.url in --config")?;
    let pool = store::connect(&url, 2).await?;
    store::migrate(&pool).await?;
    match verify(&pool).await.context("reading the audit log")? {
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

async fn wall_token(action: WallTokenAction, config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    use crate::store::wall_tokens;
    let settings = config.as_deref().map(load).transpose()?;
    let url = database_url(settings.as_ref())
        .context("no database: set DATABASE_URL or database.url in --config")?;
    let pool = store::connect(&url, 2).await?;
    store::migrate(&pool).await?;
    match action {
        WallTokenAction::Create { name } => {
            // Who ran it, by the operating system's account (the CLI has no sign-in).
            let uid = nix::unistd::getuid();
            let account = nix::unistd::User::from_uid(uid)
                .ok()
                .flatten()
                .map_or_else(|| format!("uid {uid}"), |u| u.name);
            let who = format!("cli:{account}");
            let token = wall_tokens::create(&pool, &name, &who).await?;
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
            if !wall_tokens::revoke(&pool, &name).await? {
                anyhow::bail!("no active wall token named {name:?}");
            }
            println!("wall token {name:?} revoked");
        }
    }
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

async fn demo(
    listen: SocketAddr,
    faults: Vec<String>,
    data_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    if !listen.ip().is_loopback() {
        anyhow::bail!("demo mode only listens on loopback (127.0.0.1 or ::1); {listen} is not");
    }
    let envs = [
        (EnvName::parse("prod")?, "Production", "1.4.2"),
        (EnvName::parse("dev")?, "Development", "1.5.0-rc.1"),
    ];
    let world = Arc::new(
        SimWorld::start(
            &envs
                .iter()
                .map(|(n, _, v)| (n.clone(), *v))
                .collect::<Vec<_>>(),
        )
        .await
        .context("starting the simulated Conflicto")?,
    );
    for spec in &faults {
        let (env, fault) = spec
            .split_once('=')
            .with_context(|| format!("--fault {spec:?}: expected ENV=FAULT"))?;
        let env = EnvName::parse(env).with_context(|| format!("--fault {spec:?}"))?;
        let fault = Fault::parse(fault).map_err(|e| anyhow::anyhow!("--fault {spec:?}: {e}"))?;
        world
            .set_fault(&env, fault)
            .await
            .map_err(|e| anyhow::anyhow!("--fault {spec:?}: {e}"))?;
    }

    // DATABASE_URL if given, else a private cluster that lives as long as this process.
    let mut cluster = None;
    let url = match std::env::var("DATABASE_URL") {
        Ok(u) => SecretString::from(u),
        Err(_) => {
            let uid = nix::unistd::Uid::effective();
            let dir = data_dir
                .unwrap_or_else(|| std::env::temp_dir().join(format!("opsdeck-demo-{uid}")));
            eprintln!("starting a private PostgreSQL in {}", dir.display());
            let c = tokio::task::spawn_blocking(move || PrivateCluster::start(&dir)).await??;
            let url = c.url();
            cluster = Some(c);
            url
        }
    };
    let sim_envs: Vec<_> = envs
        .iter()
        .filter_map(|(n, label, _)| world.url(n).map(|u| (n.clone(), *label, u)))
        .collect();
    let settings = config::demo_settings(listen, &sim_envs, Some(url.clone()));
    let pool = store::connect(&url, settings.db_max_connections).await?;
    store::migrate(&pool).await?;
    let clouds = startup::Clouds::Given {
        aws: world.cloud_readers(),
        github: world.deploy_sources(),
        executor: Arc::new(crate::sim::SimExecutor(world.clone())),
    };
    let running =
        startup::start(&settings, pool, Some(world as Arc<dyn DemoControl>), clouds).await?;
    println!("listening on http://{}", running.addr);
    wait_for_signal().await;
    running.shutdown().await;
    drop(cluster);
    Ok(ExitCode::SUCCESS)
}

async fn probe(
    url: String,
    count: u32,
    timeout: Duration,
    ca_file: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let tls = crate::probe::tls_config(ca_file.as_deref())?;
    let prober = crate::probe::HttpProber::new(tls, timeout);
    let mut failed = false;
    for _ in 0..count.max(1) {
        let r = prober.probe(Endpoint::Health, &url).await;
        failed |= r.failure.is_some();
        if json {
            println!("{}", serde_json::to_string(&r)?);
            continue;
        }
        let t = r.timings;
        let s = |v: Option<f64>| {
            v.map(|ms| format!("{:.6}", ms / 1000.0))
                .unwrap_or_else(|| "-".into())
        };
        println!("    time_namelookup:  {}", s(t.namelookup_ms));
        println!("       time_connect:  {}", s(t.connect_ms));
        println!("    time_appconnect:  {}", s(t.appconnect_ms.or(Some(0.0))));
        println!("   time_pretransfer:  {}", s(t.pretransfer_ms));
        println!(" time_starttransfer:  {}", s(t.starttransfer_ms));
        println!("                    ----------");
        println!("         time_total:  {}", s(t.total_ms));
        println!(
            "        http_status:  {}",
            r.http_status
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into())
        );
        if let Some(f) = &r.failure {
            println!("            failure:  {}: {}", f.kind.label(), f.message);
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
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
