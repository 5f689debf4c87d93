//! The care-plan form (`GET /patienten/{id}/zorgplan/wijzigen`) and saving it (`POST
//! /patienten/{id}/zorgplan`): per SFMPC domain (and a general part) the problems, goals
//! and actions, each action's "wie" chosen from the patient's care team. Rows are repeated
//! fields in order, every row with all its fields, so the form works without JavaScript;
//! each domain offers one empty row of each kind.

use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kernteam_domain::care::{ActionStatus, CareAction, CareDomain, CarePlan, Goal, Problem};
use kernteam_store::care::TeamMember;

use super::{me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;
use kernteam_app::gate::Visible;
use kernteam_app::team::PlanSaved;
use kernteam_app::Action;

pub struct ActionRow {
    pub what: String,
    /// The chosen "wie": `m:<member id>`, `t:<text>` (older plans' free text) or empty.
    pub who: String,
    pub due: String,
    pub status: String,
    pub from_mdo: String,
    /// The free text of an older plan, offered as its own choice.
    pub legacy_who: String,
}

/// One section of the form: a domain (code, label) with its rows.
pub struct Section {
    pub code: &'static str,
    pub label: &'static str,
    pub has_problems: bool,
    pub open: bool,
    pub problems: Vec<String>,
    pub goals: Vec<String>,
    pub actions: Vec<ActionRow>,
}

#[derive(Template)]
#[template(path = "care_plan_form.html")]
struct FormPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    version: i64,
    errors: Vec<String>,
    wishes: String,
    caregiver_support: String,
    sections: Vec<Section>,
    /// (value, label) of the care team's members, for "wie".
    team: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    evaluation: String,
    /// What the patient or a mantelzorger proposed from the portal and is not yet taken
    /// in: (kind, who, text).
    proposals: Vec<(&'static str, String, String)>,
}

fn team_choices(team: &[TeamMember]) -> Vec<(String, String)> {
    team.iter()
        .map(|m| {
            let what = if m.kind == "mantelzorger" {
                m.relation
                    .clone()
                    .map(|r| format!("mantelzorger, {r}"))
                    .or(Some("mantelzorger".into()))
            } else {
                m.role.clone()
            };
            (
                format!("m:{}", m.id),
                match what {
                    Some(w) => format!("{} ({w})", m.name),
                    None => m.name.clone(),
                },
            )
        })
        .collect()
}

fn sections(plan: &CarePlan) -> Vec<Section> {
    // A new plan opens every section; otherwise those with something in them.
    let new = plan.problems.is_empty() && plan.goals.is_empty() && plan.actions.is_empty();
    CareDomain::ALL
        .into_iter()
        .map(Some)
        .chain([None])
        .map(|d| {
            let mut problems: Vec<String> = match d {
                Some(d) => plan
                    .problems
                    .iter()
                    .filter(|p| p.domain == d)
                    .map(|p| p.description.clone())
                    .collect(),
                None => Vec::new(),
            };
            let mut goals: Vec<String> = plan
                .goals
                .iter()
                .filter(|g| g.domain == d)
                .map(|g| g.text.clone())
                .collect();
            let mut actions: Vec<ActionRow> = plan
                .actions
                .iter()
                .filter(|a| a.domain == d)
                .map(|a| ActionRow {
                    what: a.what.clone(),
                    who: match (a.member, a.who.is_empty()) {
                        (Some(m), _) => format!("m:{m}"),
                        (None, false) => format!("t:{}", a.who),
                        (None, true) => String::new(),
                    },
                    legacy_who: if a.member.is_none() {
                        a.who.clone()
                    } else {
                        String::new()
                    },
                    due: a.due.map(|d| d.to_string()).unwrap_or_default(),
                    status: a.status.code().to_string(),
                    from_mdo: a.from_mdo.map(|m| m.to_string()).unwrap_or_default(),
                })
                .collect();
            let open = new || !(problems.is_empty() && goals.is_empty() && actions.is_empty());
            if d.is_some() {
                problems.push(String::new());
            }
            goals.push(String::new());
            actions.push(ActionRow {
                what: String::new(),
                who: String::new(),
                legacy_who: String::new(),
                due: String::new(),
                status: "gepland".into(),
                from_mdo: String::new(),
            });
            Section {
                code: d.map_or("algemeen", CareDomain::code),
                label: d.map_or("Algemeen (voor het hele plan)", CareDomain::label),
                has_problems: d.is_some(),
                open,
                problems,
                goals,
                actions,
            }
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    version: i64,
    plan: CarePlan,
    errors: Vec<String>,
) -> AppResult<FormPage> {
    let team = state.app.team(v).await?;
    Ok(FormPage {
        me: Some(me(state, cu).await?),
        flash: None,
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: crate::pages::banner::Banner::load(state, v).await?,
        version,
        errors,
        wishes: plan.wishes.clone(),
        caregiver_support: plan.caregiver_support.clone(),
        sections: sections(&plan),
        team: team_choices(&team),
        statuses: ActionStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        evaluation: plan.evaluation_date.map(|d| d.to_string()).unwrap_or_default(),
        proposals: state
            .app
            .open_proposals(v)
            .await?
            .into_iter()
            .map(|p| (p.kind.label(), p.author_name, p.text))
            .collect(),
    })
}

/// The form, for those who may add to the record (others are refused, and that audited).
pub async fn care_plan_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let v = state
        .app
        .reread(&c, Action::ViewCarePlan, Some("om te wijzigen".into()))
        .await?;
    let (version, plan) = state.app.current_care_plan(&v).await?;
    render(&form_page(&state, &cu, &v, version, plan, Vec::new()).await?)
}

/// Reads the form: repeated fields, in order. Returns the version the editor started
/// from (-1 when missing), the plan as entered (not yet normalised) and the problems found
/// while reading it (unreadable dates).
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
    let domain = |list: &[&str], i: usize| list.get(i).and_then(|d| CareDomain::from_code(d));
    let problem_domains = all("problem_domain");
    let problems = all("problem_text")
        .into_iter()
        .enumerate()
        .map(|(i, text)| Problem {
            domain: domain(&problem_domains, i).unwrap_or(CareDomain::Somatisch),
            description: text.to_string(),
        })
        .collect();
    let goal_domains = all("goal_domain");
    let goals = all("goal")
        .into_iter()
        .enumerate()
        .map(|(i, text)| Goal::new(domain(&goal_domains, i), text))
        .collect();
    let (domains, whos, dues, statuses, mdos) = (
        all("action_domain"),
        all("action_who"),
        all("action_due"),
        all("action_status"),
        all("action_mdo"),
    );
    let mut actions = Vec::new();
    for (i, what) in all("action_what").into_iter().enumerate() {
        let due = date(
            dues.get(i).copied().unwrap_or(""),
            &format!("Actie '{what}'"),
            &mut errors,
        );
        let who = whos.get(i).copied().unwrap_or("");
        let (member, who) = if let Some(id) = who.strip_prefix("m:") {
            match id.parse() {
                Ok(id) => (Some(id), String::new()),
                Err(_) => {
                    errors.push(format!("Actie '{what}': kies wie de actie doet uit het zorgteam."));
                    (None, String::new())
                }
            }
        } else {
            (None, who.strip_prefix("t:").unwrap_or("").to_string())
        };
        actions.push(CareAction {
            what: what.to_string(),
            who,
            member,
            domain: domain(&domains, i),
            due,
            status: statuses
                .get(i)
                .and_then(|s| ActionStatus::from_code(s))
                .unwrap_or_default(),
            from_mdo: mdos.get(i).and_then(|m| m.parse().ok()),
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
        goals,
        actions,
        evaluation_date,
        caregiver_support: all("caregiver_support").first().copied().unwrap_or("").to_string(),
        // Kept by the application from the current version: an edit never changes them.
        evaluations: Vec::new(),
    };
    (based_on, plan, errors)
}

/// The plan as entered without its empty rows, to show again with the errors.
fn without_empty_rows(mut plan: CarePlan) -> CarePlan {
    plan.problems.retain(|p| !p.description.trim().is_empty());
    plan.goals.retain(|g| !g.text.trim().is_empty());
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
        Ok(PlanSaved::Unchanged { .. }) => {
            Ok(Redirect::to(&format!("/patienten/{id}/zorgplan?melding=ongewijzigd")).into_response())
        }
        Ok(PlanSaved::Saved { .. }) => Ok(Redirect::to(&format!("/patienten/{id}?melding=zorgplan")).into_response()),
        Err(AppError::Invalid(errors)) => {
            // Showing the form again shows the patient's name and plan: a logged read.
            let v = state
                .app
                .reread(&c, Action::ViewCarePlan, Some("na geweigerde invoer".into()))
                .await?;
            let mut page = form_page(&state, &cu, &v, based_on.max(0), without_empty_rows(plan), errors).await?;
            page.errors
                .push("Controleer de invoer; uw wijzigingen staan nog niet in het zorgplan.".into());
            let mut resp = render(&page)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn rows_keep_their_domain_member_and_mdo() {
        let (based_on, plan, errors) = plan_from_form(&pairs(&[
            ("based_on", "3"),
            ("goal_domain", "functioneel"),
            ("goal", "Zelf boodschappen doen"),
            ("goal_domain", "algemeen"),
            ("goal", "Thuis blijven wonen"),
            ("action_domain", "functioneel"),
            ("action_what", "Fysiotherapie"),
            ("action_who", "m:12"),
            ("action_due", "2027-04-01"),
            ("action_status", "gepland"),
            ("action_mdo", "5"),
            ("action_domain", "algemeen"),
            ("action_what", "Bellen"),
            ("action_who", "t:Sociaal wijkteam"),
            ("action_due", ""),
            ("action_status", "lopend"),
            ("action_mdo", ""),
        ]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(based_on, 3);
        assert_eq!(
            plan.goals[0],
            Goal::new(Some(CareDomain::Functioneel), "Zelf boodschappen doen")
        );
        assert_eq!(plan.goals[1].domain, None);
        let a = &plan.actions[0];
        assert_eq!(
            (a.member, a.domain, a.from_mdo),
            (Some(12), Some(CareDomain::Functioneel), Some(5))
        );
        assert_eq!(plan.actions[1].who, "Sociaal wijkteam");
        assert_eq!(plan.actions[1].status, ActionStatus::Lopend);
    }

    #[test]
    fn the_form_offers_an_empty_row_in_every_domain() {
        let s = sections(&CarePlan::default());
        assert_eq!(s.len(), 6);
        assert!(s.iter().all(|s| s.open && s.goals.len() == 1 && s.actions.len() == 1));
        assert!(!s[5].has_problems, "problems belong to a domain");
    }
}
