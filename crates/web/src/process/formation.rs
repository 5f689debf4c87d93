//! The practice's POH-O formation (hours per week, valid from a date) with its history, at
//! `/praktijk/formatie`: visible to the practice's staff, set by the practice administrator
//! (praktijkmanager, or an account with `is_admin`) and the GPs. The periodic reports read
//! it (`poh_o_hours_per_week`: the formation as last set on or before the reference date).

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate};
use kernteam_domain::access::{Role, Scope};
use kernteam_store::program::PohHours;
use serde::{Deserialize, Serialize};

use crate::api::{ApiResult, Body};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::patients::{audit, today};
use crate::records::require;
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/praktijk/formatie", get(page).post(save))
}

/// More than this many hours a week is a typing error.
pub const MAX_HOURS: f64 = 200.0;

/// The practice of a member of practice staff; 403 for everyone else.
pub fn staff_practice(cu: &CurrentUser) -> AppResult<i64> {
    match (cu.user.role.scope(), cu.user.practice_id) {
        (Scope::Practice, Some(p)) => Ok(p),
        _ => Err(AppError::Forbidden),
    }
}

/// Who may set the formation: the practice administrator and the GPs.
pub fn may_set(cu: &CurrentUser) -> bool {
    cu.user.role.scope() == Scope::Practice
        && (cu.user.is_admin || matches!(cu.user.role, Role::Praktijkmanager | Role::Huisarts))
}

/// Hours as people write them: `6,5`, `8`.
pub fn hours_text(h: f64) -> String {
    let s = format!("{h:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// A new formation entry, validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewFormation {
    pub hours: f64,
    pub valid_from: NaiveDate,
}

/// The rules: hours from 0 to [`MAX_HOURS`] (a decimal comma or point, at most two
/// decimals kept); a real date from 2000 up to a year ahead. Every problem is listed.
pub fn validate(hours: Result<f64, String>, valid_from: &str, today: NaiveDate) -> AppResult<NewFormation> {
    let mut errors = Vec::new();
    let hours = match hours {
        Ok(h) if !h.is_finite() || !(0.0..=MAX_HOURS).contains(&h) => {
            errors.push(format!(
                "Het aantal uren per week ligt tussen 0 en {}.",
                hours_text(MAX_HOURS)
            ));
            None
        }
        Ok(h) => Some((h * 100.0).round() / 100.0),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let valid_from = match NaiveDate::parse_from_str(valid_from.trim(), "%Y-%m-%d") {
        Ok(d) if d.year() < 2000 => {
            errors.push("De ingangsdatum ligt vóór 2000; controleer het jaar.".to_string());
            None
        }
        Ok(d) if d > today + Duration::days(366) => {
            errors.push("De ingangsdatum ligt meer dan een jaar vooruit.".to_string());
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push("Ingangsdatum: vul een geldige datum in.".to_string());
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewFormation {
        hours: hours.expect("no errors, so hours"),
        valid_from: valid_from.expect("no errors, so a date"),
    })
}

/// Hours typed into the form: `6,5` or `6.5`.
pub fn parse_hours(s: &str) -> Result<f64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("Vul het aantal uren per week in.".to_string());
    }
    t.replace(',', ".")
        .parse::<f64>()
        .map_err(|_| format!("'{t}' is geen aantal uren; schrijf bijvoorbeeld 6,5."))
}

/// Sets the formation (practice administrator and GPs).
pub async fn set(state: &AppState, cu: &CurrentUser, f: NewFormation) -> AppResult<()> {
    let practice_id = staff_practice(cu)?;
    require(may_set(cu))?;
    state
        .db
        .set_poh_o_hours(practice_id, f.valid_from, f.hours, cu.user.id)
        .await?;
    audit(
        state,
        cu,
        None,
        "formatie POH-O ingesteld",
        Some(format!("{} uur per week vanaf {}", hours_text(f.hours), f.valid_from)),
    )
    .await
}

/// The entry in force on `on` in a newest-first history: the latest `valid_from` on or
/// before `on`, and of those the last set.
pub fn in_force(history: &[PohHours], on: NaiveDate) -> Option<usize> {
    history.iter().position(|h| h.valid_from <= on)
}

pub struct HistoryRow {
    pub valid_from: String,
    pub hours: String,
    pub set_at: String,
    pub set_by: String,
    /// `geldt nu`, `gepland`, `vervangen` (a later entry has the same date) or empty.
    pub note: &'static str,
}

fn history_rows(history: &[PohHours], today: NaiveDate) -> Vec<HistoryRow> {
    let current = in_force(history, today);
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
    hours: String,
    valid_from: String,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<FormationPage> {
    let practice_id = staff_practice(cu)?;
    let history = state.db.poh_o_hours_history(practice_id).await?;
    let now = today();
    Ok(FormationPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        practice: state.db.practice(practice_id).await?.name,
        current: in_force(&history, now).map(|i| hours_text(history[i].hours)),
        can_set: may_set(cu),
        errors,
        hours,
        valid_from: if valid_from.is_empty() {
            now.to_string()
        } else {
            valid_from
        },
        history: history_rows(&history, now),
    })
}

/// `GET /praktijk/formatie`.
pub async fn page(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let flash = (q.melding.as_deref() == Some("formatie")).then(|| "De formatie is vastgelegd.".to_string());
    let page = formation_page(&state, &cu, String::new(), String::new(), Vec::new(), flash).await?;
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FormationForm {
    hours: String,
    valid_from: String,
}

/// `POST /praktijk/formatie`.
pub async fn save(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    staff_practice(&cu)?;
    require(may_set(&cu))?;
    let form: FormationForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let outcome = match validate(parse_hours(&form.hours), &form.valid_from, today()) {
        Ok(f) => set(&state, &cu, f).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/praktijk/formatie?melding=formatie").into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De formatie is niet vastgelegd.".into());
            let page = formation_page(&state, &cu, form.hours, form.valid_from, errors, None).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------
// The JSON API.

#[derive(Debug, Serialize)]
pub struct ApiEntry {
    valid_from: NaiveDate,
    hours: f64,
    set_at: String,
    set_by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiFormation {
    practice_id: i64,
    /// Hours per week in force today; null when never set.
    current: Option<f64>,
    /// Whether the signed-in user may set it.
    can_set: bool,
    /// Newest `valid_from` first; of equal dates the last set first.
    history: Vec<ApiEntry>,
}

async fn api_formation(state: &AppState, cu: &CurrentUser) -> AppResult<ApiFormation> {
    let practice_id = staff_practice(cu)?;
    let history = state.db.poh_o_hours_history(practice_id).await?;
    Ok(ApiFormation {
        practice_id,
        current: in_force(&history, today()).map(|i| history[i].hours),
        can_set: may_set(cu),
        history: history
            .into_iter()
            .map(|h| ApiEntry {
                valid_from: h.valid_from,
                hours: h.hours,
                set_at: h.set_at,
                set_by: h.set_by_name,
            })
            .collect(),
    })
}

/// `GET /api/v1/practice/poh-o-hours`.
pub async fn api_show(State(state): State<AppState>, cu: CurrentUser) -> ApiResult<Json<ApiFormation>> {
    Ok(Json(api_formation(&state, &cu).await?))
}

#[derive(Debug, Deserialize)]
pub struct ApiSet {
    hours: f64,
    valid_from: String,
}

/// `POST /api/v1/practice/poh-o-hours`: 201 with the formation afterwards.
pub async fn api_set(State(state): State<AppState>, cu: CurrentUser, body: Body<ApiSet>) -> ApiResult<Response> {
    staff_practice(&cu)?;
    require(may_set(&cu))?;
    let body = body.parse()?;
    let f = validate(Ok(body.hours), &body.valid_from, today())?;
    set(&state, &cu, f).await?;
    Ok((StatusCode::CREATED, Json(api_formation(&state, &cu).await?)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn hours_are_read_and_written_the_dutch_way() {
        assert_eq!(parse_hours(" 6,5 "), Ok(6.5));
        assert_eq!(parse_hours("8"), Ok(8.0));
        assert!(parse_hours("zes").is_err());
        assert_eq!(hours_text(6.5), "6,5");
        assert_eq!(hours_text(8.0), "8");
        assert_eq!(hours_text(6.54), "6,54");
        assert_eq!(hours_text(0.0), "0");
    }

    #[test]
    fn validation_lists_every_problem() {
        let today = d("2027-03-01");
        let e = validate(Ok(-1.0), "2029-01-01", today).unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Het aantal uren per week ligt tussen 0 en 200.",
                "De ingangsdatum ligt meer dan een jaar vooruit."
            ]
        );
        assert!(validate(Ok(f64::NAN), "2027-01-01", today).is_err());
        assert!(validate(Ok(6.0), "1999-12-31", today).is_err());
        assert!(validate(Ok(6.0), "01-01-2027", today).is_err());
        assert_eq!(
            validate(Ok(6.544), "2027-01-01", today).unwrap(),
            NewFormation {
                hours: 6.54,
                valid_from: d("2027-01-01")
            }
        );
    }

    #[test]
    fn the_entry_in_force_is_the_latest_set_for_the_latest_date() {
        let h = |from: &str, hours: f64| PohHours {
            valid_from: d(from),
            hours,
            set_at: "2027-01-01T00:00:00Z".into(),
            set_by_name: None,
        };
        let history = [h("2027-06-01", 9.0), h("2027-01-01", 7.0), h("2027-01-01", 6.0)];
        assert_eq!(in_force(&history, d("2027-03-01")), Some(1));
        assert_eq!(in_force(&history, d("2027-06-01")), Some(0));
        assert_eq!(in_force(&history, d("2026-12-31")), None);
        let rows = history_rows(&history, d("2027-03-01"));
        assert_eq!(
            rows.iter().map(|r| r.note).collect::<Vec<_>>(),
            ["gepland", "geldt nu", "vervangen"]
        );
    }
}
