//! The handover flow in the browser: the POH-O records a hospital discharge, sends the
//! summary to the district nursing organisation within the 24 hours, opens the summary as
//! sent and prints it on one A4 page; an admission of 30 hours ago is flagged late, and
//! sent now it stays flagged.

use chrono::{Duration, Utc};

use crate::app::ORGANISATION;
use crate::browser::{lit, screenshot_dir};
use crate::mdo_worklist::{include, some_elder};
use crate::print::{demo_plan, print_pages};
use crate::{sign_in, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discharge_is_handed_over_to_the_district_nursing_in_time_and_a_late_one_is_flagged() {
    let (app, b) = start().await;
    let elder = some_elder(&app).await;
    let pid = elder.patient_id;
    include(&app, pid).await;
    // The demo's care plan and the POH-O and the district nurse on the care team, so that
    // the printed summary holds what a real one does.
    for (user, name, role) in [
        (app.poh.id, app.poh.name, "POH-ouderenzorg"),
        (
            app.wijkverpleegkundige.id,
            app.wijkverpleegkundige.name,
            "Wijkverpleegkundige",
        ),
    ] {
        kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
            pid,
            &kernteam_store::care::NewTeamMember {
                kind: "professional".into(),
                user_id: Some(user),
                name: name.into(),
                role: Some(role.into()),
                ..Default::default()
            },
            app.poh.id,
        ))
        .expect("a team member");
    }
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.save_care_plan(
        pid,
        0,
        &serde_json::to_string(&demo_plan(&app)).unwrap(),
        "Zorgplan opgesteld",
        app.poh.id,
        app.poh.name,
    ))
    .expect("a care plan");
    let page = format!("/patienten/{pid}/gebeurtenissen");

    sign_in(&b, app.poh.username, app.poh.name).await;
    b.goto(&page).await;
    b.wait("//h1[starts-with(normalize-space(), 'Gebeurtenissen van')]")
        .await;
    b.choose("ev-kind", "Ontslag uit het ziekenhuis").await;
    b.fill("ev-notes", "Terug naar huis na een heupoperatie").await;
    b.click(&format!(
        "//form[@action={}]//button[normalize-space()='Vastleggen']",
        lit(&page)
    ))
    .await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='De gebeurtenis is vastgelegd.']")
        .await;
    let discharge = app.db.events(pid).await.expect("events")[0].id;
    let row = format!("//tr[@id='gebeurtenis-{discharge}']");
    b.wait(&format!(
        "{row}//span[contains(@class, 'handover-status')][normalize-space()='Nog te versturen']"
    ))
    .await;
    b.check_accessibility().await;

    // Send it to the district nursing organisation.
    let recipient = format!("{ORGANISATION} (wijkverpleging)");
    b.choose(&format!("so-{discharge}"), &recipient).await;
    b.click(&format!(
        "{row}//button[starts-with(normalize-space(), 'Overdracht versturen')]"
    ))
    .await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='De overdracht is verstuurd en bewaard.']")
        .await;
    b.wait(&format!(
        "{row}//span[contains(@class, 'handover-status')][normalize-space()='Op tijd verstuurd']"
    ))
    .await;
    let link = format!("{row}//a[normalize-space()={}]", lit(&format!("Aan {ORGANISATION}")));
    b.wait(&link).await;
    let sent = app.db.handovers(pid).await.expect("handovers");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].has_document && sent[0].sent_by == Some(app.poh.id));
    b.screenshot(&screenshot_dir(), "overdracht-verstuurd").await;

    // The summary as sent, on one A4 page.
    b.click(&link).await;
    b.wait_heading(&format!("Overdracht bij ontslag uit het ziekenhuis aan {ORGANISATION}"))
        .await;
    for h in [
        "Eerste aanspreekpunt en zorgteam",
        "Individueel zorgplan",
        "Wensen en grenzen (PZP)",
        "Actieve episodes",
        "Actuele medicatie",
        "Recente gebeurtenissen",
    ] {
        b.wait(&format!("//h2[normalize-space()={}]", lit(h))).await;
    }
    b.check_accessibility().await;
    b.screenshot(&screenshot_dir(), "overdracht-afdruk").await;
    let pages = print_pages(&b).await;
    assert_eq!(pages.len(), 1, "one A4 page: {pages:#?}");
    for s in [
        "Actuele medicatie",
        ORGANISATION,
        "Veilig thuis blijven wonen",
        "Lotte Frissen",
    ] {
        assert!(pages[0].contains(s), "{s}: {}", pages[0]);
    }

    // An admission of 30 hours ago, not sent: flagged late; sent now: late.
    let at = (Utc::now() - Duration::hours(30))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let admission = kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_event(
        pid,
        "ziekenhuisopname",
        &at,
        None,
        app.poh.id
    ))
    .expect("an admission");
    b.goto(&page).await;
    let row = format!("//tr[@id='gebeurtenis-{admission}']");
    b.wait(&format!(
        "{row}//span[contains(@class, 'handover-status')][contains(@class, 'late')][normalize-space()='Te laat: nog niet verstuurd']"
    ))
    .await;
    b.choose(&format!("so-{admission}"), &recipient).await;
    b.click(&format!(
        "{row}//button[starts-with(normalize-space(), 'Overdracht versturen')]"
    ))
    .await;
    b.wait(&format!(
        "{row}//span[contains(@class, 'handover-status')][normalize-space()='Te laat verstuurd']"
    ))
    .await;
    b.wait(&format!(
        "{row}//strong[contains(@class, 'late')][normalize-space()='te laat']"
    ))
    .await;
    b.check_accessibility().await;
    b.close().await;
}
