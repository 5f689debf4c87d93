//! Patients in the API: the list, the record, decisions, the care team and the first
//! point of contact.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use kernteam_domain::access::{PatientAccess, Scope};
use kernteam_domain::care::{status_on, DecisionKind};
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::dates::{active_on, age_on};
use kernteam_store::care::{DecisionRecord, HisLine, TeamMember};
use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult, Body, Id, Params};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::patients::{allowed, audit, labcode_label, today, wlz_label};
use crate::records::{self, DecisionInput, MemberInput};
use crate::AppState;
use kernteam_app::practice_list::{list_filter, unknown_filter, ListRequest};

/// Rows per page of the practice list, as on the page.
pub const PAGE_SIZE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    filter: String,
    page: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct PatientList {
    /// Patients that pass the filter and search, on all pages.
    total: usize,
    page: usize,
    pages: usize,
    page_size: usize,
    /// The filter applied (practice staff), `null` for a network professional's list.
    filter: Option<String>,
    /// Date of the extract the list comes from (practice staff).
    extract_date: Option<NaiveDate>,
    patients: Vec<ListRow>,
}

/// One patient of a list. The HIS-derived columns are `null` in a network
/// professional's list, which shows only who the patient is.
#[derive(Debug, Serialize)]
pub struct ListRow {
    id: i64,
    name: String,
    birth_date: NaiveDate,
    age: i32,
    frail: Option<bool>,
    medicines: Option<usize>,
    polypharmacy: Option<bool>,
    wlz_profile: Option<String>,
    status: Option<&'static str>,
    care_plan: Option<bool>,
    first_contact: Option<String>,
}

/// `GET /api/v1/patients`: the same list as the page. The audit record names the
/// patients returned, never the search words.
pub async fn list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Params(query): Params<ListQuery>,
) -> ApiResult<Json<PatientList>> {
    let actor = cu.actor();
    match cu.user.role.scope() {
        Scope::Region => Err(AppError::Forbidden.into()),
        Scope::Network => {
            let member = state.app.network_member(&actor).await.map_err(AppError::from)?;
            let now = today();
            let patients: Vec<ListRow> = state
                .app
                .view_shared_list(&member)
                .await
                .map_err(AppError::from)?
                .into_iter()
                .map(|s| ListRow {
                    id: s.patient.id,
                    name: s.person.full_name(),
                    birth_date: s.person.birth_date,
                    age: age_on(s.person.birth_date, now),
                    frail: None,
                    medicines: None,
                    polypharmacy: None,
                    wlz_profile: None,
                    status: None,
                    care_plan: None,
                    first_contact: s.first_contact.map(|m| m.name),
                })
                .collect();
            Ok(Json(PatientList {
                total: patients.len(),
                page: 1,
                pages: 1,
                page_size: patients.len().max(1),
                filter: None,
                extract_date: None,
                patients,
            }))
        }
        Scope::Practice => {
            let staff = state.app.practice_staff(&actor).await.map_err(AppError::from)?;
            let filter = match query.filter.trim() {
                "" => "alle",
                f => list_filter(f).ok_or_else(|| AppError::from(unknown_filter(f)))?,
            };
            let view = state
                .app
                .view_practice_list(
                    &staff,
                    ListRequest {
                        filter,
                        search: Some(&query.q),
                        page: query.page.unwrap_or(1),
                        page_size: PAGE_SIZE,
                    },
                )
                .await
                .map_err(AppError::from)?;
            let patients = view
                .entries
                .into_iter()
                .map(|e| ListRow {
                    id: e.row.patient_id,
                    name: e.row.name,
                    birth_date: e.row.birth_date,
                    age: e.age,
                    frail: Some(e.row.frail),
                    medicines: Some(e.row.medicines),
                    polypharmacy: Some(e.row.polypharmacy),
                    wlz_profile: e.row.wlz_profile,
                    status: Some(e.status.code()),
                    care_plan: Some(e.care_plan),
                    first_contact: e.first_contact,
                })
                .collect();
            Ok(Json(PatientList {
                total: view.total,
                page: view.page,
                pages: view.pages,
                page_size: PAGE_SIZE,
                filter: Some(filter.to_string()),
                extract_date: view.extract_date,
                patients,
            }))
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Person {
    name: String,
    family_name: Option<String>,
    given_name: Option<String>,
    birth_date: NaiveDate,
    age: i32,
    /// `M`, `V` or `X`.
    sex: Option<String>,
    bsn: Option<String>,
    postal_code: Option<String>,
    registration_start: NaiveDate,
    registration_end: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
pub struct Line {
    code: String,
    label: Option<String>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    /// Running on the extract date.
    active: bool,
}

#[derive(Debug, Serialize)]
pub struct DeterminantView {
    labcode: i64,
    label: String,
    date: NaiveDate,
    value: String,
    /// The value as people read it (a Wlz profile code as `VV5`).
    display: String,
}

#[derive(Debug, Serialize)]
pub struct His {
    episodes: Vec<Line>,
    /// Medication running on the extract date.
    medications: Vec<Line>,
    determinants: Vec<DeterminantView>,
    /// Chain care (ketenzorg) enrolments.
    programs: Vec<Line>,
}

#[derive(Debug, Serialize)]
pub struct DecisionView {
    id: i64,
    kind: &'static str,
    decided_on: NaiveDate,
    deciding_gp: Option<String>,
    reason: Option<String>,
    considerations: Option<String>,
    recorded_by: Option<String>,
    recorded_at: String,
}

impl From<&DecisionRecord> for DecisionView {
    fn from(d: &DecisionRecord) -> Self {
        DecisionView {
            id: d.id,
            kind: d.kind.code(),
            decided_on: d.decided_on,
            deciding_gp: d.deciding_gp.clone(),
            reason: d.reason.clone(),
            considerations: d.considerations.clone(),
            recorded_by: d.recorded_by_name.clone(),
            recorded_at: d.recorded_at.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Member {
    id: i64,
    /// `professional` or `mantelzorger`.
    kind: String,
    user_id: Option<i64>,
    name: String,
    role: Option<String>,
    organisation: Option<String>,
    relation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    added_at: String,
    first_contact: bool,
}

fn member_view(m: &TeamMember, first: Option<i64>) -> Member {
    Member {
        id: m.id,
        kind: m.kind.clone(),
        user_id: m.user_id,
        name: m.name.clone(),
        role: m.role.clone(),
        organisation: m.organisation.clone(),
        relation: m.relation.clone(),
        phone: m.phone.clone(),
        email: m.email.clone(),
        added_at: m.added_at.clone(),
        first_contact: first == Some(m.id),
    }
}

#[derive(Debug, Serialize)]
pub struct Access {
    read: bool,
    contribute: bool,
    decide: bool,
    audit: bool,
}

impl From<PatientAccess> for Access {
    fn from(a: PatientAccess) -> Self {
        Access {
            read: a.read,
            contribute: a.contribute,
            decide: a.decide,
            audit: a.audit,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Record {
    id: i64,
    practice_id: i64,
    his_id: String,
    /// Date of the practice's latest extract.
    extract_date: Option<NaiveDate>,
    /// `null` when the patient is not in the latest extract.
    person: Option<Person>,
    his: Option<His>,
    status: &'static str,
    decisions: Vec<DecisionView>,
    care_team: Vec<Member>,
    first_contact: Option<Member>,
    /// Current version of the care plan; `null` when there is none yet.
    care_plan_version: Option<i64>,
    /// What the signed-in user may do with this patient.
    access: Access,
}

/// `GET /api/v1/patients/{id}`: what the record page shows.
pub async fn record(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Record>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "dossier ingezien", None).await?;
    let now = today();
    let (snap, person) = state.db.current_person(&a.patient).await?;
    let his = match (snap, &person) {
        (Some(s), Some(_)) => Some(state.db.his_record(s.snapshot_id, &a.patient.his_id).await?),
        _ => None,
    };
    let on = snap.map_or(now, |s| s.extract_date);
    let line = |l: &HisLine, label: Option<String>| Line {
        code: l.code.clone(),
        label,
        start: l.start,
        end: l.end,
        active: active_on(l.start, l.end, on),
    };
    let his = his.map(|h| {
        let mut episodes: Vec<Line> = h.episodes.iter().map(|e| line(e, e.text.clone())).collect();
        episodes.sort_by_key(|e| !e.active);
        His {
            episodes,
            medications: h
                .medications
                .iter()
                .filter(|m| active_on(m.start, m.end, on))
                .map(|m| line(m, None))
                .collect(),
            determinants: h
                .determinants
                .iter()
                .map(|d| DeterminantView {
                    labcode: d.labcode,
                    label: labcode_label(d.labcode),
                    date: d.date,
                    value: d.value.clone(),
                    display: if d.labcode == 2803 {
                        wlz_label(&d.value)
                    } else {
                        d.value.clone()
                    },
                })
                .collect(),
            programs: h
                .programs
                .iter()
                .map(|p| line(p, ChainProgram::from_code(&p.code).map(|c| c.label().to_string())))
                .collect(),
        }
    });
    let decisions = state.db.decisions(id).await?;
    let status = status_on(&decisions.iter().map(|d| d.as_decision()).collect::<Vec<_>>(), now);
    let team = state.db.team(id).await?;
    let first = state.db.first_contact(id).await?;
    let first_id = first.as_ref().map(|m| m.id);
    let plan_version = state.db.care_plan_versions(id).await?.first().map(|v| v.version);
    Ok(Json(Record {
        id,
        practice_id: a.patient.practice_id,
        his_id: a.patient.his_id.clone(),
        extract_date: snap.map(|s| s.extract_date),
        person: person.map(|p| Person {
            name: p.full_name(),
            age: age_on(p.birth_date, now),
            family_name: p.family_name,
            given_name: p.given_name,
            birth_date: p.birth_date,
            sex: p.sex,
            bsn: p.bsn,
            postal_code: p.postal_code,
            registration_start: p.registration_start,
            registration_end: p.registration_end,
        }),
        his,
        status: status.code(),
        decisions: decisions.iter().map(DecisionView::from).collect(),
        care_team: team.iter().map(|m| member_view(m, first_id)).collect(),
        first_contact: first.as_ref().map(|m| member_view(m, first_id)),
        care_plan_version: plan_version,
        access: a.access.into(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionBody {
    kind: String,
    decided_on: String,
    deciding_gp: Option<String>,
    reason: Option<String>,
    considerations: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Decided {
    decision: DecisionView,
    /// The program status today, after this decision.
    status: &'static str,
}

/// `POST /api/v1/patients/{id}/decisions`: inclusion or exclusion, as the page's forms.
pub async fn decide(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<DecisionBody>,
) -> ApiResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    records::require(a.access.decide)?;
    let body = body.parse()?;
    let kind = DecisionKind::from_code(body.kind.trim())
        .ok_or_else(|| AppError::invalid("Kies bij kind 'inclusion' (inclusie) of 'exclusion' (exclusie)."))?;
    let input = DecisionInput {
        decided_on: body.decided_on,
        deciding_gp: body.deciding_gp,
        reason: body.reason,
        considerations: body.considerations,
    };
    let decision_id = records::record_decision(&state, &cu, &a, kind, input).await?;
    let decisions = state.db.decisions(id).await?;
    let status = status_on(&decisions.iter().map(|d| d.as_decision()).collect::<Vec<_>>(), today());
    let decision = decisions
        .iter()
        .find(|d| d.id == decision_id)
        .map(DecisionView::from)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("decision {decision_id} not found after saving")))?;
    Ok((
        StatusCode::CREATED,
        Json(Decided {
            decision,
            status: status.code(),
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize)]
pub struct Team {
    members: Vec<Member>,
    /// Member id of the first point of contact.
    first_contact: Option<i64>,
}

async fn team_of(state: &AppState, patient_id: i64) -> Result<Team, ApiError> {
    let first = state.db.first_contact(patient_id).await?.map(|m| m.id);
    Ok(Team {
        members: state
            .db
            .team(patient_id)
            .await?
            .iter()
            .map(|m| member_view(m, first))
            .collect(),
        first_contact: first,
    })
}

/// `GET /api/v1/patients/{id}/team`.
pub async fn team(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Team>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "zorgteam ingezien", None).await?;
    Ok(Json(team_of(&state, id).await?))
}

/// `POST /api/v1/patients/{id}/team`: a professional (by `user_id`, or by name) or a
/// mantelzorger.
pub async fn add_member(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    input: Body<MemberInput>,
) -> ApiResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    records::require(a.access.decide)?;
    let input = input.parse()?;
    let member_id = records::add_team_member(&state, &cu, &a, input).await?;
    let team = team_of(&state, id).await?;
    let member = team
        .members
        .into_iter()
        .find(|m| m.id == member_id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("member {member_id} not found after saving")))?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

/// `DELETE /api/v1/patients/{id}/team/{member}`.
pub async fn remove_member(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((id, member)): Id<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let a = allowed(&state, &cu, id).await?;
    records::remove_team_member(&state, &cu, &a, member).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct FirstContactBody {
    member_id: i64,
}

#[derive(Debug, Serialize)]
pub struct FirstContact {
    first_contact: Member,
}

/// `PUT /api/v1/patients/{id}/first-contact`.
pub async fn set_first_contact(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<FirstContactBody>,
) -> ApiResult<Json<FirstContact>> {
    let a = allowed(&state, &cu, id).await?;
    records::require(a.access.decide)?;
    let body = body.parse()?;
    let m = records::set_first_contact(&state, &cu, &a, body.member_id).await?;
    Ok(Json(FirstContact {
        first_contact: member_view(&m, Some(m.id)),
    }))
}
