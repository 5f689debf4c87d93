//! Generates small regions and reads them back: determinism, the spec's field rules and
//! the distributions.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use kernteam_domain::codes::{is_insulin, CodeSets};
use kernteam_domain::dates::{active_on, age_on};
use kernteam_domain::extract::{
    check_end_not_before_start, parse_agb_code, parse_atc, parse_bsn, parse_date, parse_icpc, parse_labcode,
    parse_patient_id, parse_postal_code, parse_program, parse_sex, parse_text, ExtractFile,
};
use kernteam_domain::figures::{Determinant, Enrolment, Episode, ExtractFigures, Medication, PatientFacts};
use kernteam_synth::{generate_region, GeneratedPractice, RegionOptions};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn options(practices: u32, patients: Option<u32>, seed: u64) -> RegionOptions {
    RegionOptions {
        practices,
        patients_per_practice: patients,
        seed,
        extract_date: date("2026-10-05"),
    }
}

fn generate(opts: &RegionOptions) -> (tempfile::TempDir, Vec<GeneratedPractice>) {
    let dir = tempfile::tempdir().unwrap();
    let mut calls = Vec::new();
    let practices = generate_region(opts, &dir.path().join("region"), &mut |done, total| {
        calls.push((done, total))
    })
    .unwrap();
    let expected: Vec<(u32, u32)> = (1..=opts.practices).map(|i| (i, opts.practices)).collect();
    assert_eq!(calls, expected);
    (dir, practices)
}

/// All rows of one file as maps from column name to value, with their line numbers.
struct Rows {
    file: &'static str,
    rows: Vec<HashMap<String, String>>,
}

impl Rows {
    fn read(dir: &Path, file: ExtractFile) -> Rows {
        let path = dir.join(file.file_name());
        let bytes = fs::read(&path).unwrap();
        assert!(!bytes.contains(&b'\r'), "{}: LF line ends only", path.display());
        assert!(bytes.ends_with(b"\n"), "{}: ends with a line end", path.display());
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes.as_slice());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let expected: Vec<&str> = file.columns().iter().map(|(name, _)| *name).collect();
        assert_eq!(headers, expected, "{}", path.display());
        let rows = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                headers.iter().cloned().zip(r.iter().map(str::to_string)).collect()
            })
            .collect();
        Rows {
            file: file.file_name(),
            rows,
        }
    }
}

fn get<'a>(row: &'a HashMap<String, String>, column: &str) -> &'a str {
    row.get(column).map(String::as_str).unwrap_or("")
}

fn opt_date(s: &str) -> Option<NaiveDate> {
    (!s.is_empty()).then(|| parse_date(s).unwrap())
}

/// Checks a start/end pair and returns it.
fn dated(file: &str, line: usize, row: &HashMap<String, String>, extract: NaiveDate) -> (NaiveDate, Option<NaiveDate>) {
    let start = parse_date(get(row, "start_date")).unwrap_or_else(|e| panic!("{file}:{line}: {e}"));
    let end = opt_date(get(row, "end_date"));
    assert!(start <= extract, "{file}:{line}: start after extract date");
    if let Some(end) = end {
        check_end_not_before_start(start, end).unwrap_or_else(|e| panic!("{file}:{line}: {e}"));
        assert!(end <= extract, "{file}:{line}: end after extract date");
    }
    (start, end)
}

/// Reads one extract folder back, checks every field against the spec and returns the
/// patients' facts.
fn read_extract(dir: &Path, extract: NaiveDate) -> HashMap<String, PatientFacts> {
    let practice = Rows::read(dir, ExtractFile::Practice);
    assert_eq!(practice.rows.len(), 1);
    let row = &practice.rows[0];
    let agb = parse_agb_code(get(row, "agb_code")).unwrap();
    parse_text(get(row, "name"), 1, 200).unwrap();
    assert_eq!(parse_date(get(row, "extract_date")).unwrap(), extract);
    assert_eq!(
        dir.file_name().unwrap().to_str().unwrap(),
        format!("extract-{agb}-{extract}")
    );

    let mut facts: HashMap<String, PatientFacts> = HashMap::new();
    let patients = Rows::read(dir, ExtractFile::Patients);
    let two_years_before = extract.checked_sub_months(chrono::Months::new(24)).unwrap();
    let mut bsns = HashSet::new();
    for (i, row) in patients.rows.iter().enumerate() {
        let line = i + 2;
        let f = patients.file;
        let id = parse_patient_id(get(row, "patient_id")).unwrap();
        let b = id.as_bytes();
        assert!(
            b.len() == 12
                && b[0] == b'P'
                && b[5] == b'-'
                && id[1..5].bytes().chain(id[6..].bytes()).all(|c| c.is_ascii_digit()),
            "{f}:{line}: id {id}"
        );
        let birth = parse_date(get(row, "birth_date")).unwrap();
        assert!(birth <= extract, "{f}:{line}: birth after extract date");
        let age = age_on(birth, extract);
        assert!((0..=102).contains(&age), "{f}:{line}: age {age}");
        let start = parse_date(get(row, "registration_start")).unwrap();
        assert!(
            start >= birth && start <= extract,
            "{f}:{line}: registration start {start}"
        );
        let end = opt_date(get(row, "registration_end"));
        if let Some(end) = end {
            check_end_not_before_start(start, end).unwrap();
            assert!(
                end >= two_years_before && end <= extract,
                "{f}:{line}: registration end {end}"
            );
        }
        parse_sex(get(row, "sex")).unwrap_or_else(|e| panic!("{f}:{line}: {e}"));
        let (bsn, family, given) = (get(row, "bsn"), get(row, "family_name"), get(row, "given_name"));
        if age >= 70 {
            parse_bsn(bsn).unwrap_or_else(|e| panic!("{f}:{line}: {e}"));
            assert!(bsns.insert(bsn.to_string()), "{f}:{line}: duplicate BSN");
            parse_text(family, 1, 200).unwrap();
            parse_text(given, 1, 200).unwrap();
            parse_text(get(row, "address"), 1, 200).unwrap();
            parse_text(get(row, "phone"), 1, 40).unwrap();
        } else {
            assert!(
                bsn.is_empty() && family.is_empty() && given.is_empty(),
                "{f}:{line}: names under 70"
            );
            assert!(
                get(row, "address").is_empty() && get(row, "city").is_empty() && get(row, "phone").is_empty(),
                "{f}:{line}: address under 70"
            );
        }
        let postal = get(row, "postal_code");
        if !postal.is_empty() {
            assert_eq!(
                parse_postal_code(postal).unwrap_or_else(|e| panic!("{f}:{line}: {e}")),
                postal
            );
        }
        assert!(
            facts.insert(id, PatientFacts::new(birth, start, end)).is_none(),
            "{f}:{line}: duplicate id"
        );
    }

    let episodes = Rows::read(dir, ExtractFile::Episodes);
    for (i, row) in episodes.rows.iter().enumerate() {
        let (f, line) = (episodes.file, i + 2);
        let icpc = get(row, "icpc");
        assert_eq!(
            parse_icpc(icpc).unwrap_or_else(|e| panic!("{f}:{line}: {e}")),
            icpc,
            "{f}:{line}: upper case"
        );
        let (start, end) = dated(f, line, row, extract);
        parse_text(get(row, "title"), 1, 200).unwrap();
        let p = facts
            .get_mut(get(row, "patient_id"))
            .unwrap_or_else(|| panic!("{f}:{line}: unknown patient"));
        assert!(start >= p.birth_date, "{f}:{line}: before birth");
        p.episodes.push(Episode {
            icpc: icpc.to_string(),
            start,
            end,
        });
    }

    let medications = Rows::read(dir, ExtractFile::Medications);
    for (i, row) in medications.rows.iter().enumerate() {
        let (f, line) = (medications.file, i + 2);
        assert!(
            !get(row, "name").is_empty() && !get(row, "dosage").is_empty(),
            "{f}:{line}: medicine without name or dosage"
        );
        let atc = parse_atc(get(row, "atc")).unwrap_or_else(|e| panic!("{f}:{line}: {e}"));
        let (start, end) = dated(f, line, row, extract);
        let p = facts
            .get_mut(get(row, "patient_id"))
            .unwrap_or_else(|| panic!("{f}:{line}: unknown patient"));
        assert!(start >= p.birth_date, "{f}:{line}: before birth");
        p.medications.push(Medication { atc, start, end });
    }

    let determinants = Rows::read(dir, ExtractFile::Determinants);
    for (i, row) in determinants.rows.iter().enumerate() {
        let (f, line) = (determinants.file, i + 2);
        let labcode = parse_labcode(get(row, "labcode")).unwrap_or_else(|e| panic!("{f}:{line}: {e}"));
        let day = parse_date(get(row, "date")).unwrap();
        assert!(day <= extract, "{f}:{line}: date after extract date");
        let value = get(row, "value");
        assert!(!value.is_empty(), "{f}:{line}: empty value");
        match labcode {
            2803 => assert!(("351"..="356").contains(&value), "{f}:{line}: Wlz value {value}"),
            _ => assert!(
                value.replace(',', ".").parse::<f64>().is_ok(),
                "{f}:{line}: number {value}"
            ),
        }
        let p = facts
            .get_mut(get(row, "patient_id"))
            .unwrap_or_else(|| panic!("{f}:{line}: unknown patient"));
        assert!(day >= p.birth_date, "{f}:{line}: before birth");
        p.determinants.push(Determinant {
            labcode,
            date: day,
            value: value.to_string(),
        });
    }

    let programs = Rows::read(dir, ExtractFile::Programs);
    for (i, row) in programs.rows.iter().enumerate() {
        let (f, line) = (programs.file, i + 2);
        let program = parse_program(get(row, "program")).unwrap_or_else(|e| panic!("{f}:{line}: {e}"));
        let (start, end) = dated(f, line, row, extract);
        let p = facts
            .get_mut(get(row, "patient_id"))
            .unwrap_or_else(|| panic!("{f}:{line}: unknown patient"));
        assert!(start >= p.birth_date, "{f}:{line}: before birth");
        p.programs.push(Enrolment { program, start, end });
    }
    facts
}

fn data_rows(dir: &Path) -> u64 {
    ExtractFile::ALL
        .iter()
        .map(|f| {
            fs::read(dir.join(f.file_name()))
                .unwrap()
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64
                - 1
        })
        .sum()
}

#[test]
fn same_options_give_identical_files() {
    let opts = options(3, None, 20_260_101);
    let (a, pa) = generate(&opts);
    let (b, pb) = generate(&opts);
    assert_eq!(pa.len(), 3);
    for (x, y) in pa.iter().zip(&pb) {
        assert_eq!(
            (&x.agb_code, &x.name, x.patients, x.rows),
            (&y.agb_code, &y.name, y.patients, y.rows)
        );
        assert!((2_500..=3_500).contains(&x.patients), "{}", x.patients);
        assert_eq!(
            x.dir.strip_prefix(a.path()).unwrap(),
            y.dir.strip_prefix(b.path()).unwrap()
        );
        for f in ExtractFile::ALL {
            let (fx, fy) = (
                fs::read(x.dir.join(f.file_name())).unwrap(),
                fs::read(y.dir.join(f.file_name())).unwrap(),
            );
            assert!(fx == fy, "{} differs", f.file_name());
        }
    }
    let agbs: HashSet<&str> = pa.iter().map(|p| p.agb_code.as_str()).collect();
    assert_eq!(agbs.len(), 3);

    // Practices do not depend on each other: the first practice of a larger region is
    // the same practice.
    let (c, pc) = generate(&options(1, None, 20_260_101));
    for f in ExtractFile::ALL {
        let name = f.file_name();
        assert_eq!(
            fs::read(pa[0].dir.join(name)).unwrap(),
            fs::read(pc[0].dir.join(name)).unwrap(),
            "{name}"
        );
    }
    drop(c);

    // Another seed, another region.
    let (_d, pd) = generate(&options(1, None, 7));
    assert_ne!(pd[0].agb_code, pa[0].agb_code);
    assert_ne!(
        fs::read(pd[0].dir.join("patients.csv")).unwrap(),
        fs::read(pa[0].dir.join("patients.csv")).unwrap()
    );
}

#[test]
fn every_row_follows_the_spec() {
    let opts = options(2, Some(1_500), 99);
    let (_dir, practices) = generate(&opts);
    for p in &practices {
        assert_eq!(p.patients, 1_500);
        assert_eq!(p.rows, data_rows(&p.dir), "{}", p.dir.display());
        let facts = read_extract(&p.dir, opts.extract_date);
        assert_eq!(facts.len(), 1_500);
        // Every file has data rows.
        assert!(facts.values().any(|f| !f.determinants.is_empty()));
        assert!(facts.values().any(|f| !f.programs.is_empty()));
    }
}

#[test]
fn existing_output_is_overwritten() {
    let opts = options(1, Some(200), 5);
    let dir = tempfile::tempdir().unwrap();
    let first = generate_region(&opts, dir.path(), &mut |_, _| {}).unwrap();
    let before = fs::read(first[0].dir.join("episodes.csv")).unwrap();
    let second = generate_region(&opts, dir.path(), &mut |_, _| {}).unwrap();
    assert_eq!(first, second);
    assert_eq!(before, fs::read(second[0].dir.join("episodes.csv")).unwrap());
}

fn share(part: u64, whole: u64) -> f64 {
    100.0 * part as f64 / whole as f64
}

#[test]
fn distributions_are_plausible() {
    let opts = options(4, Some(3_000), 5);
    let (_dir, practices) = generate(&opts);
    let r = opts.extract_date;
    let codes = CodeSets::default();
    let mut figures = Vec::new();
    let (mut total, mut ended, mut recent) = (0u64, 0u64, 0u64);
    let (mut diabetics, mut on_insulin) = (0u64, 0u64);
    let (mut old_registered, mut old_in_chain_care, mut old_medicines) = (0u64, 0u64, 0u64);
    let mut young_medicines = 0u64;
    let mut frail_with_wlz = 0u64;
    for p in &practices {
        let facts = read_extract(&p.dir, r);
        figures.push(ExtractFigures::compute(facts.values(), r, &codes));
        for f in facts.values() {
            total += 1;
            ended += u64::from(f.registration_end.is_some());
            recent += u64::from((r - f.registration_start).num_days() < 730);
            if !f.registered_on(r) {
                continue;
            }
            let dm = f
                .episodes
                .iter()
                .any(|e| e.icpc == "T90.02" && active_on(e.start, e.end, r));
            if dm {
                diabetics += 1;
                on_insulin += u64::from(
                    f.medications
                        .iter()
                        .any(|m| is_insulin(&m.atc) && active_on(m.start, m.end, r)),
                );
            }
            if f.age_on(r) >= 75 {
                old_registered += 1;
                old_in_chain_care += u64::from(f.enrolled_on(r, |_| true));
                old_medicines += f.active_medicines(r) as u64;
            } else {
                young_medicines += f.active_medicines(r) as u64;
            }
            if f.frail_on(r, &codes) && f.determinants.iter().any(|d| d.labcode == 2803) {
                frail_with_wlz += 1;
            }
        }
    }
    let t = ExtractFigures::sum(&figures);
    let summary = format!(
        "{t:?}\nended {ended} recent {recent} of {total}; insulin {on_insulin} of {diabetics} diabetics; \
         75+ in chain care {old_in_chain_care} of {old_registered}, medicines per 75+ {:.2}, per younger {:.2}; \
         frail with Wlz {frail_with_wlz}",
        old_medicines as f64 / old_registered as f64,
        young_medicines as f64 / (t.registered - old_registered) as f64,
    );
    println!("{summary}");

    let pct_75 = t.pct_75_plus.unwrap();
    assert!((8.0..=10.0).contains(&pct_75), "75+ {pct_75} %\n{summary}");
    let frail = share(t.frail_aged_75_plus, t.aged_75_plus);
    assert!((15.0..=25.0).contains(&frail), "frail {frail} % of 75+\n{summary}");
    let poly = share(t.polypharmacy_75_plus, t.aged_75_plus);
    assert!((35.0..=65.0).contains(&poly), "polypharmacy {poly} % of 75+\n{summary}");

    assert!(
        t.frail_registered > t.frail_aged_75_plus,
        "some frail under 75\n{summary}"
    );
    let acp = share(t.frail_with_acp, t.frail_registered);
    assert!((30.0..=50.0).contains(&acp), "ACP {acp} % of frail\n{summary}");
    let ended = share(ended, total);
    assert!((2.5..=5.0).contains(&ended), "ended registrations {ended} %\n{summary}");
    assert!(share(recent, total) >= 3.0, "recent registrations\n{summary}");
    let insulin = share(on_insulin, diabetics);
    assert!(
        (12.0..=23.0).contains(&insulin),
        "insulin {insulin} % of diabetics\n{summary}"
    );
    let chain = share(old_in_chain_care, old_registered);
    assert!((18.0..=32.0).contains(&chain), "chain care {chain} % of 75+\n{summary}");
    let wlz = share(frail_with_wlz, t.frail_registered);
    assert!((12.0..=30.0).contains(&wlz), "Wlz {wlz} % of frail\n{summary}");
    assert!(t.wlz_vv5_plus > 0 && t.insulin_transition > 0, "{summary}");
    assert!(t.frail_in_chain_care.dm > 0 && t.frail_in_chain_care.cvrm > 0 && t.frail_in_chain_care.copd_astma > 0);
}
