//! The record as a POH-O works in it: the patient banner stays in view while she scrolls,
//! and an exclusion needs a reason she chose herself and a confirmation.

use serde_json::json;

use crate::browser::lit;
use crate::mdo_worklist::{include, some_elder};
use crate::{sign_in, start};

#[tokio::test(flavor = "multi_thread")]
async fn the_banner_stays_in_view_and_an_exclusion_needs_a_reason_and_a_confirmation() {
    let (app, b) = start().await;
    let elder = some_elder(&app).await;
    let (pid, name) = (elder.patient_id, elder.name());
    include(&app, pid).await;
    sign_in(&b, app.poh.username, app.poh.name).await;
    b.goto(&format!("/patienten/{pid}")).await;
    b.wait_heading(&name).await;

    // The banner: the name as running text, BSN, status; still at the top after scrolling
    // to the bottom of the record.
    let banner = "//section[@id='patientbanner']";
    b.wait(&format!(
        "{banner}//p[contains(@class, 'banner-name')][normalize-space()={}]",
        lit(&name)
    ))
    .await;
    b.wait(&format!(
        "{banner}//dd[normalize-space()={}]",
        lit(elder.bsn.as_deref().unwrap())
    ))
    .await;
    b.wait(&format!("{banner}//dd/span[normalize-space()='Geïncludeerd']"))
        .await;
    let scrolled = b
        .client
        .execute(
            "window.scrollTo(0, document.body.scrollHeight); \
             const r = document.getElementById('patientbanner').getBoundingClientRect(); \
             return [window.scrollY, r.top, r.bottom, window.innerHeight];",
            vec![],
        )
        .await
        .expect("scroll");
    let v: Vec<f64> = serde_json::from_value(scrolled).expect("numbers");
    assert!(v[0] > 200.0, "the record is longer than the window: {v:?}");
    assert!(
        v[1] >= 0.0 && v[1] < 5.0 && v[2] < v[3] / 3.0,
        "the banner stays at the top: {v:?}"
    );

    // Medicines by name (the synthetic extract writes product names and dosages).
    let names = b.texts("//table[contains(@class, 'medicines')]/tbody/tr/td[1]").await;
    assert!(
        names.iter().all(|n| !n.is_empty() && n != "naam niet in het extract"),
        "{names:?}"
    );

    // Exclusion: behind a button, no reason chosen beforehand.
    assert!(
        b.all("//form[contains(@action, '/exclusie')]//button").await[0]
            .is_displayed()
            .await
            .is_ok_and(|shown| !shown),
        "the exclusion form is closed until asked for"
    );
    b.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .expect("scroll back");
    b.click("//details[@id='excluderen']/summary").await;
    let reason = b.wait("//select[@id='exc-reason']").await;
    let missing = b
        .client
        .execute(
            "return [arguments[0].value, arguments[0].validity.valueMissing];",
            vec![json!(reason)],
        )
        .await
        .expect("read the reason");
    assert_eq!(missing, json!(["", true]), "no reason is preselected");
    // Sending without a reason: the browser refuses, nothing happens.
    b.click("//form[contains(@action, '/exclusie')]//button[@type='submit']")
        .await;
    assert_eq!(b.path().await, format!("/patienten/{pid}"));
    assert_eq!(app.db.decisions(pid).await.unwrap().len(), 1);

    // With a reason: first a confirmation page, nothing stored yet.
    b.choose("exc-reason", "Verhuisd").await;
    b.fill("exc-text", "Verhuisd naar haar dochter in Utrecht.").await;
    b.click("//form[contains(@action, '/exclusie')]//button[@type='submit']")
        .await;
    b.wait_heading(&format!("{name} excluderen?")).await;
    b.wait("//dl[contains(@class, 'facts')]//dd[normalize-space()='Verhuisd']")
        .await;
    b.wait(&format!(
        "{banner}//p[contains(@class, 'banner-name')][normalize-space()={}]",
        lit(&name)
    ))
    .await;
    assert_eq!(
        app.db.decisions(pid).await.unwrap().len(),
        1,
        "not stored before confirming"
    );

    // Confirmed: excluded.
    b.click("//button[normalize-space()='Ja, excluderen']").await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='De patiënt is geëxcludeerd.']")
        .await;
    b.wait(&format!("{banner}//dd/span[normalize-space()='Geëxcludeerd']"))
        .await;
    let decisions = app.db.decisions(pid).await.unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(
        decisions
            .iter()
            .filter(|d| d.reason.as_deref() == Some("verhuisd"))
            .count(),
        1
    );
    b.close().await;
}
