//! Proactive care planning (PZP), SO consultations and medication reviews over HTTP, for
//! the pages and the API, on SQLite and PostgreSQL: what is recorded is stored, versioned
//! and listed; the care team (network professionals included) sees it, others get 404;
//! bad input is refused with Dutch messages and stores nothing.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{audit_rows, check_schema, count, csrf_of_page, response_schema, seed, Client, World, PASSWORD};
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_domain::pzp::{AdvanceCarePlan, WishDecision};
use kernteam_store::care::NewTeamMember;
use kernteam_store::people::NewUser;
use kernteam_store::program::Document;
use kernteam_store::{testing, Db};
use serde_json::{json, Value};

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

async fn add_user(db: &Db, username: &str, name: &str, role: Role, practice: Option<i64>, org: Option<i64>) -> i64 {
    db.create_user(&NewUser {
        username: username.into(),
        display_name: name.into(),
        role,
        practice_id: practice,
        organisation_id: org,
        password_hash: kernteam_web::hash_password(PASSWORD.into()).await.unwrap(),
        is_admin: false,
    })
    .await
    .unwrap()
}

/// The extra people of these tests: an SO on a1's care team, an SO on no team, and the
/// practice manager of practice A (reads, does not write care records).
struct People {
    so_team: i64,
}

async fn more_people(w: &World) -> People {
    let org =
        w.db.create_organisation(OrganisationKind::SpecialistOuderengeneeskunde, "SO-team Heuvelland")
            .await
            .unwrap();
    let so_team = add_user(
        &w.db,
        "so-team",
        "Sanne Oud",
        Role::SpecialistOuderengeneeskunde,
        None,
        Some(org),
    )
    .await;
    add_user(
        &w.db,
        "so-ander",
        "Otto Ouderen",
        Role::SpecialistOuderengeneeskunde,
        None,
        Some(org),
    )
    .await;
    add_user(
        &w.db,
        "pm-a",
        "Mia Manager",
        Role::Praktijkmanager,
        Some(w.practice_a),
        None,
    )
    .await;
    w.db.add_team_member(
        w.a1,
        &NewTeamMember {
            kind: "professional".into(),
            user_id: Some(so_team),
            name: "Sanne Oud".into(),
            role: Some("Specialist ouderengeneeskunde".into()),
            organisation: Some("SO-team Heuvelland".into()),
            ..Default::default()
        },
        w.poh_a,
    )
    .await
    .unwrap();
    People { so_team }
}

/// Gets a page (200) and returns its text and the CSRF token of its forms.
async fn page_with_csrf(c: &Client, path: &str) -> (String, String) {
    let page = c.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text());
    let text = page.text();
    let csrf = csrf_of_page(&text);
    (text, csrf)
}

async fn pzp_of(db: &Db, patient: i64) -> (usize, AdvanceCarePlan) {
    let versions = db.versions(Document::Pzp, patient).await.unwrap();
    let pzp = versions
        .first()
        .map(|v| serde_json::from_str(&v.content).unwrap())
        .unwrap_or_default();
    (versions.len(), pzp)
}

/// The PZP form's fields: the standard treatments with these decisions (code, decision,
/// date, by), then one other treatment.
fn pzp_form(
    csrf: &str,
    based_on: &str,
    wishes: &[(&str, &str, &str, &str)],
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut out = vec![
        ("csrf".to_string(), csrf.to_string()),
        ("based_on".into(), based_on.into()),
    ];
    for (i, (t, d, on, by)) in wishes.iter().enumerate() {
        out.push((format!("w{i}_treatment"), t.to_string()));
        out.push((format!("w{i}_decision"), d.to_string()));
        out.push((format!("w{i}_date"), on.to_string()));
        out.push((format!("w{i}_by"), by.to_string()));
    }
    out.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

async fn post(c: &Client, path: &str, fields: &[(String, String)]) -> common::Resp {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form_raw(path, &refs).await
}

fn assert_documented(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let schema = response_schema(doc, method, path, status).expect("a documented body");
    let problems = check_schema(doc, schema, body);
    assert!(problems.is_empty(), "{method} {path}: {problems:?}\n{body:#}");
}

#[tokio::test]
async fn pzp_limits_are_versioned_and_seen_by_the_care_team() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        more_people(&w).await;
        let a1 = w.a1;
        let path = format!("/patienten/{a1}/pzp");
        let day = today();
        let earlier = day - chrono::Duration::days(7);

        // The POH-O opens the empty PZP and records a conversation and treatment limits.
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let (page, csrf) = page_with_csrf(&poh, &path).await;
        assert!(page.contains("Nog geen proactieve zorgplanning vastgelegd."), "{page}");
        assert!(page.contains("Er zijn geen behandelgrenzen vastgelegd."));
        assert!(
            page.contains("name=\"w0_treatment\" value=\"reanimatie\""),
            "the standard treatments are offered"
        );
        let earlier_s = earlier.to_string();
        let wishes = [
            ("reanimatie", "niet", "", ""),
            ("beademing", "wel", earlier_s.as_str(), "Dr. Anne Janssen"),
            ("ic_opname", "nog_niet_besproken", "", ""),
            ("ziekenhuisopname", "nog_niet_besproken", "", ""),
            ("antibiotica", "wel", "", ""),
            ("sondevoeding", "nog_niet_besproken", "", ""),
            ("Dialyse", "niet", earlier_s.as_str(), "Dr. Anne Janssen"),
            ("", "nog_niet_besproken", "", ""),
        ];
        let extra = [
            ("conv_date", earlier_s.as_str()),
            ("conv_patient", "1"),
            ("conv_carer", "1"),
            ("conv_others", "dochter Anna, huisarts Janssen"),
            (
                "conv_summary",
                "Mevrouw wil niet gereanimeerd worden en niet meer aan de dialyse.",
            ),
            ("niet_reanimeren_present", "ja"),
            ("niet_reanimeren_location", "Map op de keukentafel"),
            ("legal_representative", "Anna Jansen (dochter), 06-12345678"),
            ("place_of_care", "Thuis"),
            ("place_of_death", "Thuis"),
            ("next_review", "2027-12-01"),
        ];
        let r = post(&poh, &path, &pzp_form(&csrf, "0", &wishes, &extra)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), Some(format!("{path}?melding=opgeslagen").as_str()));
        let (n, stored) = pzp_of(&w.db, a1).await;
        assert_eq!(n, 1);
        let find = |p: &AdvanceCarePlan, t: &str| p.wishes.iter().find(|x| x.treatment == t).cloned().unwrap();
        let reanimatie = find(&stored, "reanimatie");
        assert_eq!(reanimatie.decision, WishDecision::Niet);
        assert_eq!(
            reanimatie.recorded_on,
            Some(day),
            "a new choice without a date is dated today"
        );
        assert_eq!(
            reanimatie.recorded_by, "Petra Poh",
            "…and recorded by the signed-in user"
        );
        assert_eq!(find(&stored, "beademing").recorded_on, Some(earlier));
        assert_eq!(find(&stored, "Dialyse").decision, WishDecision::Niet);
        assert_eq!(stored.wishes.len(), 7, "the empty row is dropped");
        assert_eq!(stored.conversations.len(), 1);
        assert_eq!(
            stored.conversations[0].participants,
            "Patiënt, Mantelzorger, dochter Anna, huisarts Janssen"
        );
        assert!(stored.niet_reanimeren.present && !stored.wilsverklaring.present);

        // The page: the limits on top, the flash, the version.
        let page = poh.get(&format!("{path}?melding=opgeslagen")).await.text();
        assert!(
            page.contains("De proactieve zorgplanning is opgeslagen als versie 1."),
            "{page}"
        );
        let limits = &page[page.find("id=\"behandelgrenzen\"").unwrap()..page.find("</section>").unwrap()];
        assert!(limits.contains("Niet: Reanimatie"), "{limits}");
        assert!(limits.contains("Niet: Dialyse"), "{limits}");
        assert!(!limits.contains("Beademing"), "a wish is not a limit: {limits}");
        assert!(limits.contains("Niet-reanimeren-verklaring aanwezig"), "{limits}");

        // The record overview has the short line.
        let overview = poh.get(&format!("/patienten/{a1}")).await.text();
        assert!(overview.contains("class=\"limits-line\""), "{overview}");
        assert!(overview.contains("niet Reanimatie, Dialyse."), "{overview}");

        // Version 2: ventilation becomes a limit; the form keeps the earlier recordings.
        let (_, csrf) = page_with_csrf(&poh, &path).await;
        let mut wishes2 = wishes;
        wishes2[1] = ("beademing", "niet", "", "");
        wishes2[0] = ("reanimatie", "niet", "", "");
        let r = post(&poh, &path, &pzp_form(&csrf, "1", &wishes2, &extra[5..])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let (n, v2) = pzp_of(&w.db, a1).await;
        assert_eq!(n, 2);
        assert_eq!(
            find(&v2, "reanimatie"),
            reanimatie,
            "an unchanged choice keeps date and recorder"
        );
        assert_eq!(find(&v2, "beademing").recorded_by, "Petra Poh");
        assert_eq!(v2.conversations.len(), 1, "earlier conversations stay");

        // Saving the same again writes nothing.
        let r = post(&poh, &path, &pzp_form(&csrf, "2", &wishes2, &extra[5..])).await;
        assert_eq!(r.location(), Some(format!("{path}?melding=ongewijzigd").as_str()));
        assert_eq!(pzp_of(&w.db, a1).await.0, 2);

        // Someone who started from version 1 is refused, with a clear message.
        let mut wishes3 = wishes;
        wishes3[4] = ("antibiotica", "niet", "", "");
        let r = post(&poh, &path, &pzp_form(&csrf, "1", &wishes3, &[])).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let text = r.text();
        assert!(
            text.contains("De proactieve zorgplanning is intussen door iemand anders gewijzigd (versie 2)"),
            "{text}"
        );
        assert!(
            text.contains("name=\"based_on\" value=\"1\""),
            "saving again stays refused: {text}"
        );
        assert_eq!(pzp_of(&w.db, a1).await.0, 2);

        // Bad input: an unreadable date, a summary that is too long, a limit of a nameless treatment.
        let long = "x".repeat(4001);
        let mut bad = wishes2;
        bad[2] = ("ic_opname", "niet", "2027-13-45", "");
        bad[7] = ("", "niet", "", "");
        let r = post(
            &poh,
            &path,
            &pzp_form(
                &csrf,
                "2",
                &bad,
                &[
                    ("conv_date", &earlier_s),
                    ("conv_patient", "1"),
                    ("conv_summary", &long),
                ],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        for m in [
            "IC-opname: de datum: &#39;2027-13-45&#39; is geen geldige datum.",
            "de samenvatting mag hoogstens 4000 tekens lang zijn.",
            "Vul de naam in van elke andere behandeling waarbij u wel of niet kiest.",
        ] {
            assert!(text.contains(m), "{m}: {text}");
        }
        assert!(text.contains(&long), "what was entered is still in the form");
        assert_eq!(pzp_of(&w.db, a1).await.0, 2, "nothing stored");

        // The versions and one version as it was.
        let history = poh.get(&format!("{path}/versies")).await.text();
        assert!(history.contains("Beademing: Wel → Niet"), "{history}");
        assert!(history.contains("Reanimatie: Nog niet besproken → Niet"), "{history}");
        assert!(
            history.contains(&format!("Gesprek van {} vastgelegd", dmy(earlier))),
            "{history}"
        );
        let v1 = poh.get(&format!("{path}/versies/1")).await;
        assert_eq!(v1.status, StatusCode::OK);
        let v1 = v1.text();
        assert!(v1.contains("Dit is een eerdere versie"), "{v1}");
        assert!(!v1.contains("Niet: Beademing"), "{v1}");
        assert_eq!(
            poh.get(&format!("{path}/versies/9")).await.status,
            StatusCode::NOT_FOUND
        );

        // The district nurse on the care team sees the limits, on the page and in the API.
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        let page = nurse.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        assert!(
            page.contains("Niet: Reanimatie") && page.contains("Niet: Beademing"),
            "{page}"
        );
        assert!(nurse
            .get(&format!("/patienten/{a1}"))
            .await
            .text()
            .contains("niet Reanimatie, Beademing, Dialyse."));
        let api = nurse.api("GET", &format!("/api/v1/patients/{a1}/pzp"), None).await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text());
        let body = api.json();
        assert_eq!(body["version"], 2);
        assert_eq!(body["limits"], json!(["reanimatie", "beademing", "Dialyse"]));
        assert_eq!(body["versions"].as_array().unwrap().len(), 2);
        assert_eq!(body["can_edit"], true);
        let doc = nurse.get("/api/openapi.json").await.json();
        assert_documented(&doc, "GET", "/api/v1/patients/{id}/pzp", 200, &body);
        assert!(audit_rows(&w.db, w.wvk_team)
            .await
            .contains(&(Some(a1), "pzp ingezien".to_string())));

        // A district nurse not on the team: the patient does not exist for them.
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        for p in [
            path.clone(),
            format!("{path}/versies"),
            format!("{path}/versies/1"),
            format!("/api/v1/patients/{a1}/pzp"),
        ] {
            assert_eq!(other.get(&p).await.status, StatusCode::NOT_FOUND, "{p}");
        }
        let r = other
            .post_form(
                &path,
                &[
                    ("based_on", "2"),
                    ("w0_treatment", "reanimatie"),
                    ("w0_decision", "wel"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = other
            .api(
                "PUT",
                &format!("/api/v1/patients/{a1}/pzp"),
                Some(json!({ "based_on": 2, "pzp": {} })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(pzp_of(&w.db, a1).await.0, 2);

        // The practice manager reads, but does not write the PZP.
        let pm = Client::sign_in(&w.app, "pm-a").await;
        let page = pm.get(&path).await.text();
        assert!(
            page.contains("Niet: Reanimatie") && !page.contains("name=\"based_on\""),
            "{page}"
        );
        let r = pm.post_form(&path, &[("based_on", "2")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The API: save, conflict, invalid.
        let api_path = format!("/api/v1/patients/{a1}/pzp");
        let mut p = v2.clone();
        p.legal_representative = "Anna Jansen (dochter)".into();
        let r = nurse
            .api("PUT", &api_path, Some(json!({ "based_on": 2, "pzp": p })))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let saved = r.json();
        assert_eq!(
            saved,
            json!({ "saved": true, "version": 3, "changes": ["Wettelijk vertegenwoordiger gewijzigd"] })
        );
        assert_documented(&doc, "PUT", &api_path.replace(&a1.to_string(), "{id}"), 200, &saved);
        let r = nurse
            .api("PUT", &api_path, Some(json!({ "based_on": 2, "pzp": v2 })))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = nurse
            .api(
                "PUT",
                &api_path,
                Some(json!({ "based_on": 3, "pzp": { "wishes": [{ "treatment": "reanimatie", "decision": "niet", "recorded_on": null, "recorded_by": "" }], "legal_representative": "y".repeat(501) } })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["details"],
            json!([
                "Reanimatie: vul de datum en wie het vastlegde in bij een besproken wens of grens.",
                "De wettelijk vertegenwoordiger mag hoogstens 500 tekens lang zijn."
            ])
        );
        let r = nurse
            .api("PUT", &api_path, Some(json!({ "based_on": 3, "pzp": { "wishes": [{ "treatment": "reanimatie", "decision": "misschien", "recorded_by": "" }] } })))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(pzp_of(&w.db, a1).await.0, 3);

        let actions: Vec<String> = audit_rows(&w.db, w.poh_a).await.into_iter().map(|(_, a)| a).collect();
        assert_eq!(
            actions.iter().filter(|a| *a == "pzp gewijzigd").count(),
            2,
            "{actions:?}"
        );
        t.finish().await;
    }
}

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
