//! Hostile extracts refused before or while reading: control characters in text, names
//! equal ignoring case, symbolic links, and sizes past the limits (zip bombs included).
//! Each refusal names its file; nothing is stored.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use kernteam_import::{check_files, check_files_within, import_extract, import_extract_within};
use kernteam_import::{ImportError, Limits};

mod common;
use common::{opts, today};

const PRACTICE: &[u8] = b"agb_code,name,extract_date\n01234567,Praktijk,2027-04-03\n";
const PATIENTS: &[u8] = b"patient_id,birth_date,registration_start\nP1,1940-01-01,1990-01-01\n";
const EPISODES: &[u8] = b"patient_id,icpc,start_date\nP1,A05,2020-01-01\n";

fn base() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("practice.csv", PRACTICE.to_vec()),
        ("patients.csv", PATIENTS.to_vec()),
        ("episodes.csv", EPISODES.to_vec()),
    ]
}

fn files(overrides: &[(&str, Vec<u8>)]) -> HashMap<String, Vec<u8>> {
    let mut m: HashMap<String, Vec<u8>> = base().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    for (k, v) in overrides {
        m.insert(k.to_string(), v.clone());
    }
    m
}

fn messages(f: HashMap<String, Vec<u8>>) -> Vec<String> {
    check_files(f, today()).iter().map(|e| e.to_string()).collect()
}

fn errors_of(result: Result<kernteam_import::ImportOutcome, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Invalid { errors, .. }) => errors.iter().map(|e| e.to_string()).collect(),
        Err(other) => panic!("expected located errors, got {other}"),
        Ok(_) => panic!("expected the import to be refused"),
    }
}

fn write_dir(dir: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for (name, data) in files {
        std::fs::write(dir.join(name), data).unwrap();
    }
    dir.to_path_buf()
}

fn write_zip(path: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
    path.to_path_buf()
}

#[test]
fn control_characters_in_text_fields_are_refused_with_their_place() {
    let nul = b"patient_id,family_name,birth_date,registration_start\nP1,Ja\0nsen,1940-01-01,1990-01-01\n".to_vec();
    assert_eq!(
        messages(files(&[("patients.csv", nul)])),
        ["patients.csv:2: family_name: bevat een stuurteken (U+0000) op positie 3; verwijder het uit het HIS-export"]
    );
    // A line break inside a quoted name, an escape sequence in a medication name.
    let cr = b"patient_id,given_name,birth_date,registration_start\nP1,\"An\rna\",1940-01-01,1990-01-01\n".to_vec();
    assert_eq!(
        messages(files(&[("patients.csv", cr)])),
        ["patients.csv:2: given_name: bevat een stuurteken (U+000D) op positie 3; verwijder het uit het HIS-export"]
    );
    let esc = b"patient_id,atc,start_date,name\nP1,C07AB02,2020-01-01,\x1b[2Jmetoprolol\n".to_vec();
    assert_eq!(
        messages(files(&[("medications.csv", esc)])),
        ["medications.csv:2: name: bevat een stuurteken (U+001B) op positie 1; verwijder het uit het HIS-export"]
    );
    let id = b"patient_id,birth_date,registration_start\nP\x001,1940-01-01,1990-01-01\n".to_vec();
    assert_eq!(
        messages(files(&[("patients.csv", id)]))[0],
        "patients.csv:2: patient_id: bevat een stuurteken (U+0000) op positie 2; verwijder het uit het HIS-export"
    );
    // Tabs stay; an episode title may span lines.
    let tab = b"patient_id,family_name,birth_date,registration_start\nP1,Jan\tsen,1940-01-01,1990-01-01\n".to_vec();
    let title = b"patient_id,icpc,start_date,title\nP1,A05,2020-01-01,\"regel 1\r\nregel 2\"\n".to_vec();
    assert!(messages(files(&[("patients.csv", tab), ("episodes.csv", title)])).is_empty());
}

#[test]
fn names_equal_ignoring_case_are_refused_in_memory() {
    let errors = messages(files(&[("PATIENTS.CSV", PATIENTS.to_vec())]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("verschillen alleen in hoofdletters"), "{errors:?}");
}

#[tokio::test]
async fn a_directory_or_zip_with_names_equal_ignoring_case_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut both = base();
    both.push((
        "PATIENTS.CSV",
        b"patient_id,birth_date,registration_start\nP9,1940-01-01,1990-01-01\n".to_vec(),
    ));
    let folder = write_dir(&dir.path().join("x"), &both);
    let zip = write_zip(&dir.path().join("x.zip"), &both);
    let t = kernteam_store::testing::sqlite().await;
    for path in [folder, zip] {
        let errors = errors_of(import_extract(&t.db, &path, &opts()).await);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("'patients.csv' en 'PATIENTS.CSV' verschillen alleen in hoofdletters")
                || errors[0].contains("'PATIENTS.CSV' en 'patients.csv' verschillen alleen in hoofdletters"),
            "{errors:?}"
        );
    }
    // Also in a zip's single folder, and for a name that appears twice.
    let nested: Vec<(&str, Vec<u8>)> = vec![
        ("e/practice.csv", PRACTICE.to_vec()),
        ("e/patients.csv", PATIENTS.to_vec()),
        ("e/Patients.csv", PATIENTS.to_vec()),
        ("e/episodes.csv", EPISODES.to_vec()),
    ];
    let zip = write_zip(&dir.path().join("nested.zip"), &nested);
    let errors = errors_of(import_extract(&t.db, &zip, &opts()).await);
    assert!(
        errors[0].starts_with("Patients.csv: ") || errors[0].starts_with("patients.csv: "),
        "{errors:?}"
    );
    assert!(t.db.snapshots().await.unwrap().is_empty());
    t.finish().await;
}

#[cfg(unix)]
#[tokio::test]
async fn symbolic_links_in_an_extract_directory_are_refused_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("elsewhere.csv");
    std::fs::write(&outside, PATIENTS).unwrap();
    let folder = write_dir(
        &dir.path().join("x"),
        &[("practice.csv", PRACTICE.to_vec()), ("episodes.csv", EPISODES.to_vec())],
    );
    std::os::unix::fs::symlink(&outside, folder.join("patients.csv")).unwrap();
    let t = kernteam_store::testing::sqlite().await;
    let errors = errors_of(import_extract(&t.db, &folder, &opts()).await);
    assert_eq!(
        errors,
        ["patients.csv: is een symbolische koppeling; die volgt de import niet: kopieer het bestand zelf in de map"]
    );
    // Any link, also under another name.
    std::fs::remove_file(folder.join("patients.csv")).unwrap();
    std::fs::write(folder.join("patients.csv"), PATIENTS).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", folder.join("notes.txt")).unwrap();
    let errors = errors_of(import_extract(&t.db, &folder, &opts()).await);
    assert!(
        errors[0].starts_with("notes.txt: is een symbolische koppeling"),
        "{errors:?}"
    );
    std::fs::remove_file(folder.join("notes.txt")).unwrap();
    import_extract(&t.db, &folder, &opts()).await.unwrap();
    t.finish().await;
}

/// `n` patient rows: about 30 bytes each, and very compressible.
fn many_patients(n: usize) -> Vec<u8> {
    let mut out = b"patient_id,birth_date,registration_start\n".to_vec();
    for i in 0..n {
        out.extend_from_slice(format!("P{i},1940-01-01,1990-01-01\n").as_bytes());
    }
    out
}

#[tokio::test]
async fn an_extract_over_the_size_limits_is_refused_by_its_declared_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = base();
    big[1].1 = many_patients(40_000); // about 1.1 MB
    let zip = write_zip(&dir.path().join("big.zip"), &big);
    let folder = write_dir(&dir.path().join("big"), &big);
    let t = kernteam_store::testing::sqlite().await;
    let limits = Limits {
        max_total_bytes: 1 << 20,
        ..Limits::default()
    };
    for path in [&zip, &folder] {
        let errors = errors_of(import_extract_within(&t.db, path, &opts(), &limits).await);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("episodes.csv: de bestanden van het extract zijn samen ")
                && errors[0].ends_with("bytes; maximaal 1048576 bytes (--max-bytes)"),
            "{errors:?}"
        );
    }
    let per_file = Limits {
        max_file_bytes: 100_000,
        ..Limits::default()
    };
    let errors = errors_of(import_extract_within(&t.db, &zip, &opts(), &per_file).await);
    assert!(errors[0].starts_with("patients.csv: is "), "{errors:?}");
    assert!(
        errors[0].ends_with("bytes groot; maximaal 100000 bytes per bestand"),
        "{errors:?}"
    );
    assert!(t.db.snapshots().await.unwrap().is_empty());
    // Within the default limits the same extract imports.
    let done = import_extract(&t.db, &zip, &opts()).await.unwrap();
    assert_eq!(done.summary.rows.patients, 40_000);
    t.finish().await;
}

#[test]
fn reading_stops_at_the_limit() {
    // Memory files are not checked up front: this is the cap while reading.
    let limits = Limits {
        max_total_bytes: 10_000,
        max_file_bytes: 5_000,
        max_ratio: 100,
    };
    let f = files(&[("patients.csv", many_patients(1_000))]);
    let errors: Vec<String> = check_files_within(f, today(), &limits)
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        errors,
        ["patients.csv: is groter dan 5000 bytes; maximaal zoveel per bestand"]
    );
    let limits = Limits {
        max_total_bytes: 200,
        ..limits
    };
    let episodes = b"patient_id,icpc,start_date\n".to_vec();
    let episodes = [episodes, b"P1,A05,2020-01-01\n".repeat(10)].concat();
    let f = files(&[("episodes.csv", episodes)]);
    let errors: Vec<String> = check_files_within(f, today(), &limits)
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        errors,
        ["episodes.csv: de bestanden van het extract zijn samen groter dan 200 bytes (--max-bytes); episodes.csv is niet helemaal gelezen"]
    );
    // Exactly at the limit is allowed.
    let exact = PRACTICE.len() + PATIENTS.len() + EPISODES.len();
    let limits = Limits::with_max_total(exact as u64);
    assert!(check_files_within(files(&[]), today(), &limits).is_empty());
}

/// Rewrites the declared uncompressed size of every entry named `name` (local header and
/// central directory) to `size`, as a forged zip would.
fn forge_size(bytes: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let mut i = 0;
    while i + 46 < bytes.len() {
        let sig = &bytes[i..i + 4];
        let (size_at, name_len_at, name_at) = match sig {
            [0x50, 0x4b, 0x03, 0x04] => (22, 26, 30),
            [0x50, 0x4b, 0x01, 0x02] => (24, 28, 46),
            _ => {
                i += 1;
                continue;
            }
        };
        let len = u16::from_le_bytes([bytes[i + name_len_at], bytes[i + name_len_at + 1]]) as usize;
        if bytes.get(i + name_at..i + name_at + len) == Some(name) {
            bytes[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
        }
        i += 4;
    }
}

#[tokio::test]
async fn a_zip_that_unpacks_past_its_declared_size_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = base();
    big[1].1 = many_patients(20_000);
    let path = write_zip(&dir.path().join("forged.zip"), &big);
    let mut bytes = std::fs::read(&path).unwrap();
    forge_size(&mut bytes, "patients.csv", 1_000);
    std::fs::write(&path, &bytes).unwrap();
    let t = kernteam_store::testing::sqlite().await;
    let errors = errors_of(import_extract(&t.db, &path, &opts()).await);
    assert_eq!(
        errors,
        ["patients.csv: bevat meer dan de 1000 bytes die het zip-bestand opgeeft; het zip-bestand is beschadigd of vervalst"]
    );
    assert!(t.db.snapshots().await.unwrap().is_empty());
    t.finish().await;
}

#[tokio::test]
async fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(false);
        for (name, data) in base() {
            zip.start_file(name, options).unwrap();
            zip.write_all(&data).unwrap();
        }
        zip.start_file("determinants.csv", options).unwrap();
        zip.write_all(b"patient_id,labcode,date,value\n").unwrap();
        let row = b"P1,2803,2020-01-01,352\n".repeat(10_000);
        for _ in 0..(80 << 20) / row.len() {
            zip.write_all(&row).unwrap();
        }
        zip.finish().unwrap();
    }
    let packed = std::fs::metadata(&path).unwrap().len();
    assert!(packed < 1 << 20, "{packed} bytes");
    let t = kernteam_store::testing::sqlite().await;
    let errors = errors_of(import_extract(&t.db, &path, &opts()).await);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("determinants.csv: pakt uit tot ") && errors[0].ends_with("zip-bom"),
        "{errors:?}"
    );
    assert!(t.db.snapshots().await.unwrap().is_empty());
    t.finish().await;
}
