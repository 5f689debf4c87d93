//! The practice's POH-O formation (hours per week, valid from a date) with its history, at
//! `/praktijk/formatie` and `/api/v1/practice/poh-o-hours`: visible to the practice's
//! staff, set by those `kernteam_domain::access::practice_permissions` allows (the practice
//! administrator and the GPs). The use cases are `kernteam_app::formation`; the periodic
//! reports read it (`poh_o_hours_per_week`: the formation as last set on or before the
//! reference date).

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::NaiveDate;
use kernteam_app::formation::{Formation, FormationInput};
use kernteam_app::gate::PracticeStaff;
use kernteam_app::Error;
use kernteam_domain::access::Scope;
use kernteam_domain::formation::{hours_text, parse_hours};
use kernteam_store::program::PohHours;
use serde::{Deserialize, Serialize};

use crate::api::doc::ApiErrorBody;
use crate::api::{ApiResult, Body};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table!["/praktijk/formatie" => get(page).post(save)]
}

/// The practice of a member of practice staff; 403 for everyone else. Only for
/// `process/mdo.rs` until it goes through the gate (`App::practice_staff`); not used here.
pub fn staff_practice(cu: &CurrentUser) -> AppResult<i64> {
    match (cu.user.role.scope(), cu.user.practice_id) {
        (Scope::Practice, Some(p)) => Ok(p),
        _ => Err(AppError::Forbidden),
    }
}

pub struct HistoryRow {
    pub valid_from: String,
    pub hours: String,
    pub set_at: String,
    pub set_by: String,
    /// `geldt nu`, `gepland`, `vervangen` (a later entry has the same date) or empty.
    pub note: &'static str,
}

fn history_rows(history: &[PohHours], current: Option<usize>, today: NaiveDate) -> Vec<HistoryRow> {
    history
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let replaced = history[..i].iter().any(|later| later.valid_from == h.valid_from);
            HistoryRow {
                valid_from: fmt_date(h.valid_from),
                hours: hours_text(h.hours),
                set_at: fmt_timestamp(&h.set_at),
                set_by: h.set_by_name.clone().unwrap_or_default(),
                note: if Some(i) == current {
                    "geldt nu"
                } else if replaced {
                    "vervangen"
                } else if h.valid_from > today {
                    "gepland"
                } else {
                    ""
                },
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "formation.html")]
struct FormationPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    practice: String,
    current: Option<String>,
    can_set: bool,
    errors: Vec<String>,
    hours: String,
    valid_from: String,
    history: Vec<HistoryRow>,
}

async fn formation_page(
    state: &AppState,
    cu: &CurrentUser,
    staff: &PracticeStaff,
    (hours, valid_from): (String, String),
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<FormationPage> {
    let f = state.app.formation(staff).await?;
    let now = kernteam_app::today();
    Ok(FormationPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        current: f.current_hours().map(hours_text),
        can_set: staff.may_set_formation(),
        errors,
        hours,
        valid_from: if valid_from.is_empty() {
            now.to_string()
        } else {
            valid_from
        },
        history: history_rows(&f.history, f.current, now),
        practice: f.practice_name,
    })
}

/// `GET /praktijk/formatie`.
pub async fn page(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let flash = (q.melding.as_deref() == Some("formatie")).then(|| "De formatie is vastgelegd.".to_string());
    let page = formation_page(&state, &cu, &staff, Default::default(), Vec::new(), flash).await?;
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FormationForm {
    hours: String,
    valid_from: String,
}

/// `POST /praktijk/formatie`. Refused input shows the form again (practice data, not
/// patient data: no read to audit).
pub async fn save(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    let setter = state.app.formation_setter(&cu.actor()).await?;
    let form: FormationForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let input = FormationInput {
        hours: parse_hours(&form.hours),
        valid_from: form.valid_from.clone(),
    };
    match state.app.set_formation(&setter, input).await {
        Ok(_) => Ok(Redirect::to("/praktijk/formatie?melding=formatie").into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("De formatie is niet vastgelegd.".into());
            let typed = (form.hours, form.valid_from);
            let page = formation_page(&state, &cu, setter.staff(), typed, errors, None).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The JSON API.

/// The API routes of the formation, with their part of the OpenAPI document.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(api_show, api_set))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = PohOHoursEntry)]
pub struct ApiEntry {
    valid_from: NaiveDate,
    hours: f64,
    /// When it was set (RFC 3339).
    #[schema(format = DateTime)]
    set_at: String,
    set_by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = PohOHours)]
pub struct ApiFormation {
    practice_id: i64,
    /// Hours per week in force today; null when never set.
    current: Option<f64>,
    /// Whether the signed-in user may set it.
    can_set: bool,
    /// Newest `valid_from` first; of equal dates the last set first.
    history: Vec<ApiEntry>,
}

fn api_formation(f: Formation, staff: &PracticeStaff) -> ApiFormation {
    ApiFormation {
        practice_id: f.practice_id,
        current: f.current_hours(),
        can_set: staff.may_set_formation(),
        history: f
            .history
            .into_iter()
            .map(|h| ApiEntry {
                valid_from: h.valid_from,
                hours: h.hours,
                set_at: h.set_at,
                set_by: h.set_by_name,
            })
            .collect(),
    }
}

/// The practice's POH-O formation (hours per week) with its history
///
/// Practice staff only (others get 403).
#[utoipa::path(get, path = "/api/v1/practice/poh-o-hours", tag = "practice", operation_id = "getPohOHours",
    responses((status = 200, description = "The formation.", body = ApiFormation),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "Not practice staff.", body = ApiErrorBody)))]
pub async fn api_show(State(state): State<AppState>, cu: CurrentUser) -> ApiResult<Json<ApiFormation>> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    Ok(Json(api_formation(state.app.formation(&staff).await?, &staff)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PohOHoursInput)]
pub struct ApiSet {
    /// Hours per week.
    #[schema(minimum = 0, maximum = 200)]
    hours: f64,
    /// From 2000 up to a year ahead.
    #[schema(format = Date)]
    valid_from: String,
}

/// Set the POH-O formation from a date
///
/// The practice administrator (praktijkmanager, or an account with is_admin) and the GPs. Hours
/// from 0 to 200 (two decimals kept); valid_from from 2000 up to a year ahead. The reports use
/// the formation as last set on or before their reference date.
#[utoipa::path(post, path = "/api/v1/practice/poh-o-hours", tag = "practice", operation_id = "setPohOHours",
    request_body = ApiSet,
    responses((status = 201, description = "The formation afterwards.", body = ApiFormation),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may not set the formation.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn api_set(State(state): State<AppState>, cu: CurrentUser, body: Body<ApiSet>) -> ApiResult<Response> {
    let setter = state.app.formation_setter(&cu.actor()).await?;
    let body = body.parse()?;
    let input = FormationInput {
        hours: Ok(body.hours),
        valid_from: body.valid_from,
    };
    state.app.set_formation(&setter, input).await?;
    let f = state.app.formation(setter.staff()).await?;
    Ok((StatusCode::CREATED, Json(api_formation(f, setter.staff()))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_history_names_the_entry_in_force_the_planned_and_the_replaced() {
        let h = |from: &str, hours: f64| PohHours {
            valid_from: d(from),
            hours,
            set_at: "2027-01-01T00:00:00Z".into(),
            set_by_name: None,
        };
        let history = [h("2027-06-01", 9.0), h("2027-01-01", 7.0), h("2027-01-01", 6.0)];
        let rows = history_rows(&history, Some(1), d("2027-03-01"));
        assert_eq!(
            rows.iter().map(|r| r.note).collect::<Vec<_>>(),
            ["gepland", "geldt nu", "vervangen"]
        );
        assert_eq!(rows[2].hours, "6");
    }
}
