//! Enrolment in chain-care programs (`programs.csv`).

use rand::Rng;

use super::{Person, PracticeWriter, YEAR};
use crate::out::Day;
use crate::tables::{ASTHMA, CARDIOVASCULAR, COPD, DIABETES, HYPERTENSION};

impl PracticeWriter {
    /// Enrolment in chain-care programs for chronic patients.
    pub(super) fn chain_care(&mut self, p: &Person, insulin_start: Option<Day>) -> anyhow::Result<()> {
        let mut vrm = false;
        if let Some(dm) = self.open_condition(DIABETES) {
            if self.chance(if p.age >= 85 { 0.58 } else { 0.68 }) {
                vrm = self.chance(0.35);
                let program: &[u8] = if vrm { b"DM2_VRM" } else { b"DM2" };
                let start = self.program_start(p, dm.start);
                // Some leave diabetes chain care when they start insulin (referred to
                // the internist), which the insulin-transition figure looks for.
                let end = match insulin_start {
                    Some(i) if i >= self.extract - 2 * YEAR && self.chance(0.4) => Some(i.max(start)),
                    _ if self.chance(0.06) => Some(self.between(start, p.last)),
                    _ => None,
                };
                self.program(program, start, end)?;
            }
        }
        if !vrm {
            let cvd = CARDIOVASCULAR
                .iter()
                .filter_map(|i| self.open_condition(*i))
                .map(|c| c.start)
                .min();
            let hypertension = self.open_condition(HYPERTENSION).map(|c| c.start);
            let since = match (cvd, hypertension) {
                (Some(s), _) if self.chance(0.35) => Some(s),
                (None, Some(s)) if p.age >= 60 && self.chance(0.05) => Some(s),
                _ => None,
            };
            if let Some(since) = since {
                self.program_with_ending(p, b"CVRM", since)?;
            }
        }
        if let Some(c) = self.open_condition(COPD) {
            if self.chance(0.55) {
                self.program_with_ending(p, b"COPD", c.start)?;
            }
        }
        if let Some(c) = self.open_condition(ASTHMA) {
            if p.age >= 16 && self.chance(0.3) {
                self.program_with_ending(p, b"ASTMA", c.start)?;
            }
        }
        Ok(())
    }

    /// Chain care began in the region 10–18 years ago; patients join some months after
    /// their diagnosis.
    fn program_start(&mut self, p: &Person, diagnosis: Day) -> Day {
        let region_start = self.extract - self.rng.random_range(10 * YEAR..=18 * YEAR);
        let joined = diagnosis + self.rng.random_range(0..=YEAR);
        joined.max(region_start).min(p.last)
    }

    fn program_with_ending(&mut self, p: &Person, program: &[u8], diagnosis: Day) -> anyhow::Result<()> {
        let start = self.program_start(p, diagnosis);
        let end = if self.chance(0.07) {
            Some(self.between(start, p.last))
        } else {
            None
        };
        self.program(program, start, end)
    }
}
