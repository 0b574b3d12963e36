//! Pretty JSON of a document with one long array (a board's results, a
//! backtest's rule histories), its items written on every core: the text
//! is the same, byte for byte, as `serde_json::to_string_pretty` writes it
//! on one thread.

use rayon::prelude::*;
use serde::Serialize;

/// Items from which they are written on every core.
const PARALLEL_ITEMS: usize = 1_000;

/// The pretty JSON of a document whose top-level field `key` holds
/// `items`, from `shell`, the document's pretty JSON with that field an
/// empty array. `None` when `shell` has no such field, or an item cannot
/// be written (the caller writes the document as usual).
pub fn splice_array<T: Serialize + Sync>(shell: &str, key: &str, items: &[T]) -> Option<String> {
    // At the top level the field is indented by two spaces; deeper ones by
    // more, so the match is the top-level field.
    let marker = format!("\n  {}: []", serde_json::to_string(key).ok()?);
    let at = shell.find(&marker)?;
    if items.is_empty() {
        return Some(shell.to_string());
    }
    let write = |item: &T| serde_json::to_string_pretty(item).ok();
    let texts: Vec<String> = if items.len() >= PARALLEL_ITEMS {
        items.par_iter().map(write).collect::<Option<_>>()?
    } else {
        items.iter().map(write).collect::<Option<_>>()?
    };
    let size: usize = texts.iter().map(|t| t.len() + t.len() / 8 + 8).sum();
    let mut out = String::with_capacity(shell.len() + size);
    out.push_str(&shell[..at + marker.len() - 2]);
    out.push_str("[\n");
    for (k, text) in texts.iter().enumerate() {
        if k > 0 {
            out.push_str(",\n");
        }
        // A string's line breaks are escaped, so every line break of an
        // item's text starts a line of its structure.
        for (n, line) in text.split('\n').enumerate() {
            if n > 0 {
                out.push('\n');
            }
            out.push_str("    ");
            out.push_str(line);
        }
    }
    out.push_str("\n  ]");
    out.push_str(&shell[at + marker.len()..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Clone)]
    struct Item {
        name: String,
        values: Vec<f64>,
        empty: Vec<u8>,
        nested: Option<Box<Item>>,
    }

    #[derive(Serialize)]
    struct Doc<'a> {
        at: &'a str,
        results: &'a [Item],
        feeds: Vec<&'a str>,
    }

    fn item(k: usize) -> Item {
        Item {
            name: format!("rule {k}\nwith \"a quote\" and a\ttab, and \"results\": []"),
            values: (0..k % 3).map(|v| v as f64 / 3.0).collect(),
            empty: Vec::new(),
            nested: k.is_multiple_of(2).then(|| Box::new(item(k + 1))),
        }
    }

    #[test]
    fn spliced_text_is_what_one_thread_writes() {
        for n in [0, 1, 2, 5, 1_500] {
            let items: Vec<Item> = (0..n).map(item).collect();
            let doc = |results| Doc {
                at: "2026-03-01",
                results,
                feeds: vec!["a", "b"],
            };
            let whole = serde_json::to_string_pretty(&doc(&items)).unwrap();
            let shell = serde_json::to_string_pretty(&doc(&[])).unwrap();
            assert_eq!(splice_array(&shell, "results", &items), Some(whole), "{n}");
        }
    }

    #[test]
    fn no_such_field_is_none() {
        let shell = serde_json::to_string_pretty(&serde_json::json!({"a": {"rules": []}})).unwrap();
        assert_eq!(splice_array(&shell, "rules", &[1, 2]), None);
    }
}
