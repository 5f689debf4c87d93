//! The PZP in the API: `GET` and `PUT /api/v1/patients/{id}/pzp`.

use axum::extract::State;
use axum::Json;
use kernteam_app::pzp::PzpSaved;
use kernteam_app::Action;
use kernteam_domain::pzp::AdvanceCarePlan;
use serde::{Deserialize, Serialize};

use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct ApiVersion {
    version: i64,
    at: String,
    by: String,
    /// What changed from the version before, one line per change (Dutch).
    changes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiPzp {
    /// The current version; 0 when there is no PZP yet (`pzp` is then blank).
    version: i64,
    at: Option<String>,
    by: Option<String>,
    /// Whether the signed-in user may save a new version.
    can_edit: bool,
    /// Codes or names of the treatments the patient does not want.
    limits: Vec<String>,
    pzp: AdvanceCarePlan,
    /// Every version, newest first.
    versions: Vec<ApiVersion>,
}

/// `GET /api/v1/patients/{id}/pzp`: the current PZP and its versions.
pub async fn api_show(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiPzp>> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewPzp, None).await?;
    let record = state.app.pzp(&v).await?;
    let newest = record.versions.first();
    Ok(Json(ApiPzp {
        version: record.version,
        at: newest.map(|x| x.created_at.clone()),
        by: newest.map(|x| x.created_by_name.clone()),
        can_edit: v.access().contribute,
        limits: record.current.limits().map(|w| w.treatment.clone()).collect(),
        pzp: record.current,
        versions: record
            .versions
            .into_iter()
            .map(|x| ApiVersion {
                version: x.version,
                at: x.created_at,
                by: x.created_by_name,
                changes: x.summary.lines().map(str::to_string).collect(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct ApiSave {
    /// The version the client started from (0 when there was none).
    based_on: i64,
    pzp: AdvanceCarePlan,
}

#[derive(Debug, Serialize)]
pub struct ApiSaved {
    /// False when the PZP equals the current version: nothing was written.
    saved: bool,
    /// The current version afterwards.
    version: i64,
    changes: Vec<String>,
}

/// `PUT /api/v1/patients/{id}/pzp`: saves a new version; 409 when someone else saved
/// since `based_on`.
pub async fn api_save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<ApiSave>,
) -> ApiResult<Json<ApiSaved>> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let body = body.parse()?;
    Ok(Json(match state.app.save_pzp(&c, body.based_on, body.pzp).await? {
        PzpSaved::Unchanged { version } => ApiSaved {
            saved: false,
            version,
            changes: Vec::new(),
        },
        PzpSaved::Saved { version, changes } => ApiSaved {
            saved: true,
            version,
            changes,
        },
    }))
}
