//! SO consultations and medication reviews over HTTP, for the pages and the API, on
//! SQLite and PostgreSQL: what is recorded is stored and listed; the care team (network
//! professionals included) sees it, others get 404; bad input is refused with Dutch
//! messages, stores nothing, and the records shown again with the form are an audited read.

mod common;
mod process_people;

use axum::http::StatusCode;
use common::{audit_rows, count, seed, Client};
use kernteam_store::testing;
use process_people::{assert_documented, dmy, more_people, page_with_csrf, today};
use serde_json::json;

#[tokio::test]
async fn so_consultations_are_stored_and_listed() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let people = more_people(&w).await;
        let a1 = w.a1;
        let path = format!("/patienten/{a1}/consultaties");
        let day = today().to_string();
        let count_all = || count(&w.db, "SELECT COUNT(*) FROM so_consultations");

        // The SO on the care team records one; the form names them already.
        let so = Client::sign_in(&w.app, "so-team").await;
        let (page, csrf) = page_with_csrf(&so, &path).await;
        assert!(page.contains("Er zijn nog geen consultaties vastgelegd."), "{page}");
        assert!(
            page.contains("id=\"c-so\" name=\"so_name\" list=\"so-users\" value=\"Sanne Oud\""),
            "{page}"
        );
        let r = so
            .post_form_raw(
                &path,
                &[
                    ("csrf", &csrf),
                    ("date", &day),
                    ("kind", "medebehandeling"),
                    ("funding", "wlz"),
                    ("so_name", ""),
                    ("question", "Onrust en dwalen in de avond; medicatie?"),
                    ("advice", "Dagstructuur; geen antipsychotica."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // The POH-O records one for an SO by name; the SO accounts are suggested.
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let (page, csrf) = page_with_csrf(&poh, &path).await;
        assert!(page.contains("<option value=\"Otto Ouderen\">") && page.contains("<option value=\"Sanne Oud\">"));
        let r = poh
            .post_form_raw(
                &path,
                &[
                    ("csrf", &csrf),
                    ("date", &day),
                    ("kind", "in_mdo"),
                    ("funding", "zvw"),
                    ("so_name", "Otto Ouderen"),
                    ("question", "Valrisico en polyfarmacie"),
                    ("advice", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let stored = w.db.consultations(a1).await.unwrap();
        assert_eq!(stored.len(), 2);
        let so_one = stored.iter().find(|c| c.funding == "wlz").unwrap();
        assert_eq!(so_one.so_name, "Sanne Oud");
        assert_eq!(so_one.kind, "medebehandeling");
        let page = poh.get(&format!("{path}?melding=vastgelegd")).await.text();
        assert!(page.contains("De consultatie is vastgelegd."));
        for s in [
            "Medebehandeling",
            "In het MDO",
            "Wlz",
            "Zvw",
            "Otto Ouderen",
            "Dagstructuur; geen antipsychotica.",
        ] {
            assert!(page.contains(s), "{s}: {page}");
        }

        // Bad input: no date, unknown funding, a question over 4000 characters.
        let long = "v".repeat(4001);
        let r = poh
            .post_form_raw(
                &path,
                &[
                    ("csrf", &csrf),
                    ("date", ""),
                    ("kind", "consultatie"),
                    ("funding", "eigen risico"),
                    ("so_name", "Otto Ouderen"),
                    ("question", &long),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        for m in [
            "Vul de datum van de consultatie in.",
            "Kies de financiering: Zvw of Wlz.",
            "De vraag mag hoogstens 4000 tekens lang zijn.",
        ] {
            assert!(text.contains(m), "{m}: {text}");
        }
        assert_eq!(count_all().await, 2, "nothing stored");

        // The API.
        let api_path = format!("/api/v1/patients/{a1}/consultations");
        let doc = so.get("/api/openapi.json").await.json();
        let r = so.api("GET", &api_path, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let body = r.json();
        assert_eq!(body["consultations"].as_array().unwrap().len(), 2);
        assert_documented(&doc, "GET", "/api/v1/patients/{id}/consultations", 200, &body);
        let r = so
            .api(
                "POST",
                &api_path,
                Some(json!({ "date": day, "question": "Slaapproblemen", "kind": "consultatie", "funding": "zvw" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let created = r.json();
        assert_eq!(created["so_name"], "Sanne Oud");
        assert_documented(&doc, "POST", "/api/v1/patients/{id}/consultations", 201, &created);
        let r = so
            .api(
                "POST",
                &api_path,
                Some(json!({ "question": "x".repeat(4001), "kind": "telefonisch", "funding": "eigen" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["details"],
            json!([
                "Vul de datum van de consultatie in.",
                "De vraag mag hoogstens 4000 tekens lang zijn.",
                "Kies de soort: consultatie, medebehandeling of in het MDO.",
                "Kies de financiering: Zvw of Wlz.",
            ])
        );
        assert_eq!(count_all().await, 3);

        // Not on the team: 404 everywhere; the practice manager may not record.
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(other.api("GET", &api_path, None).await.status, StatusCode::NOT_FOUND);
        let r = other
            .api(
                "POST",
                &api_path,
                Some(json!({ "date": day, "question": "x", "kind": "consultatie", "funding": "zvw" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let pm = Client::sign_in(&w.app, "pm-a").await;
        assert_eq!(pm.get(&path).await.status, StatusCode::OK);
        let r = pm
            .api(
                "POST",
                &api_path,
                Some(json!({ "date": day, "question": "x", "kind": "consultatie", "funding": "zvw", "so_name": "X" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count_all().await, 3);

        let so_actions: Vec<String> = audit_rows(&w.db, people.so_team)
            .await
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        assert_eq!(
            so_actions.iter().filter(|a| *a == "so-consultatie vastgelegd").count(),
            2
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn medication_reviews_show_the_indication_and_are_stored_and_listed() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        more_people(&w).await;
        let a1 = w.a1;
        let path = format!("/patienten/{a1}/medicatiebeoordelingen");
        let day = today();
        let follow = (day + chrono::Duration::days(90)).to_string();
        let count_all = || count(&w.db, "SELECT COUNT(*) FROM medication_reviews");

        // a1 has the frail-elderly episode and one running medicine in the 2027-07-04 extract.
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let (page, csrf) = page_with_csrf(&poh, &path).await;
        assert!(
            page.contains(
                "Medicatiebeoordeling geïndiceerd: kwetsbare oudere (volgens het HIS-extract van 04-07-2027)."
            ),
            "{page}"
        );
        assert!(
            page.contains("Laatste medicatiebeoordeling: <strong>nog geen</strong>"),
            "{page}"
        );
        // The medicines under review: the one running (the example extract has no names:
        // an older extract), and nothing to compare with yet.
        assert!(page.contains("Actuele medicatie: 1 middel</h2>"), "{page}");
        assert!(page.contains("<td>A10AE04</td>"), "{page}");
        assert!(!page.contains("<td>A10AB05</td>"), "stopped in 2026: {page}");
        assert!(page.contains("naam niet in het extract"), "{page}");
        assert!(page.contains("nog geen eerdere medicatiebeoordeling om mee te vergelijken"));
        assert!(poh
            .get(&format!("/patienten/{a1}"))
            .await
            .text()
            .contains("Laatste medicatiebeoordeling: nog geen"));

        let r = poh
            .post_form_raw(
                &path,
                &[
                    ("csrf", &csrf),
                    ("date", &day.to_string()),
                    ("participants", "huisarts"),
                    ("participants", "apotheker"),
                    ("stopped", "Omeprazol"),
                    ("started", ""),
                    ("changed", "Metformine 2dd 500 mg in plaats van 3dd"),
                    ("follow_up", &follow),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let stored = w.db.medication_reviews(a1).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].participants, "huisarts,apotheker");
        assert_eq!(stored[0].indication.as_deref(), Some("frail"));
        assert_eq!(stored[0].stopped.as_deref(), Some("Omeprazol"));
        assert_eq!(stored[0].started, None);
        let page = poh.get(&format!("{path}?melding=vastgelegd")).await.text();
        assert!(page.contains("De medicatiebeoordeling is vastgelegd."));
        assert!(page.contains("Sinds de vorige medicatiebeoordeling ("), "{page}");
        assert!(page.contains("Er is sindsdien niets gestart of gestopt."), "{page}");
        assert!(
            page.contains(&format!("Laatste medicatiebeoordeling: <strong>{}</strong>", dmy(day))),
            "{page}"
        );
        assert!(
            page.contains("Huisarts, Apotheker") && page.contains("Metformine 2dd 500 mg"),
            "{page}"
        );
        let overview = poh.get(&format!("/patienten/{a1}")).await.text();
        assert!(
            overview.contains(&format!("Laatste medicatiebeoordeling: {}", dmy(day))),
            "{overview}"
        );

        // Bad input: no date, a text over 4000 characters, an unknown participant.
        let long = "m".repeat(4001);
        let r = poh
            .post_form_raw(
                &path,
                &[
                    ("csrf", &csrf),
                    ("date", ""),
                    ("participants", "tandarts"),
                    ("changed", &long),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        for m in [
            "Vul de datum van de medicatiebeoordeling in.",
            "Onbekende deelnemer &#39;tandarts&#39;",
            "Gewijzigde middelen mag hoogstens 4000 tekens lang zijn.",
        ] {
            assert!(text.contains(m), "{m}: {text}");
        }
        assert_eq!(count_all().await, 1, "nothing stored");

        // The API, by the SO on the team.
        let so = Client::sign_in(&w.app, "so-team").await;
        let doc = so.get("/api/openapi.json").await.json();
        let api_path = format!("/api/v1/patients/{a1}/medication-reviews");
        let r = so
            .api(
                "POST",
                &api_path,
                Some(json!({ "date": day, "participants": ["specialist_ouderengeneeskunde", "huisarts"], "stopped": "Oxazepam" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let created = r.json();
        assert_eq!(
            created["participants"],
            json!(["huisarts", "specialist_ouderengeneeskunde"])
        );
        assert_documented(&doc, "POST", "/api/v1/patients/{id}/medication-reviews", 201, &created);
        let r = so.api("GET", &api_path, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let body = r.json();
        assert_eq!(body["indication"]["indication"], "frail");
        assert_eq!(body["indication"]["extract_date"], "2027-07-04");
        assert_eq!(body["reviews"].as_array().unwrap().len(), 2);
        assert_documented(&doc, "GET", "/api/v1/patients/{id}/medication-reviews", 200, &body);
        let r = so
            .api(
                "POST",
                &api_path,
                Some(json!({ "date": "gisteren", "participants": [] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["details"],
            json!([
                "Datum: 'gisteren' is geen geldige datum.",
                "Kies wie er aan de medicatiebeoordeling deelnamen."
            ])
        );
        assert_eq!(count_all().await, 2);

        // Not on the team: 404.
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(other.api("GET", &api_path, None).await.status, StatusCode::NOT_FOUND);
        let r = other
            .api(
                "POST",
                &api_path,
                Some(json!({ "date": day, "participants": ["huisarts"] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(count_all().await, 2);

        // a2's frail-elderly episode ended before the extract and they take no medicines.
        let a2_page = poh
            .get(&format!("/patienten/{}/medicatiebeoordelingen", w.a2))
            .await
            .text();
        assert!(
            a2_page.contains("Geen indicatie voor een medicatiebeoordeling volgens het HIS-extract van 04-07-2027"),
            "{a2_page}"
        );
        t.finish().await;
    }
}

/// How often `user` read `action` of `patient` according to the audit log.
async fn reads(db: &kernteam_store::Db, user: i64, patient: i64, action: &str) -> usize {
    audit_rows(db, user)
        .await
        .into_iter()
        .filter(|r| *r == (Some(patient), action.to_string()))
        .count()
}

#[tokio::test]
async fn a_refused_consultation_audits_the_consultations_it_shows_again() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let a1 = w.a1;
        let path = format!("/patienten/{a1}/consultaties");
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let (_, csrf) = page_with_csrf(&poh, &path).await;
        let day = today().to_string();
        let fields = |question: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("date", day.clone()),
                ("kind", "consultatie".to_string()),
                ("funding", "zvw".to_string()),
                ("so_name", "Otto Ouderen".to_string()),
                ("question", question.to_string()),
            ]
        };
        let send = |f: Vec<(&'static str, String)>| {
            let poh = poh.clone();
            let path = path.clone();
            async move {
                let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                poh.post_form_raw(&path, &refs).await
            }
        };
        let r = send(fields("Valrisico bij nachtelijk dwalen")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        let before = reads(&w.db, w.poh_a, a1, "so-consultaties ingezien").await;
        let r = send(fields("")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text().contains("Valrisico bij nachtelijk dwalen"),
            "the stored ones are shown"
        );
        assert_eq!(
            reads(&w.db, w.poh_a, a1, "so-consultaties ingezien").await,
            before + 1,
            "the re-render is audited"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn a_refused_medication_review_audits_the_reviews_it_shows_again() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let a1 = w.a1;
        let path = format!("/patienten/{a1}/medicatiebeoordelingen");
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let (_, csrf) = page_with_csrf(&poh, &path).await;
        let day = today().to_string();
        let r = poh
            .post_form_raw(
                &path,
                &[
                    ("csrf", &csrf),
                    ("date", &day),
                    ("participants", "huisarts"),
                    ("stopped", "Omeprazol"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        let before = reads(&w.db, w.poh_a, a1, "medicatiebeoordelingen ingezien").await;
        let r = poh
            .post_form_raw(&path, &[("csrf", &csrf), ("date", ""), ("participants", "huisarts")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        assert!(text.contains("Omeprazol"), "the stored ones are shown: {text}");
        assert!(text.contains("Medicatiebeoordeling geïndiceerd"), "and the indication");
        assert_eq!(
            reads(&w.db, w.poh_a, a1, "medicatiebeoordelingen ingezien").await,
            before + 1,
            "the re-render is audited"
        );
        t.finish().await;
    }
}

/// Corrections and withdrawals: versioned and audited, never silently; a withdrawn record
/// counts nowhere; a network professional cannot change what the practice recorded; the
/// error page keeps the menu.
#[tokio::test]
async fn recorded_consultations_reviews_and_events_are_corrected_or_withdrawn_never_overwritten() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let a1 = w.a1;
        let day = today();
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let base = format!("/patienten/{a1}/consultaties");
        let (_, csrf) = page_with_csrf(&poh, &base).await;
        let day_s = day.to_string();
        let r = poh
            .post_form(
                &base,
                &[
                    ("csrf", csrf.as_str()),
                    ("date", day_s.as_str()),
                    ("kind", "consultatie"),
                    ("question", "Valrisico"),
                    ("advice", ""),
                    ("funding", "zvw"),
                    ("so_name", "Sanne Oud"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = w.db.consultations(a1).await.unwrap()[0].id;
        let counts = |db: kernteam_store::Db| async move {
            db.consultation_counts(w.practice_a, day - chrono::Duration::days(1), day)
                .await
                .unwrap()
        };
        assert_eq!(counts(w.db.clone()).await, [("zvw".to_string(), 1)]);

        // The district nurse on the team reads it but may not change it.
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        let r = nurse
            .post_form(&format!("{base}/{id}/intrekken"), &[("reason", "fout")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!nurse.get(&base).await.text().contains("Consultatie intrekken"));

        // A correction needs a reason; with one, the old version is kept and shown.
        let fields = |reason: &'static str| {
            vec![
                ("date", day_s.clone()),
                ("kind", "consultatie".to_string()),
                ("question", "Valrisico en duizeligheid".to_string()),
                ("advice", "Medicatie nalopen".to_string()),
                ("funding", "wlz".to_string()),
                ("so_name", "Sanne Oud".to_string()),
                ("reason", reason.to_string()),
            ]
        };
        let post = |f: Vec<(&'static str, String)>| {
            let poh = &poh;
            let path = format!("{base}/{id}/corrigeren");
            async move {
                let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                poh.post_form(&path, &refs).await
            }
        };
        let r = post(fields("")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Vul de reden in"), "{}", r.text());
        assert!(r.text().contains("Hoofdmenu"), "the error page keeps the menu");
        let r = post(fields("Verkeerde financiering")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let stored = &w.db.consultations(a1).await.unwrap()[0];
        assert_eq!((stored.id, stored.funding.as_str()), (id, "wlz"));
        let page = poh.get(&base).await.text();
        assert!(page.contains("gecorrigeerd"), "{page}");
        assert!(page.contains("door Petra Poh: Verkeerde financiering (was: "), "{page}");
        assert!(page.contains("Valrisico · Sanne Oud"), "the version before: {page}");
        assert_eq!(counts(w.db.clone()).await, [("wlz".to_string(), 1)]);

        // Withdrawn: still shown, as such; counted nowhere.
        let r = poh
            .post_form(
                &format!("{base}/{id}/intrekken"),
                &[("reason", "Bij de verkeerde patiënt")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = poh.get(&base).await.text();
        assert!(
            page.contains("ingetrokken") && page.contains("Bij de verkeerde patiënt"),
            "{page}"
        );
        assert!(counts(w.db.clone()).await.is_empty());
        let r = poh
            .post_form(&format!("{base}/{id}/intrekken"), &[("reason", "nogmaals")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "withdrawn once");
        let corrections =
            w.db.corrections(a1, kernteam_store::program::RecordKind::Consultation)
                .await
                .unwrap();
        assert_eq!(
            corrections.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(),
            ["gecorrigeerd", "ingetrokken"]
        );
        let actions: Vec<String> = audit_rows(&w.db, w.poh_a).await.into_iter().map(|(_, a)| a).collect();
        assert!(actions.contains(&"registratie gecorrigeerd".to_string()));
        assert!(actions.contains(&"registratie ingetrokken".to_string()));

        // An event withdrawn no longer counts in the figures.
        let ev = kernteam_store::audited!(w.db, kernteam_store::testing::entry(), |ch| ch.add_event(
            a1,
            "seh_verwijzing",
            "2027-02-01T10:00:00Z",
            None,
            w.poh_a
        ))
        .unwrap();
        let events = |db: kernteam_store::Db| async move {
            db.event_counts(w.practice_a, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z")
                .await
                .unwrap()
        };
        assert_eq!(events(w.db.clone()).await.len(), 1);
        let r = poh
            .post_form(
                &format!("/patienten/{a1}/gebeurtenissen/{ev}/intrekken"),
                &[("reason", "Dubbel vastgelegd")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(events(w.db.clone()).await.is_empty());
        assert!(poh
            .get(&format!("/patienten/{a1}/gebeurtenissen"))
            .await
            .text()
            .contains("Dubbel vastgelegd"));
        t.finish().await;
    }
}

#[tokio::test]
async fn medication_reviews_and_events_are_corrected_from_their_pages() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let a1 = w.a1;
        let day = today();
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let reviews = format!("/patienten/{a1}/medicatiebeoordelingen");
        let day_s = day.to_string();
        let r = poh
            .post_form(
                &reviews,
                &[
                    ("date", day_s.as_str()),
                    ("participants", "huisarts"),
                    ("participants", "apotheker"),
                    ("stopped", "Diclofenac"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = w.db.medication_reviews(a1).await.unwrap()[0].id;
        let page = poh.get(&reviews).await.text();
        assert!(page.contains(&format!("/medicatiebeoordelingen/{id}/corrigeren")));
        let r = poh
            .post_form(
                &format!("{reviews}/{id}/corrigeren"),
                &[
                    ("date", day_s.as_str()),
                    ("participants", "huisarts"),
                    ("participants", "apotheker"),
                    ("stopped", "Diclofenac, omeprazol"),
                    ("reason", "Omeprazol vergeten"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let stored = &w.db.medication_reviews(a1).await.unwrap()[0];
        assert_eq!(
            (stored.id, stored.stopped.as_deref()),
            (id, Some("Diclofenac, omeprazol"))
        );
        let page = poh.get(&format!("{reviews}?melding=gecorrigeerd")).await.text();
        assert!(page.contains("De medicatiebeoordeling is gecorrigeerd; de vorige versie is bewaard."));
        assert!(page.contains("Omeprazol vergeten"), "{page}");

        // An event recorded at the wrong time: corrected, the handover clock follows.
        let events = format!("/patienten/{a1}/gebeurtenissen");
        let yesterday_s = (day - chrono::Duration::days(1)).to_string();
        let r = poh
            .post_form(
                &events,
                &[
                    ("kind", "ontslag_ziekenhuis"),
                    ("date", yesterday_s.as_str()),
                    ("time", "09:00"),
                    ("notes", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let ev = w.db.events(a1).await.unwrap()[0].clone();
        let r = poh
            .post_form(
                &format!("{events}/{}/corrigeren", ev.id),
                &[
                    ("kind", "ziekenhuisopname"),
                    ("date", yesterday_s.as_str()),
                    ("time", "08:00"),
                    ("notes", ""),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed");
        let r = poh
            .post_form(
                &format!("{events}/{}/corrigeren", ev.id),
                &[
                    ("kind", "ziekenhuisopname"),
                    ("date", yesterday_s.as_str()),
                    ("time", "08:00"),
                    ("notes", "Opname, geen ontslag"),
                    ("reason", "Verkeerde soort gekozen"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let now = &w.db.events(a1).await.unwrap()[0];
        assert_eq!((now.id, now.kind.as_str()), (ev.id, "ziekenhuisopname"));
        let page = poh.get(&events).await.text();
        assert!(
            page.contains("gecorrigeerd") && page.contains("Verkeerde soort gekozen"),
            "{page}"
        );
        let kinds: Vec<String> =
            w.db.corrections(a1, kernteam_store::program::RecordKind::CareEvent)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.action)
                .collect();
        assert_eq!(kinds, ["gecorrigeerd"]);
        t.finish().await;
    }
}
