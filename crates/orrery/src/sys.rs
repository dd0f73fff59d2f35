//! Facts about the running process that reports include.

/// Peak resident set size of this process in MiB, where the platform reports it.
pub fn peak_rss_mb() -> Option<f64> {
    // /proc is the only dependency-free source on Linux; elsewhere the figure is omitted.
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
