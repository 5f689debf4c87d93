//! Worklists: per included patient what needs doing (`kernteam_domain::worklist`), for
//! practice staff their practice's patients (or only those whose care team they are on),
//! for network professionals the patients whose care team they are on.
//!
//! The patients' state is built with one query per kind of record for the whole practice
//! (decisions, current care plans, PZP, first contacts, medication reviews, MDO agendas,
//! events), not per patient, so a practice with hundreds of included patients stays fast.
//!
//! A worklist is a list view of patient data, so its reading is audited per patient shown:
//! every patient whose name and work the list shows gets a record of its own
//! ([`Action::ViewWorklist`], with the patient), besides one record of the list as a whole.
//! One record per patient, not their ids in one detail text, so that each patient's own
//! access trail (`kernteam_store::Db::audit_for_patient`, the NEN 7513 report a patient
//! may ask for) shows who saw them on a worklist; the records are appended concurrently,
//! which the audit writer batches into few transactions.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kernteam_domain::access::Scope;
use kernteam_domain::care::{status_on, CarePlan, Decision, ProgramStatus};
use kernteam_domain::events::EventKind;
use kernteam_domain::worklist::{work_items, EventRecord, PatientState, WorkItem, MDO_EVENT_WINDOW_DAYS};
use kernteam_store::program::Document;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::events::{parse_stored_time, stored_time};
use crate::gate::{NetworkMember, PracticeStaff};
use crate::patients::parse_plan;
use crate::{today, Actor, App};

/// Whose worklist: a member of a practice's staff or a network professional.
#[derive(Debug, Clone)]
pub enum Viewer {
    Staff(PracticeStaff),
    Network(NetworkMember),
}

impl Viewer {
    pub fn actor(&self) -> &Actor {
        match self {
            Viewer::Staff(s) => s.actor(),
            Viewer::Network(n) => n.actor(),
        }
    }

    /// Practice staff may narrow the list to the patients whose care team they are on.
    pub fn is_practice_staff(&self) -> bool {
        matches!(self, Viewer::Staff(_))
    }
}

/// What the worklist knows of one included patient.
#[derive(Debug, Clone)]
pub struct Built {
    pub patient_id: i64,
    pub state: PatientState,
    /// The date of a meeting not yet held on whose agenda the patient stands.
    pub planned_mdo: Option<NaiveDate>,
}

/// One patient on the worklist, with the work shown.
#[derive(Debug, Clone)]
pub struct PatientWork {
    pub patient_id: i64,
    pub name: String,
    pub items: Vec<WorkItem>,
}

/// The work for one patient: [`work_items`], without the MDO suggestion when the patient
/// is already on the agenda of a coming meeting.
pub fn items_of(b: &Built, today: NaiveDate, now: DateTime<Utc>) -> Vec<WorkItem> {
    let mut items = work_items(&b.state, today, now);
    if b.planned_mdo.is_some() {
        items.retain(|i| !matches!(i, WorkItem::MdoCandidate { .. }));
    }
    items
}

impl App {
    /// The actor as one who has a worklist: network professionals theirs, everyone else
    /// as practice staff (refused, and the refusal audited, for region staff).
    pub async fn worklist_viewer(&self, actor: &Actor) -> Result<Viewer> {
        if actor.user().role.scope() == Scope::Network {
            Ok(Viewer::Network(self.network_member(actor).await?))
        } else {
            Ok(Viewer::Staff(self.practice_staff(actor).await?))
        }
    }

    /// The worklist: every included patient of the viewer's list (with `mine`, practice
    /// staff only those whose care team they are on), by name, with their work (only that
    /// of `group`, a code of `kernteam_domain::worklist::GROUPS`, when given). Patients
    /// without work are counted but not shown. Writes one audit record of the list and one
    /// per patient shown.
    pub async fn worklist(&self, viewer: &Viewer, mine: bool, group: Option<&str>) -> Result<Vec<PatientWork>> {
        let (day, now) = (today(), Utc::now());
        let mine = mine && viewer.is_practice_staff();
        // Each patient with the practice they belong to (for their audit record).
        let mut out: Vec<(PatientWork, i64)> = Vec::new();
        match viewer {
            Viewer::Staff(staff) => {
                let practice_id = staff.practice_id();
                let only: Option<HashSet<i64>> = if mine {
                    Some(
                        self.db
                            .patients_of_team_member(staff.actor().user().id)
                            .await?
                            .into_iter()
                            .filter(|p| p.practice_id == practice_id)
                            .map(|p| p.id)
                            .collect(),
                    )
                } else {
                    None
                };
                let built = self.practice_states(practice_id, only.as_ref(), day, now).await?;
                let ids: Vec<i64> = built.iter().map(|b| b.patient_id).collect();
                let names = self.practice_names(practice_id, &ids).await?;
                for b in &built {
                    let work = PatientWork {
                        patient_id: b.patient_id,
                        name: names.get(&b.patient_id).cloned().unwrap_or_default(),
                        items: items_of(b, day, now),
                    };
                    out.push((work, practice_id));
                }
            }
            Viewer::Network(member) => {
                let mut by_practice: HashMap<i64, HashSet<i64>> = HashMap::new();
                let mut names: HashMap<i64, String> = HashMap::new();
                for patient in self.db.patients_of_team_member(member.actor().user().id).await? {
                    // Patients missing from their practice's latest extract are left out.
                    let Some(person) = self.db.current_person(&patient).await?.1 else {
                        continue;
                    };
                    by_practice.entry(patient.practice_id).or_default().insert(patient.id);
                    names.insert(patient.id, person.full_name());
                }
                let mut practices: Vec<_> = by_practice.into_iter().collect();
                practices.sort_by_key(|(p, _)| *p);
                for (practice_id, set) in practices {
                    for b in self.practice_states(practice_id, Some(&set), day, now).await? {
                        let work = PatientWork {
                            patient_id: b.patient_id,
                            name: names.get(&b.patient_id).cloned().unwrap_or_default(),
                            items: items_of(&b, day, now),
                        };
                        out.push((work, practice_id));
                    }
                }
            }
        }
        if let Some(g) = group {
            for (w, _) in &mut out {
                w.items.retain(|i| i.group() == g);
            }
        }
        out.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.patient_id.cmp(&b.0.patient_id)));
        self.record_worklist_read(viewer.actor(), &out, mine, group).await?;
        Ok(out.into_iter().map(|(w, _)| w).collect())
    }

    async fn record_worklist_read(
        &self,
        actor: &Actor,
        work: &[(PatientWork, i64)],
        mine: bool,
        group: Option<&str>,
    ) -> Result<()> {
        let shown: Vec<&(PatientWork, i64)> = work.iter().filter(|(w, _)| !w.items.is_empty()).collect();
        let scope = format!(
            "{}{}",
            if mine { ", alleen eigen" } else { "" },
            group.map(|g| format!(", soort {g}")).unwrap_or_default()
        );
        let mut entries = vec![actor.entry(
            None,
            Action::ViewWorklist,
            Some(format!("{} patiënten, {} getoond{scope}", work.len(), shown.len())),
        )];
        for (w, practice_id) in shown {
            let mut e = actor.entry(
                None,
                Action::ViewWorklist,
                Some(format!("{} taken{scope}", w.items.len())),
            );
            e.patient_id = Some(w.patient_id);
            e.practice_id = Some(*practice_id);
            entries.push(e);
        }
        self.record_all(entries).await
    }

    /// The state of a practice's included patients (only those in `only`, when given),
    /// from one query per kind of record. In patient id order. Callers hold a token for
    /// the practice (or for each patient in `only`).
    pub(crate) async fn practice_states(
        &self,
        practice_id: i64,
        only: Option<&HashSet<i64>>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<Built>> {
        let db = &self.db;
        let wanted = |id: &i64| only.is_none_or(|set| set.contains(id));
        let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
        for (pid, d) in db.practice_decisions(practice_id).await? {
            if wanted(&pid) {
                decisions.entry(pid).or_default().push(d);
            }
        }
        let mut included: Vec<i64> = decisions
            .into_iter()
            .filter(|(_, ds)| status_on(ds, today) == ProgramStatus::Included)
            .map(|(pid, _)| pid)
            .collect();
        if included.is_empty() {
            return Ok(Vec::new());
        }
        included.sort_unstable();
        let is_included: HashSet<i64> = included.iter().copied().collect();

        let mut plans: HashMap<i64, CarePlan> = HashMap::new();
        for (pid, v) in db.practice_current_versions(Document::CarePlan, practice_id).await? {
            if is_included.contains(&pid) {
                plans.insert(pid, parse_plan(&v.content)?);
            }
        }
        let with_pzp: HashSet<i64> = db
            .practice_document_patients(Document::Pzp, practice_id)
            .await?
            .into_iter()
            .collect();
        let with_first_contact: HashSet<i64> = db
            .practice_first_contacts(practice_id)
            .await?
            .into_iter()
            .map(|(pid, _, _)| pid)
            .collect();
        let reviews: HashMap<i64, NaiveDate> = db.last_medication_reviews(practice_id).await?.into_iter().collect();
        let mut last_mdo: HashMap<i64, NaiveDate> = HashMap::new();
        let mut planned: HashMap<i64, NaiveDate> = HashMap::new();
        for e in db.practice_agenda(practice_id).await? {
            if e.discussed && e.meeting_date <= today {
                let d = last_mdo.entry(e.patient_id).or_insert(e.meeting_date);
                *d = (*d).max(e.meeting_date);
            } else if !e.held && e.meeting_date >= today {
                let d = planned.entry(e.patient_id).or_insert(e.meeting_date);
                *d = (*d).min(e.meeting_date);
            }
        }
        let handover_kinds: Vec<&str> = EventKind::ALL
            .iter()
            .filter(|k| k.needs_handover())
            .map(|k| k.code())
            .collect();
        let since = stored_time(now - Duration::days(MDO_EVENT_WINDOW_DAYS + 1));
        let mut events: HashMap<i64, Vec<EventRecord>> = HashMap::new();
        for e in db
            .practice_worklist_events(practice_id, &since, &handover_kinds)
            .await?
        {
            if !is_included.contains(&e.patient_id) {
                continue;
            }
            let kind = EventKind::from_code(&e.kind)
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("stored event kind '{}' unknown", e.kind)))?;
            let at = parse_stored_time(&e.occurred_at)?;
            let sent = e.handover_sent_at.as_deref().map(parse_stored_time).transpose()?;
            events.entry(e.patient_id).or_default().push((e.id, kind, at, sent));
        }
        Ok(included
            .into_iter()
            .map(|pid| Built {
                patient_id: pid,
                state: PatientState {
                    care_plan: plans.remove(&pid),
                    has_pzp: with_pzp.contains(&pid),
                    has_first_contact: with_first_contact.contains(&pid),
                    last_medication_review: reviews.get(&pid).copied(),
                    last_mdo: last_mdo.get(&pid).copied(),
                    events: events.remove(&pid).unwrap_or_default(),
                },
                planned_mdo: planned.get(&pid).copied(),
            })
            .collect())
    }

    /// Names of some of a practice's patients from its latest extract (one query); the HIS
    /// id for those not in it.
    pub(crate) async fn practice_names(&self, practice_id: i64, ids: &[i64]) -> Result<HashMap<i64, String>> {
        let wanted: HashSet<i64> = ids.iter().copied().collect();
        let mut names: HashMap<i64, String> = HashMap::new();
        if wanted.is_empty() {
            return Ok(names);
        }
        if let Some(snap) = self.db.latest_snapshot(practice_id).await? {
            for p in self.db.snapshot_people(snap.snapshot_id).await? {
                if wanted.contains(&p.patient_id) {
                    names.insert(p.patient_id, p.full_name());
                }
            }
        }
        for id in &wanted {
            if !names.contains_key(id) {
                names.insert(*id, self.db.patient(*id).await?.his_id);
            }
        }
        Ok(names)
    }
}
