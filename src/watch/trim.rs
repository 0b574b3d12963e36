//! Handing the system back the memory a reload freed.
//!
//! A reload builds a new model, evaluates it and frees the old one, often
//! on other threads. glibc keeps what was freed in each thread's arena for
//! later use and returns only the free top of a heap, so a daemon that
//! loaded a large export once stayed resident at the size of its biggest
//! reload: on 1,000,000 events and 40,000 instances, 320 MB resident over
//! 229 MB in use. `malloc_trim` walks every arena and returns its free
//! pages. It locks each arena while it does, so the daemon calls it when
//! a reload is over and nothing else is due, not in the middle of one.

use std::time::Duration;

/// The size from which a block is a mapping of its own, returned to the
/// system as soon as it is freed.
const MAPPED_FROM: i32 = 1 << 20;

/// Has every block of [`MAPPED_FROM`] or more mapped on its own, for good.
///
/// glibc maps large blocks alone, but raises that size to the largest
/// block freed so far (up to 32 MiB): once a reload had freed a model's
/// vectors of several megabytes, the next ones came from the arenas, where
/// the small blocks kept between them left pages that no trim could
/// return. Over ten one-line appends to a 1,000,000-event export the
/// daemon grew from 130 to 160 MB resident with 110 MB in use; with the
/// size fixed it stays at 128 MB. A fixed size also ends glibc's own
/// adjustment; the cost is a fresh mapping, and its page faults, for each
/// large vector a reload builds (a few milliseconds).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "a call into the C allocator")]
pub(super) fn map_large_blocks() {
    // SAFETY: mallopt takes no pointer; it is called before the daemon
    // starts its threads, and glibc locks the main arena while it sets
    // the value.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_FROM);
    }
}

/// Has every block of [`MAPPED_FROM`] or more mapped on its own: nothing
/// to do off glibc.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn map_large_blocks() {}

/// How long after a reload the daemon waits to trim: long enough for the
/// threads that free the old model and results to finish.
pub(super) const AFTER: Duration = Duration::from_secs(1);

/// Returns the free pages of every arena to the system; whether any were.
/// Does nothing off glibc, whose peers (musl, the allocators of macOS and
/// Windows) return large free blocks themselves.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "a call into the C allocator")]
pub(super) fn give_back() -> bool {
    // SAFETY: malloc_trim takes no pointer and has no precondition; glibc
    // locks each arena while it trims it, so other threads may allocate
    // meanwhile.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Returns the free pages of every arena to the system; whether any were.
/// Does nothing off glibc, whose peers (musl, the allocators of macOS and
/// Windows) return large free blocks themselves.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn give_back() -> bool {
    false
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn a_freed_block_in_the_middle_of_the_heap_is_given_back() {
        // Small blocks come from the heap, not from a mapping of their
        // own; the last one kept alive pins the top, so only a trim that
        // walks the heap returns the freed ones.
        let mut blocks: Vec<Vec<u8>> = (0..4096).map(|_| vec![1u8; 4000]).collect();
        let pin = vec![1u8; 4000];
        blocks.clear();
        blocks.shrink_to_fit();
        assert!(super::give_back());
        drop(pin);
    }
}
