//! Worklists over HTTP (page and API), on SQLite and PostgreSQL: every patient shown is in
//! the audit log (their own access trail too), and a worklist of hundreds of included
//! patients is built in batches.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Local, Utc};
use common::{audit_rows, seed, yesterday, Client, World, PASSWORD};
use kernteam_domain::access::Role;
use kernteam_domain::care::DecisionKind;
use kernteam_store::care::NewDecision;
use kernteam_store::people::NewUser;
use kernteam_store::testing;
use serde_json::json;

async fn include(w: &World, patient: i64) {
    kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_decision(
        patient,
        &NewDecision {
            kind: DecisionKind::Inclusion,
            decided_on: yesterday().parse().unwrap(),
            deciding_gp: Some("Dr. Jekerdal".into()),
            reason: None,
            considerations: None,
        },
        w.poh_a,
    ))
    .unwrap();
}

/// The patients the user's worklist records name, in order.
async fn shown(w: &World, user: i64) -> Vec<i64> {
    audit_rows(&w.db, user)
        .await
        .into_iter()
        .filter(|(_, a)| a == "werklijst bekeken")
        .filter_map(|(p, _)| p)
        .collect()
}

#[tokio::test]
async fn every_patient_a_worklist_shows_is_in_the_audit_log() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.a1).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;

        // a1 is included (and has work); a2 is not on the list.
        let r = poh.get("/werklijst").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains(&format!("/patienten/{}", w.a1)));
        assert_eq!(shown(&w, w.poh_a).await, [w.a1], "the page names a1, not a2");
        let trail = w.db.audit_for_patient(w.a1).await.unwrap();
        assert!(
            trail
                .iter()
                .any(|r| r.action == "werklijst bekeken" && r.username == "poh-a"),
            "a1's own access trail shows the worklist"
        );
        let r = poh.get("/api/v1/worklist").await;
        assert_eq!(r.json()["patients"][0]["id"], w.a1);
        assert_eq!(shown(&w, w.poh_a).await, [w.a1, w.a1], "the API too");

        // One group without a1's work, and "only mine": a1 is counted but not shown.
        let r = poh.get("/werklijst?soort=overdracht").await;
        assert!(!r.text().contains(&format!("/patienten/{}\"", w.a1)));
        let r = poh.get("/api/v1/worklist?mine=true").await;
        assert_eq!(r.json()["patients"], json!([]));
        assert_eq!(shown(&w, w.poh_a).await, [w.a1, w.a1]);
        let summaries = audit_rows(&w.db, w.poh_a)
            .await
            .iter()
            .filter(|(p, a)| p.is_none() && a == "werklijst bekeken")
            .count();
        assert_eq!(summaries, 4, "one record of each list as a whole");

        // The district nurse on a1's care team sees her own tasks only: none yet, then the
        // action of a1's plan assigned to her (not the practice's work for a1).
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        let r = nurse.get("/api/v1/worklist").await.json();
        assert_eq!(
            (r["view"].clone(), r["patients"].clone()),
            (json!("my_tasks"), json!([]))
        );
        let plan = json!({ "actions": [
            { "what": "Wondzorg", "who": "", "member": w.a1_wvk_member, "due": yesterday(), "status": "gepland" },
            { "what": "Huisbezoek POH-O", "who": "POH-O", "status": "gepland" },
        ]});
        kernteam_store::audited!(w.db, testing::entry(), |ch| ch.save_care_plan(
            w.a1,
            1,
            &plan.to_string(),
            "Acties",
            w.poh_a,
            "Petra Poh"
        ))
        .unwrap();
        let r = nurse.get("/api/v1/worklist").await.json();
        assert_eq!(r["patients"][0]["id"], w.a1);
        let items = r["patients"][0]["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["what"], "Wondzorg");
        assert_eq!(items[0]["urgent"], true);
        assert_eq!(shown(&w, w.wvk_team).await, [w.a1]);
        let regional = Client::sign_in(&w.app, "regio").await;
        assert_eq!(regional.get("/api/v1/worklist").await.status, StatusCode::FORBIDDEN);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_worklist_of_hundreds_of_included_patients_is_built_in_batches() {
    use kernteam_import::{import_extract, ImportOptions};
    use kernteam_web::{AppState, WebConfig};

    const INCLUDED: usize = 300;
    for t in testing::all().await {
        let db = &t.db;
        let today = Local::now().date_naive();
        let dir = tempfile::tempdir().unwrap();
        let opts = kernteam_synth::RegionOptions {
            practices: 1,
            patients_per_practice: Some(3000),
            seed: 17,
            extract_date: today,
        };
        let out = dir.path().to_path_buf();
        let generated = kernteam_synth::generate_region(&opts, &out, &mut |_, _| {}).unwrap();
        import_extract(db, &generated[0].dir, &ImportOptions { today, progress: false })
            .await
            .unwrap();
        let practice = db.practices().await.unwrap()[0].id;
        let poh = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "poh".into(),
            display_name: "Petra Poh".into(),
            role: Role::PohO,
            practice_id: Some(practice),
            organisation_id: None,
            password_hash: kernteam_web::hash_password(PASSWORD.into()).await.unwrap(),
            is_admin: false,
        }))
        .unwrap();
        let snapshot = db.latest_snapshot(practice).await.unwrap().unwrap();
        let people = db.snapshot_people(snapshot.snapshot_id).await.unwrap();
        assert!(people.len() >= INCLUDED, "{} kept of 3000", people.len());
        let decided_on = today - Duration::days(10);
        for (i, p) in people.iter().take(INCLUDED).enumerate() {
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_decision(
                p.patient_id,
                &NewDecision {
                    kind: DecisionKind::Inclusion,
                    decided_on,
                    deciding_gp: Some("Dr. Jekerdal".into()),
                    reason: None,
                    considerations: None,
                },
                poh,
            ))
            .unwrap();
            if i % 2 == 0 {
                let plan = json!({
                    "actions": [{ "what": "Huisbezoek", "who": "POH-O", "due": (today - Duration::days(1)).to_string(), "status": "gepland" }],
                    "evaluation_date": (today + Duration::days(60)).to_string(),
                });
                kernteam_store::audited!(db, testing::entry(), |ch| ch.save_care_plan(
                    p.patient_id,
                    0,
                    &plan.to_string(),
                    "Zorgplan opgesteld",
                    poh,
                    "Petra Poh",
                ))
                .unwrap();
            }
            if i % 3 == 0 {
                let at = (Utc::now() - Duration::hours(30))
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
                kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
                    p.patient_id,
                    "ontslag_ziekenhuis",
                    &at,
                    None,
                    poh
                ))
                .unwrap();
            }
        }

        let app = kernteam_web::router(AppState::new(db.clone(), WebConfig::demo()));
        let c = Client::sign_in(&app, "poh").await;
        // The first request also builds the practice list (cached afterwards).
        let started = std::time::Instant::now();
        let r = c.get("/api/v1/worklist").await;
        let first = started.elapsed();
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let w = r.json();
        assert_eq!(w["patients_count"], INCLUDED);
        let count_of = |kind: &str| {
            w["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["kind"] == kind)
                .map_or(0, |g| g["count"].as_u64().unwrap())
        };
        assert_eq!(count_of("overdracht"), INCLUDED.div_ceil(3) as u64);
        assert_eq!(count_of("actie"), INCLUDED.div_ceil(2) as u64);
        assert_eq!(count_of("zorgplan"), (INCLUDED / 2) as u64);
        assert_eq!(count_of("pzp"), INCLUDED as u64);
        assert_eq!(w["urgent"], INCLUDED.div_ceil(3) + INCLUDED.div_ceil(2));
        let started = std::time::Instant::now();
        let page = c.get("/werklijst").await;
        let second = started.elapsed();
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains(&format!("{INCLUDED} patiënten")));
        // A page of 25 patients at a time, each once, the urgent first.
        assert_eq!(w["pages"], INCLUDED.div_ceil(25));
        assert_eq!(w["patients"].as_array().unwrap().len(), 25);
        assert!(w["patients"][0]["items"][0]["urgent"].as_bool().unwrap());
        let second_page = c.get("/werklijst?pagina=2&sorteer=naam").await.text();
        assert!(second_page.contains(&format!("Pagina 2 van {}", INCLUDED.div_ceil(25))));
        assert_eq!(second_page.matches("class=\"worklist-patient\"").count(), 25);
        eprintln!(
            "{}: worklist of {INCLUDED} included patients in {first:?} (first, with the practice list), {second:?} (page)",
            t.backend().name()
        );
        t.finish().await;
    }
}
