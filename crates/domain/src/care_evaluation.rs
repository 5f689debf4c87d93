//! The evaluation of a care plan: per goal whether it was achieved, what changes as a
//! result, and when the next evaluation is. An evaluation is kept in the plan itself (each
//! later version carries every earlier evaluation), so the plan's history shows it, and
//! recording one moves the plan's evaluation date to the next one.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::care::{CareDomain, CarePlan, MAX_TEXT};

/// By default the next evaluation is half a year after this one.
pub const DEFAULT_NEXT_MONTHS: u32 = 6;
/// The next evaluation is at most this far ahead.
pub const MAX_NEXT_MONTHS: u32 = 24;

/// Whether a goal was achieved.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalOutcome {
    Achieved,
    Partly,
    NotAchieved,
}

impl GoalOutcome {
    pub const ALL: [GoalOutcome; 3] = [GoalOutcome::Achieved, GoalOutcome::Partly, GoalOutcome::NotAchieved];

    /// The code of the form.
    pub fn code(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "behaald",
            GoalOutcome::Partly => "deels",
            GoalOutcome::NotAchieved => "niet",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "Behaald",
            GoalOutcome::Partly => "Deels behaald",
            GoalOutcome::NotAchieved => "Niet behaald",
        }
    }
}

/// One goal's outcome, with the goal as it stood when it was evaluated.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalResult {
    pub goal: String,
    #[serde(default)]
    pub domain: Option<CareDomain>,
    pub outcome: GoalOutcome,
}

/// One evaluation of the care plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEvaluation {
    /// The day of the evaluation.
    pub date: NaiveDate,
    /// Who recorded it (name as shown).
    pub by: String,
    #[serde(default)]
    pub goals: Vec<GoalResult>,
    /// What changes in the plan or the care as a result.
    #[serde(default)]
    pub changes: String,
    /// The next evaluation.
    pub next: NaiveDate,
}

/// An evaluation as entered: an outcome per goal of the current plan (in the plan's
/// order; `None` where none was chosen).
#[derive(Debug, Clone, Default)]
pub struct EvaluationInput {
    pub date: Option<NaiveDate>,
    pub outcomes: Vec<Option<GoalOutcome>>,
    pub changes: String,
    pub next: Option<NaiveDate>,
}

/// The default date of the next evaluation.
pub fn default_next(date: NaiveDate) -> NaiveDate {
    date.checked_add_months(Months::new(DEFAULT_NEXT_MONTHS))
        .unwrap_or(date)
}

/// The plan with the evaluation recorded: kept in its list, and its evaluation date moved
/// to the next evaluation. Every problem is named (Dutch, for the form).
pub fn evaluate(plan: &CarePlan, input: EvaluationInput, by: &str, today: NaiveDate) -> Result<CarePlan, Vec<String>> {
    let mut errors = Vec::new();
    let date = match input.date {
        None => {
            errors.push("Vul de datum van de evaluatie in.".to_string());
            None
        }
        Some(d) if d > today => {
            errors.push("De datum van de evaluatie ligt in de toekomst.".to_string());
            None
        }
        Some(d) => Some(d),
    };
    if input.outcomes.len() != plan.goals.len() {
        errors.push("Het zorgplan is intussen gewijzigd: open de evaluatie opnieuw.".to_string());
    } else if input.outcomes.iter().any(Option::is_none) {
        errors.push("Geef bij elk doel aan of het behaald is.".to_string());
    }
    let changes = input.changes.trim().to_string();
    let short_of_goal = input
        .outcomes
        .iter()
        .any(|o| matches!(o, Some(GoalOutcome::Partly | GoalOutcome::NotAchieved)));
    if changes.is_empty() && (short_of_goal || plan.goals.is_empty()) {
        errors.push(if plan.goals.is_empty() {
            "Beschrijf wat de evaluatie oplevert: het zorgplan heeft nog geen doelen.".to_string()
        } else {
            "Beschrijf wat er verandert nu niet elk doel behaald is.".to_string()
        });
    }
    if changes.chars().count() > MAX_TEXT {
        errors.push(format!("Wat er verandert is langer dan {MAX_TEXT} tekens."));
    }
    match (input.next, date) {
        (None, _) => errors.push("Kies de datum van de volgende evaluatie.".to_string()),
        (Some(next), date) if next <= date.unwrap_or(today).max(today) => {
            errors.push("De volgende evaluatie ligt na vandaag en na deze evaluatie.".to_string())
        }
        (Some(next), _)
            if today
                .checked_add_months(Months::new(MAX_NEXT_MONTHS))
                .is_some_and(|max| next > max) =>
        {
            errors.push(format!(
                "De volgende evaluatie ligt hoogstens {MAX_NEXT_MONTHS} maanden vooruit."
            ))
        }
        _ => {}
    }
    let (Some(date), Some(next), true) = (date, input.next, errors.is_empty()) else {
        return Err(errors);
    };
    let goals = plan
        .goals
        .iter()
        .zip(input.outcomes)
        .filter_map(|(g, o)| {
            o.map(|outcome| GoalResult {
                goal: g.text.clone(),
                domain: g.domain,
                outcome,
            })
        })
        .collect();
    let mut out = plan.clone();
    out.evaluations.push(PlanEvaluation {
        date,
        by: by.to_string(),
        goals,
        changes,
        next,
    });
    out.evaluation_date = Some(next);
    Ok(out)
}

impl CarePlan {
    /// The latest evaluation, if any.
    pub fn last_evaluation(&self) -> Option<&PlanEvaluation> {
        self.evaluations.iter().max_by_key(|e| e.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::Goal;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn plan() -> CarePlan {
        CarePlan {
            goals: vec![
                Goal::new(Some(CareDomain::Somatisch), "Zonder vallen naar de markt"),
                Goal::from("Thuis blijven wonen"),
            ],
            evaluation_date: Some(d("2027-03-01")),
            ..Default::default()
        }
    }

    fn input(outcomes: Vec<Option<GoalOutcome>>, changes: &str) -> EvaluationInput {
        EvaluationInput {
            date: Some(d("2027-03-02")),
            outcomes,
            changes: changes.into(),
            next: Some(d("2027-09-02")),
        }
    }

    #[test]
    fn an_evaluation_is_kept_and_moves_the_evaluation_date() {
        let ok = evaluate(
            &plan(),
            input(
                vec![Some(GoalOutcome::Achieved), Some(GoalOutcome::Partly)],
                "Thuiszorg twee keer per week",
            ),
            "Anne POH",
            d("2027-03-02"),
        )
        .unwrap();
        assert_eq!(ok.evaluation_date, Some(d("2027-09-02")));
        let e = ok.last_evaluation().unwrap();
        assert_eq!(e.goals.len(), 2);
        assert_eq!(e.goals[1].outcome, GoalOutcome::Partly);
        assert_eq!(e.goals[0].domain, Some(CareDomain::Somatisch));
        assert_eq!(e.by, "Anne POH");
        assert_eq!(ok.goals, plan().goals, "the goals themselves stay");
    }

    #[test]
    fn a_goal_not_reached_asks_what_changes() {
        let err = evaluate(
            &plan(),
            input(vec![Some(GoalOutcome::Achieved), Some(GoalOutcome::NotAchieved)], " "),
            "x",
            d("2027-03-02"),
        )
        .unwrap_err();
        assert_eq!(err, ["Beschrijf wat er verandert nu niet elk doel behaald is."]);
        // All achieved: nothing needs to change.
        assert!(evaluate(
            &plan(),
            input(vec![Some(GoalOutcome::Achieved); 2], ""),
            "x",
            d("2027-03-02")
        )
        .is_ok());
    }

    #[test]
    fn every_goal_needs_an_outcome_and_the_dates_must_fit() {
        let mut i = input(vec![Some(GoalOutcome::Achieved), None], "x");
        i.date = Some(d("2027-04-01"));
        i.next = Some(d("2027-03-01"));
        let err = evaluate(&plan(), i, "x", d("2027-03-02")).unwrap_err();
        assert_eq!(
            err,
            [
                "De datum van de evaluatie ligt in de toekomst.",
                "Geef bij elk doel aan of het behaald is.",
                "De volgende evaluatie ligt na vandaag en na deze evaluatie.",
            ]
        );
        let mut far = input(vec![Some(GoalOutcome::Achieved); 2], "");
        far.next = Some(d("2030-01-01"));
        assert_eq!(
            evaluate(&plan(), far, "x", d("2027-03-02")).unwrap_err(),
            ["De volgende evaluatie ligt hoogstens 24 maanden vooruit."]
        );
        let stale = input(vec![Some(GoalOutcome::Achieved)], "");
        assert_eq!(
            evaluate(&plan(), stale, "x", d("2027-03-02")).unwrap_err(),
            ["Het zorgplan is intussen gewijzigd: open de evaluatie opnieuw."]
        );
    }

    #[test]
    fn the_default_next_evaluation_is_half_a_year_later() {
        assert_eq!(default_next(d("2027-08-31")), d("2028-02-29"));
        assert_eq!(GoalOutcome::from_code("deels"), Some(GoalOutcome::Partly));
        assert_eq!(GoalOutcome::from_code("x"), None);
    }
}
