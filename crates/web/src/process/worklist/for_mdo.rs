//! What `process/mdo.rs` takes from the worklist until it is converted to the gate (its
//! meeting candidates and agenda names). Nothing else uses these: the worklist itself is
//! `kernteam_app::worklist`. Delete this file when `process/mdo.rs` no longer needs it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kernteam_app::events::{parse_stored_time, stored_time};
use kernteam_app::patients::parse_plan;
use kernteam_app::worklist::Built;
use kernteam_domain::care::{status_on, CarePlan, Decision, ProgramStatus};
use kernteam_domain::events::EventKind;
use kernteam_domain::worklist::{EventRecord, PatientState, MDO_EVENT_WINDOW_DAYS};
use kernteam_store::program::Document;

use crate::error::{AppError, AppResult};
use crate::patients::practice_list;
use crate::AppState;

pub use kernteam_app::worklist::items_of;

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
