//! The PZP's versions: `GET /patienten/{id}/pzp/versies` and one version as it was,
//! `GET /patienten/{id}/pzp/versies/{version}`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kernteam_app::pzp::parse_pzp;
use kernteam_app::Action;

use super::view::{view, PzpView};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_timestamp, me, render, Me};
use crate::AppState;

pub struct VersionRow {
    pub version: i64,
    pub at: String,
    pub by: String,
    pub changes: Vec<String>,
    /// The huisarts who had agreed the wishes and limits in this version.
    pub responsible_gp: String,
}

#[derive(Template)]
#[template(path = "pzp_history.html")]
struct HistoryPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    versions: Vec<VersionRow>,
}

/// `GET /patienten/{id}/pzp/versies`.
pub async fn history(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let app = &state.app;
    let v = app.visible(&cu.actor(), id, Action::ViewPzpVersions, None).await?;
    let versions = app
        .pzp(&v)
        .await?
        .versions
        .into_iter()
        .map(|x| {
            Ok(VersionRow {
                version: x.version,
                at: fmt_timestamp(&x.created_at),
                responsible_gp: parse_pzp(&x.content)?
                    .responsible_gp
                    .map(|g| g.name)
                    .unwrap_or_default(),
                by: x.created_by_name,
                changes: x.summary.lines().map(str::to_string).collect(),
            })
        })
        .collect::<kernteam_app::Result<_>>()?;
    render(&HistoryPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        patient_id: id,
        banner: crate::pages::banner::Banner::load(&state, &v).await?,
        versions,
    })
}

#[derive(Template)]
#[template(path = "pzp_version.html")]
struct VersionPage {
    me: Option<Me>,
    flash: Option<String>,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    version: i64,
    latest: i64,
    at: String,
    by: String,
    pzp: PzpView,
}

/// `GET /patienten/{id}/pzp/versies/{version}`: one version as it was.
pub async fn version_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, version)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let app = &state.app;
    let v = app
        .visible(
            &cu.actor(),
            id,
            Action::ViewPzpVersion,
            Some(format!("versie {version}")),
        )
        .await?;
    let record = app.pzp(&v).await?;
    let found = record
        .versions
        .iter()
        .find(|x| x.version == version)
        .ok_or(AppError::NotFound)?;
    render(&VersionPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        patient_id: id,
        banner: crate::pages::banner::Banner::load(&state, &v).await?,
        version,
        latest: record.version,
        at: fmt_timestamp(&found.created_at),
        by: found.created_by_name.clone(),
        pzp: view(&parse_pzp(&found.content)?),
    })
}
