//! A message from a template: `{name}` placeholders replaced in one pass by values escaped for
//! Slack's message format (`&`, `<`, `>`), so a value can neither act (`<!channel>`, a disguised
//! link `<https://evil|Approve>`) nor bring in placeholders of its own (a reason containing
//! `{requester}` stays that text). The template is configuration and may use Slack's markup.

/// Slack's control characters in a value, escaped as Slack documents.
pub fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Fill `template`'s placeholders from `values` (escaped); unknown ones are left as written.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_end = after.find('}').filter(|&n| {
            after[..n]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        match name_end.and_then(|n| {
            values
                .iter()
                .find(|(k, _)| *k == &after[..n])
                .map(|(_, v)| (n, v))
        }) {
            Some((n, v)) => {
                out.push_str(&escape(v));
                rest = &after[n + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_act_or_expand() {
        let values = [
            (
                "reason",
                "<!channel> see <https://evil|Approve> & {requester}".to_owned(),
            ),
            ("requester", "Oscar".to_owned()),
        ];
        assert_eq!(
            fill("*{requester}* asks: {reason} {unknown}", &values),
            "*Oscar* asks: &lt;!channel&gt; see &lt;https://evil|Approve&gt; &amp; {requester} {unknown}"
        );
        assert_eq!(fill("{ {reason", &values), "{ {reason");
        assert_eq!(fill("{requester}{requester}", &values), "OscarOscar");
    }
}
