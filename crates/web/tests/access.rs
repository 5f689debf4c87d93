//! Every access rule over HTTP, for the pages and the API, on SQLite and PostgreSQL:
//! tenancy between practices, the care-team rule of network professionals, regional
//! staff without patient records, CSRF on every change, and an audit row for every read.

mod common;

use axum::http::StatusCode;
use common::{audit_rows, care_records, seed, yesterday, Client, World};
use kernteam_store::testing;
use serde_json::{json, Value};

/// The list page after searching it (the form posts, the list is shown under a reference).
async fn search(client: &Client, words: &str) -> common::Resp {
    let r = client.post_form("/patienten", &[("q", words)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    client.get(r.location().unwrap()).await
}

/// Form fields to post.
type Fields = Vec<(&'static str, String)>;

/// Every page that reads a patient's data.
fn page_reads(id: i64) -> Vec<String> {
    [
        "",
        "/zorgplan",
        "/zorgplan/versies",
        "/zorgplan/versies/1",
        "/zorgplan/afdrukken",
        "/audit",
    ]
    .iter()
    .map(|s| format!("/patienten/{id}{s}"))
    .collect()
}

/// Every API read of a patient's data.
fn api_reads(id: i64) -> Vec<String> {
    ["", "/team", "/care-plan", "/care-plan/versions"]
        .iter()
        .map(|s| format!("/api/v1/patients/{id}{s}"))
        .collect()
}

fn valid_plan(goal: &str) -> Value {
    json!({
        "problems": [{ "domain": "psychisch", "description": "Somber sinds verlies partner" }],
        "wishes": "Thuis blijven wonen",
        "goals": [goal],
        "actions": [{ "what": "Huisbezoek", "who": "Wijkverpleging", "due": null, "status": "lopend" }],
        "evaluation_date": "2027-12-01",
    })
}

/// Every form post on a patient, with valid content; `member` is a member of their team.
fn page_posts(id: i64, member: i64) -> Vec<(String, Fields)> {
    let day = yesterday();
    vec![
        (
            format!("/patienten/{id}/inclusie"),
            vec![("decided_on", day.clone()), ("deciding_gp", "Dr. Huisarts".into())],
        ),
        (
            format!("/patienten/{id}/exclusie"),
            vec![("decided_on", day), ("reason", "verhuisd".into())],
        ),
        (
            format!("/patienten/{id}/team"),
            vec![
                ("kind", "mantelzorger".into()),
                ("name", "Piet Buurman".into()),
                ("relation", "buurman".into()),
            ],
        ),
        (format!("/patienten/{id}/team/{member}/verwijderen"), vec![]),
        (
            format!("/patienten/{id}/aanspreekpunt"),
            vec![("member_id", member.to_string())],
        ),
        (
            format!("/patienten/{id}/zorgplan"),
            vec![
                ("based_on", "1".into()),
                ("wishes", "Thuis blijven wonen".into()),
                ("goal", "Een nieuw doel".into()),
            ],
        ),
    ]
}

/// Every API change on a patient, with valid content; `member` is a member of their team.
fn api_changes(id: i64, member: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        (
            "POST",
            format!("/api/v1/patients/{id}/decisions"),
            Some(json!({ "kind": "inclusion", "decided_on": yesterday(), "deciding_gp": "Dr. Huisarts" })),
        ),
        (
            "POST",
            format!("/api/v1/patients/{id}/decisions"),
            Some(json!({ "kind": "exclusion", "decided_on": yesterday(), "reason": "overleden" })),
        ),
        (
            "POST",
            format!("/api/v1/patients/{id}/team"),
            Some(json!({ "kind": "mantelzorger", "name": "Piet Buurman", "relation": "buurman" })),
        ),
        ("DELETE", format!("/api/v1/patients/{id}/team/{member}"), None),
        (
            "PUT",
            format!("/api/v1/patients/{id}/first-contact"),
            Some(json!({ "member_id": member })),
        ),
        (
            "PUT",
            format!("/api/v1/patients/{id}/care-plan"),
            Some(json!({ "based_on": 1, "plan": valid_plan("Een nieuw doel") })),
        ),
    ]
}

fn fields<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

/// A JSON 404 that gives nothing away.
fn assert_api_404(r: &common::Resp, what: &str) {
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {}", r.text());
    assert!(r.is_json(), "{what}: not JSON");
    assert_eq!(
        r.json()["error"],
        "Deze pagina of patiënt bestaat niet, of u heeft er geen toegang toe."
    );
}

/// The user may see no trace of the patient: every page and API call is a 404 and
/// nothing changes.
async fn assert_invisible(w: &World, c: &Client, patient: i64, member: i64, who: &str) {
    let before = care_records(&w.db).await;
    for path in page_reads(patient) {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} GET {path}");
    }
    for (path, body) in page_posts(patient, member) {
        let r = c.post_form(&path, &fields(&body)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} POST {path}: {}", r.text());
    }
    for path in api_reads(patient) {
        assert_api_404(&c.get(&path).await, &format!("{who} GET {path}"));
    }
    for (method, path, body) in api_changes(patient, member) {
        assert_api_404(&c.api(method, &path, body).await, &format!("{who} {method} {path}"));
    }
    assert_eq!(before, care_records(&w.db).await, "{who} changed the care records");
}

#[tokio::test]
async fn practice_staff_never_see_another_practices_patients() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let poh_b = Client::sign_in(&w.app, "poh-b").await;

        // Their own practice's staff can see B's patient: the 404s below are tenancy.
        assert_eq!(poh_b.get(&format!("/patienten/{}", w.b1)).await.status, StatusCode::OK);
        for path in api_reads(w.b1) {
            assert_eq!(poh_b.get(&path).await.status, StatusCode::OK, "{path}");
        }
        for path in page_reads(w.b1).into_iter().filter(|p| !p.ends_with("/audit")) {
            assert_eq!(poh_b.get(&path).await.status, StatusCode::OK, "{path}");
        }

        assert_invisible(&w, &poh_a, w.b1, w.b1_member, "POH-O of A").await;
        assert_invisible(&w, &poh_a, w.b1, w.b1_professional, "POH-O of A").await;
        // The refused attempts stand in the audit trail of B's patient (NEN 7513).
        let refused = audit_rows(&w.db, w.poh_a).await;
        assert!(
            refused
                .iter()
                .any(|(p, a)| *p == Some(w.b1) && a == "toegang geweigerd"),
            "{refused:?}"
        );

        // B's patients are in no list of A, whatever the search.
        let mut ids = Vec::new();
        let mut page = 1;
        loop {
            let list = poh_a.get(&format!("/api/v1/patients?page={page}")).await.json();
            ids.extend(
                list["patients"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["id"].as_i64().unwrap()),
            );
            if page >= list["pages"].as_u64().unwrap() as usize {
                break;
            }
            page += 1;
        }
        assert!(!ids.is_empty());
        assert!(!ids.contains(&w.b1));
        assert_eq!(poh_a.get("/api/v1/patients?q=Bakker").await.json()["total"], 0);
        let page = search(&poh_a, "Bakker").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("Bakker, Cornelia"));
        assert!(search(&poh_b, "Bakker").await.text().contains("Bakker, Cornelia"));
        t.finish().await;
    }
}

#[tokio::test]
async fn network_professionals_see_only_the_patients_whose_care_team_they_are_on() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        let member = Client::sign_in(&w.app, "wvk-team").await;

        assert_invisible(&w, &other, w.a1, w.a1_wvk_member, "wijkverpleegkundige not on the team").await;
        let list = other.get("/api/v1/patients").await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.json()["total"], 0);
        let page = other.get("/patienten").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Geen patiënten gevonden."));

        // On the team: reads the record and the care plan…
        for path in page_reads(w.a1).into_iter().filter(|p| !p.ends_with("/audit")) {
            assert_eq!(member.get(&path).await.status, StatusCode::OK, "{path}");
        }
        for path in api_reads(w.a1) {
            assert_eq!(member.get(&path).await.status, StatusCode::OK, "{path}");
        }
        // …but not who accessed it.
        assert_eq!(
            member.get(&format!("/patienten/{}/audit", w.a1)).await.status,
            StatusCode::FORBIDDEN
        );
        let record = member.get(&format!("/api/v1/patients/{}", w.a1)).await.json();
        assert_eq!(
            record["access"],
            json!({ "read": true, "contribute": true, "decide": false, "audit": false })
        );
        let list = member.get("/api/v1/patients").await.json();
        let ids: Vec<i64> = list["patients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [w.a1]);
        assert!(member
            .get("/patienten")
            .await
            .text()
            .contains(&format!("/patienten/{}", w.a1)));

        // Contributes to the care plan, on the page and in the API.
        let page = member.get(&format!("/patienten/{}/zorgplan", w.a1)).await.text();
        let form_csrf = common::csrf_of_page(&page);
        assert_eq!(
            form_csrf, member.csrf,
            "the page and /api/v1/session hand out the same token"
        );
        let r = member
            .post_form(
                &format!("/patienten/{}/zorgplan", w.a1),
                &[
                    ("based_on", "1"),
                    ("wishes", "Thuis blijven wonen"),
                    ("goal", "Veilig lopen"),
                    ("goal", "Weer naar de markt"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = member
            .api(
                "PUT",
                &format!("/api/v1/patients/{}/care-plan", w.a1),
                Some(json!({ "based_on": 2, "plan": valid_plan("Samen koken") })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["version"], 3);
        let versions = w.db.care_plan_versions(w.a1).await.unwrap();
        assert_eq!(versions.len(), 3);
        assert_eq!(versions[0].created_by_name, "Wies Wijk");
        assert!(versions[1].summary.contains("Doel toegevoegd: Weer naar de markt"));

        // Does not include, exclude or change the team: 403, nothing changes.
        let before = care_records(&w.db).await;
        for (path, body) in page_posts(w.a1, w.a1_wvk_member)
            .into_iter()
            .filter(|(p, _)| !p.ends_with("/zorgplan"))
        {
            let r = member.post_form(&path, &fields(&body)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}: {}", r.text());
        }
        for (method, path, body) in api_changes(w.a1, w.a1_wvk_member)
            .into_iter()
            .filter(|(_, p, _)| !p.ends_with("/care-plan"))
        {
            let r = member.api(method, &path, body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}: {}", r.text());
            assert!(r.is_json());
        }
        assert_eq!(before, care_records(&w.db).await);

        // Another patient of the same practice stays invisible.
        assert_invisible(&w, &member, w.a2, w.a1_wvk_member, "wijkverpleegkundige, other patient").await;
        t.finish().await;
    }
}

#[tokio::test]
async fn regional_staff_get_no_patient_list_and_no_patient_record() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let manager = Client::sign_in(&w.app, "regio").await;
        assert_eq!(manager.get("/patienten").await.status, StatusCode::FORBIDDEN);
        let r = manager.get("/api/v1/patients").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.is_json());
        assert_invisible(&w, &manager, w.a1, w.a1_wvk_member, "programmamanager").await;
        assert_invisible(&w, &manager, w.b1, w.b1_member, "programmamanager").await;
        let session = manager.get("/api/v1/session").await.json();
        assert_eq!(session["role"], "programmamanager");
        assert_eq!(session["id"], w.manager);
        t.finish().await;
    }
}

#[tokio::test]
async fn changes_without_the_csrf_token_change_nothing() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let poh_b = Client::sign_in(&w.app, "poh-b").await;
        let before = care_records(&w.db).await;

        for (path, body) in page_posts(w.a1, w.a1_wvk_member) {
            let body = fields(&body);
            let r = poh_a.post_form_raw(&path, &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "no token: POST {path}");
            let mut wrong = vec![("csrf", "0000")];
            wrong.extend(body.iter().copied());
            assert_eq!(
                poh_a.post_form_raw(&path, &wrong).await.status,
                StatusCode::FORBIDDEN,
                "wrong token: POST {path}"
            );
            let mut theirs = vec![("csrf", poh_b.csrf.as_str())];
            theirs.extend(body.iter().copied());
            assert_eq!(
                poh_a.post_form_raw(&path, &theirs).await.status,
                StatusCode::FORBIDDEN,
                "another session's token: POST {path}"
            );
        }
        for (method, path, body) in api_changes(w.a1, w.a1_wvk_member) {
            for token in [None, Some("0000"), Some(poh_b.csrf.as_str()), Some("")] {
                let r = poh_a.api_with_token(method, &path, body.clone(), token).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{token:?}: {method} {path}");
                assert!(r.is_json(), "{method} {path}");
            }
        }
        // Signing out needs the token too.
        assert_eq!(
            poh_a.post_form_raw("/uitloggen", &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(poh_a.get("/api/v1/session").await.status, StatusCode::OK);

        // Without a session: 401 for the API, the sign-in page for pages.
        let anonymous = Client::anonymous(&w.app);
        for (method, path, body) in api_changes(w.a1, w.a1_wvk_member) {
            let r = anonymous.api_with_token(method, &path, body, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert!(r.is_json());
        }
        for path in api_reads(w.a1).into_iter().chain(["/api/v1/patients".to_string()]) {
            let r = anonymous.get(&path).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(r.is_json());
        }
        let r = anonymous.get(&format!("/patienten/{}", w.a1)).await;
        assert_eq!(r.location(), Some("/inloggen"));

        assert_eq!(
            before,
            care_records(&w.db).await,
            "a change got through without its token"
        );

        // With the token they work: from the page's hidden field and from /api/v1/session.
        let page = poh_a.get(&format!("/patienten/{}", w.a2)).await.text();
        let token = common::csrf_of_page(&page);
        let r = poh_a
            .post_form_raw(
                &format!("/patienten/{}/inclusie", w.a2),
                &[
                    ("csrf", token.as_str()),
                    ("decided_on", &yesterday()),
                    ("deciding_gp", "Dr. Huisarts"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = poh_a
            .api(
                "POST",
                &format!("/api/v1/patients/{}/decisions", w.a2),
                Some(json!({ "kind": "exclusion", "decided_on": yesterday(), "reason": "verhuisd" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(w.db.decisions(w.a2).await.unwrap().len(), 2);
        t.finish().await;
    }
}

#[tokio::test]
async fn every_read_and_every_change_writes_an_audit_row() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let member = Client::sign_in(&w.app, "wvk-team").await;

        let reads: Vec<(&Client, i64, String, Option<i64>, &str)> = vec![
            (&poh_a, w.poh_a, "/patienten".into(), None, "patiëntenlijst bekeken"),
            (
                &poh_a,
                w.poh_a,
                "/api/v1/patients".into(),
                None,
                "patiëntenlijst bekeken",
            ),
            (&member, w.wvk_team, "/patienten".into(), None, "patiëntenlijst bekeken"),
            (
                &member,
                w.wvk_team,
                "/api/v1/patients".into(),
                None,
                "patiëntenlijst bekeken",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan", w.a1),
                Some(w.a1),
                "zorgplan ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan/versies", w.a1),
                Some(w.a1),
                "zorgplan: versies ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan/versies/1", w.a1),
                Some(w.a1),
                "zorgplan: versie ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan/afdrukken", w.a1),
                Some(w.a1),
                "zorgplan afgedrukt",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}/team", w.a1),
                Some(w.a1),
                "zorgteam ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}/care-plan", w.a1),
                Some(w.a1),
                "zorgplan ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}/care-plan/versions", w.a1),
                Some(w.a1),
                "zorgplan: versies ingezien",
            ),
            (
                &member,
                w.wvk_team,
                format!("/patienten/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &member,
                w.wvk_team,
                format!("/api/v1/patients/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &member,
                w.wvk_team,
                format!("/api/v1/patients/{}/care-plan", w.a1),
                Some(w.a1),
                "zorgplan ingezien",
            ),
        ];
        for (client, user, path, patient, action) in reads {
            let before = audit_rows(&w.db, user).await;
            let r = client.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            let after = audit_rows(&w.db, user).await;
            assert_eq!(after.len(), before.len() + 1, "one audit row for GET {path}");
            assert_eq!(after.last().unwrap(), &(patient, action.to_string()), "GET {path}");
        }

        // The session itself is no patient data.
        let before = audit_rows(&w.db, w.poh_a).await.len();
        poh_a.get("/api/v1/session").await;
        assert_eq!(audit_rows(&w.db, w.poh_a).await.len(), before);

        // Changes, on both sides.
        let changes: Vec<(&'static str, String, Option<Value>, &str)> = vec![
            (
                "POST",
                format!("/api/v1/patients/{}/decisions", w.a2),
                Some(json!({ "kind": "inclusion", "decided_on": yesterday(), "deciding_gp": "Dr. Huisarts" })),
                "inclusie vastgelegd",
            ),
            (
                "POST",
                format!("/api/v1/patients/{}/team", w.a2),
                Some(json!({ "kind": "professional", "user_id": w.wvk_other })),
                "zorgteam: lid toegevoegd",
            ),
            (
                "PUT",
                format!("/api/v1/patients/{}/care-plan", w.a2),
                Some(json!({ "based_on": 0, "plan": valid_plan("Blijven fietsen") })),
                "zorgplan gewijzigd",
            ),
        ];
        for (method, path, body, action) in changes {
            let before = audit_rows(&w.db, w.poh_a).await.len();
            let r = poh_a.api(method, &path, body).await;
            assert!(r.status.is_success(), "{method} {path}: {}", r.text());
            let after = audit_rows(&w.db, w.poh_a).await;
            assert_eq!(after.len(), before + 1, "{method} {path}");
            assert_eq!(after.last().unwrap(), &(Some(w.a2), action.to_string()));
        }
        let member_id = w.db.team(w.a2).await.unwrap()[0].id;
        let page_changes: Vec<(String, Fields, &str)> = vec![
            (
                format!("/patienten/{}/aanspreekpunt", w.a2),
                vec![("member_id", member_id.to_string())],
                "eerste aanspreekpunt ingesteld",
            ),
            (
                format!("/patienten/{}/exclusie", w.a2),
                vec![("decided_on", yesterday()), ("reason", "verhuisd".into())],
                "exclusie vastgelegd",
            ),
            (
                format!("/patienten/{}/team/{member_id}/verwijderen", w.a2),
                vec![],
                "zorgteam: lid verwijderd",
            ),
        ];
        for (path, body, action) in page_changes {
            let before = audit_rows(&w.db, w.poh_a).await.len();
            let body: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = poh_a.post_form(&path, &body).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "POST {path}: {}", r.text());
            let after = audit_rows(&w.db, w.poh_a).await;
            assert_eq!(after.len(), before + 1, "POST {path}");
            assert_eq!(after.last().unwrap(), &(Some(w.a2), action.to_string()));
        }
        // The one who was added, and so was on the team, has now left it again.
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        assert_eq!(
            other.get(&format!("/api/v1/patients/{}", w.a2)).await.status,
            StatusCode::NOT_FOUND
        );
        t.finish().await;
    }
}
