//! Command-line arguments, as clap parses them. They are turned into a
//! [`super::config::Config`] once; commands never see raw flags.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// tocsin: a rules engine for indicator-based early warning.
#[derive(Parser, Debug)]
#[command(name = "tocsin", version, about, long_about = None)]
pub struct Cli {
    /// When to colour the output: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always or never
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorWhen::Auto
    )]
    pub color: ColorWhen,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`: when standard output and standard error take colour.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set; `CLICOLOR_FORCE` forces it.
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// Where rules and data are read from.
#[derive(clap::Args, Debug, Clone)]
pub struct Inputs {
    /// A `.rules` file or a folder searched for them (may repeat) [default: rules]
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// A data file or a folder searched for them (may repeat) [default: indicators]
    #[arg(long = "indicators", value_name = "PATH")]
    pub indicators: Vec<PathBuf>,
}

/// Output formats of `eval`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalFormat {
    /// Aligned, for a terminal.
    Table,
    /// One JSON object.
    Json,
    /// A Markdown table, for a CI job summary.
    Markdown,
}

/// Output formats of `check`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    /// Rendered diagnostics, for a terminal.
    Text,
    /// One JSON object with every diagnostic.
    Json,
    /// GitHub Actions workflow commands (`::error file=...,line=...::...`).
    Github,
}

/// Output formats of `explain` and `history`, which print no diagnostics.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadFormat {
    /// For a person.
    Text,
    /// JSON: one object for `explain`, one object a line (each change) for `history`.
    Json,
}

/// Severities for `--fail-on`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// Any met alert.
    Info,
    /// `watch` and above.
    Watch,
    /// `warning` and above.
    Warning,
    /// `critical` only.
    Critical,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and type-check the rules against the data's series; report every problem
    Check {
        #[command(flatten)]
        inputs: Inputs,
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Evaluate once at a date and report every indicator and alert
    Eval {
        #[command(flatten)]
        inputs: Inputs,
        /// Evaluation date, YYYY-MM-DD (default: today, UTC)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        at: Option<crate::time::Date>,
        /// Output format
        #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
        format: EvalFormat,
        /// Exit 1 if an alert of this severity or higher is met
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<FailOn>,
    },
    /// Evaluate, then re-evaluate whenever a rule or data file changes or the date changes; report changes of status
    Watch {
        #[command(flatten)]
        inputs: Inputs,
        /// Freeze the evaluation date, YYYY-MM-DD (default: today, UTC, moving at midnight)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        at: Option<crate::time::Date>,
        /// Event format (default: text on a terminal, json otherwise)
        #[arg(long, value_enum)]
        format: Option<WatchFormat>,
        /// Serve /metrics, /api/v1/status and /healthz on this address (e.g. 127.0.0.1:9464)
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Folder for the journal of status changes and notifications
        #[arg(long, value_name = "DIR", default_value = ".tocsin")]
        state: std::path::PathBuf,
        /// POST each status change as JSON to this URL (retried until delivered); a URL holding a token is better given by the environment, out of the process list
        #[arg(
            long,
            value_name = "URL",
            env = "TOCSIN_WEBHOOK",
            hide_env_values = true
        )]
        webhook: Option<String>,
        /// The webhook's body: tocsin's own JSON, an Alertmanager webhook's, or a CloudEvent (structured JSON); signed when TOCSIN_WEBHOOK_SECRET is set
        #[arg(long, value_enum, value_name = "FORMAT", default_value = "tocsin")]
        webhook_format: WebhookFormatArg,
        /// Send met alerts to this Prometheus Alertmanager (its base URL, e.g. http://127.0.0.1:9093); repeat it, or separate URLs with commas, to send to every member of an Alertmanager cluster, as Prometheus does
        #[arg(
            long,
            value_name = "URL",
            env = "TOCSIN_ALERTMANAGER",
            hide_env_values = true,
            value_delimiter = ','
        )]
        alertmanager: Vec<String>,
        /// The URL people reach the daemon's --listen address at (behind a proxy, or when listening on 0.0.0.0); Alertmanager alerts link to the rule's status under it
        #[arg(long, value_name = "URL")]
        external_url: Option<String>,
    },
    /// Explain why a rule has its status: its condition as a tree with values, windows and observations
    Explain {
        /// The indicator or alert; for a rule with `by:`, one instance: NAME{field="value", ...}
        #[arg(value_parser = super::selector::parse_selector)]
        name: super::selector::Selector,
        #[command(flatten)]
        inputs: Inputs,
        /// Evaluation date, YYYY-MM-DD (default: today, UTC)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        at: Option<crate::time::Date>,
        /// Pick the instance of a rule with `by:` whose FIELD has VALUE (may repeat)
        #[arg(long = "where", value_name = "FIELD=VALUE", value_parser = super::selector::parse_where)]
        where_: Vec<(String, String)>,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReadFormat::Text)]
        format: ReadFormat,
    },
    /// Evaluate every rule at every step of a past range: when each fired, how often it flapped, its lead time
    Backtest {
        #[command(flatten)]
        inputs: Inputs,
        /// First date, YYYY-MM-DD
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        from: crate::time::Date,
        /// Last date, YYYY-MM-DD (default: today, UTC)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        to: Option<crate::time::Date>,
        /// Step: 1d, 1w, 1mo, ...
        #[arg(long, value_name = "STEP", default_value = "1d", value_parser = crate::cli::backtest::parse_step)]
        step: crate::time::Duration,
        /// A data series holding the event the warnings were meant to anticipate; its first event gives the lead times
        #[arg(long, value_name = "SERIES")]
        outcome: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = BacktestFormat::Table)]
        format: BacktestFormat,
    },
    /// Rewrite rule and test files in the one canonical layout (`-` formats stdin to stdout)
    Fmt {
        /// Only list the files that would change; exit 1 if any would
        #[arg(long)]
        check: bool,
        /// Rule or test files, or folders [default: rules]
        paths: Vec<std::path::PathBuf>,
        /// Rule or test files, or folders, to format as the PATHs are (may repeat)
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// Taken as every command takes it, but not read: data files are not formatted (a warning says so)
        #[arg(long = "indicators", value_name = "PATH")]
        indicators: Vec<PathBuf>,
    },
    /// Write the board as one self-contained HTML page: cards, charts of the data, status history
    Report {
        #[command(flatten)]
        inputs: Inputs,
        /// Evaluation date, YYYY-MM-DD (default: today, UTC)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        at: Option<crate::time::Date>,
        /// First date of the charts and the status history, YYYY-MM-DD (default: two years before --at)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        from: Option<crate::time::Date>,
        /// The HTML file to write; `-` for standard output
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): tocsin(1), or tocsin-COMMAND(1) with COMMAND; `--out DIR` writes every page into DIR
    Man {
        /// The subcommand whose page to print (`tocsin man eval` is tocsin-eval(1)) [default: tocsin(1)]
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
        /// Write the pages into this folder instead, created if missing: every page, or only COMMAND's; their paths are printed
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Run rule unit tests: test files give data, dates and the statuses expected
    Test {
        /// `.test` files, or folders searched for them [default: the --rules folders]
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The rules tested by test files without rules of their own (may repeat) [default: rules]
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// Taken as every command takes it, but not read: a test reads only the data its test file gives (a warning says so)
        #[arg(long = "indicators", value_name = "PATH")]
        indicators: Vec<PathBuf>,
        /// List every test, passing ones too
        #[arg(long, short)]
        verbose: bool,
        /// Also write the results as JUnit XML to this file
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
    },
    /// Print the story of a rule (or of every rule) from the watch daemon's journal
    History {
        /// The rule; every rule when omitted
        name: Option<String>,
        /// The daemon's state folder
        #[arg(long, value_name = "DIR", default_value = ".tocsin")]
        state: std::path::PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReadFormat::Text)]
        format: ReadFormat,
    },
}

/// Output formats of `backtest`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BacktestFormat {
    /// Aligned, for a terminal.
    Table,
    /// One row per rule.
    Csv,
    /// Every period of every rule.
    Json,
}

/// Webhook body formats of `watch`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookFormatArg {
    /// tocsin's status event, with version, id, seq and ts.
    Tocsin,
    /// The body Alertmanager posts to webhook receivers (version 4).
    Alertmanager,
    /// A CloudEvents 1.0 event in structured JSON mode.
    #[value(name = "cloudevents")]
    CloudEvents,
}

/// Event formats of `watch`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchFormat {
    /// Lines for a person.
    Text,
    /// One JSON object a line.
    Json,
}

fn parse_date(s: &str) -> Result<crate::time::Date, String> {
    crate::time::Date::parse_iso(s)
        .ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD, for example 2025-07-20"))
}
