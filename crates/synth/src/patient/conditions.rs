//! The patient's episodes and medicines: frailty and advance care planning, chronic
//! conditions with their treatment, insulin, background medicines and acute illness.

use rand::Rng;

use super::{Condition, Person, PracticeWriter, YEAR};
use crate::out::Day;
use crate::tables::{
    MedRule, ACUTE, ACUTE_PER_PATIENT, BACKGROUND, BASAL_INSULINS, CHRONIC, DEMENTIA, DIABETES, FRAIL_CODES,
    MEALTIME_INSULIN, PPI,
};

impl PracticeWriter {
    /// Frail-elder and advance-care-planning episodes; returns the start of the frail
    /// episode, if any.
    pub(super) fn frailty(&mut self, p: &Person) -> anyhow::Result<Option<Day>> {
        let mut chance = match p.age {
            ..=54 => 0.0,
            55..=64 => 0.003,
            65..=74 => 0.012,
            _ => (0.07 + 0.028 * f64::from(p.age - 75)).min(0.7),
        };
        if p.ended && p.age >= 75 {
            chance = (chance * 1.5).min(0.9);
        }
        let frail = self.chance(chance);
        if frail {
            let lo = self.window_start(p, p.birth + 60 * YEAR, 7);
            let start = self.between(lo, p.last);
            let end = if self.chance(0.12) {
                Some(self.between(start, p.last))
            } else {
                None
            };
            let u = self.rng.random::<f64>();
            let w = self.frail_code_weights;
            let which = if u < w[0] {
                0
            } else if u < w[0] + w[1] {
                1
            } else {
                2
            };
            let (icpc, title) = FRAIL_CODES[which];
            self.episode(icpc, start, end, title)?;
            if self.chance(0.4) {
                self.acp(p, (start - YEAR).max(p.birth))?;
            }
            return Ok(Some(start));
        }
        if p.age >= 75 && self.chance(0.03) {
            self.acp(p, self.window_start(p, p.birth, 5))?;
        }
        Ok(None)
    }

    /// A20, proactieve zorgplanning, starting no earlier than `lo`.
    fn acp(&mut self, p: &Person, lo: Day) -> anyhow::Result<()> {
        let start = self.between(lo.min(p.last), p.last);
        let end = if self.chance(0.1) {
            Some(self.between(start, p.last))
        } else {
            None
        };
        self.episode("A20", start, end, "Proactieve zorgplanning")
    }

    pub(super) fn chronic(&mut self, p: &Person, burden: f64, frail: bool) -> anyhow::Result<()> {
        for (index, c) in CHRONIC.iter().enumerate() {
            if p.age < c.onset_age {
                continue;
            }
            let mut chance = c.prevalence[p.band] * if p.female { c.female } else { c.male };
            if p.age >= 55 {
                chance *= burden;
            }
            if frail && index == DEMENTIA {
                chance *= 2.0;
            }
            if !self.chance(chance.min(0.95)) {
                continue;
            }
            let lo = self.window_start(p, p.birth + c.onset_age * YEAR, 30);
            let start = self.between(lo, p.last);
            let end = if self.chance(c.closed) {
                Some(self.between(start, p.last))
            } else {
                None
            };
            self.episode(c.icpc, start, end, c.title)?;
            self.conditions.push(Condition { index, start, end });
            for rule in c.meds {
                self.treat(p, rule, start, end)?;
            }
        }
        Ok(())
    }

    /// With the rule's probability, prescribes one of its medicines for a condition that
    /// runs from `start` to `end`. Some patients switched from an alternative (an ended
    /// prescription), a few stopped.
    fn treat(&mut self, p: &Person, rule: &MedRule, start: Day, end: Option<Day>) -> anyhow::Result<()> {
        if !self.chance(rule.p) {
            return Ok(());
        }
        let atc = self.pick(rule.atcs);
        if self.active.contains(&atc) {
            return Ok(());
        }
        let hi = end.unwrap_or(p.last);
        let mut from = self.between(start, hi.min(start + 5 * YEAR));
        if rule.atcs.len() > 1 && self.chance(0.12) {
            let other = self.pick(rule.atcs);
            if other != atc {
                let switch = self.between(from, hi);
                self.medication(other, from, Some(switch))?;
                from = switch;
            }
        }
        let until = match end {
            Some(e) => Some(self.between(from, e)),
            None if self.chance(0.06) => Some(self.between(from, p.last)),
            None => None,
        };
        self.medication(atc, from, until)?;
        if until.is_none() {
            self.active.push(atc);
        }
        Ok(())
    }

    /// Insulin for some diabetics; returns its start.
    pub(super) fn insulin(&mut self, p: &Person) -> anyhow::Result<Option<Day>> {
        let Some(dm) = self.open_condition(DIABETES) else {
            return Ok(None);
        };
        if !self.chance(0.17) {
            return Ok(None);
        }
        // A third started in the last two years, the rest some years after diagnosis.
        let lo = if self.chance(0.33) {
            self.window_start(p, dm.start, 2)
        } else {
            self.window_start(p, dm.start + 2 * YEAR, 12)
        };
        let start = self.between(lo, p.last);
        let basal = self.pick(BASAL_INSULINS);
        self.medication(basal, start, None)?;
        self.active.push(basal);
        if self.chance(0.25) {
            let from = self.between(start, p.last);
            self.medication(MEALTIME_INSULIN, from, None)?;
            self.active.push(MEALTIME_INSULIN);
        }
        Ok(Some(start))
    }

    /// Medicines without a coded episode, and stomach protection for older users of
    /// antithrombotics or NSAIDs.
    pub(super) fn background(&mut self, p: &Person, burden: f64) -> anyhow::Result<()> {
        let factor = if p.age >= 60 { burden } else { 1.0 };
        for b in &BACKGROUND {
            if p.age < b.min_age || (b.female_only && !p.female) {
                continue;
            }
            let rule = MedRule {
                p: (b.prevalence[p.band] * factor).min(0.95),
                atcs: b.atcs,
            };
            let lo = self.window_start(p, p.birth + b.min_age * YEAR, 10);
            self.treat(p, &rule, lo, None)?;
        }
        let protect = p.age >= 70
            && self
                .active
                .iter()
                .any(|a| a.starts_with("B01A") || a.starts_with("M01A"))
            && !self.active.iter().any(|a| a.starts_with("A02BC"));
        if protect {
            let lo = self.window_start(p, p.birth, 8);
            self.treat(p, &MedRule { p: 0.6, atcs: PPI }, lo, None)?;
        }
        Ok(())
    }

    /// Short illnesses in the last three years: closed episodes, some with a short course
    /// of medicine.
    pub(super) fn acute(&mut self, p: &Person) -> anyhow::Result<()> {
        let n = self.poisson(ACUTE_PER_PATIENT[p.band]);
        if n == 0 {
            return Ok(());
        }
        let total: f64 = ACUTE.iter().map(|a| a.weight[p.band]).sum();
        for _ in 0..n {
            let mut u = self.rng.random::<f64>() * total;
            let acute = ACUTE.iter().find(|a| {
                u -= a.weight[p.band];
                u < 0.0
            });
            let acute = acute.unwrap_or(&ACUTE[0]);
            let lo = self.window_start(p, p.birth, 3);
            let start = self.between(lo, p.last);
            let end = (start + self.rng.random_range(3..=45)).min(p.last);
            self.episode(acute.icpc, start, Some(end), acute.title)?;
            if let Some(course) = &acute.course {
                if self.chance(course.p) {
                    let atc = self.pick(course.atcs);
                    let from = (start + self.rng.random_range(0..=2)).min(p.last);
                    let until = (from + self.rng.random_range(5..=14)).min(p.last);
                    self.medication(atc, from, Some(until))?;
                }
            }
        }
        Ok(())
    }
}
