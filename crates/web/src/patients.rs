//! Loading patients under the access rules, and the practice's list of registered 75+.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use kernteam_domain::access::{patient_access, PatientAccess, Relationship, Scope};
use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::codes::CodeSets;
use kernteam_domain::dates::age_on;
use kernteam_domain::figures::TARGET_AGE;
use kernteam_store::care::{AuditEntry, PatientRef, Person, TeamMember};

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
        // NEN 7513 logs refused attempts too: the patient's trail shows who tried.
        audit(state, cu, Some(&patient), "toegang geweigerd", None).await?;
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
    state
        .db
        .audit(&AuditEntry {
            user_id: Some(cu.user.id),
            username: cu.user.username.clone(),
            role: cu.user.role.code().to_string(),
            practice_id: patient.map(|p| p.practice_id).or(cu.user.practice_id),
            patient_id: patient.map(|p| p.id),
            action: action.to_string(),
            detail,
            ip: cu.ip.clone(),
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// One registered 75+ of the practice, as the latest extract describes them.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub patient_id: i64,
    pub name: String,
    pub birth_date: NaiveDate,
    pub bsn: Option<String>,
    pub frail: bool,
    pub medicines: usize,
    pub polypharmacy: bool,
    pub wlz_profile: Option<String>,
    /// Lower-case name, BSN and birth date, for search.
    search: String,
}

/// The practice's registered 75+ from one snapshot, computed once per snapshot.
pub struct PracticeList {
    pub snapshot_id: i64,
    pub extract_date: NaiveDate,
    pub rows: Vec<ListRow>,
}

/// Wlz care profile codes of determinant 2803, as labels.
pub fn wlz_label(value: &str) -> String {
    match value.trim() {
        "351" => "VV4".into(),
        "352" => "VV5".into(),
        "353" => "VV6".into(),
        "354" => "VV7".into(),
        "355" => "VV8".into(),
        "356" => "VV9".into(),
        other => other.to_string(),
    }
}

/// The practice list for the latest snapshot, from the cache when it is current.
pub async fn practice_list(state: &AppState, practice_id: i64) -> AppResult<Option<Arc<PracticeList>>> {
    let Some(latest) = state.db.latest_snapshot(practice_id).await? else {
        return Ok(None);
    };
    if let Some(list) = state.lists.lock().unwrap_or_else(|e| e.into_inner()).get(&practice_id) {
        if list.snapshot_id == latest.snapshot_id {
            return Ok(Some(list.clone()));
        }
    }
    let people = state.db.snapshot_people(latest.snapshot_id).await?;
    let by_his: HashMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.his_id.as_str(), i)).collect();
    let codes = CodeSets::default();
    let on = latest.extract_date;
    let now = today();
    let mut rows = Vec::new();
    let facts_by_his = state.db.snapshot_facts_keyed(latest.snapshot_id).await?;
    for (his, f) in &facts_by_his {
        let Some(&i) = by_his.get(his.as_str()) else { continue };
        let p = &people[i];
        if !f.registered_on(on) || age_on(f.birth_date, now.max(on)) < TARGET_AGE {
            continue;
        }
        let wlz = f.wlz_profile_values(on).first().map(|v| wlz_label(v));
        let name = p.full_name();
        let search = format!(
            "{} {} {} {}",
            name.to_lowercase(),
            p.bsn.clone().unwrap_or_default(),
            p.birth_date.format("%d-%m-%Y"),
            p.birth_date
        );
        rows.push(ListRow {
            patient_id: p.patient_id,
            name,
            birth_date: p.birth_date,
            bsn: p.bsn.clone(),
            frail: f.frail_on(on, &codes),
            medicines: f.active_medicines(on),
            polypharmacy: f.polypharmacy_on(on),
            wlz_profile: wlz,
            search,
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.patient_id.cmp(&b.patient_id)));
    let list = Arc::new(PracticeList {
        snapshot_id: latest.snapshot_id,
        extract_date: on,
        rows,
    });
    state
        .lists
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(practice_id, list.clone());
    Ok(Some(list))
}

/// What the list shows besides the extract: status, first contact, care plan.
pub struct CareOverlay {
    pub status: HashMap<i64, ProgramStatus>,
    pub first_contact: HashMap<i64, String>,
    pub with_care_plan: HashSet<i64>,
}

pub async fn care_overlay(state: &AppState, practice_id: i64) -> AppResult<CareOverlay> {
    let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
    for (pid, d) in state.db.practice_decisions(practice_id).await? {
        decisions.entry(pid).or_default().push(d);
    }
    let now = today();
    let status = decisions
        .into_iter()
        .map(|(pid, ds)| (pid, status_on(&ds, now)))
        .collect();
    let first_contact = state
        .db
        .practice_first_contacts(practice_id)
        .await?
        .into_iter()
        .map(|(pid, name, role)| (pid, role.map_or(name.clone(), |r| format!("{name} ({r})"))))
        .collect();
    let with_care_plan = state
        .db
        .practice_care_plan_patients(practice_id)
        .await?
        .into_iter()
        .collect();
    Ok(CareOverlay {
        status,
        first_contact,
        with_care_plan,
    })
}

impl ListRow {
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty() || q.split_whitespace().all(|w| self.search.contains(w))
    }
}

/// The filters of the practice list, shared by the page and the API: code and Dutch label.
pub const LIST_FILTERS: [(&str, &str); 5] = [
    ("alle", "Alle 75-plussers"),
    ("kwetsbaar-niet-geincludeerd", "Kwetsbaar, niet geïncludeerd"),
    ("geincludeerd", "Geïncludeerd"),
    ("geen-zorgplan", "Geïncludeerd, zonder zorgplan"),
    ("kwetsbaar", "Met episode kwetsbare oudere"),
];

impl CareOverlay {
    pub fn status_of(&self, patient_id: i64) -> ProgramStatus {
        self.status
            .get(&patient_id)
            .copied()
            .unwrap_or(ProgramStatus::NotAssessed)
    }
}

/// The rows of the practice list that pass the filter (a code of [`LIST_FILTERS`]; any
/// other value shows everyone) and the search words, in list order.
pub fn select_rows<'a>(list: &'a PracticeList, overlay: &CareOverlay, filter: &str, query: &str) -> Vec<&'a ListRow> {
    list.rows
        .iter()
        .filter(|r| {
            let status = overlay.status_of(r.patient_id);
            match filter {
                "kwetsbaar-niet-geincludeerd" => r.frail && status != ProgramStatus::Included,
                "geincludeerd" => status == ProgramStatus::Included,
                "geen-zorgplan" => status == ProgramStatus::Included && !overlay.with_care_plan.contains(&r.patient_id),
                "kwetsbaar" => r.frail,
                _ => true,
            }
        })
        .filter(|r| r.matches(query))
        .collect()
}

/// A patient whose care team a network professional is on, as the latest extract of the
/// patient's practice describes them.
pub struct SharedPatient {
    pub patient: PatientRef,
    pub person: Person,
    pub first_contact: Option<TeamMember>,
}

/// The patients whose care team the user is on (the list of a network professional),
/// by name. Patients missing from their practice's latest extract are left out.
pub async fn shared_patients(state: &AppState, user_id: i64) -> AppResult<Vec<SharedPatient>> {
    let mut out = Vec::new();
    for patient in state.db.patients_of_team_member(user_id).await? {
        let Some(snap) = state.db.latest_snapshot(patient.practice_id).await? else {
            continue;
        };
        let Some(person) = state.db.person(snap.snapshot_id, &patient).await? else {
            continue;
        };
        let first_contact = state.db.first_contact(patient.id).await?;
        out.push(SharedPatient {
            patient,
            person,
            first_contact,
        });
    }
    out.sort_by(|a, b| {
        a.person
            .full_name()
            .cmp(&b.person.full_name())
            .then(a.patient.id.cmp(&b.patient.id))
    });
    Ok(out)
}

/// Dutch label of an NHG Tabel 45 determinant.
pub fn labcode_label(code: i64) -> String {
    match code {
        2803 => "Wlz-zorgprofiel (2803)".into(),
        1251 => "Gewicht (1251)".into(),
        other => format!("Determinant {other}"),
    }
}
