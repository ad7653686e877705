//! CloudWatch Logs filter patterns, read the way CloudWatch reads them: terms (`ERROR`,
//! `"authentication failed"`, `?ERROR ?WARN`, `ERROR -healthcheck`), JSON patterns
//! (`{ $.level = "error" && $.duration > 2000 }`) and space-delimited ones
//! (`[timestamp, request_id, method, path, status_code = 5*, response_time > 2000]`).
//!
//! Parsing refuses what CloudWatch would refuse (so `check-config` names a bad pattern before AWS
//! does); matching lets the live tail's filter box and the demo's simulated log group answer as
//! CloudWatch would. Regular-expression patterns (`%…%`) are refused: opsdeck does not evaluate them.

mod fields;
mod json;
mod lex;

use lex::Token;

/// A parsed filter pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// The empty pattern: every event.
    All,
    Terms(Terms),
    Json(json::Expr),
    Fields(Vec<fields::Field>),
}

/// Terms: all `required` appear, at least one of `any` (when there are some), none of `excluded`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Terms {
    required: Vec<String>,
    any: Vec<String>,
    excluded: Vec<String>,
}

/// Why CloudWatch would refuse a pattern, in words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub String);

pub(crate) fn err<T>(msg: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError(msg.into()))
}

/// CloudWatch's own limit on a filter pattern's length.
pub const MAX_LEN: usize = 1024;

impl Pattern {
    pub fn parse(raw: &str) -> Result<Self, PatternError> {
        if raw.chars().count() > MAX_LEN {
            return err(format!("is longer than CloudWatch's {MAX_LEN} characters"));
        }
        let s = raw.trim();
        if s.is_empty() {
            return Ok(Pattern::All);
        }
        if s.starts_with('{') {
            return json::parse(s).map(Pattern::Json);
        }
        if s.starts_with('[') {
            return fields::parse(s).map(Pattern::Fields);
        }
        if s.starts_with('%') {
            return err("regular-expression patterns (%…%) are not evaluated by opsdeck: use terms, a JSON pattern or a space-delimited one");
        }
        terms(s).map(Pattern::Terms)
    }

    pub fn matches(&self, line: &str) -> bool {
        match self {
            Pattern::All => true,
            Pattern::Terms(t) => t.matches(line),
            Pattern::Json(e) => json::matches(e, line),
            Pattern::Fields(f) => fields::matches(f, line),
        }
    }
}

fn terms(s: &str) -> Result<Terms, PatternError> {
    let mut out = Terms::default();
    for token in lex::words(s)? {
        let (prefix, text) = match &token {
            Token::Quoted(t) => (None, t.clone()),
            Token::Bare(t) => match t.chars().next() {
                Some(c @ ('?' | '-')) => {
                    let rest = &t[1..];
                    let rest = match lex::unquote(rest)? {
                        Some(q) => q,
                        None => bare_term(rest)?,
                    };
                    (Some(c), rest)
                }
                _ => (None, bare_term(t)?),
            },
        };
        if text.is_empty() {
            return err("has an empty term (\"\")");
        }
        match prefix {
            Some('?') => out.any.push(text),
            Some(_) => out.excluded.push(text),
            None => out.required.push(text),
        }
    }
    Ok(out)
}

/// An unquoted term: letters, digits and `_` only — CloudWatch wants anything else in quotes.
fn bare_term(t: &str) -> Result<String, PatternError> {
    if t.is_empty() {
        return err("has a ? or - with no term after it");
    }
    match t.chars().find(|c| !(c.is_alphanumeric() || *c == '_')) {
        None => Ok(t.to_owned()),
        Some(c) => err(format!(
            "the term {t} has {c:?} in it: put terms with characters other than letters, digits and _ in double quotes"
        )),
    }
}

impl Terms {
    fn matches(&self, line: &str) -> bool {
        self.required.iter().all(|t| line.contains(t.as_str()))
            && (self.any.is_empty() || self.any.iter().any(|t| line.contains(t.as_str())))
            && !self.excluded.iter().any(|t| line.contains(t.as_str()))
    }
}

/// `*` matches any run of characters; everything else itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests;
