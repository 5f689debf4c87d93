//! Patients in the API: the list, the record, decisions, the care team and the first
//! point of contact.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use kernteam_domain::access::Scope;
use kernteam_domain::dates::age_on;
use serde::{Deserialize, Serialize};

use super::{ApiResult, Params};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::patients::today;
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
