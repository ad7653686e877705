//! The morning check's items that read the newer sources: the scheduled task runs opsdeck
//! remembered and the TLS certificates the probe's handshakes saw.

use super::gate::CheckState;
use super::item::{item, pass_if, RoutineItem};
use crate::domain::{Dashboard, Level};
use chrono::{DateTime, Utc};

/// Runs of the configured scheduled task families (ECS tasks an EventBridge schedule starts)
/// that stopped with a non-zero exit code, or never started, in the last 24 hours.
pub(super) fn scheduled_tasks(d: &Dashboard, now: DateTime<Utc>) -> RoutineItem {
    const KEY: &str = "scheduled_tasks";
    const LABEL: &str = "No failed scheduled tasks in the last 24 hours";
    let panels: Vec<_> = d
        .clouds
        .iter()
        .filter_map(|c| Some((c, c.tasks.as_ref()?)))
        .collect();
    if panels.is_empty() {
        return item(
            KEY,
            LABEL,
            CheckState::NotApplicable,
            "no scheduled task families configured (environments.aws.scheduled_tasks)".into(),
            "/",
        );
    }
    let since = now - chrono::Duration::hours(24);
    let mut failed = Vec::new();
    let mut unread = Vec::new();
    let mut seen = 0;
    for (c, source) in &panels {
        match &source.value {
            None => unread.push(not_read(&c.name, "not read yet", source.error.as_deref())),
            Some(p) => {
                seen += p.runs.len();
                for r in p.failed_since(since) {
                    failed.push(format!(
                        "{}: {} task {} {}",
                        c.name,
                        r.family,
                        r.short_id(),
                        r.outcome_words()
                    ));
                }
            }
        }
    }
    let families: Vec<String> = panels
        .iter()
        .filter_map(|(_, s)| s.value.as_ref())
        .flat_map(|p| p.families.iter().cloned())
        .collect();
    let state = if !failed.is_empty() || !unread.is_empty() {
        CheckState::Fail
    } else {
        CheckState::Pass
    };
    let mut words = failed;
    words.extend(unread);
    if words.is_empty() {
        words.push(format!(
            "{seen} run(s) of {} in the last 24 hours, none failed",
            families.join(", ")
        ));
    }
    let first = panels[0].0.name.to_string();
    item(
        KEY,
        LABEL,
        state,
        words.join("; "),
        &format!("/env/{first}#scheduled"),
    )
}

/// Every https environment's certificate, as the probe's latest handshake saw it, valid for
/// more than the warning number of days.
pub(super) fn certificates(d: &Dashboard, now: DateTime<Utc>) -> RoutineItem {
    const KEY: &str = "certificates";
    let https: Vec<_> = d.environments.iter().filter(|e| e.is_https()).collect();
    let label = match https.first() {
        Some(e) => format!(
            "TLS certificates valid for more than {} days",
            e.certificate_limits.warning_days
        ),
        None => "TLS certificates valid".to_owned(),
    };
    if https.is_empty() {
        return item(
            KEY,
            &label,
            CheckState::NotApplicable,
            "no environment is served over https".into(),
            "/",
        );
    }
    let mut ok = true;
    let mut words = Vec::new();
    for e in &https {
        match e.certificate() {
            Some(c) => {
                let level = e.certificate_limits.evaluate(c, now);
                ok &= level == Level::Ok;
                words.push(format!("{}: {}", e.name, c.expiry_words(now)));
            }
            None => {
                ok = false;
                let why = e
                    .probes
                    .iter()
                    .find_map(|p| p.failure.as_ref())
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| "not probed yet".into());
                words.push(format!("{}: no certificate read ({why})", e.name));
            }
        }
    }
    let first = https
        .iter()
        .find(|e| e.certificate_level(now) != Some(Level::Ok))
        .unwrap_or(&https[0]);
    item(
        KEY,
        &label,
        pass_if(ok),
        words.join("; "),
        &format!("/env/{}#certificate", first.name),
    )
}

/// Errors, exceptions and server errors since the overnight start (the log searches' counts),
/// each within its overnight warning level, in every environment with log searches.
pub(super) fn errors_overnight(d: &Dashboard, now: DateTime<Utc>) -> RoutineItem {
    use crate::domain::logs::SearchKind;
    const KEY: &str = "errors_overnight";
    const LABEL: &str = "Errors overnight below the threshold";
    let panels: Vec<_> = d
        .clouds
        .iter()
        .filter_map(|c| Some((c, c.logs.as_ref()?)))
        .collect();
    let Some((first, _)) = panels.first() else {
        return item(
            KEY,
            LABEL,
            CheckState::NotApplicable,
            "no log searches configured (environments.aws.log_group)".into(),
            "/",
        );
    };
    let href = format!("/env/{}/logs", first.name);
    let mut ok = true;
    let mut counted = 0;
    let mut evidence = Vec::new();
    for (c, source) in &panels {
        let Some(summary) = &source.value else {
            ok = false;
            evidence.push(not_read(
                &c.name,
                "not counted yet",
                source.error.as_deref(),
            ));
            continue;
        };
        let mut parts = Vec::new();
        if source.is_stale(now) {
            // Counts that could not be read again are not evidence of a quiet night.
            ok = false;
            parts.push(format!(
                "counts stale ({})",
                source.error.as_deref().unwrap_or("not read again in time")
            ));
        }
        for kind in [
            SearchKind::Errors,
            SearchKind::Exceptions,
            SearchKind::ServerErrors,
        ] {
            let Some(s) = summary.search(kind) else {
                continue;
            };
            let level = s.overnight_level();
            ok &= level == Level::Ok && s.complete;
            parts.push(format!(
                "{} {}{}",
                s.overnight,
                kind.label().to_lowercase(),
                match (level, s.complete) {
                    (_, false) => " (still counting)".to_owned(),
                    (Level::Ok, _) => String::new(),
                    (l, _) => format!(" ({} {})", l.icon(), l.word().to_lowercase()),
                }
            ));
        }
        if parts.is_empty() {
            evidence.push(format!("{}: no error searches configured", c.name));
            continue;
        }
        counted += 1;
        evidence.push(format!(
            "{}: {} since {}",
            c.name,
            parts.join(", "),
            summary.overnight_words
        ));
    }
    let state = if counted == 0 && ok {
        CheckState::NotApplicable
    } else {
        pass_if(ok)
    };
    item(KEY, LABEL, state, evidence.join("; "), &href)
}

/// "prod: not read yet (AccessDenied: …)": a source with no value yet, and why, if known.
fn not_read(env: &crate::domain::EnvName, words: &str, error: Option<&str>) -> String {
    match error {
        Some(e) => format!("{env}: {words} ({e})"),
        None => format!("{env}: {words}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::logs::{LogsSummary, SearchCounts, SearchKind};
    use crate::domain::{CloudSnapshot, EnvName, Sourced, Thresholds};

    fn with_errors(overnight: u64, read_at: DateTime<Utc>, error: Option<&str>) -> Dashboard {
        let levels = Thresholds::new(50.0, 200.0).unwrap();
        let mut cloud = CloudSnapshot::new(EnvName::parse("prod").unwrap(), "us-east-1".into());
        let mut logs = Sourced::new(60_000);
        logs.succeeded(
            LogsSummary {
                log_group: "/ecs/app".into(),
                overnight_since: read_at - chrono::Duration::hours(14),
                overnight_words: "18:00 UTC".into(),
                searches: vec![SearchCounts {
                    kind: SearchKind::Errors,
                    pattern: "ERROR".into(),
                    last_15m: 0,
                    last_hour: 0,
                    overnight,
                    hour_levels: levels,
                    overnight_levels: levels,
                    sparkline: vec![0; 12],
                    complete: true,
                }],
            },
            read_at,
        );
        if let Some(e) = error {
            logs.failed(e.into(), read_at);
        }
        cloud.logs = Some(logs);
        Dashboard {
            clouds: vec![cloud],
            ..Dashboard::default()
        }
    }

    #[test]
    fn errors_overnight_passes_only_on_fresh_counts_within_the_level() {
        let now = Utc::now();
        let quiet = errors_overnight(&with_errors(3, now, None), now);
        assert_eq!(quiet.state, CheckState::Pass, "{quiet:?}");
        assert_eq!(quiet.evidence, "prod: 3 errors since 18:00 UTC");
        let noisy = errors_overnight(&with_errors(51, now, None), now);
        assert_eq!(noisy.state, CheckState::Fail);
        assert!(
            noisy.evidence.contains("51 errors (▲ degraded)"),
            "{}",
            noisy.evidence
        );
        let throttled = errors_overnight(&with_errors(3, now, Some("Rate exceeded")), now);
        assert_eq!(
            throttled.state,
            CheckState::Fail,
            "stale counts are no evidence"
        );
        assert!(throttled.evidence.contains("counts stale (Rate exceeded)"));
        let old = errors_overnight(
            &with_errors(3, now - chrono::Duration::minutes(10), None),
            now,
        );
        assert_eq!(old.state, CheckState::Fail, "not read again in time");
        assert_eq!(
            errors_overnight(&Dashboard::default(), now).word(),
            "not configured"
        );
    }
}
