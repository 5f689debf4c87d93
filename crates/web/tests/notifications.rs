//! Notifications inside Kernteam, on SQLite and PostgreSQL: a professional added to a care
//! team, given a care-plan action, or sent a message is told (never the one who did it);
//! opening the list marks them read. The first point of contact invites to the portal; a
//! portal user ends their own account.

mod common;

use axum::http::StatusCode;
use common::portal::{activate, invitation};
use common::Client;
use kernteam_store::testing;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn professionals_are_told_and_portal_users_can_leave() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        let team = Client::sign_in(&w.app, "wvk-team").await;
        assert!(!other.get("/meldingen").await.text().contains("zorgteam"));

        // Added to a1's care team.
        let added = poh
            .post_form(
                &format!("/patienten/{}/team", w.a1),
                &[("kind", "professional"), ("user_id", &w.wvk_other.to_string())],
            )
            .await;
        assert!(added.status.is_redirection(), "{} {}", added.status, added.text());
        let menu = other.get("/patienten").await.text();
        assert!(
            menu.contains("Meldingen <span class=\"badge\">1"),
            "the unread count in the menu"
        );
        let list = other.get("/meldingen").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.text().contains("heeft u toegevoegd aan een zorgteam"),
            "{}",
            list.text()
        );
        assert!(list.text().contains("nieuw"));
        assert!(
            !other.get("/meldingen").await.text().contains(">nieuw<"),
            "read once opened"
        );
        assert!(
            !poh.get("/meldingen").await.text().contains("toegevoegd"),
            "not the one who did it"
        );

        // Given an action in the care plan.
        let path = format!("/api/v1/patients/{}/care-plan", w.a1);
        let current = poh.get(&path).await.json();
        let mut plan = current["plan"].clone();
        plan["actions"] = json!([{
            "what": "Wondzorg bij huisbezoek", "who": "", "member": w.a1_wvk_member,
            "due": "2027-10-01", "status": "gepland"
        }]);
        let saved = poh
            .api(
                "PUT",
                &path,
                Some(json!({ "based_on": current["version"], "plan": plan })),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
        assert!(team
            .get("/meldingen")
            .await
            .text()
            .contains("U hebt een actie gekregen: Wondzorg bij huisbezoek"));

        // Sent a message about a patient whose team they are on.
        let sent = poh
            .post_form(
                &format!("/patienten/{}/berichten", w.a1),
                &[
                    ("subject", "Overleg"),
                    ("body", "Kun je donderdag?"),
                    ("team_only", "1"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        assert!(team
            .get("/meldingen")
            .await
            .text()
            .contains("Nieuw bericht van Petra Poh"));
        // A network professional reads the team's thread on the record they share.
        let threads = team.get(&format!("/patienten/{}/berichten", w.a1)).await;
        assert!(threads.text().contains("Overleg") && threads.text().contains("alleen het zorgteam"));

        // The first point of contact (here a network professional) may invite; another
        // member of the team may not.
        let invite = format!("/patienten/{}/portaal/uitnodigen", w.a1);
        assert_eq!(
            team.post_form(&invite, &[("member", "")]).await.status,
            StatusCode::FORBIDDEN
        );
        kernteam_store::audited!(t.db, testing::entry(), |ch| ch.set_first_contact(
            w.a1,
            w.a1_wvk_member,
            w.poh_a,
            chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()
        ))
        .unwrap();
        let letter = team.post_form(&invite, &[("member", "")]).await;
        assert_eq!(letter.status, StatusCode::OK, "{}", letter.text());
        assert!(letter.text().contains("<p class=\"code\">"));
        assert_eq!(
            other.post_form(&invite, &[("member", "")]).await.status,
            StatusCode::FORBIDDEN
        );

        // A patient ends their own account: signed out, and it cannot sign in again.
        let code = invitation(&t.db, w.a1, None, w.poh_a).await;
        let patient = activate(&w.app, &code, "anna-a1").await;
        assert_eq!(patient.get("/portaal/account").await.status, StatusCode::OK);
        let ended = patient.post_form("/portaal/account/beeindigen", &[]).await;
        assert_eq!(ended.location(), Some("/inloggen"));
        assert_eq!(patient.get("/portaal").await.location(), Some("/inloggen"));
        let again = common::post_sign_in(&w.app, "anna-a1", common::PASSWORD).await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED);
        let overview = poh.get(&format!("/patienten/{}/portaal", w.a1)).await;
        assert!(overview.text().contains("Beëindigd"), "{}", overview.text());
        t.finish().await;
    }
}
