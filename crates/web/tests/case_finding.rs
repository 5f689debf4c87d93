//! Case finding over HTTP, on SQLite and PostgreSQL: the list of 75+ without a frail-elder
//! episode ordered by index (every patient shown in the audit log), screening with its
//! score and trend, the conclusion taking the patient off the list, and the inclusion that
//! is an exception asking for its reason.

mod common;

use axum::http::StatusCode;
use common::{audit_rows, count, seed, yesterday, Client, World};
use kernteam_store::testing;

/// The patient ids on a case-finding page, in order.
fn candidates(html: &str) -> Vec<i64> {
    html.split("id=\"kandidaat-")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

/// The deficit counts shown, in order ("9 van 36" → 9).
fn scores(html: &str) -> Vec<usize> {
    html.split("<td><strong>")
        .skip(1)
        .filter_map(|s| s.split(" van ").next()?.parse().ok())
        .collect()
}

async fn list_reads(w: &World, user: i64) -> Vec<Option<i64>> {
    audit_rows(&w.db, user)
        .await
        .into_iter()
        .filter(|(_, a)| a == "opsporing kwetsbare ouderen bekeken")
        .map(|(p, _)| p)
        .collect()
}

#[tokio::test]
async fn the_list_orders_candidates_by_index_and_audits_each_one_shown() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let r = poh.get("/opsporing").await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.text();
        assert!(html.contains("geen diagnose"), "the page says the index is a signal");
        let ids = candidates(&html);
        assert!(!ids.is_empty(), "the example practice has 75+ without an episode");
        // a1 has an A05 episode: never a candidate. a2's episode ended: a candidate.
        assert!(!ids.contains(&w.a1));
        assert!(ids.contains(&w.a2), "{ids:?}");
        let s = scores(&html);
        assert_eq!(s.len(), ids.len());
        assert!(s.windows(2).all(|p| p[0] >= p[1]), "highest index first: {s:?}");

        // One record of the list and one per patient shown, in each patient's trail too.
        let reads = list_reads(&w, w.poh_a).await;
        assert_eq!(reads.iter().filter(|p| p.is_none()).count(), 1);
        let mut named: Vec<i64> = reads.into_iter().flatten().collect();
        named.sort_unstable();
        let mut expected = ids.clone();
        expected.sort_unstable();
        assert_eq!(named, expected);
        assert!(w
            .db
            .audit_for_patient(ids[0])
            .await
            .unwrap()
            .iter()
            .any(|r| r.action == "opsporing kwetsbare ouderen bekeken"));

        // Filters narrow the list; an unknown band shows everyone.
        let severe = candidates(&poh.get("/opsporing?band=ernstig").await.text());
        assert!(severe.len() <= ids.len());
        let poly = candidates(&poh.get("/opsporing?polyfarmacie=1").await.text());
        assert!(poly.iter().all(|id| ids.contains(id)));
        assert_eq!(candidates(&poh.get("/opsporing?band=onzin").await.text()), ids);

        // Network professionals and region staff have no case finding.
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        assert_eq!(nurse.get("/opsporing").await.status, StatusCode::FORBIDDEN);
        t.finish().await;
    }
}

#[tokio::test]
async fn screening_and_confirmation_lead_to_an_inclusion_that_gives_its_reason() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let top = candidates(&poh.get("/opsporing").await.text())[0];
        let base = format!("/patienten/{top}/kwetsbaarheid");
        let page = poh.get(&base).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Kwetsbaarheidsindex"));

        // A GFI of 6, then of 7: scored by Kernteam, with the trend.
        let day = yesterday();
        let gfi = |items: &'static [&'static str]| {
            let mut f: Vec<(&str, &str)> = vec![("instrument", "gfi"), ("date", day.as_str())];
            f.extend(items.iter().map(|i| ("item", *i)));
            f
        };
        let r = poh
            .post_form(&format!("{base}/screening"), &gfi(&["1", "2", "5", "8", "10", "12"]))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = poh
            .post_form(
                &format!("{base}/screening"),
                &gfi(&["1", "2", "5", "8", "10", "12", "14"]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let html = poh.get(&base).await.text();
        assert!(html.contains("6 van 15 (afkap 4)"), "{html}");
        assert!(html.contains("7 van 15 (afkap 4)"));
        assert!(html.contains("hoger dan vorige keer"));
        assert!(html.contains("wijst op kwetsbaarheid"));
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM screenings").await, 2);

        // An item the instrument does not have is refused, the input kept.
        let r = poh
            .post_form(
                &format!("{base}/screening"),
                &[("instrument", "prisma7"), ("date", &day), ("item", "9")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("PRISMA-7 heeft geen item 9"));

        // A conclusion needs a reason.
        let r = poh
            .post_form(
                &format!("{base}/conclusie"),
                &[("frail", "ja"), ("date", &day), ("reason", " ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Geef een reden."));
        let r = poh
            .post_form(
                &format!("{base}/conclusie"),
                &[("frail", "ja"), ("date", &day), ("reason", "GFI 7, gesprek thuis")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let html = poh.get(&base).await.text();
        assert!(html.contains("id=\"taak-episode\""), "the HIS episode is a task");
        assert!(html.contains("id=\"voorstel-inclusie\""));
        assert!(
            html.contains("Kwetsbaarheid bevestigd op"),
            "the exception reason is proposed"
        );

        // Assessed: off the case-finding list.
        assert!(!candidates(&poh.get("/opsporing").await.text()).contains(&top));

        // The record says beforehand that an inclusion would be an exception, and why …
        let record = poh.get(&format!("/patienten/{top}")).await.text();
        let note = record
            .split("id=\"inc-uitzondering\"")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .unwrap_or_else(|| panic!("no exception note on the record: {record}"));
        assert!(note.contains("heeft geen episode kwetsbare oudere"), "{note}");
        assert!(!note.contains("jonger dan 75"), "{note}");

        // … and including without a frail-elder episode asks for the reason …
        let r = poh
            .post_form(
                &format!("/patienten/{top}/inclusie"),
                &[("decided_on", &day), ("deciding_gp", "Dr. Jekerdal")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("heeft geen episode kwetsbare oudere"), "{}", r.text());
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM inclusion_exceptions").await, 0);
        // … and keeps it with the decision.
        let r = poh
            .post_form(
                &format!("/patienten/{top}/inclusie"),
                &[
                    ("decided_on", &day),
                    ("deciding_gp", "Dr. Jekerdal"),
                    ("exception_reason", "Kwetsbaarheid bevestigd; episode volgt in het HIS"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM inclusion_exceptions").await, 1);
        let detail: Vec<_> =
            w.db.audit_for_patient(top)
                .await
                .unwrap()
                .into_iter()
                .filter(|r| r.action == "inclusie vastgelegd")
                .filter_map(|r| r.detail)
                .collect();
        assert_eq!(detail, [format!("{day}, uitzondering")]);
        assert!(poh
            .get(&format!("/patienten/{top}"))
            .await
            .text()
            .contains("Uitzondering: Kwetsbaarheid bevestigd; episode volgt in het HIS"));

        // a1 has an episode: included without a reason, nothing kept.
        let r = poh
            .post_form(
                &format!("/patienten/{}/inclusie", w.a1),
                &[("decided_on", &day), ("deciding_gp", "Dr. Jekerdal")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM inclusion_exceptions").await, 1);

        // A district nurse on a1's team may screen, not conclude.
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        let a1 = format!("/patienten/{}/kwetsbaarheid", w.a1);
        let r = nurse
            .post_form(
                &format!("{a1}/screening"),
                &[("instrument", "tfi"), ("date", &day), ("item", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = nurse
            .post_form(
                &format!("{a1}/conclusie"),
                &[("frail", "nee"), ("date", &day), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        t.finish().await;
    }
}

#[tokio::test]
async fn an_included_patient_who_left_the_practice_is_flagged_on_the_worklist() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        // P01-00003 was registered until 30 June 2027, before the extract of 4 July.
        let left: i64 = kernteam_store::sqlx::query_scalar(
            "SELECT id FROM patients WHERE practice_id = $1 AND his_id = 'P01-00003'",
        )
        .bind(w.practice_a)
        .fetch_one(w.db.pool())
        .await
        .unwrap();
        for id in [left, w.a1] {
            let r = poh
                .post_form(
                    &format!("/patienten/{id}/inclusie"),
                    &[
                        ("decided_on", &yesterday()),
                        ("deciding_gp", "Dr. Jekerdal"),
                        ("exception_reason", "Overgenomen uit het vorige systeem"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let html = poh.get("/werklijst?soort=exclusie").await.text();
        assert!(html.contains("Uitgeschreven per 30-06-2027"), "{html}");
        assert!(html.contains(&format!("/patienten/{left}#excluderen")));
        assert!(
            !html.contains(&format!("/patienten/{}#excluderen", w.a1)),
            "a1 is still registered"
        );
        t.finish().await;
    }
}
