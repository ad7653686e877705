//! The audit log as people read and export it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The person, by stable id (two people may choose the same display name); `None` for
    /// opsdeck itself and for anonymous attempts.
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub environment: Option<String>,
    pub details: serde_json::Value,
    /// This event's link in the hash chain.
    pub hash: String,
}

/// Filters of the audit page and its exports; empty fields match everything. `person` and
/// `action` match a part of the text, case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub env: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

impl AuditFilter {
    /// At most 5000 events per page or export; 200 by default.
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(200).clamp(1, 5000)
    }

    /// A filter field as given, or `None` when blank.
    pub fn field(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// A cell starting with one of these may be run as a formula by a spreadsheet (OWASP's list:
/// tab and carriage return too, which some spreadsheets skip before looking for `=`).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV field: quoted, with quotes doubled, and a leading formula character defused with a
/// single quote so a spreadsheet never runs an attacker's formula from an audit export.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(FORMULA_STARTS) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = String::from("id,at,actor_user_id,actor,action,environment,details,hash\n");
    for e in events {
        let row = [
            e.id.to_string(),
            e.at.to_rfc3339(),
            e.actor_user_id.map(|i| i.to_string()).unwrap_or_default(),
            e.actor.clone(),
            e.action.clone(),
            e.environment.clone().unwrap_or_default(),
            e.details.to_string(),
            e.hash.clone(),
        ];
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "\"plain\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("a,b\nc"), "\"a,b\nc\"");
        for (raw, defused) in [
            ("+1+1", "\"'+1+1\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\t=1+2", "\"'\t=1+2\""),
            ("\r=1+2", "\"'\r=1+2\""),
        ] {
            assert_eq!(csv_field(raw), defused, "{raw:?}");
        }
        // Only the first character counts: a formula character later in the text is data.
        assert_eq!(csv_field("a=b-c"), "\"a=b-c\"");
    }
}
