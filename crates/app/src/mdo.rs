//! Multidisciplinary meetings (MDO) of a practice: planning them, their agenda of patients
//! (with the worklist's suggestions), the attendance per discipline and the minutes per
//! patient, whose decisions become actions of the patient's care plan.
//!
//! A meeting is the practice's: [`App::mdo_meeting`] hands out an [`MdoMeeting`] only to
//! the staff of the meeting's practice (404 for anyone else, the refusal logged). Every
//! patient the MDO pages or the API show (agenda, suggestions, search results, minutes) is
//! shown through a logged read.

mod agenda;
mod candidates;
mod invitees;
mod minutes;

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use kernteam_domain::access::practice_permissions;
use kernteam_domain::mdo::{self, AttendanceInput, PlanInput};
use kernteam_store::program::{AgendaEntry, Attendance, Meeting, MeetingPlace};
use serde::Serialize;

pub use agenda::AgendaShown;
pub use candidates::Candidate;
pub use invitees::InviteeChoice;
pub use minutes::{Limits, MinutesSaved, MinutesShown};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{MdoOrganiser, PracticeStaff};
use crate::{today, Actor, App};

/// A meeting of the actor's practice: only [`App::mdo_meeting`] makes one.
#[derive(Debug, Clone)]
pub struct MdoMeeting {
    staff: PracticeStaff,
    meeting: Meeting,
}

impl MdoMeeting {
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }
    pub fn actor(&self) -> &Actor {
        self.staff.actor()
    }
    /// Whether the actor may put patients on the agenda and record minutes (the practice's
    /// clinicians): the suggestions and the search are only for them.
    pub fn may_write(&self) -> bool {
        self.actor().user().role.is_practice_clinician()
    }
    /// Whether the actor may record the attendance (the practice's clinicians and its
    /// administrator).
    pub fn may_organise(&self) -> bool {
        let user = self.actor().user();
        practice_permissions(user.role, user.is_admin).organise_mdo
    }
    /// How the audit records name the meeting: `MDO 2027-03-08 (12)`.
    fn label(&self) -> String {
        format!("MDO {} ({})", self.meeting.date, self.meeting.id)
    }
}

/// The practice's meetings with their counts per quarter.
#[derive(Debug, Clone)]
pub struct MdoOverview {
    /// Newest first.
    pub meetings: Vec<Meeting>,
    /// Newest quarter first.
    pub quarters: Vec<Quarter>,
    /// Whether the actor may plan meetings and record attendance.
    pub can_plan: bool,
}

/// Counts of one quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarter {
    /// `2027-Q1`, as the reports name periods.
    pub quarter: String,
    /// Meetings held (attendance or minutes recorded) with a date in the quarter: the
    /// report's `mdo_count`.
    pub meetings_held: usize,
    /// Meetings planned in the quarter and not (yet) held.
    pub meetings_planned: usize,
    /// Different patients discussed (minutes recorded) in the quarter's meetings.
    pub patients_discussed: usize,
}

fn quarter_of(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

/// Per quarter with a meeting (and the current one), newest first.
pub fn quarters(meetings: &[Meeting], agenda: &[AgendaEntry], today: NaiveDate) -> Vec<Quarter> {
    let mut by: BTreeMap<String, (usize, usize, HashSet<i64>)> = BTreeMap::new();
    by.entry(quarter_of(today)).or_default();
    for m in meetings {
        let e = by.entry(quarter_of(m.date)).or_default();
        if m.held {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    for a in agenda.iter().filter(|a| a.discussed && a.held) {
        by.entry(quarter_of(a.meeting_date)).or_default().2.insert(a.patient_id);
    }
    by.into_iter()
        .rev()
        .map(|(quarter, (held, planned, patients))| Quarter {
            quarter,
            meetings_held: held,
            meetings_planned: planned,
            patients_discussed: patients.len(),
        })
        .collect()
}

impl App {
    /// A meeting of the actor's practice. `NotFound` (the refusal logged) for a meeting of
    /// another practice, one that does not exist, and for anyone not practice staff.
    pub async fn mdo_meeting(&self, actor: &Actor, meeting_id: i64) -> Result<MdoMeeting> {
        let staff = match self.practice_staff(actor).await {
            Ok(s) => s,
            Err(Error::Forbidden) => return Err(Error::NotFound),
            Err(e) => return Err(e),
        };
        let meeting = match self.db.meeting(meeting_id).await {
            Ok(m) if m.practice_id == staff.practice_id() => m,
            Ok(_) | Err(kernteam_store::StoreError::NotFound) => {
                self.record(&actor.refusal(None, Action::AccessRefused, Some(format!("MDO {meeting_id}"))))
                    .await?;
                return Err(Error::NotFound);
            }
            Err(e) => return Err(e.into()),
        };
        Ok(MdoMeeting { staff, meeting })
    }

    /// The practice's meetings and the counts per quarter (no patient data).
    pub async fn mdo_overview(&self, staff: &PracticeStaff) -> Result<MdoOverview> {
        let meetings = self.db.meetings(staff.practice_id()).await?;
        let agenda = self.db.practice_agenda(staff.practice_id()).await?;
        let user = staff.actor().user();
        Ok(MdoOverview {
            quarters: quarters(&meetings, &agenda, today()),
            meetings,
            can_plan: practice_permissions(user.role, user.is_admin).organise_mdo,
        })
    }

    /// Plans a meeting of the organiser's practice. Returns it as stored.
    pub async fn plan_mdo(&self, o: &MdoOrganiser, input: &PlanInput) -> Result<Meeting> {
        let input = PlanInput {
            invitees: self.with_accounts(&input.invitees).await?,
            ..input.clone()
        };
        let m = mdo::validate_plan(&input, today()).map_err(Error::Invalid)?;
        let staff = o.staff();
        let invitees = invitees::rows(&m.invitees);
        let mut ch = self.db.change().await?;
        let id = ch
            .create_meeting(
                staff.practice_id(),
                m.date,
                m.level.code(),
                &m.invited,
                staff.actor().user().id,
            )
            .await?;
        ch.set_meeting_place(
            id,
            &MeetingPlace {
                time: m.time.clone(),
                place: m.place.clone(),
                video_link: m.video_link.clone(),
            },
        )
        .await?;
        ch.invite(id, &invitees).await?;
        ch.commit(&[staff.actor().entry(
            None,
            Action::PlanMdo,
            Some(format!(
                "{} op {}, {}",
                m.level.label(),
                m.date,
                kernteam_domain::text::count(invitees.len(), "genodigde", "genodigden")
            )),
        )])
        .await?;
        Ok(self.db.meeting(id).await?)
    }

    /// The attendance recorded for the meeting (disciplines, no patient data).
    pub async fn mdo_attendance(&self, m: &MdoMeeting) -> Result<Vec<Attendance>> {
        Ok(self.db.attendance(m.meeting.id).await?)
    }

    /// Records who attended, once the meeting's day has come: the disciplines in `list`
    /// and the invitees in `present` (ids; the other invitees were absent). An invitee
    /// present makes their discipline present. The meeting counts as held from then on.
    /// Returns the attendance per discipline as stored.
    pub async fn record_mdo_attendance(
        &self,
        o: &MdoOrganiser,
        m: &MdoMeeting,
        list: &[AttendanceInput],
        present: &[i64],
        notes: Option<String>,
    ) -> Result<Vec<Attendance>> {
        if o.staff().practice_id() != m.meeting.practice_id {
            return Err(Error::NotFound);
        }
        mdo::not_before_the_meeting(m.meeting.date, today(), "de aanwezigheid").map_err(Error::Invalid)?;
        let invitees = self.db.invitees(m.meeting.id).await?;
        if let Some(id) = present.iter().find(|id| !invitees.iter().any(|i| i.id == **id)) {
            return Err(Error::Invalid(vec![format!(
                "Genodigde {id} is niet uitgenodigd voor dit MDO."
            )]));
        }
        let ticked: Vec<mdo::InviteePresence> = invitees
            .iter()
            .map(|i| mdo::InviteePresence {
                name: &i.name,
                discipline: i.discipline.as_deref(),
                present: present.contains(&i.id),
            })
            .collect();
        let others = ticked.iter().any(|t| t.present && t.discipline.is_none());
        let merged = mdo::attendance_with_invitees(list, &ticked);
        let (list, notes) = mdo::validate_attendance(&merged, others, notes).map_err(Error::Invalid)?;
        let rows: Vec<Attendance> = list
            .into_iter()
            .map(|a| Attendance {
                discipline: a.discipline,
                present: a.present,
                name: a.name,
            })
            .collect();
        let mut ch = self.db.change().await?;
        ch.record_attendance(m.meeting.id, &rows, notes.as_deref()).await?;
        ch.record_invitee_attendance(m.meeting.id, present).await?;
        ch.commit(&[o.staff().actor().entry(
            None,
            Action::RecordMdoAttendance,
            Some(format!(
                "{}: {} aanwezig",
                m.label(),
                rows.iter().filter(|a| a.present).count().max(present.len())
            )),
        )])
        .await?;
        self.mdo_attendance(m).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_count_held_meetings_and_different_patients() {
        let meeting = |id, date: &str, held| Meeting {
            id,
            practice_id: 1,
            date: d(date),
            level: "praktijk".into(),
            invited: vec![],
            held,
            notes: None,
            agenda_count: 0,
            time: None,
            place: None,
            video_link: None,
        };
        let entry = |meeting_id, date: &str, held, patient_id, discussed| AgendaEntry {
            meeting_id,
            meeting_date: d(date),
            held,
            patient_id,
            discussed,
        };
        let meetings = [
            meeting(1, "2027-01-10", true),
            meeting(2, "2027-03-20", true),
            meeting(3, "2027-04-02", false),
        ];
        let agenda = [
            entry(1, "2027-01-10", true, 7, true),
            entry(2, "2027-03-20", true, 7, true),
            entry(2, "2027-03-20", true, 8, false),
            entry(3, "2027-04-02", false, 9, false),
        ];
        assert_eq!(
            quarters(&meetings, &agenda, d("2027-05-01")),
            [
                Quarter {
                    quarter: "2027-Q2".into(),
                    meetings_held: 0,
                    meetings_planned: 1,
                    patients_discussed: 0
                },
                Quarter {
                    quarter: "2027-Q1".into(),
                    meetings_held: 2,
                    meetings_planned: 0,
                    patients_discussed: 1
                },
            ]
        );
    }
}
