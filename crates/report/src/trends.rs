//! Figures over several quarters, for the dashboards and the regional report: per quarter
//! the quarterly report of reports.md + region.md ([`crate::build_reports`]) and the
//! care-process indicators from Kernteam's own records ([`CareProcess`]), per practice.
//! Which figures there are, and how each is read from a practice's row or the totals,
//! is [`FIGURES`]; suppression and medians are applied by the caller (who knows the
//! audience).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use kernteam_domain::capacity::CapacityFigures;
use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::codes::CodeSets;
use kernteam_domain::dates::active_on;
use kernteam_domain::events::{handover, EventKind};
use kernteam_domain::figures::{ExtractFigures, RecordedFigures};
use kernteam_domain::period::{Period, ReportKind};
use kernteam_store::documents::Document;
use kernteam_store::{Db, StoreError};
use serde::Serialize;

pub use crate::trend_figures::{Chart, Figure, Group, Raw, FIGURES};
use crate::{build_reports, local_midnight_utc, Report, ReportError};

/// The `n` quarters ending with the last quarter completed before `today`, oldest first.
pub fn last_quarters(today: NaiveDate, n: usize) -> Vec<Period> {
    let current = today.year() * 4 + (today.month0() / 3) as i32;
    (1..=n as i32)
        .rev()
        .filter_map(|back| {
            let q = current - back;
            Period::parse(
                ReportKind::Quarterly,
                &format!("{}-Q{}", q.div_euclid(4), q.rem_euclid(4) + 1),
            )
            .ok()
        })
        .collect()
}

/// Care-process indicators of a practice on R (counts; shares are taken by the caller).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CareProcess {
    /// Included on R (as `included` in reports.md).
    pub included: u64,
    /// Of `included`: a care plan (IZP) whose first version was saved on or before R.
    pub with_care_plan: u64,
    /// Of `included`: a PZP whose first version was saved on or before R.
    pub with_pzp: u64,
    /// Of `included`: a first point of contact set on or before R (Kernteam keeps only
    /// the current one).
    pub with_first_contact: u64,
    /// Of `included`: a medication review dated in the twelve months up to R.
    pub with_medication_review: u64,
    /// Events in S..R that need a 24-hour handover.
    pub handover_events: u64,
    /// Of those: sent late, or not sent and past the 24 hours.
    pub late_handovers: u64,
}

impl CareProcess {
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a CareProcess>) -> CareProcess {
        all.into_iter().fold(CareProcess::default(), |a, b| CareProcess {
            included: a.included + b.included,
            with_care_plan: a.with_care_plan + b.with_care_plan,
            with_pzp: a.with_pzp + b.with_pzp,
            with_first_contact: a.with_first_contact + b.with_first_contact,
            with_medication_review: a.with_medication_review + b.with_medication_review,
            handover_events: a.handover_events + b.handover_events,
            late_handovers: a.late_handovers + b.late_handovers,
        })
    }
}

/// One quarter: its report, and per practice (by AGB code) the care-process indicators.
#[derive(Debug, Clone)]
pub struct Quarter {
    pub period: Period,
    pub report: Report,
    pub care: HashMap<String, CareProcess>,
    pub care_totals: CareProcess,
}

/// What a practice's records say, read once for all quarters.
struct PracticeRecords {
    decisions: HashMap<i64, Vec<Decision>>,
    care_plans: HashMap<i64, DateTime<Utc>>,
    pzps: HashMap<i64, DateTime<Utc>>,
    first_contacts: HashMap<i64, DateTime<Utc>>,
    reviews: HashMap<i64, Vec<NaiveDate>>,
    /// (kind, occurred at, handover sent at).
    events: Vec<(EventKind, DateTime<Utc>, Option<DateTime<Utc>>)>,
}

fn instant(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.to_utc())
        .map_err(|_| StoreError::Corrupt(format!("tijdstip '{s}'")))
}

fn times(rows: Vec<(i64, String)>) -> Result<HashMap<i64, DateTime<Utc>>, StoreError> {
    rows.into_iter().map(|(p, t)| Ok((p, instant(&t)?))).collect()
}

impl PracticeRecords {
    async fn read(db: &Db, practice_id: i64) -> Result<PracticeRecords, StoreError> {
        let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
        for (patient, d) in db.practice_decisions(practice_id).await? {
            decisions.entry(patient).or_default().push(d);
        }
        let mut reviews: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (patient, d) in db.practice_medication_review_dates(practice_id).await? {
            reviews.entry(patient).or_default().push(d);
        }
        let mut events = Vec::new();
        for e in db.practice_events(practice_id, "0000").await? {
            let Some(kind) = EventKind::from_code(&e.kind) else {
                return Err(StoreError::Corrupt(format!("gebeurtenis '{}'", e.kind)));
            };
            let sent = e.handover_sent_at.as_deref().map(instant).transpose()?;
            events.push((kind, instant(&e.occurred_at)?, sent));
        }
        Ok(PracticeRecords {
            decisions,
            care_plans: times(db.practice_first_versions(Document::CarePlan, practice_id).await?)?,
            pzps: times(db.practice_first_versions(Document::Pzp, practice_id).await?)?,
            first_contacts: times(db.practice_first_contact_times(practice_id).await?)?,
            reviews,
            events,
        })
    }

    /// The indicators for the period, given who is registered on R.
    fn care_process(&self, registered: &HashSet<i64>, period: &Period, now: DateTime<Utc>) -> CareProcess {
        let r = period.reference_date;
        let end_of_r = instant(&local_midnight_utc(r.succ_opt().unwrap_or(r))).unwrap_or(now);
        let start = instant(&local_midnight_utc(period.start)).unwrap_or(now);
        let year_before = r.checked_sub_months(Months::new(12)).unwrap_or(r);
        let included: Vec<i64> = self
            .decisions
            .iter()
            .filter(|(p, ds)| registered.contains(p) && status_on(ds, r) == ProgramStatus::Included)
            .map(|(p, _)| *p)
            .collect();
        let before_end = |m: &HashMap<i64, DateTime<Utc>>, p: &i64| m.get(p).is_some_and(|t| *t < end_of_r);
        let count = |f: &dyn Fn(&i64) -> bool| included.iter().filter(|p| f(p)).count() as u64;
        let mut c = CareProcess {
            included: included.len() as u64,
            with_care_plan: count(&|p| before_end(&self.care_plans, p)),
            with_pzp: count(&|p| before_end(&self.pzps, p)),
            with_first_contact: count(&|p| before_end(&self.first_contacts, p)),
            with_medication_review: count(&|p| {
                self.reviews
                    .get(p)
                    .is_some_and(|ds| ds.iter().any(|d| *d > year_before && *d <= r))
            }),
            ..CareProcess::default()
        };
        for (kind, at, sent) in &self.events {
            if kind.needs_handover() && *at >= start && *at < end_of_r {
                c.handover_events += 1;
                if handover(*kind, *at, *sent, now).is_late() {
                    c.late_handovers += 1;
                }
            }
        }
        c
    }
}

/// Computes the quarters: the reports in one pass ([`build_reports`]), each practice's
/// records once, and who is registered per snapshot only where someone was ever included.
pub async fn build_quarters(db: &Db, periods: &[Period], codes: &CodeSets) -> Result<Vec<Quarter>, ReportError> {
    let snapshots = db.snapshots().await?;
    let now = Utc::now();
    let reports = build_reports(db, periods, codes, &mut |_, _| {}).await?;
    let mut records: HashMap<i64, PracticeRecords> = HashMap::new();
    let mut people: HashMap<i64, Vec<kernteam_store::facts::Registration>> = HashMap::new();
    let mut quarters = Vec::with_capacity(periods.len());
    for (period, report) in periods.iter().zip(reports) {
        let mut care = HashMap::new();
        for p in &report.practices {
            let Some(s) = snapshots
                .iter()
                .find(|s| s.agb_code == p.agb_code && s.extract_date == p.extract_date)
            else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(e) = records.entry(s.practice_id) {
                e.insert(PracticeRecords::read(db, s.practice_id).await?);
            }
            let practice = &records[&s.practice_id];
            let r = period.reference_date;
            let registered: HashSet<i64> = if practice.decisions.is_empty() {
                HashSet::new()
            } else {
                if let std::collections::hash_map::Entry::Vacant(e) = people.entry(s.id) {
                    e.insert(db.snapshot_registrations(s.id).await?);
                }
                people[&s.id]
                    .iter()
                    .filter(|x| active_on(x.registration_start, x.registration_end, r))
                    .map(|x| x.patient_id)
                    .collect()
            };
            care.insert(p.agb_code.clone(), practice.care_process(&registered, period, now));
        }
        let care_totals = CareProcess::sum(care.values());
        quarters.push(Quarter {
            period: period.clone(),
            report,
            care,
            care_totals,
        });
    }
    Ok(quarters)
}

/// The practices that appear in any of the quarters: (AGB code, name), by AGB code.
pub fn practices_of(quarters: &[Quarter]) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for q in quarters.iter().rev() {
        for p in &q.report.practices {
            if !seen.iter().any(|(agb, _)| *agb == p.agb_code) {
                seen.push((p.agb_code.clone(), p.name.clone()));
            }
        }
    }
    seen.sort();
    seen
}

/// A practice's row (or the totals) in one quarter, as the figures read it.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub extract: &'a ExtractFigures,
    pub recorded: &'a RecordedFigures,
    pub capacity: Option<&'a CapacityFigures>,
    pub care: Option<&'a CareProcess>,
}

impl Quarter {
    /// The practice's row, when it has a snapshot for this quarter.
    pub fn practice(&self, agb_code: &str) -> Option<Row<'_>> {
        let p = self.report.practices.iter().find(|p| p.agb_code == agb_code)?;
        Some(Row {
            extract: &p.extract,
            recorded: &p.recorded,
            capacity: p.capacity.as_ref(),
            care: self.care.get(agb_code),
        })
    }

    /// Every practice's row.
    pub fn rows(&self) -> Vec<Row<'_>> {
        self.report
            .practices
            .iter()
            .filter_map(|p| self.practice(&p.agb_code))
            .collect()
    }

    /// The region's row: the report's totals.
    pub fn totals(&self) -> Row<'_> {
        let t = &self.report.totals;
        Row {
            extract: &t.extract,
            recorded: &t.recorded,
            capacity: t.capacity.as_ref(),
            care: Some(&self.care_totals),
        }
    }
}

/// A sheet of the regional report's workbook: a name, a header and rows of cells
/// (numbers, or text such as "< 5").
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// The sheets as one Excel workbook.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, ReportError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for s in sheets {
        crate::write_sheet(&mut book, &s.name, &s.header, &s.rows)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn eight_quarters_end_with_the_last_completed_one() {
        let labels: Vec<String> = last_quarters(d("2027-02-10"), 8).into_iter().map(|p| p.label).collect();
        assert_eq!(
            labels,
            ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        );
        let on_first_day = last_quarters(d("2027-04-01"), 1);
        assert_eq!(on_first_day[0].label, "2027-Q1");
        assert_eq!(on_first_day[0].reference_date, d("2027-03-31"));
    }

    #[test]
    fn figure_keys_are_unique() {
        let keys: HashSet<&str> = FIGURES.iter().map(|f| f.key).collect();
        assert_eq!(keys.len(), FIGURES.len());
    }

    #[test]
    fn care_process_counts_what_was_there_on_r() {
        let t = |s: &str| instant(s).unwrap();
        let inclusion = |on: &str| Decision {
            kind: kernteam_domain::care::DecisionKind::Inclusion,
            decided_on: d(on),
            seq: 0,
        };
        let records = PracticeRecords {
            decisions: HashMap::from([(1, vec![inclusion("2027-01-10")]), (2, vec![inclusion("2027-05-01")])]),
            care_plans: HashMap::from([(1, t("2027-03-31T12:00:00Z"))]),
            pzps: HashMap::from([(1, t("2027-04-01T12:00:00Z"))]),
            first_contacts: HashMap::new(),
            reviews: HashMap::from([(1, vec![d("2026-03-31"), d("2026-04-01")])]),
            events: vec![
                (EventKind::HospitalDischarge, t("2027-02-01T10:00:00Z"), None),
                (
                    EventKind::HospitalDischarge,
                    t("2027-02-02T10:00:00Z"),
                    Some(t("2027-02-02T12:00:00Z")),
                ),
                (EventKind::Fall, t("2027-02-03T10:00:00Z"), None),
            ],
        };
        let period = Period::parse(ReportKind::Quarterly, "2027-Q1").unwrap();
        let c = records.care_process(&HashSet::from([1, 2]), &period, t("2027-06-01T00:00:00Z"));
        assert_eq!(
            c,
            CareProcess {
                included: 1,
                with_care_plan: 1,
                with_pzp: 0,
                with_first_contact: 0,
                with_medication_review: 1,
                handover_events: 2,
                late_handovers: 1,
            }
        );
        let unregistered = records.care_process(&HashSet::from([2]), &period, t("2027-06-01T00:00:00Z"));
        assert_eq!(unregistered.included, 0);
    }
}
