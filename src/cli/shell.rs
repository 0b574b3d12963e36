//! Shell integration generated from the same clap definitions as the
//! command itself: completion scripts (the manual pages are in
//! [`super::man`]).

use super::args::Cli;
use super::OK;
use clap::CommandFactory;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "tocsin", &mut std::io::stdout());
    OK
}
