//! The individual care plan (IZP) as its users know it from Portavita and Caresharing: what
//! matters to the patient, then per SFMPC domain the problems, the goals in the patient's
//! own words and the actions under them (who from the care team, before when, whether it
//! came from an MDO); a read view first, the form on request ([`super::care_plan_form`]),
//! its versions and one version.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kernteam_domain::care::{CareAction, CareDomain, CarePlan};
use kernteam_store::care::CarePlanVersion;
use serde::Deserialize;

use super::{fmt_date, fmt_opt_date, fmt_timestamp, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;
use kernteam_app::gate::Visible;
use kernteam_app::patients::parse_plan;
use kernteam_app::Action;

pub struct ActionView {
    pub what: String,
    pub who: String,
    pub due: String,
    pub status: &'static str,
    /// "Uit het MDO van 12-03-2027" for an action decided in an MDO, else empty.
    pub origin: String,
    pub mdo_link: String,
}

/// One SFMPC domain of the plan (or, without a domain, the plan as a whole).
pub struct DomainView {
    pub code: &'static str,
    pub label: &'static str,
    pub problems: Vec<String>,
    pub goals: Vec<String>,
    pub actions: Vec<ActionView>,
}

fn action_view(a: &CareAction, mdo_dates: &HashMap<i64, chrono::NaiveDate>) -> ActionView {
    let (origin, mdo_link) = match a.from_mdo {
        Some(m) => (
            match mdo_dates.get(&m) {
                Some(d) => format!("Uit het MDO van {}", fmt_date(*d)),
                None => "Uit een MDO".to_string(),
            },
            format!("/mdo/{m}"),
        ),
        None => (String::new(), String::new()),
    };
    ActionView {
        what: a.what.clone(),
        who: a.who.clone(),
        due: fmt_opt_date(a.due),
        status: a.status.label(),
        origin,
        mdo_link,
    }
}

/// The plan per domain, in SFMPC order, the general part (goals and actions without a
/// domain) last; domains without anything are left out.
pub(crate) fn domains_view(plan: &CarePlan, mdo_dates: &HashMap<i64, chrono::NaiveDate>) -> Vec<DomainView> {
    let mut out = Vec::new();
    let domains = CareDomain::ALL.into_iter().map(Some).chain([None]);
    for d in domains {
        let view = DomainView {
            code: d.map_or("algemeen", CareDomain::code),
            label: d.map_or("Algemeen", CareDomain::label),
            problems: match d {
                Some(d) => plan
                    .problems
                    .iter()
                    .filter(|p| p.domain == d)
                    .map(|p| p.description.clone())
                    .collect(),
                None => Vec::new(),
            },
            goals: plan
                .goals
                .iter()
                .filter(|g| g.domain == d)
                .map(|g| g.text.clone())
                .collect(),
            actions: plan
                .actions
                .iter()
                .filter(|a| a.domain == d)
                .map(|a| action_view(a, mdo_dates))
                .collect(),
        };
        if !(view.problems.is_empty() && view.goals.is_empty() && view.actions.is_empty()) {
            out.push(view);
        }
    }
    out
}

/// The dates of the MDOs the patient was discussed in, by meeting id.
pub(crate) async fn mdo_dates(state: &AppState, v: &Visible) -> AppResult<HashMap<i64, chrono::NaiveDate>> {
    Ok(state
        .app
        .mdo_history(v)
        .await?
        .into_iter()
        .map(|m| (m.meeting_id, m.date))
        .collect())
}

#[derive(Template)]
#[template(path = "care_plan.html")]
struct ViewPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    version: i64,
    at: String,
    by: String,
    can_edit: bool,
    plan: CarePlan,
    domains: Vec<DomainView>,
    evaluation: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ViewQuery {
    melding: Option<String>,
}

pub async fn care_plan(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Response> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewCarePlan, None).await?;
    let current = state.app.care_plan_versions(&v).await?.into_iter().next();
    let plan = match &current {
        Some(c) => parse_plan(&c.content)?,
        None => CarePlan::default(),
    };
    let dates = mdo_dates(&state, &v).await?;
    render(&ViewPage {
        me: Some(me(&state, &cu).await?),
        flash: match q.melding.as_deref() {
            Some("opgeslagen") => Some("Het zorgplan is opgeslagen.".into()),
            Some("ongewijzigd") => Some("Er was niets gewijzigd; het zorgplan is niet opnieuw opgeslagen.".into()),
            Some("geevalueerd") => Some(
                "De evaluatie is vastgelegd in een nieuwe versie van het zorgplan, met de datum van de volgende evaluatie."
                    .into(),
            ),
            _ => None,
        },
        patient_id: id,
        banner: crate::pages::banner::Banner::load(&state, &v).await?,
        version: current.as_ref().map_or(0, |c| c.version),
        at: current
            .as_ref()
            .map(|c| fmt_timestamp(&c.created_at))
            .unwrap_or_default(),
        by: current.as_ref().map(|c| c.created_by_name.clone()).unwrap_or_default(),
        can_edit: v.access().contribute,
        domains: domains_view(&plan, &dates),
        evaluation: fmt_opt_date(plan.evaluation_date),
        plan,
    })
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
    domains: Vec<DomainView>,
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
        domains: domains_view(&plan, &mdo_dates(&state, &seen).await?),
        evaluation: fmt_opt_date(plan.evaluation_date),
        plan,
    })
}
