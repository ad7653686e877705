//! The demo's simulated world: a Conflicto per environment, served for real over HTTP on
//! loopback so the genuine probe measures it, with faults that can be injected.

mod actions;
mod cloud;
mod conflicto;
mod database;
mod github;
mod logs;
pub mod pki;

pub use actions::SimExecutor;
pub use cloud::SimCloud;
pub use conflicto::SimConflicto;
pub use github::SimGithub;

use app::domain::{EnvName, Fault};
use app::ports::{DemoControl, PortError};
use std::sync::Arc;
use url::Url;

/// Days left on the simulated production certificate: inside the default warning limit (21).
pub const PROD_CERTIFICATE_DAYS: i64 = 12;

pub struct SimWorld {
    /// Production's certificate authority: its probe needs the CA file.
    pki: pki::SimPki,
    /// In the order given, so the demo control lists environments as the dashboard does.
    apps: Vec<(EnvName, Arc<SimConflicto>)>,
    clouds: Vec<(EnvName, Arc<SimCloud>)>,
    /// One repository for every environment, as Conflicto has.
    pub github: Arc<SimGithub>,
}

impl SimWorld {
    /// Start one simulated application per `(name, version)` on loopback ports. The first
    /// (production) is served over https with a certificate that expires in
    /// [`PROD_CERTIFICATE_DAYS`] days: its renewal has quietly failed.
    pub async fn start(envs: &[(EnvName, &str)]) -> anyhow::Result<Self> {
        let pki = pki::SimPki::new("prod", PROD_CERTIFICATE_DAYS)?;
        let mut apps = Vec::new();
        let mut clouds = Vec::new();
        for (i, (name, version)) in envs.iter().enumerate() {
            // Production is a little slower than dev, as in life.
            let base_ms = if i == 0 { 45 } else { 20 };
            let tls = (i == 0).then(|| pki.server.clone());
            let app = Arc::new(SimConflicto::start(name.clone(), version, base_ms, tls).await?);
            clouds.push((
                name.clone(),
                Arc::new(SimCloud::new(name.clone(), app.clone(), i == 0)),
            ));
            apps.push((name.clone(), app));
        }
        let github = Arc::new(SimGithub::new(apps.clone()));
        Ok(Self {
            pki,
            apps,
            clouds,
            github,
        })
    }

    /// The simulated AWS of one environment.
    pub fn cloud(&self, env: &EnvName) -> Option<Arc<SimCloud>> {
        self.clouds
            .iter()
            .find(|(n, _)| n == env)
            .map(|(_, c)| c.clone())
    }

    /// The simulated GitHub, for every environment.
    pub fn deploy_sources(&self) -> Vec<(EnvName, Arc<dyn app::ports::DeploySource>)> {
        self.apps
            .iter()
            .map(|(n, _)| {
                (
                    n.clone(),
                    self.github.clone() as Arc<dyn app::ports::DeploySource>,
                )
            })
            .collect()
    }

    /// The simulated database of every environment, judged by `levels` (connections).
    pub fn databases(
        &self,
        levels: app::domain::Thresholds,
    ) -> Vec<(EnvName, Arc<dyn app::ports::DatabaseDiagnostics>)> {
        self.apps
            .iter()
            .map(|(n, a)| {
                let db: Arc<dyn app::ports::DatabaseDiagnostics> =
                    Arc::new(database::SimDatabase::new(n.as_str(), a.clone(), levels));
                (n.clone(), db)
            })
            .collect()
    }

    /// The simulated log group of every environment (production had a few errors overnight).
    pub fn log_sources(&self) -> Vec<(EnvName, Arc<dyn app::ports::LogEvents>)> {
        self.apps
            .iter()
            .enumerate()
            .map(|(i, (n, a))| {
                let logs: Arc<dyn app::ports::LogEvents> =
                    Arc::new(logs::SimLogs::new(a.clone(), if i == 0 { 3 } else { 0 }));
                (n.clone(), logs)
            })
            .collect()
    }

    /// The simulated AWS of every environment, as the port the pollers read.
    pub fn cloud_readers(&self) -> Vec<(EnvName, Arc<dyn app::ports::CloudReader>)> {
        self.clouds
            .iter()
            .map(|(n, c)| (n.clone(), c.clone() as Arc<dyn app::ports::CloudReader>))
            .collect()
    }

    /// The simulated database session `pid` of `env`, while it exists.
    pub fn db_session(&self, env: &EnvName, pid: i32) -> Option<app::domain::actions::DbSession> {
        database::session_of(self.app(env)?, pid)
    }

    fn app(&self, env: &EnvName) -> Option<&SimConflicto> {
        self.apps
            .iter()
            .find(|(n, _)| n == env)
            .map(|(_, a)| a.as_ref())
    }

    /// The CA file the probe needs to trust production's certificate.
    pub fn ca_file(&self) -> &std::path::Path {
        self.pki.ca_file()
    }

    pub fn url(&self, env: &EnvName) -> Option<Url> {
        self.app(env).map(SimConflicto::url)
    }
}

#[async_trait::async_trait]
impl DemoControl for SimWorld {
    async fn set_fault(&self, env: &EnvName, fault: Fault) -> Result<(), PortError> {
        let app = self
            .app(env)
            .ok_or_else(|| PortError::NotFound(format!("no simulated environment named {env}")))?;
        app.set_fault(fault)
            .await
            .map_err(|e| PortError::Other(format!("simulated {env}: {e}")))
    }

    fn faults(&self) -> Vec<(EnvName, Fault)> {
        self.apps
            .iter()
            .map(|(n, a)| (n.clone(), a.fault()))
            .collect()
    }

    async fn fail_nightly_job(&self) -> Result<String, PortError> {
        let (env, cloud) = self
            .clouds
            .first()
            .ok_or_else(|| PortError::NotFound("no simulated environment".into()))?;
        let family = cloud.fail_nightly_job();
        Ok(format!(
            "{family} ran again in {env} and exited with code 1; the morning check shows it within a poll"
        ))
    }

    async fn incident_scenario(&self) -> Result<String, PortError> {
        let prod = self
            .apps
            .iter()
            .find(|(n, _)| n.as_str() == "prod")
            .map(|(_, a)| a.clone())
            .ok_or_else(|| PortError::NotFound("no simulated prod".into()))?;
        let version = self.github.bad_deploy();
        tokio::spawn(async move {
            // The deploy finishes, errors climb, then the service falls over.
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            let _ = prod.set_fault(Fault::Error5xx).await;
            tokio::time::sleep(std::time::Duration::from_secs(20)).await;
            let _ = prod.set_fault(Fault::Down).await;
        });
        Ok(format!(
            "{version} is deploying to prod; in about 10 s its errors climb, in 30 s prod is down — \
             opsdeck proposes an incident a few probes later"
        ))
    }
}
