//! One practice's patients and their records, written row by row: only the current
//! patient is held in memory.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{Months, NaiveDate};
use kernteam_domain::dates::age_on;
use kernteam_domain::extract::ExtractFile;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::out::{date_bytes, day, Day, OptDate, Table};
use crate::tables::{
    age_band, age_weights, MedRule, ACUTE, ACUTE_PER_PATIENT, ASTHMA, BACKGROUND, BASAL_INSULINS, CARDIOVASCULAR,
    CHRONIC, COPD, DEMENTIA, DIABETES, FAMILY_NAMES, FRAIL_CODES, GIVEN_NAMES_F, GIVEN_NAMES_M, HYPERTENSION, MAX_AGE,
    MEALTIME_INSULIN, PC4, PC_LETTERS, PPI, WLZ_VALUES,
};

/// Days in a year, for offsets where a day more or less does not matter.
const YEAR: Day = 365;

/// Labcode of the Wlz care profile (NHG Tabel 45).
const LABCODE_WLZ: &[u8] = b"2803";
/// A numeric determinant; the synthetic values look like a body weight in kg, written
/// with a decimal comma as Dutch HIS exports do.
const LABCODE_WEIGHT: &[u8] = b"1251";

/// The patient being generated.
struct Person {
    birth: Day,
    age: i32,
    band: usize,
    female: bool,
    /// Last day in the practice: the registration end, or the extract date.
    last: Day,
    ended: bool,
}

/// A chronic episode of the current patient.
#[derive(Clone, Copy)]
struct Condition {
    index: usize,
    start: Day,
    end: Option<Day>,
}

pub(crate) struct PracticeWriter {
    rng: ChaCha8Rng,
    practice_no: u32,
    extract: Day,
    extract_date: NaiveDate,
    age_cumulative: [f64; MAX_AGE + 1],
    /// The postal areas most patients live in.
    home_pc4: [u16; 3],
    /// How this practice spreads its frail-elder episodes over the codes of [`FRAIL_CODES`].
    frail_code_weights: [f64; 3],
    patients: Table,
    episodes: Table,
    medications: Table,
    determinants: Table,
    programs: Table,
    bsns: HashSet<u32>,
    // Scratch space for the current patient, reused.
    id: String,
    active: Vec<&'static str>,
    conditions: Vec<Condition>,
}

impl PracticeWriter {
    pub(crate) fn new(
        mut rng: ChaCha8Rng,
        dir: &Path,
        practice_no: u32,
        extract: Day,
    ) -> anyhow::Result<PracticeWriter> {
        let mut age_cumulative = age_weights();
        let mut total = 0.0;
        for w in age_cumulative.iter_mut() {
            total += *w;
            *w = total;
        }
        let home = rng.random_range(0..PC4.len() - 2);
        let home_pc4 = [PC4[home], PC4[home + 1], PC4[home + 2]];
        let preferred = rng.random_range(0..FRAIL_CODES.len());
        let mut frail_code_weights = [0.15; 3];
        frail_code_weights[preferred] = 0.7;
        Ok(PracticeWriter {
            rng,
            practice_no,
            extract,
            extract_date: NaiveDate::from_num_days_from_ce_opt(extract).expect("extract date"),
            age_cumulative,
            home_pc4,
            frail_code_weights,
            patients: Table::create(dir, ExtractFile::Patients)?,
            episodes: Table::create(dir, ExtractFile::Episodes)?,
            medications: Table::create(dir, ExtractFile::Medications)?,
            determinants: Table::create(dir, ExtractFile::Determinants)?,
            programs: Table::create(dir, ExtractFile::Programs)?,
            bsns: HashSet::new(),
            id: String::with_capacity(16),
            active: Vec::with_capacity(32),
            conditions: Vec::with_capacity(32),
        })
    }

    /// Flushes all files; returns the number of data rows written.
    pub(crate) fn finish(self) -> anyhow::Result<u64> {
        Ok(self.patients.finish()?
            + self.episodes.finish()?
            + self.medications.finish()?
            + self.determinants.finish()?
            + self.programs.finish()?)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    /// A day in `lo..=hi`; `lo` when the range is empty.
    fn between(&mut self, lo: Day, hi: Day) -> Day {
        debug_assert!(lo <= hi, "{lo} > {hi}");
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn poisson(&mut self, mean: f64) -> u32 {
        let limit = (-mean).exp();
        let mut n = 0;
        let mut prod = self.rng.random::<f64>();
        while prod > limit && n < 50 {
            n += 1;
            prod *= self.rng.random::<f64>();
        }
        n
    }

    /// The earliest day of a window that reaches back `years` from the extract date, no
    /// earlier than `floor` and no later than `p.last`.
    fn window_start(&self, p: &Person, floor: Day, years: i32) -> Day {
        floor.max(self.extract - years * YEAR).max(p.birth).min(p.last)
    }

    /// Writes one patient and all their records.
    pub(crate) fn patient(&mut self, seq: u32) -> anyhow::Result<()> {
        self.id.clear();
        write!(self.id, "P{:04}-{:06}", self.practice_no, seq).expect("write to String");
        let p = self.person()?;
        self.active.clear();
        self.conditions.clear();

        let frail_start = self.frailty(&p)?;
        // Multimorbidity clusters: frail patients have more chronic conditions.
        let burden = if frail_start.is_some() {
            1.5
        } else if p.age < 55 {
            1.0
        } else {
            let u = self.rng.random::<f64>();
            if u < 0.3 {
                0.6
            } else if u < 0.75 {
                1.0
            } else {
                1.35
            }
        };
        self.chronic(&p, burden, frail_start.is_some())?;
        let insulin_start = self.insulin(&p)?;
        self.background(&p, burden)?;
        self.acute(&p)?;
        self.chain_care(&p, insulin_start)?;
        self.measurements(&p, frail_start)?;
        Ok(())
    }

    /// Draws the patient and writes their row to `patients.csv`.
    fn person(&mut self) -> anyhow::Result<Person> {
        let u = self.rng.random::<f64>() * self.age_cumulative[MAX_AGE];
        let drawn = self.age_cumulative.partition_point(|c| *c <= u).min(MAX_AGE) as u32;
        // Born in the year before the birthday that made them `drawn` years old.
        let e = self.extract_date;
        let upper = e
            .checked_sub_months(Months::new(12 * drawn))
            .map(day)
            .unwrap_or(self.extract);
        let lower = e
            .checked_sub_months(Months::new(12 * (drawn + 1)))
            .map(day)
            .unwrap_or(upper - YEAR)
            + 1;
        let birth = self.between(lower, upper);
        let age = age_on(NaiveDate::from_num_days_from_ce_opt(birth).expect("birth date"), e);
        let band = age_band(age);

        const FEMALE_SHARE: [f64; 6] = [0.49, 0.5, 0.5, 0.52, 0.57, 0.67];
        let x = self.chance(0.0005);
        let female = if x {
            self.chance(0.5)
        } else {
            self.chance(FEMALE_SHARE[band])
        };

        // Registration: since birth for most children, a recent move for some, otherwise
        // for a number of years.
        let start = if age == 0 || (age < 18 && self.chance(0.6)) {
            let d = birth + self.rng.random_range(0..=21);
            d.min(self.extract)
        } else if self.chance(0.05) {
            let lo = birth.max(self.extract - 2 * YEAR);
            self.between(lo, self.extract)
        } else {
            let lo = birth.max(self.extract - 45 * YEAR);
            let hi = (self.extract - 2 * YEAR).max(lo);
            self.between(lo, hi)
        };
        // Left the practice (moved, died) in the two years before the extract.
        let p_end = match age {
            ..=19 => 0.02,
            20..=39 => 0.045,
            40..=74 => 0.02,
            75..=79 => 0.05,
            80..=84 => 0.09,
            85..=89 => 0.17,
            _ => 0.3,
        };
        let end_lo = start.max(self.extract - 2 * YEAR);
        let end = if end_lo < self.extract && self.chance(p_end) {
            Some(self.between(end_lo, self.extract - 1))
        } else {
            None
        };
        let p = Person {
            birth,
            age,
            band,
            female,
            last: end.unwrap_or(self.extract),
            ended: end.is_some(),
        };
        let sex = if x {
            b"X"
        } else if female {
            b"V"
        } else {
            b"M"
        };
        self.write_patient(&p, sex, start, end)?;
        Ok(p)
    }

    /// The row of `patients.csv`. Names and BSN only from 70 on (data minimisation).
    fn write_patient(&mut self, p: &Person, sex: &[u8], start: Day, end: Option<Day>) -> anyhow::Result<()> {
        let (mut bsn, mut family, mut given) = (String::new(), String::new(), "");
        if p.age >= 70 {
            bsn = format!("{:09}", self.bsn());
            let own = self.pick(&FAMILY_NAMES);
            family = if p.female && self.chance(0.35) {
                // Married women often use their partner's name before their own.
                let partner = self.pick(&FAMILY_NAMES);
                format!("{partner}-{own}")
            } else {
                own.to_string()
            };
            given = if p.female {
                self.pick(&GIVEN_NAMES_F)
            } else {
                self.pick(&GIVEN_NAMES_M)
            };
        }
        let postal = self.postal_code();
        let postal: &[u8] = match &postal {
            Some(b) => b,
            None => b"",
        };
        let birth = date_bytes(p.birth);
        let start = date_bytes(start);
        let end = OptDate::new(end);
        self.patients.row(&[
            self.id.as_bytes(),
            bsn.as_bytes(),
            family.as_bytes(),
            given.as_bytes(),
            &birth,
            sex,
            &start,
            end.bytes(),
            postal,
        ])
    }

    /// A BSN that passes the elfproef, unique within the practice. All start with 999,
    /// like the test persons of the Dutch population register, so that they stand out as
    /// synthetic.
    fn bsn(&mut self) -> u32 {
        const WEIGHTS: [u32; 5] = [6, 5, 4, 3, 2];
        loop {
            let body = self.rng.random_range(0..100_000u32);
            let mut sum = 9 * 9 + 8 * 9 + 7 * 9;
            let mut rest = body;
            for w in WEIGHTS.iter().rev() {
                sum += w * (rest % 10);
                rest /= 10;
            }
            let check = sum % 11;
            if check == 10 {
                continue;
            }
            let bsn = 999_000_000 + body * 10 + check;
            if self.bsns.insert(bsn) {
                return bsn;
            }
        }
    }

    /// `1234AB`, mostly in the practice's own area; empty for one in a hundred.
    fn postal_code(&mut self) -> Option<[u8; 6]> {
        if self.chance(0.01) {
            return None;
        }
        let pc4 = if self.chance(0.85) {
            self.home_pc4[self.rng.random_range(0..self.home_pc4.len())]
        } else {
            self.pick(&PC4)
        };
        let first = self.pick(PC_LETTERS);
        let mut second = self.pick(PC_LETTERS);
        // SA, SD and SS are not used in Dutch postal codes.
        if first == b'S' && matches!(second, b'A' | b'D' | b'S') {
            second = b'T';
        }
        let digit = |n: u16| b'0' + (n % 10) as u8;
        Some([
            digit(pc4 / 1000),
            digit(pc4 / 100),
            digit(pc4 / 10),
            digit(pc4),
            first,
            second,
        ])
    }

    /// Frail-elder and advance-care-planning episodes; returns the start of the frail
    /// episode, if any.
    fn frailty(&mut self, p: &Person) -> anyhow::Result<Option<Day>> {
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

    fn chronic(&mut self, p: &Person, burden: f64, frail: bool) -> anyhow::Result<()> {
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
    fn insulin(&mut self, p: &Person) -> anyhow::Result<Option<Day>> {
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
    fn background(&mut self, p: &Person, burden: f64) -> anyhow::Result<()> {
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
    fn acute(&mut self, p: &Person) -> anyhow::Result<()> {
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

    fn open_condition(&self, index: usize) -> Option<Condition> {
        self.conditions
            .iter()
            .copied()
            .find(|c| c.index == index && c.end.is_none())
    }

    /// Enrolment in chain-care programs for chronic patients.
    fn chain_care(&mut self, p: &Person, insulin_start: Option<Day>) -> anyhow::Result<()> {
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

    /// Determinants: the Wlz care profile (2803) for some frail patients, weight-like
    /// measurements (1251) for diabetics and the elderly.
    fn measurements(&mut self, p: &Person, frail_start: Option<Day>) -> anyhow::Result<()> {
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

    fn episode(&mut self, icpc: &str, start: Day, end: Option<Day>, title: &str) -> anyhow::Result<()> {
        let start = date_bytes(start);
        let end = OptDate::new(end);
        self.episodes.row(&[
            self.id.as_bytes(),
            icpc.as_bytes(),
            &start,
            end.bytes(),
            title.as_bytes(),
        ])
    }

    fn medication(&mut self, atc: &str, start: Day, end: Option<Day>) -> anyhow::Result<()> {
        let start = date_bytes(start);
        let end = OptDate::new(end);
        self.medications
            .row(&[self.id.as_bytes(), atc.as_bytes(), &start, end.bytes()])
    }

    fn determinant(&mut self, labcode: &[u8], date: Day, value: &[u8]) -> anyhow::Result<()> {
        let date = date_bytes(date);
        self.determinants.row(&[self.id.as_bytes(), labcode, &date, value])
    }

    fn program(&mut self, program: &[u8], start: Day, end: Option<Day>) -> anyhow::Result<()> {
        let start = date_bytes(start);
        let end = OptDate::new(end);
        self.programs.row(&[self.id.as_bytes(), program, &start, end.bytes()])
    }
}
