//! Renderings of the board for the terminal and CI job summaries.

mod markdown;
mod table;

pub use crate::board::*;
pub use markdown::markdown;
pub use table::table;
