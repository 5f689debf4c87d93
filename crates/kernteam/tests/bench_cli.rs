//! `kernteam bench` runs end to end on a tiny region: it generates, imports and reports on
//! SQLite (and on PostgreSQL unless `KERNTEAM_TEST_POSTGRES_URL` is `off`), prints a row of
//! figures per backend, and leaves nothing in the directory it was started from.

use std::process::Command;

use kernteam_store::testing::{DEFAULT_POSTGRES_ADMIN_URL, POSTGRES_ENV};

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");

#[test]
fn bench_prints_figures_and_keeps_its_files_in_the_work_directory() {
    let postgres = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES_ADMIN_URL.into());
    let started_in = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(EXE)
        .current_dir(started_in.path())
        .args([
            "bench",
            "--sizes",
            "2000",
            "--patients-per-practice",
            "1000",
            "--duckdb",
            "off",
            "--quick",
            "--repeat",
            "2",
            "--postgres-url",
            &postgres,
            "--work-dir",
        ])
        .arg(work.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("2000 patiënten: 2 praktijken"), "{stdout}");
    // Two rounds, each with its row per backend.
    assert!(
        stdout.contains("ronde 1 van 2") && stdout.contains("ronde 2 van 2"),
        "{stdout}"
    );
    let rows = stdout.lines().filter(|l| l.trim_start().starts_with("SQLite ")).count();
    assert_eq!(rows, 2, "{stdout}");
    let row = |backend: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(backend))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
    };
    let sqlite = row("SQLite").unwrap_or_else(|| panic!("no SQLite row:\n{stdout}"));
    // Import seconds, rows per second, its peak memory, the report's seconds and its
    // peak memory are figures, not dashes.
    for figure in &sqlite[1..6] {
        assert!(figure.parse::<f64>().is_ok_and(|f| f > 0.0), "{stdout}");
    }
    assert!(work.path().join("bench-2000.db").exists());
    assert!(work.path().join("bench-2000-sqlite.key").exists());
    if postgres != "off" {
        let pg = row("PostgreSQL").unwrap_or_else(|| panic!("no PostgreSQL row:\n{stdout}"));
        assert!(pg[1].parse::<f64>().is_ok_and(|f| f > 0.0), "{stdout}");
        assert!(work.path().join("bench-2000-postgresql.key").exists());
        let _ = Command::new("psql")
            .args([
                &postgres,
                "-q",
                "-c",
                "DROP DATABASE IF EXISTS kernteam_bench_2000 WITH (FORCE)",
            ])
            .status();
    }
    let left: Vec<_> = std::fs::read_dir(started_in.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "bench left files where it was started: {left:?}");
}
