//! The practice's POH-O formation (hours per week, valid from a date) with its history:
//! seen by the practice's staff, set by those whom `kernteam_domain::access` allows (the
//! practice administrator and the GPs). It is practice data, not patient data: reading it
//! writes no audit record; setting it does.

use kernteam_domain::access::practice_permissions;
use kernteam_domain::formation::{self, hours_text, in_force, NewFormation};
use kernteam_store::program::PohHours;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{FormationSetter, PracticeStaff};
use crate::{today, App};

/// The formation of a practice.
#[derive(Debug, Clone)]
pub struct Formation {
    pub practice_id: i64,
    pub practice_name: String,
    /// Newest `valid_from` first; of equal dates the last set first.
    pub history: Vec<PohHours>,
    /// The index in `history` of the entry in force today.
    pub current: Option<usize>,
}

impl Formation {
    /// Hours per week in force today.
    pub fn current_hours(&self) -> Option<f64> {
        self.current.map(|i| self.history[i].hours)
    }
}

/// A formation as entered: the hours (or why they could not be read) and the date.
#[derive(Debug, Clone)]
pub struct FormationInput {
    pub hours: std::result::Result<f64, String>,
    pub valid_from: String,
}

impl PracticeStaff {
    /// Whether this member of staff may set the formation (for showing the form).
    pub fn may_set_formation(&self) -> bool {
        let u = self.actor().user();
        practice_permissions(u.role, u.is_admin).set_formation
    }
}

impl App {
    /// The formation of the staff member's practice with its history.
    pub async fn formation(&self, s: &PracticeStaff) -> Result<Formation> {
        let history = self.db.poh_o_hours_history(s.practice_id()).await?;
        let dates: Vec<_> = history.iter().map(|h| h.valid_from).collect();
        Ok(Formation {
            practice_id: s.practice_id(),
            practice_name: self.db.practice(s.practice_id()).await?.name,
            current: in_force(&dates, today()),
            history,
        })
    }

    /// Sets the formation from a date; `Invalid` lists every problem of the input.
    pub async fn set_formation(&self, f: &FormationSetter, input: FormationInput) -> Result<NewFormation> {
        let valid = formation::validate(input.hours, &input.valid_from, today()).map_err(Error::Invalid)?;
        let staff = f.staff();
        let mut ch = self.db.change().await?;
        ch.set_poh_o_hours(
            staff.practice_id(),
            valid.valid_from,
            valid.hours,
            staff.actor().user().id,
        )
        .await?;
        ch.commit(&[staff.actor().entry(
            None,
            Action::SetFormation,
            Some(format!(
                "{} uur per week vanaf {}",
                hours_text(valid.hours),
                valid.valid_from
            )),
        )])
        .await?;
        Ok(valid)
    }
}
