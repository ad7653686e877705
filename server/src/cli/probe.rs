//! `opsdeck probe`: probe one URL as the health poller does and print the phase timings the way
//! `curl -w` does, or one JSON object per probe.

use app::domain::Endpoint;
use app::ports::HealthProber;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

pub(super) async fn run(
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
