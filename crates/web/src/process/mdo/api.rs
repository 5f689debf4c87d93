//! The MDO part of the JSON API (`/api/v1/mdo…`): the practice's meetings, planning one, a
//! meeting with its agenda, attendance and suggestions (every patient shown is a logged
//! read), putting a patient on the agenda, the attendance and the minutes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use kernteam_app::mdo::{AgendaShown, Candidate, Limits, MinutesSaved, Quarter};
use kernteam_domain::mdo::{AttendanceInput, MinutesInput, PlanInput};
use kernteam_store::program::{Attendance, Invitee, Meeting};
use serde::{Deserialize, Serialize};

use crate::api::doc::ApiErrorBody;
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;

/// The MDO operations, for the API's router and document.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api_list, api_plan))
        .routes(routes!(api_meeting))
        .routes(routes!(api_add))
        .routes(routes!(api_attendance))
        .routes(routes!(api_minutes))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoMeeting)]
pub struct ApiMeeting {
    id: i64,
    date: NaiveDate,
    /// `praktijk`: practice MDO; `netwerk`: network MDO.
    level: String,
    /// Codes of the invited disciplines.
    invited: Vec<String>,
    /// Attendance or minutes are recorded.
    held: bool,
    notes: Option<String>,
    agenda_count: i64,
    /// `hh:mm`, when set.
    time: Option<String>,
    /// Where the meeting is held.
    place: Option<String>,
    /// The link of a video meeting.
    video_link: Option<String>,
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
            time: m.time.clone(),
            place: m.place.clone(),
            video_link: m.video_link.clone(),
        }
    }
}

/// Counts of one quarter.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoQuarter)]
pub struct ApiQuarter {
    /// E.g. `2027-Q1`.
    quarter: String,
    /// Held meetings (attendance or minutes recorded) with a date in the quarter.
    meetings_held: usize,
    /// Meetings in the quarter not (yet) held.
    meetings_planned: usize,
    /// Different patients with minutes in the quarter's held meetings.
    patients_discussed: usize,
}

impl From<Quarter> for ApiQuarter {
    fn from(q: Quarter) -> Self {
        ApiQuarter {
            quarter: q.quarter,
            meetings_held: q.meetings_held,
            meetings_planned: q.meetings_planned,
            patients_discussed: q.patients_discussed,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoMeetings)]
pub struct ApiMeetings {
    /// Whether the signed-in user may plan meetings and record attendance.
    can_plan: bool,
    /// Newest quarter first.
    quarters: Vec<ApiQuarter>,
    /// Newest first.
    meetings: Vec<ApiMeeting>,
}

/// `GET /api/v1/mdo`.
#[utoipa::path(get, path = "/api/v1/mdo", tag = "mdo", operation_id = "listMdoMeetings",
    description = "Practice staff only (others get 403): MDO pages and data are the practice's. A meeting counts \
        as held once its attendance or minutes are recorded, as in the quarterly report's mdo_count.",
    responses((status = 200, description = "The meetings, newest first, and the quarters.", body = ApiMeetings),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "Not practice staff.", body = ApiErrorBody)))]
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser) -> ApiResult<Json<ApiMeetings>> {
    let list = async {
        let staff = state.app.practice_staff(&cu.actor()).await?;
        let o = state.app.mdo_overview(&staff).await?;
        AppResult::Ok(ApiMeetings {
            can_plan: o.can_plan,
            quarters: o.quarters.into_iter().map(ApiQuarter::from).collect(),
            meetings: o.meetings.iter().map(ApiMeeting::from).collect(),
        })
    };
    Ok(Json(list.await?))
}

/// `POST /api/v1/mdo`: 201 with the meeting.
#[utoipa::path(post, path = "/api/v1/mdo", tag = "mdo", operation_id = "planMdo",
    description = "The practice's clinicians and its administrator (praktijkmanager). The date lies from 2000 up \
        to two years ahead (meetings held earlier may be recorded afterwards); at least one discipline is invited.",
    request_body = PlanInput,
    responses((status = 201, description = "The meeting.", body = ApiMeeting),
        (status = 401, description = "Not signed in.", body = ApiErrorBody), (status = 403, description = "Not one of the practice's clinicians or its administrator.", body = ApiErrorBody), (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn api_plan(State(state): State<AppState>, cu: CurrentUser, body: Body<PlanInput>) -> ApiResult<Response> {
    let plan = async {
        let organiser = state.app.mdo_organiser(&cu.actor()).await?;
        AppResult::Ok(state.app.plan_mdo(&organiser, &body.parse()?).await?)
    };
    let m = plan.await?;
    Ok((StatusCode::CREATED, Json(ApiMeeting::from(&m))).into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoAgendaItem)]
pub struct ApiAgendaItem {
    patient_id: i64,
    name: String,
    reason: Option<String>,
    /// Minutes are recorded.
    discussed: bool,
    minutes: Option<String>,
    /// The treatment limits of the patient's PZP as sentences ("Niet reanimeren"); null
    /// when no PZP is recorded, empty when none are agreed.
    treatment_limits: Option<Vec<String>>,
}

impl From<AgendaShown> for ApiAgendaItem {
    fn from(a: AgendaShown) -> Self {
        ApiAgendaItem {
            patient_id: a.patient_id,
            name: a.name,
            reason: a.reason,
            discussed: a.discussed,
            minutes: a.minutes,
            treatment_limits: match a.limits {
                Limits::NoPzp => None,
                Limits::Agreed(l) => Some(l),
            },
        }
    }
}

/// Someone invited by name, with their attendance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoInvitee)]
pub struct ApiInvitee {
    id: i64,
    name: String,
    role: Option<String>,
    /// The discipline their attendance counts for.
    discipline: Option<String>,
    user_id: Option<i64>,
    /// Null while the attendance is not recorded.
    present: Option<bool>,
}

fn invitees_json(list: Vec<Invitee>) -> Vec<ApiInvitee> {
    list.into_iter()
        .map(|i| ApiInvitee {
            id: i.id,
            name: i.name,
            role: i.role,
            discipline: i.discipline,
            user_id: i.user_id,
            present: i.present,
        })
        .collect()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoAttendance)]
pub struct ApiAttendance {
    discipline: String,
    present: bool,
    name: Option<String>,
}

/// A patient the worklist suggests for the agenda.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoCandidate)]
pub struct ApiCandidate {
    patient_id: i64,
    name: String,
    /// Why the worklist suggests the patient (Dutch).
    reason: String,
}

impl From<Candidate> for ApiCandidate {
    fn from(c: Candidate) -> Self {
        ApiCandidate {
            patient_id: c.patient_id,
            name: c.name,
            reason: c.reason,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoMeetingDetail)]
pub struct ApiMeetingDetail {
    meeting: ApiMeeting,
    agenda: Vec<ApiAgendaItem>,
    /// Who is invited by name, with their attendance.
    invitees: Vec<ApiInvitee>,
    attendance: Vec<ApiAttendance>,
    /// Patients the worklist suggests for the agenda (for clinicians, until the meeting
    /// is held).
    candidates: Vec<ApiCandidate>,
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
#[utoipa::path(get, path = "/api/v1/mdo/{meeting}", tag = "mdo", operation_id = "getMdoMeeting",
    description = "A meeting of another practice (or for someone not on the practice's staff) answers 404. \
        Every patient shown is logged: the agenda and the suggestions, which come from the worklist (included \
        patients with recent events or never discussed) and are offered to clinicians until the meeting is held.",
    params(("meeting" = i64, Path, description = "Meeting id.")),
    responses((status = 200, description = "The meeting.", body = ApiMeetingDetail),
        (status = 401, description = "Not signed in.", body = ApiErrorBody), (status = 404, description = "No such meeting, one of another practice, or the user is not practice staff.", body = ApiErrorBody)))]
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
            invitees: invitees_json(app.mdo_invitees(&mm).await?),
            attendance: attendance_json(app.mdo_attendance(&mm).await?),
            candidates: candidates.into_iter().map(ApiCandidate::from).collect(),
        })
    };
    Ok(Json(detail.await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = MdoAgendaInput)]
pub struct ApiAgendaInput {
    patient_id: i64,
    /// Why the patient is discussed (at most 500 characters).
    reason: String,
}

/// `POST /api/v1/mdo/{meeting}/agenda`: 201 with the agenda item.
#[utoipa::path(post, path = "/api/v1/mdo/{meeting}/agenda", tag = "mdo", operation_id = "addToMdoAgenda",
    description = "The practice's clinicians. A patient of another practice answers 404, one already on the \
        agenda 409.",
    params(("meeting" = i64, Path, description = "Meeting id.")),
    request_body = ApiAgendaInput,
    responses((status = 201, description = "The agenda item.", body = ApiAgendaItem),
        (status = 401, description = "Not signed in.", body = ApiErrorBody), (status = 403, description = "Not one of the practice's clinicians.", body = ApiErrorBody),
        (status = 404, description = "No such meeting or patient, or one the user may not see.", body = ApiErrorBody),
        (status = 409, description = "The patient is already on the agenda.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
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

#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = MdoAttendanceInput)]
#[serde(default)]
pub struct ApiAttendanceInput {
    attendance: Vec<AttendanceInput>,
    /// Ids of the invitees who were present (the others were not); each makes their
    /// discipline present.
    present_invitees: Vec<i64>,
    /// Notes on the meeting; null or empty keeps the earlier notes.
    notes: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoAttendanceSaved)]
pub struct ApiAttendanceSaved {
    held: bool,
    attendance: Vec<ApiAttendance>,
    invitees: Vec<ApiInvitee>,
}

/// `PUT /api/v1/mdo/{meeting}/attendance`: replaces the attendance list.
#[utoipa::path(put, path = "/api/v1/mdo/{meeting}/attendance", tag = "mdo", operation_id = "recordMdoAttendance",
    description = "The practice's clinicians and its administrator, from the meeting's day on. At least one \
        discipline is present; the meeting counts as held from then on. Replaces the list.",
    params(("meeting" = i64, Path, description = "Meeting id.")),
    request_body = ApiAttendanceInput,
    responses((status = 200, description = "The attendance as stored.", body = ApiAttendanceSaved),
        (status = 401, description = "Not signed in.", body = ApiErrorBody), (status = 403, description = "Not one of the practice's clinicians or its administrator.", body = ApiErrorBody), (status = 404, description = "No such meeting, one of another practice, or the user is not practice staff.", body = ApiErrorBody), (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
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
        let attendance = app
            .record_mdo_attendance(&organiser, &mm, &body.attendance, &body.present_invitees, body.notes)
            .await?;
        AppResult::Ok((attendance, app.mdo_invitees(&mm).await?))
    };
    let (attendance, invitees) = record.await?;
    Ok(Json(ApiAttendanceSaved {
        held: true,
        attendance: attendance_json(attendance),
        invitees: invitees_json(invitees),
    }))
}

/// What saving minutes did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = MdoMinutesSaved)]
pub struct ApiMinutesSaved {
    /// As stored: the text, then the decisions with their actions.
    minutes: String,
    /// The new care-plan version; null without decisions.
    care_plan_version: Option<i64>,
    /// What changed in the care plan (Dutch).
    changes: Vec<String>,
}

impl From<MinutesSaved> for ApiMinutesSaved {
    fn from(m: MinutesSaved) -> Self {
        ApiMinutesSaved {
            minutes: m.minutes,
            care_plan_version: m.care_plan_version,
            changes: m.changes,
        }
    }
}

/// `POST /api/v1/mdo/{meeting}/agenda/{id}/minutes`: the minutes of patient `id`, with
/// decisions that become care-plan actions.
#[utoipa::path(post, path = "/api/v1/mdo/{meeting}/agenda/{id}/minutes", tag = "mdo", operation_id = "recordMdoMinutes",
    description = "Those who may contribute to the patient's record, from the meeting's day on; the patient \
        must be on the agenda (404 otherwise). Every decision row that is not empty needs what and who; its \
        action is added to the care plan as planned, in one new version on top of the current one (409 when \
        someone saved the plan at the same moment: then nothing is written). Saving again replaces the text \
        of the minutes and adds the new decisions' actions.",
    params(("meeting" = i64, Path, description = "Meeting id."), ("id" = i64, Path, description = "Patient id.")),
    request_body = MinutesInput,
    responses((status = 200, description = "The minutes as stored and the new care-plan version.", body = ApiMinutesSaved),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "The user may see the patient but not write their record.", body = ApiErrorBody),
        (status = 404, description = "No such meeting or patient, not on the agenda, or one the user may not see.", body = ApiErrorBody),
        (status = 409, description = "Someone else saved the care plan at the same moment.", body = ApiErrorBody),
        (status = 422, description = "The input is wrong; details lists every problem.", body = ApiErrorBody)))]
pub async fn api_minutes(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((meeting, id)): Id<(i64, i64)>,
    body: Body<MinutesInput>,
) -> ApiResult<Json<ApiMinutesSaved>> {
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
    Ok(Json(record.await?.into()))
}
