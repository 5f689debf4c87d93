//! The minutes of one patient's discussion, whose decisions become planned actions in the
//! patient's care plan: minutes and care-plan version are written in one transaction.

use kernteam_domain::care::{care_plan_changes, CareAction};
use kernteam_domain::mdo::{self, MinutesInput, TeamChoice};
use kernteam_domain::pzp::limit_label;
use kernteam_store::program::{Document, NewVersion};
use serde::Serialize;

use super::MdoMeeting;
use crate::audit::Action;
use crate::error::{Error, Result};
use crate::{today, App};

/// What the minutes form shows of one patient on the agenda.
#[derive(Debug, Clone)]
pub struct MinutesShown {
    pub patient_id: i64,
    pub name: String,
    pub reason: Option<String>,
    /// The minutes recorded so far (empty: none).
    pub recorded: String,
    /// Whether the actor may record the minutes.
    pub can_write: bool,
    /// The current care-plan version (0: none) and its open actions, for context.
    pub plan_version: i64,
    pub open_actions: Vec<CareAction>,
    /// The patient's care team, from whom a decision's action is given to someone.
    pub team: Vec<TeamChoice>,
    /// The treatment limits of the current PZP, as sentences.
    pub limits: Limits,
}

/// The treatment limits the minutes show: none recorded (no PZP), or the PZP's limits as
/// sentences ("Niet reanimeren"; empty: none agreed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limits {
    NoPzp,
    Agreed(Vec<String>),
}

/// What saving minutes did.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesSaved {
    /// The minutes as stored.
    pub minutes: String,
    /// The new care-plan version with the decisions' actions, when there were decisions.
    pub care_plan_version: Option<i64>,
    /// What changed in the care plan (Dutch).
    pub changes: Vec<String>,
}

impl App {
    /// The minutes form of a patient on the agenda: a read record
    /// ([`Action::ViewMdoMinutes`]); also when the form is shown again after refused input.
    /// `NotFound` when the patient is not on the agenda or the actor may not see them.
    pub async fn mdo_minutes(&self, m: &MdoMeeting, patient_id: i64) -> Result<MinutesShown> {
        let item = self.agenda_item(m, patient_id).await?;
        let v = self
            .visible(m.actor(), patient_id, Action::ViewMdoMinutes, Some(m.label()))
            .await?;
        if v.patient().practice_id != m.meeting.practice_id {
            return Err(Error::NotFound);
        }
        let (plan_version, plan) = self.current_care_plan(&v).await?;
        let team = self.team_choices(patient_id).await?;
        let limits = self.treatment_limits(patient_id).await?;
        Ok(MinutesShown {
            patient_id,
            name: self.patient_name(&v).await?,
            reason: item.reason,
            recorded: item.minutes.unwrap_or_default(),
            can_write: v.access().contribute,
            plan_version,
            open_actions: plan.open_actions().cloned().collect(),
            team,
            limits,
        })
    }

    /// The patient's care team as a decision's "who" offers it, by name. Only for callers
    /// that have written the read.
    async fn team_choices(&self, patient_id: i64) -> Result<Vec<TeamChoice>> {
        Ok(self
            .db
            .team(patient_id)
            .await?
            .into_iter()
            .map(|m| {
                let what = if m.kind == "mantelzorger" {
                    Some("mantelzorger".to_string())
                } else {
                    m.role.clone()
                };
                TeamChoice {
                    id: m.id,
                    name: m.name,
                    role: what.filter(|w| !w.is_empty()),
                }
            })
            .collect())
    }

    /// The treatment limits of the patient's current PZP. Only for callers that have
    /// written the read.
    pub(super) async fn treatment_limits(&self, patient_id: i64) -> Result<Limits> {
        let versions = self.db.versions(Document::Pzp, patient_id).await?;
        let (version, pzp) = crate::pzp::current_of(&versions)?;
        Ok(if version == 0 {
            Limits::NoPzp
        } else {
            Limits::Agreed(pzp.limits().map(|w| limit_label(&w.treatment)).collect())
        })
    }

    /// Records the minutes of one patient's discussion (those who may contribute to the
    /// patient's record, once the meeting's day has come). With decisions, a new care-plan
    /// version with their actions added is written in the same transaction as the minutes
    /// (`Conflict` when someone saved the plan at the same moment; nothing is written
    /// then); both leave an audit record. `NotFound` when the patient is not on the agenda.
    pub async fn record_mdo_minutes(
        &self,
        m: &MdoMeeting,
        patient_id: i64,
        input: &MinutesInput,
    ) -> Result<MinutesSaved> {
        let c = self.contributor(m.actor(), patient_id).await?;
        if c.patient().practice_id != m.meeting.practice_id {
            return Err(Error::NotFound);
        }
        self.agenda_item(m, patient_id).await?;
        mdo::not_before_the_meeting(m.meeting.date, today(), "het verslag").map_err(Error::Invalid)?;
        let (version, plan) = self.care_plan_of(patient_id).await?;
        let team = self.team_choices(patient_id).await?;
        let (minutes, decided) =
            mdo::validate_minutes(input, &plan.actions, &team, Some(m.meeting.id)).map_err(Error::Invalid)?;
        let mut saved = MinutesSaved {
            minutes: mdo::minutes_text(&minutes, &decided),
            care_plan_version: None,
            changes: Vec::new(),
        };
        let mut new_version = None;
        if !decided.is_empty() {
            let mut new_plan = plan.clone();
            new_plan.actions.extend(decided.iter().map(|d| d.action.clone()));
            let new_plan = new_plan.normalised().map_err(Error::Invalid)?;
            saved.changes = care_plan_changes(&plan, &new_plan);
            let mut summary = vec![format!(
                "Besluiten uit het MDO van {}",
                m.meeting.date.format("%d-%m-%Y")
            )];
            summary.extend(saved.changes.iter().cloned());
            new_version = Some((
                serde_json::to_string(&new_plan).map_err(|e| Error::Internal(e.into()))?,
                summary.join("\n"),
            ));
        }
        let user = c.actor().user();
        let plan_version = new_version.as_ref().map(|(content, summary)| NewVersion {
            doc: Document::CarePlan,
            based_on: version,
            content,
            summary,
            user_id: user.id,
            user_name: &user.display_name,
        });
        let mut ch = self.db.change().await?;
        saved.care_plan_version = ch
            .record_minutes_with_plan(m.meeting.id, patient_id, &saved.minutes, plan_version)
            .await?;
        let mut audit = Vec::new();
        if let Some(v) = saved.care_plan_version {
            audit.push(c.actor().entry(
                Some(c.patient()),
                Action::SaveCarePlan,
                Some(format!("versie {v} (besluiten MDO {})", m.meeting.date)),
            ));
        }
        audit.push(c.actor().entry(
            Some(c.patient()),
            Action::RecordMdoMinutes,
            Some(format!(
                "{}, {}",
                m.label(),
                kernteam_domain::text::count(decided.len(), "besluit", "besluiten")
            )),
        ));
        ch.commit(&audit).await?;
        Ok(saved)
    }
}
