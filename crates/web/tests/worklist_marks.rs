//! Working through the worklist and the care plan's assigned actions, on SQLite and
//! PostgreSQL: an item ticked off or put off (with a reason) leaves the list and is audited;
//! ticking off an action completes it in a new care-plan version; actions are assigned to a
//! member of the care team, and "my tasks" lists the user's own.

mod common;

use axum::http::StatusCode;
use common::{audit_rows, seed, yesterday, Client, World};
use kernteam_domain::care::DecisionKind;
use kernteam_store::care::NewDecision;
use kernteam_store::testing;
use serde_json::{json, Value};

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

fn items_of(list: &Value, patient: i64) -> Vec<Value> {
    list["patients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == patient)
        .map(|p| p["items"].as_array().unwrap().clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn items_are_ticked_off_or_put_off_with_a_reason() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.a1).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let before = items_of(&poh.get("/api/v1/worklist").await.json(), w.a1);
        assert!(before.iter().any(|i| i["key"] == "pzp"), "{before:?}");
        let path = format!("/patienten/{}/werklijst", w.a1);

        // Without a reason nothing is stored.
        let r = poh
            .post_form(&path, &[("sleutel", "pzp"), ("wat", "afvinken"), ("reden", " ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Geef een reden op."));
        assert_eq!(
            items_of(&poh.get("/api/v1/worklist").await.json(), w.a1).len(),
            before.len()
        );

        // Ticked off: gone from the list, back to the list as it was, audited.
        let r = poh
            .post_form(
                &path,
                &[
                    ("sleutel", "pzp"),
                    ("wat", "afvinken"),
                    ("reden", "PZP-gesprek gepland op 12 januari"),
                    ("terug", "weergave=praktijk&sorteer=naam&pagina=1&elders=x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(
            r.headers["location"],
            "/werklijst?weergave=praktijk&sorteer=naam&pagina=1&melding=afgevinkt"
        );
        let after = items_of(&poh.get("/api/v1/worklist").await.json(), w.a1);
        assert!(!after.iter().any(|i| i["key"] == "pzp"));
        assert_eq!(after.len(), before.len() - 1);
        assert!(audit_rows(&w.db, w.poh_a)
            .await
            .contains(&(Some(w.a1), "werklijst: punt afgevinkt of uitgesteld".to_string())));

        // Put off: gone until the day chosen; a day in the past is refused.
        let r = poh
            .post_form(
                &path,
                &[
                    ("sleutel", "aanspreekpunt"),
                    ("wat", "uitstellen"),
                    ("tot", &yesterday()),
                    ("reden", "later"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let next_week = (chrono::Local::now().date_naive() + chrono::Duration::days(7)).to_string();
        let r = poh
            .post_form(
                &path,
                &[
                    ("sleutel", "aanspreekpunt"),
                    ("wat", "uitstellen"),
                    ("tot", &next_week),
                    ("reden", "Huisarts met vakantie"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let after = items_of(&poh.get("/api/v1/worklist").await.json(), w.a1);
        assert!(!after.iter().any(|i| i["key"] == "aanspreekpunt"));
        let marks = w.db.practice_worklist_marks(w.practice_a).await.unwrap();
        assert_eq!(marks.len(), 2);
        assert_eq!(marks[1].reason, "Huisarts met vakantie");

        // An item that is not on the list (or a handover) cannot be marked.
        let r = poh
            .post_form(
                &path,
                &[("sleutel", "overdracht:1"), ("wat", "afvinken"), ("reden", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Someone off the patient's team and outside the practice is refused.
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        let r = other
            .post_form(&path, &[("sleutel", "mdo"), ("wat", "afvinken"), ("reden", "x")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(w.db.practice_worklist_marks(w.practice_a).await.unwrap().len(), 2);
        t.finish().await;
    }
}

#[tokio::test]
async fn actions_are_assigned_from_the_care_team_and_done_from_the_list() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.a1).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;

        // The form offers the care team as "wie".
        let form = poh.get(&format!("/patienten/{}/zorgplan/wijzigen", w.a1)).await;
        assert_eq!(form.status, StatusCode::OK);
        let html = form.text();
        assert!(html.contains(&format!(
            "<option value=\"m:{}\">Wies Wijk (Wijkverpleegkundige)</option>",
            w.a1_wvk_member
        )));

        // An action for the district nurse, in the functional domain, due yesterday.
        let member = format!("m:{}", w.a1_wvk_member);
        let due = yesterday();
        let r = poh
            .post_form(
                &format!("/patienten/{}/zorgplan", w.a1),
                &[
                    ("based_on", "1"),
                    ("wishes", "Thuis blijven wonen"),
                    ("goal_domain", "functioneel"),
                    ("goal", "Zelf de trap op"),
                    ("action_domain", "functioneel"),
                    ("action_mdo", ""),
                    ("action_what", "Oefenen met traplopen"),
                    ("action_who", &member),
                    ("action_due", &due),
                    ("action_status", "gepland"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let plan = poh.get(&format!("/api/v1/patients/{}/care-plan", w.a1)).await.json();
        assert_eq!(
            plan["plan"]["actions"][0]["who"], "Wies Wijk",
            "the name comes from the team"
        );
        assert_eq!(plan["plan"]["actions"][0]["member"], w.a1_wvk_member);
        assert_eq!(
            plan["plan"]["goals"][0],
            json!({ "domain": "functioneel", "text": "Zelf de trap op" })
        );

        // The read view shows it under its domain.
        let view = poh.get(&format!("/patienten/{}/zorgplan", w.a1)).await.text();
        assert!(view.contains("id=\"domein-functioneel\""));
        assert!(view.contains("Oefenen met traplopen"));
        assert!(view.contains("Zorgplan wijzigen"));

        // Someone not on the team cannot be chosen.
        let r = poh
            .post_form(
                &format!("/patienten/{}/zorgplan", w.a1),
                &[
                    ("based_on", "2"),
                    ("action_domain", "functioneel"),
                    ("action_mdo", ""),
                    ("action_what", "Iets"),
                    ("action_who", &format!("m:{}", w.b1_member)),
                    ("action_due", ""),
                    ("action_status", "gepland"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("hoort niet (meer) bij het zorgteam"));

        // The nurse's own tasks hold it; the POH-O's own tasks do not.
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        let mine = nurse.get("/api/v1/worklist").await.json();
        let items = items_of(&mine, w.a1);
        assert_eq!(items.len(), 1);
        let key = items[0]["key"].as_str().unwrap().to_string();
        let poh_tasks = poh.get("/api/v1/worklist?view=my_tasks").await.json();
        assert_eq!(poh_tasks["patients"], json!([]));
        let page = nurse.get("/werklijst").await.text();
        assert!(page.contains("Oefenen met traplopen"));

        // She ticks it off from her list: the action is done in a new version of the plan.
        let r = nurse
            .post_form(
                &format!("/patienten/{}/werklijst", w.a1),
                &[
                    ("sleutel", &key),
                    ("wat", "afvinken"),
                    ("reden", "Loopt de trap weer zelf op"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(r.headers["location"]
            .to_str()
            .unwrap()
            .ends_with("melding=actie-afgerond"));
        let plan = poh.get(&format!("/api/v1/patients/{}/care-plan", w.a1)).await.json();
        assert_eq!(plan["version"], 3);
        assert_eq!(plan["plan"]["actions"][0]["status"], "afgerond");
        let versions = poh
            .get(&format!("/api/v1/patients/{}/care-plan/versions", w.a1))
            .await
            .json();
        assert_eq!(
            versions["versions"][0]["changes"][0],
            "Actie afgerond vanuit de werklijst: Oefenen met traplopen (Loopt de trap weer zelf op)"
        );
        assert_eq!(
            items_of(&nurse.get("/api/v1/worklist").await.json(), w.a1),
            Vec::<Value>::new()
        );
        t.finish().await;
    }
}
