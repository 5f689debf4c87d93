//! The patient banner: who the patient is, on every page of their record, in view while
//! scrolling (`templates/partials/patient_banner.html`).

use kernteam_app::gate::Visible;
use kernteam_app::patients::PatientHeader;
use kernteam_domain::dates::age_on;
use kernteam_domain::pzp::limit_label;

use super::fmt_date;
use crate::error::AppResult;
use crate::patients::today;
use crate::AppState;

pub struct Banner {
    pub id: i64,
    /// As running text: "Ger Maas".
    pub name: String,
    pub birth: String,
    pub age: String,
    pub bsn: String,
    pub first_contact: String,
    pub status: &'static str,
    pub status_code: &'static str,
    /// The treatment limits as sentences ("Niet reanimeren"); empty when none.
    pub limits: Vec<String>,
    /// Whether a PZP was recorded at all (no limits then means: none agreed).
    pub pzp: bool,
}

impl Banner {
    pub fn of(id: i64, his_id: &str, h: &PatientHeader) -> AppResult<Banner> {
        let (version, pzp) = kernteam_app::pzp::current_of(h.pzp.as_slice())?;
        let p = h.person.as_ref();
        Ok(Banner {
            id,
            name: p.map_or_else(|| his_id.to_string(), |p| p.name()),
            birth: p.map(|p| fmt_date(p.birth_date)).unwrap_or_else(|| "—".into()),
            age: p
                .map(|p| format!("{} jaar", age_on(p.birth_date, today())))
                .unwrap_or_default(),
            bsn: p.and_then(|p| p.bsn.clone()).unwrap_or_else(|| "—".into()),
            first_contact: h.first_contact.as_ref().map_or_else(
                || "nog niet ingesteld".to_string(),
                |m| match &m.role {
                    Some(r) => format!("{} ({r})", m.name),
                    None => m.name.clone(),
                },
            ),
            status: h.status.label(),
            status_code: h.status.code(),
            limits: pzp.limits().map(|w| limit_label(&w.treatment)).collect(),
            pzp: version > 0,
        })
    }

    /// The banner of a patient the actor may see (four small reads).
    pub async fn load(state: &AppState, v: &Visible) -> AppResult<Banner> {
        let h = state.app.patient_header(v).await?;
        Banner::of(v.patient().id, &v.patient().his_id, &h)
    }
}
