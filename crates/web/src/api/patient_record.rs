//! `GET /api/v1/patients/{id}`: a patient's record, as the record page shows it.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use kernteam_app::Action;
use kernteam_domain::access::PatientAccess;
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::dates::{active_on, age_on};
use kernteam_store::care::{DecisionRecord, HisLine, TeamMember};
use serde::Serialize;
use utoipa::ToSchema;

use super::doc::ApiErrorBody;
use super::{ApiResult, Id};
use crate::auth::CurrentUser;
use crate::patients::{labcode_label, today, wlz_label};
use crate::AppState;

pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(record))
}

#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    code: String,
    label: Option<String>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    /// Running on the extract date.
    active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeterminantView {
    labcode: i64,
    label: String,
    date: NaiveDate,
    value: String,
    /// The value as people read it (a Wlz profile code as `VV5`).
    display: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct His {
    episodes: Vec<Line>,
    /// Medication running on the extract date.
    medications: Vec<Line>,
    determinants: Vec<DeterminantView>,
    /// Chain care (ketenzorg) enrolments.
    programs: Vec<Line>,
}

#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
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

pub(super) fn member_view(m: &TeamMember, first: Option<i64>) -> Member {
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

#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
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

/// What the record page shows: person data from the latest extract, HIS summary, program
/// status and decisions, care team, first point of contact, current care-plan version, and
/// what the user may do.
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", operation_id = "getPatient",
    params(("id" = i64, Path, description = "Patient id.")),
    responses((status = 200, description = "The record.", body = Record),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 404, description = "No such patient, or the user may not see them.", body = ApiErrorBody)))]
pub async fn record(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<Record>> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewRecord, None).await?;
    let now = today();
    let rec = state.app.patient_record(&v).await?;
    let (snap, person) = (rec.snapshot, rec.person.clone());
    let his = person.as_ref().map(|_| rec.his.clone());
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
    let (decisions, status, team) = (&rec.decisions, rec.status, &rec.team);
    let first = rec.first_contact().cloned();
    let first_id = first.as_ref().map(|m| m.id);
    let plan_version = rec.summary.care_plan.as_ref().map(|v| v.version);
    Ok(Json(Record {
        id,
        practice_id: v.patient().practice_id,
        his_id: v.patient().his_id.clone(),
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
        access: v.access().into(),
    }))
}
