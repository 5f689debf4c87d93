//! The legal representative in the portal, through the real router on SQLite and
//! PostgreSQL: the PZP names a mantelzorger as legal representative; their portal account
//! then acts for the patient (sees what the patient sees, chooses what other mantelzorgers
//! see), and every such step is audited as done on the patient's behalf. A plain
//! mantelzorger cannot; once the designation ends the representative can no longer, at once.

mod common;

use axum::http::StatusCode;
use common::portal::{activate, invitation};
use common::Client;
use kernteam_domain::portal::ConsentLevel;
use kernteam_store::care::NewTeamMember;
use kernteam_store::testing;

/// Saves the PZP with `member` ("" for none) as the representative in the portal.
async fn designate(poh: &Client, patient: i64, member: &str) -> common::Resp {
    let path = format!("/patienten/{patient}/pzp");
    let page = poh.get(&format!("{path}?wijzigen=ja")).await.text();
    let based_on = common::portal::between(&page, "name=\"based_on\" value=\"", "\"").to_string();
    poh.post_form(&path, &[("based_on", &based_on), ("representative_member", member)])
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_legal_representative_chooses_for_the_patient_until_the_designation_ends() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        // A second mantelzorger, whose view the representative chooses.
        let piet = kernteam_store::audited!(t.db, testing::entry(), |ch| ch.add_team_member(
            w.b1,
            &NewTeamMember {
                kind: "mantelzorger".into(),
                name: "Piet Bakker".into(),
                relation: Some("zoon".into()),
                ..Default::default()
            },
            w.poh_b,
        ))
        .unwrap();
        let karin = activate(
            &w.app,
            &invitation(&t.db, w.b1, Some(w.b1_member), w.poh_b).await,
            "karin",
        )
        .await;
        let piet_client = activate(&w.app, &invitation(&t.db, w.b1, Some(piet), w.poh_b).await, "piet").await;
        let piet_member = piet.to_string();
        let choose_for_piet = [("member", piet_member.as_str()), ("level", "agreements")];

        // A plain mantelzorger does not choose, and sees nothing without consent.
        assert_eq!(karin.get("/portaal/toestemming").await.status, StatusCode::NOT_FOUND);
        let tried = karin.post_form("/portaal/toestemming", &choose_for_piet).await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND);
        assert_eq!(t.db.consent(piet).await.unwrap(), ConsentLevel::None);
        assert_eq!(karin.get("/portaal/wensen").await.status, StatusCode::NOT_FOUND);

        // The PZP names only a mantelzorger of the care team.
        let stranger = designate(&poh, w.b1, &w.b1_professional.to_string()).await;
        assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stranger.text());
        let form = poh.get(&format!("/patienten/{}/pzp?wijzigen=ja", w.b1)).await.text();
        assert!(form.contains("Wettelijk vertegenwoordiger in het portaal") && form.contains("Karin Bakker"));

        // Designated: Karin acts for the patient.
        let saved = designate(&poh, w.b1, &w.b1_member.to_string()).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let version =
            t.db.latest_version(kernteam_store::program::Document::Pzp, w.b1)
                .await
                .unwrap()
                .expect("a PZP version");
        assert!(
            version
                .summary
                .contains("Wettelijk vertegenwoordiger in het portaal aangewezen"),
            "{}",
            version.summary
        );
        let shown = poh.get(&format!("/patienten/{}/pzp", w.b1)).await.text();
        assert!(
            shown.contains("<dt>Handelt namens de patiënt in het portaal</dt><dd>Karin Bakker</dd>"),
            "{shown}"
        );
        let home = karin.get("/portaal").await;
        assert!(
            home.text().contains("wettelijk vertegenwoordiger van"),
            "{}",
            home.text()
        );
        assert!(home.text().contains("namens"));
        assert_eq!(karin.get("/portaal/wensen").await.status, StatusCode::OK);
        assert_eq!(karin.get("/portaal/zorgplan").await.status, StatusCode::OK);
        let page = karin.get("/portaal/toestemming").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("U beslist namens"), "{}", page.text());
        let chosen = karin.post_form("/portaal/toestemming", &choose_for_piet).await;
        assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.text());
        assert_eq!(t.db.consent(piet).await.unwrap(), ConsentLevel::Agreements);
        assert_eq!(
            piet_client.get("/portaal/zorgplan").await.status,
            StatusCode::OK,
            "at once"
        );
        let staff = poh.get(&format!("/patienten/{}/portaal", w.b1)).await.text();
        assert!(staff.contains("wettelijk vertegenwoordiger: alles, handelt namens de patiënt"));
        assert!(staff.contains("gekozen door Karin Bakker"), "{staff}");

        // Every step of hers is audited on the patient's behalf.
        let karin_id = t.db.credentials("karin").await.unwrap().unwrap().user.id;
        let rows: Vec<(String, Option<String>, Option<i64>)> = kernteam_store::sqlx::query_as(
            "SELECT action, on_behalf_of, patient_id FROM audit_log WHERE user_id = $1 AND outcome = 'allowed' ORDER BY id",
        )
        .bind(karin_id)
        .fetch_all(t.db.pool())
        .await
        .unwrap();
        let behalf = Some(kernteam_app::portal_gate::ON_BEHALF.to_string());
        let set = rows
            .iter()
            .find(|(a, _, _)| a == "portaal: toestemming voor mantelzorger vastgelegd")
            .expect("the choice is audited");
        assert_eq!((&set.1, set.2), (&behalf, Some(w.b1)));
        assert!(rows
            .iter()
            .any(|(a, b, _)| a == "portaal: wensen en grenzen ingezien" && *b == behalf));
        assert!(
            rows.iter().any(|(_, b, _)| b.is_none()),
            "what she did before the designation was her own"
        );

        // The designation ends: at once, she no longer chooses nor sees the PZP.
        let ended = designate(&poh, w.b1, "").await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.text());
        assert_eq!(karin.get("/portaal/toestemming").await.status, StatusCode::NOT_FOUND);
        assert_eq!(karin.get("/portaal/wensen").await.status, StatusCode::NOT_FOUND);
        let again = karin
            .post_form(
                "/portaal/toestemming",
                &[("member", piet_member.as_str()), ("level", "none")],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert_eq!(t.db.consent(piet).await.unwrap(), ConsentLevel::Agreements, "unchanged");
        assert!(!karin
            .get("/portaal")
            .await
            .text()
            .contains("wettelijk vertegenwoordiger van"));
    }
}
