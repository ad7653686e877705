//! What `opsdeck check-config` prints: everything resolved, no secret.

use super::{redact_url, Settings};
use std::fmt::Write as _;

impl Settings {
    /// What `opsdeck check-config` prints: everything resolved, no secret.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "listen: {}", self.listen);
        if let Some(u) = &self.public_url {
            let _ = writeln!(s, "public_url: {u}");
        }
        let _ = writeln!(s, "site_root: {}", self.site_root.display());
        let db = match &self.database_url {
            Some(url) => redact_url(url),
            None => "from DATABASE_URL at start".into(),
        };
        let _ = writeln!(
            s,
            "database: {db} (max {} connections)",
            self.db_max_connections
        );
        let _ = writeln!(
            s,
            "probe: every {}, timeout {}, keep samples {}{}",
            humantime::format_duration(self.probe.interval),
            humantime::format_duration(self.probe.timeout),
            humantime::format_duration(self.probe.retention),
            self.probe
                .ca_file
                .as_ref()
                .map(|p| format!(", extra CA {}", p.display()))
                .unwrap_or_default()
        );
        let t = &self.thresholds;
        for (name, v) in [
            ("response_time_ms", t.response_time_ms),
            ("error_rate_percent", t.error_rate_percent),
            ("cpu_percent", t.cpu_percent),
            ("memory_percent", t.memory_percent),
            ("db_connections_percent", t.db_connections_percent),
        ] {
            let _ = writeln!(
                s,
                "threshold {name}: warning > {}, critical > {}",
                v.warning(),
                v.critical()
            );
        }
        let _ = writeln!(
            s,
            "threshold certificate_days_left: warning <= {}, critical <= {}",
            t.certificate_days_left.warning_days, t.certificate_days_left.critical_days
        );
        match &self.auth {
            None => {
                let _ = writeln!(s, "sign-in: none (everyone is an anonymous viewer)");
            }
            Some(a) => {
                let oidc = a
                    .oidc
                    .as_ref()
                    .map(|o| {
                        format!(
                            "OpenID Connect at {} as {:?} ({})",
                            o.issuer, o.client_id, o.label
                        )
                    })
                    .into_iter()
                    .chain(
                        a.github
                            .as_ref()
                            .map(|g| format!("GitHub ({}) as {:?}", g.web_url, g.client_id)),
                    )
                    .collect::<Vec<_>>();
                let oidc = if oidc.is_empty() {
                    "demo people".to_owned()
                } else {
                    oidc.join(" and ")
                };
                let secret = match a.oidc.as_ref().and_then(|o| o.client_secret.as_ref()) {
                    Some(_) => ", client secret set",
                    None => ", no client secret",
                };
                let _ = writeln!(
                    s,
                    "sign-in: {oidc}{secret}; sessions end after {} idle, {} in all",
                    humantime::format_duration(a.idle_timeout),
                    humantime::format_duration(a.lifetime)
                );
            }
        }
        let a = &self.aws;
        let _ = writeln!(
            s,
            "aws: ECS every {}, metrics every {}, load balancer every {}, backups every {} (overdue after {}), response time {}, calls bounded at {} with {} attempts",
            humantime::format_duration(a.ecs_interval),
            humantime::format_duration(a.metrics_interval),
            humantime::format_duration(a.load_balancer_interval),
            humantime::format_duration(a.backups_interval),
            humantime::format_duration(a.backup_overdue_after),
            a.response_time_statistic,
            humantime::format_duration(a.limits.operation),
            a.limits.max_attempts
        );
        for e in &self.environments {
            let _ = writeln!(
                s,
                "environment {} ({}): {} every {}",
                e.name,
                e.label,
                e.base_url,
                humantime::format_duration(e.interval)
            );
            for (ep, url) in &e.endpoints {
                let _ = writeln!(s, "  {}: {url}", ep.as_str());
            }
            if let Some(a) = &e.aws {
                let _ = writeln!(
                    s,
                    "  aws: region {} cluster {} service {} db {} load balancer {}{}",
                    a.region,
                    a.cluster.as_deref().unwrap_or("-"),
                    a.service.as_deref().unwrap_or("-"),
                    a.db_instance.as_deref().unwrap_or("-"),
                    a.load_balancer.as_deref().unwrap_or("-"),
                    a.endpoint_url
                        .as_ref()
                        .map(|u| format!(" via {u}"))
                        .unwrap_or_default()
                );
            }
            if let Some(g) = &e.github {
                let _ = writeln!(
                    s,
                    "  github: {} workflow {:?}",
                    g.repository.as_deref().unwrap_or("-"),
                    g.deploy_workflow.as_deref().unwrap_or("-")
                );
            }
        }
        let l = &self.limits;
        let _ = writeln!(
            s,
            "limits: {} sign-in attempts/min per client{}, {} live streams ({} per session), failures summarised every {}, sessions swept every {}",
            l.sign_in_attempts_per_minute,
            if l.trust_forwarded_for {
                " (client = last X-Forwarded-For)"
            } else {
                ""
            },
            l.max_live_streams,
            l.live_streams_per_session,
            humantime::format_duration(l.failure_summary_every),
            humantime::format_duration(l.sweep_sessions_every),
        );
        let _ = writeln!(
            s,
            "audit: head published every {}",
            humantime::format_duration(self.audit.publish_head_every)
        );
        s
    }
}
