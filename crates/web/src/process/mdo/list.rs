//! `/mdo`: the practice's meetings with counts per quarter, and planning a meeting.

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use kernteam_app::mdo::Quarter;
use kernteam_domain::events::{MdoLevel, DISCIPLINES};
use kernteam_domain::mdo::PlanInput;

use super::{all, first, flash, meeting_row, unprocessable, MeetingRow};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{me, render, FlashQuery, Me};
use crate::patients::today;
use crate::process::form_pairs;
use crate::AppState;

#[derive(Template)]
#[template(path = "mdo.html")]
struct ListPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    can_plan: bool,
    errors: Vec<String>,
    form_date: String,
    form_level: String,
    form_invited: Vec<String>,
    levels: Vec<(&'static str, &'static str)>,
    disciplines: Vec<(&'static str, &'static str)>,
    quarters: Vec<Quarter>,
    meetings: Vec<MeetingRow>,
}

async fn list_view(
    state: &AppState,
    cu: &CurrentUser,
    form: PlanInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<ListPage> {
    let actor = cu.actor();
    let staff = state.app.practice_staff(&actor).await?;
    let overview = state.app.mdo_overview(&staff).await?;
    let day = today();
    Ok(ListPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        can_plan: overview.can_plan,
        errors,
        form_date: if form.date.is_empty() {
            (day + Duration::days(7)).to_string()
        } else {
            form.date
        },
        form_level: if form.level.is_empty() {
            "praktijk".into()
        } else {
            form.level
        },
        form_invited: if form.invited.is_empty() {
            vec!["huisarts".into(), "poh_o".into()]
        } else {
            form.invited
        },
        levels: MdoLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        disciplines: DISCIPLINES.to_vec(),
        quarters: overview.quarters,
        meetings: overview.meetings.iter().map(|m| meeting_row(m, day)).collect(),
    })
}

/// `GET /mdo`.
pub async fn list_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let page = list_view(
        &state,
        &cu,
        PlanInput::default(),
        Vec::new(),
        flash(q.melding.as_deref()),
    )
    .await?;
    render(&page)
}

/// `POST /mdo`: fields `date`, `level`, `invited` (repeated).
pub async fn plan(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    let organiser = state.app.mdo_organiser(&cu.actor()).await?;
    let pairs = form_pairs(&body)?;
    let input = PlanInput {
        date: first(&pairs, "date"),
        level: first(&pairs, "level"),
        invited: all(&pairs, "invited").into_iter().map(str::to_string).collect(),
    };
    match state.app.plan_mdo(&organiser, &input).await.map_err(AppError::from) {
        Ok(m) => Ok(Redirect::to(&format!("/mdo/{}?melding=gepland", m.id)).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("Het MDO is niet gepland.".into());
            let page = list_view(&state, &cu, input, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}
