//! The printed care plan as the patient gets it, printed to PDF by Chromium (WebDriver's
//! print): a typical plan (the demo's) is one A4 page at 14 pt; a long one runs over more
//! pages, each with the patient's name and "Pagina n van N"; the print button is not
//! printed and dates do not wrap.

use chrono::Duration;
use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use kernteam_domain::care::{ActionStatus, CareAction, CareDomain, CarePlan, Goal, Problem};
use kernteam_store::care::NewTeamMember;
use serde_json::json;

use crate::app::App;
use crate::browser::{screenshot_dir, Browser};
use crate::mdo_worklist::{include, some_elder};
use crate::{dmy, sign_in, start};

/// The demo's care plan (`kernteam demo`): two problems, three goals, three actions.
pub(crate) fn demo_plan(app: &App) -> CarePlan {
    let today = app.today;
    CarePlan {
        problems: vec![
            Problem {
                domain: CareDomain::Functioneel,
                description: "Valt de laatste maanden vaker; loopt met rollator.".into(),
            },
            Problem {
                domain: CareDomain::Maatschappelijk,
                description: "Weinig sociale contacten sinds overlijden partner.".into(),
            },
        ],
        wishes: "Ik wil in mijn eigen huis blijven wonen en zelf boodschappen blijven doen.".into(),
        goals: vec![
            Goal::new(None, "Veilig thuis blijven wonen"),
            Goal::new(Some(CareDomain::Functioneel), "Zonder te vallen door het huis lopen"),
            Goal::new(
                Some(CareDomain::Maatschappelijk),
                "Eén keer per week naar de ontmoetingsgroep",
            ),
        ],
        actions: vec![
            CareAction {
                what: "Valrisico-inventarisatie en huisbezoek".into(),
                who: app.poh.name.into(),
                due: Some(today + Duration::days(14)),
                status: ActionStatus::Gepland,
                ..Default::default()
            },
            CareAction {
                what: "Aanmelden bij ontmoetingsgroep".into(),
                who: "Sociaal wijkteam".into(),
                domain: Some(CareDomain::Maatschappelijk),
                due: Some(today - Duration::days(5)),
                status: ActionStatus::Lopend,
                ..Default::default()
            },
            CareAction {
                what: "Medicatie-uitzetting controleren bij huisbezoek".into(),
                who: app.wijkverpleegkundige.name.into(),
                domain: Some(CareDomain::Somatisch),
                due: Some(today + Duration::days(7)),
                status: ActionStatus::Gepland,
                ..Default::default()
            },
        ],
        evaluation_date: Some(today + Duration::days(90)),
        ..Default::default()
    }
}

async fn save_plan(app: &App, patient: i64, based_on: i64, plan: &CarePlan) {
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.save_care_plan(
        patient,
        based_on,
        &serde_json::to_string(plan).unwrap(),
        "Zorgplan opgesteld",
        app.poh.id,
        app.poh.name,
    ))
    .expect("save the care plan");
}

/// The page printed to an A4 PDF, as its pages' text.
pub(crate) async fn print_pages(b: &Browser) -> Vec<String> {
    let config = PrintConfiguration::builder()
        .size(PrintSize::A4)
        .margins(PrintMargins {
            top: 1.2,
            bottom: 1.4,
            left: 1.5,
            right: 1.5,
        })
        .build()
        .expect("print configuration");
    let pdf = b.client.print(config).await.expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let doc = lopdf::Document::load_mem(&pdf).expect("read the PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|n| {
            doc.extract_text(&[*n])
                .unwrap_or_else(|e| panic!("text of page {n}: {e}"))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The computed font size of the first element matching the CSS selector, in points.
async fn font_points(b: &Browser, selector: &str) -> f64 {
    let px = b
        .client
        .execute(
            "return parseFloat(getComputedStyle(document.querySelector(arguments[0])).fontSize);",
            vec![json!(selector)],
        )
        .await
        .unwrap_or_else(|e| panic!("font size of {selector}: {e}"));
    px.as_f64().expect("a number") * 72.0 / 96.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_care_plan_is_one_large_print_a4_page_with_the_name_on_every_page() {
    let (app, b) = start().await;
    let elder = some_elder(&app).await;
    let (pid, name) = (elder.patient_id, elder.name());
    include(&app, pid).await;
    let member = kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        pid,
        &NewTeamMember {
            kind: "professional".into(),
            user_id: Some(app.poh.id),
            name: app.poh.name.into(),
            role: Some("POH-ouderenzorg".into()),
            phone: Some("043-3214567".into()),
            ..Default::default()
        },
        app.poh.id,
    ))
    .expect("team member");
    kernteam_store::audited!(app.db, kernteam_store::testing::entry(), |ch| ch.set_first_contact(
        pid,
        member,
        app.poh.id,
        chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()
    ))
    .expect("first contact");
    let plan = demo_plan(&app);
    save_plan(&app, pid, 0, &plan).await;
    sign_in(&b, app.poh.username, app.poh.name).await;

    b.goto(&format!("/patienten/{pid}/zorgplan/afdrukken")).await;
    b.wait_heading("Uw zorgplan").await;
    b.check_accessibility().await;
    b.wait("//button[@data-print][normalize-space()='Afdrukken']").await;
    for selector in ["main p", "main li", "table.agreements td", "#handout-running"] {
        let pt = font_points(&b, selector).await;
        assert!(pt >= 14.0 - 0.01, "{selector}: {pt} pt");
    }
    let contact = app
        .db
        .practice_contact(app.practice_id)
        .await
        .expect("practice contact");
    let phone = contact.phone.expect("the synthetic practice has a phone");
    let when = format!("vóór {}", dmy(app.today + Duration::days(14)));

    b.screenshot(&screenshot_dir(), "zorgplan-handout").await;
    let pages = print_pages(&b).await;
    assert_eq!(pages.len(), 1, "a typical plan is one A4 page: {pages:#?}");
    let page = &pages[0];
    for text in [
        format!("Zorgplan van {name}"),
        "Wat u belangrijk vindt".to_string(),
        "Wat u zelf kunt in het dagelijks leven".to_string(),
        app.practice_name.clone(),
        phone.clone(),
        format!("Uw huisarts {}", app.huisarts.name),
        format!("Uw eerste aanspreekpunt {} (POH-ouderenzorg)", app.poh.name),
        when.clone(),
        "Pagina 1 van 1".to_string(),
    ] {
        assert!(page.contains(&text), "{text:?} not on the page: {page}");
    }
    assert!(
        !page.contains("Afdrukken") && !page.contains("Terug naar"),
        "no buttons on paper"
    );
    assert!(
        !page.contains("Domein") && !page.contains("Functioneel"),
        "plain words: {page}"
    );

    // A long plan runs over pages; each has the name and its number.
    let mut long = plan.clone();
    for i in 1..=24 {
        long.actions.push(CareAction {
            what: format!("Afspraak {i}: controle van de bloeddruk en het gewicht bij de praktijk"),
            who: app.poh.name.into(),
            due: Some(app.today + Duration::days(7 * i)),
            status: ActionStatus::Gepland,
            ..Default::default()
        });
    }
    save_plan(&app, pid, 1, &long).await;
    b.goto(&format!("/patienten/{pid}/zorgplan/afdrukken")).await;
    b.wait_heading("Uw zorgplan").await;
    let pages = print_pages(&b).await;
    let n = pages.len();
    assert!(n >= 2, "a long plan runs over pages: {n}");
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Zorgplan van {name}")), "page {}: {page}", i + 1);
        assert!(
            page.contains(&format!("Pagina {} van {n}", i + 1)),
            "page {}: {page}",
            i + 1
        );
    }
    b.close().await;
}
