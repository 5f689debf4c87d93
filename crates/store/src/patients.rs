//! A practice's patients as Kernteam knows them: the lasting identity behind the snapshots,
//! and what the snapshots say about them (who they are, their HIS record).

use chrono::NaiveDate;

use crate::convert::date;
use crate::direct_read::Arg;
use crate::records_blob::{self, his_hash, StoredRecord};
use crate::{Db, StoreError, StoreResult};

/// A practice's patient (the lasting identity behind the snapshots).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRef {
    pub id: i64,
    pub practice_id: i64,
    pub his_id: String,
}

/// What the latest snapshot says about who a patient is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub patient_id: i64,
    pub his_id: String,
    pub bsn: Option<String>,
    pub family_name: Option<String>,
    pub given_name: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Option<String>,
    pub registration_start: NaiveDate,
    pub registration_end: Option<NaiveDate>,
    pub postal_code: Option<String>,
    /// Street and number, place and phone as the HIS has them (optional extract columns).
    pub address: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
}

impl Person {
    /// The name as running text writes it: "Ger Maas" (the banner, headings, sentences).
    pub fn name(&self) -> String {
        kernteam_domain::text::running_name(self.given_name.as_deref(), self.family_name.as_deref())
            .unwrap_or_else(|| format!("(naam onbekend, {})", self.his_id))
    }

    /// The name as a list shows it: "Maas, Ger".
    pub fn full_name(&self) -> String {
        match (&self.given_name, &self.family_name) {
            (Some(g), Some(f)) => format!("{f}, {g}"),
            (None, Some(f)) => f.clone(),
            (Some(g), None) => g.clone(),
            (None, None) => format!("(naam onbekend, {})", self.his_id),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotDate {
    pub snapshot_id: i64,
    pub extract_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HisLine {
    pub code: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub text: Option<String>,
    /// The dosage of a medication line (the HIS's instructions); `None` for other lines.
    pub dosage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeterminantLine {
    pub labcode: i64,
    pub date: NaiveDate,
    pub value: String,
}

/// The HIS data of one patient in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HisRecord {
    pub episodes: Vec<HisLine>,
    pub medications: Vec<HisLine>,
    pub determinants: Vec<DeterminantLine>,
    pub programs: Vec<HisLine>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PatientRow {
    pub(crate) id: i64,
    pub(crate) practice_id: i64,
    pub(crate) his_id: String,
}

impl From<PatientRow> for PatientRef {
    fn from(r: PatientRow) -> Self {
        PatientRef {
            id: r.id,
            practice_id: r.practice_id,
            his_id: r.his_id,
        }
    }
}

/// The value of the bucket that holds a patient of a snapshot (records_blob.rs).
const BUCKET: &str = "SELECT r.data FROM snapshots s \
     JOIN snapshot_records r ON r.snapshot_id = s.id AND r.bucket = $2 % s.record_buckets WHERE s.id = $1";

#[derive(sqlx::FromRow)]
struct SnapshotDateRow {
    snapshot_id: i64,
    extract_date: String,
}

impl TryFrom<SnapshotDateRow> for SnapshotDate {
    type Error = StoreError;
    fn try_from(r: SnapshotDateRow) -> StoreResult<SnapshotDate> {
        Ok(SnapshotDate {
            snapshot_id: r.snapshot_id,
            extract_date: date("snapshots.extract_date", &r.extract_date)?,
        })
    }
}

struct CurrentRow {
    snapshot_id: i64,
    extract_date: String,
    data: Option<Vec<u8>>,
}

impl Db {
    pub async fn patient(&self, id: i64) -> StoreResult<PatientRef> {
        self.read_row(
            "SELECT id, practice_id, his_id FROM patients WHERE id = $1",
            &[Arg::Int(id)],
            |c| {
                Ok(PatientRef {
                    id: c.int(0)?,
                    practice_id: c.int(1)?,
                    his_id: c.text(2)?,
                })
            },
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// A practice's patient by HIS id.
    pub async fn patient_by_his_id(&self, practice_id: i64, his_id: &str) -> StoreResult<Option<PatientRef>> {
        let r = sqlx::query_as::<_, PatientRow>(
            "SELECT id, practice_id, his_id FROM patients WHERE practice_id = $1 AND his_id = $2",
        )
        .bind(practice_id)
        .bind(his_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.map(PatientRef::from))
    }

    pub async fn latest_snapshot(&self, practice_id: i64) -> StoreResult<Option<SnapshotDate>> {
        let r = sqlx::query_as::<_, SnapshotDateRow>(
            "SELECT id AS snapshot_id, extract_date FROM snapshots WHERE practice_id = $1 \
             ORDER BY extract_date DESC LIMIT 1",
        )
        .bind(practice_id)
        .fetch_optional(self.pool())
        .await?;
        r.map(SnapshotDate::try_from).transpose()
    }

    /// The practice's patients whose BSN is `bsn` in its latest snapshot (a FHIR
    /// `Patient?identifier=` search); normally one, none when the BSN is not on the list.
    pub async fn practice_patients_with_bsn(&self, practice_id: i64, bsn: &str) -> StoreResult<Vec<i64>> {
        let candidates = sqlx::query_as::<_, PatientRow>(
            "SELECT id, practice_id, his_id FROM patients WHERE practice_id = $1 AND bsn = $2 ORDER BY id",
        )
        .bind(practice_id)
        .bind(bsn)
        .fetch_all(self.pool())
        .await?;
        self.confirmed_bsn(candidates, bsn).await
    }

    /// The candidates whose record in their practice's latest snapshot has this BSN
    /// (`patients.bsn` is the BSN when last seen; a patient who left keeps it).
    pub(crate) async fn confirmed_bsn(&self, candidates: Vec<PatientRow>, bsn: &str) -> StoreResult<Vec<i64>> {
        let mut out = Vec::new();
        for c in candidates {
            let patient = PatientRef::from(c);
            if let (_, Some(p)) = self.current_person(&patient).await? {
                if p.bsn.as_deref() == Some(bsn) {
                    out.push(patient.id);
                }
            }
        }
        Ok(out)
    }

    /// The kept record of a patient in a snapshot; `None` when not in it.
    pub(crate) async fn stored_record(&self, snapshot_id: i64, his_id: &str) -> StoreResult<Option<StoredRecord>> {
        let data = self
            .read_row(BUCKET, &[Arg::Int(snapshot_id), Arg::Int(his_hash(his_id))], |c| {
                c.opt_blob(0)
            })
            .await?
            .flatten();
        match data {
            Some(d) => records_blob::find(&d, his_id),
            None => Ok(None),
        }
    }

    /// Every kept patient of a snapshot (the program's population: see
    /// [`kernteam_domain::figures::record_kept`]), with their lasting id, by that id.
    pub async fn snapshot_people(&self, snapshot_id: i64) -> StoreResult<Vec<Person>> {
        let ids: std::collections::HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT p.his_id, p.id FROM patients p JOIN snapshots s ON s.practice_id = p.practice_id WHERE s.id = $1",
        )
        .bind(snapshot_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect();
        let values: Vec<Vec<u8>> = sqlx::query_scalar("SELECT data FROM snapshot_records WHERE snapshot_id = $1")
            .bind(snapshot_id)
            .fetch_all(self.pool())
            .await?;
        let mut people = Vec::with_capacity(ids.len());
        for value in &values {
            for s in records_blob::decode(value, false)? {
                let mut person = s.person;
                person.patient_id = *ids
                    .get(&person.his_id)
                    .ok_or_else(|| StoreError::Corrupt(format!("patiënt '{}' zonder identiteit", person.his_id)))?;
                people.push(person);
            }
        }
        people.sort_by_key(|p| p.patient_id);
        Ok(people)
    }

    /// The patient as the given snapshot describes them; `None` when not in it.
    pub async fn person(&self, snapshot_id: i64, patient: &PatientRef) -> StoreResult<Option<Person>> {
        Ok(self.stored_record(snapshot_id, &patient.his_id).await?.map(|s| Person {
            patient_id: patient.id,
            ..s.person
        }))
    }

    /// The HIS data of one patient in a snapshot: episodes, medication and chain care
    /// newest first, determinants by date (newest first) and code.
    pub async fn his_record(&self, snapshot_id: i64, his_id: &str) -> StoreResult<HisRecord> {
        let mut rec = match self.stored_record(snapshot_id, his_id).await? {
            Some(s) => s.his,
            None => HisRecord::default(),
        };
        for lines in [&mut rec.episodes, &mut rec.medications, &mut rec.programs] {
            lines.sort_by_key(|l| std::cmp::Reverse(l.start));
        }
        rec.determinants
            .sort_by(|a, b| b.date.cmp(&a.date).then(a.labcode.cmp(&b.labcode)));
        Ok(rec)
    }

    /// The practice's latest snapshot and what it says about the patient, in one query.
    pub async fn current_person(&self, patient: &PatientRef) -> StoreResult<(Option<SnapshotDate>, Option<Person>)> {
        let r = self
            .read_row(
                "SELECT s.id AS snapshot_id, s.extract_date, r.data FROM snapshots s \
                 LEFT JOIN snapshot_records r ON r.snapshot_id = s.id AND r.bucket = $2 % s.record_buckets \
                 WHERE s.practice_id = $1 ORDER BY s.extract_date DESC LIMIT 1",
                &[Arg::Int(patient.practice_id), Arg::Int(his_hash(&patient.his_id))],
                |c| {
                    Ok(CurrentRow {
                        snapshot_id: c.int(0)?,
                        extract_date: c.text(1)?,
                        data: c.opt_blob(2)?,
                    })
                },
            )
            .await?;
        let Some(r) = r else { return Ok((None, None)) };
        let snapshot = SnapshotDate {
            snapshot_id: r.snapshot_id,
            extract_date: date("snapshots.extract_date", &r.extract_date)?,
        };
        let person = match r.data {
            Some(d) => records_blob::find(&d, &patient.his_id)?.map(|s| Person {
                patient_id: patient.id,
                ..s.person
            }),
            None => None,
        };
        Ok((Some(snapshot), person))
    }
}
