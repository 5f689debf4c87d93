//! Kernteam's storage: one code base for SQLite (the embedded default: a file, no set-up)
//! and PostgreSQL (real deployments), chosen by the database URL.
//!
//! SQL is written once in the subset both dialects share (`$n` placeholders,
//! `ON CONFLICT`, `RETURNING`) and run through sqlx's `Any` driver. Each backend has its
//! own embedded migrations (`migrations/sqlite`, `migrations/postgres`), applied on
//! connect. How values are stored (dates, timestamps, flags, kinds) and how rows are read
//! by column name and converted once is described in [`convert`].
//!
//! Error policy: this crate returns [`StoreError`]; callers map `NotFound` to 404 and
//! `Conflict` to 409/422, everything else is an internal error that is logged.

pub mod audit;
mod audit_verify;
pub mod capacity_conversations;
pub mod care;
pub mod care_process;
pub mod change;
pub mod collaboration;
mod compact;
pub mod consultations;
pub mod contract;
pub mod convert;
pub mod corrections;
pub mod decisions;
mod direct_read;
pub mod documents;
pub mod email;
pub mod events;
pub mod extracts;
pub mod facts;
mod facts_blob;
pub mod fhir_tokens;
pub mod first_contact;
pub mod formation;
pub mod handovers;
pub mod keys;
mod legacy_snapshots;
pub mod mdo;
pub mod mdo_invitees;
pub mod medication_reviews;
pub mod messages;
pub mod new_file;
pub mod patient_settings;
pub mod patients;
pub mod pdca;
pub mod people;
pub mod periodic;
pub mod portal;
pub mod portal_contributions;
pub mod portal_reset;
pub mod program;
pub mod recorded;
mod records_blob;
pub mod screenings;
pub mod sign_in;
pub mod summary;
pub mod team;
pub mod testing;
pub mod two_factor;
pub mod visits;
pub mod worklist;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use sqlx;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("niet gevonden")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// What the work was prepared on changed before it was written; doing it again
    /// (from the start) is expected to succeed.
    #[error("gewijzigd tijdens het werk: {0}")]
    Changed(String),
    #[error("database URL '{0}' wordt niet ondersteund: gebruik sqlite://PAD of postgres://…")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("migraties mislukt: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("ongeldige waarde in de database: {0}")]
    Corrupt(String),
    /// The key file or the audit anchor file (see [`keys`]).
    #[error("sleutel: {0}")]
    Key(String),
    /// A file beside the database (a new database built aside, see [`new_file`]).
    #[error("bestand {0}")]
    File(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// The default database: an SQLite file `kernteam.db` in the current folder.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://kernteam.db";

/// A connection pool on one of the two backends, migrated.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// The audit writer task, started on first use (see [`audit`]).
    audit_writer: std::sync::Arc<std::sync::OnceLock<audit::Writer>>,
    /// The key file's keys (audit HMAC, TOTP encryption), set by [`Db::with_keys`].
    keys: Option<std::sync::Arc<keys::Keys>>,
    /// The append-only file the audit chain's head is anchored in after every append.
    anchor: Option<std::sync::Arc<std::path::PathBuf>>,
    /// The URL connected to (the SQLite import opens the file itself).
    url: std::sync::Arc<str>,
    /// PostgreSQL: a small pool of native connections for `COPY` (the `Any` driver has none)
    /// and the reports' large values.
    bulk_postgres: Option<sqlx::PgPool>,
    /// SQLite: one snapshot written at a time by this process (the file has one writer;
    /// waiting here is cheaper than SQLite's busy sleeps), on one connection kept from one
    /// snapshot to the next (opening one parses the schema again).
    sqlite_writes: std::sync::Arc<tokio::sync::Mutex<extracts::SqliteWriter>>,
    /// SQLite on a file: plain connections for the hot reads ([`direct_read`]).
    sqlite_readers: Option<std::sync::Arc<direct_read::SqliteReaders>>,
    /// SQLite: a new database file built aside ([`new_file`]), its rollback journal in
    /// memory and nothing synced until it is finished and moved into place.
    new_file: bool,
    /// A new file only: the practices this process has begun to write a snapshot of. The
    /// file is this process's alone until it is finished, so a practice not in here has
    /// no patients in it ([`Db::known_his_ids`] needs no query, which in the rollback
    /// journal's locking would wait for the writer, and make it wait).
    practices_written: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl Db {
    /// Connects (creating an SQLite file on first use) and applies the embedded migrations.
    pub async fn connect(url: &str) -> StoreResult<Db> {
        Db::connect_logging(url, std::env::var_os("KERNTEAM_LOG_SQL").is_some()).await
    }

    /// [`Db::connect`], every statement logged or not whatever `KERNTEAM_LOG_SQL` says (the
    /// tests that capture the statements of a page, [`testing::all_logging_statements`]).
    pub(crate) async fn connect_logging(url: &str, log_statements: bool) -> StoreResult<Db> {
        Db::connect_migrated(url, log_statements, false).await
    }

    async fn connect_migrated(url: &str, log_statements: bool, new_file: bool) -> StoreResult<Db> {
        let db = Db::connect_unmigrated(url, log_statements, new_file).await?;
        db.migrate().await?;
        db.move_legacy_snapshots().await?;
        Ok(db)
    }

    pub async fn connect_without_migrating(url: &str) -> StoreResult<Db> {
        Db::connect_unmigrated(url, std::env::var_os("KERNTEAM_LOG_SQL").is_some(), false).await
    }

    async fn connect_unmigrated(url: &str, log_statements: bool, new_file: bool) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_string()))?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        // `KERNTEAM_LOG_SQL=1` logs every statement (target `sqlx::query`, level debug: with
        // `RUST_LOG=sqlx::query=debug`), to count the queries of a page.
        let mut options = AnyConnectOptions::from_str(&url)?;
        if !log_statements {
            options = options.disable_statement_logging();
        }
        let pool_options = match backend {
            Backend::Sqlite => {
                // A connection to a local file does not go stale: no ping before every
                // query (each is a round trip to the connection's worker thread).
                AnyPoolOptions::new()
                    .max_connections(max_connections(8))
                    .test_before_acquire(false)
                    .after_connect(move |conn, _meta| {
                        Box::pin(async move {
                            let (journal, synchronous) = match new_file {
                                false => ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"),
                                true => (new_file::JOURNAL, new_file::SYNCHRONOUS),
                            };
                            for pragma in [
                                journal,
                                synchronous,
                                "PRAGMA busy_timeout = 10000",
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA cache_size = -65536",
                                "PRAGMA temp_store = MEMORY",
                            ] {
                                conn.execute(pragma).await?;
                            }
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(max_connections(16)),
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        let bulk_postgres = match backend {
            Backend::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_lazy_with(sqlx::postgres::PgConnectOptions::from_str(&url)?.disable_statement_logging()),
            ),
            Backend::Sqlite => None,
        };
        let sqlite_readers = match backend {
            Backend::Sqlite => extracts::sqlite_bulk::database_file(&url)
                .ok()
                .map(|file| std::sync::Arc::new(direct_read::SqliteReaders::new(file, log_statements))),
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            backend,
            audit_writer: Default::default(),
            keys: None,
            anchor: None,
            url: url.into(),
            bulk_postgres,
            sqlite_writes: Default::default(),
            sqlite_readers,
            new_file,
            practices_written: Default::default(),
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Sets the installation's keys and the audit anchor file, before first use. Seals an
    /// audit chain of before the key (unkeyed SHA-256) with the key if it is intact, and
    /// encrypts TOTP secrets still stored in plain text.
    pub async fn with_keys(mut self, keys: keys::Keys, anchor: Option<std::path::PathBuf>) -> StoreResult<Db> {
        self.keys = Some(std::sync::Arc::new(keys));
        self.anchor = anchor.map(std::sync::Arc::new);
        self.seal_unkeyed_audit_chain().await?;
        self.encrypt_plain_totp_secrets().await?;
        Ok(self)
    }

    pub(crate) fn keys(&self) -> StoreResult<&keys::Keys> {
        self.keys.as_deref().ok_or_else(|| {
            StoreError::Key(
                "geen sleutelbestand ingesteld (--key-file): de auditlog en tweestapsgeheimen zijn niet te gebruiken"
                    .into(),
            )
        })
    }

    pub(crate) fn anchor_path(&self) -> Option<&std::path::Path> {
        self.anchor.as_deref().map(|p| p.as_path())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn sqlite_readers(&self) -> Option<&direct_read::SqliteReaders> {
        self.sqlite_readers.as_deref()
    }

    /// A new SQLite file built aside ([`new_file`]).
    pub(crate) fn is_new_file(&self) -> bool {
        self.new_file
    }

    /// A new file ([`new_file`]): whether this process may have written a snapshot of the
    /// practice (it has begun to); `mark` notes that it is about to.
    pub(crate) fn new_file_has_practice(&self, agb_code: &str, mark: bool) -> bool {
        let mut written = self.practices_written.lock().unwrap_or_else(|e| e.into_inner());
        if mark {
            !written.insert(agb_code.to_string())
        } else {
            written.contains(agb_code)
        }
    }

    pub(crate) fn sqlite_writes(&self) -> &tokio::sync::Mutex<extracts::SqliteWriter> {
        &self.sqlite_writes
    }

    pub(crate) fn bulk_postgres(&self) -> StoreResult<&sqlx::PgPool> {
        self.bulk_postgres
            .as_ref()
            .ok_or_else(|| StoreError::UnsupportedUrl(self.url.to_string()))
    }

    /// Closes the connection the snapshots of an SQLite file are written on, if open.
    pub(crate) async fn close_sqlite_writer(&self) {
        self.sqlite_writes.lock().await.close();
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(p) = &self.bulk_postgres {
            p.close().await;
        }
    }
}

/// `INSERT INTO t (c1, …) VALUES (…), (…)` for `rows` rows, placeholders numbered in
/// row order.
///
/// SQLite gets anonymous `?` placeholders: sqlx looks up each parameter's name when
/// binding, and SQLite's name lookup is linear, so thousands of `$n` parameters would make
/// every batch quadratic (measured: three quarters of the import time). PostgreSQL gets `$n`.
pub(crate) fn multi_row_insert(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 1;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql.push_str(&format!("${n}")),
            }
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// The pool size: `KERNTEAM_DB_MAX_CONNECTIONS`, or the backend's default.
fn max_connections(default: u32) -> u32 {
    std::env::var("KERNTEAM_DB_MAX_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

pub use convert::now_timestamp;
pub(crate) use convert::parse_stored_date;

impl Db {
    /// An online, consistent copy of an SQLite database into a new file (`VACUUM INTO`),
    /// which may be taken while Kernteam runs. PostgreSQL is backed up with `pg_dump`.
    pub async fn backup_sqlite(&self, dest: &std::path::Path) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl("VACUUM INTO is alleen voor SQLite".into()));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(dest.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
