//! Medication reviews (medicatiebeoordeling, MBO; the STRIP method of the guideline
//! *Polyfarmacie bij ouderen*): the page at `/patienten/{id}/medicatiebeoordelingen` and
//! the API at `/api/v1/patients/{id}/medication-reviews`.
//!
//! The page shows whether a review is indicated according to the practice's latest
//! extract (75+ with five or more medicines, or frail), records a review — who took
//! part, which medicines were stopped, started or changed, when to follow up — with the
//! indication of that moment, and lists the earlier ones. The use cases are in
//! `kernteam_app::medication_reviews`, the input rules in
//! `kernteam_domain::medication_reviews`.

mod api;
mod page;

use kernteam_app::medication_reviews::ExtractIndication;

pub use api::api_routes;

use crate::pages::fmt_date;

pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table!["/patienten/{id}/medicatiebeoordelingen" => get(page::page).post(page::record_form)]
}

/// The indication line, e.g. "Medicatiebeoordeling geïndiceerd: kwetsbare oudere (…)", and
/// whether a review is indicated.
fn indication_line(i: Option<ExtractIndication>) -> (String, bool) {
    match i {
        None => (
            "Deze patiënt staat niet in het laatste HIS-extract van de praktijk; de indicatie is niet te bepalen."
                .into(),
            false,
        ),
        Some(ExtractIndication {
            extract_date,
            indication: Some(ind),
        }) => (
            format!(
                "Medicatiebeoordeling geïndiceerd: {} (volgens het HIS-extract van {}).",
                ind.label().to_lowercase(),
                fmt_date(extract_date)
            ),
            true,
        ),
        Some(ExtractIndication {
            extract_date,
            indication: None,
        }) => (
            format!(
                "Geen indicatie voor een medicatiebeoordeling volgens het HIS-extract van {}: niet kwetsbaar en minder dan vijf geneesmiddelen.",
                fmt_date(extract_date)
            ),
            false,
        ),
    }
}
