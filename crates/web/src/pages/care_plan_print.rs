//! The care plan printed for the patient and their family (the handout).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kernteam_domain::care::CarePlan;

use super::care_plan::{actions_view, problems_view, ActionView};
use super::{fmt_date, fmt_opt_date, fmt_timestamp, render};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;
use kernteam_app::patients::parse_plan;
use kernteam_app::Action;

#[derive(Template)]
#[template(path = "care_plan_print.html")]
struct PrintPage {
    patient_id: i64,
    name: String,
    birth: String,
    practice: String,
    version: i64,
    at: String,
    first_contact: String,
    team: Vec<String>,
    plan: CarePlan,
    problems: Vec<(&'static str, String)>,
    actions: Vec<ActionView>,
    evaluation: String,
}

pub async fn care_plan_print(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let seen = state.app.visible(&cu.actor(), id, Action::PrintCarePlan, None).await?;
    let v = state
        .app
        .care_plan_versions(&seen)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let plan = parse_plan(&v.content)?;
    let (_, person) = state.app.person(&seen).await?;
    let team = state
        .app
        .team(&seen)
        .await?
        .into_iter()
        .map(|m| {
            let what = if m.kind == "mantelzorger" {
                m.relation.clone()
            } else {
                m.role.clone()
            };
            let phone = m.phone.map(|p| format!(", tel. {p}")).unwrap_or_default();
            format!(
                "{}{}{}",
                m.name,
                what.map(|w| format!(" ({w})")).unwrap_or_default(),
                phone
            )
        })
        .collect();
    render(&PrintPage {
        patient_id: id,
        name: person
            .as_ref()
            .map_or_else(|| seen.patient().his_id.clone(), |p| p.name()),
        birth: person.as_ref().map(|p| fmt_date(p.birth_date)).unwrap_or_default(),
        practice: state.app.practice_name(&seen).await?,
        version: v.version,
        at: fmt_timestamp(&v.created_at),
        first_contact: state
            .app
            .first_contact(&seen)
            .await?
            .map(|m| {
                format!(
                    "{}{}",
                    m.name,
                    m.phone.map(|p| format!(", tel. {p}")).unwrap_or_default()
                )
            })
            .unwrap_or_default(),
        team,
        problems: problems_view(&plan),
        actions: actions_view(&plan),
        evaluation: fmt_opt_date(plan.evaluation_date),
        plan,
    })
}
