//! End-to-end in headless Chromium (the harness of `tests/e2e/`): the practice's GP records
//! treatment limits in the proactive care planning (PZP) — a read view first, the form on
//! request, the daughter who took part chosen from the care team — and the district nurse
//! on the patient's care team signs in and sees them, on the record overview and the PZP
//! page.
//!
//! Screenshots go to `target/e2e-screenshots/`.

#[allow(dead_code)]
#[path = "e2e/app.rs"]
mod app;
#[allow(dead_code)]
#[path = "e2e/browser.rs"]
mod browser;

use app::{App, ORGANISATION, PASSWORD};
use browser::{lit, screenshot_dir, Browser};
use kernteam_store::care::NewTeamMember;

async fn start() -> (App, Browser) {
    let (app, mut browser) = tokio::join!(App::start(), Browser::start());
    browser.base = app.base.clone();
    (app, browser)
}

/// Signs in through the login form and waits for the signed-in page header.
async fn sign_in(b: &Browser, username: &str, name: &str) {
    b.goto("/inloggen").await;
    b.wait_heading("Inloggen").await;
    b.fill("username", username).await;
    b.fill("password", PASSWORD).await;
    b.click("//form[@action='/inloggen']//button[@type='submit']").await;
    b.wait(&format!(
        "//header//div[@class='who']/span[starts-with(normalize-space(), {})]",
        lit(name)
    ))
    .await;
}

async fn sign_out(b: &Browser) {
    b.click("//header//form[@action='/uitloggen']//button[@type='submit']")
        .await;
    b.wait_heading("Inloggen").await;
}

const LIMITS: &str = "//section[@id='behandelgrenzen']//li/strong";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gp_records_treatment_limits_and_the_district_nurse_on_the_team_sees_them() {
    let (app, b) = start().await;
    let shots = screenshot_dir();
    let nurse = &app.wijkverpleegkundige;

    // A patient of the practice with the district nurse on the care team.
    let snapshot = app
        .db
        .latest_snapshot(app.practice_id)
        .await
        .expect("snapshot")
        .expect("the practice has an extract");
    let people = app.db.snapshot_people(snapshot.snapshot_id).await.expect("people");
    let patient = &people[0];
    // Lists write "Maas, Ger"; headings and the banner "Ger Maas".
    let listed = patient.full_name();
    let name = patient.name();
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        patient.patient_id,
        &NewTeamMember {
            kind: "professional".into(),
            user_id: Some(nurse.id),
            name: nurse.name.into(),
            role: Some("Wijkverpleegkundige".into()),
            organisation: Some(ORGANISATION.into()),
            ..Default::default()
        },
        app.poh.id,
    ))
    .expect("add the nurse to the care team");
    let daughter = kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        patient.patient_id,
        &NewTeamMember {
            kind: "mantelzorger".into(),
            name: "Ellen".into(),
            relation: Some("dochter".into()),
            ..Default::default()
        },
        app.poh.id,
    ))
    .expect("add the daughter to the care team");

    // The GP opens the PZP from the patient's record.
    let gp = &app.huisarts;
    sign_in(&b, gp.username, gp.name).await;
    b.goto(&format!("/patienten/{}", patient.patient_id)).await;
    b.wait_heading(&name).await;
    assert!(
        b.all("//p[contains(@class, 'limits-line')]").await.is_empty(),
        "no limits yet"
    );
    b.click("//nav[contains(@class, 'tabs')]//a[normalize-space()='Proactieve zorgplanning']")
        .await;
    b.wait_heading(&format!("Proactieve zorgplanning van {name}")).await;
    b.wait("//section[@id='behandelgrenzen']/p[normalize-space()='Er zijn geen behandelgrenzen vastgelegd.']")
        .await;
    b.click("//a[@id='pzp-wijzigen']").await;

    // A conversation with the patient and her daughter; no resuscitation, no ICU; hospital
    // admission yes; a do-not-resuscitate statement at home.
    let talked = app.today - chrono::Duration::days(3);
    b.set_date("conv_date", talked).await;
    b.click("//input[@id='conv_patient']").await;
    b.click(&format!("//input[@id='conv_carer_{daughter}']")).await;
    b.fill(
        "conv_summary",
        "Wil thuis blijven; niet gereanimeerd worden en niet naar de IC.",
    )
    .await;
    // Rows in the order of the standard treatments: reanimatie, beademing, IC-opname, ziekenhuisopname…
    b.click("//input[@id='w0-niet']").await;
    b.click("//input[@id='w2-niet']").await;
    b.click("//input[@id='w3-wel']").await;
    b.click("//input[@id='niet_reanimeren-present']").await;
    b.fill("niet_reanimeren-location", "In de map bij de voordeur").await;
    b.fill("place_of_death", "Thuis").await;
    b.click("//button[normalize-space()='Proactieve zorgplanning opslaan']")
        .await;

    b.wait(
        "//p[contains(@class, 'flash')][normalize-space()='De proactieve zorgplanning is opgeslagen als versie 1.']",
    )
    .await;
    let today = app.today.format("%d-%m-%Y").to_string();
    assert_eq!(
        b.texts(LIMITS).await,
        ["Niet reanimeren", "Geen IC-opname"],
        "the limits on top"
    );
    assert_eq!(
        b.texts("//section[@id='behandelgrenzen']//li/span").await,
        [
            format!("(vastgelegd op {today} door {})", gp.name),
            format!("(vastgelegd op {today} door {})", gp.name)
        ]
    );
    b.wait("//section[@id='behandelgrenzen']/p[normalize-space()='Niet-reanimeren-verklaring aanwezig, bewaard: In de map bij de voordeur.']")
        .await;
    b.screenshot(&shots, "pzp-bewerken").await;

    // While here: an SO consultation and a medication review, through their tabs.
    b.click("//nav[contains(@class, 'tabs')]//a[normalize-space()='SO-consultaties']")
        .await;
    b.wait_heading(&format!("Consultaties specialist ouderengeneeskunde voor {name}"))
        .await;
    b.choose("c-kind", "Medebehandeling").await;
    b.choose("c-funding", "Wlz").await;
    b.fill("c-so", "Sanne Oud").await;
    b.fill("c-question", "Onrust in de avond").await;
    b.fill("c-advice", "Vaste dagstructuur").await;
    b.click("//button[normalize-space()='Consultatie vastleggen']").await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='De consultatie is vastgelegd.']")
        .await;
    assert_eq!(
        b.texts("//table[contains(@class, 'consultations')]/tbody/tr/td").await,
        [
            today.as_str(),
            "Medebehandeling",
            "Onrust in de avond",
            "Vaste dagstructuur",
            "Wlz",
            "Sanne Oud",
            "Corrigeren of intrekken"
        ]
    );
    b.screenshot(&shots, "so-consultaties").await;
    b.click("//nav[contains(@class, 'tabs')]//a[normalize-space()='Medicatiebeoordelingen']")
        .await;
    b.wait_heading(&format!("Medicatiebeoordelingen van {name}")).await;
    b.wait("//p[@id='indicatie']").await;
    b.fill("r-stopped", "Diclofenac").await;
    b.click("//button[normalize-space()='Medicatiebeoordeling vastleggen']")
        .await;
    b.wait(&format!(
        "//p[@id='laatste-mbo'][normalize-space()={}]",
        lit(&format!("Laatste medicatiebeoordeling: {today}"))
    ))
    .await;
    assert_eq!(
        b.texts("//table[contains(@class, 'reviews')]/tbody/tr/td[3]").await,
        ["Huisarts, Apotheker"]
    );
    b.screenshot(&shots, "medicatiebeoordelingen").await;
    sign_out(&b).await;

    // The district nurse signs in, finds the patient in her list and sees the limits.
    sign_in(&b, nurse.username, nurse.name).await;
    b.click_link("Mijn patiënten").await;
    b.click_link(&listed).await;
    b.wait_heading(&name).await;
    b.wait(&format!(
        "//p[contains(@class, 'limits-line')][normalize-space()={}]",
        lit("Behandelgrenzen: Niet reanimeren · Geen IC-opname.")
    ))
    .await;
    b.screenshot(&shots, "patient-behandelgrenzen").await;
    b.click("//p[contains(@class, 'limits-line')]/a").await;
    b.wait_heading(&format!("Proactieve zorgplanning van {name}")).await;
    assert_eq!(b.texts(LIMITS).await, ["Niet reanimeren", "Geen IC-opname"]);
    b.wait(&format!(
        "//p[@id='pzp-versie'][starts-with(normalize-space(), {})]",
        lit("Versie 1, opgeslagen op")
    ))
    .await;

    // The versions: what the GP recorded.
    b.click_link("alle versies").await;
    b.wait_heading(&format!("Versies van de proactieve zorgplanning van {name}"))
        .await;
    let changes = b
        .texts("//table[contains(@class, 'history')]/tbody/tr[1]/td/ul/li")
        .await;
    for expected in [
        "Reanimatie: Nog niet besproken → Niet",
        "IC-opname: Nog niet besproken → Niet",
        "Ziekenhuisopname: Nog niet besproken → Wel",
        "Niet-reanimeren-verklaring: aanwezig",
    ] {
        assert!(changes.iter().any(|c| c == expected), "{expected} in {changes:?}");
    }
    b.click_link("Versie 1").await;
    b.wait_heading(&format!("Proactieve zorgplanning van {name}, versie 1"))
        .await;
    assert_eq!(
        b.texts("//table[contains(@class, 'wishes')]/tbody/tr[contains(@class, 'decision-niet')]/th")
            .await,
        ["Reanimatie", "IC-opname"]
    );
    b.screenshot(&shots, "pzp-wijkverpleging").await;

    b.close().await;
}
