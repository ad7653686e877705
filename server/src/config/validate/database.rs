//! `[environments.database]`: the URL only from an environment variable (a URL in the file is
//! refused without echoing it), a migration table that is an identifier, sane time limits.

use super::super::raw::RawDatabaseDiag;
use super::super::settings::DatabaseDiagSettings;
use super::Validator;
use std::time::Duration;

/// `alembic_version` or `schema.table`: identifiers only, because the name goes into SQL.
fn identifier_path(s: &str) -> bool {
    let part = |p: &str| {
        let mut c = p.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && p.len() <= 63
    };
    let parts: Vec<&str> = s.split('.').collect();
    (1..=2).contains(&parts.len()) && parts.iter().all(|p| part(p))
}

impl Validator {
    /// The URL in the environment variable `var` that the field at `path` names.
    fn url_from_env(&mut self, path: &str, var: &str) -> Option<secrecy::SecretString> {
        match std::env::var(var) {
            Ok(u) if !u.trim().is_empty() => Some(secrecy::SecretString::from(u)),
            _ => {
                let why = if var.trim().is_empty() {
                    "names no environment variable".to_owned()
                } else {
                    format!("the environment variable {var} is not set")
                };
                self.issue(path, why);
                None
            }
        }
    }

    pub(super) fn database_diag(
        &mut self,
        p: &str,
        d: RawDatabaseDiag,
    ) -> Option<DatabaseDiagSettings> {
        let path = format!("{p}.database");
        for (given, field) in [(&d.url, "url"), (&d.admin_url, "admin_url")] {
            if given.is_some() {
                self.issue(
                    format!("{path}.{field}"),
                    format!("a database URL never goes in the file (it carries a password): put it in an environment variable and name that in {field}_env"),
                );
            }
        }
        let Some(var) = d.url_env.filter(|v| !v.trim().is_empty()) else {
            self.issue(
                format!("{path}.url_env"),
                "is required: the name of the environment variable that holds the URL",
            );
            return None;
        };
        let url = self.url_from_env(&format!("{path}.url_env"), &var)?;
        let mut out = DatabaseDiagSettings::new(url);
        if let Some(var) = d.admin_url_env {
            out.admin_url = self.url_from_env(&format!("{path}.admin_url_env"), &var);
        }
        if let Some(t) = d.migration_table {
            if identifier_path(&t) {
                out.migration_table = t;
            } else {
                self.issue(
                    format!("{path}.migration_table"),
                    format!("{t:?} is not a table name (letters, digits and _, optionally schema.table)"),
                );
            }
        }
        out.long_query_after = self.duration(
            &format!("{path}.long_query_after"),
            d.long_query_after.as_deref(),
            out.long_query_after,
            Duration::from_secs(1),
        );
        out.statement_timeout = self.duration(
            &format!("{path}.statement_timeout"),
            d.statement_timeout.as_deref(),
            out.statement_timeout,
            Duration::from_millis(100),
        );
        if out.statement_timeout > Duration::from_secs(30) {
            self.issue(
                format!("{path}.statement_timeout"),
                "must be 30 s or less: diagnostics must never become the long query",
            );
        }
        out.refresh = self.duration(
            &format!("{path}.refresh"),
            d.refresh.as_deref(),
            out.refresh,
            Duration::from_secs(1),
        );
        Some(out)
    }
}
