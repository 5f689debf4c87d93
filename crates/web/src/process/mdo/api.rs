//! The MDO part of the JSON API (`/api/v1/mdo…`): the practice's meetings, planning one, a
//! meeting with its agenda, attendance and suggestions (every patient shown is a logged
//! read), putting a patient on the agenda, the attendance and the minutes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use kernteam_app::mdo::{AgendaShown, Candidate, MinutesSaved, Quarter};
use kernteam_domain::mdo::{AttendanceInput, MinutesInput, PlanInput};
use kernteam_store::program::{Attendance, Meeting};
use serde::{Deserialize, Serialize};

use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;
use axum::extract::State;

#[derive(Debug, Serialize)]
pub struct ApiMeeting {
    id: i64,
    date: NaiveDate,
    /// `praktijk` or `netwerk`.
    level: String,
    /// Codes of the invited disciplines.
    invited: Vec<String>,
    held: bool,
    notes: Option<String>,
    agenda_count: i64,
}

impl From<&Meeting> for ApiMeeting {
    fn from(m: &Meeting) -> Self {
        ApiMeeting {
            id: m.id,
            date: m.date,
            level: m.level.clone(),
            invited: m.invited.clone(),
            held: m.held,
            notes: m.notes.clone(),
            agenda_count: m.agenda_count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ApiMeetings {
    /// Whether the signed-in user may plan meetings and record attendance.
    can_plan: bool,
    /// Newest quarter first.
    quarters: Vec<Quarter>,
    /// Newest first.
    meetings: Vec<ApiMeeting>,
}

/// `GET /api/v1/mdo`.
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser) -> ApiResult<Json<ApiMeetings>> {
    let list = async {
        let staff = state.app.practice_staff(&cu.actor()).await?;
        let o = state.app.mdo_overview(&staff).await?;
        AppResult::Ok(ApiMeetings {
            can_plan: o.can_plan,
            quarters: o.quarters,
            meetings: o.meetings.iter().map(ApiMeeting::from).collect(),
        })
    };
    Ok(Json(list.await?))
}

/// `POST /api/v1/mdo`: 201 with the meeting.
pub async fn api_plan(State(state): State<AppState>, cu: CurrentUser, body: Body<PlanInput>) -> ApiResult<Response> {
    let plan = async {
        let organiser = state.app.mdo_organiser(&cu.actor()).await?;
        AppResult::Ok(state.app.plan_mdo(&organiser, &body.parse()?).await?)
    };
    let m = plan.await?;
    Ok((StatusCode::CREATED, Json(ApiMeeting::from(&m))).into_response())
}

#[derive(Debug, Serialize)]
pub struct ApiAgendaItem {
    patient_id: i64,
    name: String,
    reason: Option<String>,
    discussed: bool,
    minutes: Option<String>,
}

impl From<AgendaShown> for ApiAgendaItem {
    fn from(a: AgendaShown) -> Self {
        ApiAgendaItem {
            patient_id: a.patient_id,
            name: a.name,
            reason: a.reason,
            discussed: a.discussed,
            minutes: a.minutes,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ApiAttendance {
    discipline: String,
    present: bool,
    name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiMeetingDetail {
    meeting: ApiMeeting,
    agenda: Vec<ApiAgendaItem>,
    attendance: Vec<ApiAttendance>,
    /// Patients the worklist suggests for the agenda (empty once the meeting is held).
    candidates: Vec<Candidate>,
}

fn attendance_json(list: Vec<Attendance>) -> Vec<ApiAttendance> {
    list.into_iter()
        .map(|a| ApiAttendance {
            discipline: a.discipline,
            present: a.present,
            name: a.name,
        })
        .collect()
}

/// `GET /api/v1/mdo/{meeting}`: the meeting, its agenda, the attendance and suggestions
/// for the agenda; a read record for every patient shown (agenda and suggestions).
pub async fn api_meeting(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(meeting): Id<i64>,
) -> ApiResult<Json<ApiMeetingDetail>> {
    let detail = async {
        let app = &state.app;
        let mm = app.mdo_meeting(&cu.actor(), meeting).await?;
        let agenda = app.mdo_agenda(&mm).await?;
        let candidates = app.mdo_candidates(&mm).await?;
        AppResult::Ok(ApiMeetingDetail {
            meeting: ApiMeeting::from(mm.meeting()),
            agenda: agenda.into_iter().map(ApiAgendaItem::from).collect(),
            attendance: attendance_json(app.mdo_attendance(&mm).await?),
            candidates,
        })
    };
    Ok(Json(detail.await?))
}

#[derive(Debug, Deserialize)]
pub struct ApiAgendaInput {
    patient_id: i64,
    reason: String,
}

/// `POST /api/v1/mdo/{meeting}/agenda`: 201 with the agenda item.
pub async fn api_add(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(meeting): Id<i64>,
    body: Body<ApiAgendaInput>,
) -> ApiResult<Response> {
    let add = async {
        let app = &state.app;
        let mm = app.mdo_meeting(&cu.actor(), meeting).await?;
        // Refused (and logged) before the body is read.
        app.mdo_writer(&mm).await?;
        let body = body.parse()?;
        app.add_to_mdo_agenda(&mm, body.patient_id, &body.reason).await?;
        AppResult::Ok(app.mdo_agenda_item(&mm, body.patient_id).await?)
    };
    let item = add.await?;
    Ok((StatusCode::CREATED, Json(ApiAgendaItem::from(item))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiAttendanceInput {
    attendance: Vec<AttendanceInput>,
    notes: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApiAttendanceSaved {
    held: bool,
    attendance: Vec<ApiAttendance>,
}

/// `PUT /api/v1/mdo/{meeting}/attendance`: replaces the attendance list.
pub async fn api_attendance(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(meeting): Id<i64>,
    body: Body<ApiAttendanceInput>,
) -> ApiResult<Json<ApiAttendanceSaved>> {
    let record = async {
        let app = &state.app;
        let actor = cu.actor();
        let mm = app.mdo_meeting(&actor, meeting).await?;
        let organiser = app.mdo_organiser(&actor).await?;
        let body = body.parse()?;
        AppResult::Ok(
            app.record_mdo_attendance(&organiser, &mm, &body.attendance, body.notes)
                .await?,
        )
    };
    Ok(Json(ApiAttendanceSaved {
        held: true,
        attendance: attendance_json(record.await?),
    }))
}

/// `POST /api/v1/mdo/{meeting}/agenda/{id}/minutes`: the minutes of patient `id`, with
/// decisions that become care-plan actions.
pub async fn api_minutes(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((meeting, id)): Id<(i64, i64)>,
    body: Body<MinutesInput>,
) -> ApiResult<Json<MinutesSaved>> {
    let record = async {
        let app = &state.app;
        let actor = cu.actor();
        let mm = app.mdo_meeting(&actor, meeting).await?;
        app.mdo_writer(&mm).await?;
        // Access first (404/403), then the body.
        app.contributor(&actor, id).await?;
        let body = body.parse()?;
        AppResult::Ok(app.record_mdo_minutes(&mm, id, &body).await?)
    };
    Ok(Json(record.await?))
}
