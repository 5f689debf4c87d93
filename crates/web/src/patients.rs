//! Loading patients under the access rules (the old helpers, until every room goes through
//! the gate); the practice list itself lives in `kernteam_app::practice_list`.

use std::sync::Arc;

use chrono::NaiveDate;
use kernteam_domain::access::{patient_access, PatientAccess, Relationship, Scope};
use kernteam_store::care::{AuditEntry, PatientRef};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A patient the current user may see, with what they may do.
pub struct Allowed {
    pub patient: PatientRef,
    pub access: PatientAccess,
}

/// Loads a patient for the current user, or 404 when they may not see them.
pub async fn allowed(state: &AppState, cu: &CurrentUser, patient_id: i64) -> AppResult<Allowed> {
    let patient = state.db.patient(patient_id).await?;
    let same_practice = cu.user.practice_id == Some(patient.practice_id);
    let on_care_team = cu.user.role.scope() == Scope::Network && state.db.on_care_team(patient.id, cu.user.id).await?;
    let access = patient_access(
        cu.user.role,
        cu.user.is_admin,
        Relationship {
            same_practice,
            on_care_team,
        },
    );
    if !access.read {
        // NEN 7513 logs refused attempts too, as refused: the patient's trail shows who tried.
        state
            .db
            .audit(&AuditEntry {
                outcome: kernteam_store::audit::Outcome::Refused,
                ..entry(cu, Some(&patient), "toegang geweigerd", None)
            })
            .await?;
        return Err(AppError::NotFound);
    }
    Ok(Allowed { patient, access })
}

/// Writes the NEN 7513 record of an access to patient data.
pub async fn audit(
    state: &AppState,
    cu: &CurrentUser,
    patient: Option<&PatientRef>,
    action: &str,
    detail: Option<String>,
) -> AppResult<()> {
    state.db.audit(&entry(cu, patient, action, detail)).await?;
    Ok(())
}

/// The record of an allowed access by the current user.
fn entry(cu: &CurrentUser, patient: Option<&PatientRef>, action: &str, detail: Option<String>) -> AuditEntry {
    AuditEntry {
        user_id: Some(cu.user.id),
        username: cu.user.username.clone(),
        role: cu.user.role.code().to_string(),
        practice_id: patient.map(|p| p.practice_id).or(cu.user.practice_id),
        patient_id: patient.map(|p| p.id),
        action: action.to_string(),
        detail,
        ip: cu.ip.clone(),
        ..Default::default()
    }
}

pub use kernteam_app::practice_list::{
    select_rows, wlz_label, CareOverlay, ListRow, PracticeList, SharedPatient, LIST_FILTERS,
};

/// The practice list of a practice, for the pages not yet converted to the gate (worklist,
/// MDO agenda). New code asks `state.app.practice_list(&staff)`.
pub async fn practice_list(state: &AppState, practice_id: i64) -> AppResult<Option<Arc<PracticeList>>> {
    Ok(state.app.legacy_practice_list(practice_id).await?)
}

/// The patients whose care team the user is on, for the pages not yet converted to the
/// gate (worklist). New code asks `state.app.shared_patients(&member)`.
pub async fn shared_patients(state: &AppState, user_id: i64) -> AppResult<Vec<SharedPatient>> {
    Ok(state.app.legacy_shared_patients(user_id).await?)
}

/// Dutch label of an NHG Tabel 45 determinant.
pub fn labcode_label(code: i64) -> String {
    match code {
        2803 => "Wlz-zorgprofiel (2803)".into(),
        1251 => "Gewicht (1251)".into(),
        other => format!("Determinant {other}"),
    }
}
