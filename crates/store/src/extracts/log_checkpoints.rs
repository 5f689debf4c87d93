//! Checkpoints of the write-ahead log while a run of SQLite imports goes on.
//!
//! The snapshot writer makes no checkpoints of its own (see [`super::sqlite_bulk::open`]):
//! a checkpoint in the writer held the write lock while it copied and synced. Left to the
//! end, though, the whole log (some 90 MiB per million patients) is copied into the
//! database file on one core after the last extract, while the other core has nothing to
//! do. A thread beside the import therefore runs a *passive* checkpoint every so often on a
//! connection of its own: it copies what is committed into the database file without
//! taking the write lock and without waiting for anyone, so the writer goes on, and once
//! the log is copied the writer starts it again from the beginning. The final
//! checkpoint ([`crate::Db::checkpoint`]) then only has the last part to copy. What is
//! durable when does not change: the checkpoints sync the log before they copy it.

use std::time::Duration;

use crate::periodic::Periodic;
use crate::Db;

/// How often the thread checkpoints; a checkpoint with nothing new to copy does nothing.
const EVERY: Duration = Duration::from_millis(200);

/// Stops the thread when dropped, at once.
pub struct LogCheckpoints {
    _running: Periodic,
}

impl Db {
    /// Starts passive checkpoints beside a run of imports into an SQLite file (`None` on
    /// PostgreSQL or in memory). Drop it before the final [`Db::checkpoint`].
    pub fn log_checkpoints(&self) -> Option<LogCheckpoints> {
        let file = self.sqlite_file()?;
        if self.is_new_file() {
            // No log: the file being built is written in place.
            return None;
        }
        Some(LogCheckpoints {
            _running: Periodic::start("kernteam-checkpoints", EVERY, move || {
                let conn = super::sqlite_bulk::open(&file, false).ok()?;
                Some(move || {
                    // A failed checkpoint leaves the log as it was, for the final one.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::debug!("checkpoint beside the import: {e}");
                    }
                })
            }),
        })
    }
}
