//! The care plan printed for the patient and their family (the handout): large type (14 pt
//! and up), plain Dutch addressed to the patient ("Wat u belangrijk vindt"), how to reach
//! the practice, the GP and the first point of contact; the patient's name on every
//! printed page (a table header that repeats) and the page numbers (`@page` margin boxes,
//! in `style.css`). Its own view of the plan, so that the editor's can change freely.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kernteam_domain::care::{ActionStatus, CareDomain, CarePlan};

use super::{fmt_date, fmt_timestamp, render};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;
use kernteam_app::patients::parse_plan;
use kernteam_app::Action;

/// An SFMPC domain in plain words, addressed to the patient (B1).
fn domain_heading(d: CareDomain) -> &'static str {
    match d {
        CareDomain::Somatisch => "Uw lichaam en gezondheid",
        CareDomain::Functioneel => "Wat u zelf kunt in het dagelijks leven",
        CareDomain::Maatschappelijk => "Contact met anderen en uw woonsituatie",
        CareDomain::Psychisch => "Hoe u zich voelt",
        CareDomain::Communicatie => "Praten, horen en begrijpen",
    }
}

/// An action's status in plain words.
fn status_words(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Gepland => "Nog te doen",
        ActionStatus::Lopend => "Bezig",
        ActionStatus::Afgerond => "Klaar",
        ActionStatus::Vervallen => "Gaat niet door",
    }
}

pub struct Agreement {
    pub what: String,
    pub who: String,
    /// "vóór 12-03-2027", or empty.
    pub when: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "care_plan_print.html")]
struct PrintPage {
    patient_id: i64,
    name: String,
    birth: String,
    practice: String,
    /// "Lindelaan 1, Maastricht", or empty.
    practice_address: String,
    practice_phone: String,
    gp: String,
    first_contact: String,
    first_contact_phone: String,
    version: i64,
    at: String,
    wishes: String,
    goals: Vec<String>,
    /// Per domain with problems: (heading, what we noticed).
    problems: Vec<(&'static str, Vec<String>)>,
    agreements: Vec<Agreement>,
    /// "12-03-2027", or empty.
    evaluation: String,
    team: Vec<(String, String)>,
}

fn problems_by_domain(plan: &CarePlan) -> Vec<(&'static str, Vec<String>)> {
    CareDomain::ALL
        .iter()
        .map(|d| {
            let list = plan
                .problems
                .iter()
                .filter(|p| p.domain == *d)
                .map(|p| p.description.clone())
                .collect::<Vec<_>>();
            (domain_heading(*d), list)
        })
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

fn agreements(plan: &CarePlan) -> Vec<Agreement> {
    plan.actions
        .iter()
        .filter(|a| a.status != ActionStatus::Vervallen)
        .map(|a| Agreement {
            what: a.what.clone(),
            who: a.who.clone(),
            when: a.due.map(|d| format!("vóór {}", fmt_date(d))).unwrap_or_default(),
            status: status_words(a.status),
        })
        .collect()
}

pub async fn care_plan_print(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let app = &state.app;
    let seen = app.visible(&cu.actor(), id, Action::PrintCarePlan, None).await?;
    let v = app
        .care_plan_versions(&seen)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let plan = parse_plan(&v.content)?;
    let (_, person) = app.person(&seen).await?;
    let contact = app.practice_contact(&seen).await?;
    let first = app.first_contact(&seen).await?;
    let first_id = first.as_ref().map(|m| m.id);
    // The first point of contact is named above; the rest of the team follows.
    let team = app
        .team(&seen)
        .await?
        .into_iter()
        .filter(|m| Some(m.id) != first_id)
        .map(|m| {
            let what = if m.kind == "mantelzorger" {
                m.relation.clone().map(|r| format!("mantelzorger, {r}"))
            } else {
                m.role.clone()
            };
            let name = match what {
                Some(w) if !w.is_empty() => format!("{} ({w})", m.name),
                _ => m.name,
            };
            (name, m.phone.unwrap_or_default())
        })
        .collect();
    render(&PrintPage {
        patient_id: id,
        name: person
            .as_ref()
            .map_or_else(|| seen.patient().his_id.clone(), |p| p.name()),
        birth: person.as_ref().map(|p| fmt_date(p.birth_date)).unwrap_or_default(),
        practice: app.practice_name(&seen).await?,
        practice_address: [contact.address, contact.city]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        practice_phone: contact.phone.unwrap_or_default(),
        gp: app.programme_gp(&seen).await?.unwrap_or_default(),
        first_contact_phone: first.as_ref().and_then(|m| m.phone.clone()).unwrap_or_default(),
        first_contact: first
            .map(|m| match m.role {
                Some(r) if !r.is_empty() => format!("{} ({r})", m.name),
                _ => m.name,
            })
            .unwrap_or_default(),
        version: v.version,
        at: fmt_timestamp(&v.created_at),
        wishes: plan.wishes.trim().to_string(),
        goals: plan.goals.iter().map(|g| g.text.clone()).collect(),
        problems: problems_by_domain(&plan),
        agreements: agreements(&plan),
        evaluation: plan.evaluation_date.map(fmt_date).unwrap_or_default(),
        team,
    })
}
