//! The first point of contact: assigning one, evaluating the assignment (kept or changed)
//! and its history, each writing its audit record.

use chrono::NaiveDate;
use kernteam_domain::first_contact::{self as rules, EvaluationInput, Outcome};
use kernteam_store::care::TeamMember;
use kernteam_store::first_contact::{Assignment, FirstContactEvent};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Decider, Visible};
use crate::{today, App};

/// The first point of contact now and how it came to be.
#[derive(Debug, Clone)]
pub struct FirstContactRecord {
    /// The current one with their assignment.
    pub current: Option<(TeamMember, Assignment)>,
    /// Assignments, evaluations and ends, oldest first.
    pub history: Vec<FirstContactEvent>,
    /// The professionals of the team (who can be assigned).
    pub professionals: Vec<TeamMember>,
}

impl App {
    /// The patient's first point of contact with its history (the read is audited by the
    /// gate that gave `v`).
    pub async fn first_contact_record(&self, v: &Visible) -> Result<FirstContactRecord> {
        let pid = v.patient().id;
        let team = self.db.team(pid).await?;
        let current = match self.db.first_contact_assignment(pid).await? {
            Some(a) => team.iter().find(|m| m.id == a.member_id).cloned().map(|m| (m, a)),
            None => None,
        };
        Ok(FirstContactRecord {
            current,
            history: self.db.first_contact_history(pid).await?,
            professionals: team.into_iter().filter(|m| m.kind == "professional").collect(),
        })
    }

    /// Makes a professional of the care team the first point of contact, to be evaluated on
    /// `evaluate_on` (by default a year from today). Returns them.
    pub async fn set_first_contact(
        &self,
        d: &Decider,
        member_id: i64,
        evaluate_on: Option<NaiveDate>,
    ) -> Result<TeamMember> {
        let day = today();
        let evaluate_on = evaluate_on.unwrap_or_else(|| rules::default_evaluation(day));
        rules::check_evaluation_date(evaluate_on, day).map_err(|e| Error::Invalid(vec![e]))?;
        let m = self.team_professional(d, member_id).await?;
        let mut ch = self.db.change().await?;
        ch.set_first_contact(d.patient().id, m.id, d.actor().user().id, evaluate_on)
            .await?;
        ch.commit(&[d.actor().entry(
            Some(d.patient()),
            Action::SetFirstContact,
            Some(format!("{}, evaluatie {evaluate_on}", m.name)),
        )])
        .await?;
        Ok(m)
    }

    /// Records the evaluation of the current assignment: kept (with the next evaluation
    /// date) or changed to another professional of the team (assigned in the same change).
    pub async fn evaluate_first_contact(&self, d: &Decider, input: EvaluationInput) -> Result<()> {
        let day = today();
        let pid = d.patient().id;
        let current = self
            .db
            .first_contact_assignment(pid)
            .await?
            .ok_or_else(|| Error::invalid("Er is nog geen eerste aanspreekpunt om te evalueren."))?;
        rules::check_evaluation(&input, current.member_id, day).map_err(Error::Invalid)?;
        let (outcome, next) = match (input.outcome, input.next) {
            (Some(o), Some(n)) => (o, n),
            _ => return Err(Error::invalid("Kies een uitkomst en een datum.")),
        };
        let new_member = match (outcome, input.new_member) {
            (Outcome::Changed, Some(id)) => Some(self.team_professional(d, id).await?),
            _ => None,
        };
        let by = d.actor().user().id;
        let mut ch = self.db.change().await?;
        ch.evaluate_first_contact(pid, outcome, Some(&input.note), next, by)
            .await?;
        let mut detail = format!("{}, volgende evaluatie {next}", outcome.label());
        if let Some(m) = &new_member {
            ch.set_first_contact(pid, m.id, by, next).await?;
            detail = format!("gewijzigd naar {}, volgende evaluatie {next}", m.name);
        }
        ch.commit(&[d
            .actor()
            .entry(Some(d.patient()), Action::EvaluateFirstContact, Some(detail))])
            .await?;
        Ok(())
    }

    async fn team_professional(&self, d: &Decider, member_id: i64) -> Result<TeamMember> {
        self.db
            .team(d.patient().id)
            .await?
            .into_iter()
            .find(|m| m.id == member_id && m.kind == "professional")
            .ok_or_else(|| Error::invalid("Kies een professional uit het zorgteam."))
    }
}
