//! Evaluating the care plan: per goal achieved, partly or not, what changes, and the next
//! evaluation date — a new version of the plan (`kernteam_domain::care_evaluation`).

use kernteam_domain::care_evaluation::{evaluate, EvaluationInput};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::Contributor;
use crate::team::PlanSaved;
use crate::{today, App};

impl App {
    /// Records an evaluation of the current care plan, made from version `based_on` (a
    /// `Conflict` when someone saved in between). Returns the new version.
    pub async fn evaluate_care_plan(&self, c: &Contributor, based_on: i64, input: EvaluationInput) -> Result<i64> {
        let (current, plan) = self.care_plan_of(c.patient().id).await?;
        if current == 0 {
            return Err(Error::invalid("Er is nog geen zorgplan om te evalueren."));
        }
        let evaluated = evaluate(&plan, input, &c.actor().user().display_name, today()).map_err(Error::Invalid)?;
        match self
            .write_care_plan(c, based_on, evaluated, Action::EvaluateCarePlan, false)
            .await?
        {
            PlanSaved::Saved { version, .. } | PlanSaved::Unchanged { version } => Ok(version),
        }
    }
}
