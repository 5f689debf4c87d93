//! The kept records of a snapshot (who a patient is and their HIS lines) as compact values
//! in `snapshot_records`, a few patients to a row.
//!
//! An import writes a snapshot's rows once and reads them back one patient at a time (the
//! record pages) or one practice at a time (lists); it never queries them by column. So a
//! snapshot's patients are spread over buckets by a stable hash of their HIS id
//! ([`his_hash`], FNV-1a) and each bucket is one row: an import of a million patients
//! writes some thousands of rows instead of millions, and a record page reads one small
//! value. The number of buckets is the snapshot's (`snapshots.record_buckets`, about
//! [`PATIENTS_PER_BUCKET`] patients to a bucket), so a patient's bucket is
//! `his_hash % record_buckets`, computed by the query itself.
//!
//! Only the program's population is kept ([`kernteam_domain::figures::record_kept`]); the
//! facts the reports count are kept of everyone ([`crate::facts_blob`]).
//!
//! Format 1: `KTR1`, the number of patients, then per patient the HIS id, the patient's
//! columns in the order of patients.csv, and the four lists of lines, each its count
//! then its lines in the order of the extract (the encoding of [`crate::compact`]).
//! Format 2, which the import writes: `KTZ1` and a format 1 value packed with LZ4
//! ([`crate::compact::pack`]). Both are read. Packed, a 1M-patient import writes 45 % fewer
//! bytes (the kept records are mostly repeated titles, medicine names and dosages).

use std::collections::HashSet;

use chrono::NaiveDate;
use kernteam_domain::codes::{ChainProgram, CodeSets};
use kernteam_domain::figures::{self, Determinant, Enrolment, Episode, Medication, PatientFacts};

use crate::compact::{pack, put, put_bytes, put_date, put_opt_date, put_opt_text, unpacked, Reader, Skip};
use crate::extracts::lines;
use crate::facts_blob::{group_by_patient, of_patient};
use crate::patients::{DeterminantLine, HisLine, HisRecord, Person};
use crate::{StoreError, StoreResult};

const MAGIC: &[u8; 4] = b"KTR1";
/// Format 2: a format 1 value packed ([`crate::compact::pack`]), as the import writes it.
const PACKED: &[u8; 4] = b"KTZ1";
const COLUMN: &str = "snapshot_records.data";
/// About this many patients share a bucket: a record page unpacks some kilobytes and
/// reads past the others by their lengths (as fast as with 8 to a bucket, measured with
/// `scripts/load-test`), and an import's values pack better: against 8 to a bucket the
/// 1M-patient database is 91 MiB instead of 125, its import 10 % faster.
pub(crate) const PATIENTS_PER_BUCKET: usize = 32;

/// FNV-1a of the HIS id: stable across versions and platforms (it is stored, in effect).
pub(crate) fn his_hash(his_id: &str) -> i64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in his_id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    i64::from(h)
}

/// The number of buckets for this many kept patients.
fn bucket_count(kept: usize) -> i64 {
    (kept / PATIENTS_PER_BUCKET).clamp(1, 1 << 16).next_power_of_two() as i64
}

/// One patient of the snapshot as it streams by; their columns and lines are in the
/// builder's flat buffers.
struct Pending {
    /// Where the HIS id and the BSN are in [`RecordsBuilder::ids`].
    his_id: Span,
    bsn: Option<Span>,
    birth_date: NaiveDate,
    frail_episode: bool,
    /// Kept whatever their episodes say (old enough, or known), by the [`Plan`].
    sure: bool,
    /// Where the patient's encoded columns end in [`RecordsBuilder::heads`].
    head_end: usize,
}

/// A piece of [`RecordsBuilder::ids`]: a million patients' ids in one buffer, not in a
/// million small ones.
#[derive(Clone, Copy)]
struct Span(u32, u32);

/// One of the four lists of lines (episodes, medications, determinants, programs) of all
/// patients, encoded one after the other: line `i` is `bytes[ends[i - 1]..ends[i]]`.
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    /// (patient, end of the line in `bytes`).
    ends: Vec<(u32, usize)>,
}

impl Lines {
    /// Closes the line of `patient` just encoded into `bytes`.
    fn end(&mut self, patient: u32) {
        self.ends.push((patient, self.bytes.len()));
    }

    fn line(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1].1 };
        &self.bytes[start..self.ends[i].1]
    }
}

/// The records of one snapshot, put together as its rows arrive: patients numbered in
/// their order (the numbers of [`crate::facts_blob::FactsBuilder`]), everything in a few
/// flat buffers, grouped per patient only for the kept ones when finished.
#[derive(Default)]
pub(crate) struct RecordsBuilder {
    patients: Vec<Pending>,
    /// The patients' HIS ids and BSNs, one after the other.
    ids: String,
    heads: Vec<u8>,
    lines: [Lines; 4],
    codes: CodeSets,
    plan: Option<Plan>,
}

/// What the builder knows beforehand of who will be kept: the extract date and the HIS
/// ids the practice had a lasting identity for when the extract was read. With it, the
/// lines after the episodes (medications, determinants, programs) of a patient who will
/// not be kept are not encoded at all: most patients are neither old nor frail.
struct Plan {
    extract_date: NaiveDate,
    known: HashSet<String>,
}

/// What is written of a snapshot's records.
pub(crate) struct Records {
    pub buckets: i64,
    /// (bucket, value), by bucket.
    pub rows: Vec<(i64, Vec<u8>)>,
    /// The kept patients: HIS id and BSN, in the order of the extract.
    pub kept: Vec<(String, Option<String>)>,
}

impl RecordsBuilder {
    pub(crate) fn patient(&mut self, r: &lines::Patient) {
        let head = &mut self.heads;
        put_opt_text(head, r.bsn);
        put_opt_text(head, r.family_name);
        put_opt_text(head, r.given_name);
        put_date(head, r.birth_date);
        put_opt_text(head, r.sex);
        put_date(head, r.registration_start);
        put_opt_date(head, r.registration_end);
        put_opt_text(head, r.postal_code);
        put_opt_text(head, r.address);
        put_opt_text(head, r.city);
        put_opt_text(head, r.phone);
        let sure = self.plan.as_ref().is_some_and(|plan| {
            figures::record_kept(r.birth_date, plan.extract_date, false, plan.known.contains(r.his_id))
        });
        let his_id = self.span(r.his_id);
        let bsn = r.bsn.map(|b| self.span(b));
        self.patients.push(Pending {
            his_id,
            bsn,
            birth_date: r.birth_date,
            frail_episode: false,
            sure,
            head_end: self.heads.len(),
        });
    }

    fn span(&mut self, text: &str) -> Span {
        let start = self.ids.len() as u32;
        self.ids.push_str(text);
        Span(start, self.ids.len() as u32)
    }

    fn text(&self, span: Span) -> &str {
        &self.ids[span.0 as usize..span.1 as usize]
    }

    /// Plans the snapshot of `extract_date` for a practice whose patients `known` have a
    /// lasting identity; before the first patient. From then on every episode must come
    /// before the other lines (as the import reads the files).
    pub(crate) fn plan(&mut self, extract_date: NaiveDate, known: HashSet<String>) {
        debug_assert!(self.patients.is_empty());
        self.plan = Some(Plan { extract_date, known });
    }

    /// Patient `patient` of this snapshot, or `None` (the import refuses a line of a
    /// patient not seen before it gets here).
    fn known(&mut self, patient: u32) -> Option<&mut Pending> {
        self.patients.get_mut(patient as usize)
    }

    /// Whether the lines after the episodes of `patient` are to be encoded: always
    /// without a plan, else when the patient will be kept.
    fn wanted(&mut self, patient: u32) -> bool {
        let planned = self.plan.is_some();
        self.known(patient)
            .is_some_and(|p| !planned || p.sure || p.frail_episode)
    }

    pub(crate) fn episode(&mut self, patient: u32, r: &lines::Episode) {
        let frail = self.codes.frail.matches(r.icpc);
        let Some(p) = self.known(patient) else { return };
        p.frail_episode |= frail;
        let l = &mut self.lines[0];
        put_bytes(&mut l.bytes, r.icpc.as_bytes());
        put_date(&mut l.bytes, r.start);
        put_opt_date(&mut l.bytes, r.end);
        put_opt_text(&mut l.bytes, r.title);
        l.end(patient);
    }

    pub(crate) fn medication(&mut self, patient: u32, r: &lines::Medication) {
        if !self.wanted(patient) {
            return;
        }
        let l = &mut self.lines[1];
        put_bytes(&mut l.bytes, r.atc.as_bytes());
        put_date(&mut l.bytes, r.start);
        put_opt_date(&mut l.bytes, r.end);
        put_opt_text(&mut l.bytes, r.name);
        put_opt_text(&mut l.bytes, r.dosage);
        l.end(patient);
    }

    pub(crate) fn determinant(&mut self, patient: u32, r: &lines::Determinant) {
        if !self.wanted(patient) {
            return;
        }
        let l = &mut self.lines[2];
        put(&mut l.bytes, r.labcode as u64);
        put_date(&mut l.bytes, r.date);
        put_bytes(&mut l.bytes, r.value.as_bytes());
        l.end(patient);
    }

    pub(crate) fn program(&mut self, patient: u32, r: &lines::Program) {
        if !self.wanted(patient) {
            return;
        }
        let l = &mut self.lines[3];
        put(
            &mut l.bytes,
            ChainProgram::ALL.iter().position(|p| *p == r.program).unwrap_or(0) as u64,
        );
        put_date(&mut l.bytes, r.start);
        put_opt_date(&mut l.bytes, r.end);
        l.end(patient);
    }

    /// [`Self::finish`] on the plan's own known ids, and those ids; `None` when unplanned.
    pub(crate) fn finish_planned(mut self) -> Option<StoreResult<(Records, NaiveDate, HashSet<String>)>> {
        let plan = self.plan.as_mut()?;
        let (extract_date, known) = (plan.extract_date, std::mem::take(&mut plan.known));
        Some(self.finish(extract_date, &known).map(|r| (r, extract_date, known)))
    }

    /// The kept records in their buckets; `known` are the HIS ids the practice has a
    /// lasting identity for now. Refused ([`StoreError::Changed`]) when the builder was
    /// planned and a patient whose lines it left out has had an identity given since.
    pub(crate) fn finish(self, extract_date: NaiveDate, known: &HashSet<String>) -> StoreResult<Records> {
        if let Some(plan) = &self.plan {
            let left_out = |p: &Pending| !p.sure && !p.frail_episode;
            if plan.extract_date != extract_date
                || (self.patients.iter()).any(|p| left_out(p) && known.contains(self.text(p.his_id)))
            {
                return Err(StoreError::Changed(
                    "een patiënt van deze praktijk kreeg een dossier terwijl het extract werd ingelezen".into(),
                ));
            }
        }
        let n = self.patients.len();
        let groups: Vec<(Vec<u32>, Vec<u32>)> = self
            .lines
            .iter()
            .map(|l| group_by_patient(n, &l.ends, |e| e.0))
            .collect();
        let kept: Vec<usize> = (0..n)
            .filter(|&i| {
                let p = &self.patients[i];
                let known = known.contains(self.text(p.his_id));
                figures::record_kept(p.birth_date, extract_date, p.frail_episode, known)
            })
            .collect();
        let buckets = bucket_count(kept.len());
        let head_of = |i: usize| {
            let start = if i == 0 { 0 } else { self.patients[i - 1].head_end };
            &self.heads[start..self.patients[i].head_end]
        };
        let lines_of = |i: usize| {
            (self.lines.iter().zip(&groups)).map(move |(lines, grouped)| {
                let of_patient = of_patient(grouped, i);
                (
                    of_patient.len(),
                    of_patient.iter().map(move |&k| lines.line(k as usize)),
                )
            })
        };
        // Each bucket's patients and bytes first, so that every value is written once, in
        // place, into room of its final size (at most a few bytes more: the lengths' varints).
        let mut sizes: Vec<(u64, usize)> = vec![(0, MAGIC.len() + 10); buckets as usize];
        let bucket_of: Vec<usize> = (kept.iter())
            .map(|&i| {
                let his_id = self.text(self.patients[i].his_id);
                let bucket = (his_hash(his_id) % buckets) as usize;
                let lines: usize = lines_of(i).map(|(_, ls)| 10 + ls.map(<[u8]>::len).sum::<usize>()).sum();
                let (count, size) = &mut sizes[bucket];
                *count += 1;
                *size += 10 + his_id.len() + head_of(i).len() + lines;
                bucket
            })
            .collect();
        let mut values: Vec<(u64, Vec<u8>)> = (sizes.into_iter())
            .map(|(count, size)| {
                let mut value = Vec::new();
                if count > 0 {
                    value.reserve_exact(size);
                    value.extend_from_slice(MAGIC);
                    put(&mut value, count);
                }
                (count, value)
            })
            .collect();
        for (&i, &bucket) in kept.iter().zip(&bucket_of) {
            let out = &mut values[bucket].1;
            put_bytes(out, self.text(self.patients[i].his_id).as_bytes());
            out.extend_from_slice(head_of(i));
            for (count, lines) in lines_of(i) {
                put(out, count as u64);
                for line in lines {
                    out.extend_from_slice(line);
                }
            }
        }
        let rows = values
            .into_iter()
            .enumerate()
            .filter(|(_, (n, _))| *n > 0)
            .map(|(bucket, (_, value))| (bucket as i64, pack(PACKED, &value)))
            .collect();
        Ok(Records {
            buckets,
            rows,
            kept: kept
                .into_iter()
                .map(|i| {
                    let p = &self.patients[i];
                    (self.text(p.his_id).to_string(), p.bsn.map(|b| self.text(b).to_string()))
                })
                .collect(),
        })
    }
}

/// One kept patient as a snapshot describes them: a [`Person`] without the lasting id,
/// and their HIS lines in the order of the extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredRecord {
    pub person: Person,
    pub his: HisRecord,
}

impl StoredRecord {
    /// The record as the reports' facts (what [`crate::facts_blob`] holds of the patient).
    pub(crate) fn facts(&self) -> PatientFacts {
        let p = &self.person;
        let mut f = PatientFacts::new(p.birth_date, p.registration_start, p.registration_end);
        f.episodes = (self.his.episodes.iter())
            .map(|l| Episode {
                icpc: l.code.clone(),
                start: l.start,
                end: l.end,
            })
            .collect();
        f.medications = (self.his.medications.iter())
            .map(|l| Medication {
                atc: l.code.clone(),
                start: l.start,
                end: l.end,
            })
            .collect();
        f.determinants = (self.his.determinants.iter())
            .map(|d| Determinant {
                labcode: d.labcode,
                date: d.date,
                value: d.value.clone(),
            })
            .collect();
        f.programs = (self.his.programs.iter())
            .filter_map(|l| {
                Some(Enrolment {
                    program: ChainProgram::from_code(&l.code)?,
                    start: l.start,
                    end: l.end,
                })
            })
            .collect();
        f
    }
}

fn owned(t: Option<&str>) -> Option<String> {
    t.map(str::to_string)
}

/// Reads one patient; the lines only when `lines` (a list needs just the person).
fn read_one(r: &mut Reader, lines: bool) -> StoreResult<StoredRecord> {
    let his_id = r.text()?.to_string();
    let person = Person {
        patient_id: 0,
        his_id,
        bsn: owned(r.opt_text()?),
        family_name: owned(r.opt_text()?),
        given_name: owned(r.opt_text()?),
        birth_date: r.date()?,
        sex: owned(r.opt_text()?),
        registration_start: r.date()?,
        registration_end: r.opt_date()?,
        postal_code: owned(r.opt_text()?),
        address: owned(r.opt_text()?),
        city: owned(r.opt_text()?),
        phone: owned(r.opt_text()?),
    };
    let mut his = HisRecord::default();
    for _ in 0..r.len()? {
        let line = HisLine {
            code: r.text()?.to_string(),
            start: r.date()?,
            end: r.opt_date()?,
            text: owned(r.opt_text()?),
            dosage: None,
        };
        if lines {
            his.episodes.push(line);
        }
    }
    for _ in 0..r.len()? {
        let line = HisLine {
            code: r.text()?.to_string(),
            start: r.date()?,
            end: r.opt_date()?,
            text: owned(r.opt_text()?),
            dosage: owned(r.opt_text()?),
        };
        if lines {
            his.medications.push(line);
        }
    }
    for _ in 0..r.len()? {
        let labcode = i64::try_from(r.int()?).map_err(|_| r.broken("labcode"))?;
        let line = DeterminantLine {
            labcode,
            date: r.date()?,
            value: r.text()?.to_string(),
        };
        if lines {
            his.determinants.push(line);
        }
    }
    for _ in 0..r.len()? {
        let i = usize::try_from(r.int()?).map_err(|_| r.broken("programma"))?;
        let program = *ChainProgram::ALL.get(i).ok_or_else(|| r.broken("programma"))?;
        let line = HisLine {
            code: program.code().to_string(),
            start: r.date()?,
            end: r.opt_date()?,
            text: None,
            dosage: None,
        };
        if lines {
            his.programs.push(line);
        }
    }
    Ok(StoredRecord { person, his })
}

/// The patients of one bucket's value (either format) read by `read`.
fn read_value<T>(data: &[u8], read: impl FnOnce(&mut Reader) -> StoreResult<T>) -> StoreResult<T> {
    let data = &*unpacked(PACKED, data, COLUMN)?;
    if !data.starts_with(MAGIC) {
        return Err(Reader::new(data, 0, COLUMN).broken("onbekend formaat"));
    }
    let mut r = Reader::new(data, MAGIC.len(), COLUMN);
    let out = read(&mut r)?;
    if !r.done() {
        return Err(r.broken("bytes over na de laatste patiënt"));
    }
    Ok(out)
}

/// Every patient of one bucket's value; with their lines when `lines`.
pub(crate) fn decode(data: &[u8], lines: bool) -> StoreResult<Vec<StoredRecord>> {
    read_value(data, |r| {
        let n = r.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(read_one(r, lines)?);
        }
        Ok(out)
    })
}

/// The patient `his_id` of one bucket's value, with their lines; the bucket's other
/// patients are read past without being copied out.
pub(crate) fn find(data: &[u8], his_id: &str) -> StoreResult<Option<StoredRecord>> {
    read_value(data, |r| {
        let mut found = None;
        for _ in 0..r.len()? {
            let start = r.at();
            if r.text()? == his_id && found.is_none() {
                r.set_at(start);
                found = Some(read_one(r, true)?);
            } else {
                r.set_at(start);
                skip_one(r)?;
            }
        }
        Ok(found)
    })
}

/// Reads past one patient as [`read_one`] reads them, without checking their texts and
/// dates (a record page reads one patient of the bucket).
fn skip_one(r: &mut Reader) -> StoreResult<()> {
    use Skip::{Number as N, OptText as O, Text as T};
    let skip = |r: &mut Reader, kinds: &[Skip]| kinds.iter().try_for_each(|k| r.skip(*k));
    // HIS id, BSN, names, birth date, sex, registration, postal code, address, city, phone.
    skip(r, &[T, O, O, O, N, O, N, N, O, O, O, O])?;
    for line in [&[T, N, N, O][..], &[T, N, N, O, O], &[N, N, T], &[N, N, N]] {
        for _ in 0..r.len()? {
            skip(r, line)?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "records_blob_tests.rs"]
pub(crate) mod tests;
