//! Case finding (`docs/case-finding.md`): the practice's list of likely-frail 75+ without a
//! frail-elder episode at `/opsporing`, ordered by the frailty index from the extract, and
//! on each record the page `/patienten/{id}/kwetsbaarheid`: the index with its deficits,
//! screening instruments (GFI, PRISMA-7, ISAR-PC, TFI) recorded with their trend, and the
//! clinician's conclusion, which proposes the HIS episode and the inclusion.
//!
//! The use cases are in `kernteam_app::case_finding` and `kernteam_app::screenings`, the
//! rules in `kernteam_domain::frailty` and `kernteam_domain::screening`.

mod list;
mod record;

pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/opsporing" => get(list::page),
        "/patienten/{id}/kwetsbaarheid" => get(record::page),
        "/patienten/{id}/kwetsbaarheid/screening" => post(record::record_screening),
        "/patienten/{id}/kwetsbaarheid/conclusie" => post(record::record_conclusion),
    ]
}
