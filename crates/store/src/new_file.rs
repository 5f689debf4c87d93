//! A new SQLite database built aside and moved into place when it is complete: the first
//! import of a region into a database file that does not exist yet (`kernteam import`).
//!
//! An import into an existing database goes through its write-ahead log, as every write
//! does, so that the web server and other processes read on while it runs: every page is
//! written twice (into the log, then by a checkpoint into the file). A database that does
//! not exist yet has no readers to protect, so it is built under another name in the same
//! folder, `.NAME.import-PID`, with its rollback journal in memory (a failed transaction
//! still rolls back) and no syncs; every page is written once. When the import is done the
//! file is switched to the write-ahead log like every Kernteam database, synced, and
//! linked to its name only if that name is still free. Until then the name does not
//! exist: a process that stops halfway (killed, power lost) leaves no database behind,
//! only its hidden file, which the next such import removes.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::extracts::sqlite_bulk::database_file;
use crate::{Backend, Db, StoreError, StoreResult};

/// The journal and sync settings of every connection to a file being built.
pub(crate) const JOURNAL: &str = "PRAGMA journal_mode = MEMORY";
pub(crate) const SYNCHRONOUS: &str = "PRAGMA synchronous = OFF";

/// What SQLite may put beside a database file.
const SIDE_FILES: [&str; 3] = ["-journal", "-wal", "-shm"];

/// A new database file being built; removed when dropped unfinished.
#[derive(Debug)]
pub struct NewSqliteFile {
    target: PathBuf,
    building: PathBuf,
    url: String,
    finished: bool,
}

impl NewSqliteFile {
    /// `Some` when `url` names an SQLite file that does not exist yet (nor its log). Files
    /// left by earlier builds of the same name whose process is gone are removed either way.
    pub fn for_url(url: &str) -> Option<NewSqliteFile> {
        if Backend::of_url(url) != Some(Backend::Sqlite) || url.contains(":memory:") {
            return None;
        }
        let target = database_file(url).ok()?;
        let name = target.file_name()?.to_str()?.to_string();
        let prefix = format!(".{name}.import-");
        // Also when the file exists: a process stopped between giving the file its name
        // and removing the other one left a second name of it.
        remove_abandoned(&target, &prefix);
        if SIDE_FILES
            .iter()
            .map(|s| with_suffix(&target, s))
            .chain([target.clone()])
            .any(|p| p.symlink_metadata().is_ok())
        {
            return None;
        }
        let building = target.with_file_name(format!("{prefix}{}", std::process::id()));
        // The same URL with the file's name wrapped (its query kept), checked by parsing
        // it back: a name the URL spells in an unusual way is simply not built aside.
        let (head, query) = url.split_once('?').map_or((url, None), |(h, q)| (h, Some(q)));
        let cut = head.rfind(['/', ':'])? + 1;
        let mut built_url = format!("{}.{}.import-{}", &head[..cut], &head[cut..], std::process::id());
        if let Some(q) = query {
            built_url = format!("{built_url}?{q}");
        }
        if database_file(&built_url).ok()? != building {
            return None;
        }
        // A file of this name is one of an earlier process that had this process's number.
        remove_with_side_files(&building);
        Some(NewSqliteFile {
            target,
            building,
            url: built_url,
            finished: false,
        })
    }

    /// The database's own file, once it is finished.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Opens the file being built (creating it) and applies the migrations.
    pub async fn connect(&self) -> StoreResult<Db> {
        Db::connect_migrated(&self.url, std::env::var_os("KERNTEAM_LOG_SQL").is_some(), true).await
    }

    /// Closes `db` (this file's [`NewSqliteFile::connect`], all its clones done), switches
    /// the file to the write-ahead log, syncs it and gives it its name. Fails, and leaves
    /// nothing, when that name was taken in the meantime.
    pub async fn finish(mut self, db: Db) -> StoreResult<()> {
        db.close().await;
        db.close_sqlite_writer().await;
        drop(db);
        let (building, target) = (self.building.clone(), self.target.clone());
        tokio::task::spawn_blocking(move || finish_file(&building, &target))
            .await
            .map_err(|e| file_error(&self.target, std::io::Error::other(e)))??;
        self.finished = true;
        Ok(())
    }
}

impl Drop for NewSqliteFile {
    fn drop(&mut self) {
        if !self.finished {
            remove_with_side_files(&self.building);
        }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_with_side_files(path: &Path) {
    for suffix in [""].into_iter().chain(SIDE_FILES) {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

fn file_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::File(format!("{}: {e}", path.display()))
}

fn finish_file(building: &Path, target: &Path) -> StoreResult<()> {
    let conn = rusqlite::Connection::open_with_flags(
        building,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "{}: het logboek (WAL) is niet aan te zetten (modus {mode})",
            building.display()
        )));
    }
    conn.close().map_err(|(_, e)| e)?;
    std::fs::File::open(building)
        .and_then(|f| f.sync_all())
        .map_err(|e| file_error(building, e))?;
    // A link fails if the name exists; a rename would replace it.
    match std::fs::hard_link(building, target) {
        Ok(()) => {
            // The database has its name now; a second name left over is removed next time.
            if let Err(e) = std::fs::remove_file(building) {
                tracing::warn!("{}: {e}", building.display());
            }
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Err(taken(target)),
        // A file system without links: rename, after a last look at the name.
        Err(_) if target.symlink_metadata().is_ok() => return Err(taken(target)),
        Err(_) => std::fs::rename(building, target).map_err(|e| file_error(target, e))?,
    }
    sync_folder(target)
}

fn taken(target: &Path) -> StoreError {
    StoreError::Conflict(format!(
        "{} is tijdens de import door een ander aangemaakt; er is niets ingelezen, lees opnieuw in",
        target.display()
    ))
}

/// The folder `path` is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes the file's new name durable.
fn sync_folder(target: &Path) -> StoreResult<()> {
    #[cfg(unix)]
    {
        let folder = folder_of(target);
        std::fs::File::open(folder)
            .and_then(|f| f.sync_all())
            .map_err(|e| file_error(folder, e))?;
    }
    #[cfg(not(unix))]
    let _ = target;
    Ok(())
}

/// Removes `.NAME.import-PID` files (and their side files) of processes that are gone.
fn remove_abandoned(target: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(folder_of(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let pid = SIDE_FILES.iter().find_map(|s| rest.strip_suffix(s)).unwrap_or(rest);
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid != std::process::id() && !process_alive(pid) {
            tracing::warn!("{} van een afgebroken import verwijderd", entry.path().display());
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    // Without a way to tell, an abandoned file is left where it is.
    true
}
