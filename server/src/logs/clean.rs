//! Log lines are hostile text: this turns a raw message into what opsdeck keeps and shows —
//! ANSI escape sequences (colours, cursor moves, window titles) removed, other control characters
//! and invisible direction overrides made visible as symbols, very long messages cut. The page
//! renders the result as text, never as HTML; this only makes it honest to look at.

use app::domain::logs::LogLine;

/// Longer messages are cut here (the page says so and how long the original was).
pub const MAX_CHARS: usize = 16 * 1024;

/// Remove ANSI escape sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ESC \`), and two-byte
/// escapes. The 8-bit CSI (U+009B) is treated like `ESC [`.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let csi = match c {
            '\u{1b}' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    true
                }
                Some(']') => {
                    chars.next();
                    // Operating system command: up to BEL or ST (ESC \).
                    while let Some(n) = chars.next() {
                        if n == '\u{7}' || (n == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                    continue;
                }
                Some(_) => {
                    chars.next();
                    continue;
                }
                None => continue,
            },
            '\u{9b}' => true,
            _ => {
                out.push(c);
                continue;
            }
        };
        if csi {
            // Parameters and intermediates, then one final byte in @..~.
            for n in chars.by_ref() {
                if ('@'..='~').contains(&n) {
                    break;
                }
            }
        }
    }
    out
}

/// Control characters as the Unicode "control pictures" (NUL → ␀, BEL → ␇, DEL → ␡), other C1
/// controls and bidirectional overrides as `<U+202E>`; newlines and tabs stay.
pub fn visible_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => out.push('␍'),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
            '\u{7f}' => out.push('␡'),
            '\u{80}'..='\u{9f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}' => out.push_str(&format!("<U+{:04X}>", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

/// The fields of a message that is one JSON object, values as text (nested ones as JSON).
fn json_fields(text: &str) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text.trim()) else {
        return vec![];
    };
    map.into_iter()
        .take(50)
        .map(|(k, v)| {
            let shown = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (visible_controls(&k), visible_controls(&shown))
        })
        .collect()
}

/// One event as opsdeck keeps it.
pub fn line(id: String, at_ms: i64, stream: &str, message: &str) -> LogLine {
    let clean = visible_controls(&strip_ansi(message.trim_end_matches(['\n', '\r'])));
    let total = clean.chars().count();
    let (text, cut) = if total > MAX_CHARS {
        (clean.chars().take(MAX_CHARS).collect(), Some(total))
    } else {
        (clean, None)
    };
    let fields = if cut.is_none() {
        json_fields(&strip_ansi(message))
    } else {
        vec![]
    };
    LogLine {
        id,
        at: chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
        stream: visible_controls(&strip_ansi(stream)),
        text,
        cut,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_titles_go_controls_show() {
        assert_eq!(strip_ansi("\u{1b}[31;1mERROR\u{1b}[0m boom"), "ERROR boom");
        assert_eq!(strip_ansi("a\u{1b}]0;pwned\u{7}b"), "ab");
        assert_eq!(
            strip_ansi("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b"),
            "alinkb"
        );
        assert_eq!(strip_ansi("x\u{9b}2Jy"), "xy");
        assert_eq!(visible_controls("a\u{7}b\u{0}\r\n\tc\u{7f}"), "a␇b␀␍\n\tc␡");
        assert_eq!(
            visible_controls("user\u{202e}gnp.exe"),
            "user<U+202E>gnp.exe"
        );
    }

    #[test]
    fn markup_stays_text_and_long_lines_are_cut() {
        let l = line("1".into(), 0, "web/1", "<script>alert(1)</script>");
        assert_eq!(
            l.text, "<script>alert(1)</script>",
            "kept as text, escaped when shown"
        );
        let long = "x".repeat(MAX_CHARS + 10);
        let l = line("2".into(), 0, "web/1", &long);
        assert_eq!(l.text.chars().count(), MAX_CHARS);
        assert_eq!(l.cut, Some(MAX_CHARS + 10));
    }

    #[test]
    fn json_lines_become_fields() {
        let l = line(
            "3".into(),
            0,
            "s",
            r#"{"level":"warning","msg":"authentication failed","n":3,"ctx":{"ip":"10.0.0.1"}}"#,
        );
        assert!(l.fields.contains(&("level".into(), "warning".into())));
        assert!(l.fields.contains(&("n".into(), "3".into())));
        assert!(l
            .fields
            .contains(&("ctx".into(), r#"{"ip":"10.0.0.1"}"#.into())));
        assert!(line("4".into(), 0, "s", "[1,2]").fields.is_empty());
    }
}
