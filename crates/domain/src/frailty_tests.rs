use chrono::NaiveDate;

use super::*;
use crate::figures::{Determinant, Episode, Medication, PatientFacts};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const ON: &str = "2026-06-30";

fn facts() -> PatientFacts {
    PatientFacts::new(d("1940-03-01"), d("1990-01-01"), None)
}

fn episode(f: &mut PatientFacts, icpc: &str, start: &str, end: Option<&str>) {
    f.episodes.push(Episode {
        icpc: icpc.into(),
        start: d(start),
        end: end.map(d),
    });
}

fn medicine(f: &mut PatientFacts, atc: &str) {
    f.medications.push(Medication {
        atc: atc.into(),
        start: d("2025-01-01"),
        end: None,
    });
}

/// How one deficit's example record shows it.
enum Shown {
    Icpc(&'static str),
    Atc(&'static str),
    Determinant(i64, &'static str),
    Medicines(usize),
}

/// One example per deficit of the default list, in list order: the record that shows it.
const EXAMPLES: [(&str, Shown); 36] = [
    ("activity", Shown::Icpc("A28")),
    ("anaemia", Shown::Atc("B03BA01")),
    ("arthritis", Shown::Icpc("L90")),
    ("atrial_fibrillation", Shown::Icpc("K78")),
    ("cerebrovascular", Shown::Icpc("K90")),
    ("ckd", Shown::Icpc("U99.01")),
    ("diabetes", Shown::Icpc("T90.02")),
    ("dizziness", Shown::Icpc("N17")),
    ("dyspnoea", Shown::Icpc("R02")),
    ("falls", Shown::Icpc("A80")),
    ("foot", Shown::Icpc("L17")),
    ("fracture", Shown::Icpc("L75")),
    ("hearing", Shown::Icpc("H86")),
    ("heart_failure", Shown::Icpc("K77")),
    ("valve", Shown::Icpc("K83")),
    ("housebound", Shown::Icpc("A28.02")),
    ("hypertension", Shown::Icpc("K86")),
    ("hypotension", Shown::Icpc("A06")),
    ("ihd", Shown::Icpc("K76")),
    ("memory", Shown::Atc("N06DA02")),
    ("mobility", Shown::Icpc("N29")),
    ("osteoporosis", Shown::Atc("M05BA04")),
    ("parkinsonism", Shown::Icpc("N87")),
    ("peptic_ulcer", Shown::Icpc("D85")),
    ("pvd", Shown::Icpc("K92")),
    ("polypharmacy", Shown::Medicines(5)),
    ("care_need", Shown::Determinant(2803, "352")),
    ("respiratory", Shown::Icpc("R95")),
    ("skin_ulcer", Shown::Icpc("S97")),
    ("sleep", Shown::Atc("N05CD08")),
    ("social", Shown::Icpc("Z15")),
    ("thyroid", Shown::Atc("H03AA01")),
    ("incontinence", Shown::Icpc("U04")),
    ("urinary", Shown::Icpc("U71")),
    ("vision", Shown::Icpc("F84")),
    ("weight_loss", Shown::Icpc("T08")),
];

fn record_showing(shown: &Shown) -> PatientFacts {
    let mut f = facts();
    match shown {
        Shown::Icpc(code) => episode(&mut f, code, "2026-03-01", None),
        Shown::Atc(code) => medicine(&mut f, code),
        Shown::Determinant(labcode, value) => f.determinants.push(Determinant {
            labcode: *labcode,
            date: d("2026-01-10"),
            value: value.to_string(),
        }),
        // Codes of no other deficit.
        Shown::Medicines(n) => (0..*n).for_each(|i| medicine(&mut f, &format!("V0{i}AA01"))),
    }
    f
}

#[test]
fn the_default_list_has_the_36_deficits_of_the_efi_with_a_version_and_sources() {
    let list = CodeList::default_list();
    assert_eq!(list.version, "kernteam-efi-v1");
    assert_eq!(list.deficits.len(), 36);
    let ids: Vec<&str> = list.deficits.iter().map(|d| d.id.as_str()).collect();
    let expected: Vec<&str> = EXAMPLES.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected);
    assert!(list.deficits.iter().all(|d| d.source.starts_with("eFI '")));
}

#[test]
fn each_deficit_is_found_from_its_codes_and_only_from_them() {
    let list = CodeList::default_list();
    let on = d(ON);
    for (i, (id, shown)) in EXAMPLES.iter().enumerate() {
        let index = list.index(&record_showing(shown), on);
        let found: Vec<&str> = index.present.iter().map(|&j| list.deficits[j].id.as_str()).collect();
        // A28.02 (housebound) is also a subcode of A28 (activity limitation).
        let expected: Vec<&str> = if *id == "housebound" {
            vec!["activity", "housebound"]
        } else {
            vec![*id]
        };
        assert_eq!(found, expected, "deficit {i} '{id}'");
    }
    assert!(list.index(&facts(), on).present.is_empty());
}

#[test]
fn a_deficit_needs_its_code_and_not_a_longer_or_other_one() {
    let list = CodeList::default_list();
    let on = d(ON);
    let mut f = facts();
    episode(&mut f, "K770", "2020-01-01", None);
    episode(&mut f, "K7", "2020-01-01", None);
    episode(&mut f, "U99", "2020-01-01", None); // CKD is U99.01 only
    assert!(list.index(&f, on).present.is_empty());
}

#[test]
fn diagnoses_count_ever_and_symptoms_only_within_their_window() {
    let list = CodeList::default_list();
    let on = d(ON);
    let ids = |f: &PatientFacts| -> Vec<String> {
        let i = list.index(f, on);
        i.present.iter().map(|&j| list.deficits[j].id.clone()).collect()
    };
    let mut f = facts();
    // Heart failure closed ten years ago still counts (ever recorded).
    episode(&mut f, "K77", "2010-01-01", Some("2016-01-01"));
    // A fall 13 months ago does not (12-month window); dizziness open since long does.
    episode(&mut f, "A80", "2025-05-01", Some("2025-05-20"));
    episode(&mut f, "N17", "2015-01-01", None);
    // An episode after the extract date does not count.
    episode(&mut f, "R02", "2026-07-02", None);
    assert_eq!(ids(&f), ["dizziness", "heart_failure"]);
    episode(&mut f, "A80", "2025-07-01", Some("2025-07-02"));
    assert_eq!(ids(&f), ["dizziness", "falls", "heart_failure"]);
}

#[test]
fn medicines_count_only_while_in_use_and_polypharmacy_needs_five_distinct() {
    let list = CodeList::default_list();
    let on = d(ON);
    let poly = list.deficits.iter().position(|d| d.id == "polypharmacy").unwrap();
    let mut f = facts();
    for atc in ["V01AA01", "V02AA01", "V03AA01", "V04AA01", "V04AA01"] {
        medicine(&mut f, atc);
    }
    assert!(!list.index(&f, on).present.contains(&poly), "four distinct");
    f.medications.push(Medication {
        atc: "V05AA01".into(),
        start: d("2020-01-01"),
        end: Some(d("2026-06-29")),
    });
    assert!(!list.index(&f, on).present.contains(&poly), "the fifth stopped");
    medicine(&mut f, "V06AA01");
    assert!(list.index(&f, on).present.contains(&poly));
}

#[test]
fn determinant_rules_test_the_latest_value() {
    let rule = DeterminantRule::parse("1234<24").unwrap();
    assert_eq!(rule.labcode, 1234);
    assert!(rule.test.holds("23,5"));
    assert!(!rule.test.holds("24"));
    assert!(!rule.test.holds("onbekend"));
    assert!(DeterminantRule::parse("1234>=5").unwrap().test.holds("5"));
    assert!(DeterminantRule::parse("1234=352").unwrap().test.holds(" 352 "));
    assert!(DeterminantRule::parse("x<3").is_err());
    assert!(DeterminantRule::parse("12~3").is_err());

    let text = "# version: test\nid;deficit;icpc;atc;atc_min;determinant;window_months;source\nmmse;Cognitie;;;;1234<24;;test\n";
    let list = CodeList::parse(text).unwrap();
    let mut f = facts();
    let det = |date: &str, value: &str| Determinant {
        labcode: 1234,
        date: d(date),
        value: value.into(),
    };
    f.determinants.push(det("2024-01-01", "20"));
    f.determinants.push(det("2025-01-01", "27"));
    assert_eq!(list.index(&f, d(ON)).count(), 0, "the latest value is 27");
    f.determinants.push(det("2026-01-01", "22"));
    assert_eq!(list.index(&f, d(ON)).count(), 1);
}

#[test]
fn bands_follow_the_efi_cut_offs() {
    let band = |n| Band::of(n, 36);
    assert_eq!(band(0), Band::Fit);
    assert_eq!(band(4), Band::Fit);
    assert_eq!(band(5), Band::Mild);
    assert_eq!(band(8), Band::Mild);
    assert_eq!(band(9), Band::Moderate);
    assert_eq!(band(12), Band::Moderate);
    assert_eq!(band(13), Band::Severe);
    assert_eq!(band(36), Band::Severe);
    // A shorter list of 18: the same shares of 36.
    assert_eq!(Band::of(2, 18), Band::Fit);
    assert_eq!(Band::of(3, 18), Band::Mild);
    assert_eq!(Band::of(7, 18), Band::Severe);
    for b in Band::ALL {
        assert_eq!(Band::from_code(b.code()), Some(b));
    }
}

#[test]
fn a_synthetic_patient_with_known_codes_gets_the_expected_index() {
    let list = CodeList::default_list();
    let on = d(ON);
    let mut f = facts();
    for (icpc, start) in [
        ("K86", "2005-01-01"),
        ("T90.02", "2010-01-01"),
        ("K77", "2019-01-01"),
        ("K78", "2019-02-01"),
        ("P70", "2024-01-01"),
        ("A80", "2026-02-01"),
        ("U04", "2022-01-01"),
        ("H86", "2018-01-01"),
    ] {
        episode(&mut f, icpc, start, None);
    }
    for atc in ["C09AA02", "C03CA01", "A10BA02", "B01AF02", "N06DA02", "C07AB02"] {
        medicine(&mut f, atc);
    }
    let index = list.index(&f, on);
    // hypertension, diabetes, heart failure, AF, memory, falls, incontinence, hearing,
    // polypharmacy (6 medicines).
    assert_eq!(index.count(), 9);
    assert_eq!(index.band(), Band::Moderate);
    assert!((index.score() - 0.25).abs() < 1e-9);
    assert_eq!(
        list.names(&index),
        [
            "Atriumfibrilleren",
            "Diabetes mellitus",
            "Vallen",
            "Slechthorendheid",
            "Hartfalen",
            "Hypertensie",
            "Geheugen- en cognitieve problemen",
            "Polyfarmacie",
            "Urine-incontinentie",
        ]
    );
}

#[test]
fn a_replacement_list_is_checked_line_by_line() {
    let head = "# version: regio-2027\nid;deficit;icpc;atc;atc_min;determinant;window_months;source\n";
    let ok = CodeList::parse(&format!("{head}falls;Vallen;A80, N80;;;;12;regio; eigen keuze\n")).unwrap();
    assert_eq!(ok.version, "regio-2027");
    assert_eq!(ok.deficits[0].icpc, ["A80", "N80"]);
    assert_eq!(ok.deficits[0].source, "regio; eigen keuze");
    let err = |body: &str| CodeList::parse(&format!("{head}{body}")).unwrap_err();
    assert!(err("x;X;A8;;;;;s\n").contains("regel 3"));
    assert!(err("x;X;;;;;;s\n").contains("geen enkele code"));
    assert!(err("x;X;A80;;;;;s\nx;Y;A80;;;;;s\n").contains("twee keer"));
    assert!(err("x;X;A80;;;;nul;s\n").contains("window_months"));
    assert!(err("x;X;;;;;\n").contains("velden"));
    assert!(
        CodeList::parse("id;deficit;icpc;atc;atc_min;determinant;window_months;source\nx;X;A80;;;;;s\n")
            .unwrap_err()
            .contains("version")
    );
    assert!(CodeList::parse("# version: a\nid;naam\n")
        .unwrap_err()
        .contains("kopregel"));
}
