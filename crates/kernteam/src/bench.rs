//! `kernteam bench`: generates synthetic regions of growing size and, for each, runs DuckDB
//! on the CSV extracts (the analyst's alternative: `scripts/duckdb_quarterly.py`, the same
//! extract figures of the quarterly report in SQL, in memory) and Kernteam beside it on
//! SQLite and PostgreSQL: the import, the quarterly report, eight quarterly reports in one
//! run, the half-yearly and the funding report. Each phase runs as a child process, so its
//! wall time and peak memory (`wait4`'s `ru_maxrss`) are its own; the generated extracts
//! are on disk (synced) before anything is timed. Prints figures, the ratio
//! of Kernteam (import + quarterly report) to DuckDB, and whether the totals agree; asserts
//! nothing (targets are judged by people, in docs/benchmarks.md).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};

/// The DuckDB side, written next to the regions when the bench runs.
const DUCKDB_SCRIPT: &str = include_str!("../../../scripts/duckdb_quarterly.py");

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Aantallen patiënten om te meten, gescheiden door komma's.
    #[arg(long, value_delimiter = ',', default_value = "100000,300000,1000000")]
    sizes: Vec<u64>,
    /// Patiënten per praktijk (1M patiënten = 300 praktijken van 3334).
    #[arg(long, default_value_t = 3334)]
    patients_per_practice: u32,
    /// PostgreSQL-server waarop benchmarkdatabases worden aangemaakt; "off" slaat PostgreSQL over.
    #[arg(
        long,
        env = "KERNTEAM_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// DuckDB ernaast draaien (Python-pakket duckdb, wordt met pip geïnstalleerd als het
    /// ontbreekt); "off" slaat DuckDB over.
    #[arg(long, default_value = "on")]
    duckdb: String,
    /// Alleen inlezen en het kwartaalrapport (geen acht kwartalen, halfjaar en financiering).
    #[arg(long)]
    quick: bool,
    /// Map voor gegenereerde extracten en databases (standaard: een tijdelijke map).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// De extracten en databases na afloop laten staan (met --work-dir).
    #[arg(long)]
    keep: bool,
    /// Zo vaak DuckDB en Kernteam om en om meten (op dezelfde extracten) en de mediaan van
    /// de verhouding tonen: op een gedeelde machine wisselt de snelheid van run tot run.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
}

/// The hidden child of the bench: several reports in one run, as the dashboards ask them.
#[derive(clap::Args)]
pub struct ReportsArgs {
    /// Perioden, gescheiden door komma's, bijv. 2025-Q3,2025-Q4,…
    #[arg(long, value_delimiter = ',')]
    periods: Vec<String>,
}

/// The reference date of the bench's quarterly report, and the eight quarters up to it.
const QUARTER: &str = "2027-Q2";
const EIGHT_QUARTERS: &str = "2025-Q3,2025-Q4,2026-Q1,2026-Q2,2026-Q3,2026-Q4,2027-Q1,2027-Q2";

struct Measured {
    seconds: f64,
    peak_rss_mib: f64,
    stdout: String,
}

/// Runs `program ARGS…` as a child and measures it.
fn measure_program(program: &Path, args: &[String]) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("{} niet te starten", program.display()))?;
    let pid = child.id() as libc::pid_t;
    // Read the (small) output before reaping, so the child never blocks on a full pipe.
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout {
        use std::io::Read;
        stdout.read_to_string(&mut out)?;
    }
    let mut status: libc::c_int = 0;
    // SAFETY: plain FFI call with valid pointers to locals; the child is ours and not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    if rc != pid {
        bail!("wachten op {args:?} mislukt");
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!("{} {args:?} is mislukt (status {status})", program.display());
    }
    Ok(Measured {
        seconds,
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
        stdout: out,
    })
}

/// Runs `kernteam ARGS…` as a child and measures it.
fn measure(args: &[String]) -> anyhow::Result<Measured> {
    measure_program(&std::env::current_exe()?, args)
}

fn pg_database(admin: &str, name: &str) -> anyhow::Result<String> {
    let (base, _) = admin.rsplit_once('/').context("PostgreSQL URL zonder databasenaam")?;
    let status = Command::new("psql")
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .args([
            admin,
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            "-c",
            &format!("CREATE DATABASE \"{name}\""),
        ])
        .status();
    match status {
        Ok(s) if s.success() => Ok(format!("{base}/{name}")),
        _ => bail!("kon database {name} niet aanmaken op {admin} (psql nodig)"),
    }
}

/// The size of a PostgreSQL database in MiB.
fn pg_size_mib(url: &str) -> Option<f64> {
    let out = Command::new("psql")
        .args([url, "-At", "-c", "SELECT pg_database_size(current_database())"])
        .output()
        .ok()?;
    let bytes: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(bytes / 1048576.0)
}

/// Python with the `duckdb` package, installed with pip when missing.
fn duckdb_python() -> anyhow::Result<PathBuf> {
    let python = PathBuf::from("python3");
    let has = |p: &Path| {
        Command::new(p)
            .args(["-c", "import duckdb"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has(&python) {
        eprintln!("DuckDB ontbreekt: pip install duckdb");
        let ok = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "duckdb"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok || !has(&python) {
            bail!("DuckDB (Python-pakket duckdb) niet te installeren; draai met --duckdb off");
        }
    }
    Ok(python)
}

/// The extract figures of a report's totals, as DuckDB's script prints them.
const COMPARED: [&str; 11] = [
    "registered",
    "aged_75_plus",
    "pct_75_plus",
    "frail_registered",
    "frail_aged_75_plus",
    "frail_with_acp",
    "frail_in_chain_care",
    "polypharmacy_75_plus",
    "wlz_vv5_plus",
    "insulin_transition",
    "practices",
];

/// Whether Kernteam's report (JSON) has DuckDB's totals; the keys that differ otherwise.
fn agree(report_json: &Path, duck: &serde_json::Value) -> anyhow::Result<Result<(), Vec<String>>> {
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(report_json)?)?;
    let totals = &report["totals"];
    let differ: Vec<String> = COMPARED
        .iter()
        .filter(|k| totals[**k] != duck[**k])
        .map(|k| format!("{k}: Kernteam {} / DuckDB {}", totals[*k], duck[*k]))
        .collect();
    Ok(if differ.is_empty() { Ok(()) } else { Err(differ) })
}

fn file_mib(path: &Path) -> f64 {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    (len(path) + len(&wal)) as f64 / 1048576.0
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let temp;
    let work = match &args.work_dir {
        Some(d) => d.clone(),
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&work)?;
    let duck = if args.duckdb == "off" {
        None
    } else {
        let script = work.join("duckdb_quarterly.py");
        std::fs::write(&script, DUCKDB_SCRIPT)?;
        Some((duckdb_python()?, script))
    };
    let extract_date = NaiveDate::from_ymd_opt(2027, 7, 4).expect("valid date");
    println!(
        "machine: {} cores; {}; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_total(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    for &size in &args.sizes {
        let per = u64::from(args.patients_per_practice);
        let practices = size.div_ceil(per) as u32;
        let dir = work.join(format!("region-{size}"));
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        let opts = kernteam_synth::RegionOptions {
            practices,
            patients_per_practice: Some(args.patients_per_practice),
            seed: 2027,
            extract_date,
        };
        let generated = kernteam_synth::generate_region(&opts, &dir, &mut |_, _| {})?;
        let gen_seconds = started.elapsed().as_secs_f64();
        // The generator leaves some hundreds of megabytes for the kernel to write out; an
        // import's final fsync would otherwise queue behind that writeback. An analyst's
        // extracts have long been on disk when they are read.
        flush_to_disk(generated.iter().map(|g| g.dir.as_path()))?;
        let rows: u64 = generated.iter().map(|g| g.rows).sum();
        let csv_mib: f64 = generated
            .iter()
            .flat_map(|g| std::fs::read_dir(&g.dir).into_iter().flatten().flatten())
            .map(|e| e.metadata().map_or(0, |m| m.len()) as f64 / 1048576.0)
            .sum();
        let dirs: Vec<String> = generated.iter().map(|g| g.dir.display().to_string()).collect();
        println!(
            "\n{size} patiënten: {practices} praktijken, {rows} regels, {csv_mib:.0} MiB CSV, gegenereerd in {gen_seconds:.1} s"
        );

        let mut ratios: Vec<(&str, f64)> = Vec::new();
        for round in 1..=args.repeat.max(1) {
            if args.repeat > 1 {
                println!("  ronde {round} van {}", args.repeat);
            }
            let duck_figures = match &duck {
                None => None,
                Some((python, script)) => {
                    let m = measure_program(
                        python,
                        &[
                            script.display().to_string(),
                            dir.display().to_string(),
                            "2027-06-30".into(),
                        ],
                    )?;
                    let v: serde_json::Value = serde_json::from_str(m.stdout.trim())?;
                    println!(
                        "  DuckDB {}: kwartaalcijfers uit de CSV's in {:.2} s (proces {:.2} s, piek {:.0} MiB)",
                        duckdb_version(python),
                        v["seconds"].as_f64().unwrap_or(f64::NAN),
                        m.seconds,
                        m.peak_rss_mib
                    );
                    Some((v, m))
                }
            };

            let db_file = work.join(format!("bench-{size}.db"));
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", db_file.display()));
            }
            let mut backends = vec![("SQLite", format!("sqlite://{}", db_file.display()))];
            if args.postgres_url != "off" {
                backends.push((
                    "PostgreSQL",
                    pg_database(&args.postgres_url, &format!("kernteam_bench_{size}"))?,
                ));
            }
            println!(
                "  {:<10} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
                "backend",
                "import s",
                "rows/s",
                "imp MiB",
                "Q s",
                "Q MiB",
                "total s",
                "8×Q s",
                "H s",
                "fund s",
                "db MiB",
                "÷DuckDB"
            );
            for (name, url) in backends {
                // Each backend's installation key (and audit anchor beside it) is a new one in
                // the work directory, never one in the current directory.
                let key = work.join(format!("bench-{size}-{}.key", name.to_lowercase()));
                for ext in ["key", "anchor"] {
                    let _ = std::fs::remove_file(key.with_extension(ext));
                }
                let base = ["--database-url", &url, "--key-file", &key.display().to_string()].map(String::from);
                let mut import_args = base.to_vec();
                import_args.push("import".into());
                import_args.extend(dirs.iter().cloned());
                let import = measure(&import_args)?;
                let report_file = work.join(format!("report-{size}-{name}.json"));
                let report = measure(&report_command(&base, "quarterly", QUARTER, &report_file))?;
                let total = import.seconds + report.seconds;
                let (eight, half, funding) = if args.quick {
                    (None, None, None)
                } else {
                    let mut eight = base.to_vec();
                    eight.extend(["bench-reports", "--periods", EIGHT_QUARTERS].map(String::from));
                    let eight = measure(&eight)?;
                    let half = measure(&report_command(&base, "half-yearly", "2027-H1", Path::new("/dev/null")))?;
                    let funding = measure(&report_command(&base, "funding", "2027", Path::new("/dev/null")))?;
                    (Some(eight), Some(half), Some(funding))
                };
                let db_mib = match name {
                    "SQLite" => Some(file_mib(&db_file)),
                    _ => pg_size_mib(&url),
                };
                let ratio = duck_figures
                    .as_ref()
                    .and_then(|(v, _)| v["seconds"].as_f64())
                    .map(|d| total / d);
                if let Some(r) = ratio {
                    ratios.push((name, r));
                }
                let opt = |m: &Option<Measured>| m.as_ref().map_or("-".to_string(), |m| format!("{:.2}", m.seconds));
                println!(
                    "  {:<10} {:>8.2} {:>10.0} {:>8.0} {:>8.2} {:>8.0} {:>8.2} {:>8} {:>8} {:>8} {:>8} {:>7}",
                    name,
                    import.seconds,
                    rows as f64 / import.seconds,
                    import.peak_rss_mib,
                    report.seconds,
                    report.peak_rss_mib,
                    total,
                    opt(&eight),
                    opt(&half),
                    opt(&funding),
                    db_mib.map_or("-".into(), |m| format!("{m:.0}")),
                    ratio.map_or("-".into(), |r| format!("{r:.2}")),
                );
                if let Some((v, _)) = &duck_figures {
                    match agree(&report_file, v)? {
                        Ok(()) => println!("  {:<10} totalen gelijk aan die van DuckDB", ""),
                        Err(differ) => println!("  {:<10} VERSCHIL met DuckDB: {}", "", differ.join("; ")),
                    }
                }
            }
        }
        if args.repeat > 1 {
            for name in ["SQLite", "PostgreSQL"] {
                let mut r: Vec<f64> = ratios.iter().filter(|(n, _)| *n == name).map(|(_, r)| *r).collect();
                let Some(m) = median(&mut r) else { continue };
                let shown: Vec<String> = r.iter().map(|x| format!("{x:.2}")).collect();
                println!(
                    "  {name}: mediaan ÷DuckDB over {} rondes {m:.2} ({})",
                    r.len(),
                    shown.join(", ")
                );
            }
        }
        if !args.keep {
            remove_quietly(&dir);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The median of `v` (sorted in place; the mean of the middle two of an even count).
fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (n > 0).then(|| (v[(n - 1) / 2] + v[n / 2]) / 2.0)
}

/// `base` (the database and key options) and a report of `kind` for `period` into `output`.
fn report_command(base: &[String], kind: &str, period: &str, output: &Path) -> Vec<String> {
    let mut args = base.to_vec();
    args.extend(
        [
            "report",
            kind,
            "--period",
            period,
            "--output",
            &output.display().to_string(),
        ]
        .map(String::from),
    );
    args
}

/// Has the kernel write the files of `dirs` out and waits for it (`fsync` of each).
fn flush_to_disk<'a>(dirs: impl Iterator<Item = &'a Path>) -> anyhow::Result<()> {
    for dir in dirs {
        for entry in std::fs::read_dir(dir).with_context(|| format!("{} niet te lezen", dir.display()))? {
            let path = entry?.path();
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("{} niet naar schijf te schrijven", path.display()))?;
        }
    }
    Ok(())
}

fn duckdb_version(python: &Path) -> String {
    Command::new(python)
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The bench's child for several reports in one run ([`kernteam_report::build_reports`]).
pub async fn reports(database_url: &str, args: ReportsArgs) -> anyhow::Result<ExitCode> {
    let periods = args
        .periods
        .iter()
        .map(|p| Period::parse(ReportKind::Quarterly, p))
        .collect::<Result<Vec<_>, _>>()?;
    let db = kernteam_store::Db::connect(database_url).await?;
    let reports = kernteam_report::build_reports(&db, &periods, &CodeSets::default(), &mut |_, _| {}).await?;
    for r in &reports {
        println!("{} {} registered", r.period, r.totals.extract.registered);
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

fn remove_quietly(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

fn memory_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or_else(
            || "memory unknown".into(),
            |kb| format!("{:.1} GiB memory", kb / 1024.0 / 1024.0),
        )
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_the_rounds() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [1.3]), Some(1.3));
        assert_eq!(median(&mut [1.4, 1.0, 1.2]), Some(1.2));
        assert!(median(&mut [1.4, 1.0, 1.2, 1.1]).is_some_and(|m| (m - 1.15).abs() < 1e-12));
    }
}
