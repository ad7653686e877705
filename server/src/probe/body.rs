//! What a health answer's body means: the runbook's JSON document, or a finding in words.

use app::domain::HealthBody;

/// Parse a body of the runbook's shape; explain what is wrong otherwise. The excerpt is the
/// upstream's text and is only ever rendered escaped.
pub(super) fn parse_body(body: &[u8]) -> Result<HealthBody, String> {
    if body.is_empty() {
        return Err("the body is empty; expected the JSON health document".into());
    }
    serde_json::from_slice::<HealthBody>(body).map_err(|e| {
        let excerpt: String = String::from_utf8_lossy(body).chars().take(60).collect();
        let what = if serde_json::from_slice::<serde_json::Value>(body).is_ok() {
            "JSON, but not an object of the health shape"
        } else {
            "not JSON"
        };
        format!("the body is {what} ({e}); it starts with {excerpt:?}")
    })
}

#[cfg(test)]
mod tests {
    use super::parse_body;

    #[test]
    fn body_problems_are_explained() {
        assert!(parse_body(b"").unwrap_err().contains("empty"));
        let e = parse_body(b"<html>502 Bad Gateway</html>").unwrap_err();
        assert!(e.contains("not JSON") && e.contains("<html>502"), "{e}");
        let e = parse_body(b"[1,2]").unwrap_err();
        assert!(e.contains("not an object of the health shape"), "{e}");
        assert_eq!(
            parse_body(br#"{"status":"healthy"}"#)
                .unwrap()
                .status
                .as_deref(),
            Some("healthy")
        );
    }
}
