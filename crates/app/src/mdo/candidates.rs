//! The worklist's suggestions for a meeting's agenda: included patients of the practice
//! with recent events, or never discussed, who are not on the agenda of a coming meeting.
//! Showing them is a read of each patient's record: one audit record per patient shown.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use kernteam_domain::access::{patient_access, Relationship};
use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::events::EventKind;
use kernteam_domain::worklist::{work_items, EventRecord, PatientState, WorkItem, MDO_EVENT_WINDOW_DAYS};
use kernteam_store::care::PatientRef;
use serde::Serialize;

use super::MdoMeeting;
use crate::audit::Action;
use crate::error::{Error, Result};
use crate::{today, App};

/// A patient suggested for the agenda, from the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub patient_id: i64,
    pub name: String,
    pub reason: String,
}

fn stored_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored time '{s}' unreadable: {e}")))
}

impl App {
    /// The suggestions for the meeting's agenda, for the practice's clinicians while the
    /// meeting is not yet held (empty otherwise): recent events first, then by name. Each
    /// patient shown gets a read record ([`Action::ViewMdoProposals`]).
    pub async fn mdo_candidates(&self, m: &MdoMeeting) -> Result<Vec<Candidate>> {
        if !m.may_write() || m.meeting.held {
            return Ok(Vec::new());
        }
        let practice_id = m.meeting.practice_id;
        let user = m.actor().user();
        let same_practice = Relationship {
            same_practice: user.practice_id == Some(practice_id),
            on_care_team: false,
        };
        if !patient_access(user.role, user.is_admin, same_practice).read {
            return Ok(Vec::new());
        }
        let (day, now) = (today(), Utc::now());
        let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
        for (pid, d) in self.db.practice_decisions(practice_id).await? {
            decisions.entry(pid).or_default().push(d);
        }
        let mut included: Vec<i64> = decisions
            .into_iter()
            .filter(|(_, ds)| status_on(ds, day) == ProgramStatus::Included)
            .map(|(pid, _)| pid)
            .collect();
        if included.is_empty() {
            return Ok(Vec::new());
        }
        included.sort_unstable();
        let mut last_mdo = HashMap::new();
        let mut planned = HashSet::new();
        for e in self.db.practice_agenda(practice_id).await? {
            if e.meeting_id == m.meeting.id || (!e.held && e.meeting_date >= day) {
                planned.insert(e.patient_id);
            } else if e.discussed && e.meeting_date <= day {
                let d = last_mdo.entry(e.patient_id).or_insert(e.meeting_date);
                *d = (*d).max(e.meeting_date);
            }
        }
        let since = (now - Duration::days(MDO_EVENT_WINDOW_DAYS + 1))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let mut events: HashMap<i64, Vec<EventRecord>> = HashMap::new();
        for e in self.db.practice_worklist_events(practice_id, &since, &[]).await? {
            let Some(kind) = EventKind::from_code(&e.kind) else {
                return Err(Error::Internal(anyhow::anyhow!(
                    "stored event kind '{}' unknown",
                    e.kind
                )));
            };
            let sent = e.handover_sent_at.as_deref().map(stored_time).transpose()?;
            events
                .entry(e.patient_id)
                .or_default()
                .push((e.id, kind, stored_time(&e.occurred_at)?, sent));
        }
        let mut found: Vec<(i64, String)> = Vec::new();
        for pid in included.into_iter().filter(|p| !planned.contains(p)) {
            let state = PatientState {
                last_mdo: last_mdo.get(&pid).copied(),
                events: events.remove(&pid).unwrap_or_default(),
                ..Default::default()
            };
            for item in work_items(&state, day, now) {
                if let WorkItem::MdoCandidate { reason } = item {
                    found.push((pid, reason));
                }
            }
        }
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let names = self
            .names_in_practice(practice_id, found.iter().map(|(p, _)| *p))
            .await?;
        let label = m.label();
        self.record_all(
            found
                .iter()
                .map(|(pid, _)| {
                    let p = PatientRef {
                        id: *pid,
                        practice_id,
                        his_id: String::new(),
                    };
                    m.actor().entry(Some(&p), Action::ViewMdoProposals, Some(label.clone()))
                })
                .collect(),
        )
        .await?;
        let mut out: Vec<Candidate> = found
            .into_iter()
            .map(|(pid, reason)| Candidate {
                patient_id: pid,
                name: names.get(&pid).cloned().unwrap_or_default(),
                reason,
            })
            .collect();
        // Recent events first (they are why an MDO is needed now), then by name.
        out.sort_by(|a, b| {
            let never = |c: &Candidate| c.reason.starts_with("nog niet");
            never(a).cmp(&never(b)).then(a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// The name of a suggestion shown again after it was refused (a logged read,
    /// [`Action::ViewMdoProposals`]).
    pub async fn mdo_agenda_candidate_name(&self, m: &MdoMeeting, patient_id: i64) -> Result<String> {
        let v = self
            .visible(m.actor(), patient_id, Action::ViewMdoProposals, Some(m.label()))
            .await?;
        self.patient_name(&v).await
    }

    /// Names of some of a practice's patients from its latest extract (the HIS id for
    /// those it does not hold). Only for callers that have written the read.
    async fn names_in_practice(
        &self,
        practice_id: i64,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashMap<i64, String>> {
        let wanted: HashSet<i64> = ids.collect();
        let mut names = HashMap::new();
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
