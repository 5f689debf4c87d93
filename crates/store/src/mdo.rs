//! MDO (multidisciplinary meetings) of a practice: the meetings, their agenda of patients
//! with minutes, and who attended.

use chrono::NaiveDate;

use crate::change::Change;
use crate::convert::{all, count, date, flag, fmt_date, store_flag};
use crate::direct_read::Arg;
use crate::documents::NewVersion;
use crate::{now_timestamp, Db, StoreError, StoreResult};

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
    /// `hh:mm`, when set.
    pub time: Option<String>,
    /// Where the meeting is held.
    pub place: Option<String>,
    /// The video link of an online meeting.
    pub video_link: Option<String>,
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

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: i64,
    practice_id: i64,
    meeting_date: String,
    level: String,
    /// Comma-separated disciplines.
    invited: String,
    held: i64,
    notes: Option<String>,
    agenda_count: i64,
    start_time: Option<String>,
    place: Option<String>,
    video_link: Option<String>,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = StoreError;
    fn try_from(r: MeetingRow) -> StoreResult<Meeting> {
        Ok(Meeting {
            id: r.id,
            practice_id: r.practice_id,
            date: date("mdo_meetings.meeting_date", &r.meeting_date)?,
            level: r.level,
            invited: r
                .invited
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            held: flag("mdo_meetings.held", r.held)?,
            notes: r.notes,
            agenda_count: r.agenda_count,
            time: r.start_time,
            place: r.place,
            video_link: r.video_link,
        })
    }
}

const MEETING_SELECT: &str = "SELECT m.id, m.practice_id, m.meeting_date, m.level, m.invited, m.held, m.notes, \
     m.start_time, m.place, m.video_link, (SELECT COUNT(*) FROM mdo_agenda a WHERE a.meeting_id = m.id) AS agenda_count FROM mdo_meetings m";

#[derive(sqlx::FromRow)]
struct AgendaRow {
    id: i64,
    patient_id: i64,
    reason: Option<String>,
    minutes: Option<String>,
    discussed: i64,
}

impl TryFrom<AgendaRow> for AgendaItem {
    type Error = StoreError;
    fn try_from(r: AgendaRow) -> StoreResult<AgendaItem> {
        Ok(AgendaItem {
            id: r.id,
            patient_id: r.patient_id,
            reason: r.reason,
            minutes: r.minutes,
            discussed: flag("mdo_agenda.discussed", r.discussed)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttendanceRow {
    discipline: String,
    present: i64,
    name: Option<String>,
}

impl TryFrom<AttendanceRow> for Attendance {
    type Error = StoreError;
    fn try_from(r: AttendanceRow) -> StoreResult<Attendance> {
        Ok(Attendance {
            discipline: r.discipline,
            present: flag("mdo_attendance.present", r.present)?,
            name: r.name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AgendaEntryRow {
    meeting_id: i64,
    meeting_date: String,
    held: i64,
    patient_id: i64,
    discussed: i64,
}

impl TryFrom<AgendaEntryRow> for AgendaEntry {
    type Error = StoreError;
    fn try_from(r: AgendaEntryRow) -> StoreResult<AgendaEntry> {
        Ok(AgendaEntry {
            meeting_id: r.meeting_id,
            meeting_date: date("mdo_meetings.meeting_date", &r.meeting_date)?,
            held: flag("mdo_meetings.held", r.held)?,
            patient_id: r.patient_id,
            discussed: flag("mdo_agenda.discussed", r.discussed)?,
        })
    }
}

impl Db {
    pub async fn meetings(&self, practice_id: i64) -> StoreResult<Vec<Meeting>> {
        let rows = sqlx::query_as::<_, MeetingRow>(&format!(
            "{MEETING_SELECT} WHERE m.practice_id = $1 ORDER BY m.meeting_date DESC, m.id DESC"
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    pub async fn meeting(&self, id: i64) -> StoreResult<Meeting> {
        sqlx::query_as::<_, MeetingRow>(&format!("{MEETING_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?
            .try_into()
    }

    pub async fn agenda(&self, meeting_id: i64) -> StoreResult<Vec<AgendaItem>> {
        let rows = sqlx::query_as::<_, AgendaRow>(
            "SELECT id, patient_id, reason, minutes, discussed FROM mdo_agenda WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    pub async fn attendance(&self, meeting_id: i64) -> StoreResult<Vec<Attendance>> {
        let rows = sqlx::query_as::<_, AttendanceRow>(
            "SELECT discipline, present, name FROM mdo_attendance WHERE meeting_id = $1 ORDER BY discipline",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// Meetings of a patient, with their agenda item: (meeting, item).
    pub async fn patient_meetings(&self, patient_id: i64) -> StoreResult<Vec<(Meeting, AgendaItem)>> {
        let ids = self
            .read_rows(
                "SELECT meeting_id FROM mdo_agenda WHERE patient_id = $1 ORDER BY meeting_id DESC",
                &[Arg::Int(patient_id)],
                |c| c.int(0),
            )
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
        .bind(fmt_date(from))
        .bind(fmt_date(to))
        .fetch_one(self.pool())
        .await?;
        count("COUNT(*)", n)
    }

    /// Every agenda item of a practice's meetings, by meeting date then meeting and item.
    pub async fn practice_agenda(&self, practice_id: i64) -> StoreResult<Vec<AgendaEntry>> {
        let rows = sqlx::query_as::<_, AgendaEntryRow>(
            "SELECT m.id AS meeting_id, m.meeting_date, m.held, a.patient_id, a.discussed FROM mdo_agenda a \
             JOIN mdo_meetings m ON m.id = a.meeting_id WHERE m.practice_id = $1 \
             ORDER BY m.meeting_date, m.id, a.id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

impl Change {
    pub async fn create_meeting(
        &mut self,
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
        .bind(fmt_date(date))
        .bind(level)
        .bind(invited.join(","))
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    pub async fn add_to_agenda(&mut self, meeting_id: i64, patient_id: i64, reason: Option<&str>) -> StoreResult<i64> {
        sqlx::query_scalar("INSERT INTO mdo_agenda (meeting_id, patient_id, reason) VALUES ($1, $2, $3) RETURNING id")
            .bind(meeting_id)
            .bind(patient_id)
            .bind(reason)
            .fetch_one(self.conn())
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Conflict("Deze patiënt staat al op de agenda.".into())
                }
                _ => e.into(),
            })
    }

    /// Records the minutes of one patient's discussion; marks the meeting as held.
    pub async fn record_minutes(&mut self, meeting_id: i64, patient_id: i64, minutes: &str) -> StoreResult<()> {
        self.record_minutes_with_plan(meeting_id, patient_id, minutes, None)
            .await
            .map(|_| ())
    }

    /// Records the minutes of one patient's discussion, marks the meeting as held and, when
    /// the decisions changed the care plan, saves its new version — all in one transaction,
    /// so that minutes and care plan never disagree. Returns the new care-plan version.
    pub async fn record_minutes_with_plan(
        &mut self,
        meeting_id: i64,
        patient_id: i64,
        minutes: &str,
        plan: Option<NewVersion<'_>>,
    ) -> StoreResult<Option<i64>> {
        let version = match plan {
            Some(p) => Some(p.insert(self.tx(), patient_id).await?),
            None => None,
        };
        let done =
            sqlx::query("UPDATE mdo_agenda SET minutes = $1, discussed = 1 WHERE meeting_id = $2 AND patient_id = $3")
                .bind(minutes)
                .bind(meeting_id)
                .bind(patient_id)
                .execute(self.conn())
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("UPDATE mdo_meetings SET held = 1 WHERE id = $1")
            .bind(meeting_id)
            .execute(self.conn())
            .await?;
        Ok(version)
    }

    /// Replaces the attendance list and marks the meeting as held.
    pub async fn record_attendance(
        &mut self,
        meeting_id: i64,
        list: &[Attendance],
        notes: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM mdo_attendance WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(self.conn())
            .await?;
        for a in list {
            sqlx::query("INSERT INTO mdo_attendance (meeting_id, discipline, present, name) VALUES ($1, $2, $3, $4)")
                .bind(meeting_id)
                .bind(&a.discipline)
                .bind(store_flag(a.present))
                .bind(&a.name)
                .execute(self.conn())
                .await?;
        }
        sqlx::query("UPDATE mdo_meetings SET held = 1, notes = COALESCE($1, notes) WHERE id = $2")
            .bind(notes)
            .bind(meeting_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
