use super::*;

fn p(s: &str) -> Pattern {
    Pattern::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn refused(s: &str) -> String {
    match Pattern::parse(s) {
        Ok(p) => panic!("{s} was accepted as {p:?}"),
        Err(e) => e.0,
    }
}

const ACCESS: &str = "2026-12-07T08:00:00.120Z req-7f3a GET /api/v1/polls 503 2412";

#[test]
fn terms_as_cloudwatch_reads_them() {
    assert!(p("ERROR").matches("2026 ERROR conflicto.api boom"));
    assert!(
        !p("ERROR").matches("2026 error lower case"),
        "terms are case-sensitive"
    );
    assert!(p("\"authentication failed\"").matches("WARN authentication failed for bob"));
    assert!(!p("\"authentication failed\"").matches("authentication ok, failed later"));
    assert!(p("ERROR Exception").matches("ERROR ValueError Exception"));
    assert!(!p("ERROR Exception").matches("ERROR only"));
    assert!(p("?ERROR ?WARN").matches("WARN disk"));
    assert!(!p("?ERROR ?WARN").matches("INFO fine"));
    assert!(!p("ERROR -healthcheck").matches("ERROR healthcheck slow"));
    assert!(p("ERROR -\"GET /live\"").matches("ERROR GET /votes"));
    assert!(p("").matches("anything"));
}

#[test]
fn space_delimited_patterns_compare_fields() {
    let slow = p("[timestamp, request_id, method, path, status_code, response_time > 2000]");
    assert!(slow.matches(ACCESS));
    assert!(!slow.matches("2026-12-07T08:00:00Z req-1 GET / 200 45"));
    assert!(
        !slow.matches("2026 ERROR conflicto.api Unhandled exception in /api/v1/votes 9999"),
        "seven fields do not fit six"
    );
    let server = p("[timestamp, request_id, method, path, status_code = 5*, response_time]");
    assert!(server.matches(ACCESS));
    assert!(!server.matches("t r GET / 404 3"));
    let either = p("[..., status_code = 404 || status_code = 410, ms]");
    assert!(either.matches("a b c 410 7"));
    assert!(!either.matches("a b c 200 7"));
    assert!(p("[ip, ..., request = \"*html*\", code]")
        .matches("1.2.3.4 - - \"GET /a.html HTTP/1.1\" 200"));
}

#[test]
fn many_ellipses_and_non_ascii_stay_cheap_and_safe() {
    let many = format!("[{}x = 1]", "..., ".repeat(200));
    let line = "a ".repeat(300) + "1";
    assert!(p(&many).matches(&line));
    assert!(!p(&many).matches(&"a ".repeat(300)));
    assert!(p("[naïve, b = café]").matches("x café"));
}

#[test]
fn json_patterns_read_json_lines() {
    let line = r#"{"level":"error","latency":812,"user":{"name":"<img src=x>"},"tags":["a","b"],"ok":false,"gone":null}"#;
    assert!(p("{ $.level = \"error\" }").matches(line));
    assert!(p("{ $.level = err* }").matches(line));
    assert!(p("{ $.latency > 500 && $.user.name = \"<img*\" }").matches(line));
    assert!(!p("{ $.latency > 900 }").matches(line));
    assert!(p("{ ($.latency > 900) || $.tags[1] = \"b\" }").matches(line));
    assert!(p("{ $.gone IS NULL }").matches(line));
    assert!(p("{ $.missing NOT EXISTS }").matches(line));
    assert!(p("{ $.ok IS FALSE }").matches(line));
    assert!(!p("{ $.level = \"error\" }").matches("ERROR not json"));
}

#[test]
fn what_cloudwatch_refuses_is_refused_in_words() {
    assert!(refused("\"never closed").contains("never closed"));
    assert!(refused("ERROR:").contains("double quotes"));
    assert!(refused("{ $.level = \"x\"").contains("starts with { and ends with }"));
    assert!(refused("{ level = 1 }").contains("selector"));
    assert!(refused("{ $.latency > }").contains("needs a value"));
    assert!(refused("{ $.name > \"bob\" }").contains("only be compared with = or !="));
    assert!(refused("[a, b").contains("starts with [ and ends with ]"));
    assert!(refused("[]").contains("at least one field"));
    assert!(refused("[a, 5x = 1]").contains("not a field name"));
    assert!(refused("%ERROR|WARN%").contains("regular-expression"));
    assert!(refused(&"x".repeat(1025)).contains("1024"));
    assert!(refused("? ERROR").contains("no term after it"));
}

#[test]
fn globs() {
    assert!(glob("5*", "503"));
    assert!(!glob("5*", "404"));
    assert!(glob("*html*", "GET /a.html HTTP"));
    assert!(glob("a*c*e", "abcde"));
    assert!(!glob("a*c*e", "abde"));
    assert!(glob("x", "x") && !glob("x", "xy"));
}
