//! Evaluating the care plan at `/patienten/{id}/zorgplan/evalueren`: per goal achieved,
//! partly or not, what changes, and the next evaluation date (a new version of the plan).

use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::gate::{Contributor, Visible};
use kernteam_app::Action;
use kernteam_domain::care::CarePlan;
use kernteam_domain::care_evaluation::{default_next, EvaluationInput, GoalOutcome};

use super::{fmt_opt_date, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

pub struct GoalRow {
    pub n: usize,
    pub text: String,
    /// The SFMPC domain's label, or empty.
    pub domain: &'static str,
    /// The outcome chosen (a code of `GoalOutcome`), when the form is shown again.
    pub chosen: String,
}

#[derive(Template)]
#[template(path = "care_plan_evaluation.html")]
struct EvaluationPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: super::banner::Banner,
    version: i64,
    errors: Vec<String>,
    planned: String,
    goals: Vec<GoalRow>,
    outcomes: Vec<(&'static str, &'static str)>,
    date: String,
    changes: String,
    next: String,
}

/// What the form holds (as entered, to show again).
#[derive(Default)]
struct Entered {
    outcomes: Vec<String>,
    date: String,
    changes: String,
    next: String,
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    version: i64,
    plan: &CarePlan,
    entered: Entered,
    errors: Vec<String>,
) -> AppResult<EvaluationPage> {
    let day = today();
    Ok(EvaluationPage {
        me: Some(me(state, cu).await?),
        flash: None,
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: super::banner::Banner::load(state, v).await?,
        version,
        errors,
        planned: fmt_opt_date(plan.evaluation_date),
        goals: plan
            .goals
            .iter()
            .enumerate()
            .map(|(i, g)| GoalRow {
                n: i + 1,
                text: g.text.clone(),
                domain: g.domain.map_or("", |d| d.label()),
                chosen: entered.outcomes.get(i).cloned().unwrap_or_default(),
            })
            .collect(),
        outcomes: GoalOutcome::ALL.iter().map(|o| (o.code(), o.label())).collect(),
        date: if entered.date.is_empty() {
            day.to_string()
        } else {
            entered.date
        },
        changes: entered.changes,
        next: if entered.next.is_empty() {
            default_next(day).to_string()
        } else {
            entered.next
        },
    })
}

/// The form, for those who may add to the record (others are refused, and that audited).
pub async fn care_plan_evaluation_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let v = state
        .app
        .reread(&c, Action::ViewCarePlan, Some("om te evalueren".into()))
        .await?;
    let (version, plan) = state.app.current_care_plan(&v).await?;
    if version == 0 {
        return Err(AppError::invalid("Er is nog geen zorgplan om te evalueren."));
    }
    render(&page(&state, &cu, &v, version, &plan, Entered::default(), Vec::new()).await?)
}

/// Reads the form: `based_on`, `uitkomst_{n}` per goal (from 1), `datum`, `verandert`, `volgende`.
fn read_form(pairs: &[(String, String)], goals: usize) -> (i64, Entered, EvaluationInput, Vec<String>) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let mut date_of = |s: &str, field: &str| {
        if s.is_empty() {
            None
        } else {
            s.parse()
                .map_err(|_| errors.push(format!("{field}: vul een datum in als dd-mm-jjjj.")))
                .ok()
        }
    };
    let entered = Entered {
        outcomes: (1..=goals).map(|n| get(&format!("uitkomst_{n}"))).collect(),
        date: get("datum"),
        changes: get("verandert"),
        next: get("volgende"),
    };
    let input = EvaluationInput {
        date: date_of(&entered.date, "Datum van de evaluatie"),
        outcomes: entered.outcomes.iter().map(|o| GoalOutcome::from_code(o)).collect(),
        changes: entered.changes.clone(),
        next: date_of(&entered.next, "Volgende evaluatie"),
    };
    let based_on = get("based_on").parse().unwrap_or(-1);
    (based_on, entered, input, errors)
}

pub async fn evaluate_care_plan(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let c: Contributor = state.app.contributor(&cu.actor(), id).await?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let v = state
        .app
        .reread(&c, Action::ViewCarePlan, Some("om te evalueren".into()))
        .await?;
    let (version, plan) = state.app.current_care_plan(&v).await?;
    let (based_on, entered, input, errors) = read_form(&pairs, plan.goals.len());
    let outcome = if errors.is_empty() {
        state
            .app
            .evaluate_care_plan(&c, based_on, input)
            .await
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(errors))
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/patienten/{id}/zorgplan?melding=geevalueerd")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut resp = render(&page(&state, &cu, &v, version, &plan, entered, errors).await?)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_read_per_goal() {
        let pairs: Vec<(String, String)> = [
            ("based_on", "4"),
            ("uitkomst_1", "behaald"),
            ("uitkomst_2", "deels"),
            ("datum", "2027-03-02"),
            ("verandert", " Meer thuiszorg "),
            ("volgende", "morgen"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (based_on, entered, input, errors) = read_form(&pairs, 3);
        assert_eq!(based_on, 4);
        assert_eq!(
            input.outcomes,
            [Some(GoalOutcome::Achieved), Some(GoalOutcome::Partly), None]
        );
        assert_eq!(input.changes, "Meer thuiszorg");
        assert_eq!(input.date, Some("2027-03-02".parse().unwrap()));
        assert_eq!(input.next, None);
        assert_eq!(errors, ["Volgende evaluatie: vul een datum in als dd-mm-jjjj."]);
        assert_eq!(entered.next, "morgen", "shown again as entered");
    }
}
