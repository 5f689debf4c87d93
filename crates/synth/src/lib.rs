//! Deterministic synthetic HIS extracts for a region of GP practices.
//!
//! [`generate_region`] writes one extract folder per practice in the format of
//! `extract-format.md`: `practice.csv`, `patients.csv`, `episodes.csv`,
//! `medications.csv`, `determinants.csv` and `programs.csv`. Every person is invented:
//! names are drawn from lists of common Dutch family and given names, BSNs are random
//! numbers in the `999…` range that pass the elfproef, and no record is copied from any
//! real source.
//!
//! The same options give byte-identical files. Each practice draws from its own
//! ChaCha8 stream (key from the seed, stream number from the practice index), so
//! practices are independent of each other and could be generated in parallel.
//!
//! The distributions are plausible for a Dutch practice (see the tables in `tables.rs`):
//! about 9 % of the registered population is 75 or older, about a fifth of them has an
//! open frail-elder episode, about half of them uses five or more medicines.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{Datelike, NaiveDate};
use kernteam_domain::extract::ExtractFile;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod out;
mod patient;
mod products;
mod tables;

use out::{date_bytes, day, Table};
use patient::PracticeWriter;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionOptions {
    pub practices: u32,
    /// Exactly this many patients per practice; None: each practice draws 2,500..=3,500.
    pub patients_per_practice: Option<u32>,
    pub seed: u64,
    pub extract_date: NaiveDate,
}

/// One extract folder that was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPractice {
    pub agb_code: String,
    pub name: String,
    pub dir: PathBuf,
    pub patients: u64,
    /// All data rows written, all files (header rows not counted).
    pub rows: u64,
}

/// The largest practice that can be generated: patient ids have six digits, and BSNs
/// must stay unique within a practice.
pub const MAX_PATIENTS_PER_PRACTICE: u32 = 200_000;

/// The largest region: AGB codes are `01` and six digits, unique within the region.
pub const MAX_PRACTICES: u32 = 1_000_000;

/// Writes one extract folder per practice under `out` (created if missing), named
/// `extract-<agb_code>-<extract_date>`; calls `progress(done_practices, total)` after each practice.
pub fn generate_region(
    opts: &RegionOptions,
    out: &Path,
    progress: &mut dyn FnMut(u32, u32),
) -> anyhow::Result<Vec<GeneratedPractice>> {
    if opts.practices > MAX_PRACTICES {
        bail!("at most {MAX_PRACTICES} practices per region, not {}", opts.practices);
    }
    if !(1900..=9999).contains(&opts.extract_date.year()) {
        bail!("extract date {} is out of range", opts.extract_date);
    }
    if let Some(n) = opts.patients_per_practice {
        if n > MAX_PATIENTS_PER_PRACTICE {
            bail!("at most {MAX_PATIENTS_PER_PRACTICE} patients per practice, not {n}");
        }
    }
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut done = Vec::with_capacity(opts.practices as usize);
    for index in 0..opts.practices {
        let practice = generate_practice(opts, index, out)?;
        done.push(practice);
        progress(index + 1, opts.practices);
    }
    Ok(done)
}

/// Writes the extract of the practice with this index (0-based). Depends only on the
/// options and the index.
fn generate_practice(opts: &RegionOptions, index: u32, out: &Path) -> anyhow::Result<GeneratedPractice> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(u64::from(index));

    let agb_code = agb_code(opts.seed, index);
    let name = practice_name(opts.seed, index);
    let extract = day(opts.extract_date);
    let dir = out.join(format!("extract-{agb_code}-{}", opts.extract_date.format("%Y-%m-%d")));
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let context = || format!("practice {agb_code} in {}", dir.display());

    let mut practice = Table::create(&dir, ExtractFile::Practice).with_context(context)?;
    let (address, city, phone) = products::practice_contact(&agb_code);
    practice
        .row(&[
            agb_code.as_bytes(),
            name.as_bytes(),
            &date_bytes(extract),
            address.as_bytes(),
            city.as_bytes(),
            phone.as_bytes(),
        ])
        .with_context(context)?;
    let mut rows = practice.finish().with_context(context)?;

    let patients = match opts.patients_per_practice {
        Some(n) => n,
        None => rng.random_range(2_500..=3_500),
    };
    let mut writer = PracticeWriter::new(rng, &dir, index + 1, extract).with_context(context)?;
    for seq in 1..=patients {
        writer.patient(seq).with_context(context)?;
    }
    rows += writer.finish().with_context(context)?;

    Ok(GeneratedPractice {
        agb_code,
        name,
        dir,
        patients: u64::from(patients),
        rows,
    })
}

/// SplitMix64: a quick, well-mixing hash of a 64-bit value.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `offset + step * index (mod modulus)` with `step` coprime to `modulus`, both from the
/// seed: a permutation of `0..modulus`, so distinct indices below `modulus` give distinct
/// results.
fn permute(seed: u64, salt: u64, index: u64, modulus: u64) -> u64 {
    let h = splitmix64(seed ^ salt);
    let offset = h % modulus;
    let mut step = splitmix64(h) % modulus;
    while gcd(step, modulus) != 1 {
        step = (step + 1) % modulus;
    }
    (offset + step * (index % modulus)) % modulus
}

/// `01` and six digits, unique within a region of up to [`MAX_PRACTICES`] practices.
fn agb_code(seed: u64, index: u32) -> String {
    let n = permute(seed, 0x4147_425F_434F_4445, u64::from(index), 1_000_000);
    format!("01{n:06}")
}

/// A practice name such as "Huisartsenpraktijk De Linde"; unique within the region (a
/// number is added once the combinations run out).
fn practice_name(seed: u64, index: u32) -> String {
    let suffixes = tables::PRACTICE_SUFFIXES.len() as u64;
    let combos = tables::PRACTICE_PREFIXES.len() as u64 * suffixes;
    let k = permute(seed, 0x4E41_4D45, u64::from(index), combos);
    let prefix = tables::PRACTICE_PREFIXES[(k / suffixes) as usize];
    let suffix = tables::PRACTICE_SUFFIXES[(k % suffixes) as usize];
    let round = u64::from(index) / combos;
    if round == 0 {
        format!("{prefix} {suffix}")
    } else {
        format!("{prefix} {suffix} {}", round + 1)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn agb_codes_are_eight_digits_and_unique() {
        for seed in [0, 1, 42, u64::MAX] {
            let codes: HashSet<String> = (0..5_000).map(|i| agb_code(seed, i)).collect();
            assert_eq!(codes.len(), 5_000);
            for c in &codes {
                assert!(c.starts_with("01"));
                assert!(kernteam_domain::extract::parse_agb_code(c).is_ok(), "{c}");
            }
        }
        assert_ne!(agb_code(1, 0), agb_code(2, 0));
    }

    #[test]
    fn practice_names_are_unique() {
        let names: HashSet<String> = (0..1_000).map(|i| practice_name(7, i)).collect();
        assert_eq!(names.len(), 1_000);
        assert!(names.iter().all(|n| n.chars().count() <= 200));
    }

    #[test]
    fn too_large_options_are_refused() {
        let opts = RegionOptions {
            practices: 1,
            patients_per_practice: Some(MAX_PATIENTS_PER_PRACTICE + 1),
            seed: 1,
            extract_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        let dir = tempfile::tempdir().unwrap();
        assert!(generate_region(&opts, dir.path(), &mut |_, _| {}).is_err());
    }
}
