//! A change of a rule's status: what the daemon announces, journals and
//! sends to sinks. Plain data, the same in every place it travels.

use crate::lang::ast::Severity;
use crate::lang::program::Status;
use serde::{Deserialize, Serialize};

/// What a rule is, or has become: a status, or gone from the ruleset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Announced {
    /// `when` is true (for the whole `for:` window).
    Met,
    /// `when` is true, not yet for the whole `for:` window.
    Pending,
    /// `when` is false.
    NotMet,
    /// `when` is unknown.
    Unknown,
    /// The rule was removed from the ruleset.
    Removed,
}

impl From<Status> for Announced {
    fn from(s: Status) -> Announced {
        match s {
            Status::Met => Announced::Met,
            Status::Pending => Announced::Pending,
            Status::NotMet => Announced::NotMet,
            Status::Unknown => Announced::Unknown,
        }
    }
}

impl Announced {
    /// The name as written in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Announced::Met => "met",
            Announced::Pending => "pending",
            Announced::NotMet => "not_met",
            Announced::Unknown => "unknown",
            Announced::Removed => "removed",
        }
    }
}

/// One change of status, with what a reader or a sink needs to act on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Rule name.
    pub name: String,
    /// `indicator` or `alert`.
    pub kind: String,
    /// The status before; `None` the first time the rule is seen.
    pub from: Option<Announced>,
    /// The status now.
    pub to: Announced,
    /// The evaluation date (YYYY-MM-DD).
    pub at: String,
    /// Severity (alerts).
    pub severity: Option<Severity>,
    /// `title:`
    #[serde(default)]
    pub title: Option<String>,
    /// Rendered `summary:`.
    #[serde(default)]
    pub summary: Option<String>,
    /// Rendered `description:`.
    #[serde(default)]
    pub description: Option<String>,
    /// `source:` fields.
    #[serde(default)]
    pub sources: Vec<String>,
    /// `tags:`
    #[serde(default)]
    pub tags: Vec<String>,
}
