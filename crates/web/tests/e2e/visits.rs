//! A practice visit in the browser: the programme manager plans a visit to the practice,
//! records it against the module's topics with feedback and shares it; the practice's
//! POH-O then reads the feedback in Kernteam and takes a step of the PDCA checklist.

use kernteam_domain::access::Role;
use kernteam_store::people::NewUser;

use crate::app::{App, PASSWORD};
use crate::browser::{lit, screenshot_dir, Browser};
use crate::{dmy, sign_in, start};

/// A programme manager of the region; returns their display name.
async fn programme_manager(app: &App) -> &'static str {
    let name = "Rianne Regio";
    let hash = kernteam_web::hash_password(PASSWORD.to_string())
        .await
        .expect("hash password");
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.create_user(
        &NewUser {
            username: "regio".into(),
            display_name: name.into(),
            role: Role::Programmamanager,
            practice_id: None,
            organisation_id: None,
            password_hash: hash,
            is_admin: false,
        }
    ))
    .expect("create the programme manager");
    name
}

async fn flash(b: &Browser, text: &str) {
    b.wait(&format!(
        "//p[contains(@class, 'flash')][normalize-space()={}]",
        lit(text)
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_plans_and_records_a_visit_and_the_practice_reads_the_feedback() {
    let (app, b) = start().await;
    let shots = screenshot_dir();
    let pm = programme_manager(&app).await;
    let practice = app.db.practice(app.practice_id).await.expect("the practice");

    // The programme manager sees that the practice needs a visit and plans one today.
    sign_in(&b, "regio", pm).await;
    b.click_link("Bezoeken").await;
    b.wait_heading("Praktijkbezoeken").await;
    b.wait(&format!(
        "//table[contains(@class, 'visits-due')]//tr[th[starts-with(normalize-space(), {})]]/td[1][normalize-space()='Bezoek nodig']",
        lit(&practice.name)
    ))
    .await;
    b.choose("practice_id", &format!("{} (AGB {})", practice.name, practice.agb_code))
        .await;
    b.set_date("date", app.today).await;
    b.click("//form[@action='/regio/bezoeken']//button[@type='submit']")
        .await;
    flash(&b, "Het bezoek is gepland.").await;
    b.wait(&format!(
        "//table[contains(@class, 'visits-due')]//tr[th[starts-with(normalize-space(), {})]]/td[1][normalize-space()='Gepland']",
        lit(&practice.name)
    ))
    .await;

    // Recorded against the topics, with feedback, and shared.
    b.click(&format!(
        "//table[contains(@class, 'visits')]//tr[td[2][normalize-space()={}]]/td[1]/a",
        lit(&practice.name)
    ))
    .await;
    b.wait_heading(&format!("Bezoek aan {}", practice.name)).await;
    b.wait("//strong[@id='visit-state'][normalize-space()='Gepland']").await;
    let feedback = "Goed bezig met de inclusie. Nodig de casemanager dementie vast uit voor het MDO.";
    b.set_date("visited_on", app.today).await;
    b.fill("progress", "Inclusie loopt; de huisartsen zijn enthousiast.")
        .await;
    b.fill("support_needed", "Scholing proactieve zorgplanning.").await;
    b.fill("mdo", "Eens per zes weken; de casemanager ontbreekt vaak.")
        .await;
    b.fill("feedback", feedback).await;
    b.click("//button[normalize-space()='Bezoek vastleggen']").await;
    flash(&b, "Het bezoek is vastgelegd.").await;
    b.wait("//strong[@id='visit-state'][normalize-space()='Vastgelegd, nog niet gedeeld']")
        .await;
    b.click("//button[normalize-space()='Terugkoppeling delen met de praktijk']")
        .await;
    flash(&b, "De terugkoppeling is gedeeld met de praktijk.").await;
    b.wait("//strong[@id='visit-state'][normalize-space()='Gedeeld met de praktijk']")
        .await;
    b.screenshot(&shots, "praktijkbezoek-regio").await;
    b.click("//form[@action='/uitloggen']//button").await;
    b.wait_heading("Inloggen").await;

    // The POH-O reads the feedback.
    sign_in(&b, app.poh.username, app.poh.name).await;
    b.click_link("Bezoeken").await;
    b.wait_heading("Praktijkbezoeken van de regio").await;
    b.click_link(&format!("Bezoek van {}", dmy(app.today))).await;
    b.wait_heading(&format!("Bezoek van de regio op {}", dmy(app.today)))
        .await;
    b.wait(&format!("//p[@id='feedback'][normalize-space()={}]", lit(feedback)))
        .await;
    b.wait("//dl[contains(@class, 'topics')]/dd[normalize-space()='Scholing proactieve zorgplanning.']")
        .await;
    b.screenshot(&shots, "praktijkbezoek-praktijk").await;

    // The practice takes the first step of its PDCA checklist.
    b.click_link("PDCA").await;
    b.wait_heading("PDCA-stappenplan").await;
    b.wait("//ul[contains(@class, 'toc')]/li[starts-with(normalize-space(), 'Plan')][contains(., '0 van 7 gereed')]")
        .await;
    b.choose("status-plan.kernteam", "Gereed").await;
    b.fill("evidence-plan.kernteam", "Kernteam besproken in het werkoverleg.")
        .await;
    b.click("//button[normalize-space()='Stappenplan opslaan']").await;
    flash(&b, "Het stappenplan is bijgewerkt.").await;
    b.wait("//ul[contains(@class, 'toc')]/li[starts-with(normalize-space(), 'Plan')][contains(., '1 van 7 gereed')]")
        .await;
    assert_eq!(
        b.texts("//textarea[@id='evidence-plan.kernteam']").await,
        ["Kernteam besproken in het werkoverleg."]
    );
    b.screenshot(&shots, "pdca-praktijk").await;

    b.close().await;
}
