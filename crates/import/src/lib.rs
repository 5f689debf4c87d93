//! Import of a practice's HIS extract (`docs/spec/extract-format.md`).
//!
//! An extract (a directory or a zip) is one all-or-nothing unit: a blocking thread parses
//! and validates the CSV files in a fixed order (practice, patients, then the rest) and
//! hands each valid line, borrowed, to the snapshot it puts together in memory
//! ([`kernteam_store::extracts::SnapshotBuilder`]); the store writes that in one
//! transaction once the whole extract is valid ([`kernteam_store::Db::store_snapshot`]).
//! Any error leaves the database exactly as it was. Memory holds one practice's encoded
//! snapshot, not its rows.
//!
//! Errors are data: each is located as `FILE:LINE: COLUMN: message` (the header is line 1),
//! or `FILE: message` where the whole file is meant, and all of them are collected, up to
//! the first [`MAX_ERRORS`]. Sizes are bounded by [`Limits`].

mod guard;
pub mod inclusions;
mod read;
pub mod source;

pub use source::Limits;

use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use kernteam_store::extracts::{SnapshotBuilder, SnapshotHeader, SnapshotSummary};
use kernteam_store::{Db, StoreError};

/// At most this many errors are reported for one extract.
pub const MAX_ERRORS: usize = 100;

/// One problem in an extract, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedError {
    pub file: String,
    /// Line in the file, the header being line 1; 0 when the whole file is meant.
    pub line: u64,
    /// The column, or `-` when no single column is meant.
    pub column: String,
    pub message: String,
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 && self.column == "-" {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}: {}", self.file, self.line, self.column, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The extract breaks the format; nothing was changed.
    #[error("het extract is geweigerd: {} fout(en)", .errors.len())]
    Invalid { errors: Vec<LocatedError>, truncated: bool },
    /// The path is not an extract (missing, not a directory, not a zip).
    #[error("{0}")]
    Source(String),
    #[error("opslaan mislukt: {0}")]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Today, for "extract_date not in the future".
    pub today: NaiveDate,
    /// Draw a progress bar on standard error when it is a terminal.
    pub progress: bool,
}

/// Rows read per file, in the order they were read.
#[derive(Debug, Clone, Default)]
pub struct FileStats {
    pub file: &'static str,
    pub rows: u64,
}

#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub header: SnapshotHeader,
    pub summary: SnapshotSummary,
    pub files: Vec<FileStats>,
    pub warnings: Vec<String>,
}

pub(crate) struct ReadOutcome {
    pub files: Vec<FileStats>,
    pub warnings: Vec<String>,
    pub errors: Vec<LocatedError>,
    pub truncated: bool,
    /// The snapshot put together, when the extract is valid (and was read to be kept).
    pub snapshot: Option<(SnapshotHeader, SnapshotBuilder)>,
}

/// Imports one extract within the default [`Limits`]: all of it, or (on any error) nothing.
pub async fn import_extract(db: &Db, path: &Path, opts: &ImportOptions) -> Result<ImportOutcome, ImportError> {
    import_extract_within(db, path, opts, &Limits::default()).await
}

fn open_error(e: source::OpenError) -> ImportError {
    match e {
        source::OpenError::Source(m) => ImportError::Source(m),
        source::OpenError::Invalid(mut errors) => {
            let truncated = errors.len() > MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
            ImportError::Invalid { errors, truncated }
        }
    }
}

/// Imports one extract: all of it, or (on any error) nothing. An extract over `limits`
/// is refused, and reading stops at the limit.
pub async fn import_extract_within(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
    limits: &Limits,
) -> Result<ImportOutcome, ImportError> {
    prepare_extract(db, path, opts, limits).await?.commit().await
}

/// An extract read, checked and put together, not yet written: [`Prepared::commit`]
/// writes it in one transaction; dropping it leaves the database as it was. Several can
/// be prepared at once and committed in order (the import command does).
pub struct Prepared {
    db: Db,
    path: std::path::PathBuf,
    opts: ImportOptions,
    limits: Limits,
    built: SnapshotBuilder,
    header: SnapshotHeader,
    files: Vec<FileStats>,
    warnings: Vec<String>,
}

impl Prepared {
    /// The practice the extract is of.
    pub fn agb_code(&self) -> &str {
        &self.header.agb_code
    }

    /// Writes the snapshot. Should a patient of the practice have been given a lasting
    /// identity since the extract was read (their record may be incomplete), the extract
    /// is read and written once more. The work runs on a blocking thread
    /// ([`Prepared::commit_blocking`]).
    pub async fn commit(self) -> Result<ImportOutcome, ImportError> {
        tokio::task::spawn_blocking(move || self.commit_blocking())
            .await
            .map_err(|e| ImportError::Source(format!("het schrijven is afgebroken: {e}")))?
    }

    /// [`Prepared::commit`] on this thread, a blocking thread of the runtime: on SQLite
    /// the write runs here, not on a thread of its own.
    pub fn commit_blocking(self) -> Result<ImportOutcome, ImportError> {
        let (db, path, opts, limits) = (self.db.clone(), self.path.clone(), self.opts.clone(), self.limits);
        match self.write_blocking() {
            Err(ImportError::Store(StoreError::Changed(_))) => {
                prepare_blocking(&db, &path, &opts, &limits)?.write_blocking()
            }
            other => other,
        }
    }

    fn write_blocking(self) -> Result<ImportOutcome, ImportError> {
        let Prepared {
            db,
            built,
            header,
            files,
            warnings,
            ..
        } = self;
        let summary = db.store_snapshot_blocking(header.clone(), built)?;
        Ok(ImportOutcome {
            header,
            summary,
            files,
            warnings,
        })
    }
}

/// Reads and checks one extract within `limits` and puts it together for writing; the
/// errors of an extract that breaks the format, and nothing written. The work runs on a
/// blocking thread ([`prepare_blocking`]).
pub async fn prepare_extract(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
    limits: &Limits,
) -> Result<Prepared, ImportError> {
    let (db, path, opts, limits) = (db.clone(), path.to_path_buf(), opts.clone(), *limits);
    tokio::task::spawn_blocking(move || prepare_blocking(&db, &path, &opts, &limits))
        .await
        .map_err(|e| ImportError::Source(format!("het inlezen is afgebroken: {e}")))?
}

/// [`prepare_extract`] on this thread, a blocking thread of the runtime (who the practice
/// already knows is asked of the database from here).
pub fn prepare_blocking(db: &Db, path: &Path, opts: &ImportOptions, limits: &Limits) -> Result<Prepared, ImportError> {
    let source = source::ExtractSource::open(path, limits).map_err(open_error)?;
    let (handle, lookup_db) = (tokio::runtime::Handle::current(), db.clone());
    let known: read::KnownLookup = Box::new(move |agb| handle.block_on(lookup_db.known_his_ids(agb)).ok());
    let mut read = read::read_extract(source, path.display().to_string(), opts, limits, true, Some(known));
    // A planned snapshot is finished here: the write only writes.
    if let Some((_, b)) = read.snapshot.as_mut() {
        b.seal()?;
    }
    if !read.errors.is_empty() {
        return Err(ImportError::Invalid {
            errors: read.errors,
            truncated: read.truncated,
        });
    }
    let Some((mut header, built)) = read.snapshot else {
        return Err(ImportError::Source("het extract bevat geen praktijkgegevens".into()));
    };
    header.source = path.display().to_string();
    Ok(Prepared {
        db: db.clone(),
        path: path.to_path_buf(),
        opts: opts.clone(),
        limits: *limits,
        built,
        header,
        files: read.files,
        warnings: read.warnings,
    })
}

/// Validates extract files without a database: every error, as the import would report
/// them. For tests and fuzzing; nothing is put together.
pub fn check_files(files: std::collections::HashMap<String, Vec<u8>>, today: NaiveDate) -> Vec<LocatedError> {
    check_files_within(files, today, &Limits::default())
}

/// [`check_files`] within other limits.
pub fn check_files_within(
    files: std::collections::HashMap<String, Vec<u8>>,
    today: NaiveDate,
    limits: &Limits,
) -> Vec<LocatedError> {
    let source = match source::ExtractSource::memory(files) {
        Ok(s) => s,
        Err(source::OpenError::Invalid(errors)) => return errors,
        Err(source::OpenError::Source(m)) => return vec![source::file_error("-", m)],
    };
    let opts = ImportOptions { today, progress: false };
    read::read_extract(source, String::new(), &opts, limits, false, None).errors
}
