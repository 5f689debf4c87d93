//! `kernteam import` of many extracts at once (`src/import_cmd.rs`: lanes that read and
//! commit in the order given), on SQLite (a new file and an existing one) and PostgreSQL:
//! the lines come out in the order given, a refused extract changes nothing and the rest
//! are imported, and of two extracts of one practice and date the later one given
//! replaces the earlier.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kernteam_store::Db;

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");

/// More extracts than the lanes read ahead (three per core), so that they wait for room.
const PRACTICES: u32 = 9;

fn region(dir: &Path) -> Vec<String> {
    let opts = kernteam_synth::RegionOptions {
        practices: PRACTICES,
        patients_per_practice: Some(40),
        seed: 11,
        extract_date: chrono::Local::now().date_naive(),
    };
    let region = kernteam_synth::generate_region(&opts, &dir.join("region"), &mut |_, _| {}).unwrap();
    region.iter().map(|g| g.dir.display().to_string()).collect()
}

/// A copy of `extract` whose patients.csv has a line with a column too few.
fn broken_copy(extract: &str, dir: &Path) -> String {
    let to = dir.join("broken");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(extract).unwrap().flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    let patients = to.join("patients.csv");
    let mut text = std::fs::read_to_string(&patients).unwrap();
    text.push_str("P-BROKEN,,,,1940-01-01,M\n");
    std::fs::write(&patients, text).unwrap();
    to.display().to_string()
}

fn kernteam(url: &str, key: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(EXE);
    c.args(["--database-url", url, "--key-file"]).arg(key).args(args);
    c
}

fn import(url: &str, key: &Path, dirs: &[String]) -> Output {
    kernteam(url, key, &["import"]).args(dirs).output().unwrap()
}

/// The AGB codes of the practices in the quarterly report, and their patient counts.
fn reported(url: &str, key: &Path) -> Vec<(String, u64)> {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    let period = format!("{}-Q{}", today.year(), today.month0() / 3 + 1);
    let out = kernteam(url, key, &["report", "quarterly", "--period", &period])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["practices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["agb_code"].as_str().unwrap().to_string(),
                p["registered"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Imports the region with a refused extract and a practice given twice; checks what the
/// command said and what the database holds.
fn check(url: &str, key: &Path, dirs: &[String], broken: &str) {
    let mut args: Vec<String> = dirs[..3].to_vec();
    args.push(broken.to_string());
    args.extend(dirs[3..].iter().cloned());
    args.push(dirs[0].clone());
    let out = import(url, key, &args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "a refused extract fails the run: {stderr}");
    assert!(stderr.contains(&format!("{broken}: geweigerd")), "{stderr}");
    assert!(stderr.contains("patients.csv"), "{stderr}");

    // One line per imported extract, in the order given.
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains(": praktijk ")).collect();
    let expected: Vec<&String> = args.iter().filter(|a| a.as_str() != broken).collect();
    assert_eq!(lines.len(), expected.len(), "{stdout}");
    for (line, path) in lines.iter().zip(&expected) {
        assert!(line.starts_with(&format!("{path}: praktijk ")), "{line} is not {path}");
    }
    assert!(
        lines[..lines.len() - 1].iter().all(|l| l.ends_with("ingelezen")),
        "{stdout}"
    );
    assert!(
        lines[lines.len() - 1].ends_with("(vervangt de eerdere import van die datum)"),
        "{stdout}"
    );

    let practices = reported(url, key);
    assert_eq!(practices.len(), PRACTICES as usize, "{practices:?}");
    assert!(practices.iter().all(|(_, registered)| *registered > 0), "{practices:?}");
}

fn sqlite_url(db: &Path) -> String {
    format!("sqlite://{}", db.display())
}

#[tokio::test(flavor = "multi_thread")]
async fn many_extracts_into_a_new_and_an_existing_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = region(dir.path());
    let broken = broken_copy(&dirs[1], dir.path());

    let new: PathBuf = dir.path().join("new.db");
    check(&sqlite_url(&new), &dir.path().join("new.key"), &dirs, &broken);

    let existing = dir.path().join("existing.db");
    Db::connect(&sqlite_url(&existing)).await.unwrap().close().await;
    check(&sqlite_url(&existing), &dir.path().join("existing.key"), &dirs, &broken);
    assert_eq!(
        reported(&sqlite_url(&new), &dir.path().join("new.key")),
        reported(&sqlite_url(&existing), &dir.path().join("existing.key"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn many_extracts_into_postgresql() {
    let Some(test_db) = kernteam_store::testing::postgres().await else {
        return;
    };
    let url = test_db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let dirs = region(dir.path());
    let broken = broken_copy(&dirs[1], dir.path());
    check(&url, &dir.path().join("pg.key"), &dirs, &broken);
    test_db.finish().await;
}
