//! The events in the JSON API: a patient's events with their handover clock, recording an
//! event and a sent handover, and the MDOs that discussed the patient.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, Utc};
use kernteam_app::events::EventInput;
use kernteam_app::Action;
use serde::{Deserialize, Serialize};

use super::{event_view, rfc3339_input, EventView};
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiEvents {
    /// Newest first.
    events: Vec<EventView>,
    /// Whether the signed-in user may record events and handovers.
    can_record: bool,
}

/// `GET /api/v1/patients/{id}/events`.
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiEvents>> {
    let app = &state.app;
    let v = app.visible(&cu.actor(), id, Action::ViewEvents, None).await?;
    let now = Utc::now();
    Ok(Json(ApiEvents {
        events: app.events(&v).await?.iter().map(|e| event_view(e, now)).collect(),
        can_record: v.access().contribute,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ApiNewEvent {
    /// The kind's code, e.g. `ontslag_ziekenhuis`.
    kind: String,
    /// RFC 3339 with an offset.
    occurred_at: String,
    #[serde(default)]
    notes: Option<String>,
}

/// `POST /api/v1/patients/{id}/events`: 201 with the event.
pub async fn api_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<ApiNewEvent>,
) -> ApiResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let body = body.parse()?;
    let event = app
        .record_event(
            &c,
            EventInput {
                kind: body.kind,
                occurred_at: rfc3339_input(&body.occurred_at, "occurred_at"),
                notes: body.notes,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(event_view(&event, Utc::now()))).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApiSent {
    /// RFC 3339; absent or null: now.
    sent_at: Option<String>,
}

/// `POST /api/v1/patients/{id}/events/{event}/handover`: the event with its handover.
pub async fn api_handover(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((id, event)): Id<(i64, i64)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<EventView>> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let body: ApiSent = if body.iter().all(u8::is_ascii_whitespace) {
        ApiSent::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::invalid(format!("De JSON heeft niet de verwachte vorm: {e}")))?
    };
    let sent_at = body.sent_at.map(|s| rfc3339_input(&s, "sent_at"));
    let event = app.mark_handover(&c, event, sent_at).await?;
    Ok(Json(event_view(&event, Utc::now())))
}

/// One discussion of the patient in an MDO.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MdoDiscussion {
    pub meeting_id: i64,
    pub date: NaiveDate,
    /// `praktijk` or `netwerk`.
    pub level: String,
    pub reason: Option<String>,
    pub discussed: bool,
    pub minutes: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiMdoHistory {
    /// Newest first.
    meetings: Vec<MdoDiscussion>,
}

/// `GET /api/v1/patients/{id}/mdo`: the MDOs that discussed the patient (also for the
/// network professionals on the care team, who do not see the practice's MDO pages).
pub async fn api_mdo_history(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
) -> ApiResult<Json<ApiMdoHistory>> {
    let app = &state.app;
    let v = app.visible(&cu.actor(), id, Action::ViewMdoMeetings, None).await?;
    Ok(Json(ApiMdoHistory {
        meetings: app
            .mdo_history(&v)
            .await?
            .into_iter()
            .map(|m| MdoDiscussion {
                meeting_id: m.meeting_id,
                date: m.date,
                level: m.level,
                reason: m.reason,
                discussed: m.discussed,
                minutes: m.minutes,
            })
            .collect(),
    }))
}
