//! Consultations in the API: `GET` and `POST /api/v1/patients/{id}/consultations`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use kernteam_app::Action;
use kernteam_domain::consultations::ConsultationInput;
use kernteam_store::program::Consultation;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::doc::ApiErrorBody;
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::AppState;

/// The consultations' operations, for the API router and its document.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(api_list, api_record))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Consultation)]
pub struct ApiConsultation {
    id: i64,
    date: NaiveDate,
    question: String,
    advice: Option<String>,
    /// A code: consultatie, medebehandeling, in_mdo.
    kind: String,
    /// A code: zvw, wlz.
    funding: String,
    so_name: String,
}

impl From<Consultation> for ApiConsultation {
    fn from(c: Consultation) -> Self {
        ApiConsultation {
            id: c.id,
            date: c.date,
            question: c.question,
            advice: c.advice,
            kind: c.kind,
            funding: c.funding,
            so_name: c.so_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Consultations)]
pub struct ApiConsultations {
    /// Whether the signed-in user may record one.
    can_record: bool,
    /// Newest first.
    consultations: Vec<ApiConsultation>,
}

/// The consultations of the elderly-care physician (SO), newest first
#[utoipa::path(get, path = "/api/v1/patients/{id}/consultations", tag = "so consultations",
    operation_id = "listConsultations",
    params(("id" = i64, Path, description = "Patient id.")),
    responses(
        (status = 200, description = "The consultations.", body = ApiConsultations),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
) -> ApiResult<Json<ApiConsultations>> {
    let v = state
        .app
        .visible(&cu.actor(), id, Action::ViewConsultations, None)
        .await?;
    Ok(Json(ApiConsultations {
        can_record: v.access().contribute,
        consultations: state
            .app
            .consultations(&v)
            .await?
            .into_iter()
            .map(ApiConsultation::from)
            .collect(),
    }))
}

/// Record a consultation of the elderly-care physician (SO)
///
/// Anyone who may contribute. When so_name is empty and the user is an SO, the user is the SO.
#[utoipa::path(post, path = "/api/v1/patients/{id}/consultations", tag = "so consultations",
    operation_id = "recordConsultation",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = ConsultationInput,
    responses(
        (status = 201, description = "The consultation as recorded.", body = ApiConsultation),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not contribute.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 422, description = "The consultation breaks a rule; every problem in details.", body = ApiErrorBody)))]
pub async fn api_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    input: Body<ConsultationInput>,
) -> ApiResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let input = input.parse()?;
    let stored = state.app.record_consultation(&c, &input).await?;
    Ok((StatusCode::CREATED, Json(ApiConsultation::from(stored))).into_response())
}
