//! A private PostgreSQL cluster for `opsdeck demo` (and tests on machines without a server),
//! started from the local PostgreSQL binaries in a data directory opsdeck owns, stopped on drop.
//! PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
//! It listens on a Unix socket only, in a directory only its owner can enter, so no other local
//! user can reach its trust-authenticated superuser.

use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin or on PATH. \
         Install them (Debian/Ubuntu: `apt-get install postgresql`), or set DATABASE_URL to a server you have."
    )]
    NoBinaries,
    #[error("running as root, but there is no `postgres` user to run PostgreSQL as (install the postgresql package, or set DATABASE_URL)")]
    NoPostgresUser,
    #[error("{step} failed: {detail}")]
    Step { step: String, detail: String },
}

pub struct PrivateCluster {
    bin: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    run_as: Option<String>,
}

/// The directory holding `initdb`/`pg_ctl`: the newest `/usr/lib/postgresql/N/bin`, else PATH.
fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

/// Create `dir` (mode 0700, owned by `owner`), or accept it only if it already is exactly that:
/// a directory someone else prepared could hold a planted cluster.
fn private_dir(dir: &Path, owner: nix::unistd::Uid) -> Result<(), ClusterError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let step = |what: &str, e: &dyn std::fmt::Display| ClusterError::Step {
        step: format!("{what} {}", dir.display()),
        detail: e.to_string(),
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| step("creating", &e))?;
        nix::unistd::chown(dir, Some(owner), None).map_err(|e| step("handing over", &e))?;
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| step("protecting", &e))?;
    let meta = std::fs::metadata(dir).map_err(|e| step("inspecting", &e))?;
    if meta.uid() != owner.as_raw() {
        return Err(step(
            "refusing",
            &format!(
                "it belongs to uid {}, not {}; remove it or choose --data-dir",
                meta.uid(),
                owner
            ),
        ));
    }
    Ok(())
}

fn free_port() -> Result<u16, ClusterError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| ClusterError::Step {
            step: "finding a free port".into(),
            detail: e.to_string(),
        })
}

impl PrivateCluster {
    /// Start (initialising on first use) a cluster whose files live under `dir`.
    pub fn start(dir: &Path) -> Result<Self, ClusterError> {
        let bin = find_bin_dir()
            .or_else(|| {
                let out = Command::new("pg_config").arg("--bindir").output().ok()?;
                let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
                p.join("initdb").is_file().then_some(p)
            })
            .ok_or(ClusterError::NoBinaries)?;
        let root = nix::unistd::Uid::effective().is_root();
        let run_as = if root {
            nix::unistd::User::from_name("postgres")
                .ok()
                .flatten()
                .ok_or(ClusterError::NoPostgresUser)?;
            Some("postgres".to_owned())
        } else {
            None
        };
        let owner = match &run_as {
            Some(user) => nix::unistd::User::from_name(user)
                .ok()
                .flatten()
                .map(|u| u.uid)
                .ok_or(ClusterError::NoPostgresUser)?,
            None => nix::unistd::Uid::effective(),
        };
        private_dir(dir, owner)?;
        let cluster = Self {
            bin,
            data: dir.join("pgdata"),
            socket_dir: dir.to_path_buf(),
            port: free_port()?,
            run_as,
        };
        if !cluster.data.join("PG_VERSION").is_file() {
            let mut initdb = cluster.command("initdb");
            initdb.arg("-D").arg(&cluster.data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ]);
            cluster.run("initdb", &mut initdb)?;
        }
        let opts = format!(
            "-p {} -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            cluster.port,
            dir.display()
        );
        let mut start = cluster.command("pg_ctl");
        start
            .arg("-D")
            .arg(&cluster.data)
            .arg("-l")
            .arg(dir.join("postgres.log"))
            .args(["-w", "-t", "30", "-o", &opts, "start"]);
        cluster.run(
            "starting PostgreSQL (see postgres.log in the data directory)",
            &mut start,
        )?;
        Ok(cluster)
    }

    /// Connects through the socket in the private directory.
    pub fn url(&self) -> SecretString {
        SecretString::from(format!(
            "postgres://postgres@localhost/postgres?host={}&port={}",
            self.socket_dir.display(),
            self.port
        ))
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn run(&self, step: &str, cmd: &mut Command) -> Result<(), ClusterError> {
        let out = cmd.output().map_err(|e| ClusterError::Step {
            step: step.into(),
            detail: e.to_string(),
        })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(ClusterError::Step {
                step: step.into(),
                detail: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            })
        }
    }

    pub fn stop(&self) {
        let mut stop = self.command("pg_ctl");
        stop.arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"]);
        if let Err(e) = self.run("stopping PostgreSQL", &mut stop) {
            tracing::warn!("{e}");
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        self.stop();
    }
}
