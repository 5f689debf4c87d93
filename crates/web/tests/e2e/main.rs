//! End-to-end tests in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! which `bash .ci/run` installs), driven with fantoccini against the application served
//! in-process on a fresh SQLite database with a small synthetic region.
//!
//! Screenshots of the care plan pages go to `target/e2e-screenshots/`.

mod app;
mod browser;
mod case_finding;
mod dashboard;
mod decisions;
mod handover;
mod mdo_worklist;
mod portal;
mod print;
mod visits;
mod worklist_tick;

use app::{App, ORGANISATION, PASSWORD};
use browser::{lit, screenshot_dir, Browser};
use kernteam_store::care::NewTeamMember;

fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// Starts the application and the browser side by side.
async fn start() -> (App, Browser) {
    let (app, mut browser) = tokio::join!(App::start(), Browser::start());
    browser.base = app.base.clone();
    (app, browser)
}

/// Signs in through the login form and waits for the signed-in page header.
async fn sign_in(b: &Browser, username: &str, name: &str) {
    b.goto("/").await;
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

/// The number in the list's "N patiënten" line.
async fn list_total(b: &Browser) -> usize {
    let line = b
        .wait("//p[@role='status'][contains(@class, 'muted')][contains(., ' patiënt')]")
        .await;
    let text = line.text().await.expect("status line");
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {text:?}"))
}

/// The current value of the form field with this id.
async fn field_value(b: &Browser, id: &str) -> String {
    b.wait(&format!("//*[@id={}]", lit(id)))
        .await
        .prop("value")
        .await
        .expect("field value")
        .unwrap_or_default()
}

const LIST_ROWS: &str = "//table[contains(@class, 'list')]/tbody/tr";

/// Shows the practice's patient list with the filter of this label.
async fn filter_list(b: &Browser, label: &str, value: &str) {
    b.click_link("Patiënten").await;
    b.wait_heading("Patiënten 75+").await;
    b.choose("filter", label).await;
    b.click("//form[@role='search']//button[@type='submit']").await;
    b.wait(&format!(
        "//select[@id='filter']/option[@selected][@value={}]",
        lit(value)
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poh_includes_a_patient_builds_the_care_team_and_keeps_a_versioned_care_plan() {
    let (app, b) = start().await;
    let shots = screenshot_dir();
    let huisarts = app.huisarts.name;
    let wvk = app.wijkverpleegkundige.name;

    // Sign in as the POH-O and find the frail patients who are not included yet.
    sign_in(&b, app.poh.username, app.poh.name).await;
    filter_list(&b, "Kwetsbaar, niet geïncludeerd", "kwetsbaar-niet-geincludeerd").await;
    let candidates = list_total(&b).await;
    assert!(
        candidates > 0,
        "the synthetic region has frail patients who are not included"
    );
    let rows = b.all(LIST_ROWS).await;
    assert_eq!(rows.len(), candidates.min(50), "one page of rows");
    assert!(
        b.texts(&format!("{LIST_ROWS}/td[4]"))
            .await
            .iter()
            .all(|t| t == "episode"),
        "every row has the frail-elderly episode"
    );
    assert!(
        b.texts(&format!("{LIST_ROWS}/td[7]/span[contains(@class, 'status')]"))
            .await
            .iter()
            .all(|t| t == "Niet beoordeeld"),
        "nobody in a fresh region is assessed yet"
    );

    // Open the first of them.
    let link = b.wait(&format!("({LIST_ROWS})[1]/td[1]/a")).await;
    // The list writes "Maas, Ger"; the record's heading and banner "Ger Maas".
    let listed = link.text().await.expect("patient name");
    let name = match listed.split_once(", ") {
        Some((family, given)) => format!("{given} {family}"),
        None => listed.clone(),
    };
    let href = link.attr("href").await.expect("href").expect("a link");
    let patient_id: i64 = href
        .trim_start_matches("/patienten/")
        .parse()
        .expect("patient id in link");
    link.click().await.expect("open the patient");
    b.wait_heading(&name).await;
    assert_eq!(b.path().await, format!("/patienten/{patient_id}"));
    b.wait("//strong[contains(@class, 'status')][normalize-space()='Niet beoordeeld']")
        .await;
    b.wait("//p[normalize-space()='Er staat nog niemand in het zorgteam.']")
        .await;

    // Include: date, deciding GP, considerations.
    let decided_on = app.today - chrono::Duration::days(2);
    let considerations = "Valt vaak, woont alleen; wil thuis blijven wonen.";
    // The decision forms open on demand.
    b.click("//details[@id='includeren']/summary").await;
    b.set_date("inc-date", decided_on).await;
    b.fill("inc-gp", huisarts).await;
    b.fill("inc-text", considerations).await;
    b.click("//form[contains(@action, '/inclusie')]//button[@type='submit']")
        .await;
    b.wait("//strong[contains(@class, 'status')][normalize-space()='Geïncludeerd']")
        .await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='De patiënt is geïncludeerd.']")
        .await;
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-status']//table/tbody/tr/td")
            .await,
        [
            dmy(decided_on).as_str(),
            "Inclusie",
            huisarts,
            considerations,
            app.poh.name
        ],
        "the decision as recorded"
    );

    // The care team: the GP and the district nurse, chosen from the accounts.
    let team_row = |who: &str| {
        format!(
            "//section[@aria-labelledby='h-team']//tbody/tr[td[1][starts-with(normalize-space(), {})]]",
            lit(who)
        )
    };
    let add_professional = "//form[.//select[@id='pro-user']]//button[@type='submit']";
    let open_form = "//details[.//select[@id='pro-user']]/summary";
    b.click(open_form).await;
    b.choose("pro-user", &format!("{huisarts} — Huisarts, deze praktijk"))
        .await;
    b.click(add_professional).await;
    b.wait(&team_row(huisarts)).await;
    b.click(open_form).await;
    b.choose("pro-user", &format!("{wvk} — Wijkverpleegkundige, {ORGANISATION}"))
        .await;
    b.click(add_professional).await;
    b.wait(&team_row(wvk)).await;
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-team']//tbody/tr/td[position() <= 3]")
            .await,
        [
            huisarts,
            "Huisarts",
            app.practice_name.as_str(),
            wvk,
            "Wijkverpleegkundige",
            ORGANISATION
        ],
        "the care team"
    );
    b.click(open_form).await;
    let offered = b.texts("//select[@id='pro-user']/option").await;
    assert!(
        !offered.iter().any(|o| o.starts_with(huisarts) || o.starts_with(wvk)),
        "team members are no longer offered: {offered:?}"
    );

    // First point of contact: the district nurse.
    b.wait("//strong[@id='eerste-aanspreekpunt'][normalize-space()='nog niet ingesteld']")
        .await;
    b.choose("fc", &format!("{wvk} (Wijkverpleegkundige)")).await;
    b.click("//form[contains(@action, '/aanspreekpunt')]//button[@type='submit']")
        .await;
    b.wait(&format!(
        "//strong[@id='eerste-aanspreekpunt'][normalize-space()={}]",
        lit(&format!("{wvk} (Wijkverpleegkundige)"))
    ))
    .await;
    b.wait(&format!(
        "{}//span[contains(@class, 'tag')][normalize-space()='eerste aanspreekpunt']",
        team_row(wvk)
    ))
    .await;
    assert_eq!(
        b.all("//span[contains(@class, 'tag')][normalize-space()='eerste aanspreekpunt']")
            .await
            .len(),
        1
    );

    // The care plan, first version: wishes, a goal in the functional domain and one for
    // the plan as a whole, one action for the district nurse chosen from the care team.
    b.wait("//section[@aria-labelledby='h-plan']/p[normalize-space()='Er is nog geen zorgplan.']")
        .await;
    b.click_link("Zorgplan bekijken en bewerken").await;
    b.wait_heading(&format!("Individueel zorgplan van {name}")).await;
    b.wait("//p[contains(@class, 'muted')][normalize-space()='Er is nog geen zorgplan.']")
        .await;
    b.click_link("Zorgplan opstellen").await;
    b.wait_heading(&format!("Zorgplan van {name} opstellen")).await;
    let wishes = "Ik wil in mijn eigen huis blijven wonen en mijn tuin blijven doen.";
    let (goal1, goal2, goal3) = (
        "Niet meer vallen",
        "Twee keer per week naar de dagbesteding",
        "Mantelzorger ontlasten",
    );
    let (what, who) = ("Valrisico-inventarisatie bij huisbezoek", wvk);
    let due = app.today + chrono::Duration::days(14);
    // Sections: 1 somatisch, 2 functioneel, … 6 algemeen; a new plan opens them all.
    b.fill("wishes", wishes).await;
    b.fill("g-2-1", goal1).await;
    b.fill("g-6-1", goal2).await;
    b.fill("aw-2-1", what).await;
    b.choose("ab-2-1", &format!("{wvk} (Wijkverpleegkundige)")).await;
    b.set_date("ad-2-1", due).await;
    b.check_accessibility().await;
    b.click("//button[normalize-space()='Zorgplan opslaan']").await;
    b.wait("//p[contains(@class, 'flash')][normalize-space()='Het zorgplan is opgeslagen als nieuwe versie.']")
        .await;
    b.wait("//section[@aria-labelledby='h-plan']/p[starts-with(normalize-space(), 'Versie 1.')]")
        .await;
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-plan']/h3[.='Doelen']/following-sibling::ul[1]/li")
            .await,
        [goal1, goal2]
    );
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-plan']/h3[.='Openstaande acties']/following-sibling::ul[1]/li")
            .await,
        [format!("{what} — {who}, vóór {}", dmy(due))]
    );

    // Second version: the action done, a goal added. The read view comes first.
    b.click_link("Zorgplan bekijken en bewerken").await;
    b.wait("//p[contains(@class, 'muted')][starts-with(normalize-space(), 'Versie 1,')]")
        .await;
    assert_eq!(
        b.texts("//section[@aria-labelledby='domein-functioneel']//table/tbody/tr/td[2]")
            .await,
        [who]
    );
    b.click_link("Zorgplan wijzigen").await;
    b.wait("//p[contains(@class, 'muted')][starts-with(normalize-space(), 'U wijzigt versie 1;')]")
        .await;
    assert_eq!(field_value(&b, "wishes").await, wishes);
    assert_eq!(field_value(&b, "g-2-1").await, goal1);
    assert_eq!(field_value(&b, "g-6-1").await, goal2);
    assert_eq!(field_value(&b, "g-6-2").await, "");
    assert_eq!(field_value(&b, "aw-2-1").await, what);
    assert_eq!(field_value(&b, "ad-2-1").await, due.to_string());
    assert_eq!(field_value(&b, "as-2-1").await, "gepland");
    b.choose("as-2-1", "Afgerond").await;
    b.fill("g-6-2", goal3).await;
    b.click("//button[normalize-space()='Zorgplan opslaan']").await;
    b.wait("//section[@aria-labelledby='h-plan']/p[starts-with(normalize-space(), 'Versie 2.')]")
        .await;
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-plan']/h3[.='Doelen']/following-sibling::ul[1]/li")
            .await,
        [goal1, goal2, goal3]
    );
    assert!(
        b.all("//h3[.='Openstaande acties']").await.is_empty(),
        "the only action is done"
    );
    b.screenshot(&shots, "patient").await;

    b.click_link("Zorgplan bekijken en bewerken").await;
    b.wait("//p[contains(@class, 'muted')][starts-with(normalize-space(), 'Versie 2,')]")
        .await;
    b.screenshot(&shots, "zorgplan").await;

    // The versions and what changed.
    b.click_link("alle versies").await;
    b.wait_heading(&format!("Versies van het zorgplan van {name}")).await;
    let history = "//table[contains(@class, 'history')]/tbody/tr";
    assert_eq!(b.all(history).await.len(), 2, "two versions");
    assert_eq!(
        b.texts(&format!("{history}[1]/td[position() != 2]")).await[..2],
        ["Versie 2", app.poh.name]
    );
    assert_eq!(
        b.texts(&format!("{history}[1]/td[4]/ul/li")).await,
        [
            format!("Doel toegevoegd: {goal3}"),
            format!("Actie gewijzigd: {what} (status Gepland → Afgerond)")
        ]
    );
    assert_eq!(b.texts(&format!("{history}[2]/td[1]")).await, ["Versie 1"]);
    assert_eq!(
        b.texts(&format!("{history}[2]/td[4]/ul/li")).await,
        ["Zorgplan opgesteld"]
    );
    b.screenshot(&shots, "zorgplan-versies").await;

    // Version 1 as it was, per domain.
    b.click_link("Versie 1").await;
    b.wait_heading(&format!("Zorgplan van {name}, versie 1")).await;
    b.wait("//p[contains(@class, 'muted')][contains(., 'Dit is een eerdere versie; de huidige is versie 2.')]")
        .await;
    let view = "//section[contains(@class, 'plan-view')]";
    assert_eq!(
        b.texts(&format!("{view}/h2[1]")).await,
        [format!("Wat {name} belangrijk vindt")]
    );
    assert_eq!(b.texts(&format!("{view}/p[contains(@class, 'prose')]")).await, [wishes]);
    assert_eq!(
        b.texts(&format!("{view}//ul[contains(@class, 'goals')]/li")).await,
        [goal1, goal2]
    );
    assert_eq!(
        b.texts(&format!("{view}//table[contains(@class, 'plan-actions')]/tbody/tr/td"))
            .await,
        [what, who, dmy(due).as_str(), "Gepland"]
    );

    // The print view for the patient.
    b.click(&format!(
        "//nav[contains(@class, 'crumbs')]/a[normalize-space()={}]",
        lit(&name)
    ))
    .await;
    b.wait_heading(&name).await;
    b.click_link("Afdrukken").await;
    b.wait_heading("Uw zorgplan").await;
    assert_eq!(b.path().await, format!("/patienten/{patient_id}/zorgplan/afdrukken"));
    let running = b.texts("//p[@id='handout-running']/span").await;
    assert_eq!(running[0], format!("Zorgplan van {name}"));
    assert!(running[1].starts_with("geboren "), "{running:?}");
    let contact = |what: &str| format!("//section[@aria-labelledby='h-contact']//div[dt={}]/dd", lit(what));
    assert!(
        b.texts(&contact("Uw huisartsenpraktijk")).await[0].starts_with(&app.practice_name),
        "the practice"
    );
    assert_eq!(
        b.texts(&contact("Uw eerste aanspreekpunt")).await,
        [format!("{wvk} (Wijkverpleegkundige)")]
    );
    assert_eq!(b.texts("//section[@aria-labelledby='h-wishes']/p").await, [wishes]);
    assert_eq!(
        b.texts("//section[@aria-labelledby='h-goals']/ul/li").await,
        [goal1, goal2, goal3]
    );
    assert_eq!(
        b.texts("//table[contains(@class, 'agreements')]/tbody/tr/td").await,
        [what.to_string(), who.to_string(), format!("vóór {} Klaar", dmy(due))]
    );
    // The first point of contact is named above the rest of the team.
    assert_eq!(
        b.texts("//h3[@id='h-team']/following-sibling::ul[1]/li").await,
        [format!("{huisarts} (Huisarts)")]
    );
    b.screenshot(&shots, "zorgplan-afdrukken").await;

    // Back in the list: the patient has left the "not included" filter and is included.
    b.click_link("Terug naar het zorgplan").await;
    b.wait_heading(&format!("Individueel zorgplan van {name}")).await;
    filter_list(&b, "Kwetsbaar, niet geïncludeerd", "kwetsbaar-niet-geincludeerd").await;
    assert_eq!(list_total(&b).await, candidates - 1);
    filter_list(&b, "Geïncludeerd", "geincludeerd").await;
    assert_eq!(list_total(&b).await, 1);
    assert_eq!(
        b.texts(&format!("{LIST_ROWS}/td[position() = 1 or position() = 8]"))
            .await,
        [listed, format!("{wvk} (Wijkverpleegkundige)")]
    );

    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_nurse_sees_exactly_the_patients_whose_care_team_they_are_on() {
    let (app, b) = start().await;
    let nurse = &app.wijkverpleegkundige;

    // A wrong password is refused in Dutch.
    b.goto("/inloggen").await;
    b.fill("username", nurse.username).await;
    b.fill("password", "niet-het-wachtwoord").await;
    b.click("//form[@action='/inloggen']//button[@type='submit']").await;
    b.wait(&format!(
        "//p[@role='alert'][normalize-space()={}]",
        browser::lit(kernteam_web::pages::login::REFUSED)
    ))
    .await;

    // Signed in, on nobody's care team yet.
    sign_in(&b, nurse.username, nurse.name).await;
    b.wait_heading("Patiënten met wie u in het zorgteam zit").await;
    assert_eq!(list_total(&b).await, 0);
    b.wait("//p[normalize-space()='Geen patiënten gevonden.']").await;
    assert!(b.all(LIST_ROWS).await.is_empty());

    // The POH-O adds the nurse to one patient's care team.
    let snapshot = app
        .db
        .latest_snapshot(app.practice_id)
        .await
        .expect("snapshot")
        .expect("the practice has an extract");
    let people = app.db.snapshot_people(snapshot.snapshot_id).await.expect("people");
    let (shared, other) = (&people[0], &people[1]);
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        shared.patient_id,
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

    // Exactly that patient now.
    b.click_link("Mijn patiënten").await;
    b.wait("//p[@role='status'][normalize-space()='1 patiënt.']").await;
    assert_eq!(b.texts(&format!("{LIST_ROWS}/td[1]")).await, [shared.full_name()]);
    b.click_link(&shared.full_name()).await;
    b.wait_heading(&shared.name()).await;
    b.wait(&format!(
        "//section[@aria-labelledby='h-team']//tbody/tr/td[1][normalize-space()={}]",
        lit(nurse.name)
    ))
    .await;
    assert!(
        b.all("//form[contains(@action, '/inclusie') or contains(@action, '/team')]")
            .await
            .is_empty(),
        "a network professional does not decide on inclusion or the team"
    );

    // Another patient of the same practice does not exist for the nurse.
    for path in [
        format!("/patienten/{}", other.patient_id),
        format!("/patienten/{}/zorgplan", other.patient_id),
    ] {
        b.goto(&path).await;
        b.wait_heading("Niet gevonden").await;
        b.wait("//p[normalize-space()='Deze pagina of patiënt bestaat niet, of u heeft er geen toegang toe.']")
            .await;
        assert!(
            b.all(&format!("//*[contains(., {})]", lit(&other.full_name())))
                .await
                .is_empty(),
            "the page does not reveal the patient"
        );
    }

    b.close().await;
}
