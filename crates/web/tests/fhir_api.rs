//! The FHIR API (`/fhir`) on SQLite and PostgreSQL: CapabilityStatement, reads and
//! searches with `_include`, OperationOutcome for every error, the same access rules and
//! audit as the pages, and bearer tokens for a partner's system (issued, used, revoked,
//! every step audited).

mod common;
mod fhir_support;

use axum::http::{header, StatusCode};
use common::{count, post_sign_in, send, Client, Resp, World};
use fhir_support::{bearer_get, enrich, entries};
use kernteam_store::testing;

fn assert_fhir(r: &Resp, status: StatusCode, what: &str) -> serde_json::Value {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("application/fhir+json"), "{what}: content type {ct}");
    r.json()
}

fn assert_outcome(r: &Resp, status: StatusCode, code: &str, what: &str) {
    let body = assert_fhir(r, status, what);
    assert_eq!(body["resourceType"], "OperationOutcome", "{what}: {body}");
    assert_eq!(body["issue"][0]["severity"], "error", "{what}");
    assert_eq!(body["issue"][0]["code"], code, "{what}: {body}");
    assert!(body["issue"][0]["diagnostics"].as_str().is_some_and(|d| !d.is_empty()));
}

/// (action, outcome) of the audit records by this user about this patient.
async fn audit_of(w: &World, user: i64, patient: Option<i64>) -> Vec<(String, String)> {
    let sql = match patient {
        Some(p) => {
            format!("SELECT action, outcome FROM audit_log WHERE user_id = {user} AND patient_id = {p} ORDER BY id")
        }
        None => format!("SELECT action, outcome FROM audit_log WHERE user_id = {user} ORDER BY id"),
    };
    kernteam_store::sqlx::query_as::<_, (String, String)>(&sql)
        .fetch_all(w.db.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_searches_and_errors() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let rich = enrich(&w).await;
        let anon = Client::anonymous(&w.app);
        let poh = Client::sign_in(&w.app, "poh-a").await;

        // The CapabilityStatement is public and names every type served.
        let cap = assert_fhir(&anon.get("/fhir/metadata").await, StatusCode::OK, "metadata");
        assert_eq!(cap["resourceType"], "CapabilityStatement");
        assert_eq!(cap["fhirVersion"], "4.0.1");
        let types: Vec<&str> = cap["rest"][0]["resource"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["type"].as_str().unwrap())
            .collect();
        let mut served = kernteam_fhir::SERVED.to_vec();
        served.push("Bundle");
        assert_eq!(types, served, "and the handover documents sent");

        // Not signed in: 401 with an OperationOutcome and a Bearer challenge, nothing audited.
        let before = count(&w.db, "SELECT COUNT(*) FROM audit_log").await;
        let r = anon.get(&format!("/fhir/Patient/{}", w.a1)).await;
        assert_outcome(&r, StatusCode::UNAUTHORIZED, "login", "anonymous read");
        assert!(r.headers.get(header::WWW_AUTHENTICATE).is_some());
        assert_outcome(
            &bearer_get(&w, "/fhir/Patient", "kt_fhir_nope").await,
            StatusCode::UNAUTHORIZED,
            "login",
            "unknown token",
        );
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM audit_log").await, before);

        // A read: the nl-core Patient with the BSN, audited for this patient and user.
        let p = assert_fhir(
            &poh.get(&format!("/fhir/Patient/{}", w.a1)).await,
            StatusCode::OK,
            "patient",
        );
        assert_eq!(
            p["meta"]["profile"][0],
            "http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient"
        );
        assert_eq!(p["identifier"][0]["system"], "http://fhir.nl/fhir/NamingSystem/bsn");
        assert_eq!(p["identifier"][0]["value"], "711999703");
        assert_eq!(p["gender"], "male");
        assert!(audit_of(&w, w.poh_a, Some(w.a1))
            .await
            .contains(&("FHIR: gelezen".into(), "allowed".into())));

        // Every resource of every search can be read by its id, and is the same.
        for ty in kernteam_fhir::COMPARTMENT {
            let param = if ty == "Patient" { "_id" } else { "patient" };
            let b = assert_fhir(
                &poh.get(&format!("/fhir/{ty}?{param}={}", w.a1)).await,
                StatusCode::OK,
                ty,
            );
            assert_eq!(b["resourceType"], "Bundle");
            assert_eq!(b["type"], "searchset");
            let found = entries(&b);
            assert!(!found.is_empty(), "{ty}: no resources for the rich patient");
            assert_eq!(b["total"], found.len());
            for r in found {
                let id = r["id"].as_str().unwrap();
                let again = assert_fhir(&poh.get(&format!("/fhir/{ty}/{id}")).await, StatusCode::OK, id);
                assert_eq!(again, r, "{ty}/{id}");
            }
        }

        // _include: the goals with the care plan, the people and places with the team.
        let b = assert_fhir(
            &poh.get(&format!("/fhir/CarePlan?patient={}&_include=CarePlan:goal", w.a1))
                .await,
            StatusCode::OK,
            "care plan with goals",
        );
        let modes: Vec<(String, String)> = b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["resource"]["resourceType"].as_str().unwrap().to_string(),
                    e["search"]["mode"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(modes[0], ("CarePlan".into(), "match".into()));
        assert_eq!(
            modes.iter().filter(|m| m.0 == "Goal" && m.1 == "include").count(),
            rich.goals.len()
        );
        assert!(b["entry"][0]["fullUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/fhir/CarePlan/{}", w.a1)));
        let team = assert_fhir(
            &poh.get(&format!(
                "/fhir/CareTeam?patient=Patient/{}&_include=CareTeam:participant",
                w.a1
            ))
            .await,
            StatusCode::OK,
            "team",
        );
        let kinds: Vec<String> = entries(&team)
            .iter()
            .map(|r| r["resourceType"].as_str().unwrap().to_string())
            .collect();
        for k in ["CareTeam", "Practitioner", "RelatedPerson", "Organization"] {
            assert!(kinds.contains(&k.to_string()), "{k} missing from {kinds:?}");
        }
        let first: Vec<_> = entries(&team)[0]["participant"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["role"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["text"] == "Eerste aanspreekpunt")
            })
            .cloned()
            .collect();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0]["member"]["reference"], format!("Practitioner/{}", w.wvk_team));

        // The directory: accounts and organisations of care.
        let pr = assert_fhir(
            &poh.get(&format!("/fhir/PractitionerRole/{}", w.wvk_team)).await,
            StatusCode::OK,
            "role",
        );
        assert_eq!(pr["practitioner"]["reference"], format!("Practitioner/{}", w.wvk_team));
        let org = assert_fhir(
            &poh.get(&format!("/fhir/Organization/praktijk-{}", w.practice_a)).await,
            StatusCode::OK,
            "org",
        );
        assert_eq!(org["identifier"][0]["system"], "http://fhir.nl/fhir/NamingSystem/agb-z");
        assert_eq!(org["identifier"][0]["value"], "09000001");
        assert_outcome(
            &poh.get(&format!("/fhir/Practitioner/{}", w.manager)).await,
            StatusCode::NOT_FOUND,
            "not-found",
            "region staff are no practitioners",
        );

        // Bad searches are refused, never answered unfiltered.
        for (path, what) in [
            (format!("/fhir/CarePlan?patient={}&_count=5", w.a1), "unknown parameter"),
            ("/fhir/CarePlan".to_string(), "no patient"),
            ("/fhir/CarePlan?patient=abc".to_string(), "no patient id"),
            (
                format!("/fhir/Condition?patient={}&_include=CarePlan:goal", w.a1),
                "wrong include",
            ),
            (format!("/fhir/Patient?_id={}&_format=xml", w.a1), "xml"),
            ("/fhir/Practitioner?name=x".to_string(), "directory search"),
            ("/fhir/Patient".to_string(), "practice list unfiltered"),
        ] {
            assert_outcome(&poh.get(&path).await, StatusCode::BAD_REQUEST, "invalid", what);
        }
        // Unknown things are 404, other methods 405, all as OperationOutcome.
        assert_outcome(
            &poh.get("/fhir/Medication/1").await,
            StatusCode::NOT_FOUND,
            "not-supported",
            "type",
        );
        assert_outcome(
            &poh.get("/fhir/Condition/999999-X").await,
            StatusCode::NOT_FOUND,
            "not-found",
            "id",
        );
        assert_outcome(
            &poh.get(&format!("/fhir/Condition/{}-X", w.a1)).await,
            StatusCode::NOT_FOUND,
            "not-found",
            "id",
        );
        assert_outcome(
            &poh.get("/fhir/Patient/1/_history/2").await,
            StatusCode::NOT_FOUND,
            "not-found",
            "path",
        );
        let post = send(
            &w.app,
            axum::http::Request::post("/fhir/Patient")
                .header(header::CONTENT_TYPE, "application/fhir+json")
                .body(axum::body::Body::from("{}"))
                .unwrap(),
        )
        .await;
        assert_outcome(&post, StatusCode::METHOD_NOT_ALLOWED, "not-supported", "POST");

        // Another practice's patient is not found, and the refusal is audited.
        let other = Client::sign_in(&w.app, "poh-b").await;
        assert_outcome(
            &other.get(&format!("/fhir/Patient/{}", w.a1)).await,
            StatusCode::NOT_FOUND,
            "not-found",
            "tenancy",
        );
        assert_outcome(
            &other.get(&format!("/fhir/CarePlan?patient={}", w.a1)).await,
            StatusCode::NOT_FOUND,
            "not-found",
            "tenancy search",
        );
        let trail = audit_of(&w, w.poh_b, Some(w.a1)).await;
        assert_eq!(trail, vec![("toegang geweigerd".to_string(), "refused".to_string()); 2]);
        // Region staff see no patients and no directory.
        let region = Client::sign_in(&w.app, "regio").await;
        assert_outcome(
            &region.get(&format!("/fhir/Patient/{}", w.a1)).await,
            StatusCode::NOT_FOUND,
            "not-found",
            "region",
        );
        assert_outcome(
            &region.get(&format!("/fhir/Practitioner/{}", w.poh_a)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "region directory",
        );
        let _ = rich.huisarts + rich.carer;
        t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bearer_tokens_for_a_partner_system() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let app = kernteam_app::App::new(w.db.clone());
        let op = app.operator();

        // Only for accounts of care, with a name.
        assert!(matches!(
            app.issue_fhir_token(&op, "regio", "X").await,
            Err(kernteam_app::Error::Invalid(_))
        ));
        assert!(matches!(
            app.issue_fhir_token(&op, "niemand", "X").await,
            Err(kernteam_app::Error::Invalid(_))
        ));
        assert!(matches!(
            app.issue_fhir_token(&op, "wvk-team", " ").await,
            Err(kernteam_app::Error::Invalid(_))
        ));

        let issued = app
            .issue_fhir_token(&op, "wvk-team", "ECD Thuiszorg Heuvelland")
            .await
            .unwrap();
        assert!(issued.token.starts_with("kt_fhir_") && issued.token.len() > 60);
        // Stored hashed: the token itself is nowhere in the database.
        let stored: Vec<String> = kernteam_store::sqlx::query_scalar("SELECT token_hash FROM fhir_tokens")
            .fetch_all(w.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, vec![kernteam_app::fhir_tokens::token_hash(&issued.token)]);
        assert!(!stored[0].contains(&issued.token));
        let issue_audit = count(
            &w.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'FHIR-token uitgegeven' AND role = 'opdrachtregel'",
        )
        .await;
        assert_eq!(issue_audit, 1);

        // The partner's system reads what the account may: the shared patient, not others.
        let list = bearer_get(&w, "/fhir/Patient", &issued.token).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text());
        let ids: Vec<String> = entries(&list.json())
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, vec![w.a1.to_string()]);
        let plan = bearer_get(&w, &format!("/fhir/CarePlan?patient={}", w.a1), &issued.token).await;
        assert_eq!(plan.status, StatusCode::OK);
        assert_eq!(entries(&plan.json()).len(), 1);
        let refused = bearer_get(&w, &format!("/fhir/Patient/{}", w.a2), &issued.token).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        // The use is recorded once a minute (here: once); every read names the token.
        let trail = audit_of(&w, w.wvk_team, None).await;
        let uses = trail
            .iter()
            .filter(|(a, o)| a == "FHIR-token gebruikt" && o == "allowed")
            .count();
        assert_eq!(uses, 1, "{trail:?}");
        let named = format!("(token {} 'ECD Thuiszorg Heuvelland')", issued.id);
        let reads: Vec<String> = kernteam_store::sqlx::query_scalar(&format!(
            "SELECT detail FROM audit_log WHERE user_id = {} AND action = 'FHIR: gelezen'",
            w.wvk_team
        ))
        .fetch_all(w.db.pool())
        .await
        .unwrap();
        assert_eq!(reads.len(), 2, "{reads:?}");
        assert!(reads.iter().all(|d| d.ends_with(&named)), "{reads:?}");
        let refusal: String = kernteam_store::sqlx::query_scalar(&format!(
            "SELECT detail FROM audit_log WHERE user_id = {} AND patient_id = {} AND outcome = 'refused'",
            w.wvk_team, w.a2
        ))
        .fetch_one(w.db.pool())
        .await
        .unwrap();
        assert!(refusal.ends_with(&named), "{refusal}");
        assert!(audit_of(&w, w.wvk_team, Some(w.a1))
            .await
            .contains(&("FHIR: gelezen".into(), "allowed".into())));
        assert!(audit_of(&w, w.wvk_team, Some(w.a2))
            .await
            .contains(&("toegang geweigerd".into(), "refused".into())));
        assert!(app.fhir_tokens(&op).await.unwrap()[0].last_used_at.is_some());

        // Revoked: refused, and the attempt audited as refused.
        let revoked = app.revoke_fhir_token(&op, issued.id).await.unwrap();
        assert!(revoked.revoked_at.is_some());
        assert_eq!(
            count(
                &w.db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'FHIR-token ingetrokken'"
            )
            .await,
            1
        );
        let r = bearer_get(&w, "/fhir/Patient", &issued.token).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["resourceType"], "OperationOutcome");
        let last = audit_of(&w, w.wvk_team, None).await.pop().unwrap();
        assert_eq!(last, ("FHIR-token gebruikt".to_string(), "refused".to_string()));
        assert!(matches!(
            app.revoke_fhir_token(&op, 9999).await,
            Err(kernteam_app::Error::NotFound)
        ));
        t.finish().await;
    }
}

/// A session that has its password but not yet its second factor is not signed in here.
#[tokio::test(flavor = "multi_thread")]
async fn half_signed_in_sessions_are_refused() {
    let t = testing::sqlite().await;
    let w = common::seed(&t.db).await;
    let strict = kernteam_web::router(kernteam_web::AppState::new(
        w.db.clone(),
        kernteam_web::WebConfig::default(),
    ));
    let r = post_sign_in(&strict, "poh-a", common::PASSWORD).await;
    let cookie = r
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let c = Client {
        app: strict.clone(),
        cookie,
        csrf: String::new(),
    };
    assert_outcome(
        &c.get(&format!("/fhir/Patient/{}", w.a1)).await,
        StatusCode::UNAUTHORIZED,
        "login",
        "half signed in",
    );
    t.finish().await;
}

/// `Patient?identifier=` finds a patient by BSN, only among those the caller may see.
#[tokio::test(flavor = "multi_thread")]
async fn patients_found_by_bsn_among_those_visible() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let ids = |r: &Resp| -> Vec<String> {
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            entries(&r.json())
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_string())
                .collect()
        };
        let a1 = vec![w.a1.to_string()];
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let with_system = "/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn%7C711999703";
        assert_eq!(ids(&poh_a.get(with_system).await), a1);
        assert_eq!(ids(&poh_a.get("/fhir/Patient?identifier=711999703").await), a1);
        assert!(audit_of(&w, w.poh_a, Some(w.a1))
            .await
            .contains(&("FHIR: gelezen".into(), "allowed".into())));
        // A BSN not on the practice's list: an empty searchset, not an error.
        assert!(ids(&poh_a.get("/fhir/Patient?identifier=123456782").await).is_empty());
        // Another practice's patient is not found by a practice that does not have them.
        let poh_b = Client::sign_in(&w.app, "poh-b").await;
        assert!(ids(&poh_b.get(with_system).await).is_empty());
        // A network professional finds the patient they share, a colleague who does not
        // share them finds nothing.
        assert_eq!(
            ids(&Client::sign_in(&w.app, "wvk-team").await.get(with_system).await),
            a1
        );
        assert!(ids(&Client::sign_in(&w.app, "wvk-ander").await.get(with_system).await).is_empty());
        // Region staff see no patients: refused.
        let r = Client::sign_in(&w.app, "regio").await.get(with_system).await;
        assert!(r.status.is_client_error(), "{}", r.status);
        assert_eq!(r.json()["resourceType"], "OperationOutcome");
        // Another identifier system, or not a BSN: refused, never an unfiltered answer.
        for bad in [
            "/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/agb-z%7C01234567",
            "/fhir/Patient?identifier=7119",
            "/fhir/CarePlan?identifier=711999703",
        ] {
            assert_outcome(&poh_a.get(bad).await, StatusCode::BAD_REQUEST, "invalid", bad);
        }
        t.finish().await;
    }
}

/// An answer read from only the parts of the record it needs is the answer from the
/// whole record, for every type of the patient compartment.
#[tokio::test(flavor = "multi_thread")]
async fn partial_records_answer_as_the_whole_record() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let _rich = enrich(&w).await;
        let app = kernteam_app::App::new(w.db.clone());
        let actor = kernteam_app::Actor::signed_in(w.db.user(w.poh_a).await.unwrap(), None);
        let v = app
            .visible(&actor, w.a1, kernteam_app::Action::ReadFhir, None)
            .await
            .unwrap();
        let whole = app.fhir_record(&v).await.unwrap();
        for ty in kernteam_fhir::COMPARTMENT {
            let part = app.fhir_record_for(&v, kernteam_fhir::needs(ty, &[])).await.unwrap();
            let answer = kernteam_fhir::resources(&part, ty);
            assert!(!answer.is_empty(), "{ty}");
            assert_eq!(answer, kernteam_fhir::resources(&whole, ty), "{ty}");
        }
        t.finish().await;
    }
}
