//! `GET /api/v1/worklist`: the worklist as JSON, groups with counts and the patients with
//! their items.

use axum::extract::State;
use axum::Json;
use kernteam_domain::worklist::WorkItem;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{grouped, link_of};
use crate::api::{ApiResult, Params};
use crate::auth::CurrentUser;
use crate::AppState;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ApiQuery {
    /// Practice staff: only the patients whose care team they are on.
    mine: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiGroup {
    /// A group code: overdracht, actie, evaluatie, zorgplan, pzp, aanspreekpunt,
    /// medicatiebeoordeling or mdo.
    kind: &'static str,
    label: &'static str,
    count: usize,
    urgent: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiPatient {
    id: i64,
    name: String,
    /// The items: the domain's fields (`kind` is the item's kind), plus `group`, `text`
    /// (Dutch), `urgent` and `link` (the page where it is dealt with).
    #[schema(value_type = Vec<Object>)]
    items: Vec<Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
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

/// `GET /api/v1/worklist`.
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
