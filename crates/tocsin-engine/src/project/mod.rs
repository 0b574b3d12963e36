//! A project on disk: the rule, data and test files under the folders
//! given (or the default ones), found and read with the same checks by the
//! one-shot commands, `fmt`, `test` and the daemon.

pub mod files;

use std::path::PathBuf;

/// The folder searched for rule (and test) files when none is given.
pub const RULES: &str = "rules";
/// The folder searched for data files when none is given.
pub const INDICATORS: &str = "indicators";

/// Paths to search, and whether they were given or are the default: a
/// default that does not exist holds nothing, a given one is an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// The files and folders.
    pub paths: Vec<PathBuf>,
    /// Named on the command line, not the default.
    pub explicit: bool,
}

impl Paths {
    /// `given`, or `default` when nothing was given.
    pub fn or_default(given: &[PathBuf], default: &str) -> Paths {
        if given.is_empty() {
            Paths {
                paths: vec![PathBuf::from(default)],
                explicit: false,
            }
        } else {
            Paths {
                paths: given.to_vec(),
                explicit: true,
            }
        }
    }
}
