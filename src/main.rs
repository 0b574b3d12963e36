#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    // Checking and evaluating follow references recursively; a large stack
    // (reserved, not used) keeps rulesets near the depth limits clear of
    // overflow.
    let worker = std::thread::Builder::new()
        .name("tocsin".into())
        .stack_size(256 << 20)
        .spawn(|| {
            reserve_heap();
            tocsin::cli::main()
        });
    match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| ExitCode::from(2)),
        Err(_) => tocsin::cli::main(),
    }
}

/// Sets the worker thread's heap up to grow in one step rather than page by
/// page.
///
/// glibc serves a spawned thread from an arena of its own, which it grows
/// by `mprotect` exactly as far as each allocation needs, and shrinks again
/// whenever its free top passes the trim threshold: a `check` of a few
/// thousand rules made about 3,000 such calls, a tenth of its time. Freeing
/// one block that was large enough to be mapped on its own (30 MiB, under
/// glibc's 32 MiB cap) raises the mapping threshold to its size and the trim
/// threshold to twice that; the next large block (28 MiB) then comes from
/// the arena, which grows once, and stays there when it is freed. Only
/// address space is set aside: pages are still touched, and counted, when
/// used. Other allocators just allocate and free two blocks.
fn reserve_heap() {
    for size in [30 << 20, 28 << 20] {
        // black_box: an allocation nothing reads could be optimised away.
        drop(std::hint::black_box(Vec::<u8>::with_capacity(size)));
    }
}
