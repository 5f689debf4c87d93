//! The practice's list of registered 75+ (for practice staff) and the list of patients
//! whose care team a network professional is on.
//!
//! The list of one snapshot is computed once and cached in the [`App`]. A view of a list
//! writes one audit record naming the patients shown on that page (their ids), and never
//! the search words: they may be a BSN or a name.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::codes::CodeSets;
use kernteam_domain::dates::age_on;
use kernteam_domain::figures::TARGET_AGE;
use kernteam_store::care::{PatientRef, Person, TeamMember};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{NetworkMember, PracticeStaff};
use crate::list_search::HeldSearches;
use crate::{today, App};

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
    /// The frailty index on the extract date (`kernteam_domain::frailty`), for case finding.
    pub frailty: kernteam_domain::frailty::FrailtyIndex,
    /// Lower-case name, BSN and birth date, for search.
    search: String,
    /// Dutch name order: tussenvoegsels ignored ("de Bie-Visser" under B).
    pub(crate) sort_key: String,
}

impl ListRow {
    /// Whether every search word occurs in the name, BSN or birth date (an empty search
    /// matches everyone).
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty() || q.split_whitespace().all(|w| self.search.contains(w))
    }
}

/// The practice's registered 75+ from one snapshot, computed once per snapshot.
#[derive(Debug)]
pub struct PracticeList {
    pub snapshot_id: i64,
    pub extract_date: NaiveDate,
    pub rows: Vec<ListRow>,
}

/// The caches of the lists: one practice list per practice (its latest snapshot) and the
/// searches held for the list pages.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    lists: Mutex<HashMap<i64, Arc<PracticeList>>>,
    pub(crate) searches: HeldSearches,
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

/// The filters of the practice list, shared by the page and the API: code and Dutch label.
pub const LIST_FILTERS: [(&str, &str); 5] = [
    ("alle", "Alle 75-plussers"),
    ("kwetsbaar-niet-geincludeerd", "Kwetsbaar, niet geïncludeerd"),
    ("geincludeerd", "Geïncludeerd"),
    ("geen-zorgplan", "Geïncludeerd, zonder zorgplan"),
    ("kwetsbaar", "Met episode kwetsbare oudere"),
];

/// The filter with this code, if there is one.
pub fn list_filter(code: &str) -> Option<&'static str> {
    LIST_FILTERS.iter().map(|(c, _)| *c).find(|c| *c == code.trim())
}

/// What the list shows besides the extract: status, first contact, care plan.
#[derive(Debug, Default)]
pub struct CareOverlay {
    pub status: HashMap<i64, ProgramStatus>,
    pub first_contact: HashMap<i64, String>,
    pub with_care_plan: HashSet<i64>,
}

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
#[derive(Debug, Clone)]
pub struct SharedPatient {
    pub patient: PatientRef,
    pub person: Person,
    pub first_contact: Option<TeamMember>,
    /// Distinct medicines current on the extract date (the record shows them to her too).
    pub medicines: usize,
}

/// Which page of the practice list to show.
#[derive(Debug, Clone, Copy)]
pub struct ListRequest<'a> {
    /// A code of [`LIST_FILTERS`] (see [`list_filter`]).
    pub filter: &'static str,
    /// Search words (name, birth date, BSN); `None` or empty: everyone.
    pub search: Option<&'a str>,
    /// 1-based; clamped to the pages there are.
    pub page: usize,
    pub page_size: usize,
}

/// One patient on a page of the practice list.
#[derive(Debug, Clone)]
pub struct ListEntry {
    pub row: ListRow,
    pub age: i32,
    pub status: ProgramStatus,
    pub care_plan: bool,
    pub first_contact: Option<String>,
}

/// A page of the practice list.
#[derive(Debug, Clone)]
pub struct ListView {
    /// `None`: the practice has no extract yet.
    pub extract_date: Option<NaiveDate>,
    pub filter: &'static str,
    /// Patients that pass the filter and search, on all pages.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub entries: Vec<ListEntry>,
}

/// "patiënten 3, 7, 12" (or "geen patiënten"): who was shown, for the audit record.
fn shown(ids: impl IntoIterator<Item = i64>) -> String {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    if ids.is_empty() {
        "geen patiënten".to_string()
    } else {
        format!("patiënten {}", ids.join(", "))
    }
}

impl App {
    /// The practice list of the staff member's practice (latest snapshot), from the cache
    /// when it is current; `None` before the first extract. Not audited: the caller shows
    /// or uses it and audits that.
    pub async fn practice_list(&self, staff: &PracticeStaff) -> Result<Option<Arc<PracticeList>>> {
        self.list_of_practice(staff.practice_id()).await
    }

    pub(crate) async fn list_of_practice(&self, practice_id: i64) -> Result<Option<Arc<PracticeList>>> {
        let Some(latest) = self.db.latest_snapshot(practice_id).await? else {
            return Ok(None);
        };
        if let Some(list) = self
            .lists
            .lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&practice_id)
        {
            if list.snapshot_id == latest.snapshot_id {
                return Ok(Some(list.clone()));
            }
        }
        let people = self.db.snapshot_people(latest.snapshot_id).await?;
        let by_his: HashMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.his_id.as_str(), i)).collect();
        let codes = CodeSets::default();
        let on = latest.extract_date;
        let now = today();
        let mut rows = Vec::new();
        for (his, f) in &self.db.snapshot_facts_keyed(latest.snapshot_id).await? {
            let Some(&i) = by_his.get(his.as_str()) else { continue };
            let p = &people[i];
            if !f.registered_on(on) || age_on(f.birth_date, now.max(on)) < TARGET_AGE {
                continue;
            }
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
                wlz_profile: f.wlz_profile_values(on).first().map(|v| wlz_label(v)),
                frailty: self.frailty_codes.index(f, on),
                search,
                sort_key: kernteam_domain::text::name_sort_key(p.family_name.as_deref(), p.given_name.as_deref()),
            });
        }
        rows.sort_by(|a, b| a.sort_key.cmp(&b.sort_key).then(a.patient_id.cmp(&b.patient_id)));
        let list = Arc::new(PracticeList {
            snapshot_id: latest.snapshot_id,
            extract_date: on,
            rows,
        });
        self.lists
            .lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(practice_id, list.clone());
        Ok(Some(list))
    }

    /// Status, first contact and care plan of the practice's patients.
    pub async fn care_overlay(&self, staff: &PracticeStaff) -> Result<CareOverlay> {
        let practice_id = staff.practice_id();
        let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
        for (pid, d) in self.db.practice_decisions(practice_id).await? {
            decisions.entry(pid).or_default().push(d);
        }
        let now = today();
        Ok(CareOverlay {
            status: decisions
                .into_iter()
                .map(|(pid, ds)| (pid, status_on(&ds, now)))
                .collect(),
            first_contact: self
                .db
                .practice_first_contacts(practice_id)
                .await?
                .into_iter()
                .map(|(pid, name, role)| (pid, role.map_or(name.clone(), |r| format!("{name} ({r})"))))
                .collect(),
            with_care_plan: self
                .db
                .practice_care_plan_patients(practice_id)
                .await?
                .into_iter()
                .collect(),
        })
    }

    /// A page of the practice list, filtered and searched. Writes the view to the audit
    /// log with the filter, whether it was a search (never the search words) and the ids
    /// of the patients on the page.
    pub async fn view_practice_list(&self, staff: &PracticeStaff, req: ListRequest<'_>) -> Result<ListView> {
        let search = req.search.map(str::trim).filter(|s| !s.is_empty());
        let Some(list) = self.practice_list(staff).await? else {
            self.record(&staff.actor().entry(
                None,
                Action::ViewPatientList,
                Some("nog geen extract: geen patiënten".to_string()),
            ))
            .await?;
            return Ok(ListView {
                extract_date: None,
                filter: req.filter,
                total: 0,
                page: 1,
                pages: 1,
                entries: Vec::new(),
            });
        };
        let overlay = self.care_overlay(staff).await?;
        let selected = select_rows(&list, &overlay, req.filter, search.unwrap_or(""));
        let total = selected.len();
        let page_size = req.page_size.max(1);
        let pages = total.div_ceil(page_size).max(1);
        let page = req.page.clamp(1, pages);
        let now = today();
        let entries: Vec<ListEntry> = selected
            .into_iter()
            .skip((page - 1) * page_size)
            .take(page_size)
            .map(|r| ListEntry {
                row: r.clone(),
                age: age_on(r.birth_date, now),
                status: overlay.status_of(r.patient_id),
                care_plan: overlay.with_care_plan.contains(&r.patient_id),
                first_contact: overlay.first_contact.get(&r.patient_id).cloned(),
            })
            .collect();
        let searched = match search {
            Some(_) => format!(", zoekopdracht met {total} treffers"),
            None => String::new(),
        };
        let detail = format!(
            "filter {}{searched}, pagina {page} van {pages}: {}",
            req.filter,
            shown(entries.iter().map(|e| e.row.patient_id))
        );
        self.record(&staff.actor().entry(None, Action::ViewPatientList, Some(detail)))
            .await?;
        Ok(ListView {
            extract_date: Some(list.extract_date),
            filter: req.filter,
            total,
            page,
            pages,
            entries,
        })
    }

    /// The patients whose care team the network professional is on, by name. Patients
    /// missing from their practice's latest extract are left out. Not audited (see
    /// [`App::view_shared_list`]).
    pub async fn shared_patients(&self, member: &NetworkMember) -> Result<Vec<SharedPatient>> {
        self.shared_patients_of(member.actor().user().id).await
    }

    async fn shared_patients_of(&self, user_id: i64) -> Result<Vec<SharedPatient>> {
        let mut out = Vec::new();
        for patient in self.db.patients_of_team_member(user_id).await? {
            let Some(snap) = self.db.latest_snapshot(patient.practice_id).await? else {
                continue;
            };
            let Some(person) = self.db.person(snap.snapshot_id, &patient).await? else {
                continue;
            };
            let first_contact = self.db.first_contact(patient.id).await?;
            let his = self.db.his_record(snap.snapshot_id, &patient.his_id).await?;
            let medicines = his
                .medications
                .iter()
                .filter(|m| kernteam_domain::dates::active_on(m.start, m.end, snap.extract_date))
                .map(|m| m.code.as_str())
                .collect::<std::collections::HashSet<_>>()
                .len();
            out.push(SharedPatient {
                patient,
                person,
                first_contact,
                medicines,
            });
        }
        // Dutch order: "de Bie-Visser" under B.
        let key = |s: &SharedPatient| {
            kernteam_domain::text::name_sort_key(s.person.family_name.as_deref(), s.person.given_name.as_deref())
        };
        out.sort_by(|a, b| key(a).cmp(&key(b)).then(a.patient.id.cmp(&b.patient.id)));
        Ok(out)
    }

    /// The network professional's list, written to the audit log with the ids shown.
    pub async fn view_shared_list(&self, member: &NetworkMember) -> Result<Vec<SharedPatient>> {
        let shared = self.shared_patients(member).await?;
        let detail = format!(
            "{} gedeelde patiënten: {}",
            shared.len(),
            shown(shared.iter().map(|s| s.patient.id))
        );
        self.record(&member.actor().entry(None, Action::ViewPatientList, Some(detail)))
            .await?;
        Ok(shared)
    }
}

/// `Invalid` naming the filters there are, for an unknown filter code.
pub fn unknown_filter(given: &str) -> Error {
    let codes: Vec<_> = LIST_FILTERS.iter().map(|(code, _)| *code).collect();
    Error::invalid(format!("Onbekend filter '{given}'; kies uit: {}.", codes.join(", ")))
}
