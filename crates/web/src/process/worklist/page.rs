//! `GET /werklijst`: the worklist page, optionally only the user's own patients (`mijn`)
//! or one group (`soort`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{group_code, grouped, Group, GROUPS};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_date, me, render, Me};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// `1`: only the patients whose care team the user is on.
    mijn: Option<String>,
    /// A group code of [`GROUPS`]; anything else shows every group.
    soort: Option<String>,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    me: Option<Me>,
    flash: Option<String>,
    practice_staff: bool,
    mine: bool,
    soort: String,
    kinds: Vec<(&'static str, &'static str)>,
    patients: usize,
    items: usize,
    urgent: usize,
    groups: Vec<Group>,
    today: String,
}

pub async fn page(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let viewer = state.app.worklist_viewer(&cu.actor()).await?;
    let practice_staff = viewer.is_practice_staff();
    let mine = practice_staff && q.mijn.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    let soort = group_code(q.soort.as_deref());
    let work = state.app.worklist(&viewer, mine, soort).await?;
    let groups = grouped(&work);
    render(&WorklistPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        practice_staff,
        mine,
        soort: soort.unwrap_or("").to_string(),
        kinds: GROUPS.to_vec(),
        patients: work.len(),
        items: groups.iter().map(|g| g.rows.len()).sum(),
        urgent: groups.iter().map(|g| g.urgent).sum(),
        groups,
        today: fmt_date(kernteam_app::today()),
    })
}
