//! Worklists at `/werklijst`: per included patient what needs doing
//! (`kernteam_domain::worklist::work_items`), grouped by kind with counts, urgent ones
//! first. Practice staff see their whole practice (or, filtered, the patients whose care
//! team they are on); network professionals the patients whose care team they are on.
//!
//! The patients' state is built with one query per kind of record for the whole practice
//! (decisions, current care plans, PZP, first contacts, medication reviews, MDO agendas,
//! events), not per patient, so a practice with hundreds of included patients stays fast.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use kernteam_domain::access::Scope;
use kernteam_domain::care::{status_on, CarePlan, Decision, ProgramStatus};
use kernteam_domain::events::EventKind;
use kernteam_domain::worklist::{work_items, EventRecord, PatientState, WorkItem, MDO_EVENT_WINDOW_DAYS};
use kernteam_store::program::Document;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::{parse_stored_time, stored_time};
use crate::api::{ApiResult, Params};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{me, render, Me};
use crate::patients::{audit, practice_list, shared_patients, today};
use crate::records::parse_plan;
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/werklijst", get(page))
}

/// What the worklist knows of one included patient.
#[derive(Debug, Clone)]
pub struct Built {
    pub patient_id: i64,
    pub state: PatientState,
    /// The date of a meeting not yet held on whose agenda the patient stands.
    pub planned_mdo: Option<NaiveDate>,
}

/// The state of a practice's included patients (only those in `only`, when given), from
/// one query per kind of record. In patient id order.
pub async fn practice_states(
    state: &AppState,
    practice_id: i64,
    only: Option<&HashSet<i64>>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<Built>> {
    let wanted = |id: &i64| only.is_none_or(|set| set.contains(id));
    let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
    for (pid, d) in state.db.practice_decisions(practice_id).await? {
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
    for (pid, v) in state
        .db
        .practice_current_versions(Document::CarePlan, practice_id)
        .await?
    {
        if is_included.contains(&pid) {
            plans.insert(pid, parse_plan(&v.content)?);
        }
    }
    let with_pzp: HashSet<i64> = state
        .db
        .practice_document_patients(Document::Pzp, practice_id)
        .await?
        .into_iter()
        .collect();
    let with_first_contact: HashSet<i64> = state
        .db
        .practice_first_contacts(practice_id)
        .await?
        .into_iter()
        .map(|(pid, _, _)| pid)
        .collect();
    let reviews: HashMap<i64, NaiveDate> = state
        .db
        .last_medication_reviews(practice_id)
        .await?
        .into_iter()
        .collect();
    let mut last_mdo: HashMap<i64, NaiveDate> = HashMap::new();
    let mut planned: HashMap<i64, NaiveDate> = HashMap::new();
    for e in state.db.practice_agenda(practice_id).await? {
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
    for e in state
        .db
        .practice_worklist_events(practice_id, &since, &handover_kinds)
        .await?
    {
        if !is_included.contains(&e.patient_id) {
            continue;
        }
        let kind = EventKind::from_code(&e.kind)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored event kind '{}' unknown", e.kind)))?;
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

/// The work for one patient: [`work_items`], without the MDO suggestion when the patient
/// is already on the agenda of a coming meeting.
pub fn items_of(b: &Built, today: NaiveDate, now: DateTime<Utc>) -> Vec<WorkItem> {
    let mut items = work_items(&b.state, today, now);
    if b.planned_mdo.is_some() {
        items.retain(|i| !matches!(i, WorkItem::MdoCandidate { .. }));
    }
    items
}

/// One patient on the worklist.
#[derive(Debug, Clone)]
pub struct PatientWork {
    pub patient_id: i64,
    pub name: String,
    pub items: Vec<WorkItem>,
}

/// Names of some of a practice's patients: from the practice list (cached), then for those
/// outside it (included under 75, or no longer registered) from the latest extract in one
/// query; the HIS id as a last resort.
pub async fn practice_names(state: &AppState, practice_id: i64, ids: &[i64]) -> AppResult<HashMap<i64, String>> {
    let wanted: HashSet<i64> = ids.iter().copied().collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    if let Some(list) = practice_list(state, practice_id).await? {
        for r in &list.rows {
            if wanted.contains(&r.patient_id) {
                names.insert(r.patient_id, r.name.clone());
            }
        }
    }
    if names.len() < wanted.len() {
        if let Some(snap) = state.db.latest_snapshot(practice_id).await? {
            for p in state.db.snapshot_people(snap.snapshot_id).await? {
                if wanted.contains(&p.patient_id) && !names.contains_key(&p.patient_id) {
                    names.insert(p.patient_id, p.full_name());
                }
            }
        }
        for id in &wanted {
            if !names.contains_key(id) {
                names.insert(*id, state.db.patient(*id).await?.his_id);
            }
        }
    }
    Ok(names)
}

/// The worklist of the signed-in user: practice staff their practice's included patients
/// (with `mine`, only those whose care team they are on); network professionals their care
/// teams' included patients. By name. Regional staff: 403.
pub async fn worklist(state: &AppState, cu: &CurrentUser, mine: bool) -> AppResult<Vec<PatientWork>> {
    let (day, now) = (today(), Utc::now());
    let mut out = Vec::new();
    match cu.user.role.scope() {
        Scope::Region => return Err(AppError::Forbidden),
        Scope::Practice => {
            let practice_id = cu.user.practice_id.ok_or(AppError::Forbidden)?;
            let only: Option<HashSet<i64>> = if mine {
                Some(
                    state
                        .db
                        .patients_of_team_member(cu.user.id)
                        .await?
                        .into_iter()
                        .filter(|p| p.practice_id == practice_id)
                        .map(|p| p.id)
                        .collect(),
                )
            } else {
                None
            };
            let built = practice_states(state, practice_id, only.as_ref(), day, now).await?;
            let ids: Vec<i64> = built.iter().map(|b| b.patient_id).collect();
            let names = practice_names(state, practice_id, &ids).await?;
            for b in &built {
                out.push(PatientWork {
                    patient_id: b.patient_id,
                    name: names.get(&b.patient_id).cloned().unwrap_or_default(),
                    items: items_of(b, day, now),
                });
            }
        }
        Scope::Network => {
            let shared = shared_patients(state, cu.user.id).await?;
            let mut by_practice: HashMap<i64, HashSet<i64>> = HashMap::new();
            let mut names: HashMap<i64, String> = HashMap::new();
            for s in &shared {
                by_practice
                    .entry(s.patient.practice_id)
                    .or_default()
                    .insert(s.patient.id);
                names.insert(s.patient.id, s.person.full_name());
            }
            let mut practices: Vec<_> = by_practice.into_iter().collect();
            practices.sort_by_key(|(p, _)| *p);
            for (practice_id, set) in practices {
                for b in practice_states(state, practice_id, Some(&set), day, now).await? {
                    out.push(PatientWork {
                        patient_id: b.patient_id,
                        name: names.get(&b.patient_id).cloned().unwrap_or_default(),
                        items: items_of(&b, day, now),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.patient_id.cmp(&b.patient_id)));
    Ok(out)
}

/// The groups of the worklist, in their order: code, Dutch heading.
pub const GROUPS: [(&str, &str); 8] = [
    ("overdracht", "Overdrachten bij opname en ontslag"),
    ("actie", "Acties uit het zorgplan"),
    ("evaluatie", "Evaluaties van het zorgplan"),
    ("zorgplan", "Geen zorgplan"),
    ("pzp", "Geen proactieve zorgplanning"),
    ("aanspreekpunt", "Geen eerste aanspreekpunt"),
    ("medicatiebeoordeling", "Medicatiebeoordeling nodig"),
    ("mdo", "Kandidaten voor het MDO"),
];

/// The group of an item (a code of [`GROUPS`]).
pub fn group_of(item: &WorkItem) -> &'static str {
    match item {
        WorkItem::Handover { .. } => "overdracht",
        WorkItem::ActionDue { .. } => "actie",
        WorkItem::EvaluationDue { .. } => "evaluatie",
        WorkItem::NoCarePlan => "zorgplan",
        WorkItem::NoPzp => "pzp",
        WorkItem::NoFirstContact => "aanspreekpunt",
        WorkItem::MedicationReviewDue { .. } => "medicatiebeoordeling",
        WorkItem::MdoCandidate { .. } => "mdo",
    }
}

/// Where the item is dealt with.
pub fn link_of(patient_id: i64, item: &WorkItem) -> String {
    match item {
        WorkItem::Handover { event_id, .. } => format!("/patienten/{patient_id}/gebeurtenissen#gebeurtenis-{event_id}"),
        WorkItem::ActionDue { .. } | WorkItem::EvaluationDue { .. } | WorkItem::NoCarePlan => {
            format!("/patienten/{patient_id}/zorgplan")
        }
        WorkItem::NoPzp => format!("/patienten/{patient_id}/pzp"),
        WorkItem::MedicationReviewDue { .. } => format!("/patienten/{patient_id}/medicatiebeoordelingen"),
        WorkItem::NoFirstContact => format!("/patienten/{patient_id}"),
        WorkItem::MdoCandidate { .. } => format!("/patienten/{patient_id}/gebeurtenissen#h-mdo"),
    }
}

/// A date to order items of one group by (earliest first).
fn date_of(item: &WorkItem) -> Option<NaiveDate> {
    match item {
        WorkItem::ActionDue { due, .. } => Some(*due),
        WorkItem::EvaluationDue { date, .. } => Some(*date),
        WorkItem::MedicationReviewDue { last } => Some(last.unwrap_or(NaiveDate::MIN)),
        _ => None,
    }
}

pub struct Row {
    pub patient_id: i64,
    pub name: String,
    pub text: String,
    pub urgent: bool,
    pub link: String,
}

pub struct Group {
    pub code: &'static str,
    pub label: &'static str,
    pub urgent: usize,
    pub rows: Vec<Row>,
}

/// The items grouped: groups with urgent items first (otherwise in the order of
/// [`GROUPS`]), within a group urgent items first, then by date and name. Empty groups are
/// left out; `only` keeps one group.
pub fn grouped(work: &[PatientWork], only: Option<&str>) -> Vec<Group> {
    let mut groups: Vec<Group> = GROUPS
        .iter()
        .filter(|(code, _)| only.is_none_or(|o| o == *code))
        .map(|(code, label)| Group {
            code,
            label,
            urgent: 0,
            rows: Vec::new(),
        })
        .collect();
    let mut keyed: Vec<(usize, (bool, Option<NaiveDate>), Row)> = Vec::new();
    for p in work {
        for item in &p.items {
            let Some(gi) = groups.iter().position(|g| g.code == group_of(item)) else {
                continue;
            };
            keyed.push((
                gi,
                (!item.urgent(), date_of(item)),
                Row {
                    patient_id: p.patient_id,
                    name: p.name.clone(),
                    text: item.text(),
                    urgent: item.urgent(),
                    link: link_of(p.patient_id, item),
                },
            ));
        }
    }
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.name.cmp(&b.2.name))
            .then(a.2.patient_id.cmp(&b.2.patient_id))
    });
    for (gi, _, row) in keyed {
        groups[gi].urgent += usize::from(row.urgent);
        groups[gi].rows.push(row);
    }
    groups.retain(|g| !g.rows.is_empty());
    groups.sort_by_key(|g| g.urgent == 0);
    groups
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// `1`: only the patients whose care team the user is on.
    mijn: Option<String>,
    /// A group code of [`GROUPS`]; anything else shows every group.
    soort: Option<String>,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    me: Option<Me>,
    flash: Option<String>,
    practice_staff: bool,
    mine: bool,
    soort: String,
    kinds: Vec<(&'static str, &'static str)>,
    patients: usize,
    items: usize,
    urgent: usize,
    groups: Vec<Group>,
    today: String,
}

/// `GET /werklijst`.
pub async fn page(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let practice_staff = cu.user.role.scope() == Scope::Practice;
    let mine = practice_staff && q.mijn.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    let soort = q
        .soort
        .as_deref()
        .and_then(|s| GROUPS.iter().find(|(code, _)| *code == s))
        .map(|(code, _)| *code);
    let work = audited_worklist(&state, &cu, mine).await?;
    let groups = grouped(&work, soort);
    render(&WorklistPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        practice_staff,
        mine,
        soort: soort.unwrap_or("").to_string(),
        kinds: GROUPS.to_vec(),
        patients: work.len(),
        items: groups.iter().map(|g| g.rows.len()).sum(),
        urgent: groups.iter().map(|g| g.urgent).sum(),
        groups,
        today: crate::pages::fmt_date(today()),
    })
}

// ---------------------------------------------------------------------------------------
// The JSON API.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiQuery {
    /// Practice staff: only the patients whose care team they are on.
    mine: bool,
}

#[derive(Debug, Serialize)]
pub struct ApiGroup {
    kind: &'static str,
    label: &'static str,
    count: usize,
    urgent: usize,
}

#[derive(Debug, Serialize)]
pub struct ApiPatient {
    id: i64,
    name: String,
    items: Vec<Value>,
}

#[derive(Debug, Serialize)]
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
        m.insert("group".into(), Value::String(group_of(item).to_string()));
        m.insert("text".into(), Value::String(item.text()));
        m.insert("urgent".into(), Value::Bool(item.urgent()));
        m.insert("link".into(), Value::String(link_of(patient_id, item)));
    }
    v
}

/// The worklist, with the audit record of its reading (page and API alike).
async fn audited_worklist(state: &AppState, cu: &CurrentUser, mine: bool) -> AppResult<Vec<PatientWork>> {
    let work = worklist(state, cu, mine).await?;
    let detail = format!("{} patiënten{}", work.len(), if mine { ", alleen eigen" } else { "" });
    audit(state, cu, None, "werklijst bekeken", Some(detail)).await?;
    Ok(work)
}

/// `GET /api/v1/worklist`.
pub async fn api_worklist(
    State(state): State<AppState>,
    cu: CurrentUser,
    Params(q): Params<ApiQuery>,
) -> ApiResult<Json<ApiWorklist>> {
    let mine = q.mine && cu.user.role.scope() == Scope::Practice;
    let work = audited_worklist(&state, &cu, mine).await?;
    let groups = grouped(&work, None);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn groups_put_urgent_work_first() {
        let work = vec![
            PatientWork {
                patient_id: 1,
                name: "Bakker, Jan".into(),
                items: vec![
                    WorkItem::NoPzp,
                    WorkItem::ActionDue {
                        what: "Huisbezoek".into(),
                        who: "POH-O".into(),
                        due: d("2027-03-05"),
                        overdue: false,
                    },
                ],
            },
            PatientWork {
                patient_id: 2,
                name: "Aarts, Els".into(),
                items: vec![
                    WorkItem::NoPzp,
                    WorkItem::ActionDue {
                        what: "Bellen".into(),
                        who: String::new(),
                        due: d("2027-02-01"),
                        overdue: true,
                    },
                    WorkItem::Handover {
                        event_id: 9,
                        event: EventKind::HospitalDischarge,
                        status: kernteam_domain::worklist::HandoverState::Open,
                    },
                ],
            },
        ];
        let groups = grouped(&work, None);
        let codes: Vec<_> = groups.iter().map(|g| (g.code, g.rows.len(), g.urgent)).collect();
        assert_eq!(codes, [("actie", 2, 1), ("overdracht", 1, 0), ("pzp", 2, 0)]);
        assert_eq!(groups[0].rows[0].patient_id, 2, "the overdue action first");
        assert_eq!(groups[2].rows[0].name, "Aarts, Els", "then by name");
        assert_eq!(groups[1].rows[0].link, "/patienten/2/gebeurtenissen#gebeurtenis-9");
        let only = grouped(&work, Some("pzp"));
        assert_eq!(only.len(), 1);
        let json = item_json(2, &work[1].items[2]);
        assert_eq!(json["kind"], "handover");
        assert_eq!(json["event"], "ontslag_ziekenhuis");
        assert_eq!(json["group"], "overdracht");
    }
}
