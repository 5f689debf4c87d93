//! A snapshot put together in memory from its lines, before anything is written: the
//! facts of every patient ([`crate::facts_blob`]) and the records of the kept ones
//! ([`crate::records_blob`]), encoded as the lines arrive. The import's reader fills one
//! on its own thread and hands it to [`crate::Db::store_snapshot`]; memory holds one
//! practice's encoded snapshot, not its rows.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{lines, RowCounts, SnapshotRow};
use crate::facts_blob::FactsBuilder;
use crate::people::PracticeContact;
use crate::records_blob::{Records, RecordsBuilder};
use crate::{StoreError, StoreResult};

/// One snapshot being put together. Patients are numbered in the order they are added;
/// a line names its patient by that number, and a line of a number not given out is
/// dropped (the import refuses such a line before it gets here).
#[derive(Default)]
pub struct SnapshotBuilder {
    pub(crate) contact: Option<PracticeContact>,
    pub(crate) facts: FactsBuilder,
    pub(crate) records: RecordsBuilder,
    pub(crate) counts: RowCounts,
    sealed: Option<Sealed>,
}

/// A planned snapshot's records and facts, finished before the write ([`SnapshotBuilder::seal`]).
struct Sealed {
    records: Records,
    facts: Vec<u8>,
    extract_date: NaiveDate,
    /// The known ids the records were finished on.
    known: HashSet<String>,
}

impl SnapshotBuilder {
    /// Tells the builder, before the first patient, the extract date and the HIS ids the
    /// practice has a lasting identity for ([`crate::Db::known_his_ids`]): the records of
    /// patients who will not be kept are then mostly left out as the lines arrive, which
    /// requires every episode to come before the other lines (the order of the extract's
    /// files). Should a patient be given an identity before the snapshot is written, the
    /// write is refused with [`crate::StoreError::Changed`] and the extract is read again.
    pub fn plan(&mut self, extract_date: NaiveDate, known: HashSet<String>) {
        self.records.plan(extract_date, known);
    }

    /// Finishes a planned snapshot ([`Self::plan`]) once its last line is in: its records
    /// kept on the plan's known ids, its facts encoded. The reader's thread does this work,
    /// so the write transaction only writes (on SQLite the one writer is held that much
    /// shorter). Should the practice's known ids differ by the write, the write is refused
    /// with [`StoreError::Changed`] (and the extract read again). Unplanned: nothing to do.
    pub fn seal(&mut self) -> StoreResult<()> {
        if let Some(finished) = std::mem::take(&mut self.records).finish_planned() {
            let (records, extract_date, known) = finished?;
            self.sealed = Some(Sealed {
                records,
                facts: std::mem::take(&mut self.facts).encode(),
                extract_date,
                known,
            });
        }
        Ok(())
    }

    /// The records and the encoded facts to write, `known` being the HIS ids the practice
    /// has a lasting identity for at the write.
    pub(crate) fn records_and_facts(
        &mut self,
        extract_date: NaiveDate,
        known: &HashSet<String>,
    ) -> StoreResult<(Records, Vec<u8>)> {
        match self.sealed.take() {
            Some(s) if s.extract_date == extract_date && s.known == *known => Ok((s.records, s.facts)),
            Some(_) => Err(StoreError::Changed(
                "een patiënt van deze praktijk kreeg of verloor een dossier terwijl het extract werd ingelezen".into(),
            )),
            None => {
                let records = std::mem::take(&mut self.records).finish(extract_date, known)?;
                Ok((records, std::mem::take(&mut self.facts).encode()))
            }
        }
    }

    /// The practice's address and phone from `practice.csv`.
    pub fn contact(&mut self, c: PracticeContact) {
        self.contact = Some(c);
    }

    /// Adds a patient and gives their number.
    pub fn patient(&mut self, p: &lines::Patient) -> u32 {
        self.counts.patients += 1;
        self.records.patient(p);
        self.facts
            .patient(p.his_id, p.birth_date, p.registration_start, p.registration_end)
    }

    fn known(&self, patient: u32) -> bool {
        u64::from(patient) < self.counts.patients
    }

    pub fn episode(&mut self, patient: u32, e: &lines::Episode) {
        if self.known(patient) {
            self.counts.episodes += 1;
            self.facts.episode(patient, e.icpc, e.start, e.end);
            self.records.episode(patient, e);
        }
    }

    pub fn medication(&mut self, patient: u32, m: &lines::Medication) {
        if self.known(patient) {
            self.counts.medications += 1;
            self.facts.medication(patient, m.atc, m.start, m.end);
            self.records.medication(patient, m);
        }
    }

    pub fn determinant(&mut self, patient: u32, d: &lines::Determinant) {
        if self.known(patient) {
            self.counts.determinants += 1;
            self.facts.determinant(patient, d.labcode, d.date, d.value);
            self.records.determinant(patient, d);
        }
    }

    pub fn program(&mut self, patient: u32, p: &lines::Program) {
        if self.known(patient) {
            self.counts.programs += 1;
            self.facts.program(patient, p.program, p.start, p.end);
            self.records.program(patient, p);
        }
    }
}

/// A [`SnapshotBuilder`] fed owned rows that name their patient by HIS id
/// ([`super::SnapshotWriter::write`], the move of older snapshots).
#[derive(Default)]
pub(crate) struct ByHisId {
    pub builder: SnapshotBuilder,
    numbers: HashMap<String, u32, foldhash::fast::RandomState>,
}

impl ByHisId {
    pub(crate) fn note(&mut self, row: &SnapshotRow) {
        let b = &mut self.builder;
        let number = |numbers: &HashMap<String, u32, _>, his_id: &str| numbers.get(his_id).copied().unwrap_or(u32::MAX);
        match row {
            SnapshotRow::Patient(r) => {
                let n = b.patient(&r.line());
                self.numbers.insert(r.his_id.clone(), n);
            }
            SnapshotRow::Episode(r) => b.episode(
                number(&self.numbers, &r.his_id),
                &lines::Episode {
                    icpc: &r.icpc,
                    start: r.start,
                    end: r.end,
                    title: r.title.as_deref(),
                },
            ),
            SnapshotRow::Medication(r) => b.medication(
                number(&self.numbers, &r.his_id),
                &lines::Medication {
                    atc: &r.atc,
                    start: r.start,
                    end: r.end,
                    name: r.name.as_deref(),
                    dosage: r.dosage.as_deref(),
                },
            ),
            SnapshotRow::Determinant(r) => b.determinant(
                number(&self.numbers, &r.his_id),
                &lines::Determinant {
                    labcode: r.labcode,
                    date: r.date,
                    value: &r.value,
                },
            ),
            SnapshotRow::Program(r) => b.program(
                number(&self.numbers, &r.his_id),
                &lines::Program {
                    program: r.program,
                    start: r.start,
                    end: r.end,
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records_blob::tests::patient;

    /// A young patient with an identity, and one without.
    fn sealed(extract_date: NaiveDate) -> SnapshotBuilder {
        let mut b = SnapshotBuilder::default();
        b.plan(extract_date, HashSet::from(["KNOWN".to_string()]));
        b.patient(&patient("KNOWN", "2000-01-01"));
        b.patient(&patient("YOUNG", "2001-01-01"));
        b.seal().unwrap();
        b
    }

    #[test]
    fn a_sealed_snapshot_is_written_only_on_the_known_ids_it_was_sealed_on() {
        let date: NaiveDate = "2027-07-04".parse().unwrap();
        let known = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<HashSet<String>>();
        let (records, facts) = sealed(date).records_and_facts(date, &known(&["KNOWN"])).unwrap();
        assert_eq!(records.kept, [("KNOWN".to_string(), Some("111222333".to_string()))]);
        assert!(!facts.is_empty());
        // Given an identity since (kept now), or one taken away (not kept now): read again.
        for other in [&["KNOWN", "YOUNG"][..], &[]] {
            let changed = sealed(date).records_and_facts(date, &known(other));
            assert!(matches!(changed, Err(StoreError::Changed(_))), "{other:?}");
        }
        let later = date.succ_opt().unwrap();
        let changed = sealed(date).records_and_facts(later, &known(&["KNOWN"]));
        assert!(matches!(changed, Err(StoreError::Changed(_))));
    }
}
