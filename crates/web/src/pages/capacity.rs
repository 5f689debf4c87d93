//! The POH-O capacity check at `/regio/capaciteit` (region.md's `capacity` keys): every
//! practice's ratio of available to needed hours for a quarter, those outside the band
//! first; the conversation the region holds with such a practice (date, who, agreements,
//! follow-up date) as the contract asks; and the open follow-ups, the region's worklist.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::capacity::ConversationInput;
use kernteam_app::Error;
use kernteam_domain::capacity::Capacity;
use kernteam_domain::formation::hours_text;

use super::region::{chosen_quarter, period_title, PeriodQuery};
use super::{fmt_date, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

pub struct ConversationRow {
    pub held_on: String,
    pub participants: String,
    pub agreements: String,
    pub follow_up: String,
    pub open: bool,
}

pub struct Row {
    pub practice_id: i64,
    pub agb_code: String,
    pub name: String,
    pub included: u64,
    pub hours_per_week: String,
    pub needed: String,
    pub available: String,
    pub ratio: String,
    pub capacity: &'static str,
    pub outside: bool,
    pub conversations: Vec<ConversationRow>,
}

pub struct FollowUp {
    pub id: i64,
    pub practice: String,
    pub due: String,
    pub overdue: bool,
    pub agreements: String,
}

#[derive(Template)]
#[template(path = "region_capacity.html")]
struct CapacityPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    period: String,
    title: String,
    band: String,
    rows: Vec<Row>,
    outside: usize,
    follow_ups: Vec<FollowUp>,
    errors: Vec<String>,
    today: String,
}

fn number(x: f64) -> String {
    hours_text(x)
}

async fn page(state: &AppState, cu: &CurrentUser, q: &PeriodQuery, errors: Vec<String>) -> AppResult<CapacityPage> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let now = today();
    let period = chosen_quarter(q, now)?;
    let overview = state.app.capacity_overview(&staff, &period).await?;
    let rows: Vec<Row> = overview
        .practices
        .into_iter()
        .map(|p| Row {
            practice_id: p.practice_id,
            agb_code: p.agb_code,
            name: p.name,
            included: p.included,
            hours_per_week: p.hours_per_week.map_or_else(|| "niet ingesteld".into(), number),
            needed: number(p.needed),
            available: p.available.map_or_else(|| "—".into(), number),
            ratio: p
                .ratio
                .map_or_else(|| "—".into(), |r| format!("{r:.2}").replace('.', ",")),
            capacity: p.capacity.map_or("niet te bepalen", Capacity::label),
            outside: matches!(p.capacity, Some(Capacity::TeLaag | Capacity::TeHoog)),
            conversations: p
                .conversations
                .into_iter()
                .map(|c| ConversationRow {
                    held_on: fmt_date(c.held_on),
                    participants: c.participants,
                    agreements: c.agreements,
                    follow_up: c.follow_up_on.map(fmt_date).unwrap_or_default(),
                    open: c.follow_up_on.is_some() && c.follow_up_done_at.is_none(),
                })
                .collect(),
        })
        .collect();
    Ok(CapacityPage {
        me: Some(me(state, cu).await?),
        flash: None,
        csrf: cu.csrf.clone(),
        period: period.label.clone(),
        title: period_title(&period),
        band: format!("{} – {}", number(overview.band.lower), number(overview.band.upper)),
        outside: rows.iter().filter(|r| r.outside).count(),
        rows,
        follow_ups: overview
            .follow_ups
            .into_iter()
            .map(|(c, practice)| FollowUp {
                id: c.id,
                practice,
                overdue: c.follow_up_on.is_some_and(|d| d < now),
                due: c.follow_up_on.map(fmt_date).unwrap_or_default(),
                agreements: c.agreements,
            })
            .collect(),
        errors,
        today: now.to_string(),
    })
}

/// `GET /regio/capaciteit`
pub async fn capacity(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let mut p = page(&state, &cu, &q, Vec::new()).await?;
    p.flash = match q.melding.as_deref() {
        Some("gesprek") => Some("Het gesprek is vastgelegd.".into()),
        Some("vervolg") => Some("Het vervolg is afgerond.".into()),
        _ => None,
    };
    render(&p)
}

/// `POST /regio/capaciteit/{practice}/gesprek`
pub async fn record_conversation(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(practice): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let input: ConversationInput =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    match state.app.record_capacity_conversation(&staff, practice, input).await {
        Ok(_) => Ok(Redirect::to("/regio/capaciteit?melding=gesprek").into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("Het gesprek is niet vastgelegd.".into());
            let mut resp = render(&page(&state, &cu, &PeriodQuery::default(), errors).await?)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /regio/capaciteit/gesprek/{conversation}/afgerond`
pub async fn complete_follow_up(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    state.app.complete_capacity_follow_up(&staff, id).await?;
    Ok(Redirect::to("/regio/capaciteit?melding=vervolg").into_response())
}
