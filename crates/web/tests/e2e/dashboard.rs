//! The dashboard in the browser: a POH-O opens her practice's dashboard from the menu and
//! sees a chart per figure, drawn (not empty), each with its table.

use kernteam_report::trends::FIGURES;

use crate::browser::{lit, screenshot_dir};
use crate::{sign_in, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_practice_dashboard_renders_its_charts() {
    let (app, b) = start().await;
    let shots = screenshot_dir();
    sign_in(&b, app.poh.username, app.poh.name).await;
    b.click("//nav[@aria-label='Hoofdmenu']//a[normalize-space()='Dashboard']")
        .await;
    b.wait_heading(&format!("Dashboard {}", app.practice_name)).await;
    let charts = b.all("//div[@class='dash-chart']/*[local-name()='svg']").await;
    assert_eq!(charts.len(), FIGURES.len(), "an svg per figure");
    for chart in charts.iter().take(3) {
        assert!(chart.is_displayed().await.expect("displayed"), "the chart is visible");
        let (_, _, width, height) = chart.rectangle().await.expect("chart size");
        assert!(
            width > 200.0 && height > 80.0,
            "the chart is drawn at a readable size: {width}×{height}"
        );
    }
    // The figure of the registered patients: a line per series and a table of 8 quarters.
    b.wait(&format!(
        "//figure[@id='fig-registered']//*[local-name()='svg']/*[local-name()='title'][normalize-space()={}]",
        lit("Ingeschreven patiënten")
    ))
    .await;
    let lines = b
        .all("//figure[@id='fig-registered']//*[local-name()='polyline']")
        .await;
    assert!(
        !lines.is_empty(),
        "the practice's registered patients are drawn as a line"
    );
    let rows = b.all("//figure[@id='fig-registered']//table/tbody/tr").await;
    assert_eq!(rows.len(), 8, "eight quarters");
    let captions = b.texts("//table[@class='dash-table']/caption").await;
    assert_eq!(captions.len(), FIGURES.len());
    b.screenshot(&shots, "dashboard-practice").await;
    b.close().await;
}
