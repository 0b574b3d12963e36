//! The test-file language: data blocks, dates and the statuses expected,
//! beside the rule language whose tokens and grammar it is built from.
//! Running the tests is [`crate::ruletest`]'s work; formatting them is
//! [`super::format`]'s.

pub mod ast;
pub mod parser;

pub use parser::parse_test_file;
