//! A lighter MDO over HTTP, on SQLite and PostgreSQL: a meeting has a time, a place and a
//! video link and invites people by name (accounts and care-team members); their
//! attendance is ticked and counts for their discipline; a suggestion goes on the agenda
//! in place (the page's script asks for a fragment); a decision's action is given to a
//! member of the patient's care team and says which MDO it came from; the minutes show
//! the treatment limits, and the record shows the patient's MDO history.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::process::today;
use common::{seed, send, Client, Resp, World};
use kernteam_domain::care::CarePlan;
use kernteam_domain::pzp::{AdvanceCarePlan, WishDecision};
use kernteam_store::program::Document;
use kernteam_store::testing;

/// Posts a form as the meeting page's script does: asking for a fragment.
async fn post_fragment(c: &Client, path: &str, fields: &[(&str, &str)]) -> Resp {
    let mut all = vec![("csrf", c.csrf.as_str())];
    all.extend_from_slice(fields);
    send(
        &c.app,
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, &c.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("X-Kernteam-Fragment", "1")
            .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
            .unwrap(),
    )
    .await
}

async fn not_resuscitate(w: &World, patient: i64) {
    let mut pzp = AdvanceCarePlan::blank();
    let w0 = &mut pzp.wishes[0];
    assert_eq!(w0.treatment, "reanimatie");
    w0.decision = WishDecision::Niet;
    w0.recorded_on = Some(chrono::Local::now().date_naive());
    w0.recorded_by = "Dr. Jekerdal".into();
    kernteam_store::audited!(w.db, testing::entry(), |ch| ch.save_version(
        Document::Pzp,
        patient,
        0,
        &serde_json::to_string(&pzp).unwrap(),
        "PZP",
        w.poh_a,
        "Petra Poh",
    ))
    .unwrap();
}

fn id_in(location: Option<&str>) -> i64 {
    let l = location.expect("a redirect");
    l.trim_start_matches("/mdo/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("meeting id in {l}"))
}

#[tokio::test]
async fn a_lighter_mdo_from_invitation_to_an_action_for_a_care_team_member() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        not_resuscitate(&w, w.a1).await;

        // The plan form offers accounts by name: the district nurse of the network.
        let page = poh.get("/mdo").await.text();
        let wies = format!("u{}", w.wvk_team);
        assert!(page.contains(&format!("value=\"{wies}\"")), "{page}");
        assert!(page.contains("Uit het netwerk"));
        let r = poh
            .post_form(
                "/mdo",
                &[
                    ("date", &today()),
                    ("time", "14:30"),
                    ("level", "praktijk"),
                    ("place", "Praktijk, spreekkamer 2"),
                    ("video_link", "https://meet.example.nl/mdo"),
                    ("invitee", &wies),
                    ("invitee_name", "Fien Fysio"),
                    ("invitee_role", "Fysiotherapeut"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let meeting = id_in(r.location());
        let m = w.db.meeting(meeting).await.unwrap();
        assert_eq!(m.time.as_deref(), Some("14:30"));
        assert_eq!(m.place.as_deref(), Some("Praktijk, spreekkamer 2"));
        assert_eq!(m.invited, ["wijkverpleging"], "the invitee's discipline");
        let invitees = w.db.invitees(meeting).await.unwrap();
        let seen: Vec<_> = invitees
            .iter()
            .map(|i| (i.name.as_str(), i.discipline.as_deref(), i.user_id))
            .collect();
        assert_eq!(
            seen,
            [
                ("Wies Wijk", Some("wijkverpleging"), Some(w.wvk_team)),
                ("Fien Fysio", None, None)
            ]
        );
        // A key that was never offered is refused, nothing planned.
        let r = poh
            .post_form(
                "/mdo",
                &[("date", &today()), ("level", "praktijk"), ("invitee", "u999999")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(w.db.meetings(w.practice_a).await.unwrap().len(), 1);

        let page = poh.get(&format!("/mdo/{meeting}")).await.text();
        assert!(
            page.contains("14:30 uur") && page.contains("https://meet.example.nl/mdo"),
            "{page}"
        );
        assert!(page.contains("Fien Fysio") && page.contains("/static/mdo.js"));

        // More invitees later: the POH-O herself.
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/genodigden"),
                &[("invitee", &format!("u{}", w.poh_a))],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(w.db.invitees(meeting).await.unwrap().len(), 3);
        assert_eq!(
            w.db.meeting(meeting).await.unwrap().invited,
            ["poh_o", "wijkverpleging"]
        );

        // The page's script puts a patient on the agenda and gets the rows back.
        let agenda = format!("/mdo/{meeting}/agenda");
        let r = post_fragment(
            &poh,
            &agenda,
            &[("patient_id", &w.a1.to_string()), ("reason", "Valt vaker")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains(&format!("data-row=\"kandidaat-{}\"", w.a1)), "{html}");
        assert!(html.contains(&format!("data-agenda-row=\"{}\"", w.a1)));
        assert!(
            html.contains("staat op de agenda.") && html.contains("Niet reanimeren"),
            "{html}"
        );
        assert!(!html.contains("<nav"), "a fragment, not a page");
        let r = post_fragment(&poh, &agenda, &[("patient_id", &w.a2.to_string()), ("reason", " ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(
            html.contains("role=\"alert\"") && html.contains("data-fragment"),
            "{html}"
        );
        assert_eq!(w.db.agenda(meeting).await.unwrap().len(), 1, "nothing stored");

        // Attendance ticked from the invitees: the district nurse and the physio were there.
        let invitees = w.db.invitees(meeting).await.unwrap();
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/aanwezigheid"),
                &[
                    ("genodigde", &invitees[0].id.to_string()),
                    ("genodigde", &invitees[1].id.to_string()),
                    ("notes", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let present: Vec<_> =
            w.db.invitees(meeting)
                .await
                .unwrap()
                .iter()
                .map(|i| i.present)
                .collect();
        assert_eq!(present, [Some(true), Some(true), Some(false)]);
        let by_discipline: Vec<_> =
            w.db.attendance(meeting)
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.discipline, a.present, a.name))
                .collect();
        assert_eq!(
            by_discipline,
            [
                ("poh_o".to_string(), false, None),
                ("wijkverpleging".to_string(), true, Some("Wies Wijk".to_string()))
            ]
        );

        // The minutes: the treatment limits in view, "who" from the care team.
        let minutes = format!("/mdo/{meeting}/patienten/{}", w.a1);
        let page = poh.get(&minutes).await.text();
        assert!(page.contains("<p id=\"mdo-limits\">Niet reanimeren</p>"), "{page}");
        assert!(
            page.contains(&format!(
                "<option value=\"{}\">Wies Wijk (Wijkverpleegkundige)</option>",
                w.a1_wvk_member
            )),
            "{page}"
        );
        let r = poh
            .post_form(
                &minutes,
                &[
                    ("minutes", "Valt vaker."),
                    ("action_what", "Valrisico thuis beoordelen"),
                    ("action_member", "999999"),
                    ("action_due", "2030-01-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("kies wie het doet uit het zorgteam."));
        let r = poh
            .post_form(
                &minutes,
                &[
                    ("minutes", "Valt vaker."),
                    ("action_what", "Valrisico thuis beoordelen"),
                    ("action_member", &w.a1_wvk_member.to_string()),
                    ("action_due", "2030-01-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let v = &w.db.care_plan_versions(w.a1).await.unwrap()[0];
        let plan: CarePlan = serde_json::from_str(&v.content).unwrap();
        let action = plan
            .actions
            .iter()
            .find(|a| a.what == "Valrisico thuis beoordelen")
            .expect("the decision's action");
        assert_eq!(
            (action.who.as_str(), action.member, action.from_mdo),
            ("Wies Wijk", Some(w.a1_wvk_member), Some(meeting))
        );

        // The record shows the MDO history.
        let record = poh.get(&format!("/patienten/{}", w.a1)).await.text();
        let history = &record[record.find("id=\"h-mdo-history\"").expect("the MDO history")..];
        assert!(history.contains(&format!("href=\"/mdo/{meeting}\"")), "{history}");
        assert!(history.contains("Valrisico thuis beoordelen (Wies Wijk, vóór 31-01-2030)"));
        let a2 = poh.get(&format!("/patienten/{}", w.a2)).await.text();
        assert!(a2.contains("Nog niet besproken in een MDO."));

        // The script is served to anyone (it holds no data).
        let js = Client::anonymous(&w.app).get("/static/mdo.js").await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.text().contains("X-Kernteam-Fragment"));
        t.finish().await;
    }
}

#[tokio::test]
async fn invitees_and_treatment_limits_come_with_the_meeting_api() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        not_resuscitate(&w, w.a1).await;
        let r = poh
            .api(
                "POST",
                "/api/v1/mdo",
                Some(serde_json::json!({
                    "date": today(), "level": "netwerk", "time": "09:00", "video_link": "https://meet.example.nl/x",
                    "invitees": [{ "name": "Wies Wijk", "user_id": w.wvk_team }]
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let meeting = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["time"], "09:00");
        assert_eq!(r.json()["invited"], serde_json::json!(["wijkverpleging"]));
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/mdo/{meeting}/agenda"),
                Some(serde_json::json!({ "patient_id": w.a1, "reason": "Valt" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["treatment_limits"], serde_json::json!(["Niet reanimeren"]));
        let detail = poh.api("GET", &format!("/api/v1/mdo/{meeting}"), None).await.json();
        let id = detail["invitees"][0]["id"].as_i64().unwrap();
        assert_eq!(detail["invitees"][0]["present"], serde_json::Value::Null);
        let r = poh
            .api(
                "PUT",
                &format!("/api/v1/mdo/{meeting}/attendance"),
                Some(serde_json::json!({ "present_invitees": [id] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["invitees"][0]["present"], true);
        assert_eq!(r.json()["attendance"][0]["discipline"], "wijkverpleging");
        t.finish().await;
    }
}
