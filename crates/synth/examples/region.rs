//! Writes a synthetic region and reports how long it took.
//!
//! `cargo run --release -p kernteam-synth --example region -- OUT [PRACTICES] [PATIENTS] [SEED]`
//! (defaults: 334 practices of 3,000 patients, seed 1, extract date 2026-10-05).

use std::time::Instant;

use chrono::NaiveDate;
use kernteam_synth::{generate_region, RegionOptions};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        anyhow::bail!("usage: region OUT [PRACTICES] [PATIENTS] [SEED]");
    };
    let arg = |i: usize, default: u64| -> anyhow::Result<u64> {
        Ok(match args.get(i) {
            Some(s) => s.parse()?,
            None => default,
        })
    };
    let opts = RegionOptions {
        practices: u32::try_from(arg(1, 334)?)?,
        patients_per_practice: Some(u32::try_from(arg(2, 3_000)?)?),
        seed: arg(3, 1)?,
        extract_date: NaiveDate::from_ymd_opt(2026, 10, 5).expect("date"),
    };
    let started = Instant::now();
    let practices = generate_region(&opts, out.as_ref(), &mut |done, total| {
        if done % 50 == 0 || done == total {
            eprintln!("{done}/{total}");
        }
    })?;
    let patients: u64 = practices.iter().map(|p| p.patients).sum();
    let rows: u64 = practices.iter().map(|p| p.rows).sum();
    println!(
        "{} practices, {patients} patients, {rows} rows in {:.2} s",
        practices.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
