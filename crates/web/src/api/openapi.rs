//! The OpenAPI 3.1 description of the API, served at `GET /api/openapi.json`.
//!
//! Paths and methods come from [`API_ROUTES`], each with its operation object from this
//! module; path parameters are derived from the path template. The schemas describe the
//! JSON the handlers write (`additionalProperties: false`), and the tests check real
//! responses against them.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use kernteam_domain::access::Role;
use kernteam_domain::care::{ActionStatus, CareDomain, ExclusionReason};
use kernteam_domain::events::{ConsultationKind, Funding};
use kernteam_domain::pzp::{WishDecision, STANDARD_TREATMENTS};
use serde_json::{json, Map, Value};

use super::API_ROUTES;
use crate::auth::SESSION_COOKIE;

/// `GET /api/openapi.json`.
pub async fn serve() -> Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| serde_json::to_string_pretty(&document()).expect("JSON"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
        ],
        body.as_str(),
    )
        .into_response()
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in API_ROUTES {
        let mut operation = (route.operation)();
        let params = path_parameters(route.path);
        if !params.is_empty() {
            let existing = operation
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            operation["parameters"] = Value::Array(params.into_iter().chain(existing).collect());
        }
        if route.method != "GET" {
            operation["security"] = json!([{ "session": [], "csrf": [] }]);
        }
        let item = paths
            .entry(route.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        item[route.method.to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kernteam API",
            "version": "1",
            "description": "JSON API beside Kernteam's pages, under the same access rules: practice staff see \
                their own practice's patients, network professionals the patients whose care team they are on, \
                regional staff no patient records. A patient the user may not see answers 404, something they \
                may see but not do 403. Every read or change of patient data is logged (NEN 7513). \
                Sign in with the form at POST /inloggen (fields username, password) and send the session cookie; \
                every POST, PUT and DELETE carries the session's CSRF token (GET /api/v1/session) in the \
                X-CSRF-Token header. Messages for people (error, details, changes) are in Dutch.",
            "license": { "name": "EUPL-1.2", "identifier": "EUPL-1.2" },
        },
        "security": [{ "session": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": "The session cookie set by POST /inloggen.",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRF-Token",
                    "description": "The session's CSRF token, from GET /api/v1/session; required on POST, PUT and DELETE.",
                },
            },
            "responses": {
                "Unauthorized": error_response("Not signed in, or the session ended."),
                "Forbidden": error_response("The user may see this patient but not do this, or the CSRF token is missing or wrong."),
                "NotFound": error_response("No such patient (or member), or the user may not see them."),
                "Invalid": error_response("The input is wrong; `details` lists every problem, in Dutch."),
                "Conflict": error_response("Someone else changed it first."),
            },
            "schemas": schemas(),
        },
    })
}

/// Path parameters from a template such as `/api/v1/patients/{id}/team/{member}`.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let description = match name {
                "id" => "Patient id.",
                "member" => "Id of the care-team membership.",
                "meeting" => "Id of the MDO meeting.",
                "event" => "Id of the event (of this patient).",
                _ => "Identifier.",
            };
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": description,
                "schema": { "type": "integer", "format": "int64" },
            })
        })
        .collect()
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } },
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A success response with a JSON body.
fn ok(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema_ref(schema) } },
    })
}

/// The response map: the success responses, then the listed error statuses.
fn responses(success: &[(&str, Value)], errors: &[u16]) -> Value {
    let mut map = Map::new();
    for (status, response) in success {
        map.insert((*status).to_string(), response.clone());
    }
    for status in errors {
        let name = match status {
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            409 => "Conflict",
            422 => "Invalid",
            other => panic!("no shared response for {other}"),
        };
        map.insert(
            status.to_string(),
            json!({ "$ref": format!("#/components/responses/{name}") }),
        );
    }
    Value::Object(map)
}

fn json_body(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": schema_ref(schema) } },
    })
}

pub(super) fn pzp() -> Value {
    json!({
        "operationId": "getPzp",
        "tags": ["pzp"],
        "summary": "The proactive care planning (PZP) and its versions",
        "description": "Everyone who may see the patient, network professionals on the care team included. \
            limits lists the treatments the patient does not want (decision niet).",
        "responses": responses(&[("200", ok("The current version (0 and a blank PZP when there is none) and every version.", "CurrentPzp"))], &[401, 404]),
    })
}

pub(super) fn save_pzp() -> Value {
    json!({
        "operationId": "savePzp",
        "tags": ["pzp"],
        "summary": "Save the PZP as a new version",
        "description": "Anyone who may contribute: the practice's clinicians and the network professionals on the \
            care team. Texts are trimmed, empty rows of other treatments dropped, missing standard treatments added \
            as not yet discussed. A treatment with decision wel or niet needs recorded_on and recorded_by; dates \
            of conversations and recordings may not lie in the future. based_on is the version the client started \
            from (0 for a first PZP); when someone saved since, nothing is written and the answer is 409. A PZP \
            equal to the current version writes nothing (saved: false).",
        "requestBody": json_body("PzpSave"),
        "responses": responses(&[("200", ok("What was saved.", "PzpSaved"))], &[401, 403, 404, 409, 422]),
    })
}

pub(super) fn consultations() -> Value {
    json!({
        "operationId": "listConsultations",
        "tags": ["so consultations"],
        "summary": "The consultations of the elderly-care physician (SO), newest first",
        "responses": responses(&[("200", ok("The consultations.", "Consultations"))], &[401, 404]),
    })
}

pub(super) fn record_consultation() -> Value {
    json!({
        "operationId": "recordConsultation",
        "tags": ["so consultations"],
        "summary": "Record a consultation of the elderly-care physician (SO)",
        "description": "Anyone who may contribute. When so_name is empty and the user is an SO, the user is the SO.",
        "requestBody": json_body("ConsultationInput"),
        "responses": responses(&[("201", ok("The consultation as recorded.", "Consultation"))], &[401, 403, 404, 422]),
    })
}

pub(super) fn medication_reviews() -> Value {
    json!({
        "operationId": "listMedicationReviews",
        "tags": ["medication reviews"],
        "summary": "The indication for a medication review (MBO) and the reviews, newest first",
        "responses": responses(&[("200", ok("The indication and the reviews.", "MedicationReviews"))], &[401, 404]),
    })
}

pub(super) fn record_medication_review() -> Value {
    json!({
        "operationId": "recordMedicationReview",
        "tags": ["medication reviews"],
        "summary": "Record a medication review (MBO)",
        "description": "Anyone who may contribute. The indication of the practice's latest extract is stored with it.",
        "requestBody": json_body("MedicationReviewInput"),
        "responses": responses(&[("201", ok("The review as recorded.", "MedicationReview"))], &[401, 403, 404, 422]),
    })
}

pub(super) fn mdo_meetings() -> Value {
    json!({
        "operationId": "listMdoMeetings",
        "tags": ["mdo"],
        "summary": "The practice's multidisciplinary meetings (MDO) with counts per quarter",
        "description": "Practice staff only (others get 403): MDO pages and data are the practice's. A meeting counts \
            as held once its attendance or minutes are recorded, as in the quarterly report's mdo_count.",
        "responses": responses(&[("200", ok("The meetings, newest first, and the quarters.", "MdoMeetings"))], &[401, 403]),
    })
}

pub(super) fn plan_mdo() -> Value {
    json!({
        "operationId": "planMdo",
        "tags": ["mdo"],
        "summary": "Plan a meeting",
        "description": "The practice's clinicians and its administrator (praktijkmanager). The date lies from 2000 up \
            to two years ahead (meetings held earlier may be recorded afterwards); at least one discipline is invited.",
        "requestBody": json_body("MdoPlanInput"),
        "responses": responses(&[("201", ok("The meeting.", "MdoMeeting"))], &[401, 403, 422]),
    })
}

pub(super) fn mdo_meeting() -> Value {
    json!({
        "operationId": "getMdoMeeting",
        "tags": ["mdo"],
        "summary": "A meeting with its agenda, attendance and suggestions for the agenda",
        "description": "A meeting of another practice (or for someone not on the practice's staff) answers 404. \
            Reading the agenda is logged per patient. The suggestions come from the worklist (included patients \
            with recent events or never discussed) and are offered to clinicians until the meeting is held.",
        "responses": responses(&[("200", ok("The meeting.", "MdoMeetingDetail"))], &[401, 404]),
    })
}

pub(super) fn add_to_mdo_agenda() -> Value {
    json!({
        "operationId": "addToMdoAgenda",
        "tags": ["mdo"],
        "summary": "Put a patient of the practice on the agenda, with a reason",
        "description": "The practice's clinicians. A patient of another practice answers 404, one already on the \
            agenda 409.",
        "requestBody": json_body("MdoAgendaInput"),
        "responses": responses(&[("201", ok("The agenda item.", "MdoAgendaItem"))], &[401, 403, 404, 409, 422]),
    })
}

pub(super) fn record_mdo_attendance() -> Value {
    json!({
        "operationId": "recordMdoAttendance",
        "tags": ["mdo"],
        "summary": "Record who attended, per discipline (replaces the list)",
        "description": "The practice's clinicians and its administrator, from the meeting's day on. At least one \
            discipline is present; the meeting counts as held from then on.",
        "requestBody": json_body("MdoAttendanceInput"),
        "responses": responses(&[("200", ok("The attendance as stored.", "MdoAttendanceSaved"))], &[401, 403, 404, 422]),
    })
}

pub(super) fn record_mdo_minutes() -> Value {
    json!({
        "operationId": "recordMdoMinutes",
        "tags": ["mdo"],
        "summary": "Record the minutes of a patient's discussion; decisions become care-plan actions",
        "description": "Those who may contribute to the patient's record, from the meeting's day on; the patient \
            must be on the agenda (404 otherwise). Every decision row that is not empty needs what and who; its \
            action is added to the care plan as planned, in one new version on top of the current one (409 when \
            someone saved the plan at the same moment: then nothing is written). Saving again replaces the text \
            of the minutes and adds the new decisions' actions.",
        "requestBody": json_body("MdoMinutesInput"),
        "responses": responses(&[("200", ok("The minutes as stored and the new care-plan version.", "MdoMinutesSaved"))], &[401, 403, 404, 409, 422]),
    })
}

pub(super) fn patient_mdo_history() -> Value {
    json!({
        "operationId": "getPatientMdoHistory",
        "tags": ["mdo"],
        "summary": "The meetings whose agenda held the patient, with reason and minutes",
        "description": "Everyone who may see the patient, network professionals on the care team included (they \
            do not see the practice's MDO pages).",
        "responses": responses(&[("200", ok("The meetings, newest first.", "PatientMdoHistory"))], &[401, 404]),
    })
}

pub(super) fn events() -> Value {
    json!({
        "operationId": "listEvents",
        "tags": ["events"],
        "summary": "The patient's events (SEH, ELV, admissions, discharges, falls) with the handover clock",
        "responses": responses(&[("200", ok("The events, newest first.", "Events"))], &[401, 404]),
    })
}

pub(super) fn record_event() -> Value {
    json!({
        "operationId": "recordEvent",
        "tags": ["events"],
        "summary": "Record an event",
        "description": "Anyone who may contribute. occurred_at is RFC 3339 with an offset and not in the future; it is \
            stored in UTC. Admissions and discharges start the 24-hour handover clock.",
        "requestBody": json_body("EventInput"),
        "responses": responses(&[("201", ok("The event as recorded.", "Event"))], &[401, 403, 404, 422]),
    })
}

pub(super) fn record_handover() -> Value {
    json!({
        "operationId": "recordHandoverSent",
        "tags": ["events"],
        "summary": "Record that the handover (care plan, PZP, medication) of an admission or discharge was sent",
        "description": "Anyone who may contribute. sent_at (RFC 3339) defaults to now; it may not lie before the \
            event or in the future. Sent more than 24 hours after the event counts as late. 422 for an event that \
            needs no handover, 409 when it was already recorded.",
        "requestBody": {
            "required": false,
            "content": { "application/json": { "schema": schema_ref("HandoverInput") } },
        },
        "responses": responses(&[("200", ok("The event with its handover.", "Event"))], &[401, 403, 404, 409, 422]),
    })
}

pub(super) fn worklist() -> Value {
    json!({
        "operationId": "getWorklist",
        "tags": ["worklist"],
        "summary": "What needs doing for the included patients",
        "description": "Practice staff: the practice's included patients (mine=true: those whose care team they are \
            on). Network professionals: the included patients whose care team they are on. Regional staff: 403. \
            Groups with urgent items come first. The read is logged once.",
        "parameters": [{
            "name": "mine", "in": "query", "required": false,
            "description": "Practice staff: only the patients whose care team the user is on.",
            "schema": { "type": "boolean" },
        }],
        "responses": responses(&[("200", ok("The worklist.", "Worklist"))], &[401, 403, 422]),
    })
}

pub(super) fn poh_o_hours() -> Value {
    json!({
        "operationId": "getPohOHours",
        "tags": ["practice"],
        "summary": "The practice's POH-O formation (hours per week) with its history",
        "description": "Practice staff only (others get 403).",
        "responses": responses(&[("200", ok("The formation.", "PohOHours"))], &[401, 403]),
    })
}

pub(super) fn set_poh_o_hours() -> Value {
    json!({
        "operationId": "setPohOHours",
        "tags": ["practice"],
        "summary": "Set the POH-O formation from a date",
        "description": "The practice administrator (praktijkmanager, or an account with is_admin) and the GPs. Hours \
            from 0 to 200 (two decimals kept); valid_from from 2000 up to a year ahead. The reports use the \
            formation as last set on or before their reference date.",
        "requestBody": json_body("PohOHoursInput"),
        "responses": responses(&[("201", ok("The formation afterwards.", "PohOHours"))], &[401, 403, 422]),
    })
}

/// An object schema: every listed property required, no others.
fn object(properties: Value) -> Value {
    let required: Vec<String> = properties
        .as_object()
        .expect("properties is an object")
        .keys()
        .cloned()
        .collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn nullable(ty: &str) -> Value {
    json!({ "type": [ty, "null"] })
}

fn nullable_ref(name: &str) -> Value {
    json!({ "oneOf": [schema_ref(name), { "type": "null" }] })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn nullable_date() -> Value {
    json!({ "type": ["string", "null"], "format": "date" })
}

fn array_of(name: &str) -> Value {
    json!({ "type": "array", "items": schema_ref(name) })
}

fn strings() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

fn schemas() -> Value {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
    let reasons: Vec<&str> = ExclusionReason::ALL.iter().map(|r| r.code()).collect();
    let domains: Vec<&str> = CareDomain::ALL.iter().map(|d| d.code()).collect();
    let statuses: Vec<&str> = ActionStatus::ALL.iter().map(|s| s.code()).collect();
    let program_status = json!({ "type": "string", "enum": ["not_assessed", "included", "excluded"] });
    let member_kind = json!({ "type": "string", "enum": ["professional", "mantelzorger"] });
    let standard_treatments: Vec<&str> = STANDARD_TREATMENTS.iter().map(|(code, _)| *code).collect();
    let wish_decisions: Vec<&str> = WishDecision::ALL.iter().map(|d| d.code()).collect();
    let consultation_kinds: Vec<&str> = ConsultationKind::ALL.iter().map(|k| k.code()).collect();
    let fundings: Vec<&str> = Funding::ALL.iter().map(|f| f.code()).collect();
    let review_participants = crate::process::reviews::PARTICIPANTS;
    let mut schemas = Map::new();
    schemas.insert("Error".into(), object(json!({
            "error": { "type": "string", "description": "What went wrong, in Dutch." },
            "details": { "type": "array", "items": { "type": "string" }, "description": "Every problem with the input, in Dutch." },
        })));
    schemas.insert(
        "Session".into(),
        object(json!({
            "id": { "type": "integer" },
            "username": { "type": "string" },
            "name": { "type": "string" },
            "role": { "type": "string", "enum": roles },
            "practice_id": nullable("integer"),
            "organisation_id": nullable("integer"),
            "csrf": { "type": "string", "description": "Send as X-CSRF-Token with every POST, PUT and DELETE." },
        })),
    );
    schemas.insert(
        "Person".into(),
        object(json!({
            "name": { "type": "string" },
            "family_name": nullable("string"),
            "given_name": nullable("string"),
            "birth_date": date(),
            "age": { "type": "integer" },
            "sex": { "type": ["string", "null"], "enum": ["M", "V", "X", null] },
            "bsn": nullable("string"),
            "postal_code": nullable("string"),
            "registration_start": date(),
            "registration_end": nullable_date(),
        })),
    );
    schemas.insert("HisLine".into(), object(json!({
            "code": { "type": "string", "description": "ICPC (episodes), ATC (medication) or program code (chain care)." },
            "label": nullable("string"),
            "start": date(),
            "end": nullable_date(),
            "active": { "type": "boolean", "description": "Running on the extract date." },
        })));
    schemas.insert("Determinant".into(), object(json!({
            "labcode": { "type": "integer", "description": "NHG Tabel 45 number." },
            "label": { "type": "string" },
            "date": date(),
            "value": { "type": "string" },
            "display": { "type": "string", "description": "The value as people read it (Wlz profile code 352 as VV5)." },
        })));
    schemas.insert("His".into(), object(json!({
            "episodes": array_of("HisLine"),
            "medications": { "type": "array", "items": schema_ref("HisLine"), "description": "Medication running on the extract date." },
            "determinants": array_of("Determinant"),
            "programs": { "type": "array", "items": schema_ref("HisLine"), "description": "Chain care (ketenzorg) enrolments." },
        })));
    schemas.insert("Decision".into(), object(json!({
            "id": { "type": "integer" },
            "kind": { "type": "string", "enum": ["inclusion", "exclusion"] },
            "decided_on": date(),
            "deciding_gp": nullable("string"),
            "reason": { "type": ["string", "null"], "enum": reasons.iter().map(|r| json!(r)).chain([Value::Null]).collect::<Vec<_>>() },
            "considerations": nullable("string"),
            "recorded_by": nullable("string"),
            "recorded_at": { "type": "string", "format": "date-time" },
        })));
    schemas.insert(
        "CareTeamMember".into(),
        object(json!({
            "id": { "type": "integer" },
            "kind": member_kind,
            "user_id": nullable("integer"),
            "name": { "type": "string" },
            "role": nullable("string"),
            "organisation": nullable("string"),
            "relation": nullable("string"),
            "phone": nullable("string"),
            "email": nullable("string"),
            "added_at": { "type": "string", "format": "date-time" },
            "first_contact": { "type": "boolean" },
        })),
    );
    schemas.insert("Access".into(), object(json!({
            "read": { "type": "boolean" },
            "contribute": { "type": "boolean", "description": "May write the care plan." },
            "decide": { "type": "boolean", "description": "May include, exclude, and change the care team and first point of contact." },
            "audit": { "type": "boolean", "description": "May see who accessed the record." },
        })));
    schemas.insert(
        "PatientRecord".into(),
        object(json!({
            "id": { "type": "integer" },
            "practice_id": { "type": "integer" },
            "his_id": { "type": "string" },
            "extract_date": nullable_date(),
            "person": nullable_ref("Person"),
            "his": nullable_ref("His"),
            "status": program_status,
            "decisions": array_of("Decision"),
            "care_team": array_of("CareTeamMember"),
            "first_contact": nullable_ref("CareTeamMember"),
            "care_plan_version": nullable("integer"),
            "access": schema_ref("Access"),
        })),
    );
    schemas.insert("DecisionInput".into(), json!({
            "type": "object",
            "properties": {
                "kind": { "type": "string", "enum": ["inclusion", "exclusion"] },
                "decided_on": { "type": "string", "format": "date", "description": "Not in the future." },
                "deciding_gp": { "type": ["string", "null"], "maxLength": 200, "description": "Required for an inclusion." },
                "reason": { "type": ["string", "null"], "enum": reasons.iter().map(|r| json!(r)).chain([Value::Null]).collect::<Vec<_>>(), "description": "Required for an exclusion." },
                "considerations": { "type": ["string", "null"], "maxLength": 4000 },
            },
            "required": ["kind", "decided_on"],
        }));
    schemas.insert(
        "Decided".into(),
        object(json!({
            "decision": schema_ref("Decision"),
            "status": program_status,
        })),
    );
    schemas.insert(
        "CareTeam".into(),
        object(json!({
            "members": array_of("CareTeamMember"),
            "first_contact": { "type": ["integer", "null"], "description": "Member id of the first point of contact." },
        })),
    );
    schemas.insert("MemberInput".into(), json!({
            "type": "object",
            "properties": {
                "kind": member_kind,
                "user_id": { "type": ["integer", "null"], "description": "A professional with an account." },
                "name": { "type": ["string", "null"], "maxLength": 200 },
                "role": { "type": ["string", "null"], "maxLength": 200 },
                "organisation": { "type": ["string", "null"], "maxLength": 200 },
                "relation": { "type": ["string", "null"], "maxLength": 200, "description": "Required for a mantelzorger (e.g. dochter)." },
                "phone": { "type": ["string", "null"], "maxLength": 50 },
                "email": { "type": ["string", "null"], "maxLength": 200 },
            },
            "required": ["kind"],
        }));
    schemas.insert(
        "FirstContactInput".into(),
        json!({
            "type": "object",
            "properties": { "member_id": { "type": "integer" } },
            "required": ["member_id"],
        }),
    );
    schemas.insert(
        "FirstContact".into(),
        object(json!({ "first_contact": schema_ref("CareTeamMember") })),
    );
    schemas.insert(
        "Problem".into(),
        object(json!({
            "domain": { "type": "string", "enum": domains, "description": "SFMPC domain." },
            "description": { "type": "string" },
        })),
    );
    schemas.insert(
        "CareAction".into(),
        json!({
            "type": "object",
            "properties": {
                "what": { "type": "string" },
                "who": { "type": "string" },
                "due": nullable_date(),
                "status": { "type": "string", "enum": statuses },
            },
            "required": ["what", "who", "status"],
            "additionalProperties": false,
        }),
    );
    schemas.insert("CarePlan".into(), json!({
            "type": "object",
            "description": "The individual care plan (IZP): problems per SFMPC domain, the patient's wishes and goals in their own words, actions, evaluation date. At most 100 problems, goals and actions each; texts at most 4000 characters.",
            "properties": {
                "problems": array_of("Problem"),
                "wishes": { "type": "string" },
                "goals": strings(),
                "actions": array_of("CareAction"),
                "evaluation_date": nullable_date(),
            },
            "required": [],
            "additionalProperties": false,
        }));
    schemas.insert(
        "CurrentCarePlan".into(),
        object(json!({
            "version": { "type": "integer", "description": "0 when there is no care plan yet." },
            "at": { "type": ["string", "null"], "format": "date-time" },
            "by": nullable("string"),
            "can_edit": { "type": "boolean" },
            "plan": schema_ref("CarePlan"),
        })),
    );
    schemas.insert(
        "CarePlanVersion".into(),
        object(json!({
            "version": { "type": "integer" },
            "at": { "type": "string", "format": "date-time" },
            "by": { "type": "string" },
            "changes": strings(),
        })),
    );
    schemas.insert(
        "CarePlanVersions".into(),
        object(json!({ "versions": array_of("CarePlanVersion") })),
    );
    schemas.insert("CarePlanSave".into(), json!({
            "type": "object",
            "properties": {
                "based_on": { "type": "integer", "minimum": 0, "description": "The version the client started from; 0 for a first plan." },
                "plan": schema_ref("CarePlan"),
            },
            "required": ["based_on", "plan"],
        }));
    schemas.insert(
        "CarePlanSaved".into(),
        object(json!({
            "saved": { "type": "boolean", "description": "False when the plan equals the current version." },
            "version": { "type": "integer", "description": "The current version afterwards." },
            "changes": strings(),
        })),
    );
    schemas.insert("PzpConversation".into(), object(json!({
            "date": { "type": "string", "format": "date", "description": "Not in the future." },
            "participants": { "type": "string", "maxLength": 500, "description": "Who took part: patient, mantelzorger, legal representative, professionals." },
            "summary": { "type": "string", "maxLength": 4000 },
        })));
    schemas.insert("TreatmentWish".into(), json!({
            "type": "object",
            "properties": {
                "treatment": { "type": "string", "maxLength": 200, "description": format!("A standard treatment ({}) or the name of another.", standard_treatments.join(", ")) },
                "decision": { "type": "string", "enum": wish_decisions, "description": "wel: wanted; niet: a treatment limit." },
                "recorded_on": { "type": ["string", "null"], "format": "date", "description": "Required when the decision is wel or niet." },
                "recorded_by": { "type": "string", "maxLength": 200, "description": "Who recorded it; required when the decision is wel or niet." },
            },
            "required": ["treatment", "decision", "recorded_by"],
            "additionalProperties": false,
        }));
    schemas.insert(
        "Directive".into(),
        object(json!({
            "present": { "type": "boolean" },
            "location": { "type": "string", "maxLength": 500, "description": "Where the document is kept." },
        })),
    );
    schemas.insert("Pzp".into(), json!({
            "type": "object",
            "description": "Proactive care planning (advance care planning): conversations, treatment wishes and limits, advance directives, legal representative, preferred places of care and death, next review.",
            "properties": {
                "conversations": array_of("PzpConversation"),
                "wishes": array_of("TreatmentWish"),
                "wilsverklaring": schema_ref("Directive"),
                "niet_reanimeren": schema_ref("Directive"),
                "euthanasieverzoek": schema_ref("Directive"),
                "legal_representative": { "type": "string", "maxLength": 500 },
                "preferred_place_of_care": { "type": "string", "maxLength": 500 },
                "preferred_place_of_death": { "type": "string", "maxLength": 500 },
                "next_review": nullable_date(),
            },
            "required": [],
            "additionalProperties": false,
        }));
    schemas.insert(
        "PzpVersion".into(),
        object(json!({
            "version": { "type": "integer" },
            "at": { "type": "string", "format": "date-time" },
            "by": { "type": "string" },
            "changes": strings(),
        })),
    );
    schemas.insert("CurrentPzp".into(), object(json!({
            "version": { "type": "integer", "description": "0 when there is no PZP yet." },
            "at": { "type": ["string", "null"], "format": "date-time" },
            "by": nullable("string"),
            "can_edit": { "type": "boolean" },
            "limits": { "type": "array", "items": { "type": "string" }, "description": "The treatments with decision niet." },
            "pzp": schema_ref("Pzp"),
            "versions": { "type": "array", "items": schema_ref("PzpVersion"), "description": "Newest first." },
        })));
    schemas.insert("PzpSave".into(), json!({
            "type": "object",
            "properties": {
                "based_on": { "type": "integer", "minimum": 0, "description": "The version the client started from; 0 for a first PZP." },
                "pzp": schema_ref("Pzp"),
            },
            "required": ["based_on", "pzp"],
        }));
    schemas.insert(
        "PzpSaved".into(),
        object(json!({
            "saved": { "type": "boolean", "description": "False when the PZP equals the current version." },
            "version": { "type": "integer", "description": "The current version afterwards." },
            "changes": strings(),
        })),
    );
    schemas.insert(
        "Consultation".into(),
        object(json!({
            "id": { "type": "integer" },
            "date": date(),
            "question": { "type": "string" },
            "advice": nullable("string"),
            "kind": { "type": "string", "enum": consultation_kinds },
            "funding": { "type": "string", "enum": fundings },
            "so_name": { "type": "string" },
        })),
    );
    schemas.insert(
        "Consultations".into(),
        object(json!({
            "can_record": { "type": "boolean" },
            "consultations": array_of("Consultation"),
        })),
    );
    schemas.insert("ConsultationInput".into(), json!({
            "type": "object",
            "properties": {
                "date": { "type": "string", "format": "date", "description": "Not in the future." },
                "question": { "type": "string", "maxLength": 4000 },
                "advice": { "type": ["string", "null"], "maxLength": 4000 },
                "kind": { "type": "string", "enum": consultation_kinds },
                "funding": { "type": "string", "enum": fundings },
                "so_name": { "type": ["string", "null"], "maxLength": 200, "description": "The SO consulted; defaults to the user when they are an SO." },
            },
            "required": ["date", "question", "kind", "funding"],
        }));
    schemas.insert("ReviewIndication".into(), object(json!({
            "extract_date": date(),
            "indication": { "type": ["string", "null"], "enum": ["polypharmacy", "frail", "both", null], "description": "null: no indication." },
            "label": { "type": "string", "description": "The indication in a Dutch sentence." },
        })));
    schemas.insert("MedicationReview".into(), object(json!({
            "id": { "type": "integer" },
            "date": date(),
            "indication": { "type": ["string", "null"], "enum": ["polypharmacy", "frail", "both", null], "description": "The indication when the review was recorded." },
            "participants": { "type": "array", "items": { "type": "string", "enum": review_participants } },
            "stopped": nullable("string"),
            "started": nullable("string"),
            "changed": nullable("string"),
            "follow_up": nullable_date(),
        })));
    schemas.insert("MedicationReviews".into(), object(json!({
            "indication": { "oneOf": [schema_ref("ReviewIndication"), { "type": "null" }], "description": "From the practice's latest extract; null when the patient is not in it." },
            "can_record": { "type": "boolean" },
            "reviews": array_of("MedicationReview"),
        })));
    schemas.insert("MedicationReviewInput".into(), json!({
            "type": "object",
            "properties": {
                "date": { "type": "string", "format": "date", "description": "Not in the future." },
                "participants": { "type": "array", "minItems": 1, "items": { "type": "string", "enum": review_participants } },
                "stopped": { "type": ["string", "null"], "maxLength": 4000, "description": "Medicines stopped." },
                "started": { "type": ["string", "null"], "maxLength": 4000, "description": "Medicines started." },
                "changed": { "type": ["string", "null"], "maxLength": 4000, "description": "Medicines changed." },
                "follow_up": { "type": ["string", "null"], "format": "date", "description": "Not before date." },
            },
            "required": ["date", "participants"],
        }));
    process_schemas(&mut schemas);
    Value::Object(schemas)
}

/// The schemas of the MDO, event, worklist and formation operations.
fn process_schemas(schemas: &mut Map<String, Value>) {
    use kernteam_domain::events::{EventKind, MdoLevel, DISCIPLINES};
    let levels: Vec<&str> = MdoLevel::ALL.iter().map(|l| l.code()).collect();
    let disciplines: Vec<&str> = DISCIPLINES.iter().map(|(c, _)| *c).collect();
    let event_kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.code()).collect();
    let groups: Vec<&str> = crate::process::worklist::GROUPS.iter().map(|(c, _)| *c).collect();
    let discipline = json!({ "type": "string", "enum": disciplines });
    let level =
        json!({ "type": "string", "enum": levels, "description": "praktijk: practice MDO; netwerk: network MDO." });
    let date_time = json!({ "type": "string", "format": "date-time" });
    let nullable_date_time = json!({ "type": ["string", "null"], "format": "date-time" });
    schemas.insert(
        "MdoMeeting".into(),
        object(json!({
            "id": { "type": "integer" },
            "date": date(),
            "level": level,
            "invited": { "type": "array", "items": discipline },
            "held": { "type": "boolean", "description": "Attendance or minutes are recorded." },
            "notes": nullable("string"),
            "agenda_count": { "type": "integer" },
        })),
    );
    schemas.insert(
        "MdoQuarter".into(),
        object(json!({
            "quarter": { "type": "string", "description": "E.g. 2027-Q1." },
            "meetings_held": { "type": "integer" },
            "meetings_planned": { "type": "integer", "description": "Meetings in the quarter not (yet) held." },
            "patients_discussed": { "type": "integer", "description": "Different patients with minutes in the quarter's held meetings." },
        })),
    );
    schemas.insert(
        "MdoMeetings".into(),
        object(json!({
            "can_plan": { "type": "boolean" },
            "quarters": array_of("MdoQuarter"),
            "meetings": array_of("MdoMeeting"),
        })),
    );
    schemas.insert(
        "MdoPlanInput".into(),
        json!({
            "type": "object",
            "properties": {
                "date": date(),
                "level": level,
                "invited": { "type": "array", "items": discipline, "minItems": 1 },
            },
            "required": ["date", "level", "invited"],
        }),
    );
    schemas.insert(
        "MdoAgendaItem".into(),
        object(json!({
            "patient_id": { "type": "integer" },
            "name": { "type": "string" },
            "reason": nullable("string"),
            "discussed": { "type": "boolean", "description": "Minutes are recorded." },
            "minutes": nullable("string"),
        })),
    );
    schemas.insert(
        "MdoAttendance".into(),
        object(json!({
            "discipline": discipline,
            "present": { "type": "boolean" },
            "name": nullable("string"),
        })),
    );
    schemas.insert(
        "MdoCandidate".into(),
        object(json!({
            "patient_id": { "type": "integer" },
            "name": { "type": "string" },
            "reason": { "type": "string", "description": "Why the worklist suggests the patient (Dutch)." },
        })),
    );
    schemas.insert(
        "MdoMeetingDetail".into(),
        object(json!({
            "meeting": schema_ref("MdoMeeting"),
            "agenda": array_of("MdoAgendaItem"),
            "attendance": array_of("MdoAttendance"),
            "candidates": array_of("MdoCandidate"),
        })),
    );
    schemas.insert(
        "MdoAgendaInput".into(),
        json!({
            "type": "object",
            "properties": {
                "patient_id": { "type": "integer" },
                "reason": { "type": "string", "maxLength": 500 },
            },
            "required": ["patient_id", "reason"],
        }),
    );
    schemas.insert(
        "MdoAttendanceRow".into(),
        json!({
            "type": "object",
            "properties": {
                "discipline": discipline,
                "present": { "type": "boolean" },
                "name": { "type": ["string", "null"], "maxLength": 200 },
            },
            "required": ["discipline", "present"],
        }),
    );
    schemas.insert(
        "MdoAttendanceInput".into(),
        json!({
            "type": "object",
            "properties": {
                "attendance": array_of("MdoAttendanceRow"),
                "notes": { "type": ["string", "null"], "maxLength": 4000, "description": "Notes on the meeting; null or empty keeps the earlier notes." },
            },
            "required": ["attendance"],
        }),
    );
    schemas.insert(
        "MdoAttendanceSaved".into(),
        object(json!({
            "held": { "type": "boolean" },
            "attendance": array_of("MdoAttendance"),
        })),
    );
    schemas.insert(
        "MdoDecisionInput".into(),
        json!({
            "type": "object",
            "description": "A decision and the care-plan action that follows from it.",
            "properties": {
                "decision": { "type": "string", "maxLength": 4000 },
                "what": { "type": "string", "maxLength": 4000, "description": "The action; new to the care plan." },
                "who": { "type": "string", "maxLength": 4000 },
                "due": nullable_date(),
            },
            "required": ["what", "who"],
        }),
    );
    schemas.insert(
        "MdoMinutesInput".into(),
        json!({
            "type": "object",
            "properties": {
                "minutes": { "type": "string", "maxLength": 4000 },
                "decisions": array_of("MdoDecisionInput"),
            },
            "required": [],
        }),
    );
    schemas.insert(
        "MdoMinutesSaved".into(),
        object(json!({
            "minutes": { "type": "string", "description": "As stored: the text, then the decisions with their actions." },
            "care_plan_version": { "type": ["integer", "null"], "description": "The new care-plan version; null without decisions." },
            "changes": strings(),
        })),
    );
    schemas.insert(
        "MdoDiscussion".into(),
        object(json!({
            "meeting_id": { "type": "integer" },
            "date": date(),
            "level": level,
            "reason": nullable("string"),
            "discussed": { "type": "boolean" },
            "minutes": nullable("string"),
        })),
    );
    schemas.insert(
        "PatientMdoHistory".into(),
        object(json!({ "meetings": array_of("MdoDiscussion") })),
    );
    schemas.insert(
        "Handover".into(),
        object(json!({
            "status": { "type": "string", "enum": ["not_needed", "open", "overdue", "sent_in_time", "sent_late"] },
            "label": { "type": "string", "description": "The status in Dutch." },
            "due": { "type": ["string", "null"], "format": "date-time", "description": "24 hours after the event; null when no handover is needed." },
            "sent_at": nullable_date_time,
            "late": { "type": "boolean" },
        })),
    );
    schemas.insert(
        "Event".into(),
        object(json!({
            "id": { "type": "integer" },
            "kind": { "type": "string", "enum": event_kinds },
            "label": { "type": "string", "description": "The kind in Dutch." },
            "occurred_at": date_time,
            "notes": nullable("string"),
            "handover": schema_ref("Handover"),
        })),
    );
    schemas.insert(
        "Events".into(),
        object(json!({
            "events": array_of("Event"),
            "can_record": { "type": "boolean" },
        })),
    );
    schemas.insert(
        "EventInput".into(),
        json!({
            "type": "object",
            "properties": {
                "kind": { "type": "string", "enum": event_kinds },
                "occurred_at": { "type": "string", "format": "date-time", "description": "RFC 3339 with an offset; not in the future." },
                "notes": { "type": ["string", "null"], "maxLength": 4000 },
            },
            "required": ["kind", "occurred_at"],
        }),
    );
    schemas.insert(
        "HandoverInput".into(),
        json!({
            "type": "object",
            "properties": {
                "sent_at": { "type": ["string", "null"], "format": "date-time", "description": "RFC 3339; absent or null: now." },
            },
            "required": [],
        }),
    );
    schemas.insert(
        "WorkItem".into(),
        json!({
            "type": "object",
            "description": "One thing to do. kind says which; the other fields depend on it.",
            "properties": {
                "kind": { "type": "string", "enum": ["action_due", "evaluation_due", "no_care_plan", "no_pzp", "no_first_contact", "medication_review_due", "handover", "mdo_candidate"] },
                "group": { "type": "string", "enum": groups },
                "text": { "type": "string", "description": "The item in Dutch." },
                "urgent": { "type": "boolean" },
                "link": { "type": "string", "description": "The page where it is dealt with." },
                "what": { "type": "string" },
                "who": { "type": "string" },
                "due": date(),
                "overdue": { "type": "boolean" },
                "date": date(),
                "last": nullable_date(),
                "event_id": { "type": "integer" },
                "event": { "type": "string", "enum": event_kinds },
                "status": { "type": "string", "enum": ["open", "overdue", "sent_late"] },
                "reason": { "type": "string" },
            },
            "required": ["kind", "group", "text", "urgent", "link"],
            "additionalProperties": false,
        }),
    );
    schemas.insert(
        "WorklistGroup".into(),
        object(json!({
            "kind": { "type": "string", "enum": groups },
            "label": { "type": "string" },
            "count": { "type": "integer" },
            "urgent": { "type": "integer" },
        })),
    );
    schemas.insert(
        "WorklistPatient".into(),
        object(json!({
            "id": { "type": "integer" },
            "name": { "type": "string" },
            "items": array_of("WorkItem"),
        })),
    );
    schemas.insert(
        "Worklist".into(),
        object(json!({
            "mine": { "type": "boolean" },
            "patients_count": { "type": "integer", "description": "Included patients on the list, with or without items." },
            "items": { "type": "integer" },
            "urgent": { "type": "integer" },
            "groups": array_of("WorklistGroup"),
            "patients": { "type": "array", "items": schema_ref("WorklistPatient"), "description": "Patients with items, by name." },
        })),
    );
    schemas.insert(
        "PohOHoursEntry".into(),
        object(json!({
            "valid_from": date(),
            "hours": { "type": "number" },
            "set_at": date_time,
            "set_by": nullable("string"),
        })),
    );
    schemas.insert(
        "PohOHours".into(),
        object(json!({
            "practice_id": { "type": "integer" },
            "current": { "type": ["number", "null"], "description": "Hours per week in force today; null when never set." },
            "can_set": { "type": "boolean" },
            "history": { "type": "array", "items": schema_ref("PohOHoursEntry"), "description": "Newest valid_from first; of equal dates the last set first." },
        })),
    );
    schemas.insert(
        "PohOHoursInput".into(),
        json!({
            "type": "object",
            "properties": {
                "hours": { "type": "number", "minimum": 0, "maximum": 200 },
                "valid_from": date(),
            },
            "required": ["hours", "valid_from"],
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` points at something the document defines.
    #[test]
    fn references_resolve() {
        fn walk(v: &Value, doc: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        let pointer = r.strip_prefix('#').expect("local reference");
                        if doc.pointer(pointer).is_none() {
                            out.push(r.clone());
                        }
                    }
                    m.values().for_each(|x| walk(x, doc, out));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, doc, out)),
                _ => {}
            }
        }
        let doc = document();
        let mut missing = Vec::new();
        walk(&doc, &doc, &mut missing);
        assert!(missing.is_empty(), "unresolved: {missing:?}");
    }

    #[test]
    fn every_route_is_described_once() {
        let doc = document();
        let mut described = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                described.push((method.to_uppercase(), path.clone()));
            }
        }
        let mut listed: Vec<_> = API_ROUTES
            .iter()
            .map(|r| (r.method.to_string(), r.path.to_string()))
            .collect();
        described.sort();
        listed.sort();
        assert_eq!(described, listed);
        let ids: std::collections::HashSet<_> = API_ROUTES
            .iter()
            .map(|r| (r.operation)()["operationId"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), API_ROUTES.len(), "operationIds are unique");
    }
}
