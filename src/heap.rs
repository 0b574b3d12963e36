//! A hint to the allocator for threads that build large structures.

/// Sets the calling thread's heap up to grow in large steps rather than
/// page by page.
///
/// glibc serves each thread but the first from an arena of its own, which
/// it grows by `mprotect` exactly as far as each allocation needs, and
/// shrinks again whenever its free top passes the trim threshold: a `check`
/// of a few thousand rules made about 3,000 such calls, a tenth of its
/// time. Freeing a block large enough to be mapped on its own (30 MiB,
/// under glibc's 32 MiB cap) raises the mapping threshold to its size and
/// the trim threshold to twice that, for the whole process; the next large
/// block (28 MiB) then comes from the thread's arena, which grows once, and
/// stays there when it is freed. Only address space is set aside: pages are
/// still touched, and counted, when used. With other allocators this just
/// allocates and frees two blocks.
pub fn reserve() {
    for size in [30 << 20, 28 << 20] {
        // black_box: an allocation nothing reads could be optimised away.
        drop(std::hint::black_box(Vec::<u8>::with_capacity(size)));
    }
}
