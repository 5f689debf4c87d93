//! Records of the daily care process: PZP versions, MDO meetings, SO consultations,
//! medication reviews, events with their handover, and the practice's POH-O formation.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::care::CarePlanVersion;
use crate::{now_timestamp, parse_stored_date, parse_stored_opt_date, Db, StoreError, StoreResult};

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: i64,
    pub practice_id: i64,
    pub date: NaiveDate,
    pub level: String,
    pub invited: Vec<String>,
    pub held: bool,
    pub notes: Option<String>,
    pub agenda_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgendaItem {
    pub id: i64,
    pub patient_id: i64,
    pub reason: Option<String>,
    pub minutes: Option<String>,
    pub discussed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub discipline: String,
    pub present: bool,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Consultation {
    pub id: i64,
    pub patient_id: i64,
    pub date: NaiveDate,
    pub question: String,
    pub advice: Option<String>,
    pub kind: String,
    pub funding: String,
    pub so_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewConsultation {
    pub date: NaiveDate,
    pub question: String,
    pub advice: Option<String>,
    pub kind: String,
    pub funding: String,
    pub so_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MedicationReview {
    pub id: i64,
    pub patient_id: i64,
    pub date: NaiveDate,
    pub indication: Option<String>,
    /// Comma-separated disciplines: huisarts, apotheker, specialist_ouderengeneeskunde.
    pub participants: String,
    pub stopped: Option<String>,
    pub started: Option<String>,
    pub changed: Option<String>,
    pub follow_up: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewMedicationReview {
    pub date: NaiveDate,
    pub indication: Option<String>,
    pub participants: String,
    pub stopped: Option<String>,
    pub started: Option<String>,
    pub changed: Option<String>,
    pub follow_up: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CareEvent {
    pub id: i64,
    pub patient_id: i64,
    pub kind: String,
    /// RFC 3339, UTC.
    pub occurred_at: String,
    pub notes: Option<String>,
    pub handover_sent_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PohHours {
    pub valid_from: NaiveDate,
    pub hours: f64,
    pub set_at: String,
    /// Who set it (their display name), when the account is known.
    pub set_by_name: Option<String>,
}

fn meeting_from_row(r: &AnyRow) -> StoreResult<Meeting> {
    let invited: String = r.try_get(4)?;
    Ok(Meeting {
        id: r.try_get(0)?,
        practice_id: r.try_get(1)?,
        date: parse_stored_date(&r.try_get::<String, _>(2)?)?,
        level: r.try_get(3)?,
        invited: invited
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        held: r.try_get::<i64, _>(5)? != 0,
        notes: r.try_get(6)?,
        agenda_count: r.try_get(7)?,
    })
}

const MEETING_SELECT: &str = "SELECT m.id, m.practice_id, m.meeting_date, m.level, m.invited, m.held, m.notes, \
     (SELECT COUNT(*) FROM mdo_agenda a WHERE a.meeting_id = m.id) FROM mdo_meetings m";

/// A row `version, content, summary, created_by_name, created_at`.
pub(crate) fn version_from_row(r: &AnyRow) -> StoreResult<CarePlanVersion> {
    version_at(r, 0)?.ok_or_else(|| StoreError::Corrupt("versie zonder nummer".into()))
}

/// The five version columns starting at column `at`; `None` when the version is NULL.
pub(crate) fn version_at(r: &AnyRow, at: usize) -> StoreResult<Option<CarePlanVersion>> {
    let version: Option<i64> = r.try_get(at)?;
    version
        .map(|version| {
            Ok(CarePlanVersion {
                version,
                content: r.try_get(at + 1)?,
                summary: r.try_get(at + 2)?,
                created_by_name: r.try_get(at + 3)?,
                created_at: r.try_get(at + 4)?,
            })
        })
        .transpose()
}

/// A new version of a document, written inside a caller's transaction.
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    pub doc: Document,
    /// The version the editor started from (0 for none).
    pub based_on: i64,
    pub content: &'a str,
    pub summary: &'a str,
    pub user_id: i64,
    pub user_name: &'a str,
}

impl NewVersion<'_> {
    /// Writes the version; `Conflict` when someone else saved since `based_on`.
    async fn insert(&self, tx: &mut sqlx::Transaction<'static, sqlx::Any>, patient_id: i64) -> StoreResult<i64> {
        let table = self.doc.table();
        let current: i64 = sqlx::query_scalar(&format!(
            "SELECT COALESCE(MAX(version), 0) FROM {table} WHERE patient_id = $1"
        ))
        .bind(patient_id)
        .fetch_one(&mut **tx)
        .await?;
        let conflict = || {
            StoreError::Conflict(format!(
                "{} is intussen door iemand anders gewijzigd (versie {current}); bekijk de nieuwe versie en breng uw wijziging opnieuw aan.",
                self.doc.name()
            ))
        };
        if current != self.based_on {
            return Err(conflict());
        }
        let version = current + 1;
        sqlx::query(&format!(
            "INSERT INTO {table} (patient_id, version, content, summary, created_by, created_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(patient_id)
        .bind(version)
        .bind(self.content)
        .bind(self.summary)
        .bind(self.user_id)
        .bind(self.user_name)
        .bind(now_timestamp())
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => conflict(),
            _ => e.into(),
        })?;
        Ok(version)
    }
}

/// Which versioned document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    CarePlan,
    Pzp,
}

impl Document {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Document::CarePlan => "care_plan_versions",
            Document::Pzp => "pzp_versions",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Document::CarePlan => "Het zorgplan",
            Document::Pzp => "De proactieve zorgplanning",
        }
    }
}

impl Db {
    /// Saves a new version of a document. `based_on` is the version the editor started from
    /// (0 for none); when someone else saved in between, nothing is written (`Conflict`).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_version(
        &self,
        doc: Document,
        patient_id: i64,
        based_on: i64,
        content: &str,
        summary: &str,
        user_id: i64,
        user_name: &str,
    ) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let version = NewVersion {
            doc,
            based_on,
            content,
            summary,
            user_id,
            user_name,
        }
        .insert(&mut tx, patient_id)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// All versions of a document, newest first.
    pub async fn versions(&self, doc: Document, patient_id: i64) -> StoreResult<Vec<CarePlanVersion>> {
        let rows = sqlx::query(&format!(
            "SELECT version, content, summary, created_by_name, created_at FROM {} WHERE patient_id = $1 ORDER BY version DESC",
            doc.table()
        ))
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// Patients of a practice that have a version of the document.
    pub async fn practice_document_patients(&self, doc: Document, practice_id: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT c.patient_id FROM {} c JOIN patients p ON p.id = c.patient_id WHERE p.practice_id = $1",
            doc.table()
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    pub async fn create_meeting(
        &self,
        practice_id: i64,
        date: NaiveDate,
        level: &str,
        invited: &[String],
        by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO mdo_meetings (practice_id, meeting_date, level, invited, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(practice_id)
        .bind(day(date))
        .bind(level)
        .bind(invited.join(","))
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn meetings(&self, practice_id: i64) -> StoreResult<Vec<Meeting>> {
        let rows = sqlx::query(&format!(
            "{MEETING_SELECT} WHERE m.practice_id = $1 ORDER BY m.meeting_date DESC, m.id DESC"
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(meeting_from_row).collect()
    }

    pub async fn meeting(&self, id: i64) -> StoreResult<Meeting> {
        let r = sqlx::query(&format!("{MEETING_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        meeting_from_row(&r)
    }

    pub async fn agenda(&self, meeting_id: i64) -> StoreResult<Vec<AgendaItem>> {
        let rows = sqlx::query(
            "SELECT id, patient_id, reason, minutes, discussed FROM mdo_agenda WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AgendaItem {
                    id: r.try_get(0)?,
                    patient_id: r.try_get(1)?,
                    reason: r.try_get(2)?,
                    minutes: r.try_get(3)?,
                    discussed: r.try_get::<i64, _>(4)? != 0,
                })
            })
            .collect()
    }

    pub async fn add_to_agenda(&self, meeting_id: i64, patient_id: i64, reason: Option<&str>) -> StoreResult<i64> {
        sqlx::query_scalar("INSERT INTO mdo_agenda (meeting_id, patient_id, reason) VALUES ($1, $2, $3) RETURNING id")
            .bind(meeting_id)
            .bind(patient_id)
            .bind(reason)
            .fetch_one(self.pool())
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Conflict("Deze patiënt staat al op de agenda.".into())
                }
                _ => e.into(),
            })
    }

    /// Records the minutes of one patient's discussion; marks the meeting as held.
    pub async fn record_minutes(&self, meeting_id: i64, patient_id: i64, minutes: &str) -> StoreResult<()> {
        self.record_minutes_with_plan(meeting_id, patient_id, minutes, None)
            .await
            .map(|_| ())
    }

    /// Records the minutes of one patient's discussion, marks the meeting as held and, when
    /// the decisions changed the care plan, saves its new version — all in one transaction,
    /// so that minutes and care plan never disagree. Returns the new care-plan version.
    pub async fn record_minutes_with_plan(
        &self,
        meeting_id: i64,
        patient_id: i64,
        minutes: &str,
        plan: Option<NewVersion<'_>>,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.pool().begin().await?;
        let version = match plan {
            Some(p) => Some(p.insert(&mut tx, patient_id).await?),
            None => None,
        };
        let done =
            sqlx::query("UPDATE mdo_agenda SET minutes = $1, discussed = 1 WHERE meeting_id = $2 AND patient_id = $3")
                .bind(minutes)
                .bind(meeting_id)
                .bind(patient_id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("UPDATE mdo_meetings SET held = 1 WHERE id = $1")
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Replaces the attendance list and marks the meeting as held.
    pub async fn record_attendance(
        &self,
        meeting_id: i64,
        list: &[Attendance],
        notes: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM mdo_attendance WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
        for a in list {
            sqlx::query("INSERT INTO mdo_attendance (meeting_id, discipline, present, name) VALUES ($1, $2, $3, $4)")
                .bind(meeting_id)
                .bind(&a.discipline)
                .bind(i64::from(a.present))
                .bind(&a.name)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE mdo_meetings SET held = 1, notes = COALESCE($1, notes) WHERE id = $2")
            .bind(notes)
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn attendance(&self, meeting_id: i64) -> StoreResult<Vec<Attendance>> {
        let rows = sqlx::query(
            "SELECT discipline, present, name FROM mdo_attendance WHERE meeting_id = $1 ORDER BY discipline",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Attendance {
                    discipline: r.try_get(0)?,
                    present: r.try_get::<i64, _>(1)? != 0,
                    name: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Meetings of a patient, with their agenda item: (meeting, item).
    pub async fn patient_meetings(&self, patient_id: i64) -> StoreResult<Vec<(Meeting, AgendaItem)>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT meeting_id FROM mdo_agenda WHERE patient_id = $1 ORDER BY meeting_id DESC")
                .bind(patient_id)
                .fetch_all(self.pool())
                .await?;
        let mut out = Vec::new();
        for id in ids {
            let m = self.meeting(id).await?;
            if let Some(item) = self.agenda(id).await?.into_iter().find(|a| a.patient_id == patient_id) {
                out.push((m, item));
            }
        }
        Ok(out)
    }

    /// Held meetings of a practice with a date in `from..=to`.
    pub async fn held_meetings_between(&self, practice_id: i64, from: NaiveDate, to: NaiveDate) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mdo_meetings WHERE practice_id = $1 AND held = 1 AND meeting_date >= $2 AND meeting_date <= $3",
        )
        .bind(practice_id)
        .bind(day(from))
        .bind(day(to))
        .fetch_one(self.pool())
        .await?;
        Ok(n as u64)
    }

    pub async fn add_consultation(&self, patient_id: i64, c: &NewConsultation, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO so_consultations (patient_id, consulted_on, question, advice, kind, funding, so_name, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(patient_id)
        .bind(day(c.date))
        .bind(&c.question)
        .bind(&c.advice)
        .bind(&c.kind)
        .bind(&c.funding)
        .bind(&c.so_name)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn consultations(&self, patient_id: i64) -> StoreResult<Vec<Consultation>> {
        let rows = sqlx::query(
            "SELECT id, patient_id, consulted_on, question, advice, kind, funding, so_name FROM so_consultations \
             WHERE patient_id = $1 ORDER BY consulted_on DESC, id DESC",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Consultation {
                    id: r.try_get(0)?,
                    patient_id: r.try_get(1)?,
                    date: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                    question: r.try_get(3)?,
                    advice: r.try_get(4)?,
                    kind: r.try_get(5)?,
                    funding: r.try_get(6)?,
                    so_name: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// SO consultations of a practice's patients in `from..=to`, per funding code.
    pub async fn consultation_counts(
        &self,
        practice_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(String, u64)>> {
        let rows = sqlx::query(
            "SELECT c.funding, COUNT(*) FROM so_consultations c JOIN patients p ON p.id = c.patient_id \
             WHERE p.practice_id = $1 AND c.consulted_on >= $2 AND c.consulted_on <= $3 GROUP BY c.funding",
        )
        .bind(practice_id)
        .bind(day(from))
        .bind(day(to))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<i64, _>(1)? as u64)))
            .collect()
    }

    pub async fn add_medication_review(&self, patient_id: i64, m: &NewMedicationReview, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO medication_reviews (patient_id, reviewed_on, indication, participants, stopped, started, changed, follow_up, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(patient_id)
        .bind(day(m.date))
        .bind(&m.indication)
        .bind(&m.participants)
        .bind(&m.stopped)
        .bind(&m.started)
        .bind(&m.changed)
        .bind(m.follow_up.map(day))
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn medication_reviews(&self, patient_id: i64) -> StoreResult<Vec<MedicationReview>> {
        let rows = sqlx::query(
            "SELECT id, patient_id, reviewed_on, indication, participants, stopped, started, changed, follow_up \
             FROM medication_reviews WHERE patient_id = $1 ORDER BY reviewed_on DESC, id DESC",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MedicationReview {
                    id: r.try_get(0)?,
                    patient_id: r.try_get(1)?,
                    date: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                    indication: r.try_get(3)?,
                    participants: r.try_get(4)?,
                    stopped: r.try_get(5)?,
                    started: r.try_get(6)?,
                    changed: r.try_get(7)?,
                    follow_up: parse_stored_opt_date(r.try_get(8)?)?,
                })
            })
            .collect()
    }

    /// The last medication review per patient of a practice: (patient id, date).
    pub async fn last_medication_reviews(&self, practice_id: i64) -> StoreResult<Vec<(i64, NaiveDate)>> {
        let rows = sqlx::query(
            "SELECT m.patient_id, MAX(m.reviewed_on) FROM medication_reviews m JOIN patients p ON p.id = m.patient_id \
             WHERE p.practice_id = $1 GROUP BY m.patient_id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, parse_stored_date(&r.try_get::<String, _>(1)?)?)))
            .collect()
    }

    pub async fn add_event(
        &self,
        patient_id: i64,
        kind: &str,
        occurred_at: &str,
        notes: Option<&str>,
        by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO care_events (patient_id, kind, occurred_at, notes, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(patient_id)
        .bind(kind)
        .bind(occurred_at)
        .bind(notes)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.pool())
        .await?)
    }

    /// Records when the handover of an event was sent.
    pub async fn mark_handover_sent(&self, patient_id: i64, event_id: i64, sent_at: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE care_events SET handover_sent_at = $1 WHERE id = $2 AND patient_id = $3")
            .bind(sent_at)
            .bind(event_id)
            .bind(patient_id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    fn event_rows(rows: &[AnyRow]) -> StoreResult<Vec<CareEvent>> {
        rows.iter()
            .map(|r| {
                Ok(CareEvent {
                    id: r.try_get(0)?,
                    patient_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    occurred_at: r.try_get(3)?,
                    notes: r.try_get(4)?,
                    handover_sent_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn events(&self, patient_id: i64) -> StoreResult<Vec<CareEvent>> {
        let rows = sqlx::query(
            "SELECT id, patient_id, kind, occurred_at, notes, handover_sent_at FROM care_events WHERE patient_id = $1 \
             ORDER BY occurred_at DESC, id DESC",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        Self::event_rows(&rows)
    }

    /// Events of a practice's patients since `from` (RFC 3339 or a date).
    pub async fn practice_events(&self, practice_id: i64, from: &str) -> StoreResult<Vec<CareEvent>> {
        let rows = sqlx::query(
            "SELECT e.id, e.patient_id, e.kind, e.occurred_at, e.notes, e.handover_sent_at FROM care_events e \
             JOIN patients p ON p.id = e.patient_id WHERE p.practice_id = $1 AND e.occurred_at >= $2 \
             ORDER BY e.occurred_at DESC, e.id DESC",
        )
        .bind(practice_id)
        .bind(from)
        .fetch_all(self.pool())
        .await?;
        Self::event_rows(&rows)
    }

    /// Events of a practice's patients per kind with `occurred_at` on a day in `from..=to`.
    /// Events of a practice's patients per kind with `occurred_at` in `from..until`
    /// (RFC 3339 instants in UTC, as stored).
    pub async fn event_counts(&self, practice_id: i64, from: &str, until: &str) -> StoreResult<Vec<(String, u64)>> {
        let rows = sqlx::query(
            "SELECT e.kind, COUNT(*) FROM care_events e JOIN patients p ON p.id = e.patient_id \
             WHERE p.practice_id = $1 AND e.occurred_at >= $2 AND e.occurred_at < $3 GROUP BY e.kind",
        )
        .bind(practice_id)
        .bind(from)
        .bind(until)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<i64, _>(1)? as u64)))
            .collect()
    }

    pub async fn set_poh_o_hours(
        &self,
        practice_id: i64,
        valid_from: NaiveDate,
        hours: f64,
        by: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO practice_settings (practice_id, valid_from, poh_o_hours_per_week, set_by, set_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(practice_id)
            .bind(day(valid_from))
            .bind(hours)
            .bind(by)
            .bind(now_timestamp())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The formation history, newest first.
    pub async fn poh_o_hours_history(&self, practice_id: i64) -> StoreResult<Vec<PohHours>> {
        let rows = sqlx::query(
            "SELECT s.valid_from, s.poh_o_hours_per_week, s.set_at, u.display_name FROM practice_settings s \
             LEFT JOIN users u ON u.id = s.set_by WHERE s.practice_id = $1 ORDER BY s.valid_from DESC, s.id DESC",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PohHours {
                    valid_from: parse_stored_date(&r.try_get::<String, _>(0)?)?,
                    hours: r.try_get(1)?,
                    set_at: r.try_get(2)?,
                    set_by_name: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// The formation as last set on or before `on` (latest `valid_from`, then latest entry).
    pub async fn poh_o_hours_on(&self, practice_id: i64, on: NaiveDate) -> StoreResult<Option<f64>> {
        Ok(self
            .poh_o_hours_history(practice_id)
            .await?
            .into_iter()
            .find(|h| h.valid_from <= on)
            .map(|h| h.hours))
    }
}

/// One patient's place on the agenda of one of a practice's meetings, with the meeting's
/// date: for practice-wide overviews (the MDO quarters, the worklist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaEntry {
    pub meeting_id: i64,
    pub meeting_date: NaiveDate,
    /// The meeting has attendance or minutes recorded.
    pub held: bool,
    pub patient_id: i64,
    /// Minutes were recorded for this patient.
    pub discussed: bool,
}

impl Db {
    /// Every agenda item of a practice's meetings, by meeting date then meeting and item.
    pub async fn practice_agenda(&self, practice_id: i64) -> StoreResult<Vec<AgendaEntry>> {
        let rows = sqlx::query(
            "SELECT m.id, m.meeting_date, m.held, a.patient_id, a.discussed FROM mdo_agenda a \
             JOIN mdo_meetings m ON m.id = a.meeting_id WHERE m.practice_id = $1 \
             ORDER BY m.meeting_date, m.id, a.id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AgendaEntry {
                    meeting_id: r.try_get(0)?,
                    meeting_date: parse_stored_date(&r.try_get::<String, _>(1)?)?,
                    held: r.try_get::<i64, _>(2)? != 0,
                    patient_id: r.try_get(3)?,
                    discussed: r.try_get::<i64, _>(4)? != 0,
                })
            })
            .collect()
    }

    /// The current (latest) version of a document for every patient of a practice that
    /// has one: (patient id, version), in patient order. One query for the whole practice.
    pub async fn practice_current_versions(
        &self,
        doc: Document,
        practice_id: i64,
    ) -> StoreResult<Vec<(i64, CarePlanVersion)>> {
        let table = doc.table();
        let rows = sqlx::query(&format!(
            "SELECT c.patient_id, c.version, c.content, c.summary, c.created_by_name, c.created_at FROM {table} c \
             JOIN patients p ON p.id = c.patient_id \
             WHERE p.practice_id = $1 AND c.version = (SELECT MAX(x.version) FROM {table} x WHERE x.patient_id = c.patient_id) \
             ORDER BY c.patient_id"
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    CarePlanVersion {
                        version: r.try_get(1)?,
                        content: r.try_get(2)?,
                        summary: r.try_get(3)?,
                        created_by_name: r.try_get(4)?,
                        created_at: r.try_get(5)?,
                    },
                ))
            })
            .collect()
    }

    /// The events a practice's worklist needs: those at or after `since` (RFC 3339), and
    /// older ones of the `handover_kinds` whose handover was never sent. Newest first.
    pub async fn practice_worklist_events(
        &self,
        practice_id: i64,
        since: &str,
        handover_kinds: &[&str],
    ) -> StoreResult<Vec<CareEvent>> {
        let kinds = (0..handover_kinds.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let unsent = if handover_kinds.is_empty() {
            String::new()
        } else {
            format!(" OR (e.handover_sent_at IS NULL AND e.kind IN ({kinds}))")
        };
        let sql = format!(
            "SELECT e.id, e.patient_id, e.kind, e.occurred_at, e.notes, e.handover_sent_at FROM care_events e \
             JOIN patients p ON p.id = e.patient_id WHERE p.practice_id = $1 AND (e.occurred_at >= $2{unsent}) \
             ORDER BY e.occurred_at DESC, e.id DESC"
        );
        let mut q = sqlx::query(&sql).bind(practice_id).bind(since);
        for k in handover_kinds {
            q = q.bind(*k);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Self::event_rows(&rows)
    }
}
