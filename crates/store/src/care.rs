//! Care records: a practice's patients as Kernteam knows them, program decisions, the care
//! team with its first point of contact, the versioned care plan, and the audit log.

use chrono::NaiveDate;
use kernteam_domain::care::{Decision, DecisionKind};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::program::Document;
use crate::{now_timestamp, parse_stored_date, parse_stored_opt_date, Db, StoreError, StoreResult};

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
}

impl Person {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: i64,
    pub kind: DecisionKind,
    pub decided_on: NaiveDate,
    pub deciding_gp: Option<String>,
    pub reason: Option<String>,
    pub considerations: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

impl DecisionRecord {
    pub fn as_decision(&self) -> Decision {
        Decision {
            kind: self.kind,
            decided_on: self.decided_on,
            seq: self.id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewDecision {
    pub kind: DecisionKind,
    pub decided_on: NaiveDate,
    pub deciding_gp: Option<String>,
    pub reason: Option<String>,
    pub considerations: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub id: i64,
    /// `professional` or `mantelzorger`.
    pub kind: String,
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
    pub relation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub added_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewTeamMember {
    pub kind: String,
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
    pub relation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanVersion {
    pub version: i64,
    pub content: String,
    pub summary: String,
    pub created_by_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub practice_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub action: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
    /// NEN 7513: whether the action was allowed or refused.
    pub outcome: crate::audit::Outcome,
    /// NEN 7513: the user on whose behalf the action was taken, if not their own.
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub role: String,
    pub patient_id: Option<i64>,
    pub action: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub outcome: crate::audit::Outcome,
    pub on_behalf_of: Option<String>,
}

fn person_from_row(r: &AnyRow) -> StoreResult<Person> {
    Ok(Person {
        patient_id: r.try_get(0)?,
        his_id: r.try_get(1)?,
        bsn: r.try_get(2)?,
        family_name: r.try_get(3)?,
        given_name: r.try_get(4)?,
        birth_date: parse_stored_date(&r.try_get::<String, _>(5)?)?,
        sex: r.try_get(6)?,
        registration_start: parse_stored_date(&r.try_get::<String, _>(7)?)?,
        registration_end: parse_stored_opt_date(r.try_get(8)?)?,
        postal_code: r.try_get(9)?,
    })
}

const PERSON_COLUMNS: &str = "p.id, sp.his_id, sp.bsn, sp.family_name, sp.given_name, sp.birth_date, sp.sex, \
     sp.registration_start, sp.registration_end, sp.postal_code";

fn decision_from_row(r: &AnyRow) -> StoreResult<DecisionRecord> {
    let kind: String = r.try_get(1)?;
    Ok(DecisionRecord {
        id: r.try_get(0)?,
        kind: DecisionKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("besluit '{kind}'")))?,
        decided_on: parse_stored_date(&r.try_get::<String, _>(2)?)?,
        deciding_gp: r.try_get(3)?,
        reason: r.try_get(4)?,
        considerations: r.try_get(5)?,
        recorded_by_name: r.try_get(6)?,
        recorded_at: r.try_get(7)?,
    })
}

fn member_from_row(r: &AnyRow) -> StoreResult<TeamMember> {
    Ok(TeamMember {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        user_id: r.try_get(2)?,
        name: r.try_get(3)?,
        role: r.try_get(4)?,
        organisation: r.try_get(5)?,
        relation: r.try_get(6)?,
        phone: r.try_get(7)?,
        email: r.try_get(8)?,
        added_at: r.try_get(9)?,
    })
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Db {
    pub async fn patient(&self, id: i64) -> StoreResult<PatientRef> {
        let r = sqlx::query("SELECT id, practice_id, his_id FROM patients WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(PatientRef {
            id: r.try_get(0)?,
            practice_id: r.try_get(1)?,
            his_id: r.try_get(2)?,
        })
    }

    pub async fn latest_snapshot(&self, practice_id: i64) -> StoreResult<Option<SnapshotDate>> {
        let r = sqlx::query(
            "SELECT id, extract_date FROM snapshots WHERE practice_id = $1 ORDER BY extract_date DESC LIMIT 1",
        )
        .bind(practice_id)
        .fetch_optional(self.pool())
        .await?;
        r.map(|r| {
            Ok(SnapshotDate {
                snapshot_id: r.try_get(0)?,
                extract_date: parse_stored_date(&r.try_get::<String, _>(1)?)?,
            })
        })
        .transpose()
    }

    /// Everyone in a snapshot, with their lasting patient id.
    pub async fn snapshot_people(&self, snapshot_id: i64) -> StoreResult<Vec<Person>> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM snapshot_patients sp \
             JOIN snapshots s ON s.id = sp.snapshot_id \
             JOIN patients p ON p.practice_id = s.practice_id AND p.his_id = sp.his_id \
             WHERE sp.snapshot_id = $1"
        ))
        .bind(snapshot_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(person_from_row).collect()
    }

    /// The patient as the given snapshot describes them; `None` when not in it.
    pub async fn person(&self, snapshot_id: i64, patient: &PatientRef) -> StoreResult<Option<Person>> {
        let r = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM snapshot_patients sp JOIN patients p ON p.id = $1 \
             WHERE sp.snapshot_id = $2 AND sp.his_id = p.his_id"
        ))
        .bind(patient.id)
        .bind(snapshot_id)
        .fetch_optional(self.pool())
        .await?;
        r.as_ref().map(person_from_row).transpose()
    }

    /// The HIS data of one patient in a snapshot, in one query: episodes, medication and
    /// chain care newest first, determinants by date (newest first) and code.
    pub async fn his_record(&self, snapshot_id: i64, his_id: &str) -> StoreResult<HisRecord> {
        let rows = sqlx::query(
            "SELECT 'e', icpc, start_date, end_date, title FROM snapshot_episodes WHERE snapshot_id = $1 AND his_id = $2 \
             UNION ALL SELECT 'm', atc, start_date, end_date, NULL FROM snapshot_medications WHERE snapshot_id = $1 AND his_id = $2 \
             UNION ALL SELECT 'p', program, start_date, end_date, NULL FROM snapshot_programs WHERE snapshot_id = $1 AND his_id = $2 \
             UNION ALL SELECT 'd', CAST(labcode AS TEXT), date, NULL, value FROM snapshot_determinants WHERE snapshot_id = $1 AND his_id = $2",
        )
        .bind(snapshot_id)
        .bind(his_id)
        .fetch_all(self.pool())
        .await?;
        let mut rec = HisRecord::default();
        for r in &rows {
            let kind: String = r.try_get(0)?;
            let code: String = r.try_get(1)?;
            let start = parse_stored_date(&r.try_get::<String, _>(2)?)?;
            if kind == "d" {
                rec.determinants.push(DeterminantLine {
                    labcode: code
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("determinant '{code}'")))?,
                    date: start,
                    value: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                });
                continue;
            }
            let line = HisLine {
                code,
                start,
                end: parse_stored_opt_date(r.try_get(3)?)?,
                text: r.try_get(4)?,
            };
            match kind.as_str() {
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
        let r = sqlx::query(
            "SELECT s.id, s.extract_date, sp.his_id, sp.bsn, sp.family_name, sp.given_name, sp.birth_date, sp.sex, \
             sp.registration_start, sp.registration_end, sp.postal_code FROM snapshots s \
             LEFT JOIN snapshot_patients sp ON sp.snapshot_id = s.id AND sp.his_id = $2 \
             WHERE s.practice_id = $1 ORDER BY s.extract_date DESC LIMIT 1",
        )
        .bind(patient.practice_id)
        .bind(&patient.his_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = r else { return Ok((None, None)) };
        let snap = SnapshotDate {
            snapshot_id: r.try_get(0)?,
            extract_date: parse_stored_date(&r.try_get::<String, _>(1)?)?,
        };
        let his: Option<String> = r.try_get(2)?;
        if his.is_none() {
            return Ok((Some(snap), None));
        }
        let person = Person {
            patient_id: patient.id,
            his_id: patient.his_id.clone(),
            bsn: r.try_get(3)?,
            family_name: r.try_get(4)?,
            given_name: r.try_get(5)?,
            birth_date: parse_stored_date(&r.try_get::<String, _>(6)?)?,
            sex: r.try_get(7)?,
            registration_start: parse_stored_date(&r.try_get::<String, _>(8)?)?,
            registration_end: parse_stored_opt_date(r.try_get(9)?)?,
            postal_code: r.try_get(10)?,
        };
        Ok((Some(snap), Some(person)))
    }

    /// Whether the user is an active member of the patient's care team.
    pub async fn on_care_team(&self, patient_id: i64, user_id: i64) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM care_team_members WHERE patient_id = $1 AND user_id = $2 AND removed_at IS NULL",
        )
        .bind(patient_id)
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// The patients on whose care team the user is.
    pub async fn patients_of_team_member(&self, user_id: i64) -> StoreResult<Vec<PatientRef>> {
        let rows = sqlx::query(
            "SELECT DISTINCT p.id, p.practice_id, p.his_id FROM care_team_members m JOIN patients p ON p.id = m.patient_id \
             WHERE m.user_id = $1 AND m.removed_at IS NULL ORDER BY p.id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PatientRef {
                    id: r.try_get(0)?,
                    practice_id: r.try_get(1)?,
                    his_id: r.try_get(2)?,
                })
            })
            .collect()
    }

    pub async fn add_decision(&self, patient_id: i64, d: &NewDecision, user_id: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO program_decisions (patient_id, kind, decided_on, deciding_gp, reason, considerations, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(patient_id)
        .bind(d.kind.code())
        .bind(fmt_date(d.decided_on))
        .bind(&d.deciding_gp)
        .bind(&d.reason)
        .bind(&d.considerations)
        .bind(user_id)
        .bind(now_timestamp())
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn decisions(&self, patient_id: i64) -> StoreResult<Vec<DecisionRecord>> {
        let rows = sqlx::query(
            "SELECT d.id, d.kind, d.decided_on, d.deciding_gp, d.reason, d.considerations, u.display_name, d.recorded_at \
             FROM program_decisions d LEFT JOIN users u ON u.id = d.recorded_by WHERE d.patient_id = $1 \
             ORDER BY d.decided_on, d.id",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decision_from_row).collect()
    }

    /// Every decision in a practice, as (patient id, decision), in recording order.
    pub async fn practice_decisions(&self, practice_id: i64) -> StoreResult<Vec<(i64, Decision)>> {
        let rows = sqlx::query(
            "SELECT d.patient_id, d.kind, d.decided_on, d.id FROM program_decisions d JOIN patients p ON p.id = d.patient_id \
             WHERE p.practice_id = $1 ORDER BY d.id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get(1)?;
                Ok((
                    r.try_get(0)?,
                    Decision {
                        kind: DecisionKind::from_code(&kind)
                            .ok_or_else(|| StoreError::Corrupt(format!("besluit '{kind}'")))?,
                        decided_on: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                        seq: r.try_get(3)?,
                    },
                ))
            })
            .collect()
    }

    pub async fn add_team_member(&self, patient_id: i64, m: &NewTeamMember, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO care_team_members (patient_id, kind, user_id, name, role, organisation, relation, phone, email, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(patient_id)
        .bind(&m.kind)
        .bind(m.user_id)
        .bind(&m.name)
        .bind(&m.role)
        .bind(&m.organisation)
        .bind(&m.relation)
        .bind(&m.phone)
        .bind(&m.email)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.pool())
        .await?)
    }

    /// Ends a membership (kept for the record). Clears the first point of contact if it was them.
    pub async fn remove_team_member(&self, patient_id: i64, member_id: i64) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE care_team_members SET removed_at = $1 WHERE id = $2 AND patient_id = $3 AND removed_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(member_id)
        .bind(patient_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM first_contacts WHERE patient_id = $1 AND member_id = $2")
            .bind(patient_id)
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn team(&self, patient_id: i64) -> StoreResult<Vec<TeamMember>> {
        let rows = sqlx::query(
            "SELECT id, kind, user_id, name, role, organisation, relation, phone, email, added_at FROM care_team_members \
             WHERE patient_id = $1 AND removed_at IS NULL ORDER BY kind DESC, name",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(member_from_row).collect()
    }

    /// Makes an active member of the team the first point of contact.
    pub async fn set_first_contact(&self, patient_id: i64, member_id: i64, by: i64) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM care_team_members WHERE id = $1 AND patient_id = $2 AND removed_at IS NULL",
        )
        .bind(member_id)
        .bind(patient_id)
        .fetch_one(&mut *tx)
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO first_contacts (patient_id, member_id, set_by, set_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (patient_id) DO UPDATE SET member_id = excluded.member_id, set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(patient_id)
        .bind(member_id)
        .bind(by)
        .bind(now_timestamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn first_contact(&self, patient_id: i64) -> StoreResult<Option<TeamMember>> {
        let r = sqlx::query(
            "SELECT m.id, m.kind, m.user_id, m.name, m.role, m.organisation, m.relation, m.phone, m.email, m.added_at \
             FROM first_contacts f JOIN care_team_members m ON m.id = f.member_id WHERE f.patient_id = $1",
        )
        .bind(patient_id)
        .fetch_optional(self.pool())
        .await?;
        r.as_ref().map(member_from_row).transpose()
    }

    /// First points of contact of a practice's patients: (patient id, name, role).
    pub async fn practice_first_contacts(&self, practice_id: i64) -> StoreResult<Vec<(i64, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT f.patient_id, m.name, m.role FROM first_contacts f JOIN care_team_members m ON m.id = f.member_id \
             JOIN patients p ON p.id = f.patient_id WHERE p.practice_id = $1",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// Patients of a practice that have a care plan.
    pub async fn practice_care_plan_patients(&self, practice_id: i64) -> StoreResult<Vec<i64>> {
        self.practice_document_patients(Document::CarePlan, practice_id).await
    }

    /// Saves a new version of the care plan (see [`Db::save_version`]).
    pub async fn save_care_plan(
        &self,
        patient_id: i64,
        based_on: i64,
        content: &str,
        summary: &str,
        user_id: i64,
        user_name: &str,
    ) -> StoreResult<i64> {
        self.save_version(
            Document::CarePlan,
            patient_id,
            based_on,
            content,
            summary,
            user_id,
            user_name,
        )
        .await
    }

    /// All versions of the care plan, newest first.
    pub async fn care_plan_versions(&self, patient_id: i64) -> StoreResult<Vec<CarePlanVersion>> {
        self.versions(Document::CarePlan, patient_id).await
    }

    /// A patient's audit trail, newest first.
    pub async fn audit_for_patient(&self, patient_id: i64) -> StoreResult<Vec<AuditRecord>> {
        let filter = crate::audit::AuditFilter {
            patient_id: Some(patient_id),
            ..Default::default()
        };
        let mut records = self.audit_records(&filter).await?;
        records.reverse();
        Ok(records)
    }
}

/// What a patient's overview shows besides lists, read in one query.
#[derive(Debug, Clone, Default)]
pub struct RecordSummary {
    pub first_contact_member: Option<i64>,
    pub last_medication_review: Option<chrono::NaiveDate>,
    pub care_plan: Option<CarePlanVersion>,
    pub pzp: Option<CarePlanVersion>,
}

impl Db {
    /// The first point of contact, the last medication review and the newest care plan and
    /// PZP versions of a patient, in one round trip.
    pub async fn record_summary(&self, patient_id: i64) -> StoreResult<RecordSummary> {
        let latest = |table: &str, column: &str| {
            format!("(SELECT {column} FROM {table} WHERE patient_id = $1 ORDER BY version DESC LIMIT 1)")
        };
        let mut select = vec![
            "(SELECT member_id FROM first_contacts WHERE patient_id = $1)".to_string(),
            "(SELECT MAX(reviewed_on) FROM medication_reviews WHERE patient_id = $1)".to_string(),
        ];
        for table in ["care_plan_versions", "pzp_versions"] {
            for column in ["version", "content", "summary", "created_by_name", "created_at"] {
                select.push(latest(table, column));
            }
        }
        let r = sqlx::query(&format!("SELECT {}", select.join(", ")))
            .bind(patient_id)
            .fetch_one(self.pool())
            .await?;
        Ok(RecordSummary {
            first_contact_member: r.try_get(0)?,
            last_medication_review: parse_stored_opt_date(r.try_get(1)?)?,
            care_plan: crate::program::version_at(&r, 2)?,
            pzp: crate::program::version_at(&r, 7)?,
        })
    }

    /// A practice's patient by HIS id.
    pub async fn patient_by_his_id(&self, practice_id: i64, his_id: &str) -> StoreResult<Option<PatientRef>> {
        let r = sqlx::query("SELECT id, practice_id, his_id FROM patients WHERE practice_id = $1 AND his_id = $2")
            .bind(practice_id)
            .bind(his_id)
            .fetch_optional(self.pool())
            .await?;
        r.map(|r| {
            Ok(PatientRef {
                id: r.try_get(0)?,
                practice_id: r.try_get(1)?,
                his_id: r.try_get(2)?,
            })
        })
        .transpose()
    }
}

impl Db {
    /// The newest version of a document, if any (without loading the older ones).
    pub async fn latest_version(
        &self,
        doc: crate::program::Document,
        patient_id: i64,
    ) -> StoreResult<Option<CarePlanVersion>> {
        let r = sqlx::query(&format!(
            "SELECT version, content, summary, created_by_name, created_at FROM {} WHERE patient_id = $1 \
             ORDER BY version DESC LIMIT 1",
            doc.table()
        ))
        .bind(patient_id)
        .fetch_optional(self.pool())
        .await?;
        r.as_ref().map(crate::program::version_from_row).transpose()
    }
}
