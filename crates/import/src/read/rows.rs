//! One record of a file, looked up by the spec's columns, and the parsers that turn it
//! into a row of the store.

use chrono::NaiveDate;
use kernteam_domain::extract::{self as rules, FieldResult};
use kernteam_store::extracts::{DeterminantRow, EpisodeRow, MedicationRow, PatientRow, ProgramRow};
use kernteam_store::people::PracticeContact;

use super::Errors;

/// The fields of one record, looked up by the spec's column order for the file.
pub(super) struct Record<'a> {
    pub(super) file: &'static str,
    pub(super) line: u64,
    pub(super) rec: &'a csv::ByteRecord,
    pub(super) positions: &'a [Option<usize>],
    pub(super) columns: &'static [(&'static str, bool)],
    pub(super) errors: &'a mut Errors,
    pub(super) ok: bool,
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

pub(super) fn patient_row(rec: &mut Record, ids: &mut super::IdSet, extract: Option<NaiveDate>) -> Option<PatientRow> {
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
fn known_patient(rec: &mut Record, ids: Option<&super::IdSet>) -> Option<String> {
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

pub(super) fn episode_row(rec: &mut Record, ids: Option<&super::IdSet>) -> Option<EpisodeRow> {
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

pub(super) fn medication_row(rec: &mut Record, ids: Option<&super::IdSet>) -> Option<MedicationRow> {
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

pub(super) fn determinant_row(rec: &mut Record, ids: Option<&super::IdSet>) -> Option<DeterminantRow> {
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

pub(super) fn program_row(rec: &mut Record, ids: Option<&super::IdSet>) -> Option<ProgramRow> {
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
