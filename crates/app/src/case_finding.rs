//! Case finding: the practice's registered 75+ without a frail-elder episode and not yet
//! assessed, ordered by their frailty index (`kernteam_domain::frailty`), with the
//! deficits that make the score, so that the POH-O sees *why* a patient is on the list.
//!
//! The index of every registered 75+ is computed with the practice list, in the same one
//! pass over the latest snapshot, and cached with it per snapshot; what changes between
//! views (decisions, screening conclusions, events) is read per view with one query per
//! kind.
//!
//! The list shows names and deficits, so its reading is audited per patient shown, as the
//! worklist is ([`Action::ViewCaseFinding`]: one record of the list and one per patient
//! on the page).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::dates::age_on;
use kernteam_domain::events::EventKind;
use kernteam_domain::frailty::{Band, FrailtyIndex};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::events::{parse_stored_time, stored_time};
use crate::gate::PracticeStaff;
use crate::{today, App};

/// Events in this window are shown beside a candidate.
pub const EVENT_WINDOW_DAYS: i64 = 180;

/// One registered 75+ without a frail-elder episode, with their index.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub patient_id: i64,
    pub name: String,
    pub birth_date: NaiveDate,
    pub index: FrailtyIndex,
    /// The deficits present, by name, in list order.
    pub deficits: Vec<String>,
    pub medicines: usize,
    pub polypharmacy: bool,
    pub wlz_profile: Option<String>,
}

/// The candidates of one snapshot, highest index first.
#[derive(Debug)]
pub struct CandidateList {
    pub snapshot_id: i64,
    pub extract_date: NaiveDate,
    /// The code list's version the index was computed with.
    pub code_version: String,
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Default)]
pub(crate) struct CaseFindingCache {
    lists: Mutex<HashMap<i64, Arc<CandidateList>>>,
}

/// The filters of the page: which candidates to show.
#[derive(Debug, Clone, Default)]
pub struct CaseFindingFilter {
    /// Only from this band up.
    pub min_band: Option<Band>,
    pub polypharmacy: bool,
    /// Only with an SEH referral, ELV or hospital admission in the window.
    pub events: bool,
    pub wlz: bool,
    /// 1-based; clamped.
    pub page: usize,
    pub page_size: usize,
}

/// A recent event of a candidate.
#[derive(Debug, Clone)]
pub struct RecentEvent {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
}

/// One candidate on the page.
#[derive(Debug, Clone)]
pub struct CandidateEntry {
    pub candidate: Candidate,
    pub age: i32,
    pub events: Vec<RecentEvent>,
}

/// A page of the case-finding list.
#[derive(Debug, Clone)]
pub struct CaseFindingView {
    /// `None`: no extract yet.
    pub extract_date: Option<NaiveDate>,
    pub code_version: String,
    /// Deficits in the code list.
    pub deficits_in_list: usize,
    /// Candidates passing the filter, on all pages.
    pub total: usize,
    /// Registered 75+ without an episode and not yet assessed (before filters).
    pub not_assessed: usize,
    pub page: usize,
    pub pages: usize,
    pub entries: Vec<CandidateEntry>,
}

impl App {
    /// The candidates of the practice's latest snapshot, from the cache when current.
    /// Not audited: the caller shows them and audits that.
    pub(crate) async fn candidates_of_practice(&self, practice_id: i64) -> Result<Option<Arc<CandidateList>>> {
        // The practice list holds every registered 75+ of the latest snapshot with their
        // index (one pass over the snapshot for both lists).
        let Some(list) = self.list_of_practice(practice_id).await? else {
            return Ok(None);
        };
        if let Some(cached) = self
            .case_finding
            .lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&practice_id)
        {
            if cached.snapshot_id == list.snapshot_id {
                return Ok(Some(cached.clone()));
            }
        }
        let codes = &self.frailty_codes;
        let mut candidates: Vec<(&str, Candidate)> = list
            .rows
            .iter()
            .filter(|r| !r.frail)
            .map(|r| {
                (
                    r.sort_key.as_str(),
                    Candidate {
                        patient_id: r.patient_id,
                        name: r.name.clone(),
                        birth_date: r.birth_date,
                        deficits: codes.names(&r.frailty).into_iter().map(str::to_string).collect(),
                        index: r.frailty.clone(),
                        medicines: r.medicines,
                        polypharmacy: r.polypharmacy,
                        wlz_profile: r.wlz_profile.clone(),
                    },
                )
            })
            .collect();
        // Highest index first, then in list (name) order.
        candidates.sort_by(|a, b| {
            b.1.index
                .count()
                .cmp(&a.1.index.count())
                .then_with(|| a.0.cmp(b.0))
                .then(a.1.patient_id.cmp(&b.1.patient_id))
        });
        let out = Arc::new(CandidateList {
            snapshot_id: list.snapshot_id,
            extract_date: list.extract_date,
            code_version: codes.version.clone(),
            candidates: candidates.into_iter().map(|(_, c)| c).collect(),
        });
        self.case_finding
            .lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(practice_id, out.clone());
        Ok(Some(out))
    }

    /// The practice's patients who count as assessed for case finding: a decision on
    /// inclusion (either way) or a frailty conclusion recorded after screening.
    pub(crate) async fn assessed_patients(&self, practice_id: i64) -> Result<HashSet<i64>> {
        let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
        for (pid, d) in self.db.practice_decisions(practice_id).await? {
            decisions.entry(pid).or_default().push(d);
        }
        let day = today();
        let mut out: HashSet<i64> = decisions
            .into_iter()
            .filter(|(_, ds)| status_on(ds, day) != ProgramStatus::NotAssessed)
            .map(|(pid, _)| pid)
            .collect();
        out.extend(self.db.practice_frailty_conclusions(practice_id).await?);
        Ok(out)
    }

    /// A page of the case-finding list of the staff member's practice. Writes one audit
    /// record of the list and one per patient on the page.
    pub async fn view_case_finding(
        &self,
        staff: &PracticeStaff,
        filter: &CaseFindingFilter,
    ) -> Result<CaseFindingView> {
        let practice_id = staff.practice_id();
        let codes = &self.frailty_codes;
        let Some(list) = self.candidates_of_practice(practice_id).await? else {
            self.record(&staff.actor().entry(
                None,
                Action::ViewCaseFinding,
                Some("nog geen extract: geen patiënten".to_string()),
            ))
            .await?;
            return Ok(CaseFindingView {
                extract_date: None,
                code_version: codes.version.clone(),
                deficits_in_list: codes.deficits.len(),
                total: 0,
                not_assessed: 0,
                page: 1,
                pages: 1,
                entries: Vec::new(),
            });
        };
        let assessed = self.assessed_patients(practice_id).await?;
        let events = self.recent_events(practice_id).await?;
        let open: Vec<&Candidate> = list
            .candidates
            .iter()
            .filter(|c| !assessed.contains(&c.patient_id))
            .collect();
        let not_assessed = open.len();
        let selected: Vec<&Candidate> = open
            .into_iter()
            .filter(|c| filter.min_band.is_none_or(|b| c.index.band() >= b))
            .filter(|c| !filter.polypharmacy || c.polypharmacy)
            .filter(|c| !filter.wlz || c.wlz_profile.is_some())
            .filter(|c| !filter.events || events.contains_key(&c.patient_id))
            .collect();
        let total = selected.len();
        let page_size = filter.page_size.max(1);
        let pages = total.div_ceil(page_size).max(1);
        let page = filter.page.clamp(1, pages);
        let day = today();
        let entries: Vec<CandidateEntry> = selected
            .into_iter()
            .skip((page - 1) * page_size)
            .take(page_size)
            .map(|c| CandidateEntry {
                candidate: c.clone(),
                age: age_on(c.birth_date, day),
                events: events.get(&c.patient_id).cloned().unwrap_or_default(),
            })
            .collect();
        let scope = format!(
            "{}{}{}{}",
            filter
                .min_band
                .map(|b| format!(", vanaf {}", b.code()))
                .unwrap_or_default(),
            if filter.polypharmacy { ", polyfarmacie" } else { "" },
            if filter.events { ", met gebeurtenis" } else { "" },
            if filter.wlz { ", met Wlz" } else { "" },
        );
        let mut records = vec![staff.actor().entry(
            None,
            Action::ViewCaseFinding,
            Some(format!(
                "{total} kandidaten{scope}, pagina {page} van {pages}, {} getoond, codelijst {}",
                entries.len(),
                list.code_version
            )),
        )];
        for e in &entries {
            let mut r = staff.actor().entry(
                None,
                Action::ViewCaseFinding,
                Some(format!("index {}/{}", e.candidate.index.count(), e.candidate.index.of)),
            );
            r.patient_id = Some(e.candidate.patient_id);
            r.practice_id = Some(practice_id);
            records.push(r);
        }
        self.record_all(records).await?;
        Ok(CaseFindingView {
            extract_date: Some(list.extract_date),
            code_version: list.code_version.clone(),
            deficits_in_list: codes.deficits.len(),
            total,
            not_assessed,
            page,
            pages,
            entries,
        })
    }

    /// SEH referrals, ELV and hospital admissions (not falls or discharges, which the
    /// deficits and admissions already show) in the window, per patient, newest first.
    async fn recent_events(&self, practice_id: i64) -> Result<HashMap<i64, Vec<RecentEvent>>> {
        let since = stored_time(Utc::now() - Duration::days(EVENT_WINDOW_DAYS));
        let mut out: HashMap<i64, Vec<RecentEvent>> = HashMap::new();
        for e in self.db.practice_worklist_events(practice_id, &since, &[]).await? {
            let kind = EventKind::from_code(&e.kind)
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("stored event kind '{}' unknown", e.kind)))?;
            if matches!(kind, EventKind::Fall | EventKind::HospitalDischarge) {
                continue;
            }
            out.entry(e.patient_id).or_default().push(RecentEvent {
                kind,
                at: parse_stored_time(&e.occurred_at)?,
            });
        }
        Ok(out)
    }
}
