//! The JSON API: the OpenAPI document lists exactly the routes the router answers, real
//! responses match the documented schemas, errors are JSON with Dutch details, and the
//! API's list is the page's list.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{check_schema, response_schema, seed, yesterday, Client, Resp};
use kernteam_store::testing;
use kernteam_web::api::{route_table, OPENAPI_PATH, UNKNOWN_PATH};
use serde_json::{json, Value};

/// Checks a response against the document: the status is documented for the operation
/// and the body has the documented shape (or is empty when none is documented).
fn assert_documented(doc: &Value, method: &str, path: &str, r: &Resp) {
    match response_schema(doc, method, path, r.status.as_u16()) {
        Some(schema) => {
            let problems = check_schema(doc, schema, &r.json());
            assert!(
                problems.is_empty(),
                "{method} {path} {}: {problems:#?}\n{}",
                r.status,
                r.text()
            );
        }
        None => assert!(r.body.is_empty(), "{method} {path}: undocumented body {}", r.text()),
    }
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_and_every_route_answers_as_documented() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let anonymous = Client::anonymous(&w.app);
        let r = anonymous.get(OPENAPI_PATH).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.is_json());
        let doc = r.json();
        assert_eq!(doc["openapi"], "3.1.0");

        let routes = route_table();
        let listed: BTreeSet<(String, String)> = routes.iter().cloned().collect();
        assert_eq!(listed.len(), routes.len(), "a route is listed twice");
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            assert!(path.starts_with("/api/v1/"), "{path}");
            for (method, op) in item.as_object().unwrap() {
                documented.insert((method.to_uppercase(), path.clone()));
                let declared = op["parameters"]
                    .as_array()
                    .map_or(0, |ps| ps.iter().filter(|p| p["in"] == "path").count());
                assert_eq!(
                    declared,
                    path.matches('{').count(),
                    "path parameters of {method} {path}"
                );
                assert!(op["responses"].is_object(), "responses of {method} {path}");
            }
        }
        assert_eq!(documented, listed, "the document and the route table differ");

        // Every listed route answers, as a user permitted to use it, with a documented
        // status and shape. Two professionals without account on a2's team: one to
        // remove, one to make first contact.
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let mut members = Vec::new();
        for name in ["Fien Fysio", "Otto Ergo"] {
            let r = poh_a
                .api(
                    "POST",
                    &format!("/api/v1/patients/{}/team", w.a2),
                    Some(json!({ "kind": "professional", "name": name, "role": "therapeut", "phone": "043-1234567" })),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            members.push(r.json()["id"].as_i64().unwrap());
        }
        let mut answered = BTreeSet::new();
        for (method, route_path) in &routes {
            let (method, route_path) = (method.as_str(), route_path.as_str());
            // Routes without a request here (added with other features) get an empty object
            // and unknown ids: they must at least reach their handler and answer as documented.
            let mut described = true;
            let mut path = route_path
                .replace("{id}", &w.a2.to_string())
                .replace("{member}", &members[0].to_string());
            // Other parameters (of routes added with other features) name nothing here.
            while let Some(start) = path.find('{') {
                let end = path[start..].find('}').unwrap() + start;
                path.replace_range(start..=end, "999999");
                described = false;
            }
            let body = match (method, route_path) {
                ("GET", _) | ("DELETE", _) => None,
                ("POST", "/api/v1/patients/{id}/decisions") => Some(json!({
                    "kind": "inclusion", "decided_on": yesterday(), "deciding_gp": "Dr. Jekerdal", "considerations": "Besproken in het MDO", "exception_reason": "Besproken met de huisarts"
                })),
                ("POST", "/api/v1/patients/{id}/team") => Some(
                    json!({ "kind": "mantelzorger", "name": "Karel Jansen", "relation": "zoon", "email": "karel@example.org" }),
                ),
                ("PUT", "/api/v1/patients/{id}/first-contact") => Some(json!({ "member_id": members[1] })),
                ("PUT", "/api/v1/patients/{id}/care-plan") => Some(json!({
                    "based_on": 0,
                    "plan": {
                        "problems": [{ "domain": "maatschappelijk", "description": "Eenzaam" }],
                        "wishes": "Mensen zien",
                        "goals": ["Twee keer per week naar de dagbesteding", ""],
                        "actions": [{ "what": "Aanmelden dagbesteding", "who": "Sociaal wijkteam", "due": "2027-10-01", "status": "gepland" }],
                    }
                })),
                _ => {
                    described = false;
                    Some(json!({}))
                }
            };
            let r = poh_a.api(method, &path, body).await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !(r.status == StatusCode::NOT_FOUND && r.json()["error"] == UNKNOWN_PATH),
                "{method} {path} is not routed"
            );
            if described {
                assert_ne!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {}", r.text());
            }
            if described {
                assert!(r.status.is_success(), "{method} {path}: {} {}", r.status, r.text());
            }
            assert_documented(&doc, method, route_path, &r);
            answered.insert((method.to_string(), route_path.to_string()));
        }
        assert_eq!(answered, listed);

        // What those requests did.
        let record = poh_a.get(&format!("/api/v1/patients/{}", w.a2)).await;
        assert_documented(&doc, "GET", "/api/v1/patients/{id}", &record);
        let record = record.json();
        assert_eq!(record["status"], "included");
        assert_eq!(record["care_plan_version"], 1);
        assert_eq!(record["first_contact"]["name"], "Otto Ergo");
        let team: Vec<&str> = record["care_team"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(team, ["Otto Ergo", "Karel Jansen"]);
        let plan = poh_a.get(&format!("/api/v1/patients/{}/care-plan", w.a2)).await.json();
        // Saved as a plain string (older clients), read back as a goal without a domain.
        assert_eq!(
            plan["plan"]["goals"],
            json!([{ "text": "Twee keer per week naar de dagbesteding" }])
        );
        assert_eq!(plan["by"], "Petra Poh");
        // The page shows the same record.
        let page = poh_a.get(&format!("/patienten/{}", w.a2)).await.text();
        assert!(page.contains("Otto Ergo") && page.contains("Karel Jansen"));

        // A record with HIS data, decisions and a team matches the schema too.
        let r = poh_a.get(&format!("/api/v1/patients/{}", w.a1)).await;
        assert_documented(&doc, "GET", "/api/v1/patients/{id}", &r);
        let record = r.json();
        assert_eq!(record["his_id"], "P01-00007");
        assert_eq!(record["person"]["birth_date"], "1938-02-11");
        assert!(record["his"]["episodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "A05"));
        assert!(!record["his"]["medications"].as_array().unwrap().is_empty());
        for list in [
            "/api/v1/patients?filter=kwetsbaar",
            "/api/v1/patients?page=2",
            "/api/v1/patients?q=jansen",
        ] {
            assert_documented(&doc, "GET", "/api/v1/patients", &poh_a.get(list).await);
        }
        let member = Client::sign_in(&w.app, "wvk-team").await;
        assert_documented(&doc, "GET", "/api/v1/patients", &member.get("/api/v1/patients").await);
        t.finish().await;
    }
}

#[tokio::test]
async fn errors_are_json_with_dutch_details_and_the_same_rules_as_the_forms() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let doc = Client::anonymous(&w.app).get(OPENAPI_PATH).await.json();
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let decisions = format!("/api/v1/patients/{}/decisions", w.a2);

        // The validation of the forms, every problem at once.
        let r = poh_a
            .api(
                "POST",
                &decisions,
                Some(json!({ "kind": "exclusion", "decided_on": "2027-02-30", "reason": "verveeld" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_documented(&doc, "POST", "/api/v1/patients/{id}/decisions", &r);
        assert_eq!(
            r.json()["details"],
            json!([
                "Datum besluit: vul een geldige datum in.",
                "Kies een reden voor de exclusie."
            ])
        );
        let r = poh_a
            .api(
                "POST",
                &decisions,
                Some(json!({ "kind": "inclusion", "decided_on": "2999-01-01" })),
            )
            .await;
        assert_eq!(
            r.json()["details"],
            json!([
                "De datum van het besluit ligt in de toekomst.",
                "Vul de besluitvormend huisarts in."
            ])
        );
        // The form says the same.
        let page = poh_a
            .post_form(
                &format!("/patienten/{}/inclusie", w.a2),
                &[("decided_on", "2999-01-01"), ("deciding_gp", "")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text().contains("Vul de besluitvormend huisarts in."));
        let r = poh_a
            .api(
                "POST",
                &decisions,
                Some(json!({ "kind": "opname", "decided_on": yesterday() })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["details"][0].as_str().unwrap().contains("inclusion"));

        // Unreadable bodies.
        for body in [json!("inclusion"), json!({ "kind": 5 })] {
            let r = poh_a.api("POST", &decisions, Some(body)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_documented(&doc, "POST", "/api/v1/patients/{id}/decisions", &r);
        }
        let r = poh_a.api("POST", &decisions, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["details"][0].as_str().unwrap().contains("Content-Type"));

        // Team members as on the page.
        let team = format!("/api/v1/patients/{}/team", w.a2);
        let r = poh_a.api("POST", &team, Some(json!({ "kind": "mantelzorger" }))).await;
        assert_eq!(
            r.json()["details"],
            json!([
                "Vul de naam van de mantelzorger in.",
                "Vul de relatie van de mantelzorger in (bijv. dochter)."
            ])
        );
        let r = poh_a
            .api(
                "POST",
                &team,
                Some(json!({ "kind": "professional", "user_id": w.manager })),
            )
            .await;
        assert_eq!(
            r.json()["details"],
            json!(["Deze professional kan niet in dit zorgteam."])
        );
        let r = poh_a
            .api(
                "POST",
                &team,
                Some(json!({ "kind": "professional", "user_id": w.poh_b })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "staff of another practice");
        let r = poh_a
            .api(
                "PUT",
                &format!("/api/v1/patients/{}/first-contact", w.a1),
                Some(json!({ "member_id": w.b1_member })),
            )
            .await;
        assert_eq!(r.json()["details"], json!(["Kies een professional uit het zorgteam."]));
        let r = poh_a
            .api(
                "DELETE",
                &format!("/api/v1/patients/{}/team/{}", w.a1, w.b1_member),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "a member of another patient's team");

        // The care plan: conflicts, unchanged saves, bad input.
        let care_plan = format!("/api/v1/patients/{}/care-plan", w.a1);
        let current = poh_a.get(&care_plan).await.json();
        assert_eq!(current["version"], 1);
        let r = poh_a
            .api(
                "PUT",
                &care_plan,
                Some(json!({ "based_on": 1, "plan": current["plan"] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), json!({ "saved": false, "version": 1, "changes": [] }));
        let mut plan = current["plan"].clone();
        plan["goals"] = json!(["Veilig lopen", "Weer fietsen"]);
        let r = poh_a
            .api("PUT", &care_plan, Some(json!({ "based_on": 1, "plan": plan })))
            .await;
        assert_eq!(
            r.json(),
            json!({ "saved": true, "version": 2, "changes": ["Doel toegevoegd: Weer fietsen"] })
        );
        let r = poh_a
            .api(
                "PUT",
                &care_plan,
                Some(json!({ "based_on": 1, "plan": { "goals": ["Iets anders"] } })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_documented(&doc, "PUT", "/api/v1/patients/{id}/care-plan", &r);
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("door iemand anders gewijzigd"));
        let r = poh_a
            .api(
                "PUT",
                &care_plan,
                Some(json!({ "based_on": -1, "plan": { "wishes": "x".repeat(4001) } })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["details"].as_array().unwrap().len(), 2, "{}", r.text());
        let r = poh_a
            .api(
                "PUT",
                &care_plan,
                Some(
                    json!({ "based_on": 2, "plan": { "problems": [{ "domain": "spiritueel", "description": "x" }] } }),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let versions = poh_a.get(&format!("{care_plan}/versions")).await.json();
        let numbers: Vec<i64> = versions["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, [2, 1]);

        // The list's parameters.
        let r = poh_a.get("/api/v1/patients?filter=onbekend").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_documented(&doc, "GET", "/api/v1/patients", &r);
        let last = poh_a.get("/api/v1/patients?page=999").await.json();
        assert_eq!(last["page"], last["pages"]);
        assert_eq!(
            poh_a.get("/api/v1/patients?page=twee").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Unknown things are JSON 404s, wrong methods JSON 405s.
        for path in [
            "/api/v1/patients/abc",
            "/api/v1/patients/999999",
            "/api/v1/niets",
            "/api/v2/patients",
        ] {
            let r = poh_a.get(path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(r.is_json(), "{path}");
            let routed = !path.contains("niets") && !path.contains("v2");
            assert_eq!(r.json()["error"] != UNKNOWN_PATH, routed, "{path}");
        }
        let r = poh_a.api("DELETE", "/api/v1/session", None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(r.is_json());

        // The session.
        let session = poh_a.get("/api/v1/session").await;
        assert_documented(&doc, "GET", "/api/v1/session", &session);
        let session = session.json();
        assert_eq!(session["username"], "poh-a");
        assert_eq!(session["name"], "Petra Poh");
        assert_eq!(session["role"], "poh_o");
        assert_eq!(session["practice_id"], w.practice_a);
        assert_eq!(session["organisation_id"], Value::Null);
        let r = Client::anonymous(&w.app).get("/api/v1/session").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_documented(&doc, "GET", "/api/v1/session", &r);
        t.finish().await;
    }
}

/// The number in the page's "N patiënten" (or "1 patiënt") line.
fn page_total(html: &str) -> usize {
    let marker = "role=\"status\">";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split_whitespace().next().unwrap().parse().unwrap()
}

/// Patient ids linked from a list page, in order.
fn page_ids(html: &str) -> Vec<i64> {
    html.split("<td><a href=\"/patienten/")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[tokio::test]
async fn the_api_list_is_the_page_list() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        // Include a1 so the filters on status differ.
        let r = poh_a
            .api(
                "POST",
                &format!("/api/v1/patients/{}/decisions", w.a1),
                Some(json!({ "kind": "inclusion", "decided_on": yesterday(), "deciding_gp": "Dr. Jekerdal" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        for (filter, _) in kernteam_web::patients::LIST_FILTERS {
            for (q, page) in [("", 1), ("", 2), ("jansen", 1), ("1938", 1)] {
                // The page's search posts the words and shows the list under a reference.
                let list = if q.is_empty() {
                    format!("/patienten?filter={filter}")
                } else {
                    let r = poh_a.post_form("/patienten", &[("q", q), ("filter", filter)]).await;
                    r.location().unwrap().to_string()
                };
                let html = poh_a.get(&format!("{list}&pagina={page}")).await.text();
                let api = poh_a
                    .get(&format!("/api/v1/patients?filter={filter}&q={q}&page={page}"))
                    .await
                    .json();
                assert_eq!(
                    api["total"].as_u64().unwrap() as usize,
                    page_total(&html),
                    "{filter} {q}"
                );
                let ids: Vec<i64> = api["patients"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["id"].as_i64().unwrap())
                    .collect();
                assert_eq!(ids, page_ids(&html), "{filter} '{q}' page {page}");
            }
        }
        let included = poh_a.get("/api/v1/patients?filter=geincludeerd").await.json();
        assert_eq!(included["total"], 1);
        assert_eq!(included["patients"][0]["id"], w.a1);
        assert_eq!(included["patients"][0]["status"], "included");
        assert_eq!(included["patients"][0]["care_plan"], true);
        let all = poh_a.get("/api/v1/patients").await.json();
        assert_eq!(all["page_size"], 50);
        assert_eq!(all["pages"], all["total"].as_u64().unwrap().div_ceil(50).max(1));
        t.finish().await;
    }
}

#[tokio::test]
async fn a_large_practice_is_paged_by_fifty_alike_in_the_api_and_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let region = kernteam_synth::generate_region(
        &kernteam_synth::RegionOptions {
            practices: 1,
            patients_per_practice: Some(1500),
            seed: 5,
            extract_date: chrono::NaiveDate::from_ymd_opt(2027, 7, 1).unwrap(),
        },
        dir.path(),
        &mut |_, _| {},
    )
    .unwrap();
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let options = kernteam_import::ImportOptions {
            today: chrono::NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
            progress: false,
        };
        kernteam_import::import_extract(&t.db, &region[0].dir, &options)
            .await
            .unwrap();
        let practice = t.db.practice_by_agb(&region[0].agb_code).await.unwrap().unwrap().id;
        kernteam_store::audited!(t.db, testing::entry(), |ch| ch.create_user(
            &kernteam_store::people::NewUser {
                username: "poh-c".into(),
                display_name: "Carla Poh".into(),
                role: kernteam_domain::access::Role::PohO,
                practice_id: Some(practice),
                organisation_id: None,
                password_hash: kernteam_web::hash_password(common::PASSWORD.into()).await.unwrap(),
                is_admin: false,
            }
        ))
        .unwrap();
        let poh_c = Client::sign_in(&w.app, "poh-c").await;
        let first = poh_c.get("/api/v1/patients").await.json();
        let total = first["total"].as_u64().unwrap() as usize;
        let pages = first["pages"].as_u64().unwrap() as usize;
        assert!(total > 100, "{total} patients of 75+");
        assert_eq!(pages, total.div_ceil(50));
        let mut seen = Vec::new();
        for page in 1..=pages + 1 {
            let api = poh_c.get(&format!("/api/v1/patients?page={page}")).await.json();
            let html = poh_c.get(&format!("/patienten?pagina={page}")).await.text();
            let ids: Vec<i64> = api["patients"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids, page_ids(&html), "page {page}");
            assert_eq!(api["page"], page.min(pages));
            if page <= pages {
                assert_eq!(ids.len(), if page < pages { 50 } else { total - 50 * (pages - 1) });
                seen.extend(ids);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), total, "every patient on exactly one page");
        for (filter, _) in kernteam_web::patients::LIST_FILTERS {
            let api = poh_c.get(&format!("/api/v1/patients?filter={filter}")).await.json();
            let html = poh_c.get(&format!("/patienten?filter={filter}")).await.text();
            assert_eq!(api["total"].as_u64().unwrap() as usize, page_total(&html), "{filter}");
        }
        t.finish().await;
    }
}
