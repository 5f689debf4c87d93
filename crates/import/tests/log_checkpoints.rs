//! Checkpoints beside a run of imports (`Db::log_checkpoints`), on SQLite and PostgreSQL.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kernteam_import::import_extract;
use kernteam_store::testing;

mod common;
use common::{example, opts};

fn size(file: &Path) -> u64 {
    std::fs::metadata(file).unwrap().len()
}

#[tokio::test]
async fn the_log_is_copied_into_the_database_file_while_imports_go_on() {
    for t in testing::all().await {
        let db = &t.db;
        let Some(file) = db.sqlite_file() else {
            // PostgreSQL has no log of ours to copy.
            assert!(db.log_checkpoints().is_none());
            t.finish().await;
            continue;
        };
        let empty = size(&file);
        // Without the checkpoints the import stays in the log: the snapshot writer makes
        // none of its own.
        import_extract(db, &example(), &opts()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(size(&file), empty, "the writer checkpointed on its own");

        let checkpoints = db.log_checkpoints().expect("an SQLite file");
        let started = Instant::now();
        while size(&file) == empty && started.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(size(&file) > empty, "nothing was copied in {:?}", started.elapsed());
        // An import beside them, and the final checkpoint after them, still work.
        let again = import_extract(db, &example(), &opts()).await.unwrap();
        assert!(again.summary.replaced);
        drop(checkpoints);
        db.checkpoint().await.unwrap();
        let wal = PathBuf::from(format!("{}-wal", file.display()));
        assert_eq!(std::fs::metadata(&wal).map_or(0, |m| m.len()), 0, "the log is emptied");
        assert_eq!(db.snapshots().await.unwrap().len(), 1);
        assert_eq!(db.snapshot_facts(again.summary.snapshot_id).await.unwrap().len(), 131);
        t.finish().await;
    }
}
