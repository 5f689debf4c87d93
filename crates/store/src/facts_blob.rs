//! A snapshot's [`PatientFacts`] in one compact binary value (`snapshot_facts.data`),
//! written by the import beside the snapshot's rows and read back by the reports instead
//! of decoding millions of rows: the facts per patient are put together once, at import.
//!
//! It holds exactly what [`crate::Db::snapshot_facts_keyed`] reads from the rows (every
//! episode, medication, determinant and enrolment, in the order of the extract; not the
//! names, titles or dosages), so the reports' rules stay in the domain crate and see the
//! same facts either way. The snapshot's rows are written only by the import, so the two
//! cannot drift apart; a snapshot imported before this table existed has no value and is
//! read from its rows.
//!
//! Format 1: `KTF1`, the text table (codes and determinant values, each once), then per
//! patient the HIS id, the dates and the four lists. Integers are LEB128 varints; a date is
//! its day number from the common era (zigzag-coded), an optional date that plus one (0 = none); a text
//! is a varint index into the table; a chain program its index in [`ChainProgram::ALL`].
//! The import stores it packed ([`crate::compact::pack`], `KTZF` before the LZ4 block;
//! `snapshot_facts.format` stays 1, the magic tells them apart), a quarter fewer bytes;
//! values written before are read as they are.

use std::collections::HashMap;

use chrono::NaiveDate;
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::figures::{Determinant, Enrolment, Episode, Medication, PatientFacts};

use crate::compact::{day, pack, put, put_bytes, put_day, put_opt_day, unpacked, Reader, Skip};
use crate::StoreResult;

const MAGIC: &[u8; 4] = b"KTF1";
/// A format 1 value packed ([`crate::compact::pack`]), as the import writes it.
const PACKED: &[u8; 4] = b"KTZF";
/// `snapshot_facts.format` of what [`FactsBuilder::encode`] writes.
pub(crate) const FORMAT: i64 = 1;

/// The facts of one snapshot as its rows stream by, encoded at the end. Patients are
/// numbered in the order they came (the import's patient index); lines are kept in flat
/// lists with their patient's number and grouped per patient only when encoded, so that
/// a million patients cost a few large vectors, not millions of small ones.
#[derive(Default)]
pub(crate) struct FactsBuilder {
    texts: HashMap<String, u32, foldhash::fast::RandomState>,
    /// The patients' HIS ids, one after the other (a patient's end is in their [`Head`]).
    ids: String,
    text_list: Vec<String>,
    patients: Vec<Head>,
    /// (patient, code, start, end) of episodes and medications.
    episodes: Vec<(u32, u32, i32, Option<i32>)>,
    medications: Vec<(u32, u32, i32, Option<i32>)>,
    /// (patient, labcode, date, value).
    determinants: Vec<(u32, i64, i32, u32)>,
    /// (patient, program, start, end).
    programs: Vec<(u32, u8, i32, Option<i32>)>,
}

/// One patient's own facts.
struct Head {
    /// Where the HIS id ends in [`FactsBuilder::ids`] (it starts where the one before ends).
    id_end: usize,
    birth: i32,
    start: i32,
    end: Option<i32>,
}

fn opt_day(d: Option<NaiveDate>) -> Option<i32> {
    d.map(day)
}

/// The positions of `items` grouped by patient, each group in the order of `items`:
/// `(starts, order)`, patient `p`'s items being `order[starts[p]..starts[p + 1]]`.
pub(crate) fn group_by_patient<T>(patients: usize, items: &[T], patient: impl Fn(&T) -> u32) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32; patients + 1];
    for item in items {
        starts[patient(item) as usize + 1] += 1;
    }
    for p in 0..patients {
        starts[p + 1] += starts[p];
    }
    let mut next = starts.clone();
    let mut order = vec![0u32; items.len()];
    for (i, item) in items.iter().enumerate() {
        let slot = &mut next[patient(item) as usize];
        order[*slot as usize] = i as u32;
        *slot += 1;
    }
    (starts, order)
}

impl FactsBuilder {
    fn text(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.texts.get(s) {
            return i;
        }
        let i = self.text_list.len() as u32;
        self.texts.insert(s.to_string(), i);
        self.text_list.push(s.to_string());
        i
    }

    /// Whether `patient` is a number given out; a line of any other is dropped (the
    /// import refuses such a line before it gets here).
    fn known(&self, patient: u32) -> bool {
        (patient as usize) < self.patients.len()
    }

    /// Adds a patient; their number is the count of patients before them.
    pub(crate) fn patient(&mut self, his_id: &str, birth: NaiveDate, start: NaiveDate, end: Option<NaiveDate>) -> u32 {
        let n = self.patients.len() as u32;
        self.ids.push_str(his_id);
        self.patients.push(Head {
            id_end: self.ids.len(),
            birth: day(birth),
            start: day(start),
            end: opt_day(end),
        });
        n
    }

    pub(crate) fn episode(&mut self, patient: u32, icpc: &str, start: NaiveDate, end: Option<NaiveDate>) {
        if self.known(patient) {
            let code = self.text(icpc);
            self.episodes.push((patient, code, day(start), opt_day(end)));
        }
    }

    pub(crate) fn medication(&mut self, patient: u32, atc: &str, start: NaiveDate, end: Option<NaiveDate>) {
        if self.known(patient) {
            let code = self.text(atc);
            self.medications.push((patient, code, day(start), opt_day(end)));
        }
    }

    pub(crate) fn determinant(&mut self, patient: u32, labcode: i64, date: NaiveDate, value: &str) {
        if self.known(patient) {
            let value = self.text(value);
            self.determinants.push((patient, labcode, day(date), value));
        }
    }

    pub(crate) fn program(&mut self, patient: u32, program: ChainProgram, start: NaiveDate, end: Option<NaiveDate>) {
        if self.known(patient) {
            let code = ChainProgram::ALL.iter().position(|p| *p == program).unwrap_or(0) as u8;
            self.programs.push((patient, code, day(start), opt_day(end)));
        }
    }

    /// The value to store: [`Self::encode_plain`] packed.
    pub(crate) fn encode(&self) -> Vec<u8> {
        pack(PACKED, &self.encode_plain())
    }

    /// The facts in format 1.
    pub(crate) fn encode_plain(&self) -> Vec<u8> {
        let n = self.patients.len();
        let lines = self.episodes.len() + self.medications.len() + self.determinants.len() + self.programs.len();
        let mut out = Vec::with_capacity(64 + n * 24 + lines * 8);
        out.extend_from_slice(MAGIC);
        put(&mut out, self.text_list.len() as u64);
        for t in &self.text_list {
            put_bytes(&mut out, t.as_bytes());
        }
        let episodes = group_by_patient(n, &self.episodes, |e| e.0);
        let medications = group_by_patient(n, &self.medications, |e| e.0);
        let determinants = group_by_patient(n, &self.determinants, |e| e.0);
        let programs = group_by_patient(n, &self.programs, |e| e.0);
        let of = |(starts, _): &(Vec<u32>, Vec<u32>), p: usize| starts[p] as usize..starts[p + 1] as usize;
        put(&mut out, n as u64);
        let mut id_start = 0;
        for (i, p) in self.patients.iter().enumerate() {
            put_bytes(&mut out, &self.ids.as_bytes()[id_start..p.id_end]);
            id_start = p.id_end;
            put_day(&mut out, p.birth);
            put_day(&mut out, p.start);
            put_opt_day(&mut out, p.end);
            let range = of(&episodes, i);
            put(&mut out, range.len() as u64);
            for &k in &episodes.1[range] {
                let (_, code, start, end) = self.episodes[k as usize];
                put(&mut out, u64::from(code));
                put_day(&mut out, start);
                put_opt_day(&mut out, end);
            }
            let range = of(&medications, i);
            put(&mut out, range.len() as u64);
            for &k in &medications.1[range] {
                let (_, code, start, end) = self.medications[k as usize];
                put(&mut out, u64::from(code));
                put_day(&mut out, start);
                put_opt_day(&mut out, end);
            }
            let range = of(&determinants, i);
            put(&mut out, range.len() as u64);
            for &k in &determinants.1[range] {
                let (_, labcode, date, value) = self.determinants[k as usize];
                put(&mut out, labcode as u64);
                put_day(&mut out, date);
                put(&mut out, u64::from(value));
            }
            let range = of(&programs, i);
            put(&mut out, range.len() as u64);
            for &k in &programs.1[range] {
                let (_, code, start, end) = self.programs[k as usize];
                put(&mut out, u64::from(code));
                put_day(&mut out, start);
                put_opt_day(&mut out, end);
            }
        }
        out
    }
}

/// The facts encoded by [`FactsBuilder::encode`], with each patient's HIS id when
/// `with_ids` (else an empty one: a report counts, it names no one).
pub(crate) fn decode(data: &[u8], with_ids: bool) -> StoreResult<Vec<(String, PatientFacts)>> {
    let data = &*unpacked(PACKED, data, "snapshot_facts.data")?;
    if !data.starts_with(MAGIC) {
        return Err(Reader::new(data, 0, "snapshot_facts.data").broken("onbekend formaat"));
    }
    let mut r = Reader::new(data, MAGIC.len(), "snapshot_facts.data");
    let n = r.len()?;
    let mut texts = Vec::with_capacity(n);
    for _ in 0..n {
        texts.push(r.text()?.to_string());
    }
    let text = |r: &mut Reader| -> StoreResult<String> {
        let i = usize::try_from(r.int()?).map_err(|_| r.broken("tekst"))?;
        texts.get(i).cloned().ok_or_else(|| r.broken("tekst buiten de tabel"))
    };
    let n = r.len()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let his_id = if with_ids {
            r.text()?.to_string()
        } else {
            r.skip(Skip::Text)?;
            String::new()
        };
        let mut f = PatientFacts::new(r.date()?, r.date()?, r.opt_date()?);
        let n = r.len()?;
        f.episodes.reserve_exact(n);
        for _ in 0..n {
            f.episodes.push(Episode {
                icpc: text(&mut r)?,
                start: r.date()?,
                end: r.opt_date()?,
            });
        }
        let n = r.len()?;
        f.medications.reserve_exact(n);
        for _ in 0..n {
            f.medications.push(Medication {
                atc: text(&mut r)?,
                start: r.date()?,
                end: r.opt_date()?,
            });
        }
        let n = r.len()?;
        f.determinants.reserve_exact(n);
        for _ in 0..n {
            f.determinants.push(Determinant {
                labcode: i64::try_from(r.int()?).map_err(|_| r.broken("labcode"))?,
                date: r.date()?,
                value: text(&mut r)?,
            });
        }
        let n = r.len()?;
        f.programs.reserve_exact(n);
        for _ in 0..n {
            let code = usize::try_from(r.int()?).map_err(|_| r.broken("programma"))?;
            f.programs.push(Enrolment {
                program: *ChainProgram::ALL.get(code).ok_or_else(|| r.broken("programma"))?,
                start: r.date()?,
                end: r.opt_date()?,
            });
        }
        out.push((his_id, f));
    }
    if !r.done() {
        return Err(r.broken("bytes over na de laatste patiënt"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn facts_come_back_as_they_went_in() {
        let mut b = FactsBuilder::default();
        let p1 = b.patient("P1", d("1940-02-29"), d("1990-01-01"), None);
        let p2 = b.patient("P2", d("0000-03-01"), d("2000-05-05"), Some(d("9999-12-31")));
        b.episode(p1, "A05", d("2020-01-01"), None);
        b.medication(p2, "A10AB01", d("2019-03-03"), None);
        b.episode(p1, "A20.01", d("2021-01-01"), Some(d("2022-01-01")));
        b.determinant(p1, 2803, d("2026-01-01"), " 353 ");
        b.determinant(p2, 2803, d("2026-01-01"), " 353 ");
        b.program(p1, ChainProgram::Astma, d("2018-01-01"), Some(d("2018-12-31")));
        b.episode(9, "A05", d("2020-01-01"), None);
        let back = decode(&b.encode(), true).unwrap();
        assert_eq!(back.len(), 2);
        let (id, p1) = &back[0];
        assert_eq!(id, "P1");
        assert_eq!(p1.birth_date, d("1940-02-29"));
        assert_eq!(p1.registration_end, None);
        assert_eq!(p1.episodes.len(), 2);
        assert_eq!(p1.episodes[1].icpc, "A20.01");
        assert_eq!(p1.episodes[1].end, Some(d("2022-01-01")));
        assert_eq!(p1.determinants[0].value, " 353 ");
        assert_eq!(p1.programs[0].program, ChainProgram::Astma);
        let (id, p2) = &back[1];
        assert_eq!(id, "P2");
        assert_eq!(p2.birth_date, d("0000-03-01"));
        assert_eq!(p2.registration_end, Some(d("9999-12-31")));
        assert_eq!(p2.medications[0].atc, "A10AB01");
        assert_eq!(p2.determinants[0].labcode, 2803);
    }

    #[test]
    fn facts_are_stored_packed_and_plain_ones_still_read() {
        let mut b = FactsBuilder::default();
        for i in 0..100 {
            let p = b.patient(&format!("P{i}"), d("1940-02-29"), d("1990-01-01"), None);
            b.medication(p, "A10AB01", d("2019-03-03"), None);
        }
        let (packed, plain) = (b.encode(), b.encode_plain());
        assert!(packed.starts_with(PACKED) && plain.starts_with(MAGIC));
        assert!(packed.len() < plain.len());
        let back = decode(&packed, true).unwrap();
        assert_eq!(back.len(), 100);
        assert_eq!(
            format!("{back:?}"),
            format!("{:?}", decode(&plain, true).unwrap()),
            "the same facts either way"
        );
    }

    #[test]
    fn a_damaged_value_is_refused_not_misread() {
        let mut b = FactsBuilder::default();
        let p1 = b.patient("P1", d("1940-02-29"), d("1990-01-01"), None);
        b.episode(p1, "A05", d("2020-01-01"), None);
        let data = b.encode();
        for cut in 0..data.len() {
            assert!(decode(&data[..cut], true).is_err(), "cut at {cut}");
        }
        let mut longer = data.clone();
        longer.push(0);
        assert!(decode(&longer, true).is_err());
        assert!(decode(b"XXXX", true).is_err());
    }
}
