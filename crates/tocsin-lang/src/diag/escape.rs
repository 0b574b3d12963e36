//! Text from rule and data files made safe to show: control characters as
//! visible escapes, and long text cut to an excerpt.
//!
//! A rule title, a data field or a quoted source line may hold any bytes;
//! printed raw, an ESC starts a terminal escape sequence (moving the cursor,
//! rewriting the title bar, hiding what follows). Every human-readable
//! output passes such text through [`escape_controls`].

use std::borrow::Cow;
use std::fmt::Write;

/// Longest excerpt of a file line, message or note that a diagnostic
/// shows, in bytes: enough to recognise the text, too little to dump a
/// file (or `/proc/self/environ`) into a log.
pub const EXCERPT_BYTES: usize = 200;

/// Longest diagnostic message or note, in bytes: messages quote a name or
/// a value around their own words, so they get room beyond one excerpt.
pub const MESSAGE_BYTES: usize = 2 * EXCERPT_BYTES;

/// True for the characters [`escape_controls`] rewrites: C0 controls but
/// newline and tab (they lay text out and start no escape sequence), DEL
/// and the C1 controls (U+0080 to U+009F, whose CSI acts like `ESC [`).
pub fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `text` with every control character that could drive a terminal shown
/// as a visible escape: ESC as `\e`, NUL as `\0`, the other C0 controls and
/// DEL as `\xNN`, the C1 controls as `\u{NN}`. Newlines and tabs are kept.
///
/// ```
/// use tocsin_lang::diag::escape_controls;
/// assert_eq!(escape_controls("a\x1b[31mb\x07\u{9b}c\0"), "a\\e[31mb\\x07\\u{9b}c\\0");
/// assert_eq!(escape_controls("plain\ttext\n"), "plain\ttext\n");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c`, escaped as [`escape_controls`] does.
pub(crate) fn push_visible(out: &mut String, c: char) {
    match c {
        '\x1b' => out.push_str("\\e"),
        '\0' => out.push_str("\\0"),
        c if !is_unsafe_control(c) => out.push(c),
        c if u32::from(c) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// The largest char boundary of `text` at or below `at`.
pub(crate) fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or above `at`.
pub(crate) fn ceil_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The marker put where bytes were cut out.
pub(crate) fn cut_marker(bytes: usize) -> String {
    format!("… [{bytes} more bytes]")
}

/// `text` cut to at most `max` bytes (at a char boundary), followed by a
/// marker giving the number of bytes left out.
///
/// ```
/// use tocsin_lang::diag::cut;
/// assert_eq!(cut("abcdef", 4), "abcd… [2 more bytes]");
/// assert_eq!(cut("abc", 4), "abc");
/// ```
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let end = floor_boundary(text, max);
    Cow::Owned(format!("{}{}", &text[..end], cut_marker(text.len() - end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_but_newline_and_tab_is_escaped() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let shown = escape_controls(&c.to_string()).into_owned();
            if c == '\n' || c == '\t' {
                assert_eq!(shown, c.to_string());
            } else {
                assert!(shown.starts_with('\\'), "{c:?} -> {shown:?}");
                assert!(!shown.chars().any(char::is_control), "{c:?} -> {shown:?}");
            }
        }
        assert_eq!(escape_controls("\x7f\r"), "\\x7f\\x0d");
        assert_eq!(escape_controls("é ✓"), "é ✓");
    }

    #[test]
    fn cut_keeps_char_boundaries_and_counts_what_is_left_out() {
        assert_eq!(cut("ééé", 3), "é… [4 more bytes]");
        assert_eq!(
            cut(&"x".repeat(10_000), 200).len(),
            200 + cut_marker(9_800).len()
        );
    }
}
