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

use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::AppState;

#[derive(Debug, Serialize)]
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

#[derive(Debug, Serialize)]
pub struct ApiConsultations {
    /// Whether the signed-in user may record one.
    can_record: bool,
    /// Newest first.
    consultations: Vec<ApiConsultation>,
}

/// `GET /api/v1/patients/{id}/consultations`.
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

/// `POST /api/v1/patients/{id}/consultations`: 201 with the consultation.
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
