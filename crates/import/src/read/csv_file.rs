//! Reading one CSV file of an extract: encoding and delimiter, the header line, then
//! the records ([`Splitter`]), each handed to its row parser.

use std::io::Read;

use kernteam_domain::extract::{self as rules, ExtractFile};

use super::rows::{
    determinant_row, episode_row, medication_row, patient_row, practice_row, program_row, Fields, LastPatient, Record,
};
use super::split::Splitter;
use super::Reader;
use crate::guard::LineGuard;
use crate::FileStats;

/// Picks `;` when the header line has more semicolons than commas outside quotes.
pub(crate) fn detect_delimiter(head: &[u8]) -> u8 {
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

/// Reads one file; whether it was read to its end.
pub(super) fn read_file(r: &mut Reader, file: ExtractFile, input: Box<dyn Read + '_>) -> bool {
    let physical_line = std::rc::Rc::new(std::cell::Cell::new(1u64));
    let guarded = LineGuard {
        inner: input,
        since_newline: 0,
        line: physical_line.clone(),
    };
    let mut split = Splitter::new(guarded, std::mem::take(&mut r.buffer));
    let complete = read_records(r, file, &mut split, &physical_line);
    r.buffer = split.into_buffer();
    complete
}

/// The header and the records of one file, through `split`.
fn read_records<R: Read>(
    r: &mut Reader,
    file: ExtractFile,
    split: &mut Splitter<R>,
    physical_line: &std::cell::Cell<u64>,
) -> bool {
    let name = file.file_name();
    let head = match split.head() {
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
        split.skip(3);
    }
    split.set_delimiter(delimiter);

    let columns = file.columns();
    let header = match split.next_record() {
        Ok(Some(h)) => h,
        Ok(None) => {
            r.errors
                .push(name, 1, "-", "het bestand is leeg: de kopregel ontbreekt");
            return false;
        }
        Err(e) => {
            r.errors.push(name, 1, "-", format!("kopregel onleesbaar: {e}"));
            return false;
        }
    };
    let width = header.len();
    let mut positions: Vec<Option<usize>> = vec![None; columns.len()];
    let mut header_ok = true;
    for (i, raw) in header.iter().enumerate() {
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
    let mut rows = 0u64;
    let mut last_byte = 0u64;
    let mut last_patient = LastPatient::default();
    let mut complete = true;
    loop {
        if r.errors.full() {
            complete = false;
            break;
        }
        let record = match split.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(e) => {
                r.errors
                    .push(name, physical_line.get(), "-", format!("onleesbaar: {e}"));
                complete = false;
                break;
            }
        };
        let line = record.line;
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            continue; // an empty line
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
        let valid = r.errors.list.is_empty();
        let plain = rules::is_plain(record.data);
        let mut rec = Record {
            file: name,
            line,
            rec: Fields::new(&record, plain),
            plain,
            positions: &positions,
            columns,
            errors: &mut r.errors,
            ok: true,
        };
        let ids = r.patients_complete.then_some(&r.patient_ids);
        let out = if valid { r.snapshot.as_mut() } else { None };
        match file {
            ExtractFile::Practice => practice_row(&mut rec, rows, &mut r.practice, r.today, &mut r.warnings),
            ExtractFile::Patients => {
                let extract = r.practice.as_ref().map(|p| p.2);
                patient_row(&mut rec, &mut r.patient_ids, extract, out)
            }
            ExtractFile::Episodes => episode_row(&mut rec, ids, &mut last_patient, out),
            ExtractFile::Medications => medication_row(&mut rec, ids, &mut last_patient, out),
            ExtractFile::Determinants => determinant_row(&mut rec, ids, &mut last_patient, out),
            ExtractFile::Programs => program_row(&mut rec, ids, &mut last_patient, out),
        }
        if rows.is_multiple_of(4096) {
            let byte = split.byte();
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
