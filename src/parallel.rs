//! Work shared out between cores, results kept in order.

/// Stack for the threads started here: rule parsing recurses, and gets the
/// same room as the command's main thread.
const STACK: usize = 256 << 20;

/// Runs `work` on every file, on every core (up to eight) when the files
/// hold at least `min_bytes` in all (by `bytes`), and returns the results
/// in the files' order.
pub(crate) fn in_parallel<T: Sync, R: Send>(
    files: &[T],
    bytes: impl Fn(&T) -> usize,
    min_bytes: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let total: usize = files.iter().map(&bytes).sum();
    if workers < 2 || files.len() < 2 || total < min_bytes {
        return files.iter().map(&work).collect();
    }
    // Contiguous chunks of about equal size, so that order is kept by
    // concatenating the chunks' results.
    let target = total / workers + 1;
    let mut chunks: Vec<&[T]> = Vec::new();
    let (mut begin, mut size) = (0, 0);
    for (k, f) in files.iter().enumerate() {
        size += bytes(f);
        if size >= target {
            chunks.push(&files[begin..=k]);
            begin = k + 1;
            size = 0;
        }
    }
    chunks.push(&files[begin..]);
    let work = &work;
    let run = move |chunk: &[T]| chunk.iter().map(work).collect::<Vec<R>>();
    std::thread::scope(|scope| {
        let (last, others) = chunks.split_last().unwrap_or((&files, &[]));
        let handles: Vec<_> = others
            .iter()
            .map(|chunk| {
                let spawned =
                    std::thread::Builder::new()
                        .stack_size(STACK)
                        .spawn_scoped(scope, move || {
                            crate::heap::reserve_if_asked();
                            run(chunk)
                        });
                spawned.map_err(|_| chunk)
            })
            .collect();
        // The calling thread takes the last chunk rather than wait.
        let mine = run(last);
        let mut out = Vec::with_capacity(files.len());
        for h in handles {
            match h {
                Ok(h) => match h.join() {
                    Ok(results) => out.extend(results),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                // No thread to be had: do the chunk here.
                Err(chunk) => out.extend(run(chunk)),
            }
        }
        out.extend(mine);
        out
    })
}
