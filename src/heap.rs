//! A hint to the allocator for short commands that build large structures.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether [`reserve`] was called, for the threads started afterwards.
static ASKED: AtomicBool = AtomicBool::new(false);

/// Sets the calling thread's heap up to grow in large steps rather than
/// page by page, and asks the threads that call [`reserve_if_asked`] later
/// to do the same.
///
/// glibc serves each thread but the first from an arena of its own, which
/// it grows by `mprotect` exactly as far as each allocation needs, and
/// shrinks again whenever its free top passes the trim threshold: a `check`
/// of a few thousand rules made about 3,000 such calls, a tenth of its
/// time. Freeing a block large enough to be mapped on its own (30 MiB,
/// under glibc's 32 MiB cap) raises the mapping threshold to its size and
/// the trim threshold to twice that, for the whole process; the next large
/// block (28 MiB) then comes from the thread's arena, which grows once, and
/// stays there when it is freed. Only address space is set aside, but up to
/// the trim threshold of freed memory is then kept rather than returned: a
/// one-shot `eval` of ten years of data peaked 32 MB higher with it, so
/// only `check` asks for it. With other allocators this just allocates and
/// frees two blocks.
pub fn reserve() {
    ASKED.store(true, Ordering::Relaxed);
    grow();
}

/// [`reserve`] for the calling thread, if some thread called it before.
pub fn reserve_if_asked() {
    if ASKED.load(Ordering::Relaxed) {
        grow();
    }
}

fn grow() {
    for size in [30 << 20, 28 << 20] {
        // black_box: an allocation nothing reads could be optimised away.
        drop(std::hint::black_box(Vec::<u8>::with_capacity(size)));
    }
}
