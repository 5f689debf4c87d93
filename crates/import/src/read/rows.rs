//! One record of a file, looked up by the spec's columns, and the parsers that check it
//! and hand it, borrowed, to the snapshot being put together.

use chrono::NaiveDate;
use kernteam_domain::extract::{self as rules, FieldResult};
use kernteam_store::extracts::{lines, SnapshotBuilder};
use kernteam_store::people::PracticeContact;

use super::split::Split;
use super::{Errors, IdMap};

/// The number of a patient whose line is checked but not kept (the extract already has
/// errors, so nothing of it will be written).
const NOT_KEPT: u32 = u32::MAX;

/// A record's fields ([`Split`]), with the record as text when it is plain
/// ([`rules::is_plain`], so ASCII: nearly always); else each field is checked on its own.
pub(super) struct Fields<'a> {
    split: &'a Split<'a>,
    text: Option<&'a str>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(split: &'a Split<'a>, plain: bool) -> Self {
        debug_assert!(!plain || split.data.is_ascii());
        // SAFETY: a plain record is printable ASCII and tabs only (`rules::is_plain`), so
        // it is valid UTF-8, and so is every part of it.
        let text = plain.then(|| unsafe { std::str::from_utf8_unchecked(split.data) });
        Fields { split, text }
    }
}

/// The text check of a field: [`rules::check_text`] (or its multi-line form), or on a
/// plain record ([`rules::is_plain`]) the length alone.
type TextCheck = for<'s> fn(&'s str, usize, usize) -> FieldResult<&'s str>;

/// The last patient id a line named, and their number: an extract's lines come grouped
/// by patient, so most lines name the patient of the line before and need no lookup.
#[derive(Default)]
pub(super) struct LastPatient {
    id: String,
    number: u32,
}

/// The fields of one record, looked up by the spec's column order for the file.
pub(super) struct Record<'a> {
    pub(super) file: &'static str,
    pub(super) line: u64,
    pub(super) rec: Fields<'a>,
    /// Every byte of the record is printable ASCII or a tab ([`rules::is_plain`]).
    pub(super) plain: bool,
    pub(super) positions: &'a [Option<usize>],
    pub(super) columns: &'static [(&'static str, bool)],
    pub(super) errors: &'a mut Errors,
    pub(super) ok: bool,
}

impl<'a> Record<'a> {
    fn fail(&mut self, k: usize, message: impl Into<String>) {
        self.ok = false;
        self.errors.push(self.file, self.line, self.columns[k].0, message);
    }

    /// The check of a one-line text field of this record.
    fn text(&self) -> TextCheck {
        if self.plain {
            rules::check_plain_text
        } else {
            rules::check_text
        }
    }

    /// The check of a text field of this record that may span lines.
    fn multiline_text(&self) -> TextCheck {
        if self.plain {
            rules::check_plain_text
        } else {
            rules::check_multiline_text
        }
    }

    /// The raw text of spec column `k`; `None` when empty or absent.
    fn raw(&mut self, k: usize) -> Option<&'a str> {
        let &(start, end) = self.positions[k].and_then(|p| self.rec.split.spans.get(p))?;
        if start == end {
            return None;
        }
        if let Some(text) = self.rec.text {
            return Some(&text[start..end]);
        }
        match std::str::from_utf8(&self.rec.split.data[start..end]) {
            Ok(s) => Some(s),
            Err(_) => {
                self.ok = false;
                self.errors
                    .push(self.file, self.line, self.columns[k].0, "geen geldige UTF-8-tekst");
                None
            }
        }
    }

    fn required<T>(&mut self, k: usize, parse: impl FnOnce(&'a str) -> FieldResult<T>) -> Option<T> {
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
    fn optional<T>(&mut self, k: usize, parse: impl FnOnce(&'a str) -> FieldResult<T>) -> Option<Option<T>> {
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

pub(super) fn practice_row(
    rec: &mut Record,
    row_number: u64,
    practice: &mut Option<(String, String, NaiveDate, PracticeContact)>,
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
    let address = rec.optional(3, |s| rules::parse_text(s, 1, 200));
    let city = rec.optional(4, |s| rules::parse_text(s, 1, 100));
    let phone = rec.optional(5, |s| rules::parse_text(s, 1, 40));
    if let (Some(a), Some(n), Some(d), Some(address), Some(city), Some(phone)) = (agb, name, date, address, city, phone)
    {
        *practice = Some((a, n, d, PracticeContact { address, city, phone }));
    }
}

fn not_after_extract(rec: &mut Record, k: usize, d: Option<NaiveDate>, extract: Option<NaiveDate>) {
    if let (Some(d), Some(e)) = (d, extract) {
        if d > e {
            rec.fail(k, format!("{d} ligt na de extractdatum {e}"));
        }
    }
}

/// Checks a line of patients.csv and, when `out` is given and the line is valid, adds the
/// patient to it; `ids` learns the id (with the patient's number) either way, so that a
/// second line of the same id is refused.
pub(super) fn patient_row(
    rec: &mut Record,
    ids: &mut IdMap,
    extract: Option<NaiveDate>,
    out: Option<&mut SnapshotBuilder>,
) {
    let text = rec.text();
    let his_id = rec.required(0, |s| text(s, 1, rules::PATIENT_ID_MAX));
    let fresh = match his_id {
        Some(id) if ids.contains_key(id) => {
            rec.fail(
                0,
                format!(
                    "patient_id '{}' komt al eerder voor in patients.csv",
                    rules::shorten(id)
                ),
            );
            false
        }
        Some(_) => true,
        None => false,
    };
    let bsn = rec.optional(1, rules::check_bsn);
    let family_name = rec.optional(2, |s| text(s, 1, 200));
    let given_name = rec.optional(3, |s| text(s, 1, 200));
    let birth_date = rec.required(4, rules::parse_date);
    not_after_extract(rec, 4, birth_date, extract);
    let sex = rec.optional(5, rules::check_sex);
    let registration_start = rec.required(6, rules::parse_date);
    let registration_end = rec.optional(7, rules::parse_date);
    rec.end_after_start(7, registration_start, registration_end);
    let postal_code = rec.optional(8, rules::normalise_postal_code);
    let address = rec.optional(9, |s| text(s, 1, 200));
    let city = rec.optional(10, |s| text(s, 1, 100));
    let phone = rec.optional(11, |s| text(s, 1, 40));
    let Some(his_id) = his_id.filter(|_| fresh) else { return };
    let line = || {
        Some(lines::Patient {
            his_id,
            bsn: bsn?,
            family_name: family_name?,
            given_name: given_name?,
            birth_date: birth_date?,
            sex: sex?,
            registration_start: registration_start?,
            registration_end: registration_end?,
            postal_code: postal_code.as_ref()?.as_deref(),
            address: address?,
            city: city?,
            phone: phone?,
        })
    };
    let number = match (rec.ok, out, line()) {
        (true, Some(out), Some(line)) => out.patient(&line),
        _ => NOT_KEPT,
    };
    ids.insert(his_id.into(), number);
}

/// The row's patient number, the id checked against patients.csv when that was read
/// whole ([`NOT_KEPT`] when it was not).
fn known_patient(rec: &mut Record, ids: Option<&IdMap>, last: &mut LastPatient) -> Option<u32> {
    let text = rec.text();
    let id = rec.required(0, |s| text(s, 1, rules::PATIENT_ID_MAX))?;
    let Some(ids) = ids else { return Some(NOT_KEPT) };
    if same_id(last.id.as_bytes(), id.as_bytes()) {
        return Some(last.number);
    }
    match ids.get(id) {
        Some(&n) => {
            last.id.clear();
            last.id.push_str(id);
            last.number = n;
            Some(n)
        }
        None => {
            rec.fail(
                0,
                format!("patiënt '{}' staat niet in patients.csv", rules::shorten(id)),
            );
            None
        }
    }
}

/// `a == b` for short ids, eight bytes at a time and inlined: the comparison with the
/// line before's id is made for nearly every line, where a call to `memcmp` cost 2 % of
/// an import.
#[inline]
fn same_id(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tails = wa.remainder().iter().zip(wb.remainder()).all(|(x, y)| x == y);
    let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().expect("eight bytes"));
    tails && wa.zip(wb).all(|(x, y)| word(x) == word(y))
}

/// The patient's number when the line is valid and is to be kept.
fn keep(rec: &Record, patient: Option<u32>) -> Option<u32> {
    patient.filter(|&n| rec.ok && n != NOT_KEPT)
}

pub(super) fn episode_row(
    rec: &mut Record,
    ids: Option<&IdMap>,
    last: &mut LastPatient,
    out: Option<&mut SnapshotBuilder>,
) {
    let patient = known_patient(rec, ids, last);
    let icpc = rec.required(1, rules::normalise_icpc);
    let start = rec.required(2, rules::parse_date);
    let end = rec.optional(3, rules::parse_date);
    rec.end_after_start(3, start, end);
    let multiline = rec.multiline_text();
    let title = rec.optional(4, |s| multiline(s, 0, 1000));
    if let (Some(n), Some(out), Some(icpc), Some(start), Some(end), Some(title)) =
        (keep(rec, patient), out, &icpc, start, end, title)
    {
        out.episode(
            n,
            &lines::Episode {
                icpc,
                start,
                end,
                title,
            },
        );
    }
}

pub(super) fn medication_row(
    rec: &mut Record,
    ids: Option<&IdMap>,
    last: &mut LastPatient,
    out: Option<&mut SnapshotBuilder>,
) {
    let patient = known_patient(rec, ids, last);
    let atc = rec.required(1, rules::check_atc);
    let start = rec.required(2, rules::parse_date);
    let end = rec.optional(3, rules::parse_date);
    rec.end_after_start(3, start, end);
    let text = rec.text();
    let name = rec.optional(4, |s| text(s, 1, 200));
    let dosage = rec.optional(5, |s| text(s, 1, 200));
    if let (Some(n), Some(out), Some(atc), Some(start), Some(end), Some(name), Some(dosage)) =
        (keep(rec, patient), out, atc, start, end, name, dosage)
    {
        out.medication(
            n,
            &lines::Medication {
                atc,
                start,
                end,
                name,
                dosage,
            },
        );
    }
}

pub(super) fn determinant_row(
    rec: &mut Record,
    ids: Option<&IdMap>,
    last: &mut LastPatient,
    out: Option<&mut SnapshotBuilder>,
) {
    let patient = known_patient(rec, ids, last);
    let labcode = rec.required(1, rules::parse_labcode);
    let date = rec.required(2, rules::parse_date);
    let multiline = rec.multiline_text();
    let value = rec.required(3, |s| multiline(s, 1, 1000));
    if let (Some(n), Some(out), Some(labcode), Some(date), Some(value)) =
        (keep(rec, patient), out, labcode, date, value)
    {
        out.determinant(n, &lines::Determinant { labcode, date, value });
    }
}

pub(super) fn program_row(
    rec: &mut Record,
    ids: Option<&IdMap>,
    last: &mut LastPatient,
    out: Option<&mut SnapshotBuilder>,
) {
    let patient = known_patient(rec, ids, last);
    let program = rec.required(1, rules::parse_program);
    let start = rec.required(2, rules::parse_date);
    let end = rec.optional(3, rules::parse_date);
    rec.end_after_start(3, start, end);
    if let (Some(n), Some(out), Some(program), Some(start), Some(end)) = (keep(rec, patient), out, program, start, end)
    {
        out.program(n, &lines::Program { program, start, end });
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_id_is_equality(a in "[AB]{0,20}", b in "[AB]{0,20}") {
            prop_assert_eq!(super::same_id(a.as_bytes(), b.as_bytes()), a == b);
        }
    }
}
