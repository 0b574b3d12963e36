//! What the syntax tree leaves out: comments, blank lines, and where the
//! punctuation between the tree's nodes is written. Every function here
//! reads the source text the way the parser's lexer does (`#` to the end of
//! the line, strings with `\` escapes) and never panics, whatever the text.

/// A `#` comment and its place in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment<'a> {
    /// Byte offset of the `#`.
    pub start: usize,
    /// The comment from `#` to the end of the line, trailing blanks cut.
    pub text: &'a str,
    /// Code stands before it on its line.
    pub trailing: bool,
    /// An empty line separates it from what precedes it.
    pub blank_before: bool,
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The end of the string literal that starts (with its `"`) at `start`:
/// one past the closing quote, or the end of the text.
pub fn string_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut k = start + 1;
    while k < b.len() {
        match b[k] {
            b'"' => return k + 1,
            b'\\' => k += 2,
            _ => k += 1,
        }
    }
    b.len()
}

/// The end of the comment starting at `start`: the offset of its newline.
fn comment_end(text: &str, start: usize) -> usize {
    text[start..].find('\n').map_or(text.len(), |n| start + n)
}

/// Every comment of the text, in order.
pub fn comments(text: &str) -> Vec<Comment<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'"' => k = string_end(text, k),
            b'#' => {
                let end = comment_end(text, k);
                let line_start = text[..k].rfind('\n').map_or(0, |n| n + 1);
                out.push(Comment {
                    start: k,
                    text: text[k..end].trim_end(),
                    trailing: !text[line_start..k].bytes().all(is_blank),
                    blank_before: blank_line_before(text, k),
                });
                k = end;
            }
            _ => k += 1,
        }
    }
    out
}

/// True when an empty line lies between `pos` and the code or comment
/// before it.
pub fn blank_line_before(text: &str, pos: usize) -> bool {
    let b = text.as_bytes();
    let mut k = pos.min(b.len());
    let mut newlines = 0;
    while k > 0 && is_blank(b[k - 1]) {
        if b[k - 1] == b'\n' {
            newlines += 1;
        }
        k -= 1;
    }
    k > 0 && newlines >= 2
}

/// The offset of the first character at or after `pos` that is neither a
/// blank nor inside a comment.
pub fn next_code(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let mut k = pos.min(b.len());
    while k < b.len() {
        match b[k] {
            c if is_blank(c) => k += 1,
            b'#' => k = comment_end(text, k),
            _ => break,
        }
    }
    k
}

/// True when a line break (or a comment, which ends in one) lies between
/// `from` and `to`.
pub fn breaks_between(text: &str, from: usize, to: usize) -> bool {
    let (from, to) = (from.min(text.len()), to.min(text.len()));
    from < to
        && text.as_bytes()[from..to]
            .iter()
            .any(|&c| c == b'\n' || c == b'#')
}

/// The offset of the first character at or after `pos` that is neither a
/// blank, a comment nor a comma: where the next entry of a block, or its
/// closing brace, stands.
pub fn next_past_commas(text: &str, pos: usize) -> usize {
    let mut k = next_code(text, pos);
    while byte_at(text, k) == Some(b',') {
        k = next_code(text, k + 1);
    }
    k
}

fn digits_end(b: &[u8], mut k: usize) -> usize {
    while b.get(k).is_some_and(u8::is_ascii_digit) {
        k += 1;
    }
    k
}

/// The end of the number written at `pos` as a test file writes values:
/// `-`, digits, a fraction, `%`, each but the digits optional.
pub fn number_end(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let mut k = pos.min(b.len());
    if b.get(k) == Some(&b'-') {
        k += 1;
    }
    k = digits_end(b, k);
    if b.get(k) == Some(&b'.') && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
        k = digits_end(b, k + 1);
    }
    if b.get(k) == Some(&b'%') {
        k += 1;
    }
    k
}

/// The end of the date or duration written at `pos`: its digits, dashes
/// and letters.
pub fn literal_end(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let mut k = pos.min(b.len());
    while b
        .get(k)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        k += 1;
    }
    k
}

/// The end of the word written at `pos`.
pub fn word_end(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let mut k = pos.min(b.len());
    while b
        .get(k)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        k += 1;
    }
    k
}

/// The byte at `pos`, if any.
pub fn byte_at(text: &str, pos: usize) -> Option<u8> {
    text.as_bytes().get(pos).copied()
}

/// The text of `start..end`, or `""` if that is not a range of the text.
pub fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or("")
}

/// The holes of a template, as byte ranges of their insides (between `{`
/// and `}`), found the way the parser finds them in the string literal at
/// `start..end` (quotes included).
pub fn template_holes(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let raw = slice(text, start + 1, end.saturating_sub(1));
    let base = start + 1;
    let b = raw.as_bytes();
    let mut holes = Vec::new();
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            b'{' | b'}' if b.get(k + 1) == Some(&b[k]) => k += 2,
            b'{' => match raw[k + 1..].find('}') {
                Some(n) => {
                    holes.push((base + k + 1, base + k + 1 + n));
                    k += n + 2;
                }
                None => break,
            },
            _ => k += 1,
        }
    }
    holes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_outside_strings() {
        let text = "let a = \"#no\" # yes \n\n  # own\nlet b = 1";
        let cs = comments(text);
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].text, "# yes");
        assert!(cs[0].trailing && !cs[0].blank_before);
        assert_eq!(cs[1].text, "# own");
        assert!(!cs[1].trailing && cs[1].blank_before);
    }

    #[test]
    fn positions() {
        let text = "f( # c\n  x )";
        assert_eq!(next_code(text, 2), 9);
        assert!(breaks_between(text, 2, 9));
        assert!(!breaks_between(text, 10, 11));
        assert_eq!(string_end(r#""a\"b" x"#, 0), 6);
        assert_eq!(string_end("\"abc", 0), 4);
    }

    #[test]
    fn literals_of_test_files() {
        let text = "2025-01-31: -2.50%, 9x30 1mo{ a,, }";
        assert_eq!(literal_end(text, 0), 10);
        assert_eq!(number_end(text, 12), 18);
        assert_eq!(number_end(text, 20), 21);
        assert_eq!(literal_end(text, 25), 28);
        assert_eq!(word_end(text, 30), 31);
        assert_eq!(next_past_commas(text, 31), 34);
    }

    #[test]
    fn holes_as_the_parser_finds_them() {
        let text = r#""a {{b}} {x + 1} \" {y}""#;
        let holes = template_holes(text, 0, text.len());
        let got: Vec<_> = holes.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(got, ["x + 1", "y"]);
    }
}
