//! Stable diagnostic codes. A code, once published, keeps its meaning and is
//! never reused; `docs/errors.md` has an example and a fix for each.

use serde::Serialize;

macro_rules! codes {
    ($($variant:ident = $code:literal, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum Code {
            $(#[doc = $title] #[serde(rename = $code)] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, such as `E101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short title for documentation.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    // Syntax of rule files.
    Syntax = "E001", "syntax error: something else was expected here";
    UnterminatedString = "E002", "a string literal is not closed";
    BadEscape = "E003", "unknown escape sequence in a string";
    BadDate = "E004", "a date literal that is not a real date";
    BadDuration = "E005", "a duration literal with an unknown unit or a fraction";
    BadNumber = "E006", "a number literal that cannot be represented";
    ChainedComparison = "E007", "comparisons cannot be chained";
    ReservedWord = "E008", "a reserved word used as a name";
    UnknownField = "E009", "an unknown field in an indicator or alert";
    DuplicateField = "E010", "a field given twice";
    MissingWhen = "E011", "an indicator or alert without `when:`";
    FieldNotAllowed = "E012", "a field that this kind of item does not take";
    BadSeverity = "E013", "an unknown severity";
    BadTemplate = "E014", "a malformed summary template";
    Unformattable = "E015", "a rule or test file the formatter cannot lay out without changing it";
    ExprTooDeep = "E016", "an expression whose operators nest too many levels deep";
    // Names.
    UnknownName = "E101", "a name that is not defined";
    DuplicateName = "E102", "a name defined twice";
    Cycle = "E103", "definitions that depend on each other in a cycle";
    NameTakenBySeries = "E104", "a rule item named like a data series";
    UnknownFunction = "E105", "a call to a function that does not exist";
    FeedNotData = "E106", "a feed for a name that is not a data series, or a second feed for one";
    // Types.
    TypeMismatch = "E201", "a value of the wrong type";
    WhenNotBool = "E202", "a `when:` that is not a bool";
    WrongArity = "E203", "a call with the wrong number of arguments";
    BadNamedArgument = "E204", "an unknown or misplaced named argument";
    LetHoldsSeries = "E205", "a `let` that holds a series";
    ArgumentTwice = "E206", "an argument given both by position and by name";
    NotARule = "E207", "a `weighted` name that is not an indicator, alert or bool let";
    TooDeep = "E208", "definitions that depend on each other too many levels deep";
    ForTooLong = "E209", "a `for:` window longer than ten years";
    BadBucket = "E210", "a calendar bucket written wrongly: an unknown aggregate, a filter outside it";
    PercentileOutOfRange = "E211", "a percentile written outside 0 to 100";
    GroupedRuleUse = "E212", "a rule with `by:` used where its instances cannot be told apart";
    ByFieldMissing = "E213", "a `by:` field that no series of the rule carries";
    TooManyInstances = "E214", "a rule with more than 10,000 instances";
    StaleAfterZero = "E215", "a feed's `stale_after:` of zero";
    // Data files and paths.
    Unreadable = "E301", "a file or folder that cannot be read";
    NoDateColumn = "E302", "a data file without a date column";
    InvalidDate = "E303", "a date that cannot be read";
    AmbiguousDate = "E304", "a date that could be read two ways";
    InvalidValue = "E305", "a value that is not a finite number";
    CellCount = "E306", "a CSV row with the wrong number of cells";
    EmptySeriesCell = "E307", "a CSV row with an empty `series` cell";
    InvalidJson = "E308", "JSON that is malformed or not in the expected shape";
    PathNotFound = "E309", "a path given on the command line that does not exist";
    UnclosedQuote = "E310", "a quoted CSV cell that is never closed";
    OverLimit = "E311", "a file, line or number of items over tocsin's limits";
    TooManyFields = "E312", "a data file with more distinct field names than tocsin reads";
    TooManyCells = "E313", "a CSV header or an observation with more cells than tocsin reads";
    LongRecord = "E314", "a data line, CSV record or observation longer than 1 MiB";
    SpecialFile = "E315", "a device, pipe, socket or system file named as a rule or data file";
    Undecodable = "E316", "a compressed or Parquet file that cannot be decoded";
    // Warnings.
    UnknownFilterField = "W001", "a filter field that no observation has";
    FilterValueAbsent = "W007", "a filter value that no observation has in that field";
    ProjectionSkipped = "W002", "observations left out of a projection";
    RowsSkipped = "W003", "CSV rows without a date, skipped";
    NoRuleFiles = "W004", "no rule files found";
    SkippedFiles = "W006", "files of a kind tocsin does not read, skipped";
    RepeatedDates = "W008", "a summed or averaged series with several observations on one date";
    DuplicateColumns = "W009", "two columns of a CSV header with one name, ignoring case";
    // Rule tests.
    UnknownStatus = "E401", "an expected status that is not a status";
    UnknownRuleInTest = "E402", "a test that names a rule that does not exist";
    DuplicateTest = "E403", "two tests with the same name in one file";
    DuplicateData = "E404", "a series given twice in one place";
    UnusedTestData = "E405", "test data that no rule reads";
    DataNamesItem = "E406", "test data named like a rule item";
    BadRun = "E407", "a run of data or a date range that cannot be laid out";
    EmptyTest = "E408", "a test that expects nothing";
    BadTolerance = "E409", "a tolerance that cannot apply";
    NoSummary = "E410", "a summary expected of a rule that has none";
    RulesAsTests = "E412", "a rule file given to `tocsin test` as a test file";
    InstanceInTest = "E411", "an expectation that names no instance of a rule with `by:`, or labels on a rule without it";
    NoTestFiles = "W005", "no test files found";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique() {
        let set: HashSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(set.len(), Code::ALL.len());
    }
}
