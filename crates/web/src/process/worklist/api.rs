//! `GET /api/v1/worklist`: the worklist as JSON, groups with counts and the patients with
//! their items.

use axum::extract::State;
use axum::Json;
use kernteam_domain::worklist::WorkItem;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};

use super::{grouped, link_of, GROUPS};
use crate::api::doc::ApiErrorBody;
use crate::api::{ApiResult, Params};
use crate::auth::CurrentUser;
use crate::process::events::api::string_enum;
use crate::AppState;

/// The API route of the worklist, with its part of the OpenAPI document.
pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(api_worklist))
}

/// A group code of the worklist (`kernteam_domain::worklist::GROUPS`), for the document.
pub struct GroupCode;

impl utoipa::PartialSchema for GroupCode {
    fn schema() -> RefOr<Schema> {
        let codes: Vec<&str> = GROUPS.iter().map(|(c, _)| *c).collect();
        string_enum(&codes, None)
    }
}

impl utoipa::ToSchema for GroupCode {}

/// An item as [`item_json`] writes it, for the document.
pub struct WorkItemDoc;

impl utoipa::PartialSchema for WorkItemDoc {
    fn schema() -> RefOr<Schema> {
        let groups: Vec<&str> = GROUPS.iter().map(|(c, _)| *c).collect();
        let event_kinds: Vec<&str> = kernteam_domain::events::EventKind::ALL
            .iter()
            .map(|k| k.code())
            .collect();
        let date = json!({ "type": "string", "format": "date" });
        let schema = json!({
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
                "due": date,
                "overdue": { "type": "boolean" },
                "date": date,
                "last": { "type": ["string", "null"], "format": "date" },
                "event_id": { "type": "integer", "format": "int64" },
                "event": { "type": "string", "enum": event_kinds },
                "status": { "type": "string", "enum": ["open", "overdue", "sent_late"] },
                "reason": { "type": "string" },
            },
            "required": ["kind", "group", "text", "urgent", "link"],
            "additionalProperties": false,
        });
        RefOr::T(serde_json::from_value(schema).expect("a schema"))
    }
}

impl utoipa::ToSchema for WorkItemDoc {
    fn name() -> std::borrow::Cow<'static, str> {
        "WorkItem".into()
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ApiQuery {
    /// Practice staff: only the patients whose care team they are on.
    mine: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WorklistGroup)]
pub struct ApiGroup {
    #[schema(value_type = GroupCode, inline)]
    kind: &'static str,
    label: &'static str,
    count: usize,
    urgent: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WorklistPatient)]
pub struct ApiPatient {
    id: i64,
    name: String,
    /// The items: the domain's fields (`kind` is the item's kind), plus `group`, `text`
    /// (Dutch), `urgent` and `link` (the page where it is dealt with).
    #[schema(value_type = Vec<WorkItemDoc>)]
    items: Vec<Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Worklist)]
pub struct ApiWorklist {
    mine: bool,
    /// Included patients on the list (with or without items).
    patients_count: usize,
    items: usize,
    urgent: usize,
    /// Groups with items, urgent ones first.
    groups: Vec<ApiGroup>,
    /// Patients with items, by name.
    patients: Vec<ApiPatient>,
}

/// An item as the API writes it: the domain's fields (`kind` is the item's kind, an
/// event as its code), plus `group`, `text` (Dutch), `urgent` and `link` (the page).
pub fn item_json(patient_id: i64, item: &WorkItem) -> Value {
    let mut v = serde_json::to_value(item).unwrap_or(Value::Null);
    if let (WorkItem::Handover { event, .. }, Value::Object(m)) = (item, &mut v) {
        m.insert("event".into(), Value::String(event.code().to_string()));
    }
    if let Value::Object(m) = &mut v {
        m.insert("group".into(), Value::String(item.group().to_string()));
        m.insert("text".into(), Value::String(item.text()));
        m.insert("urgent".into(), Value::Bool(item.urgent()));
        m.insert("link".into(), Value::String(link_of(patient_id, item)));
    }
    v
}

/// What needs doing for the included patients
///
/// Practice staff: the practice's included patients (mine=true: those whose care team they are
/// on). Network professionals: the included patients whose care team they are on. Regional
/// staff: 403. Groups with urgent items come first. The read is logged once for the list and
/// once for every patient it shows (in that patient's own access trail).
#[utoipa::path(get, path = "/api/v1/worklist", tag = "worklist", operation_id = "getWorklist",
    params(ApiQuery),
    responses((status = 200, description = "The worklist.", body = ApiWorklist),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "Regional staff have no worklist.", body = ApiErrorBody),
        (status = 422, description = "The query is wrong.", body = ApiErrorBody)))]
pub async fn api_worklist(
    State(state): State<AppState>,
    cu: CurrentUser,
    Params(q): Params<ApiQuery>,
) -> ApiResult<Json<ApiWorklist>> {
    let viewer = state.app.worklist_viewer(&cu.actor()).await?;
    let mine = q.mine && viewer.is_practice_staff();
    let work = state.app.worklist(&viewer, mine, None).await?;
    let groups = grouped(&work);
    Ok(Json(ApiWorklist {
        mine,
        patients_count: work.len(),
        items: groups.iter().map(|g| g.rows.len()).sum(),
        urgent: groups.iter().map(|g| g.urgent).sum(),
        groups: groups
            .iter()
            .map(|g| ApiGroup {
                kind: g.code,
                label: g.label,
                count: g.rows.len(),
                urgent: g.urgent,
            })
            .collect(),
        patients: work
            .iter()
            .filter(|p| !p.items.is_empty())
            .map(|p| ApiPatient {
                id: p.patient_id,
                name: p.name.clone(),
                items: p.items.iter().map(|i| item_json(p.patient_id, i)).collect(),
            })
            .collect(),
    }))
}
