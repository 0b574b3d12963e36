//! A rule named on the command line, with the instance wanted when the
//! rule has `by:`: `busy{region="North"}`, or `busy` with
//! `--where region=North`.

/// A rule and the labels that pick one of its instances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    /// The rule's name.
    pub name: String,
    /// `(field, value)` pairs, as written; empty for the bare name.
    pub labels: Vec<(String, String)>,
}

/// Parses `NAME` or `NAME{field="value", ...}` (a value may also stand
/// unquoted when it holds no comma, brace or quote).
pub fn parse_selector(s: &str) -> Result<Selector, String> {
    let Some(open) = s.find('{') else {
        return Ok(Selector {
            name: s.to_string(),
            labels: Vec::new(),
        });
    };
    let name = s[..open].trim().to_string();
    let Some(inner) = s[open + 1..].strip_suffix('}') else {
        return Err(format!(
            "`{s}` is not closed by `}}`; write NAME{{field=\"value\"}}"
        ));
    };
    let mut labels = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            return Err(format!(
                "`{}` has no `=`; write NAME{{field=\"value\"}}",
                rest.trim()
            ));
        };
        let field = rest[..eq].trim();
        if field.is_empty() {
            return Err(format!("a label of `{s}` has no field name"));
        }
        let after = rest[eq + 1..].trim_start();
        let (value, tail) = match after.strip_prefix('"') {
            Some(quoted) => quoted_value(quoted).ok_or_else(|| {
                format!("a value of `{s}` has no closing quote; write field=\"value\"")
            })?,
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_string(), &after[end..])
            }
        };
        labels.push((field.to_string(), value));
        let tail = tail.trim_start();
        rest = match tail.strip_prefix(',') {
            Some(t) => t.trim_start(),
            None if tail.is_empty() => tail,
            None => return Err(format!("expected `,` or `}}` before `{tail}` in `{s}`")),
        };
    }
    Ok(Selector { name, labels })
}

/// The text of a quoted value (after its opening quote) with `\"` and
/// `\\` unescaped, and what follows its closing quote.
fn quoted_value(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Parses one `--where FIELD=VALUE`.
pub fn parse_where(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "`{s}` is not FIELD=VALUE, for example country=Yemen"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(s: &str) -> Vec<(String, String)> {
        parse_selector(s).unwrap().labels
    }

    #[test]
    fn bare_name_has_no_labels() {
        assert_eq!(
            parse_selector("busy").unwrap(),
            Selector {
                name: "busy".into(),
                labels: vec![]
            }
        );
    }

    #[test]
    fn quoted_and_bare_values() {
        assert_eq!(
            labels(r#"busy{region="North", kind=riot}"#),
            vec![
                ("region".to_string(), "North".to_string()),
                ("kind".to_string(), "riot".to_string())
            ]
        );
        assert_eq!(
            labels(r#"b{x="a, \"b\"}"}"#),
            vec![("x".to_string(), r#"a, "b"}"#.to_string())]
        );
        assert_eq!(labels("b{}"), vec![]);
    }

    #[test]
    fn malformed_selectors_are_refused() {
        for bad in [r#"b{x="a"#, "b{x", r#"b{x="a" y="b"}"#, "b{=1}", "b{x=1"] {
            assert!(parse_selector(bad).is_err(), "{bad}");
        }
        assert!(parse_where("x").is_err());
        assert_eq!(parse_where("a=b=c").unwrap(), ("a".into(), "b=c".into()));
    }
}
