//! Facts about the running process that reports include.

/// Peak resident set size of this process in MiB, where the platform reports it.
pub fn peak_rss_mb() -> Option<f64> {
    // /proc is the only dependency-free source on Linux; elsewhere the figure is omitted.
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Keeps this process's memory in 4 KiB pages from here on. mimalloc asks the kernel for
/// transparent huge pages, which round every touched region up to 2 MiB: a server gains
/// from them (5–10 % more lists per second here), but a batch job's peak memory grows by
/// 20–40 MB with them and varies with the kernel's supply of huge pages (EASE on
/// `ml-1m-users-1-2999`: 263–287 MB with, 246 MB without).
pub fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process's memory map; a kernel
    // without it returns an error, which leaves the defaults in place.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
