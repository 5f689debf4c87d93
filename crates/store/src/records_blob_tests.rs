use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A patient born on `birth` (also for the snapshot builder's tests).
pub(crate) fn patient<'a>(his_id: &'a str, birth: &str) -> lines::Patient<'a> {
    lines::Patient {
        his_id,
        bsn: Some("111222333"),
        family_name: Some("Maas"),
        given_name: None,
        birth_date: d(birth),
        sex: Some("V"),
        registration_start: d("1990-01-01"),
        registration_end: Some(d("2027-01-01")),
        postal_code: None,
        address: Some("Kerkstraat 1"),
        city: Some("Maastricht"),
        phone: Some(""),
    }
}

fn set(ids: &[&str]) -> HashSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// The four patients' records, planned with `plan` (the HIS ids known beforehand)
/// or not, finished with `known`.
fn building(plan: Option<&[&str]>, known: &[&str]) -> StoreResult<Records> {
    let mut b = RecordsBuilder::default();
    if let Some(plan) = plan {
        b.plan(d("2027-07-04"), set(plan));
    }
    b.patient(&patient("OLD", "1940-02-29"));
    b.patient(&patient("YOUNG", "1990-05-05"));
    b.patient(&patient("FRAIL", "1980-05-05"));
    b.patient(&patient("KNOWN", "2000-01-01"));
    let (old, frail) = (0, 2);
    b.episode(
        frail,
        &lines::Episode {
            icpc: "A05.01",
            start: d("2021-01-01"),
            end: Some(d("2022-01-01")),
            title: None,
        },
    );
    b.episode(
        old,
        &lines::Episode {
            icpc: "K86",
            start: d("2020-01-01"),
            end: None,
            title: Some("Hypertensie"),
        },
    );
    b.medication(
        1,
        &lines::Medication {
            atc: "N02BE01",
            start: d("2019-03-03"),
            end: None,
            name: Some("paracetamol"),
            dosage: None,
        },
    );
    b.medication(
        old,
        &lines::Medication {
            atc: "C09AA02",
            start: d("2019-03-03"),
            end: None,
            name: Some("enalapril"),
            dosage: Some("1 dd 1"),
        },
    );
    b.determinant(
        old,
        &lines::Determinant {
            labcode: 2803,
            date: d("2026-01-01"),
            value: " 353 ",
        },
    );
    b.program(
        old,
        &lines::Program {
            program: ChainProgram::Astma,
            start: d("2018-01-01"),
            end: None,
        },
    );
    b.episode(
        9,
        &lines::Episode {
            icpc: "A05",
            start: d("2021-01-01"),
            end: None,
            title: None,
        },
    );
    b.finish(d("2027-07-04"), &set(known))
}

fn built(known: &[&str]) -> Records {
    building(None, known).unwrap()
}

#[test]
fn a_plan_leaves_out_only_what_is_not_kept() {
    let unplanned = built(&["KNOWN"]);
    let planned = building(Some(&["KNOWN"]), &["KNOWN"]).unwrap();
    assert_eq!(planned.kept, unplanned.kept);
    assert_eq!(planned.rows, unplanned.rows);
    // A patient given an identity after the plan was made: their lines may be missing.
    let late = building(Some(&[]), &["KNOWN"]);
    assert!(matches!(late, Err(StoreError::Changed(_))), "{:?}", late.err());
    // A plan that knew more than is known now does no harm.
    let more = building(Some(&["KNOWN", "YOUNG"]), &["KNOWN"]).unwrap();
    assert_eq!(more.kept, unplanned.kept);
    assert_eq!(more.rows, unplanned.rows);
}

fn all(r: &Records) -> Vec<StoredRecord> {
    r.rows.iter().flat_map(|(_, v)| decode(v, true).unwrap()).collect()
}

#[test]
fn kept_records_come_back_as_they_went_in() {
    let r = built(&["KNOWN"]);
    let kept: Vec<&str> = r.kept.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(kept, ["OLD", "FRAIL", "KNOWN"], "the young stranger is not kept");
    assert_eq!(r.buckets, 1);
    let back = all(&r);
    let old = back.iter().find(|s| s.person.his_id == "OLD").unwrap();
    assert_eq!(old.person.birth_date, d("1940-02-29"));
    assert_eq!(old.person.given_name, None);
    assert_eq!(old.person.phone.as_deref(), Some(""), "empty is not none");
    assert_eq!(old.his.episodes[0].text.as_deref(), Some("Hypertensie"));
    assert_eq!(old.his.medications[0].dosage.as_deref(), Some("1 dd 1"));
    assert_eq!(old.his.determinants[0].value, " 353 ");
    assert_eq!(old.his.programs[0].code, ChainProgram::Astma.code());
    let f = old.facts();
    assert_eq!(f.medications[0].atc, "C09AA02");
    assert_eq!(f.programs[0].program, ChainProgram::Astma);
    let frail = find(&r.rows[0].1, "FRAIL").unwrap().unwrap();
    assert_eq!(frail.his.episodes[0].end, Some(d("2022-01-01")));
    assert!(find(&r.rows[0].1, "YOUNG").unwrap().is_none());
    let listed = decode(&r.rows[0].1, false).unwrap();
    assert!(listed.iter().all(|s| s.his == HisRecord::default()));
    // `find` reads past the others as `decode` reads them: each patient, wherever in the
    // bucket, comes back whole.
    for s in &back {
        assert_eq!(find(&r.rows[0].1, &s.person.his_id).unwrap().as_ref(), Some(s));
    }
}

#[test]
fn values_are_written_packed_and_unpacked_ones_still_read() {
    let r = built(&["KNOWN"]);
    let packed = &r.rows[0].1;
    assert!(packed.starts_with(PACKED));
    let plain = crate::compact::unpack(PACKED, packed, COLUMN).unwrap();
    assert!(plain.starts_with(MAGIC), "format 1 inside");
    assert_eq!(decode(&plain, true).unwrap(), decode(packed, true).unwrap());
    assert_eq!(find(&plain, "FRAIL").unwrap(), find(packed, "FRAIL").unwrap());
    // A length that no LZ4 block of these bytes could unpack to is refused unallocated.
    let mut huge = PACKED.to_vec();
    crate::compact::put(&mut huge, u64::MAX >> 1);
    huge.extend_from_slice(&packed[huge.len()..]);
    assert!(decode(&huge, true).is_err());
    // The repeated texts of many patients take a fraction of their bytes.
    let mut b = RecordsBuilder::default();
    for i in 0..200 {
        b.patient(&patient(&format!("P{i}"), "1940-01-01"));
    }
    let r = b.finish(d("2027-07-04"), &HashSet::new()).unwrap();
    let (packed, plain): (usize, usize) = (r.rows.iter())
        .map(|(_, v)| (v.len(), crate::compact::unpack(PACKED, v, COLUMN).unwrap().len()))
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
    assert!(packed * 3 < plain * 2, "{packed} of {plain} bytes");
}

#[test]
fn each_patient_is_in_the_bucket_of_their_hash() {
    let mut b = RecordsBuilder::default();
    for i in 0..1000 {
        let id = format!("P{i}");
        b.patient(&patient(&id, "1940-01-01"));
    }
    let r = b.finish(d("2027-07-04"), &HashSet::new()).unwrap();
    assert_eq!(r.buckets, 32);
    for (bucket, value) in &r.rows {
        for s in decode(value, false).unwrap() {
            assert_eq!(his_hash(&s.person.his_id) % r.buckets, *bucket);
        }
    }
    assert_eq!(
        r.rows
            .iter()
            .map(|(_, v)| decode(v, false).unwrap().len())
            .sum::<usize>(),
        1000
    );
    // FNV-1a's published value for "a": the hash must never change.
    assert_eq!(his_hash("a"), 0xe40c_292c);
}

#[test]
fn a_damaged_value_is_refused_not_misread() {
    let r = built(&[]);
    let data = &r.rows[0].1;
    for cut in 0..data.len() {
        assert!(decode(&data[..cut], true).is_err(), "cut at {cut}");
    }
    let mut longer = data.clone();
    longer.push(0);
    assert!(decode(&longer, true).is_err());
}
