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
use crate::patients::{audit, care_overlay, practice_list, select_rows, shared_patients, today, LIST_FILTERS};
use crate::AppState;

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

/// `GET /api/v1/patients`: the same list as the page.
pub async fn list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Params(query): Params<ListQuery>,
) -> ApiResult<Json<PatientList>> {
    let now = today();
    match cu.user.role.scope() {
        Scope::Region => Err(AppError::Forbidden.into()),
        Scope::Network => {
            let patients: Vec<ListRow> = shared_patients(&state, cu.user.id)
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
            audit(
                &state,
                &cu,
                None,
                "patiëntenlijst bekeken",
                Some(format!("{} gedeelde patiënten", patients.len())),
            )
            .await?;
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
            let practice_id = cu.user.practice_id.ok_or(AppError::Forbidden)?;
            let filter = match query.filter.trim() {
                "" => "alle",
                f => LIST_FILTERS
                    .iter()
                    .map(|(code, _)| *code)
                    .find(|code| *code == f)
                    .ok_or_else(|| {
                        let codes: Vec<_> = LIST_FILTERS.iter().map(|(code, _)| *code).collect();
                        AppError::invalid(format!("Onbekend filter '{f}'; kies uit: {}.", codes.join(", ")))
                    })?,
            };
            let Some(list) = practice_list(&state, practice_id).await? else {
                return Ok(Json(PatientList {
                    total: 0,
                    page: 1,
                    pages: 1,
                    page_size: PAGE_SIZE,
                    filter: Some(filter.to_string()),
                    extract_date: None,
                    patients: Vec::new(),
                }));
            };
            let overlay = care_overlay(&state, practice_id).await?;
            let selected = select_rows(&list, &overlay, filter, &query.q);
            let total = selected.len();
            let pages = total.div_ceil(PAGE_SIZE).max(1);
            let page = query.page.unwrap_or(1).clamp(1, pages);
            let patients = selected
                .into_iter()
                .skip((page - 1) * PAGE_SIZE)
                .take(PAGE_SIZE)
                .map(|r| ListRow {
                    id: r.patient_id,
                    name: r.name.clone(),
                    birth_date: r.birth_date,
                    age: age_on(r.birth_date, now),
                    frail: Some(r.frail),
                    medicines: Some(r.medicines),
                    polypharmacy: Some(r.polypharmacy),
                    wlz_profile: r.wlz_profile.clone(),
                    status: Some(overlay.status_of(r.patient_id).code()),
                    care_plan: Some(overlay.with_care_plan.contains(&r.patient_id)),
                    first_contact: overlay.first_contact.get(&r.patient_id).cloned(),
                })
                .collect();
            audit(
                &state,
                &cu,
                None,
                "patiëntenlijst bekeken",
                Some(format!("filter {filter}, zoekterm '{}', pagina {page}", query.q)),
            )
            .await?;
            Ok(Json(PatientList {
                total,
                page,
                pages,
                page_size: PAGE_SIZE,
                filter: Some(filter.to_string()),
                extract_date: Some(list.extract_date),
                patients,
            }))
        }
    }
}
