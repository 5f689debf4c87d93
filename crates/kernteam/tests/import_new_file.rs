//! `kernteam import` into an SQLite file that does not exist yet builds it aside
//! (`.NAME.import-PID`, no log, no syncs) and gives it its name when done
//! (`kernteam_store::new_file`): the same database as an import into an existing file, in
//! the write-ahead log mode every Kernteam database has; nothing under the name while it
//! runs, so a killed import leaves no half database; a name taken meanwhile is not
//! overwritten; files of imports whose process is gone are removed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use kernteam_store::sqlx::Row;
use kernteam_store::Db;

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");

fn region(dir: &Path, practices: u32, patients: u32) -> Vec<String> {
    let opts = kernteam_synth::RegionOptions {
        practices,
        patients_per_practice: Some(patients),
        seed: 5,
        extract_date: chrono::Local::now().date_naive(),
    };
    let region = kernteam_synth::generate_region(&opts, &dir.join("region"), &mut |_, _| {}).unwrap();
    region.iter().map(|g| g.dir.display().to_string()).collect()
}

fn url(db: &Path) -> String {
    format!("sqlite://{}", db.display())
}

fn kernteam(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(EXE);
    c.args(["--database-url", &url(db), "--key-file"])
        .arg(db.with_extension("key"))
        .args(args);
    c
}

fn import(db: &Path, dirs: &[String]) -> Output {
    kernteam(db, &["import"]).args(dirs).output().unwrap()
}

fn quarterly(db: &Path) -> String {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    let period = format!("{}-Q{}", today.year(), today.month0() / 3 + 1);
    let out = kernteam(db, &["report", "quarterly", "--period", &period])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The files in `dir` whose name starts with `.NAME.import-`.
fn building_files(db: &Path) -> Vec<PathBuf> {
    let prefix = format!(".{}.import-", db.file_name().unwrap().to_str().unwrap());
    std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)))
        .map(|e| e.path())
        .collect()
}

async fn journal_mode_and_check(db: &Path) -> (String, String) {
    let d = Db::connect_without_migrating(&url(db)).await.unwrap();
    let one = |sql: &'static str| {
        let d = d.clone();
        async move {
            let r = kernteam_store::sqlx::query(sql).fetch_one(d.pool()).await.unwrap();
            r.try_get::<String, _>(0).unwrap()
        }
    };
    let out = (one("PRAGMA journal_mode").await, one("PRAGMA integrity_check").await);
    d.close().await;
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_file_is_the_same_database_as_an_import_into_an_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = region(dir.path(), 3, 600);
    let new = dir.path().join("new.db");
    let out = import(&new, &dirs);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(building_files(&new).is_empty(), "{:?}", building_files(&new));
    assert_eq!(
        journal_mode_and_check(&new).await,
        ("wal".to_string(), "ok".to_string())
    );

    // The same extracts into a database that exists (its log, its checkpoints).
    let existing = dir.path().join("existing.db");
    Db::connect(&url(&existing)).await.unwrap().close().await;
    let out = import(&existing, &dirs);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(building_files(&existing).is_empty());
    let report = quarterly(&new);
    assert!(report.contains("\"practices\""), "{report}");
    assert_eq!(report, quarterly(&existing));

    // A second import into the file now there goes through its log, as any other.
    let out = import(&new, &dirs[..1]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("vervangt de eerdere import"));
    assert_eq!(report, quarterly(&new));
}

/// Waits until the import's file being built holds some data; its path.
fn wait_for_building(db: &Path, child: &mut std::process::Child) -> PathBuf {
    let started = Instant::now();
    loop {
        if let Some(f) = building_files(db)
            .into_iter()
            .find(|f| !f.to_str().unwrap().ends_with("-journal"))
        {
            if std::fs::metadata(&f).is_ok_and(|m| m.len() > 1 << 20) {
                return f;
            }
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before its file grew"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no file being built");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_first_import_leaves_no_database_and_the_next_one_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = region(dir.path(), 4, 4000);
    let db = dir.path().join("region.db");
    let mut child = kernteam(&db, &["import"])
        .args(&dirs)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let building = wait_for_building(&db, &mut child);
    child.kill().unwrap(); // SIGKILL: no clean-up of its own
    child.wait().unwrap();
    assert!(!db.exists(), "a half database under the name");
    assert!(building.exists());

    // A file of a live process is another import's: left alone.
    let live = db.with_file_name(format!(".region.db.import-{}", std::process::id()));
    std::fs::write(&live, b"not ours").unwrap();
    let out = import(&db, &dirs);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!building.exists(), "the killed import's file is still there");
    assert_eq!(building_files(&db), vec![live.clone()]);
    assert_eq!(journal_mode_and_check(&db).await.1, "ok");
    let d = Db::connect(&url(&db)).await.unwrap();
    assert_eq!(d.snapshots().await.unwrap().len(), 4);
    d.close().await;

    // An import into the file now there still removes what an import that is gone left.
    let mut gone = Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let left = db.with_file_name(format!(".region.db.import-{}", gone.id()));
    std::fs::write(&left, b"left behind").unwrap();
    let out = import(&db, &dirs[..1]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!left.exists(), "the file of an import that is gone is still there");
    assert!(live.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_taken_during_the_import_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = region(dir.path(), 4, 4000);
    let db = dir.path().join("taken.db");
    let child = kernteam(&db, &["import"])
        .args(&dirs)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    wait_for_building(&db, &mut child);
    std::fs::write(&db, b"someone else's").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tijdens de import door een ander aangemaakt"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), b"someone else's");
    assert!(building_files(&db).is_empty(), "{:?}", building_files(&db));
}
