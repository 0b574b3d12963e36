//! The rule language: syntax tree, parser and checker. Pure: no IO.

pub mod ast;
pub mod parser;
