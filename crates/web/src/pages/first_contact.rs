//! The first point of contact at `/patienten/{id}/aanspreekpunt`: who it is, since when
//! and by whom assigned, when it is to be evaluated, the evaluation (kept or changed) and
//! the history. Assigning from the record's overview posts here too.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use kernteam_app::first_contact::FirstContactRecord;
use kernteam_app::gate::Visible;
use kernteam_app::Action;
use kernteam_domain::access::PatientAccess;
use kernteam_domain::first_contact::{default_evaluation, EvaluationInput, HistoryKind, Outcome};

use super::{flash, fmt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

pub struct HistoryRow {
    pub at: String,
    pub what: String,
    pub note: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "first_contact.html")]
struct FirstContactPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: super::banner::Banner,
    access: PatientAccess,
    errors: Vec<String>,
    /// "Naam (rol)", or empty when there is none.
    current: String,
    current_id: i64,
    since: String,
    evaluate_on: String,
    /// "te laat", "binnenkort" or empty.
    due: &'static str,
    /// Professionals of the team: (member id, "Naam (rol)").
    professionals: Vec<(i64, String)>,
    /// The date fields' defaults (`YYYY-MM-DD`).
    next_default: String,
    history: Vec<HistoryRow>,
}

fn name_role(name: &str, role: Option<&str>) -> String {
    match role.filter(|r| !r.is_empty()) {
        Some(r) => format!("{name} ({r})"),
        None => name.to_string(),
    }
}

fn history_rows(r: &FirstContactRecord) -> Vec<HistoryRow> {
    r.history
        .iter()
        .rev()
        .map(|e| {
            let who = name_role(&e.member_name, e.member_role.as_deref());
            let next = e
                .evaluate_on
                .map(|d| format!("; evaluatie op {}", fmt_date(d)))
                .unwrap_or_default();
            let what = match (e.kind, e.outcome) {
                (HistoryKind::Assigned, _) => format!("Toegekend aan {who}{next}"),
                (HistoryKind::Evaluated, Some(Outcome::Kept)) => format!("Geëvalueerd: {who} blijft{next}"),
                (HistoryKind::Evaluated, _) => format!("Geëvalueerd: {who} wordt vervangen"),
                (HistoryKind::Ended, _) => format!("Beëindigd: {who} is uit het zorgteam gehaald"),
            };
            HistoryRow {
                at: fmt_timestamp(&e.recorded_at),
                what,
                note: e.note.clone().unwrap_or_default(),
                by: e.recorded_by_name.clone(),
            }
        })
        .collect()
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    errors: Vec<String>,
    flash_code: Option<&str>,
) -> AppResult<FirstContactPage> {
    let r = state.app.first_contact_record(v).await?;
    let day = today();
    let (current, current_id, since, evaluate_on, due) = match &r.current {
        Some((m, a)) => (
            name_role(&m.name, m.role.as_deref()),
            m.id,
            fmt_timestamp(&a.set_at).chars().take(10).collect(),
            a.evaluate_on.map(fmt_date).unwrap_or_else(|| "—".into()),
            match a.evaluate_on {
                Some(d) if d < day => "te laat",
                Some(d) if d <= day + chrono::Duration::days(kernteam_domain::worklist::EVALUATION_HORIZON_DAYS) => {
                    "binnenkort"
                }
                _ => "",
            },
        ),
        None => (String::new(), 0, String::new(), String::new(), ""),
    };
    Ok(FirstContactPage {
        me: Some(me(state, cu).await?),
        flash: flash(flash_code),
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: super::banner::Banner::load(state, v).await?,
        access: v.access(),
        errors,
        current,
        current_id,
        since,
        evaluate_on,
        due,
        professionals: r
            .professionals
            .iter()
            .map(|m| (m.id, name_role(&m.name, m.role.as_deref())))
            .collect(),
        next_default: default_evaluation(day).to_string(),
        history: history_rows(&r),
    })
}

pub async fn first_contact_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state
        .app
        .visible(&cu.actor(), id, Action::ViewFirstContactHistory, None)
        .await?;
    render(&page(&state, &cu, &v, Vec::new(), q.melding.as_deref()).await?)
}

/// The form's date, or an error naming the field.
fn form_date(s: Option<&str>, field: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(format!("{field}: vul een datum in als dd-mm-jjjj."));
                None
            }
        },
    }
}

/// Shows the page again with what was wrong (a logged read: the page shows the patient).
async fn refused(state: &AppState, cu: &CurrentUser, id: i64, errors: Vec<String>) -> AppResult<Response> {
    let v = state
        .app
        .visible(
            &cu.actor(),
            id,
            Action::ViewFirstContactHistory,
            Some("na geweigerde invoer".into()),
        )
        .await?;
    let mut resp = render(&page(state, cu, &v, errors, None).await?)?;
    *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

#[derive(serde::Deserialize)]
pub struct AssignForm {
    member_id: i64,
    /// The evaluation date; by default a year from today.
    evaluatie: Option<String>,
    /// `aanspreekpunt`: back to this page; otherwise to the record's overview.
    terug: Option<String>,
}

pub async fn set_first_contact(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let mut errors = Vec::new();
    let evaluate_on = form_date(form.evaluatie.as_deref(), "Evaluatiedatum", &mut errors);
    let back = form.terug.as_deref() == Some("aanspreekpunt");
    let outcome = if errors.is_empty() {
        state
            .app
            .set_first_contact(&d, form.member_id, evaluate_on)
            .await
            .map(|_| ())
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(errors))
    };
    match outcome {
        Ok(()) if back => {
            Ok(Redirect::to(&format!("/patienten/{id}/aanspreekpunt?melding=aanspreekpunt")).into_response())
        }
        Ok(()) => Ok(Redirect::to(&format!("/patienten/{id}?melding=aanspreekpunt")).into_response()),
        Err(AppError::Invalid(errors)) if back => refused(&state, &cu, id, errors).await,
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize)]
pub struct EvaluationForm {
    /// `kept` or `changed`.
    uitkomst: Option<String>,
    /// The new first point of contact (a care-team member id) when changed.
    lid: Option<String>,
    toelichting: Option<String>,
    volgende: Option<String>,
}

pub async fn evaluate_first_contact(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EvaluationForm>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let mut errors = Vec::new();
    let next = form_date(form.volgende.as_deref(), "Volgende evaluatie", &mut errors);
    let input = EvaluationInput {
        outcome: form.uitkomst.as_deref().and_then(Outcome::from_code),
        new_member: form.lid.as_deref().and_then(|m| m.parse().ok()),
        note: form.toelichting.unwrap_or_default(),
        next,
    };
    let outcome = if errors.is_empty() {
        state
            .app
            .evaluate_first_contact(&d, input)
            .await
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(errors))
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!(
            "/patienten/{id}/aanspreekpunt?melding=aanspreekpunt-geevalueerd"
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => refused(&state, &cu, id, errors).await,
        Err(e) => Err(e),
    }
}
