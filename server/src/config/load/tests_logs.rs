//! Configuration of the log searches: `[logs]` and `[environments.logs]`, read when right and
//! named by path when wrong (a search opsdeck does not know, a pattern CloudWatch would refuse).

use super::*;
use app::domain::logs::SearchKind;
use std::time::Duration;

const ENV: &str = "[[environments]]\nname=\"prod\"\nurl=\"https://a.example\"\n";

fn issues(text: &str) -> Vec<(String, String)> {
    load_str(text)
        .unwrap_err()
        .issues
        .into_iter()
        .map(|i| (i.path, i.message))
        .collect()
}

#[test]
fn a_log_group_brings_the_runbooks_searches_which_can_be_changed() {
    let plain =
        format!("{ENV}[environments.aws]\nregion = \"eu-west-1\"\nlog_group = \"/ecs/app\"\n");
    let s = load_str(&plain).unwrap_or_else(|e| panic!("{e}"));
    let logs = s.environments[0]
        .logs
        .as_ref()
        .expect("searches by default");
    assert_eq!(logs.group, "/ecs/app");
    assert_eq!(logs.searches.len(), 6);
    assert_eq!(logs.searches[0].pattern, "ERROR");
    assert_eq!(s.logs.calls_per_second, 2);

    let tuned = format!(
        "[checks]\ntime_zone = \"Europe/Berlin\"\n[logs]\ncalls_per_second = 4\nrefresh = \"30s\"\n\
         {ENV}[environments.aws]\nregion = \"eu-west-1\"\nlog_group = \"/ecs/app\"\n\
         [environments.logs]\novernight_from = \"20:00\"\nslow_request_ms = 5000\n\
         [environments.logs.searches.client_errors]\nenabled = false\n\
         [environments.logs.searches.errors]\npattern = \"{{ $.level = \\\"error\\\" }}\"\nwarning = 1\ncritical = 5\n"
    );
    let s = load_str(&tuned).unwrap_or_else(|e| panic!("{e}"));
    let logs = s.environments[0].logs.as_ref().expect("logs");
    assert_eq!(
        logs.time_zone,
        chrono_tz::Europe::Berlin,
        "the team's zone by default"
    );
    assert_eq!(
        logs.overnight_from,
        chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap()
    );
    assert!(!logs
        .searches
        .iter()
        .any(|x| x.kind == SearchKind::ClientErrors));
    let errors = &logs.searches[0];
    assert_eq!(errors.pattern, "{ $.level = \"error\" }");
    assert_eq!((errors.hour.warning(), errors.hour.critical()), (1.0, 5.0));
    let slow = logs
        .searches
        .iter()
        .find(|x| x.kind == SearchKind::SlowRequests)
        .unwrap();
    assert!(
        slow.pattern.ends_with("response_time > 5000]"),
        "{}",
        slow.pattern
    );
    assert_eq!(
        (s.logs.calls_per_second, s.logs.refresh),
        (4, Duration::from_secs(30))
    );
}

#[test]
fn bad_log_searches_are_named_by_path() {
    let bad = format!(
        "[logs]\ncalls_per_second = 9\n\
         {ENV}[environments.aws]\nregion = \"eu-west-1\"\nlog_group = \"/ecs/app\"\n\
         [environments.logs]\ntime_zone = \"Mars/Olympus\"\novernight_from = \"6pm\"\n\
         [environments.logs.searches.panics]\npattern = \"panic\"\n\
         [environments.logs.searches.errors]\npattern = \"ERROR:\"\n\
         [environments.logs.searches.exceptions]\npattern = \"{{ $.level = \\\"x\\\"\"\n\
         [environments.logs.searches.slow_requests]\nwarning = 9\ncritical = 3\n\
         [[environments]]\nname=\"dev\"\nurl=\"https://dev.example\"\n[environments.logs]\n"
    );
    let found = issues(&bad);
    let has = |path: &str, words: &str| {
        assert!(
            found.iter().any(|(p, m)| p == path && m.contains(words)),
            "no {path}: {words} in {found:?}"
        )
    };
    has("logs.calls_per_second", "CloudWatch Logs allows 5");
    has("environments[0].logs.time_zone", "is not a time zone");
    has(
        "environments[0].logs.overnight_from",
        "is not a time of day",
    );
    has(
        "environments[0].logs.searches.panics",
        "is not a search opsdeck knows (known: errors, exceptions",
    );
    has(
        "environments[0].logs.searches.errors.pattern",
        "CloudWatch would refuse \"ERROR:\"",
    );
    has(
        "environments[0].logs.searches.exceptions.pattern",
        "starts with { and ends with }",
    );
    has(
        "environments[0].logs.searches.slow_requests.warning",
        "must be below critical",
    );
    has(
        "environments[1].logs",
        "need a log group: set aws.log_group",
    );
}
