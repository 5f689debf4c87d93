//! The individual care plan in the API, in the domain's `CarePlan` shape.

use axum::extract::State;
use axum::Json;
use kernteam_domain::care::CarePlan;
use serde::{Deserialize, Serialize};

use kernteam_app::patients::parse_plan;
use kernteam_app::team::PlanSaved;
use kernteam_app::Action;
use utoipa::ToSchema;

use super::doc::ApiErrorBody;
use super::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::AppState;

pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(show, save))
        .routes(routes!(versions))
}

#[derive(Debug, Serialize, ToSchema)]
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

/// The current care plan.
#[utoipa::path(get, path = "/api/v1/patients/{id}/care-plan", tag = "care plan", operation_id = "getCarePlan",
    params(("id" = i64, Path, description = "Patient id.")),
    responses((status = 200, description = "The current version (0: none yet).", body = Current),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn show(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Current>> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewCarePlan, None).await?;
    let can_edit = v.access().contribute;
    let versions = state.app.care_plan_versions(&v).await?;
    let current = match versions.first() {
        Some(v) => Current {
            version: v.version,
            at: Some(v.created_at.clone()),
            by: Some(v.created_by_name.clone()),
            can_edit,
            plan: parse_plan(&v.content)?,
        },
        None => Current {
            version: 0,
            at: None,
            by: None,
            can_edit,
            plan: CarePlan::default(),
        },
    };
    Ok(Json(current))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    version: i64,
    at: String,
    by: String,
    /// What changed from the version before, one line per change (Dutch).
    changes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Versions {
    /// Newest first.
    versions: Vec<Version>,
}

/// Every version of the care plan with what changed, newest first.
#[utoipa::path(get, path = "/api/v1/patients/{id}/care-plan/versions", tag = "care plan",
    operation_id = "getCarePlanVersions",
    params(("id" = i64, Path, description = "Patient id.")),
    responses((status = 200, description = "The versions.", body = Versions),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn versions(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Versions>> {
    let v = state
        .app
        .visible(&cu.actor(), id, Action::ViewCarePlanVersions, None)
        .await?;
    let versions = state
        .app
        .care_plan_versions(&v)
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct SaveBody {
    /// The version the client started from (0 when there was none).
    based_on: i64,
    plan: CarePlan,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Saved {
    /// False when the plan equals the current version: nothing was written.
    saved: bool,
    /// The current version after the request.
    version: i64,
    changes: Vec<String>,
}

/// Saves a new version of the care plan; 409 when someone else saved since `based_on`.
#[utoipa::path(put, path = "/api/v1/patients/{id}/care-plan", tag = "care plan", operation_id = "saveCarePlan",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = SaveBody,
    responses((status = 200, description = "Saved (or unchanged).", body = Saved),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not write the care plan.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 409, description = "Someone else saved first.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<SaveBody>,
) -> ApiResult<Json<Saved>> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let body = body.parse()?;
    let saved = match state.app.save_care_plan(&c, body.based_on, body.plan).await? {
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
