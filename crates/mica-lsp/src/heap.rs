//! How the server asks the C allocator to hand large freed buffers back to the system.
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
//! The one `unsafe` call of the workspace: `mallopt` is a C function, and the `libc` crate
//! has no safe wrapper for it.

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
