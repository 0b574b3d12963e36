//! The board: every rule's result at a date, as people and programs read
//! it. Pure: the terminal, Markdown and HTML renderings build on it.

use crate::diag::SourceMap;
use crate::eval::{Evidence, Model, RuleResult, Status};
use crate::lang::ast::RuleKind;
use crate::time::Date;
use serde::Serialize;

/// Rows from which [`Board::new`] builds them on every core.
const PARALLEL_ROWS: usize = 2_000;

/// One line of the board.
#[derive(Serialize, Debug)]
pub struct Row {
    /// Rule name.
    pub name: String,
    /// `indicator` or `alert`.
    pub kind: &'static str,
    /// Status.
    pub status: Status,
    /// Severity (alerts), else null.
    pub severity: Option<&'static str>,
    /// `title:`
    pub title: Option<String>,
    /// Rule file.
    pub file: String,
    /// Line of the `indicator`/`alert` keyword.
    pub line: usize,
    /// The instance's labels: the values of a rule's `by:` fields; empty
    /// for a rule without `by:`.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The name as text shows it: `name{field="value", ...}` for an
    /// instance.
    #[serde(skip)]
    pub display: String,
    /// True for an instance of a rule with `by:`.
    #[serde(skip)]
    pub grouped: bool,
    /// Rendered summary.
    pub summary: Option<String>,
    /// Rendered description.
    pub description: Option<String>,
    /// `source:` fields.
    pub sources: Vec<String>,
    /// `tags:`
    pub tags: Vec<String>,
    /// `for:` as written, if any.
    #[serde(rename = "for")]
    pub for_: Option<String>,
    /// The condition as written.
    pub when: String,
    /// The values that decided.
    pub values: Vec<Evidence>,
}

/// A data series that some rule reads, and how fresh it is.
#[derive(Serialize, Debug)]
pub struct FeedRow {
    /// The data series.
    pub name: String,
    /// The date of its newest observation dated on or before the
    /// evaluation date; null when there is none.
    pub newest: Option<String>,
    /// Days from `newest` to the evaluation date.
    pub age_days: Option<i64>,
    /// Its feed's `stale_after` (days as `14d`, months as `6mo` or `1y`);
    /// null without one.
    pub stale_after: Option<String>,
    /// True when its feed's `stale_after` has passed with no observation.
    pub stale: bool,
    /// Its feed's `title:`.
    pub title: Option<String>,
    /// Its feed's `source:` fields.
    pub sources: Vec<String>,
    /// Its feed's `description:`.
    pub description: Option<String>,
}

impl FeedRow {
    /// The feed rows of every data series `model` reads, by name, at `at`.
    pub fn all(model: &Model, at: Date) -> Vec<FeedRow> {
        model
            .data
            .iter()
            .map(|d| {
                let feed = model.program.feed(&d.series);
                let newest = d.newest(at);
                FeedRow {
                    name: d.series.clone(),
                    newest: newest.map(|n| n.to_string()),
                    age_days: newest.map(|n| at.days_since(n)),
                    stale_after: d.after.map(|a| a.to_string()),
                    stale: d.is_stale(at),
                    title: feed.and_then(|f| f.title.clone()),
                    sources: feed.map(|f| f.sources.clone()).unwrap_or_default(),
                    description: feed.and_then(|f| f.description.clone()),
                }
            })
            .collect()
    }
}

/// Every rule's result at a date.
#[derive(Serialize, Debug)]
pub struct Board {
    /// The evaluation date.
    pub at: String,
    /// Rows in rule-file order.
    pub results: Vec<Row>,
    /// Every data series a rule reads, by name.
    pub feeds: Vec<FeedRow>,
    /// The rules with `by:` that have no instance at the date (no row of
    /// their data names one yet): they have no result, and are listed
    /// here so that a reader tells them from rules that do not exist.
    /// Always written, empty when there are none, so that a script can
    /// read it without asking whether it is there.
    pub no_instances: Vec<NoInstance>,
}

/// A rule with `by:` that has no instance at the board's date.
#[derive(Serialize, Debug)]
pub struct NoInstance {
    /// The rule's name.
    pub name: String,
    /// `indicator` or `alert`.
    pub kind: &'static str,
    /// An alert's severity.
    pub severity: Option<&'static str>,
    /// The rule file.
    pub file: String,
    /// The line of its keyword.
    pub line: usize,
}

impl Board {
    /// Builds the board from evaluation results.
    pub fn new(at: Date, model: &Model, results: &[RuleResult], sources: &SourceMap) -> Board {
        // What a rule's instances share is rendered once per rule, for
        // the rules that have a result.
        let mut wanted = vec![false; model.program.rules.len()];
        for r in results {
            wanted[r.rule] = true;
        }
        let one = |(def, &wanted): (&crate::lang::program::RuleDef, &bool)| {
            wanted.then(|| {
                (
                    sources.name(def.file).to_string(),
                    sources.line_col(def.file, def.span.start as usize).0,
                    crate::eval::describe::show(&def.when, &model.program),
                )
            })
        };
        let rules = &model.program.rules;
        let shared: Vec<Option<(String, usize, String)>> = if results.len() >= PARALLEL_ROWS {
            use rayon::prelude::*;
            rules.par_iter().zip(&wanted).map(one).collect()
        } else {
            rules.iter().zip(&wanted).map(one).collect()
        };
        let row = |r: &RuleResult| {
            let def = &model.program.rules[r.rule];
            let (file, line, when) = shared[r.rule].clone().unwrap_or_default();
            Row {
                name: r.name.clone(),
                kind: match r.kind {
                    RuleKind::Indicator => "indicator",
                    RuleKind::Alert => "alert",
                },
                status: r.status,
                severity: r.severity.map(|s| s.as_str()),
                title: def.title.clone(),
                file,
                line,
                labels: crate::eval::labels_map(&r.labels),
                display: r.display_name(),
                grouped: def.is_grouped(),
                summary: r.summary.clone(),
                description: r.description.clone(),
                sources: def.sources.clone(),
                tags: def.tags.clone(),
                for_: def.for_.map(|d| d.to_string()),
                when,
                values: r.evidence.clone(),
            }
        };
        // Many instances are built on every core.
        let rows = if results.len() >= PARALLEL_ROWS {
            use rayon::prelude::*;
            results.par_iter().map(row).collect()
        } else {
            results.iter().map(row).collect()
        };
        let no_instances = rules
            .iter()
            .zip(&wanted)
            .filter(|(def, wanted)| def.is_grouped() && !**wanted)
            .map(|(def, _)| NoInstance {
                name: def.name.clone(),
                kind: match def.kind {
                    RuleKind::Indicator => "indicator",
                    RuleKind::Alert => "alert",
                },
                severity: def.severity.map(|s| s.as_str()),
                file: sources.name(def.file).to_string(),
                line: sources.line_col(def.file, def.span.start as usize).0,
            })
            .collect();
        Board {
            at: at.to_string(),
            results: rows,
            feeds: FeedRow::all(model, at),
            no_instances,
        }
    }

    /// Rows in reading order: alerts before indicators; within each, what
    /// fires first (met, pending, unknown, not met), severe alerts first.
    pub fn reading_order(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = self.results.iter().collect();
        let sev_rank = |r: &Row| match r.severity {
            Some("critical") => 0,
            Some("warning") => 1,
            Some("watch") => 2,
            Some("info") => 3,
            _ => 4,
        };
        rows.sort_by_key(|r| (r.kind != "alert", r.status, sev_rank(r)));
        rows
    }

    /// The rows in reading order, each rule with `by:` gathered into one
    /// entry placed where its first instance in that order stands.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out: Vec<Entry<'_>> = Vec::new();
        let mut at: std::collections::HashMap<(&str, &str, usize), usize> =
            std::collections::HashMap::new();
        for r in self.reading_order() {
            if !r.grouped {
                out.push(Entry::Rule(r));
                continue;
            }
            match at.get(&(r.name.as_str(), r.file.as_str(), r.line)) {
                Some(&k) => {
                    if let Entry::Grouped(rows) = &mut out[k] {
                        rows.push(r);
                    }
                }
                None => {
                    at.insert((r.name.as_str(), r.file.as_str(), r.line), out.len());
                    out.push(Entry::Grouped(vec![r]));
                }
            }
        }
        out
    }

    /// How many rows have each status.
    pub fn tally(&self) -> [(Status, usize); 4] {
        [
            Status::Met,
            Status::Pending,
            Status::Unknown,
            Status::NotMet,
        ]
        .map(|s| (s, self.results.iter().filter(|r| r.status == s).count()))
    }
}

/// One rule on the board: a row, or the instances of a rule with `by:`
/// (met first, as in [`Board::reading_order`]).
#[derive(Debug)]
pub enum Entry<'a> {
    /// A rule without `by:`.
    Rule(&'a Row),
    /// The instances of a rule with `by:` at the evaluation date.
    Grouped(Vec<&'a Row>),
}

impl Entry<'_> {
    /// `indicator` or `alert`.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::Rule(r) => r.kind,
            Entry::Grouped(rows) => rows[0].kind,
        }
    }

    /// The instances worth a line each: met and pending.
    pub fn shown(rows: &[&Row]) -> usize {
        rows.iter()
            .take_while(|r| matches!(r.status, Status::Met | Status::Pending))
            .count()
    }

    /// How many of `rows` have each status, the statuses that occur only,
    /// as `2 met, 1 not met`.
    pub fn counts(rows: &[&Row]) -> String {
        let mut parts = Vec::new();
        for s in [
            Status::Met,
            Status::Pending,
            Status::Unknown,
            Status::NotMet,
        ] {
            let n = rows.iter().filter(|r| r.status == s).count();
            if n > 0 {
                parts.push(format!("{n} {}", s.as_str().replace('_', " ")));
            }
        }
        parts.join(", ")
    }
}

/// The values that decided, on one line: `growth(adiz, 1y) = 3.2 · ...`.
pub fn values_line(row: &Row) -> String {
    row.values
        .iter()
        .map(|e| match &e.window {
            Some(w) => format!("{} = {} over {w}", e.expr, e.value.display()),
            None => format!("{} = {}", e.expr, e.value.display()),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `eval --format json`: exactly one JSON object.
pub fn json(board: &Board) -> String {
    // The rows are written on every core into the rest of the board.
    #[derive(Serialize)]
    struct Shell<'a> {
        at: &'a str,
        results: [(); 0],
        feeds: &'a [FeedRow],
        no_instances: &'a [NoInstance],
    }
    // Every field named, so that a field added to the board must be added
    // here too.
    let Board {
        at,
        results,
        feeds,
        no_instances,
    } = board;
    let shell = Shell {
        at,
        results: [],
        feeds,
        no_instances,
    };
    let spliced = serde_json::to_string_pretty(&shell)
        .ok()
        .and_then(|shell| crate::pretty::splice_array(&shell, "results", results));
    let mut s = match spliced {
        Some(s) => s,
        None => serde_json::to_string_pretty(board)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
    };
    s.push('\n');
    s
}
