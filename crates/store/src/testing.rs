//! Fresh databases for tests, on both backends.
//!
//! SQLite: a new file in a temporary folder. PostgreSQL: a new database on the server
//! named by `KERNTEAM_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! dropped again by [`TestDb::finish`]. `.ci/run` makes sure that server runs. Set the
//! variable to `off` to run only on SQLite on a machine without PostgreSQL.

use sqlx::{AnyPool, Executor};

use crate::{Backend, Db};

pub const POSTGRES_ENV: &str = "KERNTEAM_TEST_POSTGRES_URL";
pub const DEFAULT_POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDb {
    pub db: Db,
    pub url: String,
    /// The random key and the anchor file the database was given.
    pub keys: crate::keys::Keys,
    pub anchor: std::path::PathBuf,
    pg_cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Closes the pool and removes a PostgreSQL test database.
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((admin, name)) = self.pg_cleanup {
            if let Ok(pool) = AnyPool::connect(&admin).await {
                let _ = pool
                    .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await;
                pool.close().await;
            }
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = Db::connect(&url).await.expect("connect to SQLite test database");
    let (db, keys, anchor) = with_test_keys(db, dir.path()).await;
    TestDb {
        db,
        url,
        keys,
        anchor,
        pg_cleanup: None,
        _dir: Some(dir),
    }
}

pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(v) if v == "off" => None,
        Ok(v) if !v.is_empty() => Some(v),
        _ => Some(DEFAULT_POSTGRES_ADMIN_URL.to_string()),
    }
}

/// A new, empty, migrated PostgreSQL database, or `None` when PostgreSQL tests are off.
pub async fn postgres() -> Option<TestDb> {
    let admin = postgres_admin_url()?;
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL for tests not reachable at {admin} ({e}); start it (bash .ci/run does) or set {POSTGRES_ENV}=off")
    });
    let name = format!("kernteam_test_{}", uuid::Uuid::new_v4().simple());
    pool.execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .expect("create test database");
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').expect("admin URL has a database name");
    let url = format!("{base}/{name}");
    let db = Db::connect(&url).await.expect("connect to PostgreSQL test database");
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, keys, anchor) = with_test_keys(db, dir.path()).await;
    Some(TestDb {
        db,
        url,
        keys,
        anchor,
        pg_cleanup: Some((admin, name)),
        _dir: Some(dir),
    })
}

/// A random key and an anchor file in the test's temporary folder (`audit.anchor`).
async fn with_test_keys(db: Db, dir: &std::path::Path) -> (Db, crate::keys::Keys, std::path::PathBuf) {
    let (keys, anchor) = (crate::keys::Keys::random(), dir.join("audit.anchor"));
    let db = db
        .with_keys(keys.clone(), Some(anchor.clone()))
        .await
        .expect("test keys");
    (db, keys, anchor)
}

/// A fresh database on every backend that is available for tests.
pub async fn all() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    out.extend(postgres().await);
    out
}
