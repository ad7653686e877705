//! JSON filter patterns: `{ $.level = "error" }`, `{ $.latency > 500 && $.path = "/api/*" }`,
//! `{ ($.a = 1) || $.b IS NULL }`, `{ $.user NOT EXISTS }`, `{ $.ok IS FALSE }`.

use super::{err, glob, lex, PatternError};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Vec<Step>, Op, Operand),
    IsNull(Vec<Step>),
    NotExists(Vec<Step>),
    IsBool(Vec<Step>, bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Text(String),
    Number(f64),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Op(Op),
    Selector(String),
    Text(String),
    Word(String),
}

fn tokens(s: &str) -> Result<Vec<Tok>, PatternError> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let two = |next: Option<&char>, want: char| next == Some(&want);
        match c {
            c if c.is_whitespace() => {}
            '(' => out.push(Tok::Open),
            ')' => out.push(Tok::Close),
            '"' => out.push(Tok::Text(lex::quoted(&mut chars)?)),
            '&' if two(chars.peek(), '&') => {
                chars.next();
                out.push(Tok::And);
            }
            '|' if two(chars.peek(), '|') => {
                chars.next();
                out.push(Tok::Or);
            }
            '=' => out.push(Tok::Op(Op::Eq)),
            '!' if two(chars.peek(), '=') => {
                chars.next();
                out.push(Tok::Op(Op::Ne));
            }
            '<' | '>' => {
                let eq = two(chars.peek(), '=');
                if eq {
                    chars.next();
                }
                out.push(Tok::Op(match (c, eq) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    (_, false) => Op::Gt,
                    (_, true) => Op::Ge,
                }));
            }
            _ => {
                let mut w = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || "()=!<>&|\"".contains(n) {
                        break;
                    }
                    w.push(n);
                    chars.next();
                }
                out.push(if w.starts_with('$') {
                    Tok::Selector(w)
                } else {
                    Tok::Word(w)
                });
            }
        }
    }
    Ok(out)
}

fn selector(s: &str) -> Result<Vec<Step>, PatternError> {
    let bad = || {
        PatternError(format!(
            "{s} is not a selector like $.field, $.a.b or $.list[0]"
        ))
    };
    let mut rest = s.strip_prefix('$').ok_or_else(bad)?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() || key == "*" {
                return Err(bad());
            }
            steps.push(Step::Key(key.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(bad)?;
            let n = r[..end].parse().map_err(|_| bad())?;
            steps.push(Step::Index(n));
            rest = &r[end + 1..];
        } else {
            return Err(bad());
        }
    }
    if steps.is_empty() {
        return Err(bad());
    }
    Ok(steps)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Result<Expr, PatternError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, PatternError> {
        let mut left = self.atom()?;
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.atom()?));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, PatternError> {
        match self.next() {
            Some(Tok::Open) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::Close) => Ok(e),
                    _ => err("has a ( that is never closed"),
                }
            }
            Some(Tok::Selector(s)) => {
                let sel = selector(&s)?;
                self.condition(sel, &s)
            }
            Some(other) => err(format!(
                "expects a selector such as $.level where it found {}",
                describe(&other)
            )),
            None => err("ends where a condition was expected"),
        }
    }

    fn condition(&mut self, sel: Vec<Step>, name: &str) -> Result<Expr, PatternError> {
        match self.next() {
            Some(Tok::Op(op)) => {
                let operand = match self.next() {
                    Some(Tok::Text(t)) => Operand::Text(t),
                    Some(Tok::Word(w)) => match w.parse::<f64>() {
                        Ok(n) if n.is_finite() => Operand::Number(n),
                        _ => Operand::Text(w),
                    },
                    _ => return err(format!("{name}: a comparison needs a value after it")),
                };
                if matches!(operand, Operand::Text(_)) && !matches!(op, Op::Eq | Op::Ne) {
                    return err(format!(
                        "{name}: text can only be compared with = or !=, numbers with < > <= >= too"
                    ));
                }
                Ok(Expr::Cmp(sel, op, operand))
            }
            Some(Tok::Word(w)) if w == "IS" => match self.next() {
                Some(Tok::Word(v)) if v == "NULL" => Ok(Expr::IsNull(sel)),
                Some(Tok::Word(v)) if v == "TRUE" => Ok(Expr::IsBool(sel, true)),
                Some(Tok::Word(v)) if v == "FALSE" => Ok(Expr::IsBool(sel, false)),
                _ => err(format!("{name}: IS is followed by NULL, TRUE or FALSE")),
            },
            Some(Tok::Word(w)) if w == "NOT" => match self.next() {
                Some(Tok::Word(v)) if v == "EXISTS" => Ok(Expr::NotExists(sel)),
                _ => err(format!("{name}: NOT is followed by EXISTS")),
            },
            _ => err(format!(
                "{name} needs a comparison (=, !=, <, >, <=, >=), IS NULL, IS TRUE, IS FALSE or NOT EXISTS"
            )),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Open => "(".into(),
        Tok::Close => ")".into(),
        Tok::And => "&&".into(),
        Tok::Or => "||".into(),
        Tok::Op(_) => "a comparison".into(),
        Tok::Selector(s) | Tok::Word(s) => s.clone(),
        Tok::Text(t) => format!("{t:?}"),
    }
}

pub fn parse(s: &str) -> Result<Expr, PatternError> {
    let Some(inner) = s
        .strip_prefix('{')
        .and_then(|r| r.trim_end().strip_suffix('}'))
    else {
        return err("a JSON pattern starts with { and ends with }");
    };
    let mut p = Parser {
        toks: tokens(inner)?,
        at: 0,
    };
    let e = p.or()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => err(format!(
            "has {} where && or || or the closing }} was expected",
            describe(t)
        )),
    }
}

fn resolve<'a>(v: &'a Value, sel: &[Step]) -> Option<&'a Value> {
    sel.iter().try_fold(v, |v, step| match step {
        Step::Key(k) => v.get(k.as_str()),
        Step::Index(i) => v.get(*i),
    })
}

fn eval(e: &Expr, v: &Value) -> bool {
    match e {
        Expr::And(a, b) => eval(a, v) && eval(b, v),
        Expr::Or(a, b) => eval(a, v) || eval(b, v),
        Expr::IsNull(s) => resolve(v, s).is_some_and(Value::is_null),
        Expr::NotExists(s) => resolve(v, s).is_none(),
        Expr::IsBool(s, b) => resolve(v, s).and_then(Value::as_bool) == Some(*b),
        Expr::Cmp(s, op, operand) => {
            let Some(found) = resolve(v, s) else {
                return false;
            };
            match operand {
                Operand::Text(t) => {
                    let text = match found {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return false,
                    };
                    glob(t, &text) == (*op == Op::Eq)
                }
                Operand::Number(n) => {
                    let x = match found {
                        Value::Number(x) => x.as_f64(),
                        Value::String(s) => s.parse().ok(),
                        _ => None,
                    };
                    x.is_some_and(|x| compare(x, *op, *n))
                }
            }
        }
    }
}

pub(super) fn compare(x: f64, op: Op, n: f64) -> bool {
    match op {
        Op::Eq => x == n,
        Op::Ne => x != n,
        Op::Lt => x < n,
        Op::Gt => x > n,
        Op::Le => x <= n,
        Op::Ge => x >= n,
    }
}

pub fn matches(e: &Expr, line: &str) -> bool {
    // A log line that is not a JSON object never matches a JSON pattern.
    match serde_json::from_str::<Value>(line.trim()) {
        Ok(v @ Value::Object(_)) => eval(e, &v),
        _ => false,
    }
}
