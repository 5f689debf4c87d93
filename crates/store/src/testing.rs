//! Fresh databases for tests, on both backends.
//!
//! SQLite: a new file in a temporary folder. PostgreSQL: a new database on the server
//! named by `KERNTEAM_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! `.ci/run` makes sure that server runs. Set the variable to `off` to run only on SQLite on
//! a machine without PostgreSQL.
//!
//! A [`TestDb`] cleans up after itself when dropped, also when its test panics: the
//! PostgreSQL database is dropped and the temporary folder removed. [`TestDb::finish`] does
//! the same from async code, closing the pool first.

use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use crate::{Backend, Db};

pub mod tenancy;

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

    /// Closes the pool and removes a PostgreSQL test database (what dropping does too, but
    /// without blocking a thread).
    pub async fn finish(mut self) {
        self.db.close().await;
        if let Some((admin, name)) = self.pg_cleanup.take() {
            report(&name, drop_database(&admin, &name).await);
        }
    }
}

impl Drop for TestDb {
    /// Drops the PostgreSQL test database unless [`TestDb::finish`] did. Dropping needs
    /// async I/O, and this may run inside a test's runtime (even while it unwinds from a
    /// panic), so it runs on a small runtime of its own, on a thread of its own.
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg_cleanup.take() else {
            return;
        };
        let dropped = std::thread::spawn({
            let name = name.clone();
            move || -> Result<(), String> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime
                    .block_on(drop_database(&admin, &name))
                    .map_err(|e| e.to_string())
            }
        })
        .join();
        match dropped {
            Ok(result) => report(&name, result),
            Err(_) => report(&name, Err("the clean-up thread panicked")),
        }
    }
}

/// Drops a test database, ending the connections that are still open to it.
async fn drop_database(admin: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut conn = AnyConnection::connect(admin).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
        .await?;
    conn.close().await
}

/// A clean-up that failed is said, not hidden; it never panics (it may run while a test unwinds).
fn report<E: std::fmt::Display>(name: &str, result: Result<(), E>) {
    if let Err(e) = result {
        eprintln!("test database {name} was not dropped: {e}");
    }
}

pub async fn sqlite() -> TestDb {
    sqlite_logging(false).await
}

async fn sqlite_logging(log_statements: bool) -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = Db::connect_logging(&url, log_statements)
        .await
        .expect("connect to SQLite test database");
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
    postgres_logging(false).await
}

async fn postgres_logging(log_statements: bool) -> Option<TestDb> {
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
    let db = match Db::connect_logging(&url, log_statements).await {
        Ok(db) => db,
        Err(e) => {
            report(&name, drop_database(&admin, &name).await);
            panic!("connect to PostgreSQL test database {name}: {e}");
        }
    };
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

/// [`all`], with every statement logged (target `sqlx::query`, level debug) whether
/// `KERNTEAM_LOG_SQL` is set or not: for the tests that capture the statements a page runs
/// with a `tracing` subscriber of their own.
pub async fn all_logging_statements() -> Vec<TestDb> {
    let mut out = vec![sqlite_logging(true).await];
    out.extend(postgres_logging(true).await);
    out
}

/// The audit record of a change a test makes to set up its data.
pub fn entry() -> crate::care::AuditEntry {
    crate::care::AuditEntry {
        username: "test".into(),
        role: "test".into(),
        action: "testgegevens".into(),
        ..Default::default()
    }
}
