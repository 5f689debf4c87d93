//! A practice's patients as Kernteam knows them: the lasting identity behind the snapshots,
//! and what the snapshots say about them (who they are, their HIS record).

use chrono::NaiveDate;

use crate::convert::{all, date, opt_date};
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
    id: i64,
    practice_id: i64,
    his_id: String,
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

/// What a snapshot says about a patient, apart from who they are to Kernteam.
#[derive(sqlx::FromRow)]
struct SnapshotPersonRow {
    bsn: Option<String>,
    family_name: Option<String>,
    given_name: Option<String>,
    birth_date: String,
    sex: Option<String>,
    registration_start: String,
    registration_end: Option<String>,
    postal_code: Option<String>,
    address: Option<String>,
    city: Option<String>,
    phone: Option<String>,
}

impl SnapshotPersonRow {
    fn into_person(self, patient_id: i64, his_id: String) -> StoreResult<Person> {
        Ok(Person {
            patient_id,
            his_id,
            bsn: self.bsn,
            family_name: self.family_name,
            given_name: self.given_name,
            birth_date: date("snapshot_patients.birth_date", &self.birth_date)?,
            sex: self.sex,
            registration_start: date("snapshot_patients.registration_start", &self.registration_start)?,
            registration_end: opt_date("snapshot_patients.registration_end", self.registration_end)?,
            postal_code: self.postal_code,
            address: self.address,
            city: self.city,
            phone: self.phone,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    patient_id: i64,
    his_id: String,
    #[sqlx(flatten)]
    person: SnapshotPersonRow,
}

impl TryFrom<PersonRow> for Person {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> StoreResult<Person> {
        r.person.into_person(r.patient_id, r.his_id)
    }
}

const PERSON_COLUMNS: &str = "p.id AS patient_id, sp.his_id, sp.bsn, sp.family_name, sp.given_name, sp.birth_date, \
     sp.sex, sp.registration_start, sp.registration_end, sp.postal_code, \
     sp.address, sp.city, sp.phone";

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

/// The latest snapshot with, when the patient is in it, what it says about them: the
/// snapshot_patients columns are NULL when they are not.
#[derive(sqlx::FromRow)]
struct CurrentPersonRow {
    #[sqlx(flatten)]
    snapshot: SnapshotDateRow,
    his_id: Option<String>,
    bsn: Option<String>,
    family_name: Option<String>,
    given_name: Option<String>,
    birth_date: Option<String>,
    sex: Option<String>,
    registration_start: Option<String>,
    registration_end: Option<String>,
    postal_code: Option<String>,
    address: Option<String>,
    city: Option<String>,
    phone: Option<String>,
}

impl CurrentPersonRow {
    fn split(self, patient: &PatientRef) -> StoreResult<(SnapshotDate, Option<Person>)> {
        let snapshot = SnapshotDate::try_from(self.snapshot)?;
        if self.his_id.is_none() {
            return Ok((snapshot, None));
        }
        let required = |column: &str, v: Option<String>| {
            v.ok_or_else(|| StoreError::Corrupt(format!("snapshot_patients.{column}: leeg")))
        };
        let row = SnapshotPersonRow {
            bsn: self.bsn,
            family_name: self.family_name,
            given_name: self.given_name,
            birth_date: required("birth_date", self.birth_date)?,
            sex: self.sex,
            registration_start: required("registration_start", self.registration_start)?,
            registration_end: self.registration_end,
            postal_code: self.postal_code,
            address: self.address,
            city: self.city,
            phone: self.phone,
        };
        let person = row.into_person(patient.id, patient.his_id.clone())?;
        Ok((snapshot, Some(person)))
    }
}

/// One line of [`Db::his_record`]'s union: `kind` is e(pisode), m(edication), p(rogram)
/// or d(eterminant, whose code is the labcode and whose text is the value).
#[derive(sqlx::FromRow)]
struct HisLineRow {
    kind: String,
    code: String,
    start_date: String,
    end_date: Option<String>,
    text: Option<String>,
    dosage: Option<String>,
}

impl HisLineRow {
    fn table(&self) -> &'static str {
        match self.kind.as_str() {
            "e" => "snapshot_episodes",
            "m" => "snapshot_medications",
            "p" => "snapshot_programs",
            _ => "snapshot_determinants",
        }
    }
}

impl Db {
    pub async fn patient(&self, id: i64) -> StoreResult<PatientRef> {
        let r = sqlx::query_as::<_, PatientRow>("SELECT id, practice_id, his_id FROM patients WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(r.into())
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
        Ok(sqlx::query_scalar(
            "SELECT p.id FROM snapshot_patients sp \
             JOIN patients p ON p.practice_id = $1 AND p.his_id = sp.his_id \
             WHERE sp.bsn = $2 AND sp.snapshot_id = \
               (SELECT id FROM snapshots WHERE practice_id = $1 ORDER BY extract_date DESC LIMIT 1) \
             ORDER BY p.id",
        )
        .bind(practice_id)
        .bind(bsn)
        .fetch_all(self.pool())
        .await?)
    }

    /// Everyone in a snapshot, with their lasting patient id.
    pub async fn snapshot_people(&self, snapshot_id: i64) -> StoreResult<Vec<Person>> {
        let rows = sqlx::query_as::<_, PersonRow>(&format!(
            "SELECT {PERSON_COLUMNS} FROM snapshot_patients sp \
             JOIN snapshots s ON s.id = sp.snapshot_id \
             JOIN patients p ON p.practice_id = s.practice_id AND p.his_id = sp.his_id \
             WHERE sp.snapshot_id = $1"
        ))
        .bind(snapshot_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// The patient as the given snapshot describes them; `None` when not in it.
    pub async fn person(&self, snapshot_id: i64, patient: &PatientRef) -> StoreResult<Option<Person>> {
        let r = sqlx::query_as::<_, PersonRow>(&format!(
            "SELECT {PERSON_COLUMNS} FROM snapshot_patients sp JOIN patients p ON p.id = $1 \
             WHERE sp.snapshot_id = $2 AND sp.his_id = p.his_id"
        ))
        .bind(patient.id)
        .bind(snapshot_id)
        .fetch_optional(self.pool())
        .await?;
        r.map(Person::try_from).transpose()
    }

    /// The HIS data of one patient in a snapshot, in one query: episodes, medication and
    /// chain care newest first, determinants by date (newest first) and code.
    pub async fn his_record(&self, snapshot_id: i64, his_id: &str) -> StoreResult<HisRecord> {
        let rows = sqlx::query_as::<_, HisLineRow>(
            "SELECT 'e' AS kind, icpc AS code, start_date, end_date, title AS text, CAST(NULL AS TEXT) AS dosage \
             FROM snapshot_episodes WHERE snapshot_id = $1 AND his_id = $2 \
             UNION ALL SELECT 'm', atc, start_date, end_date, name, dosage FROM snapshot_medications WHERE snapshot_id = $1 AND his_id = $2 \
             UNION ALL SELECT 'p', program, start_date, end_date, NULL, NULL FROM snapshot_programs WHERE snapshot_id = $1 AND his_id = $2 \
             UNION ALL SELECT 'd', CAST(labcode AS TEXT), date, NULL, value, NULL FROM snapshot_determinants WHERE snapshot_id = $1 AND his_id = $2",
        )
        .bind(snapshot_id)
        .bind(his_id)
        .fetch_all(self.pool())
        .await?;
        let mut rec = HisRecord::default();
        for r in rows {
            let table = r.table();
            if r.kind == "d" {
                rec.determinants.push(DeterminantLine {
                    labcode: r
                        .code
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("{table}.labcode: code '{}'", r.code)))?,
                    date: date(&format!("{table}.date"), &r.start_date)?,
                    value: r.text.unwrap_or_default(),
                });
                continue;
            }
            let line = HisLine {
                start: date(&format!("{table}.start_date"), &r.start_date)?,
                end: opt_date(&format!("{table}.end_date"), r.end_date)?,
                code: r.code,
                text: r.text,
                dosage: r.dosage,
            };
            match r.kind.as_str() {
                "e" => rec.episodes.push(line),
                "m" => rec.medications.push(line),
                _ => rec.programs.push(line),
            }
        }
        for lines in [&mut rec.episodes, &mut rec.medications, &mut rec.programs] {
            lines.sort_by_key(|l| std::cmp::Reverse(l.start));
        }
        rec.determinants
            .sort_by(|a, b| b.date.cmp(&a.date).then(a.labcode.cmp(&b.labcode)));
        Ok(rec)
    }

    /// The practice's latest snapshot and what it says about the patient, in one query.
    pub async fn current_person(&self, patient: &PatientRef) -> StoreResult<(Option<SnapshotDate>, Option<Person>)> {
        let r = sqlx::query_as::<_, CurrentPersonRow>(
            "SELECT s.id AS snapshot_id, s.extract_date, sp.his_id, sp.bsn, sp.family_name, sp.given_name, \
             sp.birth_date, sp.sex, sp.registration_start, sp.registration_end, sp.postal_code, \
             sp.address, sp.city, sp.phone FROM snapshots s \
             LEFT JOIN snapshot_patients sp ON sp.snapshot_id = s.id AND sp.his_id = $2 \
             WHERE s.practice_id = $1 ORDER BY s.extract_date DESC LIMIT 1",
        )
        .bind(patient.practice_id)
        .bind(&patient.his_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = r else { return Ok((None, None)) };
        let (snapshot, person) = r.split(patient)?;
        Ok((Some(snapshot), person))
    }
}
