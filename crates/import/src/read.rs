//! The reader side of an import: parses and validates the CSV files and streams valid
//! rows to the writer. Runs on a blocking thread.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kernteam_domain::extract::{self as rules, ExtractFile, FieldResult};
use kernteam_store::extracts::{DeterminantRow, EpisodeRow, MedicationRow, PatientRow, ProgramRow, SnapshotHeader};
use tokio::sync::mpsc::Sender;

use crate::guard::{read_cap, Capped, LineGuard, CAP_ERROR};
use crate::source::{ExtractSource, Limits};
use crate::{FileStats, ImportOptions, LocatedError, Msg, ReadOutcome, Row, MAX_ERRORS};

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
    practice: Option<(String, String, NaiveDate)>,
    patient_ids: HashSet<String>,
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
        patient_ids: HashSet::new(),
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
            if let Some((agb_code, practice_name, extract_date)) = r.practice.clone() {
                if r.errors.list.is_empty() && !r.closed {
                    let header = SnapshotHeader {
                        agb_code,
                        practice_name,
                        extract_date,
                        source: String::new(),
                    };
                    if r.tx.blocking_send(Msg::Header(header)).is_err() {
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

/// Picks `;` when the header line has more semicolons than commas outside quotes.
fn detect_delimiter(head: &[u8]) -> u8 {
    let (mut commas, mut semis, mut quoted) = (0, 0, false);
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semis += 1,
            b'\n' | b'\r' if !quoted => break,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

/// The fields of one record, looked up by the spec's column order for the file.
struct Record<'a> {
    file: &'static str,
    line: u64,
    rec: &'a csv::ByteRecord,
    positions: &'a [Option<usize>],
    columns: &'static [(&'static str, bool)],
    errors: &'a mut Errors,
    ok: bool,
}

impl Record<'_> {
    fn fail(&mut self, k: usize, message: impl Into<String>) {
        self.ok = false;
        self.errors.push(self.file, self.line, self.columns[k].0, message);
    }

    /// The raw text of spec column `k`; `None` when empty or absent.
    fn raw(&mut self, k: usize) -> Option<&str> {
        let bytes = self.positions[k].and_then(|p| self.rec.get(p)).unwrap_or(b"");
        if bytes.is_empty() {
            return None;
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(_) => {
                self.ok = false;
                self.errors
                    .push(self.file, self.line, self.columns[k].0, "geen geldige UTF-8-tekst");
                None
            }
        }
    }

    fn required<T>(&mut self, k: usize, parse: impl FnOnce(&str) -> FieldResult<T>) -> Option<T> {
        let ok_before = self.ok;
        match self.raw(k).map(parse) {
            Some(Ok(v)) => Some(v),
            Some(Err(m)) => {
                self.fail(k, m);
                None
            }
            None => {
                if self.ok == ok_before {
                    self.fail(k, "verplicht veld is leeg");
                }
                None
            }
        }
    }

    /// `Some(None)` for an empty field, `None` for an invalid one.
    fn optional<T>(&mut self, k: usize, parse: impl FnOnce(&str) -> FieldResult<T>) -> Option<Option<T>> {
        let ok_before = self.ok;
        match self.raw(k).map(parse) {
            Some(Ok(v)) => Some(Some(v)),
            Some(Err(m)) => {
                self.fail(k, m);
                None
            }
            None if self.ok == ok_before => Some(None),
            None => None,
        }
    }

    fn end_after_start(&mut self, k_end: usize, start: Option<NaiveDate>, end: Option<Option<NaiveDate>>) {
        if let (Some(s), Some(Some(e))) = (start, end) {
            if let Err(m) = rules::check_end_not_before_start(s, e) {
                self.fail(k_end, m);
            }
        }
    }
}

/// Reads one file; whether it was read to its end.
fn read_file(r: &mut Reader, file: ExtractFile, input: Box<dyn Read + '_>) -> bool {
    let name = file.file_name();
    let physical_line = std::rc::Rc::new(std::cell::Cell::new(1u64));
    let guarded = LineGuard {
        inner: input,
        since_newline: 0,
        line: physical_line.clone(),
    };
    let mut buffered = BufReader::with_capacity(1 << 20, guarded);
    let head = match buffered.fill_buf() {
        Ok(h) => h,
        Err(e) => {
            r.errors.push(name, 0, "-", format!("niet te lezen: {e}"));
            return false;
        }
    };
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        r.errors
            .push(name, 1, "-", "het bestand is UTF-16; sla het op als UTF-8 (CSV UTF-8)");
        return false;
    }
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let delimiter = detect_delimiter(if bom { &head[3..] } else { head });
    if bom {
        buffered.consume(3);
    }
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(buffered);

    let columns = file.columns();
    let mut record = csv::ByteRecord::new();
    match csv.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            r.errors
                .push(name, 1, "-", "het bestand is leeg: de kopregel ontbreekt");
            return false;
        }
        Err(e) => {
            r.errors.push(name, 1, "-", format!("kopregel onleesbaar: {e}"));
            return false;
        }
    }
    let mut positions: Vec<Option<usize>> = vec![None; columns.len()];
    let mut header_ok = true;
    for (i, raw) in record.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(raw) else {
            r.errors
                .push(name, 1, "-", format!("kolomnaam {} is geen geldige UTF-8-tekst", i + 1));
            header_ok = false;
            continue;
        };
        let col = text.trim().to_ascii_lowercase();
        match columns.iter().position(|(c, _)| *c == col) {
            Some(k) if positions[k].is_some() => {
                r.errors
                    .push(name, 1, columns[k].0, "kolom komt meer dan eens voor in de kopregel");
                header_ok = false;
            }
            Some(k) => positions[k] = Some(i),
            None => r.warnings.push(format!(
                "{name}: kolom '{}' is onbekend en wordt genegeerd",
                rules::shorten(text)
            )),
        }
    }
    for (k, (col, required)) in columns.iter().enumerate() {
        if *required && positions[k].is_none() {
            r.errors.push(name, 1, col, "verplichte kolom ontbreekt in de kopregel");
            header_ok = false;
        }
    }
    if !header_ok {
        return false;
    }
    let width = record.len();
    let mut rows = 0u64;
    let mut last_byte = 0u64;
    let mut complete = true;
    loop {
        if r.errors.full() || r.closed {
            complete = false;
            break;
        }
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(physical_line.get(), |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::Io(io) => format!("onleesbaar: {io}"),
                    _ => format!("CSV onleesbaar: {e}"),
                };
                r.errors.push(name, line, "-", message);
                complete = false;
                break;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            continue; // a blank line
        }
        rows += 1;
        if record.len() != width {
            r.errors.push(
                name,
                line,
                "-",
                format!("de regel heeft {} velden, de kopregel {width}", record.len()),
            );
            continue;
        }
        let mut rec = Record {
            file: name,
            line,
            rec: &record,
            positions: &positions,
            columns,
            errors: &mut r.errors,
            ok: true,
        };
        match file {
            ExtractFile::Practice => practice_row(&mut rec, rows, &mut r.practice, r.today, &mut r.warnings),
            ExtractFile::Patients => {
                if let Some(row) = patient_row(&mut rec, &mut r.patient_ids, r.practice.as_ref().map(|p| p.2)) {
                    r.send(Row::Patient(row));
                }
            }
            ExtractFile::Episodes => {
                if let Some(row) = episode_row(&mut rec, r.patients_complete.then_some(&r.patient_ids)) {
                    r.send(Row::Episode(row));
                }
            }
            ExtractFile::Medications => {
                if let Some(row) = medication_row(&mut rec, r.patients_complete.then_some(&r.patient_ids)) {
                    r.send(Row::Medication(row));
                }
            }
            ExtractFile::Determinants => {
                if let Some(row) = determinant_row(&mut rec, r.patients_complete.then_some(&r.patient_ids)) {
                    r.send(Row::Determinant(row));
                }
            }
            ExtractFile::Programs => {
                if let Some(row) = program_row(&mut rec, r.patients_complete.then_some(&r.patient_ids)) {
                    r.send(Row::Program(row));
                }
            }
        }
        if rows.is_multiple_of(4096) {
            let byte = record.position().map_or(last_byte, |p| p.byte());
            r.progress.inc(byte.saturating_sub(last_byte));
            last_byte = byte;
        }
    }
    if file == ExtractFile::Practice && rows == 0 {
        r.errors.push(
            name,
            2,
            "-",
            "de praktijkregel ontbreekt: practice.csv heeft precies één gegevensregel",
        );
    }
    r.files.push(FileStats { file: name, rows });
    complete
}

fn practice_row(
    rec: &mut Record,
    row_number: u64,
    practice: &mut Option<(String, String, NaiveDate)>,
    today: NaiveDate,
    warnings: &mut Vec<String>,
) {
    if row_number > 1 {
        rec.errors.push(
            rec.file,
            rec.line,
            "-",
            "practice.csv heeft precies één gegevensregel; deze is er één te veel",
        );
        return;
    }
    let agb = rec.required(0, rules::parse_agb_code);
    let name = rec.required(1, |s| rules::parse_text(s, 1, 200));
    let date = rec.required(2, rules::parse_date);
    if let Some(d) = date {
        match rules::check_extract_date(d, today) {
            Err(m) => {
                rec.fail(2, m);
                return;
            }
            Ok(Some(w)) => warnings.push(format!("practice.csv:{}: extract_date: {w}", rec.line)),
            Ok(None) => {}
        }
    }
    if let (Some(a), Some(n), Some(d)) = (agb, name, date) {
        *practice = Some((a, n, d));
    }
}

fn not_after_extract(rec: &mut Record, k: usize, d: Option<NaiveDate>, extract: Option<NaiveDate>) {
    if let (Some(d), Some(e)) = (d, extract) {
        if d > e {
            rec.fail(k, format!("{d} ligt na de extractdatum {e}"));
        }
    }
}

fn patient_row(rec: &mut Record, ids: &mut HashSet<String>, extract: Option<NaiveDate>) -> Option<PatientRow> {
    let his_id = rec.required(0, rules::parse_patient_id);
    if let Some(id) = &his_id {
        if !ids.insert(id.clone()) {
            rec.fail(
                0,
                format!(
                    "patient_id '{}' komt al eerder voor in patients.csv",
                    rules::shorten(id)
                ),
            );
        }
    }
    let bsn = rec.optional(1, rules::parse_bsn);
    let family_name = rec.optional(2, |s| rules::parse_text(s, 1, 200));
    let given_name = rec.optional(3, |s| rules::parse_text(s, 1, 200));
    let birth_date = rec.required(4, rules::parse_date);
    not_after_extract(rec, 4, birth_date, extract);
    let sex = rec.optional(5, rules::parse_sex);
    let registration_start = rec.required(6, rules::parse_date);
    let registration_end = rec.optional(7, rules::parse_date);
    rec.end_after_start(7, registration_start, registration_end);
    let postal_code = rec.optional(8, rules::parse_postal_code);
    let address = rec.optional(9, |s| rules::parse_text(s, 1, 200));
    let city = rec.optional(10, |s| rules::parse_text(s, 1, 100));
    let phone = rec.optional(11, |s| rules::parse_text(s, 1, 40));
    if !rec.ok {
        return None;
    }
    Some(PatientRow {
        his_id: his_id?,
        bsn: bsn?,
        family_name: family_name?,
        given_name: given_name?,
        birth_date: birth_date?,
        sex: sex?,
        registration_start: registration_start?,
        registration_end: registration_end?,
        postal_code: postal_code?,
        address: address?,
        city: city?,
        phone: phone?,
    })
}

/// The row's patient id, checked against patients.csv when that was read whole.
fn known_patient(rec: &mut Record, ids: Option<&HashSet<String>>) -> Option<String> {
    let id = rec.required(0, rules::parse_patient_id)?;
    if ids.is_none_or(|ids| ids.contains(&id)) {
        Some(id)
    } else {
        rec.fail(
            0,
            format!("patiënt '{}' staat niet in patients.csv", rules::shorten(&id)),
        );
        None
    }
}

fn episode_row(rec: &mut Record, ids: Option<&HashSet<String>>) -> Option<EpisodeRow> {
    let his_id = known_patient(rec, ids);
    let icpc = rec.required(1, rules::parse_icpc);
    let start = rec.required(2, rules::parse_date);
    let end = rec.optional(3, rules::parse_date);
    rec.end_after_start(3, start, end);
    let title = rec.optional(4, |s| rules::parse_multiline_text(s, 0, 1000));
    if !rec.ok {
        return None;
    }
    Some(EpisodeRow {
        his_id: his_id?,
        icpc: icpc?,
        start: start?,
        end: end?,
        title: title?,
    })
}

fn medication_row(rec: &mut Record, ids: Option<&HashSet<String>>) -> Option<MedicationRow> {
    let his_id = known_patient(rec, ids);
    let atc = rec.required(1, rules::parse_atc);
    let start = rec.required(2, rules::parse_date);
    let end = rec.optional(3, rules::parse_date);
    rec.end_after_start(3, start, end);
    let name = rec.optional(4, |s| rules::parse_text(s, 1, 200));
    let dosage = rec.optional(5, |s| rules::parse_text(s, 1, 200));
    if !rec.ok {
        return None;
    }
    Some(MedicationRow {
        his_id: his_id?,
        atc: atc?,
        start: start?,
        end: end?,
        name: name?,
        dosage: dosage?,
    })
}

fn determinant_row(rec: &mut Record, ids: Option<&HashSet<String>>) -> Option<DeterminantRow> {
    let his_id = known_patient(rec, ids);
    let labcode = rec.required(1, rules::parse_labcode);
    let date = rec.required(2, rules::parse_date);
    let value = rec.required(3, |s| rules::parse_multiline_text(s, 1, 1000));
    if !rec.ok {
        return None;
    }
    Some(DeterminantRow {
        his_id: his_id?,
        labcode: labcode?,
        date: date?,
        value: value?,
    })
}

fn program_row(rec: &mut Record, ids: Option<&HashSet<String>>) -> Option<ProgramRow> {
    let his_id = known_patient(rec, ids);
    let program = rec.required(1, rules::parse_program);
    let start = rec.required(2, rules::parse_date);
    let end = rec.optional(3, rules::parse_date);
    rec.end_after_start(3, start, end);
    if !rec.ok {
        return None;
    }
    Some(ProgramRow {
        his_id: his_id?,
        program: program?,
        start: start?,
        end: end?,
    })
}

#[cfg(test)]
mod tests {
    use super::detect_delimiter;

    #[test]
    fn delimiter_detection_ignores_quoted_text() {
        assert_eq!(detect_delimiter(b"a,b,c\n1;2;3"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\r\n"), b';');
        assert_eq!(detect_delimiter(b"\"x,y,z\";b\n"), b';');
    }
}
