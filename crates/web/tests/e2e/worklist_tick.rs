//! Working through the worklist in the browser: the POH-O's own tasks, one block per
//! patient, an overdue action ticked off from the list with a reason, done in the care plan.

use chrono::Duration;
use kernteam_domain::care::{ActionStatus, CareAction, CareDomain, CarePlan};
use kernteam_store::care::NewTeamMember;

use crate::browser::{lit, screenshot_dir};
use crate::mdo_worklist::{include, some_elder};
use crate::{sign_in, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poh_o_ticks_off_her_overdue_action_from_her_tasks() {
    let (app, b) = start().await;
    let elder = some_elder(&app).await;
    let (pid, name) = (elder.patient_id, elder.full_name());
    include(&app, pid).await;
    let member = kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        pid,
        &NewTeamMember {
            kind: "professional".into(),
            user_id: Some(app.poh.id),
            name: app.poh.name.into(),
            role: Some("POH-ouderenzorg".into()),
            ..Default::default()
        },
        app.poh.id,
    ))
    .expect("the POH-O on the team");
    let what = "Huisbezoek valpreventie";
    let plan = CarePlan {
        actions: vec![CareAction {
            what: what.into(),
            who: app.poh.name.into(),
            member: Some(member),
            domain: Some(CareDomain::Functioneel),
            due: Some(app.today - Duration::days(3)),
            status: ActionStatus::Gepland,
            ..Default::default()
        }],
        ..Default::default()
    };
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.save_care_plan(
        pid,
        0,
        &serde_json::to_string(&plan).unwrap(),
        "Zorgplan opgesteld",
        app.poh.id,
        app.poh.name,
    ))
    .expect("a care plan");

    sign_in(&b, app.poh.username, app.poh.name).await;
    b.goto("/werklijst?weergave=mijn-taken").await;
    b.wait_heading("Werklijst").await;
    let block = format!(
        "//section[contains(@class, 'worklist-patient')][.//h2/a[normalize-space()={}]]",
        lit(&name)
    );
    let row = format!("{block}//tbody/tr[td[2][contains(., {})]]", lit(what));
    b.wait(&format!(
        "{row}//span[contains(@class, 'tag')][normalize-space()='dringend']"
    ))
    .await;
    assert_eq!(
        b.all("//section[contains(@class, 'worklist-patient')]").await.len(),
        1,
        "only her own task"
    );
    b.check_accessibility().await;

    // Open the row's form, give a reason, tick it off.
    b.click(&format!("{row}//details/summary")).await;
    let reason = b.wait(&format!("{row}//input[@name='reden']")).await;
    let reason_id = reason.attr("id").await.unwrap().expect("an id");
    b.fill(&reason_id, "Huisbezoek afgelegd, rollator geregeld").await;
    b.click(&format!("{row}//button[normalize-space()='Opslaan']")).await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='De actie is afgerond; het zorgplan heeft een nieuwe versie.']")
        .await;
    b.wait("//p[normalize-space()='Er staat niets op de werklijst.']").await;
    assert!(b.path().await.starts_with("/werklijst?weergave=mijn-taken"));
    b.screenshot(&screenshot_dir(), "werklijst-afgevinkt").await;

    // The care plan shows the action done.
    b.goto(&format!("/patienten/{pid}/zorgplan")).await;
    b.wait(&format!(
        "//section[@aria-labelledby='domein-functioneel']//tr[td[1][contains(., {})]]/td[4][normalize-space()='Afgerond']",
        lit(what)
    ))
    .await;
    b.close().await;
}
