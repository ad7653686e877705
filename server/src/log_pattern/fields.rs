//! Space-delimited filter patterns: `[ip, user, ..., status_code = 4*, bytes > 1000]`. A line is
//! split at spaces, with `"…"` and `[…]` kept whole; `...` stands for any number of fields.

use super::json::{compare, Op};
use super::{err, glob, PatternError};

#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    /// `...`
    Any,
    /// A named field, with conditions joined by `&&` (`all`) or `||`.
    Named {
        name: String,
        conds: Vec<(Op, Value)>,
        all: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
}

/// Split at `sep` outside double quotes.
fn split_outside_quotes<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut i) = (0, false, 0);
    let bytes = s.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'"' && (i == 0 || bytes[i - 1] != b'\\') {
            quoted = !quoted;
        } else if !quoted && bytes[i..].starts_with(sep.as_bytes()) {
            out.push(&s[start..i]);
            i += sep.len();
            start = i;
            continue;
        }
        i += 1;
    }
    out.push(&s[start..]);
    out
}

fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_alphabetic() || f == '_')
        && c.all(|c| c.is_alphanumeric() || c == '_')
}

fn condition(raw: &str) -> Result<(String, Op, Value), PatternError> {
    let ops = [
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("=", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];
    let quote = raw.find('"').unwrap_or(raw.len());
    let found = ops
        .iter()
        .filter_map(|(s, op)| raw[..quote].find(s).map(|i| (i, *s, *op)))
        .min_by_key(|(i, s, _)| (*i, std::cmp::Reverse(s.len())));
    let Some((i, sym, op)) = found else {
        return err(format!(
            "{raw:?} is neither a field name nor a condition like status_code = 5*"
        ));
    };
    let name = raw[..i].trim();
    if !is_name(name) {
        return err(format!(
            "{name:?} is not a field name (letters, digits and _)"
        ));
    }
    let v = raw[i + sym.len()..].trim();
    if v.is_empty() {
        return err(format!("{name} {sym} needs a value"));
    }
    let value = match super::lex::unquote(v)? {
        Some(t) => Value::Text(t),
        None => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Value::Number(n),
            _ => Value::Text(v.to_owned()),
        },
    };
    if matches!(value, Value::Text(_)) && !matches!(op, Op::Eq | Op::Ne) {
        return err(format!("{name} {sym} {v}: only = and != compare text"));
    }
    Ok((name.to_owned(), op, value))
}

fn field(raw: &str) -> Result<Field, PatternError> {
    let raw = raw.trim();
    if raw == "..." {
        return Ok(Field::Any);
    }
    if is_name(raw) {
        return Ok(Field::Named {
            name: raw.to_owned(),
            conds: vec![],
            all: true,
        });
    }
    let ands = split_outside_quotes(raw, "&&");
    let ors = split_outside_quotes(raw, "||");
    if ands.len() > 1 && ors.len() > 1 {
        return err(format!("{raw:?} mixes && and || in one field"));
    }
    let (parts, all) = if ors.len() > 1 {
        (ors, false)
    } else {
        (ands, true)
    };
    let mut name = None;
    let mut conds = Vec::new();
    for p in parts {
        let (n, op, v) = condition(p)?;
        if name.as_ref().is_some_and(|first| first != &n) {
            return err(format!("{raw:?} joins conditions on different fields"));
        }
        name = Some(n);
        conds.push((op, v));
    }
    Ok(Field::Named {
        name: name.unwrap_or_default(),
        conds,
        all,
    })
}

pub fn parse(s: &str) -> Result<Vec<Field>, PatternError> {
    let Some(inner) = s
        .strip_prefix('[')
        .and_then(|r| r.trim_end().strip_suffix(']'))
    else {
        return err("a space-delimited pattern starts with [ and ends with ]");
    };
    if inner.trim().is_empty() {
        return err("a space-delimited pattern names at least one field");
    }
    split_outside_quotes(inner, ",")
        .into_iter()
        .map(field)
        .collect()
}

/// A line's fields: split at whitespace, `"…"` and `[…]` kept whole (without their brackets).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let close = match c {
            '"' => Some('"'),
            '[' => Some(']'),
            _ => None,
        };
        let mut w = String::new();
        if let Some(close) = close {
            chars.next();
            for n in chars.by_ref() {
                if n == close {
                    break;
                }
                w.push(n);
            }
        } else {
            while let Some(&n) = chars.peek() {
                if n.is_whitespace() {
                    break;
                }
                w.push(n);
                chars.next();
            }
        }
        out.push(w);
    }
    out
}

fn holds(op: Op, v: &Value, word: &str) -> bool {
    match v {
        Value::Number(n) => word.parse::<f64>().is_ok_and(|x| compare(x, op, *n)),
        Value::Text(t) => glob(t, word) == (op == Op::Eq),
    }
}

fn fits(f: &Field, word: &str) -> bool {
    match f {
        Field::Any => true,
        Field::Named { conds, all, .. } => {
            conds.is_empty()
                || if *all {
                    conds.iter().all(|(op, v)| holds(*op, v, word))
                } else {
                    conds.iter().any(|(op, v)| holds(*op, v, word))
                }
        }
    }
}

/// Whether `fields` fit `words`, `...` taking any number: a table of "fields from i fit words
/// from j", filled from the end (linear in fields × words, however many `...` a pattern has).
fn walk(fields: &[Field], words: &[String]) -> bool {
    let n = words.len();
    let mut next = vec![false; n + 1];
    next[n] = true; // no fields left fit no words left
    for f in fields.iter().rev() {
        let mut row = vec![false; n + 1];
        for j in (0..=n).rev() {
            row[j] = match f {
                Field::Any => next[j] || (j < n && row[j + 1]),
                _ => j < n && fits(f, &words[j]) && next[j + 1],
            };
        }
        next = row;
    }
    next[0]
}

pub fn matches(fields: &[Field], line: &str) -> bool {
    walk(fields, &words(line))
}
