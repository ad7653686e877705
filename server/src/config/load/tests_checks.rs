//! Configuration of the routine checks' sources and schedule: `[checks]`, scheduled task
//! families and certificate limits, read when right and named by path when wrong.

use super::*;
use std::time::Duration;

const ENV: &str = "[[environments]]\nname=\"prod\"\nurl=\"https://a.example\"\n";

#[test]
fn checks_certificates_and_scheduled_tasks_are_read() {
    let good = format!(
        "[thresholds]\ncertificate_days_left = {{ warning = 30, critical = 10 }}\n\
         [checks]\ntime_zone = \"Europe/Berlin\"\nworking_days = [\"Mon\", \"Wed\"]\nmorning_by = \"08:45\"\n\
         maintenance_window = \"Sun 02:00-04:00\"\nrestore_drill_within = \"14d\"\nweekly_manual = [\"Rotate keys\"]\n\
         {ENV}[environments.aws]\nregion = \"eu-west-1\"\ncluster = \"c\"\nscheduled_tasks = [\"nightly-report\"]\n"
    );
    let s = load_str(&good).unwrap_or_else(|e| panic!("{e}"));
    let c = &s.routines.checks;
    assert_eq!(c.time_zone, chrono_tz::Europe::Berlin);
    assert_eq!(
        c.working_days,
        vec![chrono::Weekday::Mon, chrono::Weekday::Wed]
    );
    assert_eq!(c.morning_by, chrono::NaiveTime::from_hms_opt(8, 45, 0));
    assert!(c.maintenance.is_some());
    assert_eq!(c.restore_drill_within, Duration::from_secs(14 * 86_400));
    assert_eq!(c.weekly_manual, vec!["Rotate keys"]);
    assert_eq!(s.thresholds.certificate_days_left.warning_days, 30);
    let aws = s.environments[0].aws.as_ref().expect("aws");
    assert_eq!(aws.scheduled_tasks, vec!["nightly-report"]);
}

#[test]
fn bad_checks_are_named_by_path() {
    let bad = format!(
        "[thresholds]\ncertificate_days_left = {{ warning = 7, critical = 21 }}\n\
         [checks]\ntime_zone = \"Mars/Olympus\"\nworking_days = [\"Mon\", \"Funday\"]\nmorning_by = \"25:00\"\n\
         maintenance_window = \"Sun 04:00-02:00\"\nrestore_drill_within = \"1h\"\nweekly_manual = [\" \"]\n\
         [aws]\nscheduled_tasks_interval = \"2h\"\n\
         {ENV}[environments.aws]\nregion = \"eu-west-1\"\nscheduled_tasks = [\"bad name!\"]\n"
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
    has("thresholds.certificate_days_left", "must be above critical");
    has("checks.time_zone", "is not a time zone");
    has("checks.working_days[1]", "is not a weekday");
    has("checks.morning_by", "is not a time of day");
    has("checks.maintenance_window", "ends before it starts");
    has("checks.restore_drill_within", "");
    has("checks.weekly_manual[0]", "must say what to check");
    has("aws.scheduled_tasks_interval", "30 minutes or less");
    has(
        "environments[0].aws.scheduled_tasks[0]",
        "is not an ECS task family",
    );
    has("environments[0].aws.scheduled_tasks", "set aws.cluster too");
}

#[test]
fn a_database_url_in_the_file_is_refused_and_the_variable_must_be_set() {
    let bad = format!(
        "{ENV}[environments.database]\nurl = \"postgres://monitor:pw@db/conflicto\"\nurl_env = \"OPSDECK_TEST_UNSET_DB_URL\"\nmigration_table = \"alembic; DROP TABLE x\"\n"
    );
    let err = load_str(&bad).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("environments[0].database.url: a database URL never goes in the file"),
        "{text}"
    );
    assert!(
        !text.contains("monitor:pw"),
        "the URL is not echoed: {text}"
    );
    assert!(
        text.contains("environments[0].database.url_env: the environment variable OPSDECK_TEST_UNSET_DB_URL is not set"),
        "{text}"
    );
}

#[test]
fn the_admin_url_for_session_actions_comes_only_from_a_variable_that_is_set() {
    // Unique names: tests in this binary run in parallel and share the process environment.
    std::env::set_var("OPSDECK_TEST_DIAG_URL_A", "postgres://monitor@db/conflicto");
    std::env::set_var(
        "OPSDECK_TEST_ADMIN_URL_A",
        "postgres://signaller@db/conflicto",
    );
    let good = format!(
        "{ENV}[environments.database]\nurl_env = \"OPSDECK_TEST_DIAG_URL_A\"\nadmin_url_env = \"OPSDECK_TEST_ADMIN_URL_A\"\n"
    );
    let s = load_str(&good).unwrap_or_else(|e| panic!("{e}"));
    let d = s.environments[0].database.as_ref().expect("database");
    assert_eq!(
        d.admin_url
            .as_ref()
            .map(|u| secrecy::ExposeSecret::expose_secret(u).to_owned()),
        Some("postgres://signaller@db/conflicto".to_owned())
    );
    let without = format!("{ENV}[environments.database]\nurl_env = \"OPSDECK_TEST_DIAG_URL_A\"\n");
    let s = load_str(&without).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.environments[0]
        .database
        .as_ref()
        .expect("db")
        .admin_url
        .is_none());

    let bad = format!(
        "{ENV}[environments.database]\nurl_env = \"OPSDECK_TEST_DIAG_URL_A\"\nadmin_url = \"postgres://root:topsecret@db/conflicto\"\nadmin_url_env = \"OPSDECK_TEST_UNSET_ADMIN_URL\"\n"
    );
    let text = load_str(&bad).unwrap_err().to_string();
    assert!(
        text.contains("environments[0].database.admin_url: a database URL never goes in the file")
            && text.contains("admin_url_env"),
        "{text}"
    );
    assert!(!text.contains("topsecret"), "the URL is not echoed: {text}");
    assert!(
        text.contains("environments[0].database.admin_url_env: the environment variable OPSDECK_TEST_UNSET_ADMIN_URL is not set"),
        "{text}"
    );
}
