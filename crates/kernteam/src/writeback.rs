//! Disk writes of an SQLite import started early. An import fills the write-ahead log
//! with some hundreds of megabytes that the kernel keeps in memory until the final
//! checkpoint's fsyncs, which then wait for all of it at once, after the CPU work is
//! done. A thread beside the import asks the kernel every so often to start writing the
//! log and the database file out (`sync_file_range(SYNC_FILE_RANGE_WRITE)`: it starts the
//! writes and does not wait for them), so the disk works while the extracts are read and
//! the fsyncs find little left. It changes nothing about what is durable when: that is
//! still the checkpoint's fsyncs. Linux only; elsewhere it does nothing.

use std::path::PathBuf;
use std::time::Duration;

use kernteam_store::periodic::Periodic;

/// Stops the thread when dropped (at once).
pub struct Writeback {
    _running: Periodic,
}

impl Writeback {
    /// Starts the thread for the database file `db` and its log.
    pub fn start(db: PathBuf) -> Writeback {
        let wal = PathBuf::from(format!("{}-wal", db.display()));
        Writeback {
            _running: Periodic::start("kernteam-writeback", Duration::from_millis(100), move || {
                Some(move || {
                    for file in [&wal, &db] {
                        start_writing(file);
                    }
                })
            }),
        }
    }
}

#[cfg(target_os = "linux")]
fn start_writing(file: &std::path::Path) {
    use std::os::fd::AsRawFd;
    // A file that is not there (yet) has nothing to write.
    let Ok(f) = std::fs::File::open(file) else { return };
    // SAFETY: a plain system call on a file descriptor that stays open for the call; it
    // reads no memory of ours. Its failure only means nothing was started.
    unsafe {
        libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writing(_file: &std::path::Path) {}
