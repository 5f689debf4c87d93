//! `GET /api/v1/worklist`: the worklist as JSON, a page of patients with their items and
//! the counts.

use axum::extract::State;
use axum::Json;
use kernteam_domain::worklist::WorkItem;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};

use kernteam_app::worklist::{Query as ListQuery, Sort, View};

use super::{link_of, GROUPS};
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
                "kind": { "type": "string", "enum": kernteam_domain::worklist::KINDS },
                "group": { "type": "string", "enum": groups },
                "text": { "type": "string", "description": "The item in Dutch." },
                "urgent": { "type": "boolean" },
                "link": { "type": "string", "description": "The page where it is dealt with." },
                "what": { "type": "string" },
                "who": { "type": "string" },
                "due": { "type": ["string", "null"], "format": "date", "description": "When it is due; null for what has no date of its own." },
                "key": { "type": "string", "description": "The item's identity, for ticking it off or putting it off (POST /patienten/{id}/werklijst)." },
                "can_mark": { "type": "boolean", "description": "Whether it can be ticked off or put off (not a handover)." },
                "member": { "type": "integer", "format": "int64", "description": "The care-team member the action is assigned to." },
                "overdue": { "type": "boolean" },
                "date": date,
                "last": { "type": ["string", "null"], "format": "date" },
                "on": { "type": ["string", "null"], "format": "date", "description": "The last day registered (left_practice); null: missing from the extract." },
                "extract_date": date,
                "event_id": { "type": "integer", "format": "int64" },
                "event": { "type": "string", "enum": event_kinds },
                "status": { "type": "string", "enum": ["open", "overdue", "sent_late"] },
                "reason": { "type": "string" },
            },
            "required": ["kind", "group", "text", "urgent", "link", "key", "due", "can_mark"],
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
    /// Practice staff: `practice` (default), `my_patients` (those whose care team they are
    /// on) or `my_tasks` (the actions assigned to them). Network professionals always get
    /// `my_tasks`.
    #[param(value_type = Option<String>, pattern = "^(practice|my_patients|my_tasks)$")]
    view: Option<String>,
    /// Older form of `view=my_patients`.
    mine: bool,
    /// `due` (default: urgent and earliest first) or `name`.
    #[param(value_type = Option<String>, pattern = "^(due|name)$")]
    sort: Option<String>,
    /// The page, from 1 (25 patients a page).
    page: Option<usize>,
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
    /// (Dutch), `urgent`, `link` (the page where it is dealt with), `key`, `due` and
    /// `can_mark`.
    #[schema(value_type = Vec<WorkItemDoc>)]
    items: Vec<Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Worklist)]
pub struct ApiWorklist {
    /// The view shown: `practice`, `my_patients` or `my_tasks`.
    view: &'static str,
    mine: bool,
    /// Patients with items, on every page together.
    patients_count: usize,
    items: usize,
    urgent: usize,
    page: usize,
    pages: usize,
    /// Groups with items (on every page together), urgent ones first.
    groups: Vec<ApiGroup>,
    /// This page's patients with their items, urgent and earliest due first (or by name).
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
        m.insert("key".into(), Value::String(item.key()));
        m.insert(
            "due".into(),
            item.due().map_or(Value::Null, |d| Value::String(d.to_string())),
        );
        m.insert("can_mark".into(), Value::Bool(item.can_mark()));
    }
    v
}

/// What needs doing for the included patients
///
/// Practice staff: the practice's included patients (view=my_patients: those whose care team
/// they are on; view=my_tasks: the care-plan actions assigned to them). Network
/// professionals: the actions assigned to them. Regional staff: 403. Per patient, a page at
/// a time. The read is logged once for the list and once for every patient on the page (in
/// that patient's own access trail).
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
    let view = match q.view.as_deref() {
        Some("my_tasks") => View::MyTasks,
        Some("my_patients") => View::MyPatients,
        Some("practice") | None if !q.mine => View::Practice,
        None | Some("practice") => View::MyPatients,
        Some(other) => {
            return Err(crate::error::AppError::invalid(format!(
                "view: '{other}' is not practice, my_patients or my_tasks"
            ))
            .into())
        }
    };
    let sort = match q.sort.as_deref() {
        None | Some("due") => Sort::Due,
        Some("name") => Sort::Name,
        Some(other) => {
            return Err(crate::error::AppError::invalid(format!("sort: '{other}' is not due or name")).into())
        }
    };
    let list = state
        .app
        .worklist(
            &viewer,
            &ListQuery {
                view,
                group: None,
                sort,
                page: q.page.unwrap_or(1),
            },
        )
        .await?;
    let mut groups: Vec<ApiGroup> = list
        .groups
        .iter()
        .map(|(code, count, urgent)| ApiGroup {
            kind: code,
            label: super::group_label(code),
            count: *count,
            urgent: *urgent,
        })
        .collect();
    groups.sort_by_key(|g| g.urgent == 0);
    Ok(Json(ApiWorklist {
        view: match list.view {
            View::Practice => "practice",
            View::MyPatients => "my_patients",
            View::MyTasks => "my_tasks",
        },
        mine: list.view == View::MyPatients,
        patients_count: list.total_patients,
        items: list.total_items,
        urgent: list.urgent,
        page: list.page,
        pages: list.pages,
        groups,
        patients: list
            .patients
            .iter()
            .map(|p| ApiPatient {
                id: p.patient_id,
                name: p.name.clone(),
                items: p.items.iter().map(|i| item_json(p.patient_id, i)).collect(),
            })
            .collect(),
    }))
}
