//! The reader side of an import: parses and validates the CSV files and streams valid
//! rows to the writer. Runs on a blocking thread.
//!
//! [`read_extract`] walks the files in order; `csv_file` reads one file (header, then
//! records) and `rows` turns a record into a row of the store.

pub(crate) mod csv_file;
mod rows;

/// The extract's patient ids, looked up for every line: foldhash, randomly seeded (SipHash
/// was a tenth of the reader's time).
pub(crate) type IdSet = std::collections::HashSet<String, foldhash::fast::RandomState>;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kernteam_domain::extract::ExtractFile;
use kernteam_store::extracts::SnapshotHeader;
use kernteam_store::people::PracticeContact;
use tokio::sync::mpsc::Sender;

use crate::guard::{read_cap, Capped, CAP_ERROR};
use crate::source::{ExtractSource, Limits};
use crate::{FileStats, ImportOptions, LocatedError, Msg, ReadOutcome, Row, MAX_ERRORS};
use csv_file::read_file;

const BATCH: usize = 2_000;

struct Errors {
    list: Vec<LocatedError>,
    truncated: bool,
}

impl Errors {
    fn push(&mut self, file: &str, line: u64, column: &str, message: impl Into<String>) {
        if self.list.len() >= MAX_ERRORS {
            self.truncated = true;
            return;
        }
        self.list.push(LocatedError {
            file: file.to_string(),
            line,
            column: column.to_string(),
            message: message.into(),
        });
    }

    fn full(&self) -> bool {
        self.truncated
    }
}

struct Reader {
    errors: Errors,
    warnings: Vec<String>,
    files: Vec<FileStats>,
    tx: Sender<Msg>,
    batch: Vec<Row>,
    /// The writer went away (it failed); stop reading.
    closed: bool,
    progress: ProgressBar,
    practice: Option<(String, String, NaiveDate, PracticeContact)>,
    patient_ids: IdSet,
    /// patients.csv was read to its end, so ids missing from it are real errors (and not
    /// the echo of an unreadable patients.csv).
    patients_complete: bool,
    today: NaiveDate,
}

impl Reader {
    /// Rows are only worth sending while the extract is still valid.
    fn send(&mut self, row: Row) {
        if !self.errors.list.is_empty() || self.closed {
            return;
        }
        self.batch.push(row);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.batch.is_empty() || self.closed {
            return;
        }
        let rows = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if self.tx.blocking_send(Msg::Rows(rows)).is_err() {
            self.closed = true;
        }
    }
}

pub(crate) fn read_extract(
    mut source: ExtractSource,
    display: String,
    opts: &ImportOptions,
    limits: &Limits,
    tx: Sender<Msg>,
) -> ReadOutcome {
    let total: u64 = ExtractFile::ALL.iter().map(|f| source.size(*f)).sum();
    let progress = if opts.progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg:30} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ~{eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(display);
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut r = Reader {
        errors: Errors {
            list: Vec::new(),
            truncated: false,
        },
        warnings: Vec::new(),
        files: Vec::new(),
        tx,
        batch: Vec::with_capacity(BATCH),
        closed: false,
        progress,
        practice: None,
        patient_ids: IdSet::default(),
        patients_complete: false,
        today: opts.today,
    };
    let mut total_read = 0u64;
    for file in ExtractFile::ALL {
        if r.errors.full() || r.closed {
            break;
        }
        let exact = source.size_is_exact().then(|| source.size(file));
        let cap = read_cap(file.file_name(), limits, total_read, exact);
        let opened = match source.open_file(file) {
            Ok(o) => o,
            Err(message) => {
                r.errors.push(file.file_name(), 0, "-", message);
                continue;
            }
        };
        match opened {
            None if file.required() => r.errors.push(file.file_name(), 0, "-", "verplicht bestand ontbreekt"),
            None => {}
            Some(input) => {
                let counted = std::rc::Rc::new(std::cell::Cell::new(0u64));
                let tripped = std::rc::Rc::new(std::cell::Cell::new(false));
                let capped = Capped {
                    inner: input,
                    left: cap.0,
                    counted: counted.clone(),
                    tripped: tripped.clone(),
                };
                let mut complete = read_file(&mut r, file, Box::new(capped));
                if tripped.get() {
                    // The read error of the cut is an echo of it: name the cause instead.
                    if r.errors.list.last().is_some_and(|e| e.message.contains(CAP_ERROR)) {
                        r.errors.list.pop();
                    }
                    r.errors.push(file.file_name(), 0, "-", cap.1.clone());
                    complete = false;
                }
                total_read += counted.get();
                if file == ExtractFile::Patients {
                    r.patients_complete = complete;
                }
            }
        }
        if file == ExtractFile::Practice {
            if let Some((agb_code, practice_name, extract_date, contact)) = r.practice.clone() {
                if r.errors.list.is_empty() && !r.closed {
                    let header = SnapshotHeader {
                        agb_code,
                        practice_name,
                        extract_date,
                        source: String::new(),
                    };
                    if r.tx.blocking_send(Msg::Header(header, contact)).is_err() {
                        r.closed = true;
                    }
                }
            }
        }
    }
    r.flush();
    r.progress.finish_and_clear();
    ReadOutcome {
        files: r.files,
        warnings: r.warnings,
        errors: r.errors.list,
        truncated: r.errors.truncated,
    }
}
