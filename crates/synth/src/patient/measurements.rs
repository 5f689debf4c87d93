//! Determinants (`determinants.csv`): the Wlz care profile and weight-like measurements.

use rand::Rng;

use super::{Person, PracticeWriter};
use crate::out::Day;
use crate::tables::{DEMENTIA, DIABETES, WLZ_VALUES};

/// Labcode of the Wlz care profile (NHG Tabel 45).
const LABCODE_WLZ: &[u8] = b"2803";
/// A numeric determinant; the synthetic values look like a body weight in kg, written
/// with a decimal comma as Dutch HIS exports do.
const LABCODE_WEIGHT: &[u8] = b"1251";

impl PracticeWriter {
    /// Determinants: the Wlz care profile (2803) for some frail patients, weight-like
    /// measurements (1251) for diabetics and the elderly.
    pub(super) fn measurements(&mut self, p: &Person, frail_start: Option<Day>) -> anyhow::Result<()> {
        let dementia = self.open_condition(DEMENTIA).is_some();
        let wlz = match frail_start {
            Some(_) => self.chance(if dementia { 0.3 } else { 0.14 }),
            None => p.age >= 75 && self.chance(0.01),
        };
        if wlz {
            let lo = self.window_start(p, frail_start.unwrap_or(p.birth), 4);
            let date = self.between(lo, p.last);
            let mut u = self.rng.random::<f64>();
            let value = WLZ_VALUES
                .iter()
                .find(|(_, w)| {
                    u -= w;
                    u < 0.0
                })
                .map_or(351, |(v, _)| *v);
            // Profiles are raised over time: an earlier, lower indication.
            if value > 351 && self.chance(0.35) {
                let earlier = date - self.rng.random_range(180..=1_100);
                if earlier >= p.birth {
                    let old = self.rng.random_range(351..value);
                    self.determinant(LABCODE_WLZ, earlier, old.to_string().as_bytes())?;
                }
            }
            self.determinant(LABCODE_WLZ, date, value.to_string().as_bytes())?;
        }

        let diabetic = self.open_condition(DIABETES).is_some();
        let chance = if diabetic {
            0.85
        } else if p.age >= 75 {
            0.45
        } else if p.age >= 18 {
            0.06
        } else {
            0.0
        };
        if chance > 0.0 && self.chance(chance) {
            let spread = (0..3).map(|_| self.rng.random::<f64>()).sum::<f64>() * 2.0 - 3.0;
            let mut base = if p.female { 70.0 } else { 82.0 } + 12.0 * spread;
            if p.age >= 80 {
                base -= 5.0;
            }
            let n = self.rng.random_range(1..=3);
            for _ in 0..n {
                let w = (base + self.rng.random_range(-2.5..2.5)).clamp(38.0, 170.0);
                let tenths = (w * 10.0).round() as i64;
                let lo = self.window_start(p, p.birth, 3);
                let date = self.between(lo, p.last);
                let value = format!("{},{}", tenths / 10, tenths % 10);
                self.determinant(LABCODE_WEIGHT, date, value.as_bytes())?;
            }
        }
        Ok(())
    }
}
