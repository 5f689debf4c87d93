//! The extract figures on several reference dates in one pass over the patients (the
//! dashboards' eight quarters, a report of several periods that share a snapshot).
//!
//! What does not depend on R is worked out once per patient: which of their episodes are
//! frail-elder episodes and when their first advance-care-planning episode started. Only
//! the comparisons with each R are repeated, by the same code that counts one R
//! ([`ExtractFigures::add_classified`]), so the figures are the same to the last count.

use chrono::NaiveDate;

use super::{ExtractFigures, PatientFacts, TARGET_AGE};
use crate::codes::CodeSets;
use crate::dates::active_on;

impl ExtractFigures {
    /// The figures of a whole snapshot on each of `dates`, in the order given: the same as
    /// [`ExtractFigures::compute`] on each date.
    pub fn compute_on<'a>(
        patients: impl IntoIterator<Item = &'a PatientFacts>,
        dates: &[NaiveDate],
        codes: &CodeSets,
    ) -> Vec<ExtractFigures> {
        let mut on = FiguresOn::new(dates, codes);
        for p in patients {
            on.add(p);
        }
        on.finish()
    }
}

/// What [`FiguresOn::wants`] of a patient beyond their registration and episodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    pub medications: bool,
    pub determinants_and_programs: bool,
}

impl Wanted {
    /// Every list (a reader that does not ask).
    pub const ALL: Wanted = Wanted {
        medications: true,
        determinants_and_programs: true,
    };
}

/// [`ExtractFigures::compute_on`] one patient at a time, for a caller that has each
/// patient only for a moment (the store decodes a snapshot's patients into one reused
/// value rather than a vector of them).
pub struct FiguresOn<'a> {
    dates: &'a [NaiveDate],
    codes: &'a CodeSets,
    out: Vec<ExtractFigures>,
    /// The current patient's frail-elder episodes (kept to reuse its memory).
    frail: Vec<(NaiveDate, Option<NaiveDate>)>,
}

impl<'a> FiguresOn<'a> {
    pub fn new(dates: &'a [NaiveDate], codes: &'a CodeSets) -> Self {
        FiguresOn {
            dates,
            codes,
            out: vec![ExtractFigures::default(); dates.len()],
            frail: Vec::new(),
        }
    }

    /// What of `p` beyond their registration, birth date and episodes (all that `p` need
    /// hold when asked) the figures look at: the medication of someone aged 75 or more or
    /// frail on a date they are registered on, the determinants and enrolments only of
    /// someone frail. [`FiguresOn::add`] counts a patient whose other lists were left
    /// empty the same as with them, so a reader may skip what is not wanted.
    pub fn wants(&self, p: &PatientFacts) -> Wanted {
        let (mut aged, mut frail) = (false, false);
        for &r in self.dates.iter().filter(|&&r| p.registered_on(r)) {
            aged |= p.age_on(r) >= TARGET_AGE;
            frail |= p.frail_on(r, self.codes);
        }
        Wanted {
            medications: aged || frail,
            determinants_and_programs: frail,
        }
    }

    /// Counts one patient on every date.
    pub fn add(&mut self, p: &PatientFacts) {
        let (dates, codes) = (self.dates, self.codes);
        if !dates.iter().any(|&r| p.registered_on(r)) {
            return;
        }
        let frail = &mut self.frail;
        frail.clear();
        frail.extend(
            p.episodes
                .iter()
                .filter(|e| codes.frail.matches(&e.icpc))
                .map(|e| (e.start, e.end)),
        );
        // Only asked of someone frail on R.
        let acp_from = if frail.is_empty() {
            None
        } else {
            p.episodes
                .iter()
                .filter(|e| codes.acp.matches(&e.icpc))
                .map(|e| e.start)
                .min()
        };
        for (figures, &r) in self.out.iter_mut().zip(dates) {
            figures.add_classified(
                p,
                r,
                |r| frail.iter().any(|&(start, end)| active_on(start, end, r)),
                |r| acp_from.is_some_and(|start| start <= r),
            );
        }
    }

    /// The figures on each date, in the order given.
    pub fn finish(self) -> Vec<ExtractFigures> {
        self.out.into_iter().map(ExtractFigures::finish).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::ChainProgram;
    use crate::figures::{Determinant, Enrolment, Episode, Medication};

    /// A small deterministic generator (no dependency for one test).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }

        fn date(&mut self, from_year: i32, years: u64) -> NaiveDate {
            NaiveDate::from_ymd_opt(from_year, 1, 1).unwrap() + chrono::Days::new(self.below(365 * years))
        }

        fn end(&mut self, start: NaiveDate) -> Option<NaiveDate> {
            (self.below(3) == 0).then(|| start + chrono::Days::new(self.below(1500)))
        }

        fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
            of[self.below(of.len() as u64) as usize]
        }
    }

    /// Patients around the edges the figures care about: ages around 75, registrations
    /// and episodes that start and end near the quarters, ATC codes repeated, several
    /// Wlz values on one day.
    fn patients(n: usize, g: &mut Lcg) -> Vec<PatientFacts> {
        let icpc = ["A05", "A05.01", "A49.01", "A49", "A20", "A20.02", "K86", "T90.02"];
        let atc = [
            "A10AE04", "A10BA02", "B01AC06", "C07AB02", "C09AA02", "N02BE01", "C10AA01",
        ];
        let wlz = ["351", "352", "355", " 356 ", "4"];
        (0..n)
            .map(|_| {
                let start = g.date(2015, 12);
                let mut p = PatientFacts::new(g.date(1940, 20), start, g.end(start));
                for _ in 0..g.below(4) {
                    let start = g.date(2020, 8);
                    p.episodes.push(Episode {
                        icpc: g.pick(&icpc).into(),
                        start,
                        end: g.end(start),
                    });
                }
                for _ in 0..g.below(9) {
                    let start = g.date(2022, 6);
                    p.medications.push(Medication {
                        atc: g.pick(&atc).into(),
                        start,
                        end: g.end(start),
                    });
                }
                for _ in 0..g.below(3) {
                    p.determinants.push(Determinant {
                        labcode: if g.below(4) == 0 { 1234 } else { 2803 },
                        date: g.date(2024, 4),
                        value: g.pick(&wlz).into(),
                    });
                }
                for _ in 0..g.below(3) {
                    let start = g.date(2020, 8);
                    p.programs.push(Enrolment {
                        program: ChainProgram::ALL[g.below(ChainProgram::ALL.len() as u64) as usize],
                        start,
                        end: g.end(start),
                    });
                }
                p
            })
            .collect()
    }

    #[test]
    fn several_dates_give_what_each_date_gives_alone() {
        let mut g = Lcg(2027);
        let ps = patients(5_000, &mut g);
        let codes = CodeSets::default();
        let dates: Vec<NaiveDate> = [
            "2025-09-30",
            "2025-12-31",
            "2026-03-31",
            "2026-06-30",
            "2026-09-30",
            "2026-12-31",
            "2027-03-31",
            "2027-06-30",
            "2027-06-30",
        ]
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
        let many = ExtractFigures::compute_on(&ps, &dates, &codes);
        assert_eq!(many.len(), dates.len());
        for (figures, &r) in many.iter().zip(&dates) {
            let alone = ExtractFigures::compute(&ps, r, &codes);
            assert_eq!(figures, &alone, "{r}");
        }
        // The generator reaches every figure, so the comparison means something.
        let last = &many[7];
        for (name, n) in [
            ("aged", last.aged_75_plus),
            ("frail", last.frail_registered),
            ("acp", last.frail_with_acp),
            ("dm", last.frail_in_chain_care.dm),
            ("cvrm", last.frail_in_chain_care.cvrm),
            ("copd", last.frail_in_chain_care.copd_astma),
            ("poly", last.polypharmacy_75_plus),
            ("wlz", last.wlz_vv5_plus),
            ("insulin", last.insulin_transition),
        ] {
            assert!(n > 0 && n < last.registered, "{name}: {n} of {}", last.registered);
        }
    }

    #[test]
    fn what_is_not_wanted_changes_no_figure() {
        let mut g = Lcg(75);
        let ps = patients(5_000, &mut g);
        let codes = CodeSets::default();
        let dates: Vec<NaiveDate> = ["2026-06-30", "2027-06-30"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        let on = FiguresOn::new(&dates, &codes);
        let (mut skipped_medications, mut skipped_rest) = (0, 0);
        let pruned: Vec<PatientFacts> = ps
            .iter()
            .map(|p| {
                let mut head = p.clone();
                (head.medications, head.determinants, head.programs) = (vec![], vec![], vec![]);
                let wanted = on.wants(&head);
                let mut q = p.clone();
                if !wanted.medications && !q.medications.is_empty() {
                    q.medications.clear();
                    skipped_medications += 1;
                }
                if !wanted.determinants_and_programs && !(q.determinants.is_empty() && q.programs.is_empty()) {
                    (q.determinants, q.programs) = (vec![], vec![]);
                    skipped_rest += 1;
                }
                q
            })
            .collect();
        assert!(
            skipped_medications > 100 && skipped_rest > 100,
            "{skipped_medications} {skipped_rest}"
        );
        assert_eq!(
            ExtractFigures::compute_on(&pruned, &dates, &codes),
            ExtractFigures::compute_on(&ps, &dates, &codes)
        );
    }

    #[test]
    fn no_dates_no_figures() {
        let ps = patients(10, &mut Lcg(1));
        assert!(ExtractFigures::compute_on(&ps, &[], &CodeSets::default()).is_empty());
    }
}
