//! The command line resolved once: the default folders, whether paths
//! were given, the evaluation date (`--at`, `TOCSIN_TODAY` or the clock),
//! the formats and colour. Commands read a [`Config`], never raw flags, so
//! that a default is decided in one place.

use super::args::{
    BacktestFormat, CheckFormat, Cli, ColorWhen, Command, EvalFormat, FailOn, ReadFormat,
    WatchFormat, WebhookFormatArg,
};
use crate::lang::ast::Severity;
use crate::project::{Paths, INDICATORS, RULES};
use crate::time::{Date, Duration};
use std::io::IsTerminal;
use std::path::PathBuf;

/// What tocsin was asked to do, every default resolved.
#[derive(Debug)]
pub struct Config {
    /// Rule files and folders: `--rules`, or `rules`.
    pub rules: Paths,
    /// Data files and folders: `--indicators`, or `indicators`.
    pub indicators: Paths,
    /// The evaluation date: `--at`, or today.
    pub at: Date,
    /// `--at` as given: the daemon's date moves unless it was.
    pub frozen: Option<Date>,
    /// Whether standard output takes colour.
    pub colour_out: bool,
    /// Whether standard error takes colour.
    pub colour_err: bool,
    /// Whether a long run may draw a progress bar on standard error.
    pub progress: bool,
    /// The command, with its own settings.
    pub task: Task,
}

/// A command and the settings only it reads.
#[derive(Debug)]
pub enum Task {
    /// `check`.
    Check {
        /// Output format.
        format: CheckFormat,
    },
    /// `eval`.
    Eval {
        /// Output format.
        format: EvalFormat,
        /// Fail when an alert of this severity or higher is met.
        fail_on: Option<Severity>,
    },
    /// `watch`.
    Watch(Daemon),
    /// `history`.
    History {
        /// One rule, or every rule.
        name: Option<String>,
        /// `--state`.
        state: PathBuf,
        /// Output format.
        format: ReadFormat,
    },
    /// `completions`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// `man`.
    Man {
        /// The subcommand whose page is wanted, or tocsin's own.
        command: Option<String>,
        /// `--out`: the folder to write the pages into.
        out: Option<PathBuf>,
    },
    /// `fmt`.
    Fmt {
        /// Only list what would change.
        check: bool,
        /// The files and folders, or `rules`.
        paths: Paths,
    },
    /// `backtest`.
    Backtest {
        /// First date.
        from: Date,
        /// Last date: `--to`, or today.
        to: Date,
        /// Step.
        step: Duration,
        /// The outcome series.
        outcome: Option<String>,
        /// Output format.
        format: BacktestFormat,
    },
    /// `explain`.
    Explain {
        /// The rule, and the labels of the instance wanted (`NAME{...}`
        /// and `--where` together).
        rule: super::selector::Selector,
        /// Output format.
        format: ReadFormat,
    },
    /// `report`.
    Report {
        /// First date of the charts: `--from`, or two years before the
        /// evaluation date.
        from: Date,
        /// The file to write, `-` for standard output.
        output: PathBuf,
    },
    /// `test`.
    Test {
        /// Test files and folders: as given, or the rule folders.
        tests: Paths,
        /// List passing tests too.
        verbose: bool,
        /// `--junit`.
        junit: Option<PathBuf>,
    },
}

/// The daemon's own settings.
#[derive(Debug)]
pub struct Daemon {
    /// Event format: as given, else text on a terminal, JSON otherwise.
    pub format: crate::watch::Format,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--state`.
    pub state: PathBuf,
    /// `--webhook`.
    pub webhook: Option<String>,
    /// `--webhook-format`.
    pub webhook_format: crate::sinks::WebhookFormat,
    /// `--alertmanager`, once for each Alertmanager.
    pub alertmanager: Vec<String>,
    /// `--external-url`.
    pub external_url: Option<String>,
}

/// What the defaults depend on besides the flags.
#[derive(Clone, Copy, Debug)]
struct Surroundings {
    today: Date,
    out_terminal: bool,
    err_terminal: bool,
    /// `NO_COLOR` set and not empty.
    no_colour: bool,
    /// `CLICOLOR_FORCE` set and neither empty nor `0`.
    force_colour: bool,
}

impl Surroundings {
    /// Whether a stream takes colour under `--color`: `always` and `never`
    /// decide alone; `auto` gives colour to a terminal, `NO_COLOR` takes
    /// it away and, short of that, `CLICOLOR_FORCE` gives it to any
    /// stream (the order of <https://no-color.org> and the CLICOLOR
    /// convention).
    fn colour(&self, when: ColorWhen, terminal: bool) -> bool {
        match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => !self.no_colour && (self.force_colour || terminal),
        }
    }
}

impl Config {
    /// Resolves the parsed command line against the environment (the
    /// clock, `TOCSIN_TODAY`, `NO_COLOR`, `CLICOLOR_FORCE`, which streams
    /// are terminals).
    pub fn new(cli: Cli) -> Config {
        Config::resolve(
            cli,
            Surroundings {
                today: crate::clock::today(),
                out_terminal: std::io::stdout().is_terminal(),
                err_terminal: std::io::stderr().is_terminal(),
                no_colour: super::term::no_colour(),
                force_colour: super::term::force_colour(),
            },
        )
    }

    /// [`Config::new`] with the surroundings given.
    fn resolve(cli: Cli, env: Surroundings) -> Config {
        let today = env.today;
        let colour_out = env.colour(cli.color, env.out_terminal);
        let colour_err = env.colour(cli.color, env.err_terminal);
        let mut rules = Paths::or_default(&[], RULES);
        let mut indicators = Paths::or_default(&[], INDICATORS);
        let mut frozen = None;
        let mut inputs = |i: super::args::Inputs| {
            rules = Paths::or_default(&i.rules, RULES);
            indicators = Paths::or_default(&i.indicators, INDICATORS);
        };
        let task = match cli.command {
            Command::Check { inputs: i, format } => {
                inputs(i);
                Task::Check { format }
            }
            Command::Eval {
                inputs: i,
                at,
                format,
                fail_on,
            } => {
                inputs(i);
                frozen = at;
                Task::Eval {
                    format,
                    fail_on: fail_on.map(severity),
                }
            }
            Command::Watch {
                inputs: i,
                at,
                format,
                listen,
                state,
                webhook,
                webhook_format,
                alertmanager,
                external_url,
            } => {
                inputs(i);
                frozen = at;
                let format = match format {
                    Some(WatchFormat::Text) => crate::watch::Format::Text,
                    Some(WatchFormat::Json) => crate::watch::Format::Json,
                    None if env.out_terminal => crate::watch::Format::Text,
                    None => crate::watch::Format::Json,
                };
                Task::Watch(Daemon {
                    format,
                    listen,
                    state,
                    webhook,
                    webhook_format: match webhook_format {
                        WebhookFormatArg::Tocsin => crate::sinks::WebhookFormat::Tocsin,
                        WebhookFormatArg::Alertmanager => crate::sinks::WebhookFormat::Alertmanager,
                        WebhookFormatArg::CloudEvents => crate::sinks::WebhookFormat::CloudEvents,
                    },
                    alertmanager,
                    external_url,
                })
            }
            Command::History {
                name,
                state,
                format,
            } => Task::History {
                name,
                state,
                format,
            },
            Command::Completions { shell } => Task::Completions { shell },
            Command::Man { command, out } => Task::Man { command, out },
            Command::Fmt {
                check,
                mut paths,
                rules: r,
                indicators: ind,
            } => {
                paths.extend(r);
                indicators = Paths::or_default(&ind, INDICATORS);
                Task::Fmt {
                    check,
                    paths: Paths::or_default(&paths, RULES),
                }
            }
            Command::Backtest {
                inputs: i,
                from,
                to,
                step,
                outcome,
                format,
            } => {
                inputs(i);
                Task::Backtest {
                    from,
                    to: to.unwrap_or(today),
                    step,
                    outcome,
                    format,
                }
            }
            Command::Explain {
                name: mut rule,
                inputs: i,
                at,
                where_,
                format,
            } => {
                inputs(i);
                frozen = at;
                rule.labels.extend(where_);
                Task::Explain { rule, format }
            }
            Command::Report {
                inputs: i,
                at,
                from,
                output,
            } => {
                inputs(i);
                frozen = at;
                let at = at.unwrap_or(today);
                Task::Report {
                    // A date too early to go back two years from starts
                    // the charts at the evaluation date.
                    from: from
                        .or_else(|| at.minus(Duration::Months(24)))
                        .unwrap_or(at),
                    output,
                }
            }
            Command::Test {
                paths,
                rules: r,
                indicators: ind,
                verbose,
                junit,
            } => {
                rules = Paths::or_default(&r, RULES);
                indicators = Paths::or_default(&ind, INDICATORS);
                // Tests live beside the rules unless the command line says
                // otherwise.
                let tests = if paths.is_empty() {
                    Paths {
                        paths: rules.paths.clone(),
                        explicit: false,
                    }
                } else {
                    Paths {
                        paths,
                        explicit: true,
                    }
                };
                Task::Test {
                    tests,
                    verbose,
                    junit,
                }
            }
        };
        Config {
            rules,
            indicators,
            at: frozen.unwrap_or(today),
            frozen,
            colour_out,
            colour_err,
            progress: env.err_terminal,
            task,
        }
    }
}

fn severity(f: FailOn) -> Severity {
    match f {
        FailOn::Info => Severity::Info,
        FailOn::Watch => Severity::Watch,
        FailOn::Warning => Severity::Warning,
        FailOn::Critical => Severity::Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn config_in(args: &[&str], terminal: bool, no_colour: bool) -> Config {
        let cli =
            Cli::try_parse_from(std::iter::once("tocsin").chain(args.iter().copied())).unwrap();
        let env = Surroundings {
            today: Date::parse_iso("2025-06-01").unwrap(),
            out_terminal: terminal,
            err_terminal: terminal,
            no_colour,
            force_colour: false,
        };
        Config::resolve(cli, env)
    }

    fn config(args: &[&str]) -> Config {
        config_in(args, false, false)
    }

    #[test]
    fn colour_and_the_watch_format_follow_the_terminal_and_no_color() {
        use crate::watch::Format;
        let c = config_in(&["watch"], true, false);
        assert!(c.colour_out && c.colour_err && c.progress);
        assert!(matches!(
            c.task,
            Task::Watch(Daemon {
                format: Format::Text,
                ..
            })
        ));
        let c = config_in(&["watch"], true, true);
        assert!(!c.colour_out && !c.colour_err && c.progress);
        let c = config_in(&["watch"], false, false);
        assert!(!c.colour_out && !c.progress);
        assert!(matches!(
            c.task,
            Task::Watch(Daemon {
                format: Format::Json,
                ..
            })
        ));
        let c = config_in(&["watch", "--format", "text"], false, false);
        assert!(matches!(
            c.task,
            Task::Watch(Daemon {
                format: Format::Text,
                ..
            })
        ));
    }

    #[test]
    fn the_color_flag_overrides_the_terminal_and_the_environment() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("tocsin").chain(args.iter().copied())).unwrap()
        };
        let env = |terminal, no_colour, force_colour| Surroundings {
            today: Date::parse_iso("2025-06-01").unwrap(),
            out_terminal: terminal,
            err_terminal: terminal,
            no_colour,
            force_colour,
        };
        let colours = |args: &[&str], e: Surroundings| {
            let c = Config::resolve(parse(args), e);
            (c.colour_out, c.colour_err)
        };
        // `always` and `never` whatever the surroundings; the flag may
        // come after the subcommand.
        assert_eq!(
            colours(&["--color", "always", "check"], env(false, true, false)),
            (true, true)
        );
        assert_eq!(
            colours(&["eval", "--color=never"], env(true, false, true)),
            (false, false)
        );
        // `auto`: the terminal, NO_COLOR first, then CLICOLOR_FORCE.
        assert_eq!(colours(&["eval"], env(true, false, false)), (true, true));
        assert_eq!(colours(&["eval"], env(false, false, true)), (true, true));
        assert_eq!(colours(&["eval"], env(true, true, true)), (false, false));
        assert_eq!(colours(&["eval"], env(false, false, false)), (false, false));
    }

    #[test]
    fn default_folders_are_not_explicit_and_given_ones_are() {
        let c = config(&["eval"]);
        assert_eq!(c.rules, Paths::or_default(&[], "rules"));
        assert!(!c.rules.explicit && !c.indicators.explicit);
        assert_eq!(c.indicators.paths, [PathBuf::from("indicators")]);
        let c = config(&["check", "--rules", "r", "--rules", "s"]);
        assert!(c.rules.explicit && !c.indicators.explicit);
        assert_eq!(c.rules.paths, [PathBuf::from("r"), PathBuf::from("s")]);
    }

    #[test]
    fn the_date_is_at_or_today_and_frozen_only_when_given() {
        let c = config(&["watch"]);
        assert_eq!((c.at.to_string(), c.frozen), ("2025-06-01".into(), None));
        let c = config(&["explain", "x", "--at", "2024-02-29"]);
        assert_eq!(c.at.to_string(), "2024-02-29");
        assert!(c.frozen.is_some());
    }

    #[test]
    fn report_charts_start_two_years_back_and_backtest_ends_today() {
        let c = config(&["report", "--at", "2025-03-10", "-o", "-"]);
        assert!(matches!(c.task, Task::Report { from, .. } if from.to_string() == "2023-03-10"));
        let c = config(&["backtest", "--from", "2024-01-01"]);
        assert!(matches!(c.task, Task::Backtest { to, .. } if to.to_string() == "2025-06-01"));
    }

    #[test]
    fn tests_are_searched_beside_the_rules_unless_given() {
        let c = config(&["test", "--rules", "r"]);
        let Task::Test { tests, .. } = c.task else {
            panic!("not test")
        };
        assert_eq!(tests.paths, [PathBuf::from("r")]);
        assert!(!tests.explicit);
    }
}
