//! Case finding as a POH-O does it: she opens the list of likely-frail 75+ without an
//! episode, assesses the top patient, records a GFI of 6, confirms frailty and includes
//! the patient, giving the reason for the exception (no episode in the HIS yet).

use crate::browser::{lit, screenshot_dir};
use crate::{sign_in, start};

#[tokio::test(flavor = "multi_thread")]
async fn the_poh_o_finds_screens_confirms_and_includes_the_top_patient() {
    let (app, b) = start().await;
    sign_in(&b, app.poh.username, app.poh.name).await;
    b.click_link("Opsporing").await;
    b.wait_heading("Opsporing kwetsbare ouderen").await;
    b.wait("//p[@id='index-waarschuwing'][contains(., 'geen diagnose')]")
        .await;

    // The top row: the highest index, with the deficits that make it.
    let top = "//table[contains(@class, 'case-finding')]/tbody/tr[1]";
    let row = b.wait(top).await;
    let row_id = row.attr("id").await.expect("id").expect("a row id");
    let patient_id: i64 = row_id.trim_start_matches("kandidaat-").parse().expect("patient id");
    let name = b.texts(&format!("{top}/td[1]")).await.remove(0);
    let deficits = b.texts(&format!("{top}/td[4]//li")).await;
    assert!(
        deficits.len() >= 3,
        "the top patient has several deficits: {deficits:?}"
    );
    b.screenshot(&screenshot_dir(), "case-finding-list").await;

    b.click(&format!("{top}//a[starts-with(normalize-space(), 'Beoordelen')]"))
        .await;
    // The record's page names the patient in running text ("Hélène Wijnands").
    let heading = b
        .wait("//h1[starts-with(normalize-space(), 'Kwetsbaarheid van ')]")
        .await;
    let heading = heading.text().await.expect("heading");
    b.check_accessibility().await;
    assert_eq!(b.path().await, format!("/patienten/{patient_id}/kwetsbaarheid"));
    let family = name.split(',').next().expect("family name");
    assert!(heading.contains(family), "{heading:?} names {name:?}");
    assert_eq!(b.texts("//ul[@id='tekorten']/li").await, deficits);

    // A GFI of 6: six items ticked; Kernteam scores it against the cut-off of 4.
    b.click("//details[@id='screening-gfi']/summary").await;
    for item in [1, 2, 5, 8, 10, 12] {
        b.click(&format!("//input[@id='gfi-{item}']")).await;
    }
    b.click("//details[@id='screening-gfi']//button[@type='submit']").await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='De screening is vastgelegd.']")
        .await;
    b.wait("//table[contains(@class, 'screenings')]/tbody/tr[1]/td[3][normalize-space()='6 van 15 (afkap 4)']")
        .await;
    b.wait("//table[contains(@class, 'screenings')]/tbody/tr[1]//span[normalize-space()='wijst op kwetsbaarheid']")
        .await;

    // Confirm frailty, with the reason.
    b.click("//input[@id='frail-ja']").await;
    b.fill("c-reason", "GFI 6; valt vaak en is afgevallen, huisbezoek bevestigt")
        .await;
    b.click("//form[@id='conclusie-form']//button[@type='submit']").await;
    b.wait_heading(&heading).await;
    b.wait("//p[@id='huidige-conclusie']/strong[normalize-space()='Kwetsbaar']")
        .await;
    b.wait("//li[@id='taak-episode'][contains(., 'A05')]").await;
    b.wait("//li[@id='voorstel-inclusie']").await;
    let reason = b
        .wait("//textarea[@id='inc-exception']")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(reason.starts_with("Kwetsbaarheid bevestigd op"), "{reason:?}");
    assert!(reason.contains("GFI (score 6)"), "{reason:?}");
    b.screenshot(&screenshot_dir(), "case-finding-confirmed").await;

    // Include: the deciding GP, and the proposed reason for the exception.
    b.fill("inc-gp", app.huisarts.name).await;
    b.click("//form[@id='inclusie-form']//button[@type='submit']").await;
    b.wait("//strong[contains(@class, 'status')][normalize-space()='Geïncludeerd']")
        .await;

    // Assessed and included: no longer on the case-finding list.
    b.click_link("Opsporing").await;
    b.wait_heading("Opsporing kwetsbare ouderen").await;
    assert!(
        b.all(&format!("//tr[@id={}]", lit(&row_id))).await.is_empty(),
        "the patient left the list"
    );
    b.close().await;
}
