//! The portal end to end through the real router, on SQLite and PostgreSQL: the POH-O
//! invites the patient (the letter's code), the patient activates it (password, then TOTP),
//! sees their plan, writes to the team and the POH-O answers (notified, sees who read
//! what); a mantelzorger sees nothing without consent, the agreements after it, nothing
//! again the moment it is withdrawn; staff routes are 404 for portal users; codes work once
//! and not after withdrawal; accounts end (by the practice, on exclusion).

mod common;

use axum::http::StatusCode;
use common::portal::{activate, between, invitation, post_activation};
use common::{audit_rows, Client};
use kernteam_store::testing;

fn thread_of(location: Option<&str>) -> i64 {
    let l = location.expect("a redirect");
    l.trim_start_matches("/portaal/berichten/")
        .split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no thread in {l}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_patient_and_the_mantelzorger_in_the_portal() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;

        // The POH-O invites the patient from the record: a letter with the code.
        let overview = poh.get(&format!("/patienten/{}/portaal", w.b1)).await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.text());
        assert!(
            overview.text().contains("Karin Bakker"),
            "the mantelzorger can be invited"
        );
        let letter = poh
            .post_form(&format!("/patienten/{}/portaal/uitnodigen", w.b1), &[("member", "")])
            .await;
        assert_eq!(letter.status, StatusCode::OK, "{}", letter.text());
        let html = letter.text();
        assert!(html.contains("Uw zorgplan op internet") && html.contains("/inloggen/activeren"));
        assert!(html.contains("Niet voor spoed"));
        let code = between(&html, "<p class=\"code\">", "<").to_string();
        assert_eq!(code.len(), 19, "four groups of four: {code}");
        let stored: String = kernteam_store::sqlx::query_scalar("SELECT code_hash FROM portal_invitations")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        assert!(!stored.contains(&code.replace('-', "")), "only a hash is kept");

        // The patient activates it (password, then the second factor) and sees their plan.
        let patient = activate(&w.app, &code.to_lowercase(), "cornelia").await;
        let again = post_activation(&w.app, &code, "cornelia2").await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a code works once");
        let home = patient.get("/").await;
        assert_eq!(home.location(), Some("/portaal"));
        let home = patient.get("/portaal").await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.text());
        let text = home.text();
        assert!(
            text.contains("Niet voor spoed") && text.contains("Fenna Fysio"),
            "{text}"
        );
        let plan = patient.get("/portaal/zorgplan").await;
        assert_eq!(plan.status, StatusCode::OK);
        assert!(plan.text().contains("Blijven zingen") && plan.text().contains("Valrisico bespreken"));
        assert_eq!(patient.get("/portaal/afdrukken").await.status, StatusCode::OK);
        assert_eq!(patient.get("/portaal/wensen").await.status, StatusCode::OK);
        assert_eq!(patient.get("/portaal/toestemming").await.status, StatusCode::OK);

        // Every staff route is 404 for them, and the attempt is audited.
        for path in [
            "/patienten".to_string(),
            format!("/patienten/{}", w.b1),
            format!("/patienten/{}/zorgplan", w.b1),
            format!("/patienten/{}/berichten", w.b1),
            "/werklijst".into(),
            "/regio".into(),
            "/beheer".into(),
            "/meldingen".into(),
            "/api/v1/patients".into(),
            format!("/api/v1/patients/{}", w.b1),
            "/fhir/Patient".into(),
        ] {
            assert_eq!(patient.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        let posted = patient
            .post_form(
                &format!("/patienten/{}/team", w.b1),
                &[("kind", "mantelzorger"), ("name", "X")],
            )
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND);
        let patient_id: i64 = kernteam_store::sqlx::query_scalar("SELECT user_id FROM portal_accounts")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        let rows = audit_rows(&t.db, patient_id).await;
        assert!(rows
            .iter()
            .any(|(p, a)| *p == Some(w.b1) && a == "portaal: zorgplan ingezien"));
        assert!(rows.iter().filter(|(_, a)| a == "toegang geweigerd").count() >= 12);

        // The patient writes to the team; the POH-O is told, answers, and sees who read it.
        let sent = patient
            .post_form(
                "/portaal/berichten",
                &[("subject", "Vraag over de fysio"), ("body", "Wanneer komt Fenna?")],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        let thread = thread_of(sent.location());
        let notes = poh.get("/meldingen").await;
        assert!(notes.text().contains("Nieuw bericht van"), "{}", notes.text());
        let list = poh.get(&format!("/patienten/{}/berichten", w.b1)).await;
        assert!(list.text().contains("Vraag over de fysio"));
        let seen = poh.get(&format!("/patienten/{}/berichten/{thread}", w.b1)).await;
        assert!(seen.text().contains("Wanneer komt Fenna?"));
        let answered = poh
            .post_form(
                &format!("/patienten/{}/berichten/{thread}", w.b1),
                &[("body", "Donderdag om tien uur.")],
            )
            .await;
        assert_eq!(answered.status, StatusCode::SEE_OTHER);
        let unread = patient.get("/portaal/berichten").await;
        assert!(unread.text().contains("1 nieuw"), "{}", unread.text());
        let read = patient.get(&format!("/portaal/berichten/{thread}")).await;
        assert!(read.text().contains("Donderdag om tien uur."));
        let team_view = poh.get(&format!("/patienten/{}/berichten/{thread}", w.b1)).await;
        assert!(
            team_view.text().contains("Gelezen door Cornelia"),
            "{}",
            team_view.text()
        );

        // Threads of the team and of other patients do not exist in the portal.
        let team_only = poh
            .post_form(
                &format!("/patienten/{}/berichten", w.b1),
                &[("subject", "Intern"), ("body", "Alleen team"), ("team_only", "1")],
            )
            .await;
        let team_thread: i64 = team_only
            .location()
            .unwrap()
            .split('/')
            .nth(4)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            patient.get(&format!("/portaal/berichten/{team_thread}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(!patient.get("/portaal/berichten").await.text().contains("Intern"));
        let other = Client::sign_in(&w.app, "poh-a").await;
        let elsewhere = other
            .post_form(
                &format!("/patienten/{}/berichten", w.a1),
                &[("subject", "A"), ("body", "B")],
            )
            .await;
        let other_thread: i64 = elsewhere
            .location()
            .unwrap()
            .split('/')
            .nth(4)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            patient.get(&format!("/portaal/berichten/{other_thread}")).await.status,
            StatusCode::NOT_FOUND
        );
        let into_other = patient
            .post_form(&format!("/portaal/berichten/{other_thread}"), &[("body", "x")])
            .await;
        assert_eq!(into_other.status, StatusCode::NOT_FOUND);

        // A proposal for the next care plan reaches the POH-O.
        let proposed = patient
            .post_form("/portaal/voorstel", &[("kind", "goal"), ("text", "Weer naar het koor")])
            .await;
        assert_eq!(proposed.status, StatusCode::SEE_OTHER);
        assert!(poh
            .get(&format!("/patienten/{}/portaal", w.b1))
            .await
            .text()
            .contains("Weer naar het koor"));
        let form = poh.get(&format!("/patienten/{}/zorgplan/wijzigen", w.b1)).await;
        assert!(form.text().contains("Voorstellen uit het portaal") && form.text().contains("Weer naar het koor"));

        // The mantelzorger: nothing without consent.
        let code = invitation(&t.db, w.b1, Some(w.b1_member), w.poh_b).await;
        let carer = activate(&w.app, &code, "karin").await;
        let home = carer.get("/portaal").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text().contains("U ziet hier nog niets"));
        assert!(!home.text().contains("Fenna Fysio"));
        for path in [
            "/portaal/zorgplan".to_string(),
            "/portaal/afdrukken".into(),
            "/portaal/wensen".into(),
            "/portaal/berichten".into(),
            format!("/portaal/berichten/{thread}"),
            "/portaal/toestemming".into(),
        ] {
            assert_eq!(carer.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(carer.get("/portaal/belasting").await.status, StatusCode::OK);
        let load = carer
            .post_form("/portaal/belasting", &[("load", "zwaar"), ("need", "Een avond vrij")])
            .await;
        assert_eq!(load.status, StatusCode::SEE_OTHER);
        assert!(poh
            .get(&format!("/patienten/{}/portaal", w.b1))
            .await
            .text()
            .contains("Een avond vrij"));

        // The patient consents to the agreements: the mantelzorger sees them, not the PZP.
        let member = w.b1_member.to_string();
        let set = patient
            .post_form("/portaal/toestemming", &[("member", &member), ("level", "agreements")])
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text());
        let plan = carer.get("/portaal/zorgplan").await;
        assert_eq!(plan.status, StatusCode::OK);
        assert!(plan.text().contains("Blijven zingen"));
        assert_eq!(carer.get("/portaal/wensen").await.status, StatusCode::NOT_FOUND);
        assert!(carer
            .get("/portaal/berichten")
            .await
            .text()
            .contains("Vraag over de fysio"));
        assert_eq!(carer.get("/portaal/toestemming").await.status, StatusCode::NOT_FOUND);
        patient
            .post_form("/portaal/toestemming", &[("member", &member), ("level", "also_pzp")])
            .await;
        assert_eq!(carer.get("/portaal/wensen").await.status, StatusCode::OK);

        // Withdrawn: at once.
        patient
            .post_form("/portaal/toestemming", &[("member", &member), ("level", "none")])
            .await;
        assert_eq!(carer.get("/portaal/zorgplan").await.status, StatusCode::NOT_FOUND);
        assert!(poh
            .get(&format!("/patienten/{}/portaal", w.b1))
            .await
            .text()
            .contains("Niets"));

        // A mantelzorger of another patient's team cannot be chosen.
        let wrong = patient
            .post_form(
                "/portaal/toestemming",
                &[("member", &w.a1_wvk_member.to_string()), ("level", "agreements")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);

        // A mantelzorger taken off the care team sees nothing, whatever the consent.
        patient
            .post_form("/portaal/toestemming", &[("member", &member), ("level", "agreements")])
            .await;
        assert_eq!(carer.get("/portaal/zorgplan").await.status, StatusCode::OK);
        let removed = poh
            .post_form(
                &format!("/patienten/{}/team/{}/verwijderen", w.b1, w.b1_member),
                &[("bevestigd", "ja")],
            )
            .await;
        assert!(removed.status.is_redirection(), "{}", removed.status);
        assert_eq!(carer.get("/portaal").await.status, StatusCode::NOT_FOUND);
        assert_eq!(carer.get("/portaal/zorgplan").await.status, StatusCode::NOT_FOUND);

        // A withdrawn invitation's code does not work.
        let code = invitation(&t.db, w.b1, None, w.poh_b).await;
        let id: i64 = kernteam_store::sqlx::query_scalar("SELECT MAX(id) FROM portal_invitations")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        let withdrawn = poh
            .post_form(
                &format!("/patienten/{}/portaal/uitnodigingen/{id}/intrekken", w.b1),
                &[],
            )
            .await;
        assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
        assert_eq!(
            post_activation(&w.app, &code, "nog-een").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // Another practice's POH-O cannot invite or end anything here.
        assert_eq!(
            other
                .post_form(&format!("/patienten/{}/portaal/uitnodigen", w.b1), &[("member", "")])
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The practice ends the mantelzorger's account: signed out at once.
        let carer_id: i64 =
            kernteam_store::sqlx::query_scalar("SELECT user_id FROM portal_accounts WHERE kind = 'mantelzorger'")
                .fetch_one(t.db.pool())
                .await
                .unwrap();
        let ended = poh
            .post_form(
                &format!("/patienten/{}/portaal/accounts/{carer_id}/beeindigen", w.b1),
                &[],
            )
            .await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER);
        assert_eq!(carer.get("/portaal").await.location(), Some("/inloggen"));

        // The patient leaves the programme: their account ends with it.
        let excluded = poh
            .post_form(
                &format!("/patienten/{}/exclusie", w.b1),
                &[
                    ("decided_on", &chrono::Local::now().date_naive().to_string()),
                    ("reason", "overleden"),
                    ("bevestigd", "ja"),
                ],
            )
            .await;
        assert!(
            excluded.status.is_redirection(),
            "{} {}",
            excluded.status,
            excluded.text()
        );
        assert_eq!(patient.get("/portaal").await.location(), Some("/inloggen"));
        t.finish().await;
    }
}
