//! How the server asks the C allocator to hand freed memory back to the system.
//!
//! glibc serves an allocation of 128 KiB or more with its own `mmap`, and gives it back when
//! it is freed; but after such a free it raises that threshold to the size freed (up to
//! 32 MiB), so that later large vectors come from the heap instead. Opening a large document
//! frees many such vectors (each rayon piece's parse, the growing vectors of claims), and the
//! heap they left held a fifteenth of the server's memory after a 50 MB document was open
//! (`lsp_bench --large`: 7.8× the text before, 7.3× after, for the same live data). Fixing
//! the threshold keeps every large buffer in its own mapping, given back when freed. It costs
//! a `mmap` and its page faults for each large allocation, which a keystroke rarely makes.
//!
//! Small blocks freed in great number stay in the heap as well: publishing thousands of
//! diagnostics builds their LSP form, a few small allocations each, and frees it once it is
//! written. After such a publication the server trims the heap (`lsp_bench --large`: a 10 MB
//! document with 34,343 errors 14.4× the text before, 11.8× after). A trim with little to
//! give back takes microseconds; one after a large document's first analysis, a few
//! milliseconds.
//!
//! The only `unsafe` calls of the workspace: `mallopt` and `malloc_trim` are C functions, and
//! the `libc` crate has no safe wrappers for them.

/// Hand the free pages of the heap back to the system (glibc's `malloc_trim`); does nothing
/// with another C library.
pub fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` only returns free memory to the system; it takes the
        // allocator's locks and touches no memory in use.
        #[allow(unsafe_code)]
        unsafe {
            libc::malloc_trim(0)
        };
    }
}

/// Fix glibc's mmap threshold at its default of 128 KiB (see the module's documentation).
/// Does nothing with another C library.
pub fn keep_large_buffers_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 128 * 1024;
        // SAFETY: `mallopt` only sets an allocator parameter; glibc takes it at any time,
        // from any thread, and it changes where later allocations come from, not any memory
        // already handed out.
        #[allow(unsafe_code)]
        let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD) };
        debug_assert_eq!(ok, 1, "mallopt(M_MMAP_THRESHOLD) was refused");
    }
}
