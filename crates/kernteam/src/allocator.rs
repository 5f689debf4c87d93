//! The memory allocator: mimalloc, without transparent huge pages.

/// mimalloc: an import allocates and frees millions of small values across threads (the
/// reader's rows are dropped by the thread that encodes them), where glibc's allocator
/// spent a quarter of the import's time (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Called first thing: an import's readers put each extract together in buffers of some
/// megabytes, on several threads, each with a heap of its own. With transparent huge
/// pages mimalloc's fresh memory faults in 2 MiB at a time, each zeroed whole by the
/// kernel: a tenth of the import's cycles went to zeroing pages (docs/benchmarks.md).
/// Without them only the pages used are zeroed; the import's peak memory is a quarter
/// lower, a report's less than half.
pub fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's
    // policy for huge pages; failing (an old kernel) changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn huge_pages_are_off_after_the_call() {
        super::without_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE reads the process's flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
    }
}
