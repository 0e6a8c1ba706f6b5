//! Shared by both hello-worlds: arguments and the CPU report.

pub struct Args {
    pub endpoint: String,
    pub calls: u32,
    pub op: String,
}

impl Args {
    pub fn parse() -> Args {
        let mut args = Args { endpoint: "http://127.0.0.1:9".into(), calls: 1, op: "list".into() };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            match a.as_str() {
                "--endpoint-url" => args.endpoint = it.next().unwrap_or_default(),
                "--calls" => args.calls = it.next().and_then(|n| n.parse().ok()).unwrap_or(1),
                "--op" => args.op = it.next().unwrap_or_default(),
                other => eprintln!("ignoring argument {other}"),
            }
        }
        args
    }
}

/// User and system CPU seconds of this process so far (Linux: /proc/self/stat, clock ticks of 10 ms).
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the `)`.
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident memory of this process so far, in KiB (Linux: `VmHWM` of /proc/self/status).
/// Read here rather than from `wait4`'s `ru_maxrss`: a child spawned by vfork + exec inherits its
/// parent's peak in `ru_maxrss`, which would floor a small program at the driver's own size.
pub fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One line the benchmark driver reads: `calls=N wall=S cpu=S peak_kib=K` (CPU spent since
/// `cpu_start`, peak memory of the whole process).
pub fn report(calls: u32, wall: std::time::Duration, cpu_start: f64) {
    println!(
        "calls={calls} wall={:.6} cpu={:.3} peak_kib={}",
        wall.as_secs_f64(),
        cpu_seconds() - cpu_start,
        peak_kib()
    );
}
