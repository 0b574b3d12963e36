//! Escaping and the small pieces of markup every section uses.

use crate::eval::Status;

/// Text made safe for HTML and SVG, in element content and in quoted
/// attribute values alike.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and line breaks are not
            // allowed in XML (SVG) and mean nothing in HTML.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text escaped, with its `quoted` parts (expressions and names, as
/// `explain` words its reasons) set as code. Escaping comes first and
/// leaves backquotes alone, so the markup added is the only markup; text
/// with an unpaired backquote is shown as written.
pub fn code_spans(s: &str) -> String {
    let escaped = esc(s);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(p);
            out.push_str("</code>");
        } else {
            out.push_str(p);
        }
    }
    out
}

/// The CSS class of a status (`met`, `pending`, `unknown`, `not-met`).
pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::Pending => "pending",
        Status::Unknown => "unknown",
        Status::NotMet => "not-met",
    }
}

/// A status in words, with a shape so that it reads without colour.
pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Met => "● Met",
        Status::Pending => "◐ Pending",
        Status::Unknown => "? Unknown",
        Status::NotMet => "○ Not met",
    }
}

/// A status in words, for sentences.
pub fn status_words(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::Pending => "pending",
        Status::Unknown => "unknown",
        Status::NotMet => "not met",
    }
}

/// The fragment id of a rule's card.
pub fn rule_anchor(name: &str) -> String {
    format!("rule-{}", id_safe(name))
}

/// A string reduced to the characters an id and a fragment may hold
/// without escaping.
pub fn id_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `n thing` or `n things`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("a\u{1}b"), "a\u{FFFD}b");
    }

    #[test]
    fn quoted_parts_become_code_after_escaping() {
        assert_eq!(
            code_spans("stale: `a<b>` since `c`"),
            "stale: <code>a&lt;b&gt;</code> since <code>c</code>"
        );
        assert_eq!(code_spans("one ` only <i>"), "one ` only &lt;i&gt;");
    }

    #[test]
    fn ids_hold_no_markup() {
        assert_eq!(rule_anchor("a\"><b"), "rule-a---b");
    }
}
