//! The PZP in the API: `GET` and `PUT /api/v1/patients/{id}/pzp`.

use axum::extract::State;
use axum::Json;
use kernteam_app::pzp::{parse_pzp, PzpSaved};
use kernteam_app::Action;
use kernteam_domain::pzp::{AdvanceCarePlan, PzpPerson};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::doc::ApiErrorBody;
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::AppState;

/// The PZP's operations, for the API router and its document.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(api_show, api_save))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PzpVersion)]
pub struct ApiVersion {
    version: i64,
    #[schema(format = DateTime)]
    at: String,
    by: String,
    /// What changed from the version before, one line per change (Dutch).
    changes: Vec<String>,
    /// The huisarts who had agreed the wishes and limits in this version.
    responsible_gp: Option<PzpPerson>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CurrentPzp)]
pub struct ApiPzp {
    /// The current version; 0 when there is no PZP yet (`pzp` is then blank).
    version: i64,
    /// When the current version was saved.
    #[schema(format = DateTime)]
    at: Option<String>,
    /// Who saved the current version.
    by: Option<String>,
    /// Whether the signed-in user may save a new version (the practice's clinicians).
    can_edit: bool,
    /// Whether the signed-in user may change the treatment wishes and limits and the GP
    /// responsible for them (a huisarts of the practice).
    can_change_limits: bool,
    /// The huisarts who agreed the current wishes and limits (also in `pzp`).
    responsible_gp: Option<PzpPerson>,
    /// Codes or names of the treatments the patient does not want.
    limits: Vec<String>,
    pzp: AdvanceCarePlan,
    /// Every version, newest first.
    versions: Vec<ApiVersion>,
}

/// The proactive care planning (PZP) and its versions
///
/// Everyone who may see the patient, network professionals on the care team included.
/// `limits` lists the treatments the patient does not want (decision niet).
#[utoipa::path(get, path = "/api/v1/patients/{id}/pzp", tag = "pzp", operation_id = "getPzp",
    params(("id" = i64, Path, description = "Patient id.")),
    responses(
        (status = 200, description = "The current version (0 and a blank PZP when there is none) and every version.", body = ApiPzp),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn api_show(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiPzp>> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewPzp, None).await?;
    let record = state.app.pzp(&v).await?;
    let newest = record.versions.first();
    Ok(Json(ApiPzp {
        version: record.version,
        at: newest.map(|x| x.created_at.clone()),
        by: newest.map(|x| x.created_by_name.clone()),
        can_edit: v.access().edit_pzp,
        can_change_limits: v.access().change_limits,
        responsible_gp: record.current.responsible_gp.clone(),
        limits: record.current.limits().map(|w| w.treatment.clone()).collect(),
        pzp: record.current,
        versions: record
            .versions
            .into_iter()
            .map(|x| {
                Ok(ApiVersion {
                    version: x.version,
                    responsible_gp: parse_pzp(&x.content)?.responsible_gp,
                    at: x.created_at,
                    by: x.created_by_name,
                    changes: x.summary.lines().map(str::to_string).collect(),
                })
            })
            .collect::<kernteam_app::Result<_>>()?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PzpSave)]
pub struct ApiSave {
    /// The version the client started from (0 when there was none).
    #[schema(minimum = 0)]
    based_on: i64,
    pzp: AdvanceCarePlan,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PzpSaved)]
pub struct ApiSaved {
    /// False when the PZP equals the current version: nothing was written.
    saved: bool,
    /// The current version afterwards.
    version: i64,
    /// What changed, one line per change (Dutch).
    changes: Vec<String>,
}

/// Save the PZP as a new version
///
/// The practice's clinicians (huisarts, POH-O, verpleegkundig specialist, physician
/// assistant); network professionals read the PZP but get 403 here. Only a huisarts of the
/// practice may change the treatment wishes and limits (a decision wel or niet added,
/// changed or removed) or responsible_gp: anyone else gets 403 and nothing is written.
/// responsible_gp must be a huisarts account of the practice; a huisarts who changes the
/// limits without naming one is recorded as responsible. The carers of a new conversation
/// must be mantelzorgers on the patient's care team (by member id). Texts are trimmed, empty rows of other treatments dropped, missing
/// standard treatments added as not yet discussed. A treatment with decision wel or niet
/// needs recorded_on and recorded_by; dates of conversations and recordings may not lie in
/// the future. based_on is the version the client started from (0 for a first PZP); when
/// someone saved since, nothing is written and the answer is 409. A PZP equal to the
/// current version writes nothing (saved: false).
#[utoipa::path(put, path = "/api/v1/patients/{id}/pzp", tag = "pzp", operation_id = "savePzp",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = ApiSave,
    responses(
        (status = 200, description = "What was saved.", body = ApiSaved),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not edit the PZP, or not change its treatment limits.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 409, description = "Someone else saved since based_on; nothing written.", body = ApiErrorBody),
        (status = 422, description = "The PZP breaks a rule; every problem in details.", body = ApiErrorBody)))]
pub async fn api_save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<ApiSave>,
) -> ApiResult<Json<ApiSaved>> {
    let c = state.app.pzp_editor(&cu.actor(), id).await?;
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
