//! The operations of the routes whose handlers do not yet describe themselves (see
//! [`super::doc`]): merged into the derived document by [`super::router`]. Only the
//! patient list is left.

use serde_json::{json, Map, Value};

use super::API_ROUTES;
use crate::patients::LIST_FILTERS;

/// The operations of [`API_ROUTES`] and the schemas they use.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in API_ROUTES {
        let item = paths
            .entry(route.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        item[route.method.to_lowercase()] = (route.operation)();
    }
    json!({ "paths": paths, "components": { "schemas": schemas() } })
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
    let mut nullable_filters: Vec<Value> = LIST_FILTERS.iter().map(|(code, _)| json!(code)).collect();
    nullable_filters.push(Value::Null);
    let program_status = json!({ "type": "string", "enum": ["not_assessed", "included", "excluded"] });
    let mut schemas = Map::new();
    schemas.insert("PatientList".into(), object(json!({
            "total": { "type": "integer", "description": "Patients that pass the filter and search, on all pages." },
            "page": { "type": "integer" },
            "pages": { "type": "integer" },
            "page_size": { "type": "integer" },
            "filter": { "type": ["string", "null"], "enum": nullable_filters, "description": "The filter applied; null in a network professional's list." },
            "extract_date": nullable_date(),
            "patients": array_of("PatientListRow"),
        })));
    schemas.insert(
        "PatientListRow".into(),
        object(json!({
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
    );
    Value::Object(schemas)
}
