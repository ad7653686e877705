//! `opsdeck demo`: a simulated Conflicto per environment, its simulated AWS and GitHub, and a
//! private PostgreSQL unless DATABASE_URL is set — nothing to configure, loopback only.

use super::wait_for_signal;
use crate::config;
use crate::sim::{SimExecutor, SimWorld};
use crate::startup;
use crate::store::{self, PrivateCluster};
use anyhow::Context as _;
use app::domain::{EnvName, Fault};
use app::ports::DemoControl;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

pub(super) async fn run(
    listen: SocketAddr,
    faults: Vec<String>,
    data_dir: Option<PathBuf>,
    live_streams: Option<u32>,
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
    let mut settings = config::demo_settings(listen, &sim_envs, Some(url.clone()));
    if let Some(n) = live_streams.filter(|n| *n > 0) {
        settings.limits.max_live_streams = n;
        settings.limits.live_streams_per_session = n;
    }
    // Production is served over https by a simulated CA, as an operator's private CA would be.
    settings.probe.ca_file = Some(world.ca_file().to_owned());
    // The demo's team checks every day, and the morning check is due from midnight: the
    // dashboard asks for a sign-off until someone gives one.
    settings.routines.checks.morning_by = chrono::NaiveTime::from_hms_opt(0, 0, 0);
    settings.routines.checks.working_days = vec![
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ];
    settings.routines.checks.maintenance = Some((
        chrono::Weekday::Sun,
        chrono::NaiveTime::from_hms_opt(2, 0, 0).unwrap_or_default(),
        chrono::NaiveTime::from_hms_opt(4, 0, 0).unwrap_or_default(),
    ));
    let pool = store::connect(&url, settings.db_max_connections).await?;
    store::migrate(&pool).await?;
    let clouds = startup::Clouds::Given {
        aws: world.cloud_readers(),
        github: world.deploy_sources(),
        executor: Arc::new(SimExecutor(world.clone())),
        databases: world.databases(settings.thresholds.db_connections_percent),
        logs: world.log_sources(),
    };
    let running =
        startup::start(&settings, pool, Some(world as Arc<dyn DemoControl>), clouds).await?;
    println!("listening on http://{}", running.addr);
    wait_for_signal().await;
    running.shutdown().await;
    drop(cluster);
    Ok(ExitCode::SUCCESS)
}
