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
use serde_json::{json, Map, Value};

use super::API_ROUTES;
use crate::auth::SESSION_COOKIE;
use crate::patients::LIST_FILTERS;

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

pub(super) fn session() -> Value {
    json!({
        "operationId": "getSession",
        "tags": ["session"],
        "summary": "The signed-in user and the session's CSRF token",
        "responses": responses(&[("200", ok("The session.", "Session"))], &[401]),
    })
}

pub(super) fn patient_list() -> Value {
    let filters: Vec<&str> = LIST_FILTERS.iter().map(|(code, _)| *code).collect();
    json!({
        "operationId": "listPatients",
        "tags": ["patients"],
        "summary": "The patient list",
        "description": "Practice staff: the registered 75+ of their practice in its latest extract, filtered and \
            searched, 50 per page. Network professionals: the patients whose care team they are on (q, filter \
            and page do not apply). Regional staff: 403.",
        "parameters": [
            {
                "name": "q", "in": "query", "required": false,
                "description": "Search words; each must occur in the name, BSN or birth date (dd-mm-yyyy or yyyy-mm-dd).",
                "schema": { "type": "string" },
            },
            {
                "name": "filter", "in": "query", "required": false,
                "description": "Which patients: all (alle, the default), frail and not included, included, included without care plan, or frail.",
                "schema": { "type": "string", "enum": filters },
            },
            {
                "name": "page", "in": "query", "required": false,
                "description": "Page number from 1; out-of-range values are clamped.",
                "schema": { "type": "integer", "minimum": 1 },
            },
        ],
        "responses": responses(&[("200", ok("One page of the list.", "PatientList"))], &[401, 403, 422]),
    })
}

pub(super) fn patient_record() -> Value {
    json!({
        "operationId": "getPatient",
        "tags": ["patients"],
        "summary": "A patient's record",
        "description": "Person data from the latest extract, HIS summary, program status and decisions, care team, \
            first point of contact, current care-plan version, and what the user may do.",
        "responses": responses(&[("200", ok("The record.", "PatientRecord"))], &[401, 404]),
    })
}

pub(super) fn decide() -> Value {
    json!({
        "operationId": "recordDecision",
        "tags": ["patients"],
        "summary": "Include or exclude the patient",
        "description": "Practice clinicians only (others who may see the patient get 403).",
        "requestBody": json_body("DecisionInput"),
        "responses": responses(&[("201", ok("The decision and the resulting status.", "Decided"))], &[401, 403, 404, 422]),
    })
}

pub(super) fn team() -> Value {
    json!({
        "operationId": "getCareTeam",
        "tags": ["care team"],
        "summary": "The care team",
        "responses": responses(&[("200", ok("The active members.", "CareTeam"))], &[401, 404]),
    })
}

pub(super) fn add_member() -> Value {
    json!({
        "operationId": "addCareTeamMember",
        "tags": ["care team"],
        "summary": "Add a member to the care team",
        "description": "Practice clinicians only. A professional with an account by user_id (staff of the patient's \
            practice or a network professional), a professional without an account by name, or a mantelzorger \
            by name and relation.",
        "requestBody": json_body("MemberInput"),
        "responses": responses(&[("201", ok("The new member.", "CareTeamMember"))], &[401, 403, 404, 422]),
    })
}

pub(super) fn remove_member() -> Value {
    json!({
        "operationId": "removeCareTeamMember",
        "tags": ["care team"],
        "summary": "End a membership of the care team",
        "description": "Practice clinicians only. The membership is kept for the record; when the member was the \
            first point of contact, the patient has none afterwards.",
        "responses": responses(&[("204", json!({ "description": "Removed." }))], &[401, 403, 404]),
    })
}

pub(super) fn set_first_contact() -> Value {
    json!({
        "operationId": "setFirstContact",
        "tags": ["care team"],
        "summary": "Make a professional of the care team the first point of contact",
        "description": "Practice clinicians only.",
        "requestBody": json_body("FirstContactInput"),
        "responses": responses(&[("200", ok("The first point of contact.", "FirstContact"))], &[401, 403, 404, 422]),
    })
}

pub(super) fn care_plan() -> Value {
    json!({
        "operationId": "getCarePlan",
        "tags": ["care plan"],
        "summary": "The current care plan",
        "responses": responses(&[("200", ok("The current version (0 and an empty plan when there is none).", "CurrentCarePlan"))], &[401, 404]),
    })
}

pub(super) fn save_care_plan() -> Value {
    json!({
        "operationId": "saveCarePlan",
        "tags": ["care plan"],
        "summary": "Save the care plan as a new version",
        "description": "Anyone who may contribute: the practice's clinicians and the network professionals on the \
            care team. Empty problems, goals and actions are dropped and texts trimmed. based_on is the version \
            the client started from (0 for a first plan); when someone saved since, nothing is written and the \
            answer is 409. A plan equal to the current version writes nothing (saved: false).",
        "requestBody": json_body("CarePlanSave"),
        "responses": responses(&[("200", ok("What was saved.", "CarePlanSaved"))], &[401, 403, 404, 409, 422]),
    })
}

pub(super) fn care_plan_versions() -> Value {
    json!({
        "operationId": "listCarePlanVersions",
        "tags": ["care plan"],
        "summary": "The versions of the care plan, newest first",
        "responses": responses(&[("200", ok("The versions.", "CarePlanVersions"))], &[401, 404]),
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
    let mut nullable_filters: Vec<Value> = LIST_FILTERS.iter().map(|(code, _)| json!(code)).collect();
    nullable_filters.push(Value::Null);
    let member_kind = json!({ "type": "string", "enum": ["professional", "mantelzorger"] });
    json!({
        "Error": object(json!({
            "error": { "type": "string", "description": "What went wrong, in Dutch." },
            "details": { "type": "array", "items": { "type": "string" }, "description": "Every problem with the input, in Dutch." },
        })),
        "Session": object(json!({
            "id": { "type": "integer" },
            "username": { "type": "string" },
            "name": { "type": "string" },
            "role": { "type": "string", "enum": roles },
            "practice_id": nullable("integer"),
            "organisation_id": nullable("integer"),
            "csrf": { "type": "string", "description": "Send as X-CSRF-Token with every POST, PUT and DELETE." },
        })),
        "PatientList": object(json!({
            "total": { "type": "integer", "description": "Patients that pass the filter and search, on all pages." },
            "page": { "type": "integer" },
            "pages": { "type": "integer" },
            "page_size": { "type": "integer" },
            "filter": { "type": ["string", "null"], "enum": nullable_filters, "description": "The filter applied; null in a network professional's list." },
            "extract_date": nullable_date(),
            "patients": array_of("PatientListRow"),
        })),
        "PatientListRow": object(json!({
            "id": { "type": "integer" },
            "name": { "type": "string" },
            "birth_date": date(),
            "age": { "type": "integer" },
            "frail": nullable("boolean"),
            "medicines": nullable("integer"),
            "polypharmacy": nullable("boolean"),
            "wlz_profile": nullable("string"),
            "status": { "type": ["string", "null"], "enum": ["not_assessed", "included", "excluded", null] },
            "care_plan": nullable("boolean"),
            "first_contact": nullable("string"),
        })),
        "Person": object(json!({
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
        "HisLine": object(json!({
            "code": { "type": "string", "description": "ICPC (episodes), ATC (medication) or program code (chain care)." },
            "label": nullable("string"),
            "start": date(),
            "end": nullable_date(),
            "active": { "type": "boolean", "description": "Running on the extract date." },
        })),
        "Determinant": object(json!({
            "labcode": { "type": "integer", "description": "NHG Tabel 45 number." },
            "label": { "type": "string" },
            "date": date(),
            "value": { "type": "string" },
            "display": { "type": "string", "description": "The value as people read it (Wlz profile code 352 as VV5)." },
        })),
        "His": object(json!({
            "episodes": array_of("HisLine"),
            "medications": { "type": "array", "items": schema_ref("HisLine"), "description": "Medication running on the extract date." },
            "determinants": array_of("Determinant"),
            "programs": { "type": "array", "items": schema_ref("HisLine"), "description": "Chain care (ketenzorg) enrolments." },
        })),
        "Decision": object(json!({
            "id": { "type": "integer" },
            "kind": { "type": "string", "enum": ["inclusion", "exclusion"] },
            "decided_on": date(),
            "deciding_gp": nullable("string"),
            "reason": { "type": ["string", "null"], "enum": reasons.iter().map(|r| json!(r)).chain([Value::Null]).collect::<Vec<_>>() },
            "considerations": nullable("string"),
            "recorded_by": nullable("string"),
            "recorded_at": { "type": "string", "format": "date-time" },
        })),
        "CareTeamMember": object(json!({
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
        "Access": object(json!({
            "read": { "type": "boolean" },
            "contribute": { "type": "boolean", "description": "May write the care plan." },
            "decide": { "type": "boolean", "description": "May include, exclude, and change the care team and first point of contact." },
            "audit": { "type": "boolean", "description": "May see who accessed the record." },
        })),
        "PatientRecord": object(json!({
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
        "DecisionInput": {
            "type": "object",
            "properties": {
                "kind": { "type": "string", "enum": ["inclusion", "exclusion"] },
                "decided_on": { "type": "string", "format": "date", "description": "Not in the future." },
                "deciding_gp": { "type": ["string", "null"], "maxLength": 200, "description": "Required for an inclusion." },
                "reason": { "type": ["string", "null"], "enum": reasons.iter().map(|r| json!(r)).chain([Value::Null]).collect::<Vec<_>>(), "description": "Required for an exclusion." },
                "considerations": { "type": ["string", "null"], "maxLength": 4000 },
            },
            "required": ["kind", "decided_on"],
        },
        "Decided": object(json!({
            "decision": schema_ref("Decision"),
            "status": program_status,
        })),
        "CareTeam": object(json!({
            "members": array_of("CareTeamMember"),
            "first_contact": { "type": ["integer", "null"], "description": "Member id of the first point of contact." },
        })),
        "MemberInput": {
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
        },
        "FirstContactInput": {
            "type": "object",
            "properties": { "member_id": { "type": "integer" } },
            "required": ["member_id"],
        },
        "FirstContact": object(json!({ "first_contact": schema_ref("CareTeamMember") })),
        "Problem": object(json!({
            "domain": { "type": "string", "enum": domains, "description": "SFMPC domain." },
            "description": { "type": "string" },
        })),
        "CareAction": {
            "type": "object",
            "properties": {
                "what": { "type": "string" },
                "who": { "type": "string" },
                "due": nullable_date(),
                "status": { "type": "string", "enum": statuses },
            },
            "required": ["what", "who", "status"],
            "additionalProperties": false,
        },
        "CarePlan": {
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
        },
        "CurrentCarePlan": object(json!({
            "version": { "type": "integer", "description": "0 when there is no care plan yet." },
            "at": { "type": ["string", "null"], "format": "date-time" },
            "by": nullable("string"),
            "can_edit": { "type": "boolean" },
            "plan": schema_ref("CarePlan"),
        })),
        "CarePlanVersion": object(json!({
            "version": { "type": "integer" },
            "at": { "type": "string", "format": "date-time" },
            "by": { "type": "string" },
            "changes": strings(),
        })),
        "CarePlanVersions": object(json!({ "versions": array_of("CarePlanVersion") })),
        "CarePlanSave": {
            "type": "object",
            "properties": {
                "based_on": { "type": "integer", "minimum": 0, "description": "The version the client started from; 0 for a first plan." },
                "plan": schema_ref("CarePlan"),
            },
            "required": ["based_on", "plan"],
        },
        "CarePlanSaved": object(json!({
            "saved": { "type": "boolean", "description": "False when the plan equals the current version." },
            "version": { "type": "integer", "description": "The current version afterwards." },
            "changes": strings(),
        })),
    })
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
