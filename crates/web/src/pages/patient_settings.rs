//! A patient's hoofdbehandelaar and Wlz care setting (region.md, *Settings*) at
//! `/patienten/{id}/regeling`: in force today, with their history (from which date, who set
//! it and when). Everyone who may see the record reads it (the read is audited); those who
//! take the practice's decisions change it. The declarations use the value in force on the
//! reference date (`kernteam_domain::declarations`).

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kernteam_app::contract::PatientSettingsBy;
use kernteam_app::{Action, Error};
use kernteam_domain::contract::{Hoofdbehandelaar, WlzSetting};

use super::{fmt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

pub struct HistoryRow {
    pub from: String,
    pub what: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "patient_settings.html")]
struct SettingsPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    name: String,
    hoofdbehandelaar: &'static str,
    wlz_setting: &'static str,
    history: Vec<HistoryRow>,
    can_change: bool,
    errors: Vec<String>,
    today: String,
    hoofdbehandelaars: Vec<(&'static str, &'static str)>,
    wlz_settings: Vec<(&'static str, &'static str)>,
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    id: i64,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<SettingsPage> {
    let v = state
        .app
        .visible(
            &cu.actor(),
            id,
            Action::ViewRecord,
            Some("hoofdbehandelaar en Wlz-zorgsetting".into()),
        )
        .await?;
    let s = state.app.patient_settings(id).await?;
    let now = today();
    let history = s
        .history
        .iter()
        .rev()
        .map(|h| {
            let mut parts = Vec::new();
            if let Some(x) = h.hoofdbehandelaar {
                parts.push(format!("hoofdbehandelaar: {}", x.label().to_lowercase()));
            }
            if let Some(w) = h.wlz_setting {
                parts.push(format!("Wlz-zorgsetting: {}", w.label()));
            }
            HistoryRow {
                from: fmt_date(h.valid_from),
                what: parts.join("; "),
                by: h.set_by_name.clone(),
                at: fmt_timestamp(&h.set_at),
            }
        })
        .collect();
    Ok(SettingsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: id,
        banner: crate::pages::banner::Banner::load(state, &v).await?,
        name: state.app.patient_name(&v).await?,
        hoofdbehandelaar: s.hoofdbehandelaar_on(now).label(),
        wlz_setting: s.wlz_setting_on(now).map_or("geen", WlzSetting::label),
        history,
        can_change: v.access().decide,
        errors,
        today: now.to_string(),
        hoofdbehandelaars: Hoofdbehandelaar::ALL.iter().map(|h| (h.code(), h.label())).collect(),
        wlz_settings: WlzSetting::ALL.iter().map(|w| (w.code(), w.label())).collect(),
    })
}

/// `GET /patienten/{id}/regeling`
pub async fn patient_settings(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let flash = (q.melding.as_deref() == Some("regeling")).then(|| "De wijziging is vastgelegd.".to_string());
    render(&page(&state, &cu, id, Vec::new(), flash).await?)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SettingsForm {
    hoofdbehandelaar: String,
    wlz_setting: String,
    valid_from: String,
}

/// `POST /patienten/{id}/regeling`: a change from a date (an empty choice leaves that
/// setting as it is).
pub async fn save_patient_settings(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let f: SettingsForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let mut problems = Vec::new();
    let pick = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let h = pick(&f.hoofdbehandelaar).and_then(|s| Hoofdbehandelaar::parse(&s).map_err(|e| problems.push(e)).ok());
    let w = pick(&f.wlz_setting).and_then(|s| WlzSetting::parse(&s).map_err(|e| problems.push(e)).ok());
    let from = match NaiveDate::parse_from_str(f.valid_from.trim(), "%Y-%m-%d") {
        Ok(d) if d > today() => {
            problems.push("De ingangsdatum ligt in de toekomst.".to_string());
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            problems.push("Geldt vanaf: vul een geldige datum in.".to_string());
            None
        }
    };
    let result = match from {
        Some(from) if problems.is_empty() => {
            state
                .app
                .set_patient_settings(PatientSettingsBy::Decider(&d), h, w, from)
                .await
        }
        _ => Err(Error::Invalid(problems)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/patienten/{id}/regeling?melding=regeling")).into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("Er is niets gewijzigd.".into());
            let mut resp = render(&page(&state, &cu, id, errors, None).await?)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
