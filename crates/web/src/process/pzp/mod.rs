//! Proactive care planning (PZP, advance care planning): the page at
//! `/patienten/{id}/pzp` with its versions, and the API at `/api/v1/patients/{id}/pzp`.
//!
//! Everyone who may see the patient sees the PZP, network professionals on the care team
//! included: treatment limits matter most to whoever is at the bedside. Everyone who may
//! contribute to the care records may save a new version; like the care plan, a save
//! names the version it started from and is refused when someone else saved in between.
//! Access and audit are the gate's (`kernteam_app`); the use cases are in
//! `kernteam_app::pzp`, the input rules in `kernteam_domain::pzp`.

mod api;
mod form;
mod history;
mod page;
mod save;
mod view;

use kernteam_domain::pzp::treatment_label;
use kernteam_store::care::CarePlanVersion;

pub use api::api_routes;

use crate::error::AppResult;
use crate::pages::fmt_date;

pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/patienten/{id}/pzp" => get(page::page).post(save::save_form),
        "/patienten/{id}/pzp/versies" => get(history::history),
        "/patienten/{id}/pzp/versies/{version}" => get(history::version_page),
    ]
}

/// What the patient record overview shows of the PZP.
#[derive(Debug, Clone, Default)]
pub struct PzpSummary {
    /// The current version, if there is one.
    pub version: Option<i64>,
    /// Labels of the treatments the patient does not want.
    pub limits: Vec<String>,
    /// Advance directives that are present, by label.
    pub directives: Vec<&'static str>,
    pub next_review: Option<String>,
}

/// The PZP in brief, for the patient record overview, from its newest version.
pub fn summary_of(newest: Option<CarePlanVersion>) -> AppResult<PzpSummary> {
    let (version, p) = kernteam_app::pzp::current_of(newest.as_slice())?;
    if version == 0 {
        return Ok(PzpSummary::default());
    }
    Ok(PzpSummary {
        version: Some(version),
        limits: p.limits().map(|w| treatment_label(&w.treatment)).collect(),
        directives: view::directives(&p)
            .into_iter()
            .filter(|(_, _, d)| d.present)
            .map(|(_, label, _)| label)
            .collect(),
        next_review: p.next_review.map(fmt_date),
    })
}
