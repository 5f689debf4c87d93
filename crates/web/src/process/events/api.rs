//! The events in the JSON API: a patient's events with their handover clock, recording an
//! event and a sent handover, and the MDOs that discussed the patient.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, Utc};
use kernteam_app::events::EventInput;
use kernteam_app::Action;
use kernteam_domain::events::{EventKind, MdoLevel};
use serde::{Deserialize, Serialize};
use utoipa::openapi::{RefOr, Schema};

use super::{event_view, rfc3339_input, EventView};
use crate::api::doc::ApiErrorBody;
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;

/// The API routes of the events, with their part of the OpenAPI document.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api_list, api_record))
        .routes(routes!(api_handover))
        .routes(routes!(api_mdo_history))
}

/// A string schema with the given values, for the document.
pub(crate) fn string_enum(values: &[&str], description: Option<&str>) -> RefOr<Schema> {
    let mut schema = serde_json::json!({ "type": "string", "enum": values });
    if let Some(d) = description {
        schema["description"] = d.into();
    }
    RefOr::T(serde_json::from_value(schema).expect("a string schema"))
}

/// The code of an event's kind (`kernteam_domain::events::EventKind`), for the document.
pub struct EventKindCode;

impl utoipa::PartialSchema for EventKindCode {
    fn schema() -> RefOr<Schema> {
        let codes: Vec<&str> = EventKind::ALL.iter().map(|k| k.code()).collect();
        string_enum(&codes, Some("What happened."))
    }
}

impl utoipa::ToSchema for EventKindCode {
    fn name() -> std::borrow::Cow<'static, str> {
        "EventKind".into()
    }
}

/// The state of a handover (`HandoverView::status`), for the document.
pub struct HandoverStatusCode;

impl utoipa::PartialSchema for HandoverStatusCode {
    fn schema() -> RefOr<Schema> {
        string_enum(&["not_needed", "open", "overdue", "sent_in_time", "sent_late"], None)
    }
}

impl utoipa::ToSchema for HandoverStatusCode {}

/// The level of an MDO (`kernteam_domain::events::MdoLevel`), for the document.
pub struct MdoLevelCode;

impl utoipa::PartialSchema for MdoLevelCode {
    fn schema() -> RefOr<Schema> {
        let codes: Vec<&str> = MdoLevel::ALL.iter().map(|l| l.code()).collect();
        string_enum(&codes, None)
    }
}

impl utoipa::ToSchema for MdoLevelCode {}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Events)]
pub struct ApiEvents {
    /// Newest first.
    events: Vec<EventView>,
    /// Whether the signed-in user may record events and send handovers.
    can_record: bool,
    /// The organisations a handover can be sent to.
    recipients: Vec<Recipient>,
}

/// An organisation a handover can be sent to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Recipient {
    id: i64,
    name: String,
    /// The kind in Dutch (Wijkverpleging, Ziekenhuis …).
    kind: &'static str,
}

/// The patient's events (SEH, ELV, admissions, discharges, falls) with the handover clock
///
/// Everyone who may see the patient; the read is logged.
#[utoipa::path(get, path = "/api/v1/patients/{id}/events", tag = "events", operation_id = "listEvents",
    params(("id" = i64, Path, description = "Patient id.")),
    responses((status = 200, description = "The events, newest first.", body = ApiEvents),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiEvents>> {
    let app = &state.app;
    let v = app.visible(&cu.actor(), id, Action::ViewEvents, None).await?;
    let now = Utc::now();
    Ok(Json(ApiEvents {
        events: {
            let sent = app.handovers(&v).await?;
            app.events(&v)
                .await?
                .iter()
                .map(|e| event_view(e, &sent, now))
                .collect()
        },
        can_record: v.access().contribute,
        recipients: app
            .handover_recipients(&v)
            .await?
            .into_iter()
            .map(|o| Recipient {
                id: o.id,
                name: o.name,
                kind: o.kind.label(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = EventInput)]
pub struct ApiNewEvent {
    #[schema(value_type = EventKindCode, inline)]
    kind: String,
    /// RFC 3339 with an offset; not in the future.
    #[schema(format = DateTime)]
    occurred_at: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    notes: Option<String>,
}

/// Record an event
///
/// Anyone who may contribute. occurred_at is RFC 3339 with an offset and not in the future; it is
/// stored in UTC. Admissions and discharges start the 24-hour handover clock.
#[utoipa::path(post, path = "/api/v1/patients/{id}/events", tag = "events", operation_id = "recordEvent",
    params(("id" = i64, Path, description = "Patient id.")),
    request_body = ApiNewEvent,
    responses((status = 201, description = "The event as recorded.", body = EventView),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not contribute.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
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
    Ok((StatusCode::CREATED, Json(event_view(&event, &[], Utc::now()))).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = HandoverInput)]
pub struct ApiSend {
    /// The organisation that receives the handover: one of `recipients` of the events.
    organisation_id: Option<i64>,
    /// No longer accepted: a handover is sent now, as a document (422 when given).
    #[serde(default)]
    #[schema(format = DateTime)]
    sent_at: Option<String>,
}

/// Send the handover summary of a referral, admission, ELV stay or discharge to an organisation
///
/// Anyone who may contribute. Builds the summary (first point of contact and care team, care
/// plan, PZP wishes and limits, active episodes and medication, recent events) as a FHIR
/// document, stores it as sent to the organisation, now, by the signed-in user, and audits it.
/// The first one sent meets the event's 24-hour clock; sent more than 24 hours after the event
/// it counts as late. It can be sent again, to another organisation. 422 for an event that
/// needs no handover or an unknown organisation.
#[utoipa::path(post, path = "/api/v1/patients/{id}/events/{event}/handover", tag = "events",
    operation_id = "sendHandover",
    params(("id" = i64, Path, description = "Patient id."), ("event" = i64, Path, description = "Event id.")),
    request_body = ApiSend,
    responses((status = 201, description = "The event with its handovers; the new one last.", body = EventView),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not contribute.", body = ApiErrorBody),
        (status = 404, description = "No such patient or event, or the user may not see them.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn api_handover(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((id, event)): Id<(i64, i64)>,
    headers: axum::http::HeaderMap,
    body: Body<ApiSend>,
) -> ApiResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let body = body.parse()?;
    if body.sent_at.is_some() {
        return Err(AppError::invalid(
            "sent_at wordt niet meer aangenomen: een overdracht wordt nu verstuurd, als document aan een organisatie.",
        )
        .into());
    }
    let base = crate::fhir::base_url(&state, &headers);
    app.send_handover(&c, event, body.organisation_id, &base, Utc::now())
        .await?;
    let v = app
        .reread(&c, Action::ViewEvents, Some("na versturen overdracht".into()))
        .await?;
    let sent = app.handovers(&v).await?;
    let e = app
        .events(&v)
        .await?
        .into_iter()
        .find(|e| e.id == event)
        .ok_or(kernteam_app::Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(event_view(&e, &sent, Utc::now()))).into_response())
}

/// One discussion of the patient in an MDO.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MdoDiscussion {
    pub meeting_id: i64,
    pub date: NaiveDate,
    /// `praktijk` or `netwerk`.
    #[schema(value_type = MdoLevelCode, inline)]
    pub level: String,
    pub reason: Option<String>,
    pub discussed: bool,
    pub minutes: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = PatientMdoHistory)]
pub struct ApiMdoHistory {
    /// Newest first.
    meetings: Vec<MdoDiscussion>,
}

/// The meetings whose agenda held the patient, with reason and minutes
///
/// Everyone who may see the patient, network professionals on the care team included (they
/// do not see the practice's MDO pages). The read is logged.
#[utoipa::path(get, path = "/api/v1/patients/{id}/mdo", tag = "mdo", operation_id = "getPatientMdoHistory",
    params(("id" = i64, Path, description = "Patient id.")),
    responses((status = 200, description = "The meetings, newest first.", body = ApiMdoHistory),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
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
