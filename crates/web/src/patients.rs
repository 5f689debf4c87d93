//! Shared helpers of the patient pages; loading patients is the gate's work
//! (`kernteam_app::gate`), the practice list lives in `kernteam_app::practice_list`.

use chrono::NaiveDate;

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub use kernteam_app::practice_list::{
    select_rows, wlz_label, CareOverlay, ListRow, PracticeList, SharedPatient, LIST_FILTERS,
};

/// Dutch label of an NHG Tabel 45 determinant.
pub fn labcode_label(code: i64) -> String {
    match code {
        2803 => "Wlz-zorgprofiel (2803)".into(),
        1251 => "Gewicht (1251)".into(),
        other => format!("Determinant {other}"),
    }
}
