//! The practice's decisions for a patient in the API: inclusion and exclusion, the care
//! team and the first point of contact.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kernteam_app::team::MemberInput;
use kernteam_app::Action;
use kernteam_domain::care::DecisionKind;
use kernteam_domain::decisions::DecisionInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::doc::ApiErrorBody;
use super::patient_record::{member_view, DecisionView, Member};
use super::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;

pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(decide))
        .routes(routes!(team, add_member))
        .routes(routes!(remove_member))
        .routes(routes!(set_first_contact))
}

/// A new member of the care team: a professional with an account (`user_id`), one
/// without (`name`, `role`, `organisation`), or a mantelzorger (`name`, `relation`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MemberBody {
    /// `professional` or `mantelzorger`.
    kind: String,
    user_id: Option<i64>,
    name: Option<String>,
    role: Option<String>,
    organisation: Option<String>,
    relation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

impl From<MemberBody> for MemberInput {
    fn from(b: MemberBody) -> Self {
        MemberInput {
            kind: b.kind,
            user_id: b.user_id,
            name: b.name,
            role: b.role,
            organisation: b.organisation,
            relation: b.relation,
            phone: b.phone,
            email: b.email,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DecisionBody {
    kind: String,
    decided_on: String,
    deciding_gp: Option<String>,
    reason: Option<String>,
    considerations: Option<String>,
    /// Inclusion only: why this inclusion is an exception to the rule (the patient is
    /// younger than 75 or has no frail-elder episode in the latest extract); required then.
    exception_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Decided {
    decision: DecisionView,
    /// The program status today, after this decision.
    status: &'static str,
}

/// Inclusion or exclusion, as the page's forms. Practice clinicians only (others who may
/// see the patient get 403).
#[utoipa::path(post, path = "/api/v1/patients/{id}/decisions", tag = "patients", operation_id = "recordDecision",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = DecisionBody,
    responses((status = 201, description = "The decision and the resulting status.", body = Decided),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not decide.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<DecisionBody>,
) -> ApiResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let body = body.parse()?;
    let kind = DecisionKind::from_code(body.kind.trim())
        .ok_or_else(|| AppError::invalid("Kies bij kind 'inclusion' (inclusie) of 'exclusion' (exclusie)."))?;
    let input = DecisionInput {
        decided_on: body.decided_on,
        deciding_gp: body.deciding_gp,
        reason: body.reason,
        considerations: body.considerations,
        exception_reason: body.exception_reason,
    };
    let decision_id = state.app.record_decision(&d, kind, input).await?;
    let (decision, status) = state.app.decided(&d, decision_id).await?;
    let decision = DecisionView::from(&decision);
    Ok((
        StatusCode::CREATED,
        Json(Decided {
            decision,
            status: status.code(),
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Team {
    members: Vec<Member>,
    /// Member id of the first point of contact.
    first_contact: Option<i64>,
}

/// The care team: its active members and the first point of contact.
#[utoipa::path(get, path = "/api/v1/patients/{id}/team", tag = "care team", operation_id = "getCareTeam",
    params(("id" = i64, Path, description = "Patient id.")),
    responses((status = 200, description = "The active members.", body = Team),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn team(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Team>> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewTeam, None).await?;
    let first = state.app.first_contact(&v).await?.map(|m| m.id);
    Ok(Json(Team {
        members: state
            .app
            .team(&v)
            .await?
            .iter()
            .map(|m| member_view(m, first))
            .collect(),
        first_contact: first,
    }))
}

/// Adds a professional (by `user_id`, or by name) or a mantelzorger to the care team.
/// Practice clinicians only.
#[utoipa::path(post, path = "/api/v1/patients/{id}/team", tag = "care team", operation_id = "addCareTeamMember",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = MemberBody,
    responses((status = 201, description = "The new member.", body = Member),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not decide.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    input: Body<MemberBody>,
) -> ApiResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let input = input.parse()?.into();
    let member_id = state.app.add_team_member(&d, input).await?;
    let m = state.app.added_member(&d, member_id).await?;
    Ok((StatusCode::CREATED, Json(member_view(&m, None))).into_response())
}

/// Ends a membership of the care team. Practice clinicians only.
#[utoipa::path(delete, path = "/api/v1/patients/{id}/team/{member}", tag = "care team",
    operation_id = "removeCareTeamMember",
    params(("id" = i64, Path, description = "Patient id."), ("member" = i64, Path, description = "Id of the care-team membership.")),
    responses((status = 204, description = "Removed."),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not decide.", body = ApiErrorBody),
        (status = 404, description = "No such patient or member, or the user may not see them.", body = ApiErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((id, member)): Id<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let d = state.app.decider(&cu.actor(), id).await?;
    state.app.remove_team_member(&d, member).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FirstContactBody {
    member_id: i64,
    /// When the assignment is to be evaluated (`YYYY-MM-DD`, after today); by default a year from today.
    #[serde(default)]
    evaluate_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirstContact {
    first_contact: Member,
}

/// Makes a professional of the care team the first point of contact. Practice clinicians only.
#[utoipa::path(put, path = "/api/v1/patients/{id}/first-contact", tag = "care team", operation_id = "setFirstContact",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = FirstContactBody,
    responses((status = 200, description = "The first point of contact.", body = FirstContact),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not decide.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn set_first_contact(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<FirstContactBody>,
) -> ApiResult<Json<FirstContact>> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let body = body.parse()?;
    let m = state
        .app
        .set_first_contact(&d, body.member_id, body.evaluate_on)
        .await?;
    Ok(Json(FirstContact {
        first_contact: member_view(&m, Some(m.id)),
    }))
}
