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

/// Fixes the compute thread count for the whole process by setting `RAYON_NUM_THREADS`
/// (when the user has not) to the cores this process may use.
///
/// candle-core asks for its thread count on every CPU matrix product, and without the
/// variable it parses `/proc/cpuinfo` each time (tens of thousands of reads per neural
/// epoch, half the epoch's time in the kernel on a 2-core machine). rayon reads the same
/// variable for its pool, and `available_parallelism` is what it would pick anyway, so the
/// pool keeps its size. Must run before any other thread starts: setting the environment
/// races with threads that read it.
pub fn fix_compute_threads() {
    if std::env::var_os("RAYON_NUM_THREADS").is_some() {
        return;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // SAFETY: called first thing in `main`, before the runtime or any pool starts a thread,
    // so nothing reads the environment concurrently.
    unsafe {
        std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
    }
}

#[cfg(test)]
mod tests {
    use orrery_core::{Category, DatasetBuilder, EventKind, EventWeights, ItemRecord};
    use orrery_models::{Layer4Params, Model, NoProgress, Params};

    /// Set in the child process that does the measured fit.
    const CHILD: &str = "ORRERY_TEST_THREADS_CHILD";

    /// Read syscalls of this process so far.
    fn read_calls() -> u64 {
        let io = std::fs::read_to_string("/proc/self/io").unwrap();
        io.lines()
            .find_map(|l| l.strip_prefix("syscr: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// Fits a small Layer 4 network (a few hundred matrix products) and returns the read
    /// syscalls it made.
    fn reads_of_a_neural_fit() -> u64 {
        let mut builder = DatasetBuilder::new(EventWeights::default());
        for i in 0..20 {
            let mut item = ItemRecord::with_id(format!("i{i}"));
            item.categories = vec![Category::new("Star", format!("v{}", i % 5))];
            builder.add_item(item);
        }
        for u in 0..50 {
            for i in 0..20 {
                let strength = 1.0 + ((u * 7 + i * 3) % 5) as f32;
                let item = format!("i{i}");
                builder.add_event(&format!("u{u}"), &item, &EventKind::Strength, strength, 0);
            }
        }
        let dataset = builder.build();
        let params = Params::Layer4(Layer4Params {
            epochs: 6,
            patience: 0,
            ..Layer4Params::default()
        });
        let before = read_calls();
        Model::fit(&dataset, &params, &mut NoProgress).unwrap();
        read_calls() - before
    }

    /// Runs this test binary again on `test` alone, with `fix` saying whether the child
    /// fixes the thread count first; returns the child's read syscalls.
    fn child_reads(test: &str, fix: bool) -> u64 {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, if fix { "fix" } else { "plain" })
            .env_remove("RAYON_NUM_THREADS")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "child failed: {stdout}");
        // libtest prints the child's line after the test's name, on the same line.
        stdout
            .split("reads ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|count| count.parse().ok())
            .unwrap_or_else(|| panic!("no count in: {stdout}"))
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_fixed_thread_count_stops_candle_rereading_cpuinfo() {
        const TEST: &str = "sys::tests::a_fixed_thread_count_stops_candle_rereading_cpuinfo";
        match std::env::var(CHILD).as_deref() {
            Ok(mode) => {
                if mode == "fix" {
                    super::fix_compute_threads();
                }
                println!("reads {}", reads_of_a_neural_fit());
            }
            Err(_) => {
                let plain = child_reads(TEST, false);
                let fixed = child_reads(TEST, true);
                // Unfixed, every matrix product reads /proc/cpuinfo in several chunks.
                assert!(
                    fixed * 10 < plain,
                    "read syscalls with the thread count fixed {fixed}, without {plain}"
                );
            }
        }
    }
}
