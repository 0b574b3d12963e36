//! What the manual pages say beyond the clap definitions: each command's
//! exit statuses (those of the command-line contract), the environment
//! variables it reads, its files, examples and related pages.

/// The extra sections of one page.
pub struct Page {
    /// Exit codes and what each means for this command.
    pub exit: &'static [(u8, &'static str)],
    /// Names of the [`VARIABLES`] the command reads.
    pub environment: &'static [&'static str],
    /// Paths and what they hold.
    pub files: &'static [(&'static str, &'static str)],
    /// Ways to run it.
    pub examples: &'static [Example],
    /// Related subcommands (tocsin(1) is always listed).
    pub see_also: &'static [&'static str],
}

/// A command line and what it does.
pub struct Example {
    /// What it does, one sentence.
    pub what: &'static str,
    /// The command line.
    pub command: &'static str,
}

/// Every environment variable tocsin reads, and what it does.
pub const VARIABLES: &[(&str, &str)] = &[
    (
        "NO_COLOR",
        "When set and not empty, no colour under --color auto (the default).",
    ),
    (
        "CLICOLOR_FORCE",
        "When set and neither empty nor 0, colour under --color auto even when the output is not a terminal. NO_COLOR wins over it.",
    ),
    (
        "TOCSIN_TODAY",
        "Today's date, YYYY-MM-DD, in place of the system clock's (UTC): the default evaluation date.",
    ),
    (
        "TOCSIN_CLOCK_FILE",
        "A file holding a date, YYYY-MM-DD, re-read on every tick as the daemon's today (unless --at is given); the last date read stays while the file is missing or malformed.",
    ),
    (
        "TOCSIN_WEBHOOK",
        "The --webhook URL. A URL holding a token is better given here than on the command line, where the process list shows it.",
    ),
    (
        "TOCSIN_ALERTMANAGER",
        "The --alertmanager URL, for the same reason; several, separated by commas.",
    ),
    (
        "TOCSIN_WEBHOOK_SECRET",
        "When set and not empty, each webhook request is signed: X-Tocsin-Timestamp and X-Tocsin-Signature (sha256= and the hex HMAC-SHA256 of the timestamp, a dot and the body, keyed with this secret). Never printed.",
    ),
    (
        "GITHUB_WORKSPACE",
        "With --format github, the path of a file under this folder is written relative to it, as GitHub places annotations by workspace-relative paths.",
    ),
];

const COLOUR: &[&str] = &["NO_COLOR", "CLICOLOR_FORCE"];
const DATED: &[&str] = &["NO_COLOR", "CLICOLOR_FORCE", "TOCSIN_TODAY"];

const BAD_INPUT: (u8, &str) = (
    2,
    "The input could not be used: a rule or data error, a missing path, a bad argument. Diagnostics go to standard error; nothing is half-reported on standard output.",
);

const RULES: (&str, &str) = (
    "rules/*.rules",
    "Rule files, read from the rules folder unless --rules names others.",
);
const INDICATORS: (&str, &str) = (
    "indicators/",
    "Data files (.csv, .tsv, .json, .ndjson, .jsonl, each possibly gzipped), read unless --indicators names others.",
);
const STATE: (&str, &str) = (
    ".tocsin/",
    "The watch daemon's state folder (--state): the journal of status changes and notifications.",
);
const TESTS: (&str, &str) = (
    "rules/tests/*.test",
    "Rule unit tests, found under the rules folders unless paths are given.",
);

/// The extra sections of the page of `command` (a subcommand's name, or
/// empty for tocsin(1)).
pub fn page(command: &str) -> Page {
    match command {
        "check" => Page {
            exit: &[
                (0, "The rules and data are usable (warnings allowed)."),
                BAD_INPUT,
            ],
            environment: &["NO_COLOR", "CLICOLOR_FORCE", "GITHUB_WORKSPACE"],
            files: &[RULES, INDICATORS],
            examples: &[
                Example {
                    what: "Check the rules and data of the working directory:",
                    command: "tocsin check",
                },
                Example {
                    what: "Annotate a pull request in GitHub Actions:",
                    command: "tocsin check --format github",
                },
            ],
            see_also: &["eval", "fmt", "test"],
        },
        "eval" => Page {
            exit: &[
                (
                    0,
                    "The board was printed and no alert is met at or above --fail-on.",
                ),
                (
                    1,
                    "--fail-on SEVERITY was given and an alert of that severity or higher is met.",
                ),
                BAD_INPUT,
            ],
            environment: DATED,
            files: &[RULES, INDICATORS],
            examples: &[
                Example {
                    what: "The board at a date, failing a CI job on a met warning or critical alert:",
                    command: "tocsin eval --at 2025-07-20 --fail-on warning",
                },
                Example {
                    what: "A CI job summary:",
                    command: "tocsin eval --format markdown >> \"$GITHUB_STEP_SUMMARY\"",
                },
            ],
            see_also: &["check", "explain", "report", "watch"],
        },
        "watch" => Page {
            exit: &[
                (0, "Stopped cleanly by SIGINT or SIGTERM."),
                BAD_INPUT,
            ],
            // The daemon's events and errors are never coloured.
            environment: &[
                "TOCSIN_TODAY",
                "TOCSIN_CLOCK_FILE",
                "TOCSIN_WEBHOOK",
                "TOCSIN_WEBHOOK_SECRET",
                "TOCSIN_ALERTMANAGER",
            ],
            files: &[RULES, INDICATORS, STATE],
            examples: &[Example {
                what: "Serve metrics and post each status change to a webhook:",
                command: "TOCSIN_WEBHOOK=https://hooks.example/T0KEN tocsin watch --listen 127.0.0.1:9464",
            }],
            see_also: &["eval", "history"],
        },
        "explain" => Page {
            exit: &[(0, "The rule was explained."), BAD_INPUT],
            environment: DATED,
            files: &[RULES, INDICATORS],
            examples: &[Example {
                what: "Why one instance of a grouped rule has its status:",
                command: "tocsin explain attacks_by_actor --where 'actor=Houthi forces (Ansar Allah)' --at 2024-03-01",
            }],
            see_also: &["eval", "backtest"],
        },
        "backtest" => Page {
            exit: &[(0, "The range was evaluated."), BAD_INPUT],
            environment: DATED,
            files: &[RULES, INDICATORS],
            examples: &[Example {
                what: "Every week of 2024, as CSV:",
                command: "tocsin backtest --from 2024-01-01 --to 2024-12-31 --step 1w --format csv",
            }],
            see_also: &["eval", "explain"],
        },
        "fmt" => Page {
            exit: &[
                (0, "The files are formatted (with --check: they already were)."),
                (1, "With --check: some file is not in the canonical layout."),
                BAD_INPUT,
            ],
            environment: COLOUR,
            files: &[RULES, TESTS],
            examples: &[Example {
                what: "Fail a CI job on a file out of layout:",
                command: "tocsin fmt --check rules",
            }],
            see_also: &["check"],
        },
        "report" => Page {
            exit: &[(0, "The page was written."), BAD_INPUT],
            environment: DATED,
            files: &[RULES, INDICATORS],
            examples: &[Example {
                what: "The board as one HTML page:",
                command: "tocsin report -o board.html",
            }],
            see_also: &["eval", "history"],
        },
        "test" => Page {
            exit: &[
                (0, "Every test passed."),
                (1, "Some test failed."),
                (
                    2,
                    "The test files or the rules could not be used. The --junit file is still written, with an error test case per file that could not run.",
                ),
            ],
            environment: COLOUR,
            files: &[RULES, TESTS],
            examples: &[Example {
                what: "Run the tests beside the rules and keep a JUnit report for the CI:",
                command: "tocsin test --junit tocsin-junit.xml",
            }],
            see_also: &["check", "fmt"],
        },
        "history" => Page {
            exit: &[
                (0, "The history was printed."),
                (2, "The state folder could not be read."),
            ],
            environment: &[],
            files: &[STATE],
            examples: &[Example {
                what: "The story of one rule:",
                command: "tocsin history pla_pressure_surge",
            }],
            see_also: &["watch", "report"],
        },
        "completions" => Page {
            exit: &[(0, "The script was printed.")],
            environment: &[],
            files: &[],
            examples: &[Example {
                what: "Completion for bash:",
                command: "tocsin completions bash > /etc/bash_completion.d/tocsin",
            }],
            see_also: &["man"],
        },
        "man" => Page {
            exit: &[
                (0, "The page was printed, or the pages written."),
                (2, "No such command, or the folder could not be written."),
            ],
            environment: &[],
            files: &[],
            examples: &[
                Example {
                    what: "Every page into a folder of the manual path:",
                    command: "tocsin man --out /usr/local/share/man/man1",
                },
                Example {
                    what: "Read the page of eval:",
                    command: "tocsin man eval | man -l -",
                },
            ],
            see_also: &["completions"],
        },
        _ => Page {
            exit: &[
                (0, "The command did its job."),
                (
                    1,
                    "The command ran and its condition failed: eval --fail-on found a met alert, test had failing tests, fmt --check found unformatted files.",
                ),
                BAD_INPUT,
            ],
            environment: VARIABLE_NAMES,
            files: &[RULES, INDICATORS, STATE, TESTS],
            examples: &[
                Example {
                    what: "The warning board of the rules and data in the working directory:",
                    command: "tocsin eval",
                },
                Example {
                    what: "The checks of a CI job:",
                    command: "tocsin check && tocsin test && tocsin eval --fail-on critical",
                },
            ],
            see_also: &[],
        },
    }
}

const VARIABLE_NAMES: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "TOCSIN_TODAY",
    "TOCSIN_CLOCK_FILE",
    "TOCSIN_WEBHOOK",
    "TOCSIN_ALERTMANAGER",
    "TOCSIN_WEBHOOK_SECRET",
    "GITHUB_WORKSPACE",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_named_is_described() {
        for command in [
            "",
            "check",
            "eval",
            "watch",
            "explain",
            "backtest",
            "fmt",
            "report",
            "test",
            "history",
            "completions",
            "man",
        ] {
            for name in page(command).environment {
                assert!(
                    VARIABLES.iter().any(|(n, _)| n == name),
                    "{name} of {command}"
                );
            }
        }
        assert_eq!(VARIABLE_NAMES.len(), VARIABLES.len());
    }
}
