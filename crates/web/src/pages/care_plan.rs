use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kernteam_domain::care::{ActionStatus, CareAction, CareDomain, CarePlan, Problem};
use kernteam_store::care::CarePlanVersion;

use super::{fmt_opt_date, fmt_timestamp, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;
use kernteam_app::gate::Visible;
use kernteam_app::patients::parse_plan;
use kernteam_app::team::PlanSaved;
use kernteam_app::Action;

/// Empty rows offered below the filled ones, so that the form works without JavaScript.
const EMPTY_ROWS: usize = 3;

pub struct ActionRow {
    pub what: String,
    pub who: String,
    pub due: String,
    pub status: String,
}

pub struct ActionView {
    pub what: String,
    pub who: String,
    pub due: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "care_plan.html")]
struct EditPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    version: i64,
    can_edit: bool,
    errors: Vec<String>,
    plan: CarePlan,
    goal_rows: Vec<String>,
    problem_rows: Vec<(String, String)>,
    action_rows: Vec<ActionRow>,
    domains: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    evaluation: String,
    problems: Vec<(&'static str, String)>,
    actions: Vec<ActionView>,
}

pub(crate) fn problems_view(plan: &CarePlan) -> Vec<(&'static str, String)> {
    plan.problems
        .iter()
        .map(|p| (p.domain.label(), p.description.clone()))
        .collect()
}

pub(crate) fn actions_view(plan: &CarePlan) -> Vec<ActionView> {
    plan.actions
        .iter()
        .map(|a| ActionView {
            what: a.what.clone(),
            who: a.who.clone(),
            due: fmt_opt_date(a.due),
            status: a.status.label(),
        })
        .collect()
}

fn edit_page(
    me: Me,
    csrf: String,
    v: &Visible,
    banner: crate::pages::banner::Banner,
    version: i64,
    plan: CarePlan,
    errors: Vec<String>,
) -> EditPage {
    let mut goal_rows = plan.goals.clone();
    goal_rows.extend(std::iter::repeat_n(String::new(), EMPTY_ROWS));
    let mut problem_rows: Vec<(String, String)> = plan
        .problems
        .iter()
        .map(|p| (p.domain.code().to_string(), p.description.clone()))
        .collect();
    problem_rows.extend(std::iter::repeat_n(
        ("somatisch".to_string(), String::new()),
        EMPTY_ROWS,
    ));
    let mut action_rows: Vec<ActionRow> = plan
        .actions
        .iter()
        .map(|x| ActionRow {
            what: x.what.clone(),
            who: x.who.clone(),
            due: x.due.map(|d| d.to_string()).unwrap_or_default(),
            status: x.status.code().to_string(),
        })
        .collect();
    for _ in 0..EMPTY_ROWS {
        action_rows.push(ActionRow {
            what: String::new(),
            who: String::new(),
            due: String::new(),
            status: "gepland".into(),
        });
    }
    EditPage {
        me: Some(me),
        flash: None,
        csrf,
        patient_id: v.patient().id,
        banner,
        version,
        can_edit: v.access().contribute,
        errors,
        goal_rows,
        problem_rows,
        action_rows,
        domains: CareDomain::ALL.iter().map(|d| (d.code(), d.label())).collect(),
        statuses: ActionStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        evaluation: plan.evaluation_date.map(|d| d.to_string()).unwrap_or_default(),
        problems: problems_view(&plan),
        actions: actions_view(&plan),
        plan,
    }
}

pub async fn care_plan(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewCarePlan, None).await?;
    let (version, plan) = state.app.current_care_plan(&v).await?;
    let banner = crate::pages::banner::Banner::load(&state, &v).await?;
    let mut page = edit_page(
        me(&state, &cu).await?,
        cu.csrf.clone(),
        &v,
        banner,
        version,
        plan,
        Vec::new(),
    );
    if !v.access().contribute {
        page.evaluation = fmt_opt_date(page.plan.evaluation_date);
    }
    render(&page)
}

/// Reads the care-plan form: repeated fields, in order. Returns the version the editor
/// started from (-1 when missing), the plan as entered (not yet normalised) and the
/// problems found while reading it (unreadable dates).
fn plan_from_form(pairs: &[(String, String)]) -> (i64, CarePlan, Vec<String>) {
    let all = |key: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    let mut errors = Vec::new();
    let based_on = all("based_on").first().and_then(|v| v.parse().ok()).unwrap_or(-1);
    let date = |v: &str, what: &str, errors: &mut Vec<String>| -> Option<NaiveDate> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(format!("{what}: '{v}' is geen geldige datum."));
                None
            }
        }
    };
    let domains = all("problem_domain");
    let problems = all("problem_text")
        .into_iter()
        .enumerate()
        .map(|(i, text)| Problem {
            domain: domains
                .get(i)
                .and_then(|d| CareDomain::from_code(d))
                .unwrap_or(CareDomain::Somatisch),
            description: text.to_string(),
        })
        .collect();
    let (whos, dues, statuses) = (all("action_who"), all("action_due"), all("action_status"));
    let mut actions = Vec::new();
    for (i, what) in all("action_what").into_iter().enumerate() {
        let due = date(
            dues.get(i).copied().unwrap_or(""),
            &format!("Actie '{what}'"),
            &mut errors,
        );
        actions.push(CareAction {
            what: what.to_string(),
            who: whos.get(i).copied().unwrap_or("").to_string(),
            due,
            status: statuses
                .get(i)
                .and_then(|s| ActionStatus::from_code(s))
                .unwrap_or_default(),
            ..Default::default()
        });
    }
    let evaluation_date = date(
        all("evaluation_date").first().copied().unwrap_or(""),
        "Evaluatiedatum",
        &mut errors,
    );
    let plan = CarePlan {
        problems,
        wishes: all("wishes").first().copied().unwrap_or("").to_string(),
        goals: all("goal").into_iter().map(str::to_string).collect(),
        actions,
        evaluation_date,
    };
    (based_on, plan, errors)
}

/// The plan as entered without its empty rows, to show again with the errors.
fn without_empty_rows(mut plan: CarePlan) -> CarePlan {
    plan.problems.retain(|p| !p.description.trim().is_empty());
    plan.goals.retain(|g| !g.trim().is_empty());
    plan.actions.retain(|a| !a.what.trim().is_empty());
    plan
}

pub async fn save_care_plan(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let (based_on, plan, mut errors) = plan_from_form(&pairs);
    let outcome = if errors.is_empty() {
        state
            .app
            .save_care_plan(&c, based_on, plan.clone())
            .await
            .map_err(AppError::from)
    } else {
        errors.extend(plan.clone().normalised().err().unwrap_or_default());
        Err(AppError::Invalid(errors))
    };
    match outcome {
        Ok(PlanSaved::Unchanged { .. }) => Ok(Redirect::to(&format!("/patienten/{id}/zorgplan")).into_response()),
        Ok(PlanSaved::Saved { .. }) => Ok(Redirect::to(&format!("/patienten/{id}?melding=zorgplan")).into_response()),
        Err(AppError::Invalid(errors)) => {
            // Showing the form again shows the patient's name and plan: a logged read.
            let v = state
                .app
                .reread(&c, Action::ViewCarePlan, Some("na geweigerde invoer".into()))
                .await?;
            let banner = crate::pages::banner::Banner::load(&state, &v).await?;
            let mut page = edit_page(
                me(&state, &cu).await?,
                cu.csrf.clone(),
                &v,
                banner,
                based_on.max(0),
                without_empty_rows(plan),
                errors,
            );
            page.errors
                .push("Controleer de invoer; uw wijzigingen staan nog niet in het zorgplan.".into());
            let mut resp = render(&page)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

pub struct VersionRow {
    pub version: i64,
    pub at: String,
    pub by: String,
    pub changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "care_plan_history.html")]
struct HistoryPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    versions: Vec<VersionRow>,
}

pub async fn care_plan_history(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let v = state
        .app
        .visible(&cu.actor(), id, Action::ViewCarePlanVersions, None)
        .await?;
    let versions = state
        .app
        .care_plan_versions(&v)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            version: v.version,
            at: fmt_timestamp(&v.created_at),
            by: v.created_by_name,
            changes: v.summary.lines().map(str::to_string).collect(),
        })
        .collect();
    let banner = crate::pages::banner::Banner::load(&state, &v).await?;
    render(&HistoryPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        patient_id: id,
        banner,
        versions,
    })
}

#[derive(Template)]
#[template(path = "care_plan_version.html")]
struct VersionPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    version: i64,
    latest: i64,
    at: String,
    by: String,
    plan: CarePlan,
    problems: Vec<(&'static str, String)>,
    actions: Vec<ActionView>,
    evaluation: String,
}

fn find_version(versions: &[CarePlanVersion], version: i64) -> AppResult<&CarePlanVersion> {
    versions.iter().find(|v| v.version == version).ok_or(AppError::NotFound)
}

pub async fn care_plan_version(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, version)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let seen = state
        .app
        .visible(
            &cu.actor(),
            id,
            Action::ViewCarePlanVersion,
            Some(format!("versie {version}")),
        )
        .await?;
    let versions = state.app.care_plan_versions(&seen).await?;
    let v = find_version(&versions, version)?;
    let plan = parse_plan(&v.content)?;
    render(&VersionPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        patient_id: id,
        banner: crate::pages::banner::Banner::load(&state, &seen).await?,
        version,
        latest: versions.first().map_or(0, |v| v.version),
        at: fmt_timestamp(&v.created_at),
        by: v.created_by_name.clone(),
        problems: problems_view(&plan),
        actions: actions_view(&plan),
        evaluation: fmt_opt_date(plan.evaluation_date),
        plan,
    })
}
