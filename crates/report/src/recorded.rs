//! The figures recorded in Kernteam for a practice and period (reports.md, "Figures
//! recorded in Kernteam"), counted in memory from the rows the store reads once for a
//! whole run ([`kernteam_store::recorded::RecordedRows`]): a report of eight quarters asks
//! the database six questions, not six per practice and period.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::dates::active_on;
use kernteam_domain::events::{EventKind, Funding};
use kernteam_domain::figures::RecordedFigures;
use kernteam_domain::period::Period;
use kernteam_store::collaboration::CollaborationEntry;
use kernteam_store::facts::Registration;
use kernteam_store::recorded::RecordedRows;
use kernteam_store::{Db, StoreError};

use crate::collaboration::{network_collaboration_of, NetworkCollaboration};
use crate::local_midnight_utc;

/// One practice's recorded rows, and per snapshot who is registered in it (read only
/// when the practice has decisions).
#[derive(Default)]
pub(crate) struct PracticeRecords {
    decisions: HashMap<i64, Vec<Decision>>,
    /// Latest `valid_from` first, then latest entry.
    poh_o_hours: Vec<(NaiveDate, f64)>,
    held_meetings: Vec<NaiveDate>,
    consultations: Vec<(NaiveDate, String)>,
    events: Vec<(String, String)>,
    collaboration: Vec<CollaborationEntry>,
    registrations: HashMap<i64, Vec<Registration>>,
}

/// The rows of a run, per practice (a practice without rows has none here).
pub(crate) fn by_practice(rows: RecordedRows) -> HashMap<i64, PracticeRecords> {
    let mut out: HashMap<i64, PracticeRecords> = HashMap::new();
    for (practice, patient, d) in rows.decisions {
        out.entry(practice)
            .or_default()
            .decisions
            .entry(patient)
            .or_default()
            .push(d);
    }
    for (practice, from, hours) in rows.poh_o_hours {
        out.entry(practice).or_default().poh_o_hours.push((from, hours));
    }
    for (practice, day) in rows.held_meetings {
        out.entry(practice).or_default().held_meetings.push(day);
    }
    for (practice, day, funding) in rows.consultations {
        out.entry(practice).or_default().consultations.push((day, funding));
    }
    for (practice, at, kind) in rows.events {
        out.entry(practice).or_default().events.push((at, kind));
    }
    for e in rows.collaboration {
        out.entry(e.practice_id).or_default().collaboration.push(e);
    }
    out
}

impl PracticeRecords {
    /// One practice's records, read from the database.
    pub(crate) async fn read(db: &Db, practice_id: i64) -> Result<PracticeRecords, StoreError> {
        Ok(by_practice(db.recorded_rows(Some(practice_id)).await?)
            .remove(&practice_id)
            .unwrap_or_default())
    }

    /// The figures for `period`, with `included` counted against the chosen snapshot
    /// (see [`crate::recorded_figures`]).
    pub(crate) async fn recorded(
        &mut self,
        db: &Db,
        snapshot_id: i64,
        period: &Period,
    ) -> Result<RecordedFigures, StoreError> {
        let (from, to) = (period.start, period.reference_date);
        let mut included = 0;
        if !self.decisions.is_empty() {
            if let std::collections::hash_map::Entry::Vacant(e) = self.registrations.entry(snapshot_id) {
                e.insert(db.snapshot_registrations(snapshot_id).await?);
            }
            let registered: HashSet<i64> = self.registrations[&snapshot_id]
                .iter()
                .filter(|p| active_on(p.registration_start, p.registration_end, to))
                .map(|p| p.patient_id)
                .collect();
            included = self
                .decisions
                .iter()
                .filter(|(patient, ds)| registered.contains(patient) && status_on(ds, to) == ProgramStatus::Included)
                .count() as u64;
        }
        let mut figures = RecordedFigures {
            included,
            poh_o_hours_per_week: self.poh_o_hours.iter().find(|(f, _)| *f <= to).map(|(_, h)| *h),
            mdo_count: self.held_meetings.iter().filter(|d| (from..=to).contains(*d)).count() as u64,
            ..RecordedFigures::default()
        };
        for (_, funding) in self.consultations.iter().filter(|(d, _)| (from..=to).contains(d)) {
            match Funding::from_code(funding) {
                Some(Funding::Zvw) => figures.so_consultations.zvw += 1,
                Some(Funding::Wlz) => figures.so_consultations.wlz += 1,
                None => return Err(StoreError::Corrupt(format!("financiering '{funding}'"))),
            }
        }
        // Events belong to the local day on which they happened (`local_midnight_utc`);
        // the stored instants compare as text, as the database compares them.
        let (start, end) = (
            local_midnight_utc(from),
            local_midnight_utc(to.succ_opt().unwrap_or(to)),
        );
        for (_, kind) in self
            .events
            .iter()
            .filter(|(at, _)| at.as_str() >= start.as_str() && at.as_str() < end.as_str())
        {
            match EventKind::from_code(kind) {
                Some(k) if k.is_elv() => figures.elv_referrals += 1,
                Some(EventKind::SehReferral) => figures.seh_referrals += 1,
                Some(EventKind::WlzCrisisAdmission) => figures.wlz_crisis_admissions += 1,
                Some(_) => {}
                None => return Err(StoreError::Corrupt(format!("gebeurtenis '{kind}'"))),
            }
        }
        Ok(figures)
    }

    /// The collaboration in the geriatric network for `period` (quarterly reports only).
    pub(crate) fn collaboration(&self, period: &Period) -> Result<Option<NetworkCollaboration>, StoreError> {
        network_collaboration_of(&self.collaboration, period)
    }
}
