//! Configuration: the committed example, every kind of mistake, precedence and secrecy.

use super::*;
use std::time::Duration;

const EXAMPLE: &str = include_str!("../../../../opsdeck.example.toml");

#[test]
fn the_committed_example_is_valid_and_describes_conflicto() {
    let s = load_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.environments.len(), 2);
    let prod = &s.environments[0];
    assert_eq!(prod.name.as_str(), "prod");
    assert_eq!(
        prod.endpoints[0].1.as_str(),
        "https://conflicto.app/api/v1/health/"
    );
    assert_eq!(
        prod.endpoints[2].1.as_str(),
        "https://conflicto.app/api/v1/health/live"
    );
    assert_eq!(prod.dns_host().as_deref(), Some("conflicto.app"));
    assert_eq!(s.environments[1].interval, Duration::from_secs(30));
    assert_eq!(s.thresholds.response_time_ms.warning(), 2000.0);
    assert_eq!(s.thresholds.db_connections_percent.critical(), 90.0);
    assert_eq!(s.probe.interval, Duration::from_secs(10));
    let logs = prod.logs.as_ref().expect("prod's log searches");
    assert_eq!(logs.group, "/ecs/conflicto-backend-prod");
    assert_eq!(logs.searches.len(), 6);
    assert_eq!(s.logs.calls_per_second, 2);
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let bad = r#"
        [probe]
        interval = "soon"
        [thresholds]
        cpu_percent = { warning = 95, critical = 90 }
        [[environments]]
        name = "prod"
        url = "https://conflicto.app"
        [[environments]]
        name = "Dev!"
        url = "ftp://dev.conflicto.app"
        [environments.health]
        ready = "ready"
        [[environments]]
        name = "prod"
        url = "https://x.example"
    "#;
    let err = load_str(bad).unwrap_err();
    let text = err.to_string();
    for expected in [
        "probe.interval: \"soon\" is not a duration",
        "thresholds.cpu_percent: warning (95) must be below critical (90)",
        "environments[1].name: \"Dev!\" is not a valid environment name",
        "environments[1].url: \"ftp://dev.conflicto.app\" must be http or https",
        "environments[1].health.ready: \"ready\" must be a path starting with '/'",
        "environments[2].name: \"prod\" is used by an earlier environment",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn type_errors_and_typos_name_the_field() {
    let err = load_str("[database]\nmax_connections = \"many\"\n[[environments]]\nname=\"prod\"\nurl=\"http://a\"\n").unwrap_err();
    assert_eq!(err.issues[0].path, "database.max_connections", "{err}");
    let err = load_str("[probe]\nintervall = \"5s\"\n").unwrap_err();
    assert!(err.to_string().contains("intervall"), "{err}");
    let err = load_str("").unwrap_err();
    assert!(
        err.to_string().contains("environments: at least one"),
        "{err}"
    );
}

#[test]
fn timeout_must_fit_in_the_interval() {
    let err =
        load_str("[probe]\ntimeout = \"20s\"\n[[environments]]\nname=\"prod\"\nurl=\"http://a\"\n")
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("environments[0].probe_interval: must be longer than probe.timeout"),
        "{err}"
    );
}

#[test]
fn the_database_password_never_prints() {
    let s = load_str("[database]\nurl = \"postgres://ops:hunter2@db:5432/opsdeck\"\n[[environments]]\nname=\"prod\"\nurl=\"http://a\"\n").unwrap();
    let shown = format!("{}\n{:?}", s.describe(), s);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("postgres://ops:*****@db:5432/opsdeck"),
        "{shown}"
    );
}

#[test]
#[allow(clippy::result_large_err)] // figment::Jail's own error type
fn environment_variables_override_the_file() {
    let dir = std::env::temp_dir().join(format!("opsdeck-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("opsdeck.toml");
    std::fs::write(&file, EXAMPLE).unwrap();
    figment::Jail::expect_with(|jail| {
        jail.set_env("OPSDECK__PROBE__INTERVAL", "45s");
        jail.set_env("OPSDECK__SERVER__LISTEN", "127.0.0.2:8080");
        let s = load(&file).map_err(|e| e.to_string())?;
        assert_eq!(s.probe.interval, Duration::from_secs(45));
        assert_eq!(s.listen.to_string(), "127.0.0.2:8080");
        Ok(())
    });
}

#[test]
fn listening_beyond_loopback_needs_an_explicit_opt_in_until_sign_in_exists() {
    let env = "[[environments]]\nname=\"prod\"\nurl=\"http://a\"\n";
    let err = load_str(&format!("[server]\nlisten = \"0.0.0.0:3000\"\n{env}")).unwrap_err();
    assert!(
        err.to_string()
            .contains("server.listen: 0.0.0.0:3000 is reachable from other machines"),
        "{err}"
    );
    let ok = load_str(&format!(
        "[server]\nlisten = \"0.0.0.0:3000\"\nallow_public_without_sign_in = true\n{env}"
    ));
    assert!(ok.is_ok());
}

#[test]
fn credentials_in_probe_urls_are_refused_without_echoing_them() {
    let err =
        load_str("[[environments]]\nname=\"prod\"\nurl=\"https://ops:s3cret@conflicto.app\"\n")
            .unwrap_err()
            .to_string();
    assert!(
        err.contains("environments[0].url: must not contain a user name or password"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}

#[test]
fn a_password_in_the_database_query_string_is_redacted_too() {
    let url = secrecy::SecretString::from(
        "postgres://db:5432/opsdeck?user=ops&password=hunter2&sslmode=require",
    );
    let shown = crate::config::redact(&url);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("password=*****") && shown.contains("sslmode=require"),
        "{shown}"
    );
}

const AUTH: &str = r#"
[server]
listen = "0.0.0.0:3000"
public_url = "https://opsdeck.example.com"
[auth]
operator = ["group:oncall"]
admin = ["user:ada@example.com"]
[auth.oidc]
issuer = "https://login.example.com/"
client_id = "opsdeck"
client_secret = "s3cret-value"
[[environments]]
name = "prod"
url = "https://conflicto.app"
"#;

#[test]
fn sign_in_is_configured_under_auth() {
    let s = load_str(AUTH).unwrap_or_else(|e| panic!("{e}"));
    let auth = s.auth.as_ref().expect("auth");
    let oidc = auth.oidc.as_ref().expect("oidc");
    assert_eq!(
        oidc.redirect_url.as_str(),
        "https://opsdeck.example.com/auth/oidc/callback"
    );
    assert!(oidc.scopes.contains(&"openid".to_owned()));
    assert!(auth.secure_cookies, "served over https");
    let shown = format!("{}\n{:?}", s.describe(), s);
    assert!(!shown.contains("s3cret-value"), "{shown}");
    assert!(shown.contains("client secret set"), "{shown}");
}

#[test]
fn auth_mistakes_name_their_field() {
    let bad = AUTH
        .replace("public_url = \"https://opsdeck.example.com\"\n", "")
        .replace("\"group:oncall\"", "\"team:oncall\"");
    let err = load_str(&bad).unwrap_err().to_string();
    assert!(
        err.contains("auth.operator[0]: \"team:oncall\" is not a grantee"),
        "{err}"
    );
    assert!(
        err.contains("server.public_url: is needed for sign-in"),
        "{err}"
    );
    let start = AUTH.find("[auth.oidc]").unwrap();
    let end = AUTH.find("[[environments]]").unwrap();
    let without_oidc = format!("{}{}", &AUTH[..start], &AUTH[end..]);
    let err = load_str(&without_oidc).unwrap_err().to_string();
    assert!(
        err.contains("auth.oidc: configure a sign-in method"),
        "{err}"
    );
}

#[test]
fn github_sign_in_needs_its_secret_and_a_token_key() {
    let start = AUTH.find("[auth.oidc]").unwrap();
    let end = AUTH.find("[[environments]]").unwrap();
    let github = format!(
        "{}[auth.github]\nclient_id = \"Iv1.abc\"\n{}",
        &AUTH[..start],
        &AUTH[end..]
    );
    let err = load_str(&github).unwrap_err().to_string();
    assert!(
        err.contains("auth.github.client_secret: is needed"),
        "{err}"
    );
    assert!(err.contains("auth.github.token_key: is needed"), "{err}");
    let short = github.replace(
        "client_id = \"Iv1.abc\"\n",
        "client_id = \"Iv1.abc\"\nclient_secret = \"x\"\ntoken_key = \"c2hvcnQ=\"\n",
    );
    let err = load_str(&short).unwrap_err().to_string();
    assert!(
        err.contains("auth.github.token_key: must be 32 bytes"),
        "{err}"
    );
    let good = github.replace(
        "client_id = \"Iv1.abc\"\n",
        "client_id = \"Iv1.abc\"\nclient_secret = \"x\"\ntoken_key = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n",
    );
    let s = load_str(&good).unwrap_or_else(|e| panic!("{e}"));
    let gh = s.auth.unwrap().github.unwrap();
    assert_eq!(
        gh.redirect_url.as_str(),
        "https://opsdeck.example.com/auth/github/callback"
    );
    assert_eq!(gh.api_url.as_str(), "https://api.github.com/");
}

#[test]
fn aws_settings_are_checked_and_defaults_follow_the_issue() {
    let s = load_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.aws.ecs_interval, Duration::from_secs(30));
    assert_eq!(s.aws.metrics_interval, Duration::from_secs(60));
    assert_eq!(s.aws.backups_interval, Duration::from_secs(300));
    assert_eq!(s.aws.backup_overdue_after, Duration::from_secs(26 * 3600));
    assert_eq!(s.aws.limits.operation, Duration::from_secs(10));
    let prod = s.environments[0].aws.as_ref().expect("prod aws");
    assert_eq!(prod.region, "us-east-1");
    assert!(prod.has_ecs() && prod.has_metrics());

    let bad = r#"
        [aws]
        response_time_statistic = "median"
        metrics_interval = "1s"
        max_attempts = 0
        attempt_timeout = "20s"
        [[environments]]
        name = "prod"
        url = "https://conflicto.app"
        [environments.aws]
        cluster = "conflicto-prod-cluster"
        load_balancer = "has spaces"
        max_connections = 0
    "#;
    let text = load_str(bad).unwrap_err().to_string();
    for expected in [
        "aws.response_time_statistic: \"median\" is not a CloudWatch statistic",
        "aws.metrics_interval: \"1s\" is too short",
        "aws.max_attempts: 0 is out of range",
        "aws.attempt_timeout: must not be longer than aws.operation_timeout",
        "environments[0].aws.region: is required",
        "environments[0].aws: cluster and service go together",
        "environments[0].aws.load_balancer: \"has spaces\" is not an AWS resource name",
        "environments[0].aws.max_connections: must be at least 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn change_control_policies_and_notifications_are_checked() {
    let s = load_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    use app::domain::actions::ActionKind;
    assert_eq!(s.change.policy(ActionKind::Restore).approvals, 2);
    assert_eq!(s.change.policy(ActionKind::Scale).approvals, 1);
    assert!(s.change.policy(ActionKind::StopWrites).break_glass);
    let bad = r#"
        [change]
        max_tasks = 0
        [change.policy.format_disk]
        approvals = 1
        [change.policy.scale]
        approvals = 0
        expires_after = "10s"
        [notify]
        webhook_url = "http://hooks.example.com/secret-path"
        [[environments]]
        name = "prod"
        url = "https://conflicto.app"
    "#;
    let text = load_str(bad).unwrap_err().to_string();
    for expected in [
        "change.max_tasks: 0 is out of range",
        "change.policy.format_disk: unknown action",
        "change.policy.scale.approvals: 0 is out of range",
        "change.policy.scale.expires_after: \"10s\" is too short",
        "notify.webhook_url: must be an https URL",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        !text.contains("secret-path"),
        "the webhook address is never printed"
    );
}

#[test]
fn freeze_windows_and_the_gate_are_read_and_bad_ones_named() {
    let env = "[[environments]]\nname=\"prod\"\nurl=\"http://a\"\n";
    let good = format!(
        "{env}[gate]\nrequire_tested_first = false\nmigration_paths = [\"db/changes\"]\n\
         [[freeze.windows]]\nname = \"weekend\"\nfrom = \"Fri 16:00\"\nto = \"Mon 08:00\"\ntime_zone = \"Europe/Berlin\"\nreason = \"no deploys over the weekend\"\n\
         [[freeze.windows]]\nname = \"holidays\"\nfrom = \"2030-12-24 00:00\"\nto = \"2030-12-25 00:00\"\n"
    );
    let s = load_str(&good).unwrap_or_else(|e| panic!("{e}"));
    assert!(!s.routines.gate.require_tested_first);
    assert_eq!(s.routines.gate.migration_paths, vec!["db/changes/"]);
    assert_eq!(s.routines.freeze_windows.len(), 2);
    assert_eq!(
        s.routines.freeze_windows[0].time_zone,
        chrono_tz::Europe::Berlin
    );

    let bad = format!(
        "{env}[[freeze.windows]]\nname = \"a\"\nfrom = \"Fri 16:00\"\nto = \"Mon 08:00\"\ntime_zone = \"Mars/Olympus\"\n\
         [[freeze.windows]]\nname = \"b\"\nfrom = \"2030-12-25 00:00\"\nto = \"2030-12-24 00:00\"\n\
         [[freeze.windows]]\nname = \"c\"\nfrom = \"Friday afternoon\"\nto = \"Mon 08:00\"\n\
         [[freeze.windows]]\nname = \"d\"\nfrom = \"Sat 10:00\"\nto = \"Sun 10:00\"\n\
         [[freeze.windows]]\nname = \"e\"\nfrom = \"Sun 09:00\"\nto = \"Sun 12:00\"\n"
    );
    let err = load_str(&bad).unwrap_err();
    let paths: Vec<(&str, &str)> = err
        .issues
        .iter()
        .map(|i| (i.path.as_str(), i.message.as_str()))
        .collect();
    let has = |path: &str, words: &str| {
        assert!(
            paths.iter().any(|(p, m)| *p == path && m.contains(words)),
            "no {path}: {words} in {paths:?}"
        )
    };
    has(
        "freeze.windows[0].time_zone",
        "\"Mars/Olympus\" is not a time zone",
    );
    has("freeze.windows[1].to", "the window is inverted");
    has("freeze.windows[2].from", "is not a time");
    // d and e both hold Sunday 09:00–10:00.
    has("freeze.windows[4]", "\"e\" overlaps \"d\"");

    let short = format!("{env}[aws]\nmetrics_interval = \"5m\"\n[watch]\nduration = \"8m\"\nerror_rate_margin = -1\n");
    let err = load_str(&short).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("watch.duration") && text.contains("at least 10m"),
        "a watch shorter than two metrics polls: {text}"
    );
    assert!(text.contains("watch.error_rate_margin"), "{text}");
    let s = load_str(&format!(
        "{env}[watch]\nduration = \"45m\"\nresponse_time_margin_percent = 25\n"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            s.routines.watch.duration_s,
            s.routines.watch.response_time_margin
        ),
        (2700, 0.25)
    );
}
