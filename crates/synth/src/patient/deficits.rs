//! Deficit codes for case finding: the symptoms and geriatric problems (falls,
//! incontinence, dizziness, weight loss, …) that the frailty index counts, for the
//! elderly, more often for the frail and for some "hidden frail" patients who have no
//! frail-elder episode yet, so that the demo's case-finding list is realistic.
//!
//! They are drawn from a stream of their own ([`PracticeWriter::deficit_rng`]) and are
//! episodes only, so that every other record of the region stays as it was and no report
//! figure (frailty, polypharmacy, chain care) changes.

use rand::Rng;

use super::{Person, PracticeWriter, YEAR};
use crate::out::Day;

/// (ICPC, title, chance for an elder, extra chance when frail, years back the episode may start)
const DEFICITS: [(&str, &str, f64, f64, i32); 16] = [
    ("A80", "Val met letsel", 0.08, 0.22, 1),
    ("N17", "Duizeligheid", 0.07, 0.12, 2),
    ("U04", "Urine-incontinentie", 0.09, 0.2, 6),
    ("R02", "Kortademigheid", 0.05, 0.1, 2),
    ("T08", "Gewichtsverlies", 0.03, 0.12, 1),
    ("P06", "Slaapstoornis", 0.07, 0.08, 6),
    ("L17", "Voetklachten", 0.05, 0.06, 2),
    ("A06", "Flauwvallen", 0.02, 0.05, 2),
    ("K88", "Orthostatische hypotensie", 0.02, 0.05, 5),
    ("P20", "Geheugenklachten", 0.05, 0.15, 5),
    ("N29", "Loopstoornis", 0.03, 0.14, 2),
    ("L75", "Femurfractuur", 0.01, 0.04, 8),
    ("Z15", "Verlies partner", 0.04, 0.05, 2),
    ("S97", "Chronisch ulcus huid", 0.01, 0.04, 6),
    ("A28", "Beperking in activiteiten", 0.02, 0.12, 6),
    ("F94", "Slechtziendheid", 0.03, 0.06, 10),
];

/// Of the 75+ without a frail-elder episode, this share is frail in all but the code.
const HIDDEN_FRAIL: f64 = 0.08;

impl PracticeWriter {
    fn deficit_chance(&mut self, p: f64) -> bool {
        self.deficit_rng.random::<f64>() < p
    }

    /// Deficit episodes of a patient of 70 or older.
    pub(super) fn deficits(&mut self, p: &Person, frail: bool) -> anyhow::Result<()> {
        if p.age < 70 {
            return Ok(());
        }
        let frail = frail || (p.age >= 75 && self.deficit_chance(HIDDEN_FRAIL));
        let age_factor = 1.0 + f64::from(p.age - 70) * 0.04;
        for (icpc, title, base, extra, years) in DEFICITS {
            let chance = (base * age_factor + if frail { extra } else { 0.0 }).min(0.9);
            if !self.deficit_chance(chance) {
                continue;
            }
            let lo: Day = (self.extract - years * YEAR).max(p.birth + 60 * YEAR).min(p.last);
            let start = if p.last <= lo {
                lo
            } else {
                self.deficit_rng.random_range(lo..=p.last)
            };
            // Symptoms pass; the rest stays open.
            let end = (years <= 2 && self.deficit_chance(0.6)).then(|| (start + 30).min(p.last));
            self.episode(icpc, start, end, title)?;
        }
        Ok(())
    }
}
