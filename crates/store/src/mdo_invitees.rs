//! Who is invited to an MDO by name, each with their attendance, and when and where the
//! meeting is held (a time, a place or a video link).

use crate::change::Change;
use crate::convert::{all, flag, store_flag};
use crate::{Db, StoreError, StoreResult};

/// Someone invited to a meeting by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub id: i64,
    pub name: String,
    /// What they do ("Wijkverpleegkundige"), as shown beside the name.
    pub role: Option<String>,
    /// The discipline (a code of `events::DISCIPLINES`) their attendance counts for.
    pub discipline: Option<String>,
    /// Their account, when they have one.
    pub user_id: Option<i64>,
    /// Attendance: `None` while not recorded.
    pub present: Option<bool>,
}

/// An invitee to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewInvitee {
    pub name: String,
    pub role: Option<String>,
    pub discipline: Option<String>,
    pub user_id: Option<i64>,
}

/// When and where a meeting is held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingPlace {
    /// `hh:mm`.
    pub time: Option<String>,
    pub place: Option<String>,
    pub video_link: Option<String>,
}

#[derive(sqlx::FromRow)]
struct InviteeRow {
    id: i64,
    name: String,
    role: Option<String>,
    discipline: Option<String>,
    user_id: Option<i64>,
    present: Option<i64>,
}

impl TryFrom<InviteeRow> for Invitee {
    type Error = StoreError;
    fn try_from(r: InviteeRow) -> StoreResult<Invitee> {
        Ok(Invitee {
            id: r.id,
            name: r.name,
            role: r.role,
            discipline: r.discipline,
            user_id: r.user_id,
            present: r.present.map(|p| flag("mdo_invitees.present", p)).transpose()?,
        })
    }
}

impl Db {
    /// The meeting's invitees, in the order they were invited.
    pub async fn invitees(&self, meeting_id: i64) -> StoreResult<Vec<Invitee>> {
        let rows = sqlx::query_as::<_, InviteeRow>(
            "SELECT id, name, role, discipline, user_id, present FROM mdo_invitees WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

impl Change {
    /// Sets when and where the meeting is held.
    pub async fn set_meeting_place(&mut self, meeting_id: i64, p: &MeetingPlace) -> StoreResult<()> {
        let done = sqlx::query("UPDATE mdo_meetings SET start_time = $1, place = $2, video_link = $3 WHERE id = $4")
            .bind(&p.time)
            .bind(&p.place)
            .bind(&p.video_link)
            .bind(meeting_id)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Invites people by name; `Conflict` when one of the names is invited already.
    pub async fn invite(&mut self, meeting_id: i64, list: &[NewInvitee]) -> StoreResult<()> {
        for i in list {
            sqlx::query(
                "INSERT INTO mdo_invitees (meeting_id, name, role, discipline, user_id) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(meeting_id)
            .bind(&i.name)
            .bind(&i.role)
            .bind(&i.discipline)
            .bind(i.user_id)
            .execute(self.conn())
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Conflict(format!("{} is al uitgenodigd.", i.name))
                }
                _ => e.into(),
            })?;
        }
        Ok(())
    }

    /// Records the attendance of the invitees: those in `present` were there, the others
    /// not.
    pub async fn record_invitee_attendance(&mut self, meeting_id: i64, present: &[i64]) -> StoreResult<()> {
        sqlx::query("UPDATE mdo_invitees SET present = 0 WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(self.conn())
            .await?;
        for id in present {
            sqlx::query("UPDATE mdo_invitees SET present = $1 WHERE meeting_id = $2 AND id = $3")
                .bind(store_flag(true))
                .bind(meeting_id)
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}

/// A professional on the care team of one of a practice's patients.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TeamProfessional {
    /// `care_team_members.id` (the first of the same name).
    pub member_id: i64,
    pub name: String,
    pub role: Option<String>,
    pub user_id: Option<i64>,
}

impl Db {
    /// The professionals on the care teams of a practice's patients, each name once, by
    /// name: whom an MDO can invite (no patient is named).
    pub async fn practice_team_professionals(&self, practice_id: i64) -> StoreResult<Vec<TeamProfessional>> {
        Ok(sqlx::query_as::<_, TeamProfessional>(
            "SELECT MIN(m.id) AS member_id, m.name, MIN(m.role) AS role, MIN(m.user_id) AS user_id \
             FROM care_team_members m JOIN patients p ON p.id = m.patient_id \
             WHERE p.practice_id = $1 AND m.kind = 'professional' AND m.removed_at IS NULL \
             GROUP BY m.name ORDER BY m.name",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?)
    }
}

impl Change {
    /// Adds disciplines to those the meeting invited, kept in the order of the disciplines.
    pub async fn add_invited_disciplines(&mut self, meeting_id: i64, codes: &[String]) -> StoreResult<()> {
        let current: Option<String> = sqlx::query_scalar("SELECT invited FROM mdo_meetings WHERE id = $1")
            .bind(meeting_id)
            .fetch_optional(self.conn())
            .await?;
        let current = current.ok_or(StoreError::NotFound)?;
        let mut all: Vec<&str> = current.split(',').filter(|s| !s.is_empty()).collect();
        all.extend(codes.iter().map(String::as_str));
        let position = |c: &str| {
            kernteam_domain::events::DISCIPLINES
                .iter()
                .position(|(d, _)| *d == c)
                .unwrap_or(usize::MAX)
        };
        all.sort_by_key(|c| position(c));
        all.dedup();
        sqlx::query("UPDATE mdo_meetings SET invited = $1 WHERE id = $2")
            .bind(all.join(","))
            .bind(meeting_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
