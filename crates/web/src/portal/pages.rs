//! The portal's pages: the overview, the plan (and its printout), the PZP, the patient's
//! consent per mantelzorger, the mantelzorger's load, one's own account.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_app::portal::PortalPlan;
use kernteam_app::portal_gate::PortalPart;
use kernteam_app::Action;
use kernteam_domain::care::ActionStatus;
use kernteam_domain::portal::{CarerLoad, ConsentLevel, ProposalKind};
use kernteam_domain::pzp::AdvanceCarePlan;
use kernteam_domain::pzp::{treatment_label, WishDecision};

use super::{admit, chrome, flash, Chrome};
use crate::auth::{self, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, fmt_timestamp, render, FlashQuery};
use crate::AppState;

fn status_words(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Gepland => "Nog te doen",
        ActionStatus::Lopend => "Bezig",
        ActionStatus::Afgerond => "Klaar",
        ActionStatus::Vervallen => "Gaat niet door",
    }
}

/// The plan's actions as (what, who, before, status).
fn agreements(p: &PortalPlan) -> Vec<(String, String, String, &'static str)> {
    p.plan
        .actions
        .iter()
        .map(|a| {
            (
                a.what.clone(),
                a.who.clone(),
                a.due.map(fmt_date).unwrap_or_default(),
                status_words(a.status),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    c: Chrome,
    plan: Option<PortalPlan>,
    messages: bool,
}

pub async fn home(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Enter, Some(Action::ViewPortalHome)).await?;
    let plan = if u.access().agreements {
        Some(state.app.portal_plan(&u).await?)
    } else {
        None
    };
    let mut c = chrome(&state, &cu, &u, "/portaal").await?;
    c.flash = flash(q.melding.as_deref());
    render(&HomePage {
        messages: u.access().messages,
        c,
        plan,
    })
}

#[derive(Template)]
#[template(path = "portal/plan.html")]
struct PlanPage {
    c: Chrome,
    agreements: Vec<(String, String, String, &'static str)>,
    evaluation: String,
    saved_at: String,
    propose: bool,
    p: PortalPlan,
}

pub async fn plan(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Agreements, Some(Action::ViewPortalPlan)).await?;
    let p = state.app.portal_plan(&u).await?;
    let mut c = chrome(&state, &cu, &u, "/portaal/zorgplan").await?;
    c.flash = flash(q.melding.as_deref());
    render(&PlanPage {
        agreements: agreements(&p),
        evaluation: p.plan.evaluation_date.map(fmt_date).unwrap_or_default(),
        saved_at: p.saved_at.as_deref().map(fmt_timestamp).unwrap_or_default(),
        propose: u.access().propose,
        c,
        p,
    })
}

#[derive(Template)]
#[template(path = "portal/print.html")]
struct PrintPage {
    name: String,
    practice: String,
    practice_phone: String,
    version: i64,
    first_contact: String,
    wishes: String,
    goals: Vec<String>,
    agreements: Vec<(String, String, String, &'static str)>,
    evaluation: String,
}

pub async fn print(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Agreements, Some(Action::PrintPortalPlan)).await?;
    let p = state.app.portal_plan(&u).await?;
    let frame = state.app.portal_frame(&u).await?;
    render(&PrintPage {
        name: frame.patient_name,
        practice: frame.practice,
        practice_phone: frame.practice_phone,
        version: p.version,
        first_contact: p
            .first_contact
            .as_ref()
            .map(|m| {
                let phone = m.phone.clone().filter(|x| !x.is_empty());
                match phone {
                    Some(ph) => format!("{}, telefoon {ph}", m.name),
                    None => m.name.clone(),
                }
            })
            .unwrap_or_default(),
        wishes: p.plan.wishes.trim().to_string(),
        goals: p.plan.goals.iter().map(|g| g.text.clone()).collect(),
        agreements: agreements(&p),
        evaluation: p.plan.evaluation_date.map(fmt_date).unwrap_or_default(),
    })
}

#[derive(Template)]
#[template(path = "portal/pzp.html")]
struct PzpPage {
    c: Chrome,
    pzp: Option<AdvanceCarePlan>,
    /// (treatment, what was agreed) for the treatments discussed.
    treatments: Vec<(String, &'static str)>,
}

pub async fn pzp(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Pzp, Some(Action::ViewPortalPzp)).await?;
    let pzp = state.app.portal_pzp(&u).await?;
    let treatments = pzp
        .as_ref()
        .map(|z| {
            z.wishes
                .iter()
                .filter_map(|w| {
                    let words = match w.decision {
                        WishDecision::Wel => "wel doen",
                        WishDecision::Niet => "niet doen",
                        _ => return None,
                    };
                    Some((treatment_label(&w.treatment), words))
                })
                .collect()
        })
        .unwrap_or_default();
    let c = chrome(&state, &cu, &u, "/portaal/wensen").await?;
    render(&PzpPage { c, pzp, treatments })
}

#[derive(serde::Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
}

pub async fn propose(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(f): Form<ProposalForm>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Propose, None).await?;
    let kind = ProposalKind::from_code(&f.kind).unwrap_or(ProposalKind::Wish);
    state.app.propose(&u, kind, &f.text).await?;
    Ok(Redirect::to("/portaal/zorgplan?melding=voorstel").into_response())
}

#[derive(Template)]
#[template(path = "portal/consent.html")]
struct ConsentPage {
    c: Chrome,
    /// (member id, name, current level code).
    carers: Vec<(i64, String, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    /// (account id, name, still in force).
    accounts: Vec<(i64, String, bool)>,
    /// (when, whom, what).
    history: Vec<(String, String, &'static str)>,
}

pub async fn consent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Consent, Some(Action::ViewPortalConsent)).await?;
    let (carers, history) = state.app.portal_consents(&u).await?;
    let accounts = state.app.portal_carer_accounts(&u).await?;
    let name_of = |id: i64| {
        carers
            .iter()
            .find(|(m, _)| m.id == id)
            .map_or_else(|| "een mantelzorger".to_string(), |(m, _)| m.name.clone())
    };
    let history = history
        .iter()
        .map(|h| (fmt_timestamp(&h.set_at), name_of(h.member_id), h.level.label()))
        .collect();
    let mut c = chrome(&state, &cu, &u, "/portaal/toestemming").await?;
    c.flash = flash(q.melding.as_deref());
    render(&ConsentPage {
        c,
        carers: carers
            .iter()
            .map(|(m, l)| {
                let name = match m.relation.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("{} ({r})", m.name),
                    None => m.name.clone(),
                };
                (m.id, name, l.code())
            })
            .collect(),
        levels: ConsentLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        accounts: accounts
            .into_iter()
            .map(|a| (a.user_id, a.display_name, a.ended_at.is_none()))
            .collect(),
        history,
    })
}

#[derive(serde::Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    level: String,
}

pub async fn set_consent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(f): Form<ConsentForm>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Consent, None).await?;
    let (Ok(member), Some(level)) = (f.member.trim().parse::<i64>(), ConsentLevel::from_code(&f.level)) else {
        return Err(AppError::invalid("Kies een mantelzorger en wat die mag zien."));
    };
    state.app.set_portal_consent(&u, member, level).await?;
    Ok(Redirect::to("/portaal/toestemming?melding=toestemming").into_response())
}

pub async fn end_carer_account(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(account): Path<i64>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Consent, None).await?;
    state.app.end_carer_account(&u, account).await?;
    Ok(Redirect::to("/portaal/toestemming?melding=beeindigd").into_response())
}

#[derive(Template)]
#[template(path = "portal/load.html")]
struct LoadPage {
    c: Chrome,
    error: Option<String>,
    loads: Vec<(&'static str, &'static str)>,
    /// (when, load, need) of this mantelzorger.
    reports: Vec<(String, &'static str, String)>,
}

pub async fn load(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::OwnLoad, None).await?;
    let mut c = chrome(&state, &cu, &u, "/portaal/belasting").await?;
    c.flash = flash(q.melding.as_deref());
    let reports = state
        .db
        .carer_reports(u.patient().id)
        .await?
        .into_iter()
        .filter(|r| r.member_id == u.account().member_id && r.member_id.is_some())
        .map(|r| (fmt_timestamp(&r.created_at), r.load.label(), r.support_need))
        .collect();
    render(&LoadPage {
        c,
        error: None,
        loads: CarerLoad::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        reports,
    })
}

#[derive(serde::Deserialize)]
pub struct LoadForm {
    #[serde(default)]
    load: String,
    #[serde(default)]
    need: String,
}

pub async fn record_load(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(f): Form<LoadForm>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::OwnLoad, None).await?;
    let Some(load) = CarerLoad::from_code(&f.load) else {
        return Err(AppError::invalid("Kies hoe het zorgen voor u is."));
    };
    state.app.record_carer_load(&u, load, &f.need).await?;
    Ok(Redirect::to("/portaal/belasting?melding=belasting").into_response())
}

#[derive(Template)]
#[template(path = "portal/account.html")]
struct AccountPage {
    c: Chrome,
}

pub async fn account(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Enter, None).await?;
    let c = chrome(&state, &cu, &u, "/portaal/account").await?;
    render(&AccountPage { c })
}

pub async fn end_own_account(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Enter, None).await?;
    state.app.end_own_portal_account(&u).await?;
    let mut resp = Redirect::to("/inloggen").into_response();
    resp.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        auth::clear_session_cookie(state.config.secure_cookies),
    );
    Ok(resp)
}
