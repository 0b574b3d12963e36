//! `feed` items: each must describe a data series, once.

use super::names::{Def, Defs};
use crate::diag::{did_you_mean, Code, Diagnostic, Span};
use crate::lang::ast::{FieldKey, FieldValue, TemplatePart};
use crate::lang::program::FeedDef;

/// The checked feeds of `defs`, in file order, and what is wrong with them.
pub fn lower(defs: &Defs<'_>, diags: &mut Vec<Diagnostic>) -> Vec<FeedDef> {
    let mut feeds: Vec<FeedDef> = Vec::with_capacity(defs.feeds.len());
    for &(file, item) in &defs.feeds {
        let name = &item.name;
        match defs.names.get(name.name.as_str()) {
            Some(Def::Data) => {}
            Some(Def::Series(_)) => {
                diags.push(
                    Diagnostic::error(
                        Code::FeedNotData,
                        format!("`{}` is a derived series; a feed describes a data series", name.name),
                    )
                    .with_primary(name.span, "not a data series")
                    .with_note("name the data series it is derived from: staleness belongs to the data, and every series derived from it inherits it"),
                );
                continue;
            }
            Some(_) => {
                diags.push(
                    Diagnostic::error(
                        Code::FeedNotData,
                        format!("`{}` is a rule item, not a data series", name.name),
                    )
                    .with_primary(name.span, "not a data series")
                    .with_note("a feed names a series of the files under --indicators"),
                );
                continue;
            }
            None => {
                let data = defs
                    .names
                    .iter()
                    .filter(|(_, d)| **d == Def::Data)
                    .map(|(n, _)| *n);
                let mut d = Diagnostic::error(
                    Code::FeedNotData,
                    format!("no data series is called `{}`", name.name),
                )
                .with_primary(name.span, "unknown data series");
                d = match did_you_mean(&name.name, data) {
                    Some(near) => {
                        d.message.push_str(&format!("; did you mean `{near}`?"));
                        d
                    }
                    None => d.with_note("series come from the files under --indicators, named after the file or its `series` column"),
                };
                diags.push(d);
                continue;
            }
        }
        if let Some(first) = feeds.iter().find(|f| f.name == name.name) {
            diags.push(
                Diagnostic::error(Code::FeedNotData, format!("`{}` has two feeds", name.name))
                    .with_primary(name.span, "described again here")
                    .with_secondary(first.span, "first described here")
                    .with_note("give each data series one feed; merge the two"),
            );
            continue;
        }
        let mut feed = FeedDef {
            name: name.name.clone(),
            stale_after: None,
            title: None,
            sources: Vec::new(),
            description: None,
            file,
            span: item.span,
        };
        let mut seen: Vec<(FieldKey, Span)> = Vec::new();
        for field in &item.fields {
            if field.key != FieldKey::Source {
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == field.key) {
                    diags.push(
                        Diagnostic::error(
                            Code::DuplicateField,
                            format!("`{}:` is given twice", field.key.as_str()),
                        )
                        .with_primary(field.key_span, "given again here")
                        .with_secondary(*first, "first given here")
                        .with_note("only `source:` may repeat; remove one of them"),
                    );
                    continue;
                }
                seen.push((field.key, field.key_span));
            }
            match (field.key, &field.value) {
                (FieldKey::StaleAfter, FieldValue::Duration(d, span)) => {
                    if d.is_zero() {
                        diags.push(
                            Diagnostic::error(
                                Code::StaleAfterZero,
                                "`stale_after:` must be longer than zero",
                            )
                            .with_primary(*span, "zero")
                            .with_note("say how long the source may go without a new observation: `stale_after: 14d`"),
                        );
                    } else {
                        feed.stale_after = Some(*d);
                    }
                }
                (FieldKey::Title, FieldValue::Text(s)) => feed.title = Some(s.value.clone()),
                (FieldKey::Source, FieldValue::Text(s)) => feed.sources.push(s.value.clone()),
                (FieldKey::Description, FieldValue::Template(t)) => {
                    let mut text = String::new();
                    for part in &t.parts {
                        match part {
                            TemplatePart::Text(s) => text.push_str(s),
                            TemplatePart::Hole(e) => {
                                diags.push(
                                    Diagnostic::error(
                                        Code::BadTemplate,
                                        "a feed's description is plain text",
                                    )
                                    .with_primary(e.span, "not evaluated here")
                                    .with_note("write `{{` and `}}` for literal braces"),
                                );
                            }
                        }
                    }
                    feed.description = Some(text);
                }
                (key, _) => diags.push(
                    Diagnostic::error(
                        Code::FieldNotAllowed,
                        format!("a feed has no `{}:`", key.as_str()),
                    )
                    .with_primary(field.key_span, "not a field of feeds")
                    .with_note("a feed takes stale_after, title, source and description"),
                ),
            }
        }
        feeds.push(feed);
    }
    feeds
}
