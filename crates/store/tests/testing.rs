//! Test databases clean up after themselves: dropped, finished, or dropped while their test
//! panics.

use kernteam_store::{testing, Db};

/// Whether a database of that name exists on the test server.
async fn exists(name: &str) -> bool {
    let admin = Db::connect_without_migrating(&testing::postgres_admin_url().unwrap())
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(admin.pool())
        .await
        .unwrap();
    admin.close().await;
    n > 0
}

fn database_name(t: &testing::TestDb) -> String {
    t.url.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn a_dropped_or_finished_postgres_test_database_is_gone() {
    let Some(t) = testing::postgres().await else { return };
    let name = database_name(&t);
    assert!(exists(&name).await);
    drop(t);
    assert!(!exists(&name).await, "{name} was left behind on drop");

    let t = testing::postgres().await.unwrap();
    let name = database_name(&t);
    t.finish().await;
    assert!(!exists(&name).await, "{name} was left behind by finish");
}

#[tokio::test]
async fn a_test_that_panics_still_drops_its_postgres_database() {
    if testing::postgres_admin_url().is_none() {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let test = tokio::spawn(async move {
        let t = testing::postgres().await.unwrap();
        tx.send(database_name(&t)).unwrap();
        // Keep a query running on the pool, as a failing test might.
        sqlx::query("SELECT 1").execute(t.db.pool()).await.unwrap();
        panic!("a deliberately failing test");
    });
    assert!(test.await.unwrap_err().is_panic());
    let name = rx.recv().unwrap();
    assert!(!exists(&name).await, "{name} was left behind by a panicking test");
}

#[tokio::test]
async fn a_dropped_sqlite_test_database_leaves_no_folder() {
    let t = testing::sqlite().await;
    let file = std::path::PathBuf::from(t.url.trim_start_matches("sqlite://"));
    let dir = file.parent().unwrap().to_path_buf();
    assert!(file.exists());
    drop(t);
    assert!(!dir.exists(), "{} was left behind", dir.display());
}
