//! Preparing a suite: test files parsed; the rules each one tests chosen
//! (its own, or the repository's) and checked by the rule checker together
//! with the tests' data and value expectations; every name an expectation
//! uses resolved. Nothing is evaluated here.

use super::ast::{DataBlock, DataField, Entry, ExpectKind, Test, TestFile};
use super::parser::parse_test_file;
use crate::diag::{did_you_mean, Code, Diagnostic, FileId, SourceMap, Span};
use crate::lang::ast::{BinOp, Expr, ExprKind, Ident, Item, LetItem, RuleFile, UnOp};
use crate::lang::functions::{lookup, Params};
use crate::lang::parser::parse_file;
use crate::lang::program::Status;
use crate::lang::program::{NodeKind, Program, Type};
use crate::library::check;
use crate::time::Date;
use crate::workspace::{unreadable, Contents, SourceFile};
use std::collections::{BTreeSet, HashMap};

/// Test files ready to run, or the diagnostics that stop them.
pub struct Suite {
    /// Every file read, for rendering diagnostics and locations.
    pub sources: SourceMap,
    /// Errors and warnings, without repeats, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The test files, in the order given.
    pub files: Vec<SuiteFile>,
}

impl Suite {
    /// True when any diagnostic is an error: then nothing may run.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// How many tests the suite holds.
    pub fn test_count(&self) -> usize {
        self.files.iter().map(|f| f.tests.len()).sum()
    }
}

/// One test file, checked.
pub struct SuiteFile {
    /// The file's name as given or found.
    pub name: String,
    /// Its id in the source map.
    pub id: FileId,
    /// The rules its tests run against, with one let per value expectation.
    pub program: Program,
    /// Data shared by its tests.
    pub data: Vec<DataBlock>,
    /// Its tests, in file order.
    pub tests: Vec<SuiteTest>,
}

/// One test, its names resolved.
pub struct SuiteTest {
    /// The test as written (for its data).
    pub test: Test,
    /// Every expectation, with the dates it applies to.
    pub checks: Vec<Check>,
}

/// One expectation over a range of dates (one date for `at DATE`).
pub struct Check {
    /// The first date.
    pub from: Date,
    /// The last date.
    pub to: Date,
    /// Where the expectation is written.
    pub span: Span,
    /// The expectation as written, blanks collapsed.
    pub text: String,
    /// What is checked.
    pub what: Expectation,
}

/// An expectation with its names resolved against the program.
pub enum Expectation {
    /// A rule's status, or one instance's.
    Status {
        /// Index of the rule in the program.
        rule: usize,
        /// For an instance of a rule with `by:`, each field as `by:`
        /// writes it with the value expected, in the order of `by:`.
        labels: Vec<(String, String)>,
        /// The status expected.
        status: Status,
    },
    /// A comparison of two values, held as the let at `slot`.
    Value {
        /// Index of the let holding `lhs OP rhs`.
        slot: usize,
        /// The comparison.
        op: BinOp,
        /// Tolerance for `==` and `!=` on numbers.
        within: Option<f64>,
        /// The left side as written.
        lhs: String,
        /// The right side as written.
        rhs: String,
        /// True when the right side is a percent literal, so that the left
        /// side prints as one too.
        percent: bool,
    },
    /// A rule's rendered summary, or an instance's.
    Summary {
        /// Index of the rule in the program.
        rule: usize,
        /// The instance's labels, in the order of `by:`; empty for a rule
        /// without `by:`.
        labels: Vec<(String, String)>,
        /// Exact match (`==`) rather than contains (`~`, ignoring case).
        exact: bool,
        /// The text expected.
        text: String,
    },
}

/// The name of the let that holds the `k`-th value expectation of a file;
/// it cannot be written in a file, so it never clashes with a rule's name.
fn slot_name(k: usize) -> String {
    format!("value expectation #{k}")
}

/// Parses and checks test files. `rules` are the repository's rule files,
/// used by test files without rules of their own (and parsed only then).
pub fn prepare(tests: &[SourceFile], rules: &[SourceFile]) -> Suite {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let mut parsed = Vec::new();
    for f in tests {
        let Contents::Text(text) = &f.contents else {
            let id = sources.add(&f.name, "");
            diags.extend(unreadable(id, &f.contents));
            continue;
        };
        let id = sources.add(&f.name, text.as_str());
        let (tf, d) = parse_test_file(id, text);
        let clean = d.is_empty();
        diags.extend(d);
        parsed.push((id, f.name.clone(), tf, clean));
    }
    let needs_repo = parsed.iter().any(|(_, _, tf, _)| tf.rules.items.is_empty());
    let mut repo = Vec::new();
    let mut repo_clean = true;
    if needs_repo {
        for f in rules {
            let Contents::Text(text) = &f.contents else {
                let id = sources.add(&f.name, "");
                diags.extend(unreadable(id, &f.contents));
                repo_clean = false;
                continue;
            };
            let id = sources.add(&f.name, text.as_str());
            let (rf, d) = parse_file(id, text);
            repo_clean &= d.is_empty();
            diags.extend(d);
            repo.push((id, rf));
        }
    }
    let repo_refs: Vec<(FileId, &RuleFile)> = repo.iter().map(|(id, rf)| (*id, rf)).collect();
    let free = series_read(&repo_refs);
    let mut files = Vec::new();
    for (id, name, tf, clean) in parsed {
        let inline = !tf.rules.items.is_empty();
        // A broken file, or broken rules, would only add errors that
        // follow from the ones already reported.
        if !clean || (!inline && !repo_clean) {
            continue;
        }
        let context = Context {
            file: id,
            sources: &sources,
            repo: (!inline).then_some(Repo {
                files: &repo_refs,
                reads: &free,
            }),
            no_rule_files: rules.is_empty(),
        };
        if let Some(f) = context.compile(name, tf, &mut diags) {
            files.push(f);
        }
    }
    // In reading order: by file, then by place in the file.
    diags.sort_by_key(|d| d.primary_span().map(|s| (s.file, s.start)));
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for d in diags {
        if !diagnostics.contains(&d) {
            diagnostics.push(d);
        }
    }
    Suite {
        sources,
        diagnostics,
        files,
    }
}

/// The repository's rules, parsed.
struct Repo<'a> {
    files: &'a [(FileId, &'a RuleFile)],
    /// The data series they read.
    reads: &'a BTreeSet<String>,
}

/// What one test file is checked against.
struct Context<'a> {
    file: FileId,
    sources: &'a SourceMap,
    /// The repository's rules, when the file has no rules of its own.
    repo: Option<Repo<'a>>,
    no_rule_files: bool,
}

impl Context<'_> {
    fn compile(
        &self,
        name: String,
        tf: TestFile,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<SuiteFile> {
        let errors_before = diags.iter().filter(|d| d.is_error()).count();
        let own = [(self.file, &tf.rules)];
        let rule_files: &[(FileId, &RuleFile)] = match &self.repo {
            Some(repo) => repo.files,
            None => &own,
        };
        let items: HashMap<&str, &Item> = rule_files
            .iter()
            .flat_map(|(_, rf)| &rf.items)
            // A feed takes no name: it describes a data series.
            .filter(|i| !matches!(i, Item::Feed(_)))
            .map(|i| (i.name().name.as_str(), i))
            .collect();
        structure(&tf, diags);

        // The data series the checker knows: every block of the file not
        // named like an item, and the series the repository's rules read.
        let mut data_names: BTreeSet<String> = BTreeSet::new();
        for block in all_blocks(&tf) {
            match items.get(block.name.name.as_str()) {
                Some(item) => diags.push(names_item(block, item)),
                None => {
                    data_names.insert(block.name.name.clone());
                }
            }
        }
        if let Some(repo) = &self.repo {
            data_names.extend(repo.reads.iter().cloned());
        }

        // Each value expectation becomes a let, checked with the rules.
        let mut slots = RuleFile { items: Vec::new() };
        for e in tf
            .tests
            .iter()
            .flat_map(|t| &t.checks)
            .flat_map(|a| &a.expects)
        {
            if let ExpectKind::Value { lhs, op, rhs, .. } = &e.kind {
                let span = lhs.span.to(rhs.span);
                slots.items.push(Item::Let(LetItem {
                    name: Ident {
                        name: slot_name(slots.items.len()),
                        span: e.span,
                    },
                    value: Expr {
                        kind: ExprKind::Binary {
                            op: *op,
                            lhs: lhs.clone(),
                            rhs: rhs.clone(),
                        },
                        span,
                    },
                    span: e.span,
                }));
            }
        }
        let mut files: Vec<(FileId, &RuleFile)> = rule_files.to_vec();
        files.push((self.file, &slots));
        let names: Vec<&str> = data_names.iter().map(String::as_str).collect();
        let checked = check(&files, &names);
        let check_failed = checked.has_errors();
        let inline = self.repo.is_none();
        diags.extend(checked.diagnostics.into_iter().map(|mut d| {
            // A file with rules of its own reads no data folder: its data
            // blocks are where series come from.
            if inline && d.code == Code::UnknownName && d.message.starts_with("unknown series") {
                for note in &mut d.notes {
                    if note.starts_with("series come from the files under --indicators") {
                        *note = "in a test file with rules of its own, data series come from its `data NAME { ... }` blocks: give this series one (`data NAME {}` for none)".to_string();
                    }
                }
            }
            d
        }));
        let program = checked.program;

        let mut tests = Vec::new();
        let mut slot = 0;
        for test in &tf.tests {
            let mut checks = Vec::new();
            for at in &test.checks {
                for e in &at.expects {
                    let what = match &e.kind {
                        ExpectKind::Status {
                            rule,
                            labels,
                            status,
                        } => self.rule(&program, &items, rule, diags).and_then(|r| {
                            match instance_labels(&program, r, rule, labels) {
                                Ok(labels) => Some(Expectation::Status {
                                    rule: r,
                                    labels,
                                    status: *status,
                                }),
                                Err(d) => {
                                    diags.push(*d);
                                    None
                                }
                            }
                        }),
                        ExpectKind::Summary {
                            rule,
                            labels,
                            exact,
                            text,
                        } => {
                            let r = self.rule(&program, &items, rule, diags);
                            match r {
                                Some(r) if program.rules[r].summary.is_none() => {
                                    diags.push(no_summary(rule));
                                    None
                                }
                                Some(r) => match instance_labels(&program, r, rule, labels) {
                                    Ok(labels) => Some(Expectation::Summary {
                                        rule: r,
                                        labels,
                                        exact: *exact,
                                        text: text.value.clone(),
                                    }),
                                    Err(d) => {
                                        diags.push(*d);
                                        None
                                    }
                                },
                                None => None,
                            }
                        }
                        ExpectKind::Value {
                            lhs,
                            op,
                            rhs,
                            within,
                        } => {
                            let name = slot_name(slot);
                            slot += 1;
                            let index = program.lets.iter().position(|l| l.name == name);
                            if let (Some(i), Some((_, span))) = (index, within) {
                                if let Some(d) = tolerance_on_text(&program, i, *span) {
                                    diags.push(d);
                                }
                            }
                            index.map(|i| Expectation::Value {
                                slot: i,
                                op: *op,
                                within: within.map(|w| w.0),
                                lhs: self.text_of(lhs.span),
                                rhs: self.text_of(rhs.span),
                                percent: is_percent(rhs),
                            })
                        }
                    };
                    if let Some(what) = what {
                        checks.push(Check {
                            from: at.from,
                            to: at.to,
                            span: e.span,
                            text: self.text_of(e.span),
                            what,
                        });
                    }
                }
            }
            tests.push(SuiteTest {
                test: test.clone(),
                checks,
            });
        }
        if !check_failed {
            self.unread_data(&tf, &program, &items, diags);
        }
        let errors_after = diags.iter().filter(|d| d.is_error()).count();
        (errors_after == errors_before).then_some(SuiteFile {
            name,
            id: self.file,
            program,
            data: tf.data,
            tests,
        })
    }

    /// The text of a span of the test file, blanks collapsed to one space.
    fn text_of(&self, span: Span) -> String {
        let text = self.sources.text(self.file);
        text.get(span.range())
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The rule an expectation names, or an error saying why there is none.
    fn rule(
        &self,
        program: &Program,
        items: &HashMap<&str, &Item>,
        id: &Ident,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        if let Some(r) = program.rule(&id.name) {
            return Some(r);
        }
        let mut d = Diagnostic::error(
            Code::UnknownRuleInTest,
            format!("no indicator or alert is called `{}`", id.name),
        )
        .with_primary(id.span, "not a rule");
        match items.get(id.name.as_str()) {
            Some(Item::Let(_)) => {
                d = d.with_note(format!(
                    "`{}` is a let; check its value with `value {} == ...`",
                    id.name, id.name
                ))
            }
            Some(Item::Series(_)) => {
                d = d.with_note(format!(
                    "`{}` is a series; check a value of it, such as `value latest({}) == ...`",
                    id.name, id.name
                ))
            }
            _ => {
                let names = program.rules.iter().map(|r| r.name.as_str());
                match did_you_mean(&id.name, names) {
                    Some(near) => d.message.push_str(&format!("; did you mean `{near}`?")),
                    None if program.rules.is_empty() && self.repo.is_some() && self.no_rule_files => {
                        d = d.with_note("this file has no rules of its own and no rule files were found (--rules, default `rules`)")
                    }
                    None if self.repo.is_some() => {
                        d = d.with_note("this file has no rules of its own, so it tests the rules under --rules (default `rules`)")
                    }
                    None => {
                        d = d.with_note("this file has rules of its own, so its tests see only those")
                    }
                }
            }
        }
        diags.push(d);
        None
    }

    /// Test data that no rule and no expectation reads.
    fn unread_data(
        &self,
        tf: &TestFile,
        program: &Program,
        items: &HashMap<&str, &Item>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let read: BTreeSet<&str> = program.series.iter().map(|s| s.root.as_str()).collect();
        for block in all_blocks(tf) {
            let name = block.name.name.as_str();
            if read.contains(name) || items.contains_key(name) {
                continue;
            }
            let mut d = Diagnostic::error(
                Code::UnusedTestData,
                format!("no rule reads the series `{name}`"),
            )
            .with_primary(block.name.span, "data that nothing reads");
            let given: BTreeSet<&str> = all_blocks(tf).map(|b| b.name.name.as_str()).collect();
            let wanted = read.iter().copied().filter(|n| !given.contains(n));
            d = match did_you_mean(name, wanted) {
                Some(near) => {
                    d.message.push_str(&format!("; did you mean `{near}`?"));
                    d
                }
                None => d.with_note(
                    "a test sees only the data it gives; data that no rule reads is a mistake or a leftover",
                ),
            };
            diags.push(d);
        }
    }
}

/// Every data block of a file: the shared ones, then each test's.
fn all_blocks(tf: &TestFile) -> impl Iterator<Item = &DataBlock> {
    tf.data.iter().chain(tf.tests.iter().flat_map(|t| &t.data))
}

/// Problems of a file's shape: tests named twice, series given twice in
/// one place, tests that expect nothing.
fn structure(tf: &TestFile, diags: &mut Vec<Diagnostic>) {
    let mut names: HashMap<&str, Span> = HashMap::new();
    for t in &tf.tests {
        if let Some(&first) = names.get(t.name.value.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateTest,
                    format!("two tests are called {:?}", t.name.value),
                )
                .with_primary(t.name.span, "named again here")
                .with_secondary(first, "first named here")
                .with_note("test names identify failures and JUnit cases; make them unique"),
            );
        } else {
            names.insert(&t.name.value, t.name.span);
        }
        if t.checks.is_empty() {
            diags.push(
                Diagnostic::error(
                    Code::EmptyTest,
                    format!("the test {:?} expects nothing", t.name.value),
                )
                .with_primary(t.name.span, "no `at` block")
                .with_note("add what is expected at a date: `at 2025-07-20 { NAME met }`"),
            );
        }
        for at in &t.checks {
            if at.expects.is_empty() {
                diags.push(
                    Diagnostic::error(Code::EmptyTest, "this `at` block expects nothing")
                        .with_primary(at.span, "no expectation")
                        .with_note("name a rule and its status, such as `pla_surge met`"),
                );
            }
        }
        duplicate_blocks(&t.data, diags);
    }
    duplicate_blocks(&tf.data, diags);
}

fn duplicate_blocks(blocks: &[DataBlock], diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for b in blocks {
        for e in &b.entries {
            let fields = match e {
                Entry::Point(p) => &p.fields,
                Entry::Run(r) => &r.fields,
            };
            duplicate_fields(fields, diags);
        }
        match seen.get(b.name.name.as_str()) {
            Some(first) => diags.push(
                Diagnostic::error(
                    Code::DuplicateData,
                    format!("the series `{}` is given twice", b.name.name),
                )
                .with_primary(b.name.span, "given again here")
                .with_secondary(*first, "first given here")
                .with_note("give all its observations in one block"),
            ),
            None => {
                seen.insert(&b.name.name, b.name.span);
            }
        }
    }
}

/// A field given twice in one observation (names match ignoring case, as
/// a data file's columns do): the last would silently win.
fn duplicate_fields(fields: &[DataField], diags: &mut Vec<Diagnostic>) {
    for (k, f) in fields.iter().enumerate() {
        if let Some(first) = fields[..k]
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(&f.name))
        {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateField,
                    format!(
                        "the field `{}` is given twice in one observation",
                        first.name
                    ),
                )
                .with_primary(f.span, "given again here")
                .with_secondary(first.span, "first given here")
                .with_note("field names match ignoring case; give each field once"),
            );
        }
    }
}

/// The error for a data block named like a rule item.
fn names_item(block: &DataBlock, item: &Item) -> Diagnostic {
    let (what, note) = match item {
        Item::Series(s) => (
            "a `series` item",
            format!(
                "a derived series is computed from its data; give the data of `{}` instead",
                s.expr.base.name
            ),
        ),
        Item::Let(_) => (
            "a `let`",
            "give data to the series the rules read".to_string(),
        ),
        Item::Rule(_) => (
            "an indicator or alert",
            "give data to the series the rules read".to_string(),
        ),
        // Not among the items a block is compared with.
        Item::Feed(_) => (
            "a feed",
            "give data to the series the rules read".to_string(),
        ),
    };
    Diagnostic::error(
        Code::DataNamesItem,
        format!("`{}` is {what}, not a data series", block.name.name),
    )
    .with_primary(block.name.span, "data given here")
    .with_secondary(item.name().span, "defined here")
    .with_note(note)
}

/// The labels of an expectation on rule `r`, in the order of its `by:`:
/// every `by` field named once, and none for a rule without `by:`.
fn instance_labels(
    program: &Program,
    r: usize,
    rule: &Ident,
    labels: &[(Ident, crate::lang::ast::StrLit)],
) -> Result<Vec<(String, String)>, Box<Diagnostic>> {
    let by = &program.rules[r].by;
    let fields: Vec<&str> = by.iter().map(|f| f.name.as_str()).collect();
    let example = || {
        let inner: Vec<String> = fields.iter().map(|f| format!("{f}=\"...\"")).collect();
        format!("{}{{{}}}", rule.name, inner.join(", "))
    };
    let error = |span, message: String, label: &str, note: String| {
        Box::new(
            Diagnostic::error(Code::InstanceInTest, message)
                .with_primary(span, label.to_string())
                .with_note(note),
        )
    };
    if by.is_empty() {
        return match labels.first() {
            None => Ok(Vec::new()),
            Some((f, _)) => Err(error(
                f.span,
                format!("`{}` has no `by:`, so it has no instances", rule.name),
                "not a field of `by:`",
                format!("expect the rule's own status: `{} met`", rule.name),
            )),
        };
    }
    if labels.is_empty() {
        return Err(error(
            rule.span,
            format!(
                "`{}` has `by: {}`: name the instance expected",
                rule.name,
                fields.join(", ")
            ),
            "a rule with instances",
            format!("write `{} met`", example()),
        ));
    }
    for (f, _) in labels {
        if !fields.iter().any(|b| b.eq_ignore_ascii_case(&f.name)) {
            let hint = did_you_mean(&f.name, fields.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err(error(
                f.span,
                format!(
                    "`{}` is not a field of `by: {}`{hint}",
                    f.name,
                    fields.join(", ")
                ),
                "not a field of `by:`",
                format!("write `{} met`", example()),
            ));
        }
    }
    let mut out = Vec::new();
    for field in &fields {
        let named: Vec<&(Ident, crate::lang::ast::StrLit)> = labels
            .iter()
            .filter(|(f, _)| f.name.eq_ignore_ascii_case(field))
            .collect();
        match named.as_slice() {
            [(_, v)] => out.push((field.to_string(), v.value.clone())),
            [] => {
                return Err(error(
                    rule.span,
                    format!(
                        "the instance expected of `{}` gives no `{field}`",
                        rule.name
                    ),
                    "every field of `by:` is needed",
                    format!("write `{} met`", example()),
                ))
            }
            [_, (f, _), ..] => {
                return Err(error(
                    f.span,
                    format!("`{field}` is given twice"),
                    "given again",
                    format!("write `{} met`", example()),
                ))
            }
        }
    }
    Ok(out)
}

fn no_summary(rule: &Ident) -> Diagnostic {
    Diagnostic::error(
        Code::NoSummary,
        format!("`{}` has no `summary:` to check", rule.name),
    )
    .with_primary(rule.span, "no summary")
    .with_note("check its status instead, or give the rule a `summary:`")
}

/// A tolerance is for numbers; the error when a side of the comparison is
/// something else.
fn tolerance_on_text(program: &Program, slot: usize, span: Span) -> Option<Diagnostic> {
    let NodeKind::Binary(_, l, r) = &program.lets[slot].value.kind else {
        return None;
    };
    let other = [l, r]
        .into_iter()
        .find(|n| !matches!(n.ty, Type::Number | Type::None | Type::Error))?;
    Some(
        Diagnostic::error(
            Code::BadTolerance,
            format!(
                "a tolerance applies to numbers, not to a {}",
                other.ty.name()
            ),
        )
        .with_primary(span, "a tolerance")
        .with_secondary(other.span, other.ty.name())
        .with_note("remove `within ...`: other values are equal or not"),
    )
}

fn is_percent(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Percent(_) => true,
        ExprKind::Unary {
            op: UnOp::Neg,
            expr,
        }
        | ExprKind::Paren(expr) => is_percent(expr),
        _ => false,
    }
}

/// The names that rule files use as data series (the first argument of a
/// series function, the base of a filter or projection, the right side of
/// a `series` item) and do not define.
fn series_read(files: &[(FileId, &RuleFile)]) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut defined = BTreeSet::new();
    for (_, rf) in files {
        for item in &rf.items {
            if let Item::Feed(f) = item {
                used.insert(f.name.name.clone());
                continue;
            }
            defined.insert(item.name().name.clone());
            match item {
                Item::Feed(_) => {}
                Item::Series(s) => {
                    used.insert(s.expr.base.name.clone());
                }
                Item::Let(l) => series_in(&l.value, &mut used),
                Item::Rule(r) => {
                    for f in &r.fields {
                        match &f.value {
                            crate::lang::ast::FieldValue::Expr(e) => series_in(e, &mut used),
                            crate::lang::ast::FieldValue::Template(t) => {
                                for part in &t.parts {
                                    if let crate::lang::ast::TemplatePart::Hole(e) = part {
                                        series_in(e, &mut used);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    used.retain(|n| !defined.contains(n));
    used
}

fn series_in(e: &Expr, out: &mut BTreeSet<String>) {
    match &e.kind {
        ExprKind::Series(s) => {
            out.insert(s.base.name.clone());
        }
        ExprKind::Call { func, args } => {
            let takes_series = lookup(crate::library::signatures(), &func.name).is_some_and(|(_, f)| {
                matches!(f.params, Params::Fixed(p) if p.first().is_some_and(|p| p.1 == Type::Series))
            });
            for (k, a) in args.iter().enumerate() {
                match &a.value.kind {
                    ExprKind::Name(id) if k == 0 && takes_series && a.name.is_none() => {
                        out.insert(id.name.clone());
                    }
                    _ => series_in(&a.value, out),
                }
            }
        }
        ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => series_in(expr, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            series_in(lhs, out);
            series_in(rhs, out);
        }
        _ => {}
    }
}
