//! The rule language: syntax tree, parser, checker and the checked
//! program. Pure: no IO.

pub mod ast;
pub mod bucket;
pub mod check;
pub mod fields_read;
pub mod format;
pub mod functions;
pub mod parser;
pub mod program;
pub mod testfile;
