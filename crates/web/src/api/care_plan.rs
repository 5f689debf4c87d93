//! The individual care plan in the API, in the domain's `CarePlan` shape.

use axum::extract::State;
use axum::Json;
use kernteam_domain::care::CarePlan;
use serde::{Deserialize, Serialize};

use super::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::patients::{allowed, audit};
use crate::records::{self, parse_plan, PlanSaved};
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct Current {
    /// The current version; 0 when there is no care plan yet (`plan` is then empty).
    version: i64,
    /// When and by whom the current version was saved.
    at: Option<String>,
    by: Option<String>,
    /// Whether the signed-in user may save a new version.
    can_edit: bool,
    plan: CarePlan,
}

/// `GET /api/v1/patients/{id}/care-plan`.
pub async fn show(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Current>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "zorgplan ingezien", None).await?;
    let versions = state.db.care_plan_versions(id).await?;
    let current = match versions.first() {
        Some(v) => Current {
            version: v.version,
            at: Some(v.created_at.clone()),
            by: Some(v.created_by_name.clone()),
            can_edit: a.access.contribute,
            plan: parse_plan(&v.content)?,
        },
        None => Current {
            version: 0,
            at: None,
            by: None,
            can_edit: a.access.contribute,
            plan: CarePlan::default(),
        },
    };
    Ok(Json(current))
}

#[derive(Debug, Serialize)]
pub struct Version {
    version: i64,
    at: String,
    by: String,
    /// What changed from the version before, one line per change (Dutch).
    changes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Versions {
    /// Newest first.
    versions: Vec<Version>,
}

/// `GET /api/v1/patients/{id}/care-plan/versions`.
pub async fn versions(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Versions>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "zorgplan: versies ingezien", None).await?;
    let versions = state
        .db
        .care_plan_versions(id)
        .await?
        .into_iter()
        .map(|v| Version {
            version: v.version,
            at: v.created_at,
            by: v.created_by_name,
            changes: v.summary.lines().map(str::to_string).collect(),
        })
        .collect();
    Ok(Json(Versions { versions }))
}

#[derive(Debug, Deserialize)]
pub struct SaveBody {
    /// The version the client started from (0 when there was none).
    based_on: i64,
    plan: CarePlan,
}

#[derive(Debug, Serialize)]
pub struct Saved {
    /// False when the plan equals the current version: nothing was written.
    saved: bool,
    /// The current version after the request.
    version: i64,
    changes: Vec<String>,
}

/// `PUT /api/v1/patients/{id}/care-plan`: saves a new version; 409 when someone else
/// saved since `based_on`.
pub async fn save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<SaveBody>,
) -> ApiResult<Json<Saved>> {
    let a = allowed(&state, &cu, id).await?;
    records::require(a.access.contribute)?;
    let body = body.parse()?;
    let saved = match records::save_care_plan(&state, &cu, &a, body.based_on, body.plan).await? {
        PlanSaved::Unchanged { version } => Saved {
            saved: false,
            version,
            changes: Vec::new(),
        },
        PlanSaved::Saved { version, changes } => Saved {
            saved: true,
            version,
            changes,
        },
    };
    Ok(Json(saved))
}
