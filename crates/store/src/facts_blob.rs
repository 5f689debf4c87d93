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
//! Format 1: `KTF2` (or `KTF1`, written before), the text table (codes and determinant
//! values, each once), then per patient the HIS id, the dates and the four lists. Each
//! list is its count, then (in `KTF2`, for the medication, determinants and enrolments,
//! when not empty) its length in bytes, then its items: a report skips the lists it does
//! not look at ([`FiguresOn::wants`]) without reading them. Integers are LEB128 varints;
//! a date is its day number from the common era (zigzag-coded), an optional date that plus
//! one (0 = none); a text is a varint index into the table; a chain program its index in
//! [`ChainProgram::ALL`]. The import stores it packed ([`crate::compact::pack`], `KTZF`
//! before the LZ4 block; `snapshot_facts.format` stays 1, the magics tell them apart), a
//! quarter fewer bytes; values written before are read as they are.

use std::collections::HashMap;

use chrono::NaiveDate;
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::figures::{Determinant, Enrolment, Episode, FiguresOn, Medication, PatientFacts, Wanted};

use crate::compact::{day, pack, put, put_bytes, put_day, put_opt_day, unpacked, Reader, Skip};
use crate::StoreResult;

const MAGIC: &[u8; 4] = b"KTF2";
/// The format as written before the lists had their length in bytes.
const MAGIC_UNSIZED: &[u8; 4] = b"KTF1";
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

/// Patient `p`'s items of a [`group_by_patient`] grouping, as positions in the list.
pub(crate) fn of_patient((starts, order): &(Vec<u32>, Vec<u32>), p: usize) -> &[u32] {
    &order[starts[p] as usize..starts[p + 1] as usize]
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

    /// The facts in format 1, `KTF2`.
    pub(crate) fn encode_plain(&self) -> Vec<u8> {
        self.encode_as(true)
    }

    /// [`Self::encode_plain`], or as written before the lists had their length (`sized`
    /// false, `KTF1`: for the tests that such values are still read).
    fn encode_as(&self, sized: bool) -> Vec<u8> {
        let n = self.patients.len();
        let lines = self.episodes.len() + self.medications.len() + self.determinants.len() + self.programs.len();
        let mut out = Vec::with_capacity(64 + n * 24 + lines * 8);
        out.extend_from_slice(if sized { MAGIC } else { MAGIC_UNSIZED });
        put(&mut out, self.text_list.len() as u64);
        for t in &self.text_list {
            put_bytes(&mut out, t.as_bytes());
        }
        let episodes = group_by_patient(n, &self.episodes, |e| e.0);
        let medications = group_by_patient(n, &self.medications, |e| e.0);
        let determinants = group_by_patient(n, &self.determinants, |e| e.0);
        let programs = group_by_patient(n, &self.programs, |e| e.0);
        // A list's items, then its count (and length) before them in `out`.
        let mut items = Vec::new();
        let list = |out: &mut Vec<u8>, items: &mut Vec<u8>, count: usize, sized_here: bool| {
            put(out, count as u64);
            if sized_here && count > 0 {
                put(out, items.len() as u64);
            }
            out.append(items);
        };
        put(&mut out, n as u64);
        let mut id_start = 0;
        for (i, p) in self.patients.iter().enumerate() {
            put_bytes(&mut out, &self.ids.as_bytes()[id_start..p.id_end]);
            id_start = p.id_end;
            put_day(&mut out, p.birth);
            put_day(&mut out, p.start);
            put_opt_day(&mut out, p.end);
            let mine = of_patient(&episodes, i);
            put_dated(&mut items, &self.episodes, mine);
            list(&mut out, &mut items, mine.len(), false);
            let mine = of_patient(&medications, i);
            put_dated(&mut items, &self.medications, mine);
            list(&mut out, &mut items, mine.len(), sized);
            let mine = of_patient(&determinants, i);
            for &k in mine {
                let (_, labcode, date, value) = self.determinants[k as usize];
                put(&mut items, labcode as u64);
                put_day(&mut items, date);
                put(&mut items, u64::from(value));
            }
            list(&mut out, &mut items, mine.len(), sized);
            let mine = of_patient(&programs, i);
            put_dated(&mut items, &self.programs, mine);
            list(&mut out, &mut items, mine.len(), sized);
        }
        out
    }
}

/// The lines at `order` of a dated list (episodes, medication, enrolments), each its code,
/// start and end.
fn put_dated<C: Copy + Into<u64>>(items: &mut Vec<u8>, lines: &[(u32, C, i32, Option<i32>)], order: &[u32]) {
    for &k in order {
        let (_, code, start, end) = lines[k as usize];
        put(items, code.into());
        put_day(items, start);
        put_opt_day(items, end);
    }
}

/// The facts encoded by [`FactsBuilder::encode`], with each patient's HIS id when
/// `with_ids` (else an empty one: a report counts, it names no one).
pub(crate) fn decode(data: &[u8], with_ids: bool) -> StoreResult<Vec<(String, PatientFacts)>> {
    let mut all = Collect(Vec::new());
    decode_each(data, with_ids, &mut all)?;
    Ok(all.0)
}

/// What [`decode_each`] hands each patient to.
pub(crate) trait Sink {
    /// What of the patient beyond their registration and episodes (all that `p` holds
    /// when asked) is to be read; the lists not wanted are left empty.
    fn wants(&mut self, p: &PatientFacts) -> Wanted;
    /// One patient, with their HIS id (empty unless asked for).
    fn each(&mut self, his_id: &str, p: &PatientFacts);
}

/// Every patient, as they are.
struct Collect(Vec<(String, PatientFacts)>);

impl Sink for Collect {
    fn wants(&mut self, _: &PatientFacts) -> Wanted {
        Wanted::ALL
    }

    fn each(&mut self, his_id: &str, p: &PatientFacts) {
        self.0.push((his_id.to_string(), p.clone()));
    }
}

/// The figures counted as the patients are read, reading only what they look at.
impl Sink for FiguresOn<'_> {
    fn wants(&mut self, p: &PatientFacts) -> Wanted {
        FiguresOn::wants(self, p)
    }

    fn each(&mut self, _: &str, p: &PatientFacts) {
        self.add(p);
    }
}

/// [`decode`] one patient at a time, in the order of the extract, into one value that is
/// written over for each patient: its lists and texts keep their memory, so a snapshot of
/// thousands of patients costs a few allocations, not one per line. A damaged value is an
/// error, possibly after `sink` has seen the patients before the damage.
pub(crate) fn decode_each(data: &[u8], with_ids: bool, sink: &mut impl Sink) -> StoreResult<()> {
    let data = &*unpacked(PACKED, data, "snapshot_facts.data")?;
    let sized = if data.starts_with(MAGIC) {
        true
    } else if data.starts_with(MAGIC_UNSIZED) {
        false
    } else {
        return Err(Reader::new(data, 0, "snapshot_facts.data").broken("onbekend formaat"));
    };
    let mut r = Reader::new(data, MAGIC.len(), "snapshot_facts.data");
    let n = r.len()?;
    let mut texts = Vec::with_capacity(n);
    for _ in 0..n {
        texts.push(r.text()?);
    }
    let set_text = |r: &mut Reader, slot: &mut String| -> StoreResult<()> {
        let i = usize::try_from(r.int()?).map_err(|_| r.broken("tekst"))?;
        let text = texts.get(i).ok_or_else(|| r.broken("tekst buiten de tabel"))?;
        slot.clear();
        slot.push_str(text);
        Ok(())
    };
    // A list's count and, when `sized`, its end; `Some(n)` when it is to be read, `None`
    // when it was skipped (and its items are to be left out).
    let list = |r: &mut Reader, wanted: bool| -> StoreResult<Option<(usize, Option<usize>)>> {
        let n = r.len()?;
        if !sized || n == 0 {
            return Ok(Some((n, None)));
        }
        let bytes = r.len()?;
        let end = r.at() + bytes;
        if wanted {
            return Ok(Some((n, Some(end))));
        }
        r.set_at(end);
        Ok(None)
    };
    let ended = |r: &Reader, end: Option<usize>| match end {
        Some(end) if r.at() != end => Err(r.broken("lijst niet zo lang als opgegeven")),
        _ => Ok(()),
    };
    let epoch = NaiveDate::default();
    let mut f = PatientFacts::new(epoch, epoch, None);
    let mut spare = Spare::default();
    let n = r.len()?;
    for _ in 0..n {
        let his_id = if with_ids {
            r.text()?
        } else {
            r.skip(Skip::Text)?;
            ""
        };
        (f.birth_date, f.registration_start, f.registration_end) = (r.date()?, r.date()?, r.opt_date()?);
        let n = r.len()?;
        let blank = || Episode {
            icpc: String::new(),
            start: epoch,
            end: None,
        };
        for e in resize(&mut f.episodes, &mut spare.episodes, n, blank) {
            set_text(&mut r, &mut e.icpc)?;
            (e.start, e.end) = (r.date()?, r.opt_date()?);
        }
        set_aside(&mut f.medications, &mut spare.medications);
        set_aside(&mut f.determinants, &mut spare.determinants);
        f.programs.clear();
        let wanted = if sized { sink.wants(&f) } else { Wanted::ALL };
        if let Some((n, end)) = list(&mut r, wanted.medications)? {
            let blank = || Medication {
                atc: String::new(),
                start: epoch,
                end: None,
            };
            for m in resize(&mut f.medications, &mut spare.medications, n, blank) {
                set_text(&mut r, &mut m.atc)?;
                (m.start, m.end) = (r.date()?, r.opt_date()?);
            }
            ended(&r, end)?;
        }
        if let Some((n, end)) = list(&mut r, wanted.determinants_and_programs)? {
            let blank = || Determinant {
                labcode: 0,
                date: epoch,
                value: String::new(),
            };
            for d in resize(&mut f.determinants, &mut spare.determinants, n, blank) {
                d.labcode = i64::try_from(r.int()?).map_err(|_| r.broken("labcode"))?;
                d.date = r.date()?;
                set_text(&mut r, &mut d.value)?;
            }
            ended(&r, end)?;
        }
        if let Some((n, end)) = list(&mut r, wanted.determinants_and_programs)? {
            for _ in 0..n {
                let code = usize::try_from(r.int()?).map_err(|_| r.broken("programma"))?;
                f.programs.push(Enrolment {
                    program: *ChainProgram::ALL.get(code).ok_or_else(|| r.broken("programma"))?,
                    start: r.date()?,
                    end: r.opt_date()?,
                });
            }
            ended(&r, end)?;
        }
        sink.each(his_id, &f);
    }
    if !r.done() {
        return Err(r.broken("bytes over na de laatste patiënt"));
    }
    Ok(())
}

/// Lines set aside by [`resize`] when a patient had fewer than the one before, with
/// their texts' memory, for a later patient with more.
#[derive(Default)]
struct Spare {
    episodes: Vec<Episode>,
    medications: Vec<Medication>,
    determinants: Vec<Determinant>,
}

/// `list` emptied into `spare` (see [`resize`]).
fn set_aside<T>(list: &mut Vec<T>, spare: &mut Vec<T>) {
    spare.append(list);
}

/// `list` made `n` long, from its own items, then `spare`'s, then `blank` ones; the items
/// beyond `n` go to `spare`. The caller writes over every item it gets back.
fn resize<'v, T>(list: &'v mut Vec<T>, spare: &mut Vec<T>, n: usize, blank: impl Fn() -> T) -> &'v mut [T] {
    if list.len() > n {
        spare.extend(list.drain(n..));
    }
    while list.len() < n {
        list.push(spare.pop().unwrap_or_else(&blank));
    }
    list
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

    /// Counts what it sees and wants medication only of even birth years.
    struct Picky(Vec<(String, usize, usize, usize)>);

    impl Sink for Picky {
        fn wants(&mut self, p: &PatientFacts) -> Wanted {
            assert!(p.medications.is_empty() && p.determinants.is_empty() && p.programs.is_empty());
            Wanted {
                medications: chrono::Datelike::year(&p.birth_date) % 2 == 0,
                determinants_and_programs: !p.episodes.is_empty(),
            }
        }

        fn each(&mut self, id: &str, p: &PatientFacts) {
            let n = (p.medications.len(), p.determinants.len(), p.programs.len());
            self.0.push((id.to_string(), n.0, n.1, n.2));
        }
    }

    fn mixed() -> FactsBuilder {
        let mut b = FactsBuilder::default();
        for i in 0..40 {
            let p = b.patient(
                &format!("P{i}"),
                d(&format!("19{:02}-05-01", 30 + i)),
                d("1990-01-01"),
                None,
            );
            for k in 0..i % 4 {
                b.medication(p, ["A10AB01", "C07AB02", "N02BE01"][k % 3], d("2019-03-03"), None);
            }
            if i % 3 == 0 {
                b.episode(p, "A05", d("2020-01-01"), None);
                b.determinant(p, 2803, d("2026-01-01"), "356");
                b.program(p, ChainProgram::Cvrm, d("2018-01-01"), None);
            }
        }
        b
    }

    #[test]
    fn the_lists_not_wanted_are_skipped_and_the_rest_read_right() {
        let b = mixed();
        let mut picky = Picky(Vec::new());
        decode_each(&b.encode(), true, &mut picky).unwrap();
        let all = decode(&b.encode(), true).unwrap();
        assert_eq!(picky.0.len(), 40);
        for ((id, meds, dets, programs), (all_id, f)) in picky.0.iter().zip(&all) {
            assert_eq!(id, all_id);
            let even = chrono::Datelike::year(&f.birth_date) % 2 == 0;
            assert_eq!(*meds, if even { f.medications.len() } else { 0 }, "{id}");
            let frail = !f.episodes.is_empty();
            assert_eq!((*dets, *programs), if frail { (1, 1) } else { (0, 0) }, "{id}");
        }
        assert!(all
            .iter()
            .any(|(_, f)| chrono::Datelike::year(&f.birth_date) % 2 == 1 && !f.medications.is_empty()));
    }

    #[test]
    fn values_written_before_the_lists_had_lengths_still_read() {
        let b = mixed();
        let old = pack(PACKED, &b.encode_as(false));
        assert!(unpacked(PACKED, &old, "t").unwrap().starts_with(MAGIC_UNSIZED));
        assert_eq!(
            format!("{:?}", decode(&old, true).unwrap()),
            format!("{:?}", decode(&b.encode(), true).unwrap())
        );
        // Nothing is skipped in such a value: every list is read.
        let mut picky = Picky(Vec::new());
        decode_each(&old, true, &mut picky).unwrap();
        let meds: usize = picky.0.iter().map(|p| p.1).sum();
        assert_eq!(meds, b.medications.len());
    }

    #[test]
    fn a_damaged_value_is_refused_not_misread() {
        let mut b = FactsBuilder::default();
        let p1 = b.patient("P1", d("1940-02-29"), d("1990-01-01"), None);
        b.episode(p1, "A05", d("2020-01-01"), None);
        b.medication(p1, "A10AB01", d("2019-03-03"), None);
        let data = b.encode();
        for whole in [&data, &b.encode_plain()] {
            for cut in 0..whole.len() {
                assert!(decode(&whole[..cut], true).is_err(), "cut at {cut}");
            }
        }
        let mut longer = data.clone();
        longer.push(0);
        assert!(decode(&longer, true).is_err());
        assert!(decode(b"XXXX", true).is_err());
    }
}
