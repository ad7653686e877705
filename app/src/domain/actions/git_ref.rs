//! Which rollback versions are safe to hand to a workflow: a tag, branch or commit sha that
//! `git check-ref-format` accepts, made only of letters, digits and `._/+-`, and never starting
//! with `-`. A workflow running `git checkout ${{ inputs.version }}` gets the value pasted into its
//! script: `--orphan` would be an option, `;`, `$(` or a quote would be shell.

/// Why `v` is not a version, in words; `None` when it is one.
pub fn problem(v: &str) -> Option<String> {
    let refuse = |why: &str| {
        Some(format!(
            "version {v:?} must be a tag or a commit sha: it {why}"
        ))
    };
    if v.is_empty() {
        return refuse("is empty");
    }
    if v.len() > 128 {
        return refuse("is longer than 128 characters");
    }
    if v.starts_with('-') {
        return refuse("starts with '-': git would read it as an option");
    }
    if v == "@" {
        return refuse("is '@', which git does not accept as a name");
    }
    if let Some(c) = v
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._/+-".contains(*c)))
    {
        return refuse(&format!(
            "contains {c:?} (letters, digits and . _ / + - only)"
        ));
    }
    if v.contains("..") || v.contains("//") {
        return refuse("contains '..' or '//', which git refuses in a ref");
    }
    if v.starts_with('/') || v.ends_with('/') || v.ends_with('.') {
        return refuse("starts or ends with '/' or ends with '.', which git refuses");
    }
    if v.split('/')
        .any(|part| part.starts_with('.') || part.ends_with(".lock"))
    {
        return refuse("has a part starting with '.' or ending with '.lock', which git refuses");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn tags_and_shas_pass() {
        for v in [
            "1.4.1",
            "v1.4.1",
            "release/2026-11",
            "0f3a9c2",
            "0f3a9c2d4e5b6a7980112233445566778899aabb",
            "1.5.0-rc.1",
        ] {
            assert_eq!(problem(v), None, "{v}");
        }
    }

    #[test]
    fn what_git_or_a_shell_would_misread_is_refused() {
        for v in [
            "--orphan",
            "-f",
            "",
            "@",
            "v1..v2",
            "HEAD@{1}",
            "a b",
            "v1;rm",
            "$(id)",
            "a'b",
            "x`y`",
            "tag~1",
            "tag^",
            "a:b",
            "what?",
            "x*",
            "[x]",
            "back\\slash",
            "/lead",
            "trail/",
            "dot.",
            "a//b",
            ".hidden",
            "refs/.x",
            "name.lock",
            "tab\there",
            "naïve",
        ] {
            assert!(problem(v).is_some(), "{v:?} should be refused");
        }
        assert!(problem("--orphan").unwrap().contains("option"));
    }
}
