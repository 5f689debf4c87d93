//! The figures of the periodic reports (reports.md, "Figures per practice").
//!
//! [`ExtractFigures`] are counted over one practice's snapshot on the reference date R;
//! [`RecordedFigures`] come from what the care team records in Kernteam for the period.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::codes::{is_insulin, is_wlz_vv5_plus, ChainProgram, CodeSets, LABCODE_WLZ_PROFILE};
use crate::dates::{active_during, active_on, age_on};

mod on_dates;

pub use on_dates::{FiguresOn, Wanted};

/// The age from which a patient belongs to the program's target group.
pub const TARGET_AGE: i32 = 75;
/// The age on the extract date from which Kernteam keeps who a patient is and their HIS
/// lines (and gives them a lasting identity): five years below [`TARGET_AGE`], so that
/// everyone who reaches the target age before the next extracts is already known.
pub const RECORD_AGE: i32 = 70;

/// Whether Kernteam keeps a patient's record from an extract: the program's population
/// (aged [`RECORD_AGE`] or more on the extract date, or with a frail-elder episode at any
/// age, which the reports count at any age) and anyone the practice already cares for in
/// Kernteam (`known`). Of everyone else only the facts the reports count are kept
/// (extract-format.md: names, BSN and addresses serve the care of the practice's elderly;
/// data minimisation).
pub fn record_kept(birth_date: NaiveDate, extract_date: NaiveDate, frail_episode: bool, known: bool) -> bool {
    known || frail_episode || age_on(birth_date, extract_date) >= RECORD_AGE
}

/// Distinct active ATC codes from which a patient counts as polypharmacy.
pub const POLYPHARMACY_MIN_MEDICINES: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub icpc: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medication {
    pub atc: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Determinant {
    pub labcode: i64,
    pub date: NaiveDate,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub program: ChainProgram,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// What one snapshot says about one patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientFacts {
    pub birth_date: NaiveDate,
    pub registration_start: NaiveDate,
    pub registration_end: Option<NaiveDate>,
    pub episodes: Vec<Episode>,
    pub medications: Vec<Medication>,
    pub determinants: Vec<Determinant>,
    pub programs: Vec<Enrolment>,
}

impl PatientFacts {
    pub fn new(birth_date: NaiveDate, registration_start: NaiveDate, registration_end: Option<NaiveDate>) -> Self {
        PatientFacts {
            birth_date,
            registration_start,
            registration_end,
            episodes: Vec::new(),
            medications: Vec::new(),
            determinants: Vec::new(),
            programs: Vec::new(),
        }
    }

    pub fn registered_on(&self, r: NaiveDate) -> bool {
        active_on(self.registration_start, self.registration_end, r)
    }

    pub fn age_on(&self, r: NaiveDate) -> i32 {
        age_on(self.birth_date, r)
    }

    /// Has an active frail-elder episode on `r`.
    pub fn frail_on(&self, r: NaiveDate, codes: &CodeSets) -> bool {
        self.episodes
            .iter()
            .any(|e| codes.frail.matches(&e.icpc) && active_on(e.start, e.end, r))
    }

    /// Has an advance-care-planning episode (A20) that started on or before `r`.
    pub fn acp_by(&self, r: NaiveDate, codes: &CodeSets) -> bool {
        self.episodes.iter().any(|e| codes.acp.matches(&e.icpc) && e.start <= r)
    }

    pub fn enrolled_on(&self, r: NaiveDate, which: impl Fn(ChainProgram) -> bool) -> bool {
        self.programs
            .iter()
            .any(|p| which(p.program) && active_on(p.start, p.end, r))
    }

    /// Distinct ATC codes active on `r`. (A patient has a handful of lines: comparing each
    /// active one with those before it costs less than building a set.)
    pub fn active_medicines(&self, r: NaiveDate) -> usize {
        let active = |m: &&Medication| active_on(m.start, m.end, r);
        self.medications
            .iter()
            .enumerate()
            .filter(|(i, m)| active(m) && !self.medications[..*i].iter().filter(active).any(|o| o.atc == m.atc))
            .count()
    }

    pub fn polypharmacy_on(&self, r: NaiveDate) -> bool {
        // Fewer lines than the threshold cannot reach it (most patients).
        self.medications.len() >= POLYPHARMACY_MIN_MEDICINES && self.active_medicines(r) >= POLYPHARMACY_MIN_MEDICINES
    }

    pub fn insulin_on(&self, r: NaiveDate) -> bool {
        self.medications
            .iter()
            .any(|m| is_insulin(&m.atc) && active_on(m.start, m.end, r))
    }

    /// The values of the Wlz care-profile determinant on its latest date on or before `r`.
    pub fn wlz_profile_values(&self, r: NaiveDate) -> Vec<&str> {
        let relevant = || {
            self.determinants
                .iter()
                .filter(|d| d.labcode == LABCODE_WLZ_PROFILE && d.date <= r)
        };
        match relevant().map(|d| d.date).max() {
            Some(latest) => relevant()
                .filter(|d| d.date == latest)
                .map(|d| d.value.trim())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Wlz care profile VV 5 or higher: some value on the latest 2803 date on or before `r`.
    pub fn wlz_vv5_plus_on(&self, r: NaiveDate) -> bool {
        let relevant = || {
            self.determinants
                .iter()
                .filter(|d| d.labcode == LABCODE_WLZ_PROFILE && d.date <= r)
        };
        relevant().map(|d| d.date).max().is_some_and(|latest| {
            relevant()
                .filter(|d| d.date == latest)
                .any(|d| is_wlz_vv5_plus(d.value.trim()))
        })
    }

    /// Enrolled in diabetes chain care on some day of the calendar year before `r`'s year,
    /// and on insulin on `r`.
    pub fn insulin_transition_on(&self, r: NaiveDate) -> bool {
        let year = r.year() - 1;
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return false;
        };
        self.programs
            .iter()
            .any(|p| p.program.is_diabetes() && active_during(p.start, p.end, from, to))
            && self.insulin_on(r)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCareCounts {
    pub dm: u64,
    pub cvrm: u64,
    pub copd_astma: u64,
}

/// Figures counted over one practice's snapshot on the reference date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractFigures {
    pub registered: u64,
    pub aged_75_plus: u64,
    pub pct_75_plus: Option<f64>,
    pub frail_registered: u64,
    pub frail_aged_75_plus: u64,
    pub frail_with_acp: u64,
    pub frail_in_chain_care: ChainCareCounts,
    pub polypharmacy_75_plus: u64,
    pub wlz_vv5_plus: u64,
    pub insulin_transition: u64,
}

/// `100 * part / whole`, rounded half away from zero to one decimal; `None` when `whole`
/// is 0. Computed in integers so that 32.45 never becomes 32.4 by binary rounding.
pub fn percentage(part: u64, whole: u64) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    let tenths = (2000 * u128::from(part) + u128::from(whole)) / (2 * u128::from(whole));
    Some(tenths as f64 / 10.0)
}

/// Adds one patient's facts to the running figures. Call [`ExtractFigures::finish`] after
/// the last patient.
impl ExtractFigures {
    pub fn add(&mut self, p: &PatientFacts, r: NaiveDate, codes: &CodeSets) {
        self.add_classified(p, r, |r| p.frail_on(r, codes), |r| p.acp_by(r, codes));
    }

    /// [`ExtractFigures::add`] with the two code-set questions answered by the caller
    /// (which may have worked them out once for several reference dates,
    /// [`ExtractFigures::compute_on`]). The one place where a patient is counted.
    pub(crate) fn add_classified(
        &mut self,
        p: &PatientFacts,
        r: NaiveDate,
        frail_on: impl FnOnce(NaiveDate) -> bool,
        acp_by: impl FnOnce(NaiveDate) -> bool,
    ) {
        if !p.registered_on(r) {
            return;
        }
        self.registered += 1;
        let aged = p.age_on(r) >= TARGET_AGE;
        if aged {
            self.aged_75_plus += 1;
            if p.polypharmacy_on(r) {
                self.polypharmacy_75_plus += 1;
            }
        }
        if !frail_on(r) {
            return;
        }
        self.frail_registered += 1;
        if aged {
            self.frail_aged_75_plus += 1;
        }
        if acp_by(r) {
            self.frail_with_acp += 1;
        }
        if p.enrolled_on(r, ChainProgram::is_diabetes) {
            self.frail_in_chain_care.dm += 1;
        }
        if p.enrolled_on(r, |c| c == ChainProgram::Cvrm) {
            self.frail_in_chain_care.cvrm += 1;
        }
        if p.enrolled_on(r, |c| matches!(c, ChainProgram::Copd | ChainProgram::Astma)) {
            self.frail_in_chain_care.copd_astma += 1;
        }
        if p.wlz_vv5_plus_on(r) {
            self.wlz_vv5_plus += 1;
        }
        if p.insulin_transition_on(r) {
            self.insulin_transition += 1;
        }
    }

    pub fn finish(mut self) -> Self {
        self.pct_75_plus = percentage(self.aged_75_plus, self.registered);
        self
    }

    /// The figures of a whole snapshot.
    pub fn compute<'a>(patients: impl IntoIterator<Item = &'a PatientFacts>, r: NaiveDate, codes: &CodeSets) -> Self {
        let mut f = ExtractFigures::default();
        for p in patients {
            f.add(p, r, codes);
        }
        f.finish()
    }

    /// Sums counts; the percentage is recomputed from the sums.
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a ExtractFigures>) -> Self {
        let mut t = ExtractFigures::default();
        for f in all {
            t.registered += f.registered;
            t.aged_75_plus += f.aged_75_plus;
            t.frail_registered += f.frail_registered;
            t.frail_aged_75_plus += f.frail_aged_75_plus;
            t.frail_with_acp += f.frail_with_acp;
            t.frail_in_chain_care.dm += f.frail_in_chain_care.dm;
            t.frail_in_chain_care.cvrm += f.frail_in_chain_care.cvrm;
            t.frail_in_chain_care.copd_astma += f.frail_in_chain_care.copd_astma;
            t.polypharmacy_75_plus += f.polypharmacy_75_plus;
            t.wlz_vv5_plus += f.wlz_vv5_plus;
            t.insulin_transition += f.insulin_transition;
        }
        t.finish()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoConsultationCounts {
    pub zvw: u64,
    pub wlz: u64,
}

/// Figures recorded in Kernteam itself for the period S..=R.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordedFigures {
    pub included: u64,
    pub poh_o_hours_per_week: Option<f64>,
    pub mdo_count: u64,
    pub so_consultations: SoConsultationCounts,
    pub elv_referrals: u64,
    pub seh_referrals: u64,
    pub wlz_crisis_admissions: u64,
}

impl RecordedFigures {
    /// Sums counts; hours are summed over the practices that set them, `None` when none did.
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a RecordedFigures>) -> Self {
        let mut t = RecordedFigures::default();
        for f in all {
            t.included += f.included;
            t.poh_o_hours_per_week = match (t.poh_o_hours_per_week, f.poh_o_hours_per_week) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            };
            t.mdo_count += f.mdo_count;
            t.so_consultations.zvw += f.so_consultations.zvw;
            t.so_consultations.wlz += f.so_consultations.wlz;
            t.elv_referrals += f.elv_referrals;
            t.seh_referrals += f.seh_referrals;
            t.wlz_crisis_admissions += f.wlz_crisis_admissions;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn patient(birth: &str) -> PatientFacts {
        PatientFacts::new(d(birth), d("1990-01-01"), None)
    }

    #[test]
    fn records_are_kept_for_the_programs_population_only() {
        let e = d("2027-07-04");
        assert!(record_kept(d("1957-07-04"), e, false, false), "70 on the day");
        assert!(!record_kept(d("1957-07-05"), e, false, false), "70 the day after");
        assert!(record_kept(d("1990-01-01"), e, true, false), "frail at any age");
        assert!(record_kept(d("1990-01-01"), e, false, true), "already cared for");
        assert!(!record_kept(d("2001-03-03"), e, false, false));
    }

    fn ep(icpc: &str, start: &str, end: Option<&str>) -> Episode {
        Episode {
            icpc: icpc.into(),
            start: d(start),
            end: end.map(d),
        }
    }

    fn med(atc: &str, start: &str, end: Option<&str>) -> Medication {
        Medication {
            atc: atc.into(),
            start: d(start),
            end: end.map(d),
        }
    }

    fn frail(birth: &str) -> PatientFacts {
        let mut p = patient(birth);
        p.episodes.push(ep("A05", "2020-01-01", None));
        p
    }

    const R: &str = "2027-06-30";

    fn figures(ps: &[PatientFacts]) -> ExtractFigures {
        ExtractFigures::compute(ps, d(R), &CodeSets::default())
    }

    #[test]
    fn percentage_rounds_half_away_from_zero() {
        assert_eq!(percentage(40, 123), Some(32.5));
        assert_eq!(percentage(1, 8), Some(12.5));
        assert_eq!(percentage(649, 2000), Some(32.5)); // 32.45 → 32.5
        assert_eq!(percentage(1, 3), Some(33.3));
        assert_eq!(percentage(2, 3), Some(66.7));
        assert_eq!(percentage(0, 0), None);
        assert_eq!(percentage(0, 5), Some(0.0));
    }

    #[test]
    fn birthday_on_the_reference_date_counts_as_75() {
        let f = figures(&[patient("1952-06-30"), patient("1952-07-01")]);
        assert_eq!((f.registered, f.aged_75_plus), (2, 1));
    }

    #[test]
    fn leap_day_birthdays() {
        // On 2027-02-28 someone born 1952-02-29 is still 74; on 2027-03-01 they are 75.
        let p = patient("1952-02-29");
        let codes = CodeSets::default();
        assert_eq!(ExtractFigures::compute([&p], d("2027-02-28"), &codes).aged_75_plus, 0);
        assert_eq!(ExtractFigures::compute([&p], d("2027-03-01"), &codes).aged_75_plus, 1);
    }

    #[test]
    fn registration_ending_on_the_reference_date_still_counts() {
        let mut on = patient("1940-05-05");
        on.registration_end = Some(d("2027-06-30"));
        let mut off = patient("1940-05-05");
        off.registration_end = Some(d("2027-06-29"));
        let mut later = patient("1940-05-05");
        later.registration_start = d("2027-07-01");
        assert_eq!(figures(&[on, off, later]).registered, 1);
    }

    #[test]
    fn frail_episode_ending_on_reference_date_counts_any_age() {
        let mut young = patient("1970-01-01");
        young.episodes.push(ep("A49.01", "2020-01-01", Some(R)));
        let mut ended = patient("1940-01-01");
        ended.episodes.push(ep("A05.01", "2020-01-01", Some("2027-06-29")));
        let f = figures(&[young, ended, frail("1940-01-01")]);
        assert_eq!((f.frail_registered, f.frail_aged_75_plus), (2, 1));
    }

    #[test]
    fn acp_counts_when_started_by_r_even_if_closed() {
        let mut a = frail("1940-01-01");
        a.episodes.push(ep("A20.01", "2021-01-01", Some("2022-01-01")));
        let mut b = frail("1940-01-01");
        b.episodes.push(ep("A20", "2027-07-01", None));
        assert_eq!(figures(&[a, b]).frail_with_acp, 1);
    }

    #[test]
    fn polypharmacy_counts_distinct_active_atc_codes() {
        let mut p = patient("1940-01-01");
        for atc in ["A", "B01AC06", "C07AB02", "C09AA02", "N02BE01"] {
            p.medications.push(med(atc, "2020-01-01", None));
        }
        let mut dup = p.clone();
        dup.medications[4] = med("C07AB02", "2026-01-01", None);
        let mut stopped = p.clone();
        stopped.medications[4].end = Some(d("2027-06-29"));
        let mut young = p.clone();
        young.birth_date = d("1960-01-01");
        assert_eq!(figures(&[p, dup, stopped, young]).polypharmacy_75_plus, 1);
    }

    #[test]
    fn wlz_uses_values_on_the_latest_date_on_or_before_r() {
        let det = |date: &str, value: &str| Determinant {
            labcode: 2803,
            date: d(date),
            value: value.into(),
        };
        let mut old_high = frail("1940-01-01");
        old_high.determinants = vec![det("2024-01-01", "355"), det("2027-06-20", "351")];
        let mut same_day = frail("1940-01-01");
        same_day.determinants = vec![det("2026-11-11", "352"), det("2026-11-11", "351")];
        let mut future = frail("1940-01-01");
        future.determinants = vec![det("2027-01-01", " 354 "), det("2027-07-01", "351")];
        let mut other_lab = frail("1940-01-01");
        other_lab.determinants = vec![Determinant {
            labcode: 1234,
            date: d("2027-01-01"),
            value: "355".into(),
        }];
        assert_eq!(figures(&[old_high, same_day, future, other_lab]).wlz_vv5_plus, 2);
    }

    #[test]
    fn insulin_transition_needs_dm_enrolment_in_previous_year() {
        let enrol = |start: &str, end: Option<&str>| Enrolment {
            program: ChainProgram::Dm2,
            start: d(start),
            end: end.map(d),
        };
        let mut ended_last_day = frail("1940-01-01");
        ended_last_day.programs.push(enrol("2015-01-01", Some("2026-12-31")));
        ended_last_day.medications.push(med("A10AE04", "2020-01-01", None));
        let mut started_last_day = frail("1940-01-01");
        started_last_day.programs.push(Enrolment {
            program: ChainProgram::Dm2Vrm,
            start: d("2026-12-31"),
            end: None,
        });
        started_last_day.medications.push(med("A10AD04", "2026-06-01", None));
        let mut ended_before = frail("1940-01-01");
        ended_before.programs.push(enrol("2015-01-01", Some("2025-12-31")));
        ended_before.medications.push(med("A10AE04", "2020-01-01", None));
        let mut no_insulin = frail("1940-01-01");
        no_insulin.programs.push(enrol("2015-01-01", None));
        no_insulin.medications.push(med("A10BA02", "2020-01-01", None));
        let f = figures(&[ended_last_day, started_last_day, ended_before, no_insulin]);
        assert_eq!(f.insulin_transition, 2);
        assert_eq!(f.frail_in_chain_care.dm, 2);
    }

    #[test]
    fn chain_care_groups() {
        let enrol = |p| Enrolment {
            program: p,
            start: d("2020-01-01"),
            end: None,
        };
        let mut a = frail("1940-01-01");
        a.programs = vec![
            enrol(ChainProgram::Copd),
            enrol(ChainProgram::Astma),
            enrol(ChainProgram::Cvrm),
        ];
        let mut not_frail = patient("1940-01-01");
        not_frail.programs = vec![enrol(ChainProgram::Cvrm)];
        let f = figures(&[a, not_frail]);
        assert_eq!(
            f.frail_in_chain_care,
            ChainCareCounts {
                dm: 0,
                cvrm: 1,
                copd_astma: 1
            }
        );
    }

    #[test]
    fn totals_recompute_the_percentage_and_sum_hours_of_those_that_set_them() {
        let a = ExtractFigures {
            registered: 10,
            aged_75_plus: 1,
            ..Default::default()
        }
        .finish();
        let b = ExtractFigures {
            registered: 30,
            aged_75_plus: 9,
            ..Default::default()
        }
        .finish();
        assert_eq!(ExtractFigures::sum([&a, &b]).pct_75_plus, Some(25.0));
        let r1 = RecordedFigures {
            poh_o_hours_per_week: Some(12.0),
            ..Default::default()
        };
        let r2 = RecordedFigures::default();
        assert_eq!(RecordedFigures::sum([&r1, &r2]).poh_o_hours_per_week, Some(12.0));
        assert_eq!(RecordedFigures::sum([&r2, &r2]).poh_o_hours_per_week, None);
    }
}
