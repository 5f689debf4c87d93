//! An import killed with SIGKILL at random points leaves the database consistent, and a
//! re-run succeeds — on SQLite and PostgreSQL.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kernteam_store::sqlx::Row;
use kernteam_store::{testing, Backend, Db};
use rand::{Rng, SeedableRng};

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");

fn import_cmd(url: &str, dirs: &[String]) -> Command {
    let mut c = Command::new(EXE);
    // The key and anchor files go to the temporary folder, not into the crate.
    let key = std::env::temp_dir().join(format!("kernteam-crash-test-{}.key", std::process::id()));
    c.args(["--database-url", url, "--key-file"])
        .arg(key)
        .arg("import")
        .args(dirs)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Waits until no other session works on the database. A killed client's PostgreSQL
/// backend may still be finishing what the client sent (a COMMIT already on the wire lands
/// whole, a half transaction is rolled back); reading before it is done would compare the
/// snapshot list of before that commit with the rows of after it.
async fn quiesce(db: &Db) {
    if db.backend() != Backend::Postgres {
        return;
    }
    for _ in 0..300 {
        let others: i64 = kernteam_store::sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()              AND backend_type = 'client backend' AND state <> 'idle'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        if others == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("a killed import's session is still working after 30 s");
}

/// Every snapshot's facts hold its patients and its records read back; SQLite's own check passes.
async fn assert_consistent(db: &Db) {
    quiesce(db).await;
    for s in db.snapshots().await.unwrap() {
        let facts = db.snapshot_facts(s.id).await.unwrap();
        assert_eq!(
            facts.len() as u64,
            s.rows.patients,
            "facts of snapshot {} ({})",
            s.id,
            s.agb_code
        );
        let people = db.snapshot_people(s.id).await.unwrap();
        assert!(people.len() as u64 <= s.rows.patients, "records of snapshot {}", s.id);
        assert!(s.rows.patients > 0, "a snapshot without patients was left behind");
    }
    if db.backend() == Backend::Sqlite {
        let r = kernteam_store::sqlx::query("PRAGMA integrity_check")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(r.try_get::<String, _>(0).unwrap(), "ok");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_an_import_at_random_points_leaves_a_consistent_database() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let opts = kernteam_synth::RegionOptions {
        practices: 4,
        patients_per_practice: Some(4000),
        seed: 11,
        extract_date: today,
    };
    let region = kernteam_synth::generate_region(&opts, dir.path(), &mut |_, _| {}).unwrap();
    let dirs: Vec<String> = region.iter().map(|g| g.dir.display().to_string()).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for t in testing::all().await {
        // How long a whole import takes here, to aim the kills inside it.
        let started = Instant::now();
        assert!(import_cmd(&t.url, &dirs).status().unwrap().success());
        let full = started.elapsed();
        let reference = t.db.snapshots().await.unwrap();
        for round in 0..4 {
            let mut child = import_cmd(&t.url, &dirs).spawn().unwrap();
            let at = full.mul_f64(rng.random_range(0.05..0.95));
            std::thread::sleep(at.min(Duration::from_secs(20)));
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            assert_consistent(&t.db).await;
            let snaps = t.db.snapshots().await.unwrap();
            assert_eq!(
                snaps.len(),
                reference.len(),
                "round {round}: snapshots lost or added on {:?}",
                t.backend()
            );
        }
        assert!(
            import_cmd(&t.url, &dirs).status().unwrap().success(),
            "a re-run succeeds"
        );
        assert_consistent(&t.db).await;
        let after: Vec<_> =
            t.db.snapshots()
                .await
                .unwrap()
                .into_iter()
                .map(|s| (s.agb_code, s.extract_date, s.rows))
                .collect();
        let before: Vec<_> = reference
            .into_iter()
            .map(|s| (s.agb_code, s.extract_date, s.rows))
            .collect();
        assert_eq!(after, before);
        t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_import_killed_midway_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let opts = kernteam_synth::RegionOptions {
        practices: 1,
        patients_per_practice: Some(20000),
        seed: 3,
        extract_date: today,
    };
    let region = kernteam_synth::generate_region(&opts, dir.path(), &mut |_, _| {}).unwrap();
    let dirs: Vec<String> = region.iter().map(|g| g.dir.display().to_string()).collect();
    for t in testing::all().await {
        let mut child = import_cmd(&t.url, &dirs).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(400));
        let _ = child.kill();
        let _ = child.wait();
        assert_consistent(&t.db).await;
        assert!(import_cmd(&t.url, &dirs).status().unwrap().success());
        assert_eq!(t.db.snapshots().await.unwrap().len(), 1);
        t.finish().await;
    }
}
