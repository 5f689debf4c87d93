//! The daily care process around a frail elder, beside the care plan: proactive care
//! planning (PZP), consultations of the elderly-care physician (SO), medication reviews
//! (MBO), and — from the other modules here — MDO meetings, events with their handover
//! and worklists. Each submodule brings its pages (and the JSON API handlers it shares
//! logic with); [`routes`] lists their page routes for the application's router.

pub mod case_finding;
pub mod consultations;
pub mod corrections;
pub mod events;
pub mod formation;
pub mod mdo;
pub mod pzp;
pub mod reviews;
pub mod worklist;

/// The page routes of the care process.
pub fn routes() -> Vec<crate::PageRoute> {
    [
        pzp::routes(),
        consultations::routes(),
        corrections::routes(),
        reviews::routes(),
        mdo::routes(),
        events::routes(),
        worklist::routes(),
        formation::routes(),
        case_finding::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// Helpers shared by the modules here.

/// Longest name (of a person, a treatment).
pub const MAX_NAME: usize = 200;

/// The fields of an url-encoded form, in order (repeated fields stay repeated).
pub fn form_pairs(body: &[u8]) -> crate::AppResult<Vec<(String, String)>> {
    serde_urlencoded::from_bytes(body).map_err(|_| crate::AppError::invalid("Het formulier is onleesbaar."))
}

/// An optional date as entered (`yyyy-mm-dd`); empty is absent, anything else unreadable
/// is an error naming `label`.
pub fn date_field(raw: &str, label: &str, errors: &mut Vec<String>) -> Option<chrono::NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!("{label}: '{raw}' is geen geldige datum."));
            None
        }
    }
}

/// An error when `text` is longer than `max` characters.
pub fn text_limit(text: &str, label: &str, max: usize, errors: &mut Vec<String>) {
    if text.chars().count() > max {
        errors.push(format!("{label} mag hoogstens {max} tekens lang zijn."));
    }
}
