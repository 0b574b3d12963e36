#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    // Checking and evaluating follow references recursively; a large stack
    // (reserved, not used) keeps rulesets near the depth limits clear of
    // overflow.
    let worker = std::thread::Builder::new()
        .name("tocsin".into())
        .stack_size(256 << 20)
        .spawn(tocsin::cli::main);
    match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| ExitCode::from(2)),
        Err(_) => tocsin::cli::main(),
    }
}
