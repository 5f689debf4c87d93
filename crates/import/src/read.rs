//! The reader side of an import: parses and validates the CSV files and, while the
//! extract is still valid, hands each line straight to the snapshot being put together
//! ([`SnapshotBuilder`]), on the same (blocking) thread: no line is copied into owned rows
//! or sent anywhere.
//!
//! [`read_extract`] walks the files in order; `csv_file` reads one file (header, then
//! records, cut by `split`) and `rows` checks a record and hands it on.

pub(crate) mod csv_file;
mod rows;
mod split;

/// The extract's patient ids with their numbers in the snapshot, looked up for every
/// line: foldhash, randomly seeded (SipHash was a tenth of the reader's time).
pub(crate) type IdMap = std::collections::HashMap<Box<str>, u32, foldhash::fast::RandomState>;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kernteam_domain::extract::ExtractFile;
use kernteam_store::extracts::{SnapshotBuilder, SnapshotHeader};
use kernteam_store::people::PracticeContact;

use crate::guard::{read_cap, Capped, CAP_ERROR};
use crate::source::{ExtractSource, Limits};
use crate::{FileStats, ImportOptions, LocatedError, ReadOutcome, MAX_ERRORS};
use csv_file::read_file;

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
    progress: ProgressBar,
    practice: Option<(String, String, NaiveDate, PracticeContact)>,
    patient_ids: IdMap,
    /// patients.csv was read to its end, so ids missing from it are real errors (and not
    /// the echo of an unreadable patients.csv).
    patients_complete: bool,
    today: NaiveDate,
    /// The snapshot, while the extract is still valid (`None` for a check only).
    snapshot: Option<SnapshotBuilder>,
    /// The buffer the files are read through, one after the other.
    buffer: Vec<u8>,
}

/// The HIS ids the practice of an AGB code has a lasting identity for, looked up once
/// practice.csv is read ([`SnapshotBuilder::plan`]); `None` when they cannot be had (the
/// snapshot is then put together unplanned).
pub(crate) type KnownLookup = Box<dyn FnOnce(&str) -> Option<std::collections::HashSet<String>> + Send>;

pub(crate) fn read_extract(
    mut source: ExtractSource,
    display: String,
    opts: &ImportOptions,
    limits: &Limits,
    build: bool,
    mut known: Option<KnownLookup>,
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
        progress,
        practice: None,
        patient_ids: IdMap::default(),
        patients_complete: false,
        today: opts.today,
        snapshot: build.then(SnapshotBuilder::default),
        buffer: Vec::new(),
    };
    let mut total_read = 0u64;
    for file in ExtractFile::ALL {
        if r.errors.full() {
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
                if file == ExtractFile::Practice {
                    if let (Some(lookup), Some((agb, _, date, _)), Some(b)) =
                        (known.take(), &r.practice, r.snapshot.as_mut())
                    {
                        if let Some(ids) = lookup(agb) {
                            b.plan(*date, ids);
                        }
                    }
                }
            }
        }
    }
    r.progress.finish_and_clear();
    let valid = r.errors.list.is_empty();
    let snapshot = match (r.practice, r.snapshot) {
        (Some((agb_code, practice_name, extract_date, contact)), Some(mut built)) if valid => {
            built.contact(contact);
            let header = SnapshotHeader {
                agb_code,
                practice_name,
                extract_date,
                source: String::new(),
            };
            Some((header, built))
        }
        _ => None,
    };
    ReadOutcome {
        files: r.files,
        warnings: r.warnings,
        errors: r.errors.list,
        truncated: r.errors.truncated,
        snapshot,
    }
}
