//! Hostile and broken extracts: each gives a clear, located error and never a panic.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;
use kernteam_import::{check_files, import_extract, ImportError, ImportOptions};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 8, 1).unwrap()
}

const PRACTICE: &[u8] = b"agb_code,name,extract_date\n01234567,Praktijk,2027-04-03\n";
const PATIENTS: &[u8] = b"patient_id,birth_date,registration_start\nP1,1940-01-01,1990-01-01\n";
const EPISODES: &[u8] = b"patient_id,icpc,start_date\nP1,A05,2020-01-01\n";

fn files(overrides: &[(&str, Vec<u8>)]) -> HashMap<String, Vec<u8>> {
    let mut m: HashMap<String, Vec<u8>> = [
        ("practice.csv", PRACTICE.to_vec()),
        ("patients.csv", PATIENTS.to_vec()),
        ("episodes.csv", EPISODES.to_vec()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in overrides {
        m.insert(k.to_string(), v.clone());
    }
    m
}

fn messages(f: HashMap<String, Vec<u8>>) -> Vec<String> {
    check_files(f, today()).iter().map(|e| e.to_string()).collect()
}

#[test]
fn a_valid_extract_has_no_errors() {
    assert!(messages(files(&[])).is_empty());
}

#[test]
fn a_line_of_many_megabytes_is_refused_without_reading_it_all() {
    let mut patients = PATIENTS.to_vec();
    patients.extend(std::iter::repeat_n(b'x', 5 << 20));
    patients.push(b'\n');
    let errors = messages(files(&[("patients.csv", patients)]));
    assert_eq!(errors, ["patients.csv:3: -: onleesbaar: regel is langer dan 1 MiB"]);
}

/// Spreadsheets on Windows end lines with CRLF and leave empty lines: an error still
/// names the physical line its record starts on, as an editor shows it.
#[test]
fn errors_name_the_physical_line_after_crlf_and_empty_lines() {
    let patients = b"patient_id,birth_date,registration_start\r\nP1,1940-01-01,1990-01-01\r\n\r\nP2,1940-13-01,1990-01-01\r\n\nP3,\"1940-01-01\",1990-02-30\r\n".to_vec();
    let errors = messages(files(&[("patients.csv", patients)]));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("patients.csv:4: birth_date: "), "{errors:?}");
    assert!(
        errors[1].starts_with("patients.csv:6: registration_start: "),
        "{errors:?}"
    );
}

#[test]
fn wrong_encodings_are_named() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("patient_id".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    assert_eq!(
        messages(files(&[("patients.csv", utf16)])),
        ["patients.csv:1: -: het bestand is UTF-16; sla het op als UTF-8 (CSV UTF-8)"]
    );
    // Latin-1 "Müller": the byte 0xFC is not UTF-8.
    let latin1 = b"patient_id,family_name,birth_date,registration_start\nP1,M\xFCller,1940-01-01,1990-01-01\n".to_vec();
    assert_eq!(
        messages(files(&[("patients.csv", latin1)])),
        ["patients.csv:2: family_name: geen geldige UTF-8-tekst"]
    );
}

#[test]
fn duplicate_headers_missing_files_and_empty_files() {
    let dup = b"patient_id,PATIENT_ID,birth_date,registration_start\nP1,P1,1940-01-01,1990-01-01\n".to_vec();
    assert_eq!(
        messages(files(&[("patients.csv", dup)])),
        ["patients.csv:1: patient_id: kolom komt meer dan eens voor in de kopregel"]
    );
    let mut missing = files(&[]);
    missing.remove("patients.csv");
    let errors = messages(missing);
    assert_eq!(errors[0], "patients.csv: verplicht bestand ontbreekt");
    assert_eq!(
        messages(files(&[("episodes.csv", Vec::new())])),
        ["episodes.csv:1: -: het bestand is leeg: de kopregel ontbreekt"]
    );
}

#[tokio::test]
async fn a_corrupt_zip_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    // A real zip whose compressed data is damaged after the header.
    let path = dir.path().join("extract.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in [
            ("practice.csv", PRACTICE),
            ("patients.csv", PATIENTS),
            ("episodes.csv", EPISODES),
        ] {
            zip.start_file(name, options).unwrap();
            zip.write_all(&data.repeat(200)).unwrap();
        }
        zip.finish().unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().skip(60).take(40) {
        *b ^= 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let t = kernteam_store::testing::sqlite().await;
    let opts = ImportOptions {
        today: today(),
        progress: false,
    };
    match import_extract(&t.db, &path, &opts).await {
        Err(ImportError::Invalid { errors, .. }) => assert!(!errors.is_empty()),
        Err(ImportError::Source(m)) => assert!(m.contains("zip"), "{m}"),
        other => panic!("a corrupt zip must be refused, got {:?}", other.map(|o| o.summary.rows)),
    }
    let truncated = dir.path().join("truncated.zip");
    std::fs::write(&truncated, &std::fs::read(&path).unwrap()[..100]).unwrap();
    assert!(matches!(
        import_extract(&t.db, &truncated, &opts).await,
        Err(ImportError::Source(_))
    ));
    assert!(t.db.snapshots().await.unwrap().is_empty());
    t.finish().await;
}

/// CSV-ish text: the spec's column names, separators, quotes, dates and noise.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"patient_id".to_vec()),
        Just(b"birth_date".to_vec()),
        Just(b"registration_start".to_vec()),
        Just(b"icpc".to_vec()),
        Just(b"start_date".to_vec()),
        Just(b"P1".to_vec()),
        Just(b"A05".to_vec()),
        Just(b"2020-02-29".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just("é".as_bytes().to_vec()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(token, 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn reading_any_csv_never_panics(patients in csvish(), episodes in csvish(), practice in csvish()) {
        let errors = check_files(files(&[("patients.csv", patients), ("episodes.csv", episodes), ("practice.csv", practice)]), today());
        prop_assert!(errors.len() <= kernteam_import::MAX_ERRORS);
        for e in errors {
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn random_bytes_are_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = check_files(files(&[("patients.csv", bytes.clone())]), today());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.zip");
        std::fs::write(&path, &bytes).unwrap();
        let _ = kernteam_import::source::ExtractSource::open(&path, &kernteam_import::Limits::default());
    }
}
