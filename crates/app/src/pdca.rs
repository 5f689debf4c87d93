//! The practice's PDCA checklist (`kernteam_domain::pdca`): kept by its own staff
//! ([`PracticeStaff`]), seen by the region's staff who run the quality cycle
//! ([`RegionQuality`]) for every practice. The Check step's figures for a period come
//! from what Kernteam records: MDO attendance per discipline, SO consultations, ELV, SEH
//! and Wlz crisis events (per included patient), counted as in the quarterly report.

use kernteam_domain::pdca::{self, CheckFigures, DisciplineAttendance, ItemInput, ItemStatus};
use kernteam_domain::period::{choose_snapshot, Period};
use kernteam_store::pdca::PdcaEntry;
use kernteam_store::people::Practice;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::PracticeStaff;
use crate::visits::RegionQuality;
use crate::{today, App};

/// A practice's checklist: its stored entries (items without one are open).
#[derive(Debug, Clone)]
pub struct Checklist {
    pub practice: Practice,
    pub entries: Vec<PdcaEntry>,
}

impl Checklist {
    pub fn entry(&self, item: &str) -> Option<&PdcaEntry> {
        self.entries.iter().find(|e| e.item == item)
    }

    pub fn status(&self, item: &str) -> ItemStatus {
        self.entry(item)
            .and_then(|e| ItemStatus::from_code(&e.status))
            .unwrap_or_default()
    }

    /// Items done of all, per phase.
    pub fn progress(&self) -> [(usize, usize); 4] {
        pdca::progress(|code| self.status(code))
    }

    /// When the checklist was last changed (RFC 3339), if ever.
    pub fn last_change(&self) -> Option<&str> {
        self.entries.iter().map(|e| e.set_at.as_str()).max()
    }
}

impl App {
    async fn checklist(&self, practice_id: i64) -> Result<Checklist> {
        Ok(Checklist {
            practice: self.db.practice(practice_id).await?,
            entries: self.db.pdca_items(practice_id).await?,
        })
    }

    /// The staff member's own practice's checklist.
    pub async fn pdca(&self, s: &PracticeStaff) -> Result<Checklist> {
        self.checklist(s.practice_id()).await
    }

    /// Saves the items whose status, evidence or date changed; every problem of the input
    /// is listed (and nothing saved). Returns how many items changed.
    pub async fn save_pdca(&self, s: &PracticeStaff, input: &[ItemInput]) -> Result<usize> {
        let today = today();
        let mut errors = Vec::new();
        let mut states = Vec::new();
        for i in input {
            match pdca::validate_item(i, today) {
                Ok(state) => states.push(state),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let current = self.pdca(s).await?;
        let changed: Vec<_> = states
            .into_iter()
            .filter(|st| match current.entry(st.item.code) {
                Some(e) => e.status != st.status.code() || e.evidence != st.evidence || e.date != st.date,
                None => st.status != ItemStatus::Open || st.evidence.is_some() || st.date.is_some(),
            })
            .collect();
        if changed.is_empty() {
            return Ok(0);
        }
        let mut ch = self.db.change().await?;
        let mut audit = Vec::new();
        for st in &changed {
            ch.set_pdca_item(
                s.practice_id(),
                st.item.code,
                st.status.code(),
                st.evidence.as_deref(),
                st.date,
                s.actor().user().id,
            )
            .await?;
            audit.push(s.actor().entry(
                None,
                Action::SetPdcaItem,
                Some(format!("{}: {}", st.item.code, st.status.code())),
            ));
        }
        ch.commit(&audit).await?;
        Ok(changed.len())
    }

    /// Every practice's checklist, for the region.
    pub async fn region_pdca(&self, _q: &RegionQuality) -> Result<Vec<Checklist>> {
        let entries = self.db.all_pdca_items().await?;
        Ok(self
            .db
            .practices()
            .await?
            .into_iter()
            .map(|practice| Checklist {
                entries: entries
                    .iter()
                    .filter(|e| e.practice_id == practice.id)
                    .cloned()
                    .collect(),
                practice,
            })
            .collect())
    }

    /// One practice's checklist, for the region.
    pub async fn region_pdca_practice(&self, _q: &RegionQuality, practice_id: i64) -> Result<Checklist> {
        self.checklist(practice_id).await
    }

    /// The Check figures of the staff member's own practice.
    pub async fn practice_check_figures(&self, s: &PracticeStaff, period: &Period) -> Result<CheckFigures> {
        self.check_figures(s.practice_id(), period).await
    }

    /// The Check figures of a practice, for the region.
    pub async fn region_check_figures(
        &self,
        _q: &RegionQuality,
        practice_id: i64,
        period: &Period,
    ) -> Result<CheckFigures> {
        self.check_figures(practice_id, period).await
    }

    /// The figures for one practice and period: the recorded figures of the report (on the
    /// snapshot the report would choose for the period's reference date; without one,
    /// nobody counts as included) and the MDO attendance per discipline.
    async fn check_figures(&self, practice_id: i64, period: &Period) -> Result<CheckFigures> {
        let snapshots: Vec<_> = self
            .db
            .snapshots()
            .await?
            .into_iter()
            .filter(|s| s.practice_id == practice_id)
            .collect();
        let dates: Vec<_> = snapshots.iter().map(|s| s.extract_date).collect();
        let chosen = choose_snapshot(&dates, period.reference_date)
            .and_then(|c| snapshots.iter().find(|s| s.extract_date == c.extract_date));
        let mut f = CheckFigures::default();
        if let Some(snapshot) = chosen {
            let r = kernteam_report::recorded_figures(&self.db, practice_id, snapshot.id, period).await?;
            f.included = r.included;
            f.mdo_held = r.mdo_count;
            f.so_zvw = r.so_consultations.zvw;
            f.so_wlz = r.so_consultations.wlz;
            f.elv = r.elv_referrals;
            f.seh = r.seh_referrals;
            f.wlz_crisis = r.wlz_crisis_admissions;
        } else {
            f.mdo_held = self
                .db
                .held_meetings_between(practice_id, period.start, period.reference_date)
                .await?;
        }
        f.attendance = self
            .db
            .mdo_attendance_between(practice_id, period.start, period.reference_date)
            .await?
            .into_iter()
            .map(|a| DisciplineAttendance {
                discipline: a.discipline,
                present: a.present,
                recorded: a.recorded,
            })
            .collect();
        Ok(f)
    }
}
