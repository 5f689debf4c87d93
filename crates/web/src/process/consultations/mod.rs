//! Consultations of the elderly-care physician (specialist ouderengeneeskunde, SO): the
//! page at `/patienten/{id}/consultaties` and the API at
//! `/api/v1/patients/{id}/consultations`. The region reports them per quarter, split by
//! funding (Zvw or Wlz).
//!
//! Everyone who may see the patient sees them; everyone who may contribute to the care
//! records records them (the practice's clinicians, the network professionals on the
//! care team — the SO among them). The use cases are in `kernteam_app::consultations`,
//! the input rules in `kernteam_domain::consultations`.

mod api;
mod page;

use kernteam_domain::events::{ConsultationKind, Funding};

pub use api::api_routes;

pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table!["/patienten/{id}/consultaties" => get(page::page).post(page::record_form)]
}

fn kind_label(code: &str) -> String {
    ConsultationKind::from_code(code).map_or_else(|| code.to_string(), |k| k.label().to_string())
}

fn funding_label(code: &str) -> String {
    Funding::from_code(code).map_or_else(|| code.to_string(), |f| f.label().to_string())
}
