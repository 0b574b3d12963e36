//! `tocsin_build_info` and the process metrics under the names the
//! Prometheus client libraries give them, read at each scrape so that
//! they are current even when nothing has been evaluated for hours.
//!
//! The process metrics come from `/proc/self` and exist on Linux only;
//! elsewhere, or when a file cannot be read, the metric is left out
//! rather than given a false value.

use std::fmt::Write;

/// Clock ticks per second, the unit of the times in `/proc/self/stat`.
/// `sysconf(_SC_CLK_TCK)` would need `unsafe` or a new crate; it is 100
/// on every Linux architecture in use (the kernel reports `USER_HZ`, fixed
/// at 100 for user space whatever the kernel's own tick rate).
const CLOCK_TICKS: f64 = 100.0;

/// Appends `tocsin_build_info` and whatever process metrics can be read.
pub fn render(m: &mut String) {
    let _ = writeln!(
        m,
        "# HELP tocsin_build_info A constant 1, labelled with the version of tocsin serving."
    );
    let _ = writeln!(m, "# TYPE tocsin_build_info gauge");
    let _ = writeln!(
        m,
        "tocsin_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    if cfg!(target_os = "linux") {
        proc_metrics(m, &Proc::read());
    }
}

/// What was read of `/proc`; `None` where a file could not be read.
#[derive(Debug, Default, PartialEq)]
struct Proc {
    cpu_seconds: Option<f64>,
    resident_bytes: Option<u64>,
    virtual_bytes: Option<u64>,
    open_fds: Option<usize>,
    max_fds: Option<u64>,
    start_unix: Option<f64>,
}

impl Proc {
    fn read() -> Proc {
        let text = |p: &str| std::fs::read_to_string(p).ok();
        let stat = text("/proc/self/stat");
        let status = text("/proc/self/status");
        let btime = text("/proc/stat").and_then(|s| boot_time(&s));
        let stat_fields = stat.as_deref().and_then(stat_fields);
        Proc {
            cpu_seconds: stat_fields.map(|f| f.cpu_seconds),
            resident_bytes: status.as_deref().and_then(|s| status_kb(s, "VmRSS:")),
            virtual_bytes: status.as_deref().and_then(|s| status_kb(s, "VmSize:")),
            open_fds: std::fs::read_dir("/proc/self/fd")
                .ok()
                .map(|d| d.filter(Result::is_ok).count()),
            max_fds: text("/proc/self/limits").and_then(|s| max_open_files(&s)),
            start_unix: stat_fields.zip(btime).map(|(f, b)| b + f.start_seconds),
        }
    }
}

/// The numbers wanted from `/proc/self/stat`.
#[derive(Clone, Copy)]
struct StatFields {
    /// User and system time.
    cpu_seconds: f64,
    /// Start time, in seconds after boot.
    start_seconds: f64,
}

/// Fields 14 and 15 (utime, stime) and 22 (starttime) of
/// `/proc/self/stat`, counted after the command name, which is in
/// parentheses and may itself hold spaces and parentheses.
fn stat_fields(stat: &str) -> Option<StatFields> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // `rest` starts at field 3 (state).
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    let ticks = field(14)? + field(15)?;
    Some(StatFields {
        cpu_seconds: ticks as f64 / CLOCK_TICKS,
        start_seconds: field(22)? as f64 / CLOCK_TICKS,
    })
}

/// The `btime` line of `/proc/stat`: boot time, Unix seconds.
fn boot_time(stat: &str) -> Option<f64> {
    stat.lines()
        .find_map(|l| l.strip_prefix("btime"))?
        .trim()
        .parse()
        .ok()
}

/// A `Key:   123 kB` line of `/proc/self/status`, in bytes.
fn status_kb(status: &str, key: &str) -> Option<u64> {
    let value = status.lines().find_map(|l| l.strip_prefix(key))?;
    let kb: u64 = value.split_whitespace().next()?.parse().ok()?;
    kb.checked_mul(1024)
}

/// The soft limit on open files from `/proc/self/limits` (`None` when
/// unlimited).
fn max_open_files(limits: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))?;
    line.split_whitespace().next()?.parse().ok()
}

fn proc_metrics(m: &mut String, p: &Proc) {
    let mut one = |name: &str, kind: &str, help: &str, value: Option<String>| {
        if let Some(v) = value {
            let _ = writeln!(m, "# HELP {name} {help}");
            let _ = writeln!(m, "# TYPE {name} {kind}");
            let _ = writeln!(m, "{name} {v}");
        }
    };
    one(
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        p.cpu_seconds.map(|v| format!("{v:.2}")),
    );
    one(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
        p.resident_bytes.map(|v| v.to_string()),
    );
    one(
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size in bytes.",
        p.virtual_bytes.map(|v| v.to_string()),
    );
    one(
        "process_open_fds",
        "gauge",
        "Number of open file descriptors.",
        p.open_fds.map(|v| v.to_string()),
    );
    one(
        "process_max_fds",
        "gauge",
        "Maximum number of open file descriptors.",
        p.max_fds.map(|v| v.to_string()),
    );
    one(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since unix epoch in seconds.",
        p.start_unix.map(|v| format!("{v:.2}")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_a_command_name_with_spaces() {
        let stat = "4758 (a) b) R 4754 4754 3719 0 -1 4194304 104 0 0 0 250 50 0 0 20 0 1 0 3767032 2998272 395";
        let f = stat_fields(stat).expect("fields");
        assert_eq!(f.cpu_seconds, 3.0);
        assert_eq!(f.start_seconds, 37670.32);
        assert!(stat_fields("garbage").is_none());
    }

    #[test]
    fn status_limits_and_boot_time_are_parsed() {
        let status = "Name:\ttocsin\nVmSize:\t  12 kB\nVmRSS:\t    3 kB\n";
        assert_eq!(status_kb(status, "VmRSS:"), Some(3072));
        assert_eq!(status_kb(status, "VmSize:"), Some(12288));
        assert_eq!(status_kb(status, "VmSwap:"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 4096                 files     \n";
        assert_eq!(max_open_files(limits), Some(1024));
        assert_eq!(
            max_open_files("Max open files unlimited unlimited files"),
            None
        );
        assert_eq!(
            boot_time("cpu 1 2\nbtime 1796237439\n"),
            Some(1_796_237_439.0)
        );
    }

    #[test]
    fn build_info_always_and_process_metrics_on_linux() {
        let mut m = String::new();
        render(&mut m);
        assert!(m.contains(&format!(
            "tocsin_build_info{{version=\"{}\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        )));
        if cfg!(target_os = "linux") {
            for name in [
                "process_cpu_seconds_total ",
                "process_resident_memory_bytes ",
                "process_virtual_memory_bytes ",
                "process_open_fds ",
                "process_max_fds ",
                "process_start_time_seconds ",
            ] {
                assert!(m.contains(&format!("\n{name}")), "{name} in {m}");
            }
        }
    }

    #[test]
    fn unreadable_values_are_left_out() {
        let mut m = String::new();
        proc_metrics(
            &mut m,
            &Proc {
                open_fds: Some(7),
                ..Proc::default()
            },
        );
        assert_eq!(
            m,
            "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds 7\n"
        );
    }
}
