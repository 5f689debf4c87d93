//! `kernteam bench`: generates synthetic regions of growing size, imports each into SQLite
//! and PostgreSQL and runs the quarterly report, each phase in a child process so that its
//! wall time and peak memory (`wait4`'s `ru_maxrss`) are its own. Prints figures; asserts
//! nothing (targets are judged by people, in docs/benchmarks.md).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::NaiveDate;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Aantallen patiënten om te meten, gescheiden door komma's.
    #[arg(long, value_delimiter = ',', default_value = "100000,300000,1000000")]
    sizes: Vec<u64>,
    /// Patiënten per praktijk.
    #[arg(long, default_value_t = 3000)]
    patients_per_practice: u32,
    /// PostgreSQL-server waarop benchmarkdatabases worden aangemaakt; "off" slaat PostgreSQL over.
    #[arg(
        long,
        env = "KERNTEAM_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// Map voor gegenereerde extracten en SQLite-bestanden (standaard: een tijdelijke map).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

struct Measured {
    seconds: f64,
    peak_rss_mib: f64,
}

/// Runs `kernteam ARGS…` as a child and measures it.
fn measure(args: &[String]) -> anyhow::Result<Measured> {
    let exe = std::env::current_exe()?;
    let started = Instant::now();
    let child = Command::new(exe)
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: plain FFI call with valid pointers to locals; the child is ours and not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    if rc != pid {
        bail!("wachten op {args:?} mislukt");
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!("{args:?} is mislukt (status {status})");
    }
    Ok(Measured {
        seconds,
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
    })
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
    let extract_date = NaiveDate::from_ymd_opt(2027, 7, 4).expect("valid date");
    println!(
        "machine: {} cores; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_total()
    );
    println!(
        "{:>9} {:>10} {:>10} {:>9} {:>9} {:>11} {:>9} {:>9} {:>9} {:>9}",
        "patients", "backend", "rows", "gen s", "import s", "rows/s", "imp MiB", "report s", "rep MiB", "total s"
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
        let rows: u64 = generated.iter().map(|g| g.rows).sum();
        let dirs: Vec<String> = generated.iter().map(|g| g.dir.display().to_string()).collect();

        let mut backends = vec![(
            "SQLite",
            format!("sqlite://{}", work.join(format!("bench-{size}.db")).display()),
        )];
        let _ = std::fs::remove_file(work.join(format!("bench-{size}.db")));
        if args.postgres_url != "off" {
            backends.push((
                "PostgreSQL",
                pg_database(&args.postgres_url, &format!("kernteam_bench_{size}"))?,
            ));
        }
        for (name, url) in backends {
            let mut import_args = vec!["--database-url".to_string(), url.clone(), "import".to_string()];
            import_args.extend(dirs.iter().cloned());
            let import = measure(&import_args)?;
            let report = measure(&[
                "--database-url".into(),
                url.clone(),
                "report".into(),
                "quarterly".into(),
                "--period".into(),
                "2027-Q2".into(),
                "--output".into(),
                "/dev/null".into(),
            ])?;
            println!(
                "{:>9} {:>10} {:>10} {:>9.1} {:>9.1} {:>11.0} {:>9.0} {:>9.1} {:>9.0} {:>9.1}",
                size,
                name,
                rows,
                gen_seconds,
                import.seconds,
                rows as f64 / import.seconds,
                import.peak_rss_mib,
                report.seconds,
                report.peak_rss_mib,
                import.seconds + report.seconds
            );
        }
        remove_quietly(&dir);
    }
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
