//! Splitting a pattern into words: whitespace separates, double quotes group (with `\"` inside).

use super::{err, PatternError};

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    /// `"…"`, without its quotes.
    Quoted(String),
    /// Anything else, possibly with a quoted part (`?"a b"`), as written.
    Bare(String),
}

pub fn words(s: &str) -> Result<Vec<Token>, PatternError> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            out.push(Token::Quoted(quoted(&mut chars)?));
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            word.push(c);
            if c == '"' {
                let inner = quoted(&mut chars)?;
                word.push_str(&inner.replace('\\', "\\\\").replace('"', "\\\""));
                word.push('"');
            }
        }
        out.push(Token::Bare(word));
    }
    Ok(out)
}

/// The rest of a quoted string after its opening quote.
pub fn quoted(chars: &mut impl Iterator<Item = char>) -> Result<String, PatternError> {
    let mut s = String::new();
    loop {
        match chars.next() {
            None => return err("has a double quote that is never closed"),
            Some('\\') => match chars.next() {
                Some(c) => s.push(c),
                None => return err("ends with a lone backslash"),
            },
            Some('"') => return Ok(s),
            Some(c) => s.push(c),
        }
    }
}

/// `"…"` without its quotes, or `None` when `s` is not quoted.
pub fn unquote(s: &str) -> Result<Option<String>, PatternError> {
    let Some(rest) = s.strip_prefix('"') else {
        return Ok(None);
    };
    let mut chars = rest.chars();
    let inner = quoted(&mut chars)?;
    if chars.next().is_some() {
        return err(format!("has text right after a closing quote in {s}"));
    }
    Ok(Some(inner))
}
