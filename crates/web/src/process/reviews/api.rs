//! Medication reviews in the API: `GET` and `POST /api/v1/patients/{id}/medication-reviews`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use kernteam_app::Action;
use kernteam_domain::medication_reviews::{indication_code, participant_codes, ReviewInput};
use kernteam_store::program::MedicationReview;
use serde::Serialize;
use utoipa::ToSchema;

use super::indication_line;
use crate::api::doc::ApiErrorBody;
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::AppState;

/// The medication reviews' operations, for the API router and its document.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(api_list, api_record))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReviewIndication)]
pub struct ApiIndication {
    extract_date: NaiveDate,
    /// `polypharmacy`, `frail`, `both`, or null: not indicated.
    #[schema(value_type = Option<String>)]
    indication: Option<&'static str>,
    /// The indication in a Dutch sentence.
    label: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MedicationReview)]
pub struct ApiReview {
    id: i64,
    date: NaiveDate,
    /// The indication when the review was recorded (`polypharmacy`, `frail`, `both`).
    indication: Option<String>,
    /// Codes: huisarts, apotheker, specialist_ouderengeneeskunde.
    participants: Vec<String>,
    stopped: Option<String>,
    started: Option<String>,
    changed: Option<String>,
    follow_up: Option<NaiveDate>,
}

impl From<MedicationReview> for ApiReview {
    fn from(r: MedicationReview) -> Self {
        ApiReview {
            id: r.id,
            date: r.date,
            indication: r.indication,
            participants: participant_codes(&r.participants),
            stopped: r.stopped,
            started: r.started,
            changed: r.changed,
            follow_up: r.follow_up,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MedicationReviews)]
pub struct ApiReviews {
    /// From the practice's latest extract; null when the patient is not in it.
    indication: Option<ApiIndication>,
    /// Whether the signed-in user may record one.
    can_record: bool,
    /// Newest first.
    reviews: Vec<ApiReview>,
}

/// The indication for a medication review (MBO) and the reviews, newest first
#[utoipa::path(get, path = "/api/v1/patients/{id}/medication-reviews", tag = "medication reviews",
    operation_id = "listMedicationReviews",
    params(("id" = i64, Path, description = "Patient id.")),
    responses(
        (status = 200, description = "The indication and the reviews.", body = ApiReviews),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiReviews>> {
    let app = &state.app;
    let v = app
        .visible(&cu.actor(), id, Action::ViewMedicationReviews, None)
        .await?;
    let now = app.review_indication(&v).await?;
    Ok(Json(ApiReviews {
        indication: now.map(|i| ApiIndication {
            extract_date: i.extract_date,
            indication: i.indication.map(indication_code),
            label: indication_line(Some(i)).0,
        }),
        can_record: v.access().contribute,
        reviews: app
            .medication_reviews(&v)
            .await?
            .into_iter()
            .map(ApiReview::from)
            .collect(),
    }))
}

/// Record a medication review (MBO)
///
/// Anyone who may contribute. The indication of the practice's latest extract is stored with it.
#[utoipa::path(post, path = "/api/v1/patients/{id}/medication-reviews", tag = "medication reviews",
    operation_id = "recordMedicationReview",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = ReviewInput,
    responses(
        (status = 201, description = "The review as recorded.", body = ApiReview),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not contribute.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 422, description = "The review breaks a rule; every problem in details.", body = ApiErrorBody)))]
pub async fn api_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    input: Body<ReviewInput>,
) -> ApiResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let input = input.parse()?;
    let stored = state.app.record_medication_review(&c, &input).await?;
    Ok((StatusCode::CREATED, Json(ApiReview::from(stored))).into_response())
}
