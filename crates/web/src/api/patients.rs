//! `GET /api/v1/patients`: the patient list, as the list page shows it.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use kernteam_domain::access::Scope;
use kernteam_domain::dates::age_on;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::ApiErrorBody;
use super::{ApiResult, Params};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::patients::today;
use crate::AppState;
use kernteam_app::practice_list::{list_filter, unknown_filter, ListRequest, LIST_FILTERS};

pub fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(list))
}

/// The filter codes, as a string enum (nullable for the response's `filter`).
fn filter_schema(nullable: bool) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let mut values: Vec<serde_json::Value> = LIST_FILTERS.iter().map(|(code, _)| (*code).into()).collect();
    let kind = if nullable {
        values.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new().schema_type(kind).enum_values(Some(values)).build()
}

fn filter_param() -> utoipa::openapi::Object {
    filter_schema(false)
}

fn applied_filter() -> utoipa::openapi::Object {
    filter_schema(true)
}

/// Rows per page of the practice list, as on the page.
pub const PAGE_SIZE: usize = 50;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Search words; each must occur in the name, BSN or birth date (dd-mm-yyyy or
    /// yyyy-mm-dd). Not written to the audit log.
    q: String,
    /// Which patients: all (alle, the default), frail and not included, included, included
    /// without care plan, or frail.
    #[param(schema_with = filter_param)]
    filter: String,
    /// Page number from 1; out-of-range values are clamped.
    #[param(minimum = 1)]
    page: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PatientList {
    /// Patients that pass the filter and search, on all pages.
    total: usize,
    page: usize,
    pages: usize,
    page_size: usize,
    /// The filter applied; null in a network professional's list.
    #[schema(schema_with = applied_filter)]
    filter: Option<String>,
    /// Date of the extract the list comes from (practice staff).
    extract_date: Option<NaiveDate>,
    patients: Vec<ListRow>,
}

/// One patient of a list. The HIS-derived columns are `null` in a network
/// professional's list, which shows only who the patient is.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PatientListRow)]
pub struct ListRow {
    id: i64,
    name: String,
    birth_date: NaiveDate,
    age: i32,
    frail: Option<bool>,
    medicines: Option<usize>,
    polypharmacy: Option<bool>,
    wlz_profile: Option<String>,
    /// `not_assessed`, `included` or `excluded`; null in a network professional's list.
    #[schema(value_type = Option<String>)]
    status: Option<&'static str>,
    care_plan: Option<bool>,
    first_contact: Option<String>,
}

/// `GET /api/v1/patients`: the same list as the page. The audit record names the
/// patients returned, never the search words.
#[utoipa::path(get, path = "/api/v1/patients", tag = "patients", operation_id = "listPatients",
    summary = "The patient list",
    description = "Practice staff: the registered 75+ of their practice in its latest extract, filtered and \
        searched, 50 per page. Network professionals: the patients whose care team they are on (q, filter \
        and page do not apply). Regional staff: 403. The audit record names the patients returned, never \
        the search words.",
    params(ListQuery),
    responses((status = 200, description = "One page of the list.", body = PatientList),
        (status = 401, description = "Not signed in.", body = ApiErrorBody),
        (status = 403, description = "Regional staff have no patient list.", body = ApiErrorBody),
        (status = 422, description = "An unknown filter.", body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Params(query): Params<ListQuery>,
) -> ApiResult<Json<PatientList>> {
    let actor = cu.actor();
    match cu.user.role.scope() {
        Scope::Region => Err(AppError::Forbidden.into()),
        Scope::Portal => Err(AppError::NotFound.into()),
        Scope::Network => {
            let member = state.app.network_member(&actor).await?;
            let now = today();
            let patients: Vec<ListRow> = state
                .app
                .view_shared_list(&member)
                .await?
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
            let staff = state.app.practice_staff(&actor).await?;
            let filter = match query.filter.trim() {
                "" => "alle",
                f => list_filter(f).ok_or_else(|| unknown_filter(f))?,
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
                .await?;
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
