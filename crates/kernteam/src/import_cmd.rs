//! `kernteam import`: extracts read at once and written in the order given.
//!
//! One lane per core (at most four) does all the work, each on a blocking thread of its
//! own for the whole import: it takes the next extract, reads, checks and puts it
//! together ([`kernteam_import::prepare_blocking`]: nothing written) and then, unless
//! another lane is at it, commits whatever is next in the order given, on the same thread.
//! So as many threads are busy as there are cores, and none hands work to another. With a
//! task per extract and another per commit, each handing its work to a thread of the
//! pool, more threads than cores were runnable at once, woken on the core of the one that
//! woke them, and the other core stayed idle until the kernel moved one (at its next
//! tick: `perf sched` of a 1M-region import on 2 cores put 0.26 of the 0.35 s the cores
//! were idle in such moments). Commits go strictly in the order given, so of two extracts
//! of one practice and date the later one given replaces the earlier, and the lines come
//! out in that order. The lanes read at most [`AHEAD`] extracts per lane past the next
//! one to commit, so that memory stays bounded when the writes are slower than the reads.
//! A progress bar only for one extract.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use kernteam_import::{ImportError, ImportOptions, ImportOutcome, Limits, Prepared};
use kernteam_store::Db;

type Outcome = Result<ImportOutcome, ImportError>;

/// Extracts per lane being read or waiting to be committed at a time.
const AHEAD: usize = 3;

pub async fn run(db: Db, paths: &[PathBuf], max_bytes: u64) -> anyhow::Result<ExitCode> {
    let limits = kernteam_import::Limits::with_max_total(max_bytes);
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let opts = ImportOptions {
        today: chrono::Local::now().date_naive(),
        progress: paths.len() == 1 && std::io::stderr().is_terminal(),
    };
    let writeback = db.sqlite_file().map(crate::writeback::Writeback::start);
    // The log copied into the database file while the extracts are read, not after.
    let checkpoints = db.log_checkpoints();
    let queue = Arc::new(Queue {
        paths: paths.to_vec(),
        ahead: AHEAD * jobs,
        state: Mutex::new(State::default()),
        committed: Condvar::new(),
    });
    let lanes: Vec<_> = (0..jobs)
        .map(|_| {
            let (queue, db, opts) = (queue.clone(), db.clone(), opts.clone());
            tokio::task::spawn_blocking(move || queue.lane(&db, &opts, &limits))
        })
        .collect();
    for lane in lanes {
        lane.await?;
    }
    let (failed, left) = {
        let state = queue.lock();
        (state.failed, paths.len() - state.next_commit)
    };
    anyhow::ensure!(left == 0, "{left} extract(en) niet verwerkt");
    drop(checkpoints);
    db.checkpoint().await?;
    drop(writeback);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The extracts of one import and how far the lanes are with them.
struct Queue {
    paths: Vec<PathBuf>,
    /// At most this many extracts past `next_commit` are taken.
    ahead: usize,
    state: Mutex<State>,
    /// Signalled after each commit: there is room to read further.
    committed: Condvar,
}

#[derive(Default)]
struct State {
    /// The first extract no lane has taken yet.
    next_read: usize,
    /// The first extract not committed (or reported as refused) yet.
    next_commit: usize,
    /// A lane is committing `next_commit`.
    committing: bool,
    /// Extracts read (or refused), by their place in the order given.
    ready: HashMap<usize, Result<Prepared, ImportError>>,
    failed: usize,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One lane: reads the next extract, then commits what is next in order, until all
    /// are taken. A panic while reading or writing one extract is that extract's error.
    fn lane(&self, db: &Db, opts: &ImportOptions, limits: &Limits) {
        while let Some(i) = self.next_read() {
            let prepared = catch_unwind(AssertUnwindSafe(|| {
                kernteam_import::prepare_blocking(db, &self.paths[i], opts, limits)
            }))
            .unwrap_or_else(|panic| {
                Err(ImportError::Source(format!(
                    "het inlezen is afgebroken: {}",
                    said(&panic)
                )))
            });
            self.lock().ready.insert(i, prepared);
            self.commit_ready();
        }
    }

    /// The next extract to read, once there is room for it; `None` when all are taken.
    fn next_read(&self) -> Option<usize> {
        let mut state = self.lock();
        while state.next_read < self.paths.len() && state.next_read >= state.next_commit + self.ahead {
            state = self.committed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let i = state.next_read;
        state.next_read += 1;
        (i < self.paths.len()).then_some(i)
    }

    /// Commits the extracts that are next in order and read, unless another lane is
    /// committing (it will commit them too).
    fn commit_ready(&self) {
        loop {
            let (i, prepared) = {
                let mut state = self.lock();
                if state.committing {
                    return;
                }
                let i = state.next_commit;
                let Some(prepared) = state.ready.remove(&i) else { return };
                state.committing = true;
                (i, prepared)
            };
            let outcome = prepared.and_then(|p| {
                catch_unwind(AssertUnwindSafe(|| p.commit_blocking())).unwrap_or_else(|panic| {
                    Err(ImportError::Source(format!(
                        "het schrijven is afgebroken: {}",
                        said(&panic)
                    )))
                })
            });
            let imported = report(&self.paths[i], outcome);
            let mut state = self.lock();
            state.failed += usize::from(!imported);
            state.next_commit += 1;
            state.committing = false;
            self.committed.notify_all();
        }
    }
}

/// What a panic said.
fn said(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "onbekende fout".into())
}

/// Prints what became of one extract; whether it was imported.
fn report(path: &Path, outcome: Outcome) -> bool {
    match outcome {
        Ok(done) => {
            let h = &done.header;
            println!(
                "{}: praktijk {} {} — extract van {} {}",
                path.display(),
                h.agb_code,
                h.practice_name,
                h.extract_date,
                if done.summary.replaced {
                    "(vervangt de eerdere import van die datum)"
                } else {
                    "ingelezen"
                }
            );
            for f in &done.files {
                println!("  {:<18} {:>9} regels", f.file, f.rows);
            }
            for w in &done.warnings {
                println!("  waarschuwing: {w}");
            }
            true
        }
        Err(ImportError::Invalid { errors, truncated }) => {
            eprintln!("{}: geweigerd, er is niets ingelezen. Fouten:", path.display());
            for e in &errors {
                eprintln!("{e}");
            }
            if truncated {
                eprintln!(
                    "(meer dan {} fouten; alleen de eerste {} staan hierboven)",
                    errors.len(),
                    errors.len()
                );
            }
            false
        }
        Err(e) => {
            eprintln!("{}: geweigerd, er is niets ingelezen: {e}", path.display());
            false
        }
    }
}
