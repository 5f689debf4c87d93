//! MDO meetings, events with the handover clock, worklists and the POH-O formation over
//! HTTP (pages and API), on SQLite and PostgreSQL: decisions of an MDO land in the care
//! plan, a late handover shows on the worklist, the quarterly report counts what was
//! recorded, another practice sees nothing, and bad input stores nothing.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Local, Utc};
use common::process::{add_user, local_ago, plan_meeting, today};
use common::{count, seed, Client};
use kernteam_domain::access::Role;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};
use kernteam_store::testing;
use serde_json::json;

#[tokio::test]
async fn bad_mdo_input_is_refused_with_nothing_stored_and_other_practices_see_nothing() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let events = format!("/patienten/{}/gebeurtenissen", w.a1);

        // Refused events and formations: tests/events.rs.
        // A meeting with a bad date and no disciplines.
        let r = poh
            .post_form("/mdo", &[("date", "morgen"), ("level", "praktijk")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Nodig minstens één persoon of discipline uit."));
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM mdo_meetings").await, 0);

        // Attendance and minutes before the meeting's day.
        let later = (Local::now().date_naive() + Duration::days(7)).to_string();
        let meeting = plan_meeting(&poh, &later).await;
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "Opname")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = poh
            .post_form(&format!("/mdo/{meeting}/aanwezigheid"), &[("aanwezig", "huisarts")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Dit MDO is nog niet geweest"));
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/patienten/{}", w.a1),
                &[("minutes", "Vooruit geschreven")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!w.db.meeting(meeting).await.unwrap().held);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM mdo_attendance").await, 0);

        // Another practice's user: 404 for everything of practice A's patients and meetings.
        let other = Client::sign_in(&w.app, "poh-b").await;
        assert_eq!(other.get(&events).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("/mdo/{meeting}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.get(&format!("/mdo/{meeting}/patienten/{}", w.a1)).await.status,
            StatusCode::NOT_FOUND
        );
        let (date, time) = local_ago(1);
        let r = other
            .post_form(&events, &[("kind", "val"), ("date", &date), ("time", &time)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = other
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a2.to_string()), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("/api/v1/patients/{}/events", w.a1)).await.status,
            StatusCode::NOT_FOUND
        );
        let r = other
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events", w.a1),
                Some(json!({ "kind": "val", "occurred_at": Utc::now().to_rfc3339() })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Practice B's own meeting cannot take practice A's patient either.
        let theirs = plan_meeting(&other, &today()).await;
        let r = other
            .post_form(
                &format!("/mdo/{theirs}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // A network professional outside the care team.
        let outsider = Client::sign_in(&w.app, "wvk-ander").await;
        assert_eq!(outsider.get(&events).await.status, StatusCode::NOT_FOUND);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM care_events").await, 0);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM mdo_agenda").await, 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_quarterly_report_counts_the_meeting_the_events_and_the_formation() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        add_user(&w, "pm-a", "Mieke Manager", Role::Praktijkmanager, w.practice_a).await;
        let manager = Client::sign_in(&w.app, "pm-a").await;

        // In 2026-Q1: a meeting held with one patient, three events that count, one that does not.
        let meeting = plan_meeting(&poh, "2026-02-12").await;
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "SEH-bezoek")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/patienten/{}", w.a1),
                &[("minutes", "Besproken")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        plan_meeting(&poh, "2026-03-30").await; // planned, never held
        for (kind, at) in [
            ("seh_verwijzing", "2026-01-15T09:00:00+01:00"),
            ("elv_laag_complex", "2026-02-01T14:00:00+01:00"),
            ("wlz_crisisopname", "2026-03-31T23:30:00+02:00"),
            ("val", "2026-03-01T08:00:00+01:00"),
            ("elv_palliatief", "2026-04-02T12:00:00+02:00"),
        ] {
            let r = poh
                .api(
                    "POST",
                    &format!("/api/v1/patients/{}/events", w.a2),
                    Some(json!({ "kind": kind, "occurred_at": at })),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.text());
        }

        // The formation, set by the practice manager through the form and the API.
        let r = manager
            .post_form("/praktijk/formatie", &[("hours", "6,5"), ("valid_from", "2025-10-01")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = manager
            .api(
                "POST",
                "/api/v1/practice/poh-o-hours",
                Some(json!({ "hours": 8.25, "valid_from": "2026-04-01" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["current"], 8.25);
        let page = poh.get("/praktijk/formatie").await.text();
        assert!(page.contains("8,25 uur per week"), "{page}");
        assert!(page.contains("Mieke Manager"));
        assert!(!page.contains("name=\"hours\""), "a POH-O has no form");

        let period = Period::parse(ReportKind::Quarterly, "2026-Q1").unwrap();
        let report = kernteam_report::build_report(&w.db, &period, &CodeSets::default(), &mut |_, _| {})
            .await
            .unwrap();
        let a = report.practices.iter().find(|p| p.agb_code == "09000001").unwrap();
        assert_eq!(a.recorded.mdo_count, 1);
        assert_eq!(a.recorded.seh_referrals, 1);
        assert_eq!(a.recorded.elv_referrals, 1);
        assert_eq!(a.recorded.wlz_crisis_admissions, 1);
        assert_eq!(a.recorded.poh_o_hours_per_week, Some(6.5));
        let b = report.practices.iter().find(|p| p.agb_code == "09000002").unwrap();
        assert_eq!((b.recorded.mdo_count, b.recorded.poh_o_hours_per_week), (0, None));
        let q2 = Period::parse(ReportKind::Quarterly, "2026-Q2").unwrap();
        let report = kernteam_report::build_report(&w.db, &q2, &CodeSets::default(), &mut |_, _| {})
            .await
            .unwrap();
        let a = report.practices.iter().find(|p| p.agb_code == "09000001").unwrap();
        assert_eq!((a.recorded.mdo_count, a.recorded.elv_referrals), (0, 1));
        assert_eq!(a.recorded.poh_o_hours_per_week, Some(8.25));

        // The MDO page counts the same quarter.
        let list = poh.get("/api/v1/mdo").await.json();
        let q1 = list["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["quarter"] == "2026-Q1")
            .unwrap()
            .clone();
        assert_eq!(
            q1,
            json!({ "quarter": "2026-Q1", "meetings_held": 1, "meetings_planned": 1, "patients_discussed": 1 })
        );
        t.finish().await;
    }
}
