//! The region's settings at `/regio/instellingen` (region.md, *Settings*): the yardsticks
//! (POH-O hours per included patient, working weeks, capacity band), the funding
//! categories per year and every practice's contract option per year, with who set what
//! and when. Region staff read them; the programme manager and the administrator change
//! them (`kernteam_domain::access::may_set_region_settings`), through the same use cases
//! as `kernteam contract set` and `kernteam region set`.

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use kernteam_app::contract::{RegionSettingsInput, SettingsBy};
use kernteam_app::Error;
use kernteam_domain::contract::{parse_funding_categories, parse_number, parse_year, CapacityBand, ContractOption};
use kernteam_domain::formation::hours_text;
use serde::Deserialize;

use super::{fmt_timestamp, me, render, FlashQuery, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

pub struct ContractRow {
    pub agb_code: String,
    pub name: String,
    /// The option per year shown (this year, next year).
    pub options: Vec<u8>,
    pub transition_year: String,
    pub last_set: String,
}

pub struct ChangeRow {
    pub what: String,
    pub set_by: String,
    pub set_at: String,
}

#[derive(Template)]
#[template(path = "region_settings.html")]
struct SettingsPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    can_edit: bool,
    errors: Vec<String>,
    hours_per_included: String,
    working_weeks: String,
    band: String,
    funding: Vec<(i32, String)>,
    years: Vec<i32>,
    contracts: Vec<ContractRow>,
    practices: Vec<(String, String)>,
    history: Vec<ChangeRow>,
}

fn decimal(x: f64) -> String {
    hours_text(x)
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<SettingsPage> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let view = state.app.region_settings_view(&staff).await?;
    let this_year = today().year();
    let years = vec![this_year, this_year + 1];
    let s = &view.settings;
    let contracts = view
        .practices
        .iter()
        .map(|p| {
            let mine = view.contracts.of(p.id);
            ContractRow {
                agb_code: p.agb_code.clone(),
                name: p.name.clone(),
                options: years.iter().map(|y| view.contracts.option(p.id, *y).number()).collect(),
                transition_year: view
                    .contracts
                    .transition_year(p.id)
                    .map_or_else(|| "—".to_string(), |y| y.to_string()),
                last_set: mine.first().map_or_else(String::new, |c| {
                    format!("{} door {}", fmt_timestamp(&c.set_at), c.set_by_name)
                }),
            }
        })
        .collect();
    let mut history: Vec<ChangeRow> = view
        .history
        .iter()
        .map(|c| {
            let mut parts = Vec::new();
            if let Some(h) = c.hours_per_included {
                parts.push(format!("{} uur per geïncludeerde", decimal(h)));
            }
            if let Some(w) = c.working_weeks {
                parts.push(format!("{} werkweken", decimal(w)));
            }
            if let Some(b) = c.capacity_band {
                parts.push(format!("band {} – {}", decimal(b.lower), decimal(b.upper)));
            }
            ChangeRow {
                what: parts.join(", "),
                set_by: c.set_by_name.clone(),
                set_at: fmt_timestamp(&c.set_at),
            }
        })
        .collect();
    history.truncate(20);
    Ok(SettingsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        can_edit: kernteam_domain::access::may_set_region_settings(cu.user.role),
        errors,
        hours_per_included: decimal(s.hours_per_included),
        working_weeks: decimal(s.working_weeks),
        band: format!(
            "{} – {}",
            decimal(s.capacity_band.lower),
            decimal(s.capacity_band.upper)
        ),
        funding: s
            .funding_categories
            .iter()
            .map(|(y, cats)| {
                let text: Vec<String> = cats
                    .iter()
                    .map(|c| format!("{} vanaf {}%", c.name, decimal(c.lower_bound)))
                    .collect();
                (*y, text.join(" · "))
            })
            .collect(),
        years,
        contracts,
        practices: view
            .practices
            .iter()
            .map(|p| (p.agb_code.clone(), p.name.clone()))
            .collect(),
        history,
    })
}

fn flash_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "instellingen" => "De regio-instellingen zijn opgeslagen.",
            "financiering" => "De financieringscategorieën zijn opgeslagen.",
            "contract" => "De contractoptie is opgeslagen.",
            _ => return None,
        }
        .into(),
    )
}

/// `GET /regio/instellingen`
pub async fn settings(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    render(&page(&state, &cu, Vec::new(), flash_text(q.melding.as_deref())).await?)
}

async fn refused(state: &AppState, cu: &CurrentUser, e: Error) -> AppResult<Response> {
    match e {
        Error::Invalid(mut errors) => {
            errors.push("Er is niets gewijzigd.".into());
            let mut resp = render(&page(state, cu, errors, None).await?)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        other => Err(other.into()),
    }
}

fn form<T: for<'de> Deserialize<'de>>(body: &[u8]) -> AppResult<T> {
    serde_urlencoded::from_bytes(body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct YardstickForm {
    hours_per_included: String,
    working_weeks: String,
    band_lower: String,
    band_upper: String,
}

/// `POST /regio/instellingen`: the yardsticks (empty fields stay as they are).
pub async fn save_settings(
    State(state): State<AppState>,
    cu: CurrentUser,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let editor = state.app.region_settings_editor(&cu.actor()).await?;
    let f: YardstickForm = form(&body)?;
    let mut problems = Vec::new();
    let mut number = |s: &str, what: &str| {
        (!s.trim().is_empty())
            .then(|| parse_number(s, what).map_err(|e| problems.push(e)).ok())
            .flatten()
    };
    let hours_per_included = number(&f.hours_per_included, "Uren per geïncludeerde");
    let working_weeks = number(&f.working_weeks, "Werkweken");
    let lower = number(&f.band_lower, "Ondergrens");
    let upper = number(&f.band_upper, "Bovengrens");
    let capacity_band = match (lower, upper) {
        (Some(lower), Some(upper)) => CapacityBand::new(lower, upper).map_err(|e| problems.push(e)).ok(),
        (None, None) => None,
        _ => {
            problems.push("Vul de onder- én de bovengrens van de capaciteitsband in.".into());
            None
        }
    };
    if !problems.is_empty() {
        return refused(&state, &cu, Error::Invalid(problems)).await;
    }
    let input = RegionSettingsInput {
        hours_per_included,
        working_weeks,
        capacity_band,
        funding_categories: None,
    };
    match state.app.set_region_settings(SettingsBy::Editor(&editor), input).await {
        Ok(()) => Ok(Redirect::to("/regio/instellingen?melding=instellingen").into_response()),
        Err(e) => refused(&state, &cu, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FundingForm {
    year: String,
    categories: String,
}

/// `POST /regio/instellingen/financiering`: a year's categories as `naam=percentage, …`.
pub async fn save_funding(
    State(state): State<AppState>,
    cu: CurrentUser,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let editor = state.app.region_settings_editor(&cu.actor()).await?;
    let f: FundingForm = form(&body)?;
    let parsed = parse_funding_categories(&format!("{}:{}", f.year.trim(), f.categories.trim()));
    let funding = match parsed {
        Ok(x) => x,
        Err(e) => return refused(&state, &cu, Error::Invalid(vec![e])).await,
    };
    let input = RegionSettingsInput {
        funding_categories: Some(funding),
        ..Default::default()
    };
    match state.app.set_region_settings(SettingsBy::Editor(&editor), input).await {
        Ok(()) => Ok(Redirect::to("/regio/instellingen?melding=financiering").into_response()),
        Err(e) => refused(&state, &cu, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContractForm {
    practice: String,
    year: String,
    option: String,
    transition_year: String,
}

/// `POST /regio/contracten`: a practice's option for a year (and its transition year).
pub async fn save_contract(
    State(state): State<AppState>,
    cu: CurrentUser,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let editor = state.app.region_settings_editor(&cu.actor()).await?;
    let f: ContractForm = form(&body)?;
    let mut problems = Vec::new();
    let year = parse_year(&f.year).map_err(|e| problems.push(e)).ok();
    let option = ContractOption::parse(&f.option).map_err(|e| problems.push(e)).ok();
    let transition_year = (!f.transition_year.trim().is_empty())
        .then(|| parse_year(&f.transition_year).map_err(|e| problems.push(e)).ok())
        .flatten();
    let practice = match state.app.practice_by_agb(&f.practice).await {
        Ok(p) => Some(p),
        Err(Error::Invalid(e)) => {
            problems.extend(e);
            None
        }
        Err(e) => return Err(e.into()),
    };
    let (Some(year), Some(option), Some(practice), true) = (year, option, practice, problems.is_empty()) else {
        return refused(&state, &cu, Error::Invalid(problems)).await;
    };
    match state
        .app
        .set_contract(SettingsBy::Editor(&editor), practice.id, year, option, transition_year)
        .await
    {
        Ok(()) => Ok(Redirect::to("/regio/instellingen?melding=contract").into_response()),
        Err(e) => refused(&state, &cu, e).await,
    }
}
