//! Per patient, from a date: the hoofdbehandelaar and the Wlz care setting (region.md,
//! *Settings*). A row may set either or both; the value in force on a date is that of the
//! row with the latest `valid_from` on or before it that sets it (of equal dates the last
//! recorded).

use std::collections::HashMap;

use chrono::NaiveDate;
use kernteam_domain::contract::{Hoofdbehandelaar, WlzSetting};

use crate::change::Change;
use crate::contract::SetBy;
use crate::convert::{date, fmt_date, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct PatientSetting {
    pub id: i64,
    pub patient_id: i64,
    pub valid_from: NaiveDate,
    pub hoofdbehandelaar: Option<Hoofdbehandelaar>,
    pub wlz_setting: Option<WlzSetting>,
    pub set_by_name: String,
    pub set_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    patient_id: i64,
    valid_from: String,
    hoofdbehandelaar: Option<String>,
    wlz_setting: Option<String>,
    set_by_name: String,
    set_at: String,
}

impl TryFrom<Row> for PatientSetting {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<PatientSetting> {
        let corrupt = |c: &str, v: &str| StoreError::Corrupt(format!("patient_settings.{c}: '{v}'"));
        Ok(PatientSetting {
            id: r.id,
            patient_id: r.patient_id,
            valid_from: date("patient_settings.valid_from", &r.valid_from)?,
            hoofdbehandelaar: r
                .hoofdbehandelaar
                .map(|h| Hoofdbehandelaar::from_code(&h).ok_or_else(|| corrupt("hoofdbehandelaar", &h)))
                .transpose()?,
            wlz_setting: r
                .wlz_setting
                .map(|w| WlzSetting::from_code(&w).ok_or_else(|| corrupt("wlz_setting", &w)))
                .transpose()?,
            set_by_name: r.set_by_name,
            set_at: timestamp("patient_settings.set_at", r.set_at)?,
        })
    }
}

/// One patient's settings, as a history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientSettings {
    /// Oldest first (by `valid_from`, then as recorded).
    pub history: Vec<PatientSetting>,
}

impl PatientSettings {
    fn latest_on<T>(&self, on: NaiveDate, pick: impl Fn(&PatientSetting) -> Option<T>) -> Option<T> {
        self.history
            .iter()
            .filter(|s| s.valid_from <= on)
            .filter_map(|s| pick(s).map(|v| ((s.valid_from, s.id), v)))
            .max_by_key(|(k, _)| *k)
            .map(|(_, v)| v)
    }

    /// The hoofdbehandelaar on a date (the GP when never set).
    pub fn hoofdbehandelaar_on(&self, on: NaiveDate) -> Hoofdbehandelaar {
        self.latest_on(on, |s| s.hoofdbehandelaar)
            .unwrap_or(Hoofdbehandelaar::DEFAULT)
    }

    /// The Wlz care setting on a date (none when never set).
    pub fn wlz_setting_on(&self, on: NaiveDate) -> Option<WlzSetting> {
        self.latest_on(on, |s| s.wlz_setting)
    }
}

const SELECT: &str =
    "SELECT id, patient_id, valid_from, hoofdbehandelaar, wlz_setting, set_by_name, set_at FROM patient_settings";

impl Db {
    pub async fn patient_settings(&self, patient_id: i64) -> StoreResult<PatientSettings> {
        let rows = sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE patient_id = $1 ORDER BY valid_from, id"))
            .bind(patient_id)
            .fetch_all(self.pool())
            .await?;
        Ok(PatientSettings {
            history: crate::convert::all(rows)?,
        })
    }

    /// The settings of every patient of a practice who has any, by patient id.
    pub async fn practice_patient_settings(&self, practice_id: i64) -> StoreResult<HashMap<i64, PatientSettings>> {
        let rows = sqlx::query_as::<_, Row>(
            "SELECT s.id, s.patient_id, s.valid_from, s.hoofdbehandelaar, s.wlz_setting, s.set_by_name, s.set_at \
             FROM patient_settings s JOIN patients p ON p.id = s.patient_id WHERE p.practice_id = $1 \
             ORDER BY s.valid_from, s.id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        let mut out: HashMap<i64, PatientSettings> = HashMap::new();
        for r in rows {
            let s = PatientSetting::try_from(r)?;
            out.entry(s.patient_id).or_default().history.push(s);
        }
        Ok(out)
    }
}

impl Change {
    pub async fn set_patient_settings(
        &mut self,
        patient_id: i64,
        valid_from: NaiveDate,
        hoofdbehandelaar: Option<Hoofdbehandelaar>,
        wlz_setting: Option<WlzSetting>,
        by: &SetBy,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO patient_settings (patient_id, valid_from, hoofdbehandelaar, wlz_setting, set_by, set_by_name, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(patient_id)
        .bind(fmt_date(valid_from))
        .bind(hoofdbehandelaar.map(|h| h.code()))
        .bind(wlz_setting.map(|w| w.code()))
        .bind(by.user_id)
        .bind(by.name.clone())
        .bind(now_timestamp())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
