//! Shell integration generated from the same clap definitions as the
//! command itself: completion scripts and the manual page.

use super::args::Cli;
use super::{BAD_INPUT, OK};
use clap::CommandFactory;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "tocsin", &mut std::io::stdout());
    OK
}

/// Prints the manual page.
pub fn man() -> u8 {
    let page = clap_mangen::Man::new(Cli::command());
    match page.render(&mut std::io::stdout()) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: cannot write the manual page: {e}");
            BAD_INPUT
        }
    }
}
