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
use kernteam_domain::text::name_sort_key;
use kernteam_domain::worklist::{
    assigned_actions, without_marked, work_items, EventRecord, LeftPractice, MarkKind, PatientState, WorkItem,
    MDO_EVENT_WINDOW_DAYS,
};
use kernteam_store::program::Document;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::events::{parse_stored_time, stored_time};
use crate::gate::{NetworkMember, PracticeStaff};
use crate::patients::parse_plan;
use crate::pzp::parse_pzp;
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
    /// Items ticked off or put off: (item key, mark), the newest per key.
    pub marks: Vec<(String, MarkKind)>,
}

/// One patient on the worklist, with the work shown.
#[derive(Debug, Clone)]
pub struct PatientWork {
    pub patient_id: i64,
    pub name: String,
    pub items: Vec<WorkItem>,
}

impl PatientWork {
    /// The earliest due date of the patient's items (urgent ones count as today).
    fn first_due(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.items
            .iter()
            .filter_map(|i| {
                if i.urgent() {
                    Some(today.min(i.due().unwrap_or(today)))
                } else {
                    i.due()
                }
            })
            .min()
    }
}

/// The work for one patient: [`work_items`], without the MDO suggestion when the patient
/// is already on the agenda of a coming meeting, and without what was ticked off or is
/// put off.
pub fn items_of(b: &Built, today: NaiveDate, now: DateTime<Utc>) -> Vec<WorkItem> {
    let mut items = work_items(&b.state, today, now);
    if b.planned_mdo.is_some() {
        items.retain(|i| !matches!(i, WorkItem::MdoCandidate { .. }));
    }
    without_marked(items, &b.marks, today)
}

/// Whose work the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Everything for the practice's included patients (practice staff).
    #[default]
    Practice,
    /// Everything for the patients whose care team the user is on (practice staff).
    MyPatients,
    /// The care-plan actions assigned to the user (network professionals always).
    MyTasks,
}

/// How patients are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Urgent work first, then the earliest due date; undated work last.
    #[default]
    Due,
    /// By family name, ignoring tussenvoegsels.
    Name,
}

/// Patients per page of the worklist.
pub const PER_PAGE: usize = 25;

#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub view: View,
    /// A group code of `kernteam_domain::worklist::GROUPS`: only that kind of work.
    pub group: Option<&'a str>,
    pub sort: Sort,
    /// From 1; beyond the last page shows the last.
    pub page: usize,
}

/// One page of the worklist.
#[derive(Debug, Clone)]
pub struct Page {
    /// The view actually shown (network professionals always see their tasks).
    pub view: View,
    pub patients: Vec<PatientWork>,
    /// Patients with work, items and urgent items on every page together.
    pub total_patients: usize,
    pub total_items: usize,
    pub urgent: usize,
    /// Per kind of work (a group code of `kernteam_domain::worklist::GROUPS`, in that
    /// order): items and urgent items on every page together; kinds without items left out.
    pub groups: Vec<(&'static str, usize, usize)>,
    pub page: usize,
    pub pages: usize,
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

    /// One page of the worklist: the included patients of the viewer's list that have work
    /// (see [`View`]), with their work (only that of `q.group` when given), ordered by
    /// `q.sort`. Writes one audit record of the list and one per patient on the page.
    pub async fn worklist(&self, viewer: &Viewer, q: &Query<'_>) -> Result<Page> {
        let (day, now) = (today(), Utc::now());
        let view = if viewer.is_practice_staff() {
            q.view
        } else {
            View::MyTasks
        };
        let user_id = viewer.actor().user().id;
        // Each patient with the practice they belong to (for their audit record).
        let mut out: Vec<(PatientWork, i64)> = Vec::new();
        // The practices whose patients to list, each with the patients wanted (None: all).
        let mut practices: Vec<(i64, Option<HashSet<i64>>)> = Vec::new();
        match viewer {
            Viewer::Staff(staff) => {
                let practice_id = staff.practice_id();
                let only = match view {
                    View::Practice => None,
                    View::MyPatients | View::MyTasks => Some(
                        self.db
                            .practice_memberships_of(practice_id, user_id)
                            .await?
                            .into_iter()
                            .map(|(pid, _)| pid)
                            .collect(),
                    ),
                };
                practices.push((practice_id, only));
            }
            Viewer::Network(_) => {
                let mut by_practice: HashMap<i64, HashSet<i64>> = HashMap::new();
                for patient in self.db.patients_of_team_member(user_id).await? {
                    by_practice.entry(patient.practice_id).or_default().insert(patient.id);
                }
                let mut list: Vec<_> = by_practice.into_iter().map(|(p, set)| (p, Some(set))).collect();
                list.sort_by_key(|(p, _)| *p);
                practices.extend(list);
            }
        }
        for (practice_id, only) in practices {
            let members: HashMap<i64, Vec<i64>> = if view == View::MyTasks {
                let mut m: HashMap<i64, Vec<i64>> = HashMap::new();
                for (pid, member) in self.db.practice_memberships_of(practice_id, user_id).await? {
                    m.entry(pid).or_default().push(member);
                }
                m
            } else {
                HashMap::new()
            };
            let built = self.practice_states(practice_id, only.as_ref(), day, now).await?;
            let ids: Vec<i64> = built.iter().map(|b| b.patient_id).collect();
            let names = self.practice_names(practice_id, &ids).await?;
            for b in &built {
                let items = if view == View::MyTasks {
                    let mine = members.get(&b.patient_id).map(Vec::as_slice).unwrap_or(&[]);
                    let plan = b.state.care_plan.clone().unwrap_or_default();
                    without_marked(assigned_actions(&plan, mine, day), &b.marks, day)
                } else {
                    items_of(b, day, now)
                };
                let Some(name) = names.get(&b.patient_id) else {
                    continue;
                };
                out.push((
                    PatientWork {
                        patient_id: b.patient_id,
                        name: name.clone(),
                        items,
                    },
                    practice_id,
                ));
            }
        }
        let total = out.len();
        if let Some(g) = q.group {
            for (w, _) in &mut out {
                w.items.retain(|i| i.group() == g);
            }
        }
        out.retain(|(w, _)| !w.items.is_empty());
        for (w, _) in &mut out {
            w.items.sort_by_key(|i| (!i.urgent(), i.due().is_none(), i.due()));
        }
        // Names are as lists show them ("Maas, Ger"; see `practice_names`).
        let name_key = |w: &PatientWork| {
            let (family, given) = w
                .name
                .split_once(", ")
                .map_or((w.name.as_str(), None), |(f, g)| (f, Some(g)));
            (name_sort_key(Some(family), given), w.patient_id)
        };
        match q.sort {
            Sort::Name => out.sort_by_cached_key(|(w, _)| name_key(w)),
            Sort::Due => out.sort_by_cached_key(|(w, _)| {
                let urgent = w.items.iter().any(WorkItem::urgent);
                let first = w.first_due(day);
                (!urgent, first.is_none(), first, name_key(w))
            }),
        }
        let total_items = out.iter().map(|(w, _)| w.items.len()).sum();
        let urgent = out
            .iter()
            .map(|(w, _)| w.items.iter().filter(|i| i.urgent()).count())
            .sum();
        let groups = kernteam_domain::worklist::GROUPS
            .iter()
            .map(|(code, _)| {
                let items = out.iter().flat_map(|(w, _)| &w.items).filter(|i| i.group() == *code);
                let (n, urgent) = items.fold((0, 0), |(n, u), i| (n + 1, u + usize::from(i.urgent())));
                (*code, n, urgent)
            })
            .filter(|(_, n, _)| *n > 0)
            .collect();
        let total_patients = out.len();
        let pages = total_patients.div_ceil(PER_PAGE).max(1);
        let page = q.page.clamp(1, pages);
        let shown: Vec<(PatientWork, i64)> = out.into_iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).collect();
        self.record_worklist_read(viewer.actor(), total, &shown, view, q.group, page)
            .await?;
        Ok(Page {
            view,
            patients: shown.into_iter().map(|(w, _)| w).collect(),
            total_patients,
            total_items,
            urgent,
            groups,
            page,
            pages,
        })
    }

    async fn record_worklist_read(
        &self,
        actor: &Actor,
        listed: usize,
        shown: &[(PatientWork, i64)],
        view: View,
        group: Option<&str>,
        page: usize,
    ) -> Result<()> {
        let scope = format!(
            "{}{}, pagina {page}",
            match view {
                View::Practice => "",
                View::MyPatients => ", alleen eigen patiënten",
                View::MyTasks => ", eigen taken",
            },
            group.map(|g| format!(", soort {g}")).unwrap_or_default()
        );
        let mut entries = vec![actor.entry(
            None,
            Action::ViewWorklist,
            Some(format!("{listed} patiënten, {} getoond{scope}", shown.len())),
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
        let mut pzp_reviews: HashMap<i64, NaiveDate> = HashMap::new();
        for (pid, v) in db.practice_current_versions(Document::Pzp, practice_id).await? {
            if is_included.contains(&pid) {
                if let Some(next) = parse_pzp(&v.content)?.next_review {
                    pzp_reviews.insert(pid, next);
                }
            }
        }
        let first_contacts: HashMap<i64, Option<NaiveDate>> = db
            .practice_first_contact_evaluations(practice_id)
            .await?
            .into_iter()
            .collect();
        let reviews: HashMap<i64, NaiveDate> = db.last_medication_reviews(practice_id).await?.into_iter().collect();
        let follow_ups: HashMap<i64, NaiveDate> = db
            .practice_medication_follow_ups(practice_id)
            .await?
            .into_iter()
            .collect();
        let with_mantelzorger: HashSet<i64> = db
            .practice_mantelzorger_patients(practice_id)
            .await?
            .into_iter()
            .collect();
        let mut marks = kernteam_store::worklist::by_patient(&db.practice_worklist_marks(practice_id).await?);
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
        // Included patients the latest extract no longer has as registered.
        let mut left: HashMap<i64, LeftPractice> = HashMap::new();
        if let Some(snap) = db.latest_snapshot(practice_id).await? {
            let on = snap.extract_date;
            let people: HashMap<i64, Option<NaiveDate>> = db
                .snapshot_people(snap.snapshot_id)
                .await?
                .into_iter()
                .map(|p| (p.patient_id, p.registration_end))
                .collect();
            for pid in &included {
                match people.get(pid) {
                    None => {
                        left.insert(
                            *pid,
                            LeftPractice {
                                on: None,
                                extract_date: on,
                            },
                        );
                    }
                    Some(Some(end)) if *end < on => {
                        left.insert(
                            *pid,
                            LeftPractice {
                                on: Some(*end),
                                extract_date: on,
                            },
                        );
                    }
                    _ => {}
                }
            }
        }
        Ok(included
            .into_iter()
            .map(|pid| Built {
                patient_id: pid,
                state: PatientState {
                    care_plan: plans.remove(&pid),
                    has_pzp: with_pzp.contains(&pid),
                    has_first_contact: first_contacts.contains_key(&pid),
                    first_contact_evaluation: first_contacts.get(&pid).copied().flatten(),
                    pzp_review: pzp_reviews.get(&pid).copied(),
                    medication_follow_up: follow_ups.get(&pid).copied(),
                    has_mantelzorger: with_mantelzorger.contains(&pid),
                    last_medication_review: reviews.get(&pid).copied(),
                    last_mdo: last_mdo.get(&pid).copied(),
                    events: events.remove(&pid).unwrap_or_default(),
                    left: left.get(&pid).copied(),
                },
                planned_mdo: planned.get(&pid).copied(),
                marks: marks.remove(&pid).unwrap_or_default(),
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
