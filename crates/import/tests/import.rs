//! The import, end to end, on SQLite and PostgreSQL.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use kernteam_import::{import_extract, ImportError};
use kernteam_store::testing;
use kernteam_store::Db;

mod common;
use common::{example, opts};

const PRACTICE: &str = "agb_code,name,extract_date\n01234567,Huisartsenpraktijk De Linde,2027-04-03\n";
const PATIENTS: &str =
    "patient_id,bsn,family_name,given_name,birth_date,sex,registration_start,registration_end,postal_code\n\
P1,271134860,Jansen,Anna,1940-05-05,V,1990-01-01,,6211AB\n\
P2,,,,1980-01-01,M,2000-01-01,,\n";
const EPISODES: &str = "patient_id,icpc,start_date,end_date,title\nP1,a05,2024-01-10,,Kwetsbare oudere\n";

/// Writes an extract folder with the given files.
fn extract(dir: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(&path).unwrap();
    for (file, content) in files {
        std::fs::write(path.join(file), content).unwrap();
    }
    path
}

fn minimal(dir: &Path, name: &str) -> PathBuf {
    extract(
        dir,
        name,
        &[
            ("practice.csv", PRACTICE),
            ("patients.csv", PATIENTS),
            ("episodes.csv", EPISODES),
        ],
    )
}

/// Everything an import could change, as text, to compare before and after.
async fn dump(db: &Db) -> String {
    use kernteam_store::sqlx::Row;
    let mut out = String::new();
    for (table, order) in [
        ("practices", "agb_code, name"),
        ("snapshots", "practice_id, extract_date, patient_rows, episode_rows"),
        ("patients", "practice_id, his_id, bsn"),
        ("snapshot_records", "snapshot_id, bucket, LENGTH(data)"),
        ("snapshot_facts", "snapshot_id, format, LENGTH(data)"),
    ] {
        let rows = kernteam_store::sqlx::query(&format!("SELECT {order} FROM {table} ORDER BY {order}"))
            .fetch_all(db.pool())
            .await
            .unwrap();
        out.push_str(&format!("{table}: {}\n", rows.len()));
        for r in rows {
            let cols: Vec<String> = (0..r.len())
                .map(|i| {
                    r.try_get::<Option<String>, _>(i)
                        .map(|v| v.unwrap_or_default())
                        .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                        .unwrap()
                })
                .collect();
            out.push_str(&cols.join("|"));
            out.push('\n');
        }
    }
    out
}

fn errors_of(result: Result<kernteam_import::ImportOutcome, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Invalid { errors, .. }) => errors.iter().map(|e| e.to_string()).collect(),
        Err(other) => panic!("expected located errors, got {other}"),
        Ok(_) => panic!("expected the import to be refused"),
    }
}

#[tokio::test]
async fn the_example_imports_and_a_second_import_changes_nothing() {
    for t in testing::all().await {
        let db = &t.db;
        let first = import_extract(db, &example(), &opts()).await.unwrap();
        assert!(!first.summary.replaced);
        assert_eq!(first.summary.rows.patients, 131);
        assert_eq!(first.header.agb_code, "09000001");
        assert!(
            first.warnings.iter().any(|w| w.contains("'source'")),
            "{:?}",
            first.warnings
        );
        let before = dump(db).await;
        let second = import_extract(db, &example(), &opts()).await.unwrap();
        assert!(second.summary.replaced);
        let after = dump(db).await;
        // Same rows; only the snapshot id may differ.
        assert_eq!(before.lines().count(), after.lines().count(), "{:?}", t.backend());
        assert_eq!(db.snapshots().await.unwrap().len(), 1);
        // Everyone counts; the program's population (70+ or frail) is kept, with an identity.
        let kept = db.snapshot_people(second.summary.snapshot_id).await.unwrap().len();
        assert!(kept > 0 && kept < 131, "{kept}");
        assert!(after.contains(&format!("\npatients: {kept}\n")), "{after}");
        t.finish().await;
    }
}

#[tokio::test]
async fn a_bad_extract_is_refused_with_every_error_located_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let good = minimal(dir.path(), "good");
    let bad = extract(
        dir.path(),
        "bad",
        &[
            ("practice.csv", PRACTICE),
            (
                "patients.csv",
                "patient_id,bsn,birth_date,registration_start,registration_end,postal_code,sex\n\
                 P1,123456789,1940-05-05,1990-01-01,,6211AB,V\n\
                 P2,,1980-13-01,2000-01-01,1999-01-01,62AB,F\n\
                 P1,,1940-05-05,1990-01-01,,,\n\
                 P3,,2028-01-01,,,,\n",
            ),
            (
                "episodes.csv",
                "patient_id,icpc,start_date,end_date\nP9,A05,2024-01-01,\nP1,A5,2024-01-01,2023-01-01\n",
            ),
            ("medications.csv", "patient_id,atc,start_date\nP1,a10ae04,2020-01-01\n"),
            ("determinants.csv", "patient_id,labcode,date,value\nP1,0,2020-01-01,\n"),
            ("programs.csv", "patient_id,program,start_date\nP1,DM1,2020-01-01\n"),
        ],
    );
    for t in testing::all().await {
        let db = &t.db;
        import_extract(db, &good, &opts()).await.unwrap();
        let before = dump(db).await;
        // Same practice and date as `good`: a failed replacement must keep the old snapshot.
        let errors = errors_of(import_extract(db, &bad, &opts()).await);
        let expected = [
            "patients.csv:2: bsn: '123456789' voldoet niet aan de elfproef",
            "patients.csv:3: birth_date: '1980-13-01' is geen bestaande datum",
            "patients.csv:3: registration_end: 1999-01-01 ligt vóór de begindatum 2000-01-01",
            "patients.csv:3: postal_code: '62AB' is geen postcode zoals 1234AB of 1234 AB",
            "patients.csv:3: sex: 'F' is geen geslacht: gebruik M, V of X",
            "patients.csv:4: patient_id: patient_id 'P1' komt al eerder voor in patients.csv",
            "patients.csv:5: birth_date: 2028-01-01 ligt na de extractdatum 2027-04-03",
            "patients.csv:5: registration_start: verplicht veld is leeg",
            "episodes.csv:2: patient_id: patiënt 'P9' staat niet in patients.csv",
            "episodes.csv:3: icpc: 'A5' is geen ICPC-code (zoals A05, A49.01 of T90.02)",
            "episodes.csv:3: end_date: 2023-01-01 ligt vóór de begindatum 2024-01-01",
            "medications.csv:2: atc: 'a10ae04' is geen ATC-code (zoals A10AE04)",
            "determinants.csv:2: labcode: '0' is geen determinantnummer (een positief geheel getal)",
            "determinants.csv:2: value: verplicht veld is leeg",
            "programs.csv:2: program: 'DM1' is geen ketenzorgprogramma: gebruik DM2, DM2_VRM, CVRM, COPD of ASTMA",
        ];
        for e in expected {
            assert!(errors.iter().any(|x| x == e), "missing {e}\nin {errors:#?}");
        }
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        assert_eq!(before, dump(db).await, "the database changed on {:?}", t.backend());
        t.finish().await;
    }
}

#[tokio::test]
async fn missing_files_and_columns_and_duplicate_headers_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let no_episodes = extract(
        dir.path(),
        "a",
        &[("practice.csv", PRACTICE), ("patients.csv", PATIENTS)],
    );
    let bad_header = extract(
        dir.path(),
        "b",
        &[
            ("practice.csv", "agb_code,name\n01234567,X\n"),
            (
                "patients.csv",
                "patient_id,birth_date,Birth_Date,registration_start\nP1,1940-01-01,1940-01-01,1990-01-01\n",
            ),
            ("episodes.csv", EPISODES),
        ],
    );
    let two_practices = extract(
        dir.path(),
        "c",
        &[
            (
                "practice.csv",
                "agb_code,name,extract_date\n01234567,A,2027-01-01\n01234568,B,2027-01-01\n",
            ),
            ("patients.csv", PATIENTS),
            ("episodes.csv", EPISODES),
        ],
    );
    let t = testing::sqlite().await;
    assert_eq!(
        errors_of(import_extract(&t.db, &no_episodes, &opts()).await),
        ["episodes.csv: verplicht bestand ontbreekt"]
    );
    let errors = errors_of(import_extract(&t.db, &bad_header, &opts()).await);
    assert!(
        errors.contains(&"practice.csv:1: extract_date: verplichte kolom ontbreekt in de kopregel".to_string()),
        "{errors:?}"
    );
    assert!(
        errors.contains(&"patients.csv:1: birth_date: kolom komt meer dan eens voor in de kopregel".to_string()),
        "{errors:?}"
    );
    let errors = errors_of(import_extract(&t.db, &two_practices, &opts()).await);
    assert_eq!(
        errors,
        ["practice.csv:3: -: practice.csv heeft precies één gegevensregel; deze is er één te veel"]
    );
    assert!(matches!(
        import_extract(&t.db, &dir.path().join("nowhere"), &opts()).await,
        Err(ImportError::Source(_))
    ));
    assert!(t.db.snapshots().await.unwrap().is_empty());
    t.finish().await;
}

#[tokio::test]
async fn at_most_a_hundred_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut episodes = String::from("patient_id,icpc,start_date\n");
    for _ in 0..500 {
        episodes.push_str("P1,XX,2020-01-01\n");
    }
    let path = extract(
        dir.path(),
        "x",
        &[
            ("practice.csv", PRACTICE),
            ("patients.csv", PATIENTS),
            ("episodes.csv", &episodes),
        ],
    );
    let t = testing::sqlite().await;
    match import_extract(&t.db, &path, &opts()).await {
        Err(ImportError::Invalid { errors, truncated }) => {
            assert_eq!(errors.len(), 100);
            assert!(truncated);
            assert_eq!(
                errors[99].to_string(),
                "episodes.csv:101: icpc: 'XX' is geen ICPC-code (zoals A05, A49.01 of T90.02)"
            );
        }
        _ => panic!("expected refusal"),
    }
    t.finish().await;
}

#[tokio::test]
async fn spreadsheet_exports_with_semicolons_bom_crlf_and_quotes_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = extract(
        dir.path(),
        "excel",
        &[
            ("PRACTICE.CSV", "\u{feff}AGB_Code;Name;Extract_Date\r\n01234567;\"Praktijk \"\"De Linde\"\"; Heer\";2027-04-03\r\n"),
            (
                "patients.csv",
                "\u{feff}patient_id;family_name;birth_date;registration_start;postal_code\r\nP1;\"de Vries; Maria\";1940-05-05;1990-01-01;6221 CD\r\n",
            ),
            ("episodes.csv", "patient_id;icpc;start_date;title\r\nP1;A05.01;2024-01-01;\"twee\r\nregels\"\r\n"),
        ],
    );
    for t in testing::all().await {
        let done = import_extract(&t.db, &path, &opts()).await.unwrap();
        assert_eq!(done.header.practice_name, "Praktijk \"De Linde\"; Heer");
        assert_eq!(done.summary.rows.patients, 1);
        assert_eq!(done.summary.rows.episodes, 1);
        let facts = t.db.snapshot_facts(done.summary.snapshot_id).await.unwrap();
        assert_eq!(facts[0].episodes[0].icpc, "A05.01");
        t.finish().await;
    }
}

fn zip_dir(src: &Path, dest: &Path, folder: Option<&str>) {
    let file = std::fs::File::create(dest).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let name = match folder {
            Some(f) => format!("{f}/{name}"),
            None => name,
        };
        zip.start_file(name, options).unwrap();
        zip.write_all(&std::fs::read(entry.path()).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

#[tokio::test]
async fn zips_with_files_at_the_root_or_in_one_folder_import() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.zip");
    let nested = dir.path().join("nested.zip");
    zip_dir(&example(), &root, None);
    zip_dir(&example(), &nested, Some("extract-09000001-2027-07-04"));
    let not_zip = dir.path().join("junk.zip");
    std::fs::write(&not_zip, b"this is not a zip").unwrap();
    for t in testing::all().await {
        assert_eq!(
            import_extract(&t.db, &root, &opts())
                .await
                .unwrap()
                .summary
                .rows
                .episodes,
            224
        );
        let again = import_extract(&t.db, &nested, &opts()).await.unwrap();
        assert!(again.summary.replaced);
        assert!(matches!(
            import_extract(&t.db, &not_zip, &opts()).await,
            Err(ImportError::Source(_))
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn extracts_of_other_dates_are_kept_side_by_side_and_patients_keep_their_identity() {
    let dir = tempfile::tempdir().unwrap();
    let april = minimal(dir.path(), "april");
    let july = extract(
        dir.path(),
        "july",
        &[
            (
                "practice.csv",
                "agb_code,name,extract_date\n01234567,Huisartsenpraktijk De Linde,2027-07-02\n",
            ),
            ("patients.csv", PATIENTS),
            ("episodes.csv", EPISODES),
        ],
    );
    for t in testing::all().await {
        import_extract(&t.db, &april, &opts()).await.unwrap();
        import_extract(&t.db, &july, &opts()).await.unwrap();
        let snaps = t.db.snapshots().await.unwrap();
        assert_eq!(
            snaps.iter().map(|s| s.extract_date.to_string()).collect::<Vec<_>>(),
            ["2027-04-03", "2027-07-02"]
        );
        let patients: i64 = kernteam_store::sqlx::query_scalar("SELECT COUNT(*) FROM patients")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        // P2 (47, not frail) counts in the facts but has no record and no identity.
        assert_eq!(patients, 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn optional_address_and_medication_columns_are_validated_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let patients = "patient_id,birth_date,registration_start,address,city,phone\n\
P1,1940-05-05,1990-01-01,Markt 1,Maastricht,043-1234567\n\
P2,1980-01-01,2000-01-01,,,\n";
    let medications = "patient_id,atc,start_date,name,dosage\nP1,C07AB02,2020-01-01,Metoprolol 50 mg,1 dd 1 tablet\n";
    let practice = "agb_code,name,extract_date,address,city,phone\n\
01234567,Huisartsenpraktijk De Linde,2027-04-03,Lindelaan 1,Maastricht,043-7654321\n";
    let with = extract(
        dir.path(),
        "with",
        &[
            ("practice.csv", practice),
            ("patients.csv", patients),
            ("episodes.csv", EPISODES),
            ("medications.csv", medications),
        ],
    );
    let too_long = format!(
        "patient_id,birth_date,registration_start,address,city,phone\nP1,1940-05-05,1990-01-01,{},{},{}\n",
        "a".repeat(201),
        "c".repeat(101),
        "0".repeat(41)
    );
    let long_dosage = format!(
        "patient_id,atc,start_date,name,dosage\nP1,C07AB02,2020-01-01,{},{}\n",
        "n".repeat(201),
        "d".repeat(201)
    );
    let bad = extract(
        dir.path(),
        "bad",
        &[
            ("practice.csv", PRACTICE),
            ("patients.csv", &too_long),
            ("episodes.csv", EPISODES),
            ("medications.csv", &long_dosage),
        ],
    );
    for t in testing::all().await {
        let errors = errors_of(import_extract(&t.db, &bad, &opts()).await);
        assert_eq!(
            errors,
            [
                "patients.csv:2: address: is 201 tekens lang; maximaal 200",
                "patients.csv:2: city: is 101 tekens lang; maximaal 100",
                "patients.csv:2: phone: is 41 tekens lang; maximaal 40",
                "medications.csv:2: name: is 201 tekens lang; maximaal 200",
                "medications.csv:2: dosage: is 201 tekens lang; maximaal 200",
            ]
        );
        let done = import_extract(&t.db, &with, &opts()).await.unwrap();
        assert!(done.warnings.is_empty(), "{:?}", done.warnings);
        let people = t.db.snapshot_people(done.summary.snapshot_id).await.unwrap();
        assert_eq!(people.len(), 1, "P2, aged 47, is not kept");
        let p1 = &people[0];
        assert_eq!(
            (p1.address.as_deref(), p1.city.as_deref(), p1.phone.as_deref()),
            (Some("Markt 1"), Some("Maastricht"), Some("043-1234567"))
        );
        let practice_id = t.db.practice_by_agb("01234567").await.unwrap().unwrap().id;
        let contact = t.db.practice_contact(practice_id).await.unwrap();
        assert_eq!(
            (
                contact.address.as_deref(),
                contact.city.as_deref(),
                contact.phone.as_deref()
            ),
            (Some("Lindelaan 1"), Some("Maastricht"), Some("043-7654321"))
        );
        let his = t.db.his_record(done.summary.snapshot_id, "P1").await.unwrap();
        let med = &his.medications[0];
        assert_eq!(
            (med.text.as_deref(), med.dosage.as_deref()),
            (Some("Metoprolol 50 mg"), Some("1 dd 1 tablet"))
        );
        // An older extract without these columns stays valid and leaves them empty.
        let old = import_extract(&t.db, &example(), &opts()).await.unwrap();
        let people = t.db.snapshot_people(old.summary.snapshot_id).await.unwrap();
        assert!(!people.is_empty());
        assert!(people.iter().all(|p| p.address.is_none() && p.phone.is_none()));

        t.finish().await;
    }
}

/// The facts the import stores per snapshot (read by the reports) are exactly what the
/// snapshot's kept records say, patient by patient, on both backends, also after a
/// re-import; and exactly the program's population is kept.
#[tokio::test]
async fn stored_facts_equal_the_facts_read_from_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let region = kernteam_synth::generate_region(
        &kernteam_synth::RegionOptions {
            practices: 2,
            patients_per_practice: Some(400),
            seed: 11,
            extract_date: NaiveDate::from_ymd_opt(2027, 7, 4).unwrap(),
        },
        dir.path(),
        &mut |_, _| {},
    )
    .unwrap();
    for t in testing::all().await {
        let mut paths: Vec<PathBuf> = region.iter().map(|g| g.dir.clone()).collect();
        paths.push(example());
        paths.push(region[0].dir.clone());
        for path in &paths {
            let done = import_extract(&t.db, path, &opts()).await.unwrap();
            let id = done.summary.snapshot_id;
            let mut stored = t.db.snapshot_facts_keyed(id).await.unwrap();
            let mut rows = t.db.facts_from_records(id).await.unwrap();
            assert_eq!(stored.len() as u64, done.summary.rows.patients);
            // Everyone counts in the facts; the kept records are the program's population.
            let kept: std::collections::HashSet<String> = rows.iter().map(|(h, _)| h.clone()).collect();
            let on = done.header.extract_date;
            for (his, f) in &stored {
                let expected = kernteam_domain::figures::record_kept(
                    f.birth_date,
                    on,
                    f.episodes
                        .iter()
                        .any(|e| kernteam_domain::codes::CodeSets::default().frail.matches(&e.icpc)),
                    false,
                );
                assert_eq!(kept.contains(his), expected, "{his} in {}", path.display());
            }
            assert!(!kept.is_empty() && kept.len() < stored.len());
            stored.retain(|(h, _)| kept.contains(h));
            // Records come back by bucket; the facts are sets.
            for facts in [&mut stored, &mut rows] {
                facts.sort_by(|a, b| a.0.cmp(&b.0));
                for (_, f) in facts.iter_mut() {
                    f.episodes.sort_by_key(|e| format!("{e:?}"));
                    f.medications.sort_by_key(|e| format!("{e:?}"));
                    f.determinants.sort_by_key(|e| format!("{e:?}"));
                    f.programs.sort_by_key(|e| format!("{e:?}"));
                }
            }
            assert!(stored == rows, "{} on {:?}", path.display(), t.backend());
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn a_patient_given_an_identity_while_the_extract_is_read_gets_a_whole_record() {
    let dir = tempfile::tempdir().unwrap();
    let medications = "patient_id,atc,start_date,end_date\nP1,C09AA02,2020-01-01,\nP2,N02BE01,2021-01-01,\n";
    let path = extract(
        dir.path(),
        "april",
        &[
            ("practice.csv", PRACTICE),
            ("patients.csv", PATIENTS),
            ("episodes.csv", EPISODES),
            ("medications.csv", medications),
        ],
    );
    for t in testing::all().await {
        let db = &t.db;
        import_extract(db, &path, &opts()).await.unwrap();
        // Read (and planned: P2, 47 and not frail, is left out) …
        let prepared = kernteam_import::prepare_extract(db, &path, &opts(), &kernteam_import::Limits::default())
            .await
            .unwrap();
        // … when the practice gives P2 a lasting identity (a case found), before the write.
        let practice: i64 = kernteam_store::sqlx::query_scalar("SELECT id FROM practices WHERE agb_code = '01234567'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        kernteam_store::sqlx::query(
            "INSERT INTO patients (practice_id, his_id, created_at) VALUES ($1, 'P2', '2027-04-04T10:00:00Z')",
        )
        .bind(practice)
        .execute(db.pool())
        .await
        .unwrap();
        let done = prepared.commit().await.unwrap();
        let p2 = db.his_record(done.summary.snapshot_id, "P2").await.unwrap();
        assert_eq!(p2.medications.len(), 1, "{:?}", t.backend());
        assert_eq!(p2.medications[0].code, "N02BE01");
        let p1 = db.his_record(done.summary.snapshot_id, "P1").await.unwrap();
        assert_eq!(p1.medications.len(), 1);
        t.finish().await;
    }
}
