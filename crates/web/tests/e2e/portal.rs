//! The portal in the browser: the POH-O invites the patient and prints the letter, the
//! patient activates the code (password, then the authenticator), sees their plan, sends a
//! message and reads the POH-O's answer; a mantelzorger without consent sees nothing, after
//! the patient's consent the agreements, and nothing again the moment it is withdrawn; named
//! in the PZP as legal representative, she chooses for the patient. The portal pages pass
//! axe-core and fit a phone-sized window.

use kernteam_domain::care::{ActionStatus, CareAction, CarePlan, Goal};
use kernteam_store::care::NewTeamMember;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::app::{App, PASSWORD};
use crate::browser::{lit, screenshot_dir, Browser};
use crate::mdo_worklist::{include, some_elder};
use crate::{sign_in, start};

const GOAL: &str = "Weer zelf boodschappen doen";
const ACTION: &str = "Boodschappenhulp regelen";

fn totp(secret: &str, username: &str) -> TOTP {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        Secret::Encoded(secret.into()).to_bytes().unwrap(),
        Some("Kernteam".into()),
        username.into(),
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn sign_out(b: &Browser) {
    b.click("//form[@action='/uitloggen']//button").await;
    b.wait_heading("Inloggen").await;
}

/// The POH-O makes a letter for `who` (an option of the invitation form); returns its code.
async fn letter_code(b: &Browser, pid: i64, name: &str, who: &str) -> String {
    b.goto(&format!("/patienten/{pid}/portaal")).await;
    b.wait_heading(&format!("Portaal van {name}")).await;
    b.choose("member", who).await;
    b.click("//button[normalize-space()='Brief met code maken']").await;
    b.wait_heading("Uw zorgplan op internet").await;
    b.wait("//p[@class='code']").await.text().await.unwrap()
}

/// Activates a code and sets up the authenticator; returns its secret and a recovery code.
async fn activate(b: &Browser, code: &str, username: &str) -> (String, String) {
    b.goto("/inloggen/activeren").await;
    b.wait_heading("Uw account maken").await;
    b.fill("code", code).await;
    b.fill("username", username).await;
    b.fill("password", PASSWORD).await;
    b.fill("password2", PASSWORD).await;
    b.click("//button[normalize-space()='Account maken']").await;
    b.wait_heading("Tweestapsverificatie instellen").await;
    b.click("//button[normalize-space()='Beginnen']").await;
    let secret = b.wait("//code[@class='secret']").await.text().await.unwrap();
    b.fill("code", &totp(&secret, username).generate(now())).await;
    b.click("//button[normalize-space()='Bevestigen']").await;
    b.wait_heading("Uw herstelcodes").await;
    let recovery = b.wait("//ul[@class='codes']/li[1]/code").await.text().await.unwrap();
    (secret, recovery)
}

/// Signs in with the password and the next code of the authenticator.
async fn portal_sign_in(b: &Browser, username: &str, secret: &str) {
    b.goto("/inloggen").await;
    b.wait_heading("Inloggen").await;
    b.fill("username", username).await;
    b.fill("password", PASSWORD).await;
    b.click("//form[@action='/inloggen']//button[@type='submit']").await;
    b.wait_heading("Tweestapsverificatie").await;
    b.fill("code", &totp(secret, username).generate(now() + 30)).await;
    b.click("//button[@type='submit']").await;
    b.wait("//body[@class='portal']").await;
}

/// Signs in with the password and a recovery code (a second browser, while the code of
/// the authenticator's current step is used up).
async fn portal_sign_in_with_recovery(b: &Browser, username: &str, recovery: &str) {
    b.goto("/inloggen").await;
    b.wait_heading("Inloggen").await;
    b.fill("username", username).await;
    b.fill("password", PASSWORD).await;
    b.click("//form[@action='/inloggen']//button[@type='submit']").await;
    b.wait_heading("Tweestapsverificatie").await;
    b.click("//summary").await;
    b.fill("recovery_code", recovery).await;
    b.click("//button[normalize-space()='Verder']").await;
    b.wait("//body[@class='portal']").await;
}

async fn seed_plan(app: &App, pid: i64) -> i64 {
    let carer = kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        pid,
        &NewTeamMember {
            kind: "mantelzorger".into(),
            name: "Ans Vos".into(),
            relation: Some("dochter".into()),
            phone: Some("06-12345678".into()),
            ..Default::default()
        },
        app.poh.id,
    ))
    .unwrap();
    let plan = CarePlan {
        wishes: "Thuis blijven wonen.".into(),
        goals: vec![Goal::new(None, GOAL)],
        actions: vec![CareAction {
            what: ACTION.into(),
            who: app.poh.name.into(),
            due: Some(app.today + chrono::Duration::days(14)),
            status: ActionStatus::Gepland,
            ..Default::default()
        }],
        evaluation_date: Some(app.today + chrono::Duration::days(60)),
        ..Default::default()
    };
    let content = serde_json::to_string(&plan).unwrap();
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.save_care_plan(
        pid,
        0,
        &content,
        "Zorgplan opgesteld",
        app.poh.id,
        app.poh.name
    ))
    .unwrap();
    carer
}

/// No horizontal scrolling at the window's width.
async fn fits_the_window(b: &Browser) {
    let v = b
        .client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let v: Vec<f64> = serde_json::from_value(v).unwrap();
    assert!(
        v[0] <= v[1] + 1.0,
        "the page is wider than the window: {v:?} at {}",
        b.path().await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn patient_and_mantelzorger_in_the_portal() {
    let (app, b) = start().await;
    let shots = screenshot_dir();
    let elder = some_elder(&app).await;
    let (pid, name) = (elder.patient_id, elder.name());
    include(&app, pid).await;
    seed_plan(&app, pid).await;

    // The POH-O invites the patient from the record.
    sign_in(&b, app.poh.username, app.poh.name).await;
    let code = letter_code(&b, pid, &name, &format!("{name} (de patiënt)")).await;
    b.screenshot(&shots, "portal-letter").await;
    b.goto(&format!("/patienten/{pid}/portaal")).await;
    b.wait_heading(&format!("Portaal van {name}")).await;
    sign_out(&b).await;

    // The patient activates the letter's code and sees their plan.
    let (secret, recovery) = activate(&b, &code, "patient-e2e").await;
    b.goto("/portaal").await;
    b.wait_heading("Uw zorg").await;
    b.wait("//p[@class='urgent'][contains(., 'Niet voor spoed')]").await;
    b.click("//nav[@aria-label='Menu']//a[normalize-space()='Zorgplan']")
        .await;
    b.wait_heading("Uw zorgplan").await;
    b.wait(&format!("//ul[@class='goals']/li[normalize-space()={}]", lit(GOAL)))
        .await;
    b.wait(&format!(
        "//ul[@class='agreement-list']/li/strong[normalize-space()={}]",
        lit(ACTION)
    ))
    .await;
    b.screenshot(&shots, "portal-plan").await;
    b.goto("/portaal/wensen").await;
    b.wait_heading("Wensen en grenzen").await;

    // A phone-sized window: one column, no sideways scrolling, still accessible.
    b.client.set_window_size(390, 844).await.expect("phone size");
    for (path, heading) in [
        ("/portaal", "Uw zorg"),
        ("/portaal/zorgplan", "Uw zorgplan"),
        ("/portaal/berichten", "Berichten"),
    ] {
        b.goto(path).await;
        b.wait_heading(heading).await;
        fits_the_window(&b).await;
    }
    b.goto("/portaal").await;
    b.wait_heading("Uw zorg").await;
    let png = b.client.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("portal-phone.png"), png).expect("write the screenshot");
    b.client.set_window_size(1280, 900).await.expect("desktop size");

    // The patient writes to the team.
    b.goto("/portaal/berichten").await;
    b.wait_heading("Berichten").await;
    b.fill("subject", "Vraag over de boodschappen").await;
    b.fill("body", "Wie komt er helpen met de boodschappen?").await;
    b.click("//button[normalize-space()='Versturen']").await;
    b.wait_heading("Vraag over de boodschappen").await;
    sign_out(&b).await;

    // The POH-O is told, answers, and sees that the patient has not read it yet.
    sign_in(&b, app.poh.username, app.poh.name).await;
    b.goto("/meldingen").await;
    b.wait_heading("Meldingen").await;
    b.click("//ul[@class='notifications']//a[starts-with(normalize-space(), 'Nieuw bericht van')]")
        .await;
    b.wait_heading("Vraag over de boodschappen").await;
    b.wait("//ol[@class='messages']//p[contains(., 'Wie komt er helpen')]")
        .await;
    b.fill("body", "Het sociaal wijkteam belt u deze week.").await;
    b.click("//button[normalize-space()='Versturen']").await;
    b.wait("//ol[@class='messages']//p[contains(., 'sociaal wijkteam belt u')]")
        .await;

    // The mantelzorger is invited too.
    let carer_code = letter_code(&b, pid, &name, "Ans Vos (dochter) (mantelzorger)").await;
    b.goto(&format!("/patienten/{pid}/portaal")).await;
    b.wait_heading(&format!("Portaal van {name}")).await;
    sign_out(&b).await;

    // Without the patient's consent the mantelzorger sees nothing.
    let (carer_secret, carer_recovery) = activate(&b, &carer_code, "ans-e2e").await;
    b.goto("/portaal").await;
    b.wait_heading("De zorg voor de patiënt").await;
    b.wait("//h2[normalize-space()='U ziet hier nog niets']").await;
    assert!(b.all(&format!("//*[contains(., {})]", lit(GOAL))).await.is_empty());
    b.goto("/portaal/zorgplan").await;
    b.wait_heading("Niet gevonden").await;
    b.goto("/portaal/belasting").await;
    b.wait_heading("Hoe gaat het met u?").await;
    sign_out(&b).await;

    // The patient reads the answer and lets the mantelzorger see the agreements.
    portal_sign_in(&b, "patient-e2e", &secret).await;
    b.wait_heading("Uw zorg").await;
    b.click("//nav[@aria-label='Menu']//a[starts-with(normalize-space(), 'Berichten')]")
        .await;
    b.wait_heading("Berichten").await;
    b.click("//ul[@class='threads']//a[normalize-space()='Vraag over de boodschappen']")
        .await;
    b.wait("//ol[@class='messages']//p[contains(., 'sociaal wijkteam belt u')]")
        .await;
    b.goto("/portaal/toestemming").await;
    b.wait_heading("Wie mag wat zien?").await;
    b.click("//section[.//h2[normalize-space()='Ans Vos (dochter)']]//input[@type='radio'][@value='agreements']")
        .await;
    b.click("//section[.//h2[normalize-space()='Ans Vos (dochter)']]//button[normalize-space()='Opslaan']")
        .await;
    b.wait("//p[@class='flash'][contains(., 'Die geldt meteen')]").await;
    sign_out(&b).await;

    // Now the mantelzorger sees the agreements (not the PZP).
    portal_sign_in(&b, "ans-e2e", &carer_secret).await;
    b.goto("/portaal/zorgplan").await;
    b.wait_heading(&format!("Het zorgplan van {name}")).await;
    b.wait(&format!("//ul[@class='goals']/li[normalize-space()={}]", lit(GOAL)))
        .await;
    b.goto("/portaal/wensen").await;
    b.wait_heading("Niet gevonden").await;

    // The patient, in a browser of their own, withdraws the consent: at once.
    let mut b2 = Browser::start().await;
    b2.base = app.base.clone();
    portal_sign_in_with_recovery(&b2, "patient-e2e", &recovery).await;
    b2.goto("/portaal/toestemming").await;
    b2.wait_heading("Wie mag wat zien?").await;
    b2.click("//section[.//h2[normalize-space()='Ans Vos (dochter)']]//input[@type='radio'][@value='none']")
        .await;
    b2.click("//section[.//h2[normalize-space()='Ans Vos (dochter)']]//button[normalize-space()='Opslaan']")
        .await;
    b2.wait("//p[@class='flash'][contains(., 'Die geldt meteen')]").await;
    b2.wait("//section[@aria-labelledby='h-history']//li[contains(., 'Niets')]")
        .await;
    b2.close().await;
    b.goto("/portaal/zorgplan").await;
    b.wait_heading("Niet gevonden").await;
    b.goto("/portaal").await;
    b.wait("//h2[normalize-space()='U ziet hier nog niets']").await;
    sign_out(&b).await;

    // The POH-O names her in the PZP as the legal representative: she acts for the patient.
    sign_in(&b, app.poh.username, app.poh.name).await;
    b.goto(&format!("/patienten/{pid}/pzp?wijzigen=ja")).await;
    b.wait_heading(&format!("Proactieve zorgplanning van {name}")).await;
    b.choose("representative_member", "Ans Vos (mantelzorger, dochter)")
        .await;
    b.click("//button[normalize-space()='Proactieve zorgplanning opslaan']")
        .await;
    b.wait_heading(&format!("Proactieve zorgplanning van {name}")).await;
    b.wait("//dd[normalize-space()='Ans Vos']").await;
    sign_out(&b).await;
    portal_sign_in_with_recovery(&b, "ans-e2e", &carer_recovery).await;
    b.goto("/portaal").await;
    b.wait_heading(&format!("De zorg voor {name}")).await;
    b.wait("//p[@class='notice'][contains(., 'wettelijk vertegenwoordiger van')]")
        .await;
    b.goto("/portaal/toestemming").await;
    b.wait_heading("Wie mag wat zien?").await;
    b.wait("//p[starts-with(normalize-space(), 'U beslist namens')]").await;
    b.client.set_window_size(390, 844).await.expect("phone size");
    fits_the_window(&b).await;
    b.client.set_window_size(1280, 900).await.expect("desktop size");
    b.goto("/portaal/wensen").await;
    b.wait_heading("Wensen en grenzen").await;
    b.close().await;
}
