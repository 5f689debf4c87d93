//! Proactive care planning (PZP) over HTTP, for the pages and the API, on SQLite and
//! PostgreSQL: what is saved is stored and versioned; the care team (network
//! professionals included) sees it, others get 404; bad input is refused with Dutch
//! messages, stores nothing, and the stored PZP shown again with the form is an audited read.

mod common;
mod process_people;

use axum::http::StatusCode;
use common::{audit_rows, seed, Client};
use kernteam_domain::pzp::{AdvanceCarePlan, WishDecision};
use kernteam_store::program::Document;
use kernteam_store::{testing, Db};
use process_people::{assert_documented, dmy, more_people, page_with_csrf, post, today};
use serde_json::json;

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

#[tokio::test]
async fn pzp_limits_are_versioned_and_seen_by_the_care_team() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let people = more_people(&w).await;
        let a1 = w.a1;
        let path = format!("/patienten/{a1}/pzp");
        let day = today();
        let earlier = day - chrono::Duration::days(7);
        let carer = kernteam_store::audited!(w.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
            a1,
            &kernteam_store::care::NewTeamMember {
                kind: "mantelzorger".into(),
                name: "Anna Jansen".into(),
                relation: Some("dochter".into()),
                ..Default::default()
            },
            w.poh_a,
        ))
        .unwrap();

        // The PZP opens read-only, with "Wijzigen" for a clinician of the practice.
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let page = poh.get(&path).await.text();
        assert!(page.contains("Nog geen proactieve zorgplanning vastgelegd."), "{page}");
        assert!(page.contains("id=\"pzp-wijzigen\""), "{page}");
        assert!(!page.contains("name=\"based_on\""), "read view first: {page}");

        // The huisarts opens the form and records a conversation and treatment limits.
        let gp = Client::sign_in(&w.app, "ha-a").await;
        let (page, csrf) = page_with_csrf(&gp, &format!("{path}?wijzigen=ja")).await;
        assert!(page.contains("Er zijn geen behandelgrenzen vastgelegd."));
        assert!(
            page.contains(&format!(
                "<option value=\"{}\" selected>Hanna Arts</option>",
                people.gp_a
            )),
            "the signed-in GP is preselected as responsible: {page}"
        );
        assert!(
            page.contains(&format!("name=\"conv_carer_{carer}\""))
                && page.contains("Anna Jansen (mantelzorger, dochter)"),
            "the mantelzorgers come from the care team: {page}"
        );
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
            ("conv_others", "huisarts Janssen"),
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
        let carer_field = format!("conv_carer_{carer}");
        let gp_id = people.gp_a.to_string();
        let mut first = pzp_form(&csrf, "0", &wishes, &extra);
        first.push(("with_wishes".into(), "1".into()));
        first.push((carer_field.clone(), "1".into()));
        first.push(("responsible_gp".into(), gp_id.clone()));
        let r = post(&gp, &path, &first).await;
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
            reanimatie.recorded_by, "Hanna Arts",
            "…and recorded by the signed-in user"
        );
        assert_eq!(stored.responsible_gp.as_ref().map(|g| g.id), Some(people.gp_a));
        assert_eq!(find(&stored, "beademing").recorded_on, Some(earlier));
        assert_eq!(find(&stored, "Dialyse").decision, WishDecision::Niet);
        assert_eq!(stored.wishes.len(), 7, "the empty row is dropped");
        assert_eq!(stored.conversations.len(), 1);
        assert_eq!(
            stored.conversations[0].participants,
            "Patiënt, Anna Jansen (mantelzorger, dochter), huisarts Janssen"
        );
        assert_eq!(
            stored.conversations[0]
                .carers
                .iter()
                .map(|c| (c.id, c.name.as_str()))
                .collect::<Vec<_>>(),
            [(carer, "Anna Jansen")]
        );
        assert!(stored.niet_reanimeren.present && !stored.wilsverklaring.present);

        // The page: the limits on top with the GP who agreed them, the flash, the version.
        let page = poh.get(&format!("{path}?melding=opgeslagen")).await.text();
        assert!(
            page.contains("Afgesproken met huisarts <strong>Hanna Arts</strong>"),
            "{page}"
        );
        assert!(
            page.contains("De proactieve zorgplanning is opgeslagen als versie 1."),
            "{page}"
        );
        let start = page.find("id=\"behandelgrenzen\"").unwrap();
        let limits = &page[start..start + page[start..].find("</section>").unwrap()];
        assert!(limits.contains("Niet reanimeren"), "{limits}");
        assert!(limits.contains("Niet: Dialyse"), "{limits}");
        assert!(!limits.contains("Beademing"), "a wish is not a limit: {limits}");
        assert!(limits.contains("Niet-reanimeren-verklaring aanwezig"), "{limits}");

        // The record overview has the short line.
        let overview = poh.get(&format!("/patienten/{a1}")).await.text();
        assert!(overview.contains("class=\"limits-line\""), "{overview}");
        assert!(overview.contains("Niet reanimeren · Niet: Dialyse."), "{overview}");

        // The POH-O's form has no treatment section; a limit sent anyway is refused (403,
        // audited) and nothing is written.
        let (page, csrf_poh) = page_with_csrf(&poh, &format!("{path}?wijzigen=ja")).await;
        assert!(
            page.contains("id=\"limits-readonly\"") && !page.contains("name=\"w0_decision\""),
            "{page}"
        );
        let mut sneaky = pzp_form(&csrf_poh, "1", &[("antibiotica", "niet", "", "")], &[]);
        sneaky.push(("with_wishes".into(), "1".into()));
        sneaky.push(("responsible_gp".into(), gp_id.clone()));
        let r = post(&poh, &path, &sneaky).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert_eq!(pzp_of(&w.db, a1).await.0, 1);
        assert!(audit_rows(&w.db, w.poh_a)
            .await
            .iter()
            .any(|(p, a)| *p == Some(a1) && a == "toegang geweigerd"));

        // Version 2: ventilation becomes a limit; the form keeps the earlier recordings.
        let (_, csrf) = page_with_csrf(&gp, &format!("{path}?wijzigen=ja")).await;
        let mut wishes2 = wishes;
        wishes2[1] = ("beademing", "niet", "", "");
        wishes2[0] = ("reanimatie", "niet", "", "");
        let with_gp = |mut f: Vec<(String, String)>| {
            f.push(("with_wishes".into(), "1".into()));
            f.push(("responsible_gp".into(), gp_id.clone()));
            f
        };
        let r = post(&gp, &path, &with_gp(pzp_form(&csrf, "1", &wishes2, &extra[5..]))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let (n, v2) = pzp_of(&w.db, a1).await;
        assert_eq!(n, 2);
        assert_eq!(
            find(&v2, "reanimatie"),
            reanimatie,
            "an unchanged choice keeps date and recorder"
        );
        assert_eq!(find(&v2, "beademing").recorded_by, "Hanna Arts");
        assert_eq!(v2.conversations.len(), 1, "earlier conversations stay");

        // Saving the same again writes nothing.
        let r = post(&gp, &path, &with_gp(pzp_form(&csrf, "2", &wishes2, &extra[5..]))).await;
        assert_eq!(r.location(), Some(format!("{path}?melding=ongewijzigd").as_str()));
        assert_eq!(pzp_of(&w.db, a1).await.0, 2);

        // Someone who started from version 1 is refused, with a clear message.
        let mut wishes3 = wishes;
        wishes3[4] = ("antibiotica", "niet", "", "");
        let r = post(&gp, &path, &with_gp(pzp_form(&csrf, "1", &wishes3, &[]))).await;
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
            &gp,
            &path,
            &with_gp(pzp_form(
                &csrf,
                "2",
                &bad,
                &[
                    ("conv_date", &earlier_s),
                    ("conv_patient", "1"),
                    ("conv_summary", &long),
                ],
            )),
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
        assert!(
            history.contains("<td>Hanna Arts</td>"),
            "the responsible GP per version: {history}"
        );
        assert!(history.contains("Verantwoordelijk huisarts: Hanna Arts"), "{history}");
        assert!(history.contains("Reanimatie: Nog niet besproken → Niet"), "{history}");
        assert!(
            history.contains(&format!("Gesprek van {} vastgelegd", dmy(earlier))),
            "{history}"
        );
        let v1 = poh.get(&format!("{path}/versies/1")).await;
        assert_eq!(v1.status, StatusCode::OK);
        let v1 = v1.text();
        assert!(v1.contains("Dit is een eerdere versie"), "{v1}");
        // The banner above shows today's limits; version 1 itself had no "Niet beademen".
        let body = &v1[v1.find("Dit is een eerdere versie").unwrap()..];
        assert!(!body.contains("Niet beademen"), "{v1}");
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
            page.contains("Niet reanimeren") && page.contains("Niet beademen"),
            "{page}"
        );
        assert!(nurse
            .get(&format!("/patienten/{a1}"))
            .await
            .text()
            .contains("Niet reanimeren · Niet beademen · Niet: Dialyse."));
        let api = nurse.api("GET", &format!("/api/v1/patients/{a1}/pzp"), None).await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text());
        let body = api.json();
        assert_eq!(body["version"], 2);
        assert_eq!(body["limits"], json!(["reanimatie", "beademing", "Dialyse"]));
        assert_eq!(body["versions"].as_array().unwrap().len(), 2);
        assert_eq!(body["can_edit"], false, "network professionals read the PZP");
        assert_eq!(body["can_change_limits"], false);
        assert_eq!(
            body["responsible_gp"],
            json!({ "id": people.gp_a, "name": "Hanna Arts" })
        );
        assert_eq!(body["versions"][0]["responsible_gp"]["name"], "Hanna Arts");
        assert!(!page.contains("id=\"pzp-wijzigen\""), "no Wijzigen for the nurse");
        let nurse_edit = nurse.get(&format!("{path}?wijzigen=ja")).await.text();
        assert!(!nurse_edit.contains("name=\"based_on\""), "{nurse_edit}");
        let r = nurse
            .post_form(&path, &[("based_on", "2"), ("legal_representative", "X")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a network professional does not edit the PZP"
        );
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
            page.contains("Niet reanimeren") && !page.contains("name=\"based_on\""),
            "{page}"
        );
        let r = pm.post_form(&path, &[("based_on", "2")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The API: refused for the nurse, and for the POH-O changing a limit; save,
        // conflict, invalid.
        let api_path = format!("/api/v1/patients/{a1}/pzp");
        let mut p = v2.clone();
        p.legal_representative = "Anna Jansen (dochter)".into();
        let r = nurse
            .api("PUT", &api_path, Some(json!({ "based_on": 2, "pzp": p })))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut limit = v2.clone();
        limit.wishes.retain(|x| x.treatment != "Dialyse");
        let r = poh
            .api("PUT", &api_path, Some(json!({ "based_on": 2, "pzp": limit })))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "removing a limit is changing it");
        assert_eq!(pzp_of(&w.db, a1).await.0, 2);
        let nurse = poh;
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

        let actions: Vec<String> = audit_rows(&w.db, people.gp_a)
            .await
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        assert_eq!(
            actions.iter().filter(|a| *a == "pzp gewijzigd").count(),
            2,
            "{actions:?}"
        );
        t.finish().await;
    }
}

/// How often `user` read a1's PZP according to the audit log.
async fn pzp_reads(db: &Db, user: i64, patient: i64) -> usize {
    audit_rows(db, user)
        .await
        .into_iter()
        .filter(|r| *r == (Some(patient), "pzp ingezien".to_string()))
        .count()
}

#[tokio::test]
async fn a_refused_pzp_form_audits_the_stored_pzp_it_shows_again() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let gp_a = more_people(&w).await.gp_a;
        let a1 = w.a1;
        let path = format!("/patienten/{a1}/pzp");
        let poh = Client::sign_in(&w.app, "ha-a").await;
        let (_, csrf) = page_with_csrf(&poh, &format!("{path}?wijzigen=ja")).await;
        let form = |based_on: &str, wishes: &[(&str, &str, &str, &str)]| {
            let mut f = pzp_form(&csrf, based_on, wishes, &[]);
            f.push(("with_wishes".into(), "1".into()));
            f
        };
        let wishes = [("reanimatie", "niet", "", "")];
        let r = post(&poh, &path, &form("0", &wishes)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(
            pzp_of(&w.db, a1).await.1.responsible_gp.map(|g| g.id),
            Some(gp_a),
            "a GP who names nobody is responsible himself"
        );

        // Invalid input: the page shows the stored PZP (its limit) again, and logs that read.
        let before = pzp_reads(&w.db, gp_a, a1).await;
        let bad = [("reanimatie", "misschien", "", "")];
        let r = post(&poh, &path, &form("1", &bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Niet reanimeren"), "the stored PZP is shown");
        assert_eq!(pzp_reads(&w.db, gp_a, a1).await, before + 1, "the re-render is audited");

        // A conflict likewise.
        let other = [("reanimatie", "wel", "", "")];
        let r = post(&poh, &path, &form("0", &other)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(pzp_reads(&w.db, gp_a, a1).await, before + 2, "the re-render is audited");
        assert_eq!(pzp_of(&w.db, a1).await.0, 1, "nothing stored");
        t.finish().await;
    }
}
