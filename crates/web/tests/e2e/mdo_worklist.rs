//! MDO, events and the worklist in the browser: a POH-O plans an MDO, puts a patient on
//! the agenda, records attendance and the minutes with a decision that lands as an action
//! in the care plan; a discharge recorded more than 24 hours after the fact shows its
//! handover as late on the worklist.

use chrono::{Duration, Local, NaiveDate};
use kernteam_domain::care::DecisionKind;
use kernteam_domain::dates::age_on;
use kernteam_store::care::{NewDecision, NewTeamMember, Person};
use serde_json::json;

use crate::app::App;
use crate::browser::{lit, screenshot_dir, Browser};
use crate::{dmy, sign_in, start};

/// A registered patient of 76 or older with a BSN (so that the practice list has them).
pub(crate) async fn some_elder(app: &App) -> Person {
    let snapshot = app
        .db
        .latest_snapshot(app.practice_id)
        .await
        .expect("snapshot")
        .expect("the practice has an extract");
    app.db
        .snapshot_people(snapshot.snapshot_id)
        .await
        .expect("people")
        .into_iter()
        .filter(|p| p.bsn.is_some() && p.registration_end.is_none() && p.registration_start <= snapshot.extract_date)
        .filter(|p| age_on(p.birth_date, app.today) >= 76)
        .min_by_key(|p| p.patient_id)
        .expect("an elder in the synthetic practice")
}

pub(crate) async fn include(app: &App, patient_id: i64) {
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_decision(
        patient_id,
        &NewDecision {
            kind: DecisionKind::Inclusion,
            decided_on: app.today - Duration::days(30),
            deciding_gp: Some(app.huisarts.name.into()),
            reason: None,
            considerations: None,
        },
        app.poh.id,
    ))
    .expect("include the patient");
}

/// Sets the value of an input (a time field, whose typing depends on the locale), firing
/// the events a user's input would.
async fn set_value(b: &Browser, id: &str, value: &str) {
    let e = b.wait(&format!("//input[@id={}]", lit(id))).await;
    b.client
        .execute(
            "arguments[0].value = arguments[1];
             arguments[0].dispatchEvent(new Event('input', { bubbles: true }));
             arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(e), json!(value)],
        )
        .await
        .unwrap_or_else(|err| panic!("set #{id}: {err}"));
}

async fn flash(b: &Browser, text: &str) {
    b.wait(&format!(
        "//p[contains(@class, 'flash')][normalize-space()={}]",
        lit(text)
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mdo_decision_becomes_an_action_in_the_care_plan() {
    let (app, b) = start().await;
    let shots = screenshot_dir();
    let elder = some_elder(&app).await;
    // The agenda and the minutes write the name as running text ("Ger Maas").
    let name = elder.name();
    let pid = elder.patient_id;
    let wvk = app.wijkverpleegkundige.name;
    // Included and never discussed: the worklist suggests the patient for the agenda.
    include(&app, pid).await;
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        pid,
        &NewTeamMember {
            kind: "professional".into(),
            user_id: Some(app.wijkverpleegkundige.id),
            name: wvk.into(),
            role: Some("Wijkverpleegkundige".into()),
            ..Default::default()
        },
        app.poh.id,
    ))
    .expect("the district nurse on the care team");
    sign_in(&b, app.poh.username, app.poh.name).await;

    // Plan a practice MDO for today at 10:00 in the practice, inviting people by name.
    b.click_link("MDO").await;
    b.wait_heading("Multidisciplinair overleg (MDO)").await;
    b.wait("//p[normalize-space()='Er is nog geen MDO gepland.']").await;
    b.set_date("mdo-date", app.today).await;
    set_value(&b, "mdo-time", "10:00").await;
    b.click("//input[@id='level-praktijk']").await;
    b.fill("mdo-place", "Praktijk, spreekkamer 2").await;
    for who in [&app.huisarts, &app.poh, &app.wijkverpleegkundige] {
        b.click(&format!("//input[@id='inv-u{}']", who.id)).await;
    }
    b.check_accessibility().await;
    b.click("//button[normalize-space()='MDO plannen']").await;
    let title = format!("Praktijk-MDO van {}", dmy(app.today));
    b.wait_heading(&title).await;
    flash(&b, "Het MDO is gepland.").await;
    let fact = |dt: &str| format!("//dl[contains(@class, 'facts')]/div[dt={}]/dd", lit(dt));
    assert_eq!(
        b.texts(&fact("Uitgenodigd")).await,
        ["Huisarts, POH-ouderenzorg, Wijkverpleging"]
    );
    assert_eq!(b.texts(&fact("Tijd")).await, ["10:00 uur"]);
    assert_eq!(b.texts(&fact("Plaats")).await, ["Praktijk, spreekkamer 2"]);
    let mut invited = b.texts("//ul[contains(@class, 'invitees')]/li").await;
    invited.sort();
    let mut expected = vec![
        format!("{} (Huisarts)", app.huisarts.name),
        format!("{} (POH-ouderenzorg)", app.poh.name),
        format!("{wvk} (Wijkverpleegkundige)"),
    ];
    expected.sort();
    assert_eq!(invited, expected);
    let path = b.path().await;
    let meeting: i64 = path
        .trim_start_matches("/mdo/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("meeting id in {path}"));

    // The search finds the patient by BSN…
    b.fill("zoek", elder.bsn.as_deref().unwrap()).await;
    b.click("//form[@role='search']//button[@type='submit']").await;
    b.wait("//p[@role='status'][starts-with(normalize-space(), '1 patiënt gevonden')]")
        .await;
    // …but the worklist suggests them too: put on the agenda in place, without a reload.
    b.client
        .execute("window.kernteamNoReload = true; return true;", vec![])
        .await
        .expect("mark the page");
    b.fill(&format!("kandidaat-{pid}"), "Valt vaker; mantelzorger overbelast")
        .await;
    b.click(&format!("//input[@id='kandidaat-{pid}']/following-sibling::button"))
        .await;
    b.wait(&format!(
        "//li[@data-row='kandidaat-{pid}']/span[@role='status'][normalize-space()={}]",
        lit(&format!("{name} staat op de agenda."))
    ))
    .await;
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-agenda']//table/tbody/tr/td[2]")
            .await,
        ["Valt vaker; mantelzorger overbelast"]
    );
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-agenda']//table/tbody/tr/td[1]/a")
            .await,
        [name.as_str()]
    );
    let same_page = b
        .client
        .execute("return window.kernteamNoReload === true;", vec![])
        .await
        .expect("read the mark");
    assert_eq!(same_page, json!(true), "no full-page reload");
    b.check_accessibility().await;

    // Attendance ticked from the invitees: the GP and the POH-O, not the district nurse.
    let invitee = |n: &str| {
        format!(
            "//fieldset[contains(@class, 'invitees')][legend='Wie was er aanwezig?']//label[starts-with(normalize-space(), {})]/preceding-sibling::input",
            lit(n)
        )
    };
    b.click(&invitee(app.huisarts.name)).await;
    b.click(&invitee(app.poh.name)).await;
    b.click("//button[normalize-space()='Aanwezigheid vastleggen']").await;
    flash(&b, "De aanwezigheid is vastgelegd.").await;
    b.wait("//dd[@id='mdo-status'][normalize-space()='Gehouden']").await;
    assert_eq!(
        b.texts("//table[contains(@class, 'attendance')][not(contains(@class, 'attendance-form'))]/tbody/tr/td")
            .await,
        [
            "Huisarts",
            "aanwezig",
            app.huisarts.name,
            "POH-ouderenzorg",
            "aanwezig",
            app.poh.name,
            "Wijkverpleging",
            "afwezig",
            ""
        ]
    );

    // The minutes with one decision → an action for a member of the care team.
    b.click(&format!("//a[contains(@href, '/mdo/{meeting}/patienten/{pid}')]"))
        .await;
    b.wait_heading(&format!("Verslag MDO {}: {name}", dmy(app.today))).await;
    b.wait("//p[@id='mdo-limits'][normalize-space()='Nog geen PZP vastgelegd']")
        .await;
    b.wait("//p[normalize-space()='Er is nog geen zorgplan; de besluiten hieronder worden de eerste versie.']")
        .await;
    let what = "Fysiotherapie aanvragen voor loopoefeningen";
    let due: NaiveDate = app.today + Duration::days(21);
    b.fill("minutes", "Sinds de zomer drie keer gevallen. Dochter zorgt dagelijks.")
        .await;
    b.fill("dw-1", what).await;
    b.choose("db-1", &format!("{wvk} (Wijkverpleegkundige)")).await;
    b.set_date("dd-1", due).await;
    b.check_accessibility().await;
    b.screenshot(&shots, "mdo-verslag").await;
    b.click("//button[normalize-space()='Verslag opslaan']").await;
    flash(&b, "Het verslag is vastgelegd en de acties staan in het zorgplan.").await;
    let minutes = b
        .texts("//section[@aria-labelledby='h-agenda']//table/tbody/tr/td[3]/div[contains(@class, 'prose')]")
        .await;
    assert_eq!(minutes.len(), 1);
    assert!(
        minutes[0].ends_with(&format!("Besluiten: - {what} ({wvk}, vóór {})", dmy(due))),
        "{minutes:?}"
    );
    b.screenshot(&shots, "mdo").await;

    // The action is in the patient's care plan, as a new version; the record shows the MDO.
    b.click(&format!(
        "//section[@aria-labelledby='h-agenda']//a[normalize-space()={}]",
        lit(&name)
    ))
    .await;
    b.wait_heading(&elder.name()).await;
    b.wait("//section[@aria-labelledby='h-plan']/p[starts-with(normalize-space(), 'Versie 1.')]")
        .await;
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-plan']/h3[.='Openstaande acties']/following-sibling::ul[1]/li")
            .await,
        [format!("{what} — {wvk}, vóór {}", dmy(due))]
    );
    let history = b
        .texts("//section[@aria-labelledby='h-mdo-history']//tbody/tr/td")
        .await;
    assert_eq!(
        history[..3],
        [
            dmy(app.today),
            "Praktijk-MDO".to_string(),
            "Valt vaker; mantelzorger overbelast".to_string()
        ]
    );
    assert!(history[3].contains(what), "{history:?}");
    b.check_accessibility().await;
    b.goto(&format!("/patienten/{pid}/zorgplan/versies")).await;
    assert_eq!(
        b.texts("//table[contains(@class, 'history')]/tbody/tr[1]/td[4]/ul/li")
            .await,
        [
            format!("Besluiten uit het MDO van {}", dmy(app.today)),
            format!("Actie toegevoegd: {what}")
        ]
    );

    // The MDO list counts the meeting and the patient in this quarter.
    b.click_link("MDO").await;
    b.wait_heading("Multidisciplinair overleg (MDO)").await;
    let first_quarter = b.texts("//table[contains(@class, 'quarters')]/tbody/tr[1]/*").await;
    assert_eq!(first_quarter[1..3], ["1", "1"], "{first_quarter:?}");

    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discharge_recorded_after_24_hours_shows_a_late_handover_on_the_worklist() {
    let (app, b) = start().await;
    let shots = screenshot_dir();
    let elder = some_elder(&app).await;
    let name = elder.full_name();
    let pid = elder.patient_id;
    include(&app, pid).await;
    sign_in(&b, app.poh.username, app.poh.name).await;

    // The discharge happened 30 hours ago; recorded now on the events tab.
    b.goto(&format!("/patienten/{pid}")).await;
    b.wait_heading(&elder.name()).await;
    b.click(&format!(
        "//nav[contains(@class, 'tabs')]//a[@href='/patienten/{pid}/gebeurtenissen']"
    ))
    .await;
    b.wait_heading(&format!("Gebeurtenissen van {}", elder.name())).await;
    b.wait("//p[normalize-space()='Er zijn nog geen gebeurtenissen vastgelegd.']")
        .await;
    let at = Local::now() - Duration::hours(30);
    b.choose("ev-kind", "Ontslag uit het ziekenhuis").await;
    b.set_date("ev-date", at.date_naive()).await;
    set_value(&b, "ev-time", &at.format("%H:%M").to_string()).await;
    b.fill("ev-notes", "Na heupoperatie terug naar huis; thuiszorg start morgen.")
        .await;
    b.click("//button[normalize-space()='Vastleggen']").await;
    flash(&b, "De gebeurtenis is vastgelegd.").await;
    let row = "//table[contains(@class, 'events')]/tbody/tr[1]";
    assert_eq!(
        b.texts(&format!("{row}/td[position() <= 2]")).await,
        [
            at.format("%d-%m-%Y %H:%M").to_string(),
            "Ontslag uit het ziekenhuis".to_string()
        ]
    );
    b.wait(&format!(
        "{row}//span[contains(@class, 'handover-status')][contains(@class, 'late')][normalize-space()='Te laat: nog niet verstuurd']"
    ))
    .await;

    // The worklist: the patient's block first, the late handover first in it, urgent,
    // linking to the event.
    b.click_link("Werklijst").await;
    b.wait_heading("Werklijst").await;
    let text = "Overdracht bij ontslag uit het ziekenhuis: te laat, nog niet verstuurd";
    let block = format!(
        "//section[contains(@class, 'worklist-patient')][.//h2/a[normalize-space()={}]]",
        lit(&name)
    );
    let item = format!("{block}//tbody/tr[td[2][normalize-space()={}]]", lit(text));
    b.wait(&format!(
        "{item}[contains(@class, 'urgent')]/td[1]/span[normalize-space()='dringend']"
    ))
    .await;
    assert_eq!(
        b.all(&format!(
            "({block}//tbody/tr)[1][td[2][normalize-space()={}]]",
            lit(text)
        ))
        .await
        .len(),
        1,
        "urgent work comes first"
    );
    b.screenshot(&shots, "werklijst").await;

    // Only my patients: the POH-O is not on this patient's care team.
    b.choose("weergave", "Mijn patiënten").await;
    b.click("//form[@role='search']//button[@type='submit']").await;
    b.wait("//p[@id='werklijst-telling'][starts-with(normalize-space(), '0 patiënten')]")
        .await;
    b.choose("weergave", "Alle patiënten van de praktijk").await;
    b.click("//form[@role='search']//button[@type='submit']").await;
    b.wait(&item).await;

    // From the worklist to the event; sent now to the district nursing: sent, but late.
    b.click(&format!("{item}/td[2]/a")).await;
    b.wait_heading(&format!("Gebeurtenissen van {}", elder.name())).await;
    let select = b.wait(&format!("{row}//form//select[@name='organisation']")).await;
    let select_id = select.attr("id").await.unwrap().expect("an id");
    b.choose(&select_id, &format!("{} (wijkverpleging)", crate::app::ORGANISATION))
        .await;
    b.click(&format!(
        "{row}//form/button[starts-with(normalize-space(), 'Overdracht versturen')]"
    ))
    .await;
    flash(&b, "De overdracht is verstuurd en bewaard.").await;
    b.wait(&format!(
        "{row}//span[contains(@class, 'handover-status')][normalize-space()='Te laat verstuurd']"
    ))
    .await;
    b.screenshot(&shots, "gebeurtenissen").await;
    b.click_link("Werklijst").await;
    b.wait(&format!(
        "{block}//tbody/tr/td[2][normalize-space()='Overdracht bij ontslag uit het ziekenhuis: te laat verstuurd']"
    ))
    .await;

    b.close().await;
}
