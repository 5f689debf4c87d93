//! One practice's patients and their records, written row by row: only the current
//! patient is held in memory.
//!
//! This file draws the patient (`patients.csv`) and writes the rows; `conditions` draws
//! their episodes and medicines, `chain_care` their programs and `measurements` their
//! determinants.

mod chain_care;
mod conditions;
mod deficits;
mod measurements;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{Months, NaiveDate};
use kernteam_domain::dates::age_on;
use kernteam_domain::extract::ExtractFile;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::out::{date_bytes, day, Day, OptDate, Table};
use crate::products;
use crate::tables::{
    age_band, age_weights, FAMILY_NAMES, FRAIL_CODES, GIVEN_NAMES_F, GIVEN_NAMES_M, MAX_AGE, PC4, PC_LETTERS,
};

/// Days in a year, for offsets where a day more or less does not matter.
const YEAR: Day = 365;

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
    /// A stream of its own for the deficit codes (`deficits`), so that adding them left
    /// every other record as it was.
    deficit_rng: ChaCha8Rng,
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
        let mut deficit_rng = rng.clone();
        deficit_rng.set_stream(u64::from(practice_no) + 1);
        Ok(PracticeWriter {
            rng,
            deficit_rng,
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
        self.deficits(&p, frail_start.is_some())?;
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
        // Address and phone under the same rule as names: only from 70 on.
        let (address, city, phone) = if p.age >= 70 {
            products::contact(&self.id, postal)
        } else {
            Default::default()
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
            address.as_bytes(),
            city.as_bytes(),
            phone.as_bytes(),
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

    fn open_condition(&self, index: usize) -> Option<Condition> {
        self.conditions
            .iter()
            .copied()
            .find(|c| c.index == index && c.end.is_none())
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
        let (name, dosage) = products::medicine(&self.id, atc);
        self.medications.row(&[
            self.id.as_bytes(),
            atc.as_bytes(),
            &start,
            end.bytes(),
            name.as_bytes(),
            dosage.as_bytes(),
        ])
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
