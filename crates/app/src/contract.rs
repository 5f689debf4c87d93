//! The region's settings (region.md, *Settings*) as use cases: the contract option per
//! practice and year, the region's yardsticks and funding categories, a practice's POH-O
//! formation and a patient's hoofdbehandelaar and Wlz care setting. Each is made either by
//! a signed-in user allowed to (the gate's tokens) or by the command line's [`Operator`],
//! validated alike, and audited in the same transaction as the change.

use chrono::NaiveDate;
use kernteam_domain::contract::{
    validate_hours_per_included, validate_working_weeks, CapacityBand, ContractOption, FundingCategory,
    Hoofdbehandelaar, RegionSettings, WlzSetting, YEARS,
};
use kernteam_domain::formation::hours_text;
use kernteam_store::care::AuditEntry;
use kernteam_store::contract::{Contracts, RegionSettingsChange, SetBy};
use kernteam_store::patient_settings::PatientSettings;
use kernteam_store::people::Practice;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Decider, Operator, RegionSettingsEditor, RegionStaff};
use crate::App;

/// Who changes a setting.
#[derive(Debug, Clone, Copy)]
pub enum SettingsBy<'a> {
    Operator(&'a Operator),
    Editor(&'a RegionSettingsEditor),
}

impl SettingsBy<'_> {
    fn set_by(&self) -> SetBy {
        match self {
            SettingsBy::Operator(o) => SetBy {
                user_id: None,
                name: format!("{} (opdrachtregel)", o.name()),
            },
            SettingsBy::Editor(e) => SetBy {
                user_id: Some(e.actor().user().id),
                name: e.actor().user().display_name.clone(),
            },
        }
    }

    fn entry(&self, practice_id: Option<i64>, patient_id: Option<i64>, action: Action, detail: String) -> AuditEntry {
        match self {
            SettingsBy::Operator(o) => o.entry(practice_id, patient_id, action, Some(detail)),
            SettingsBy::Editor(e) => AuditEntry {
                practice_id,
                patient_id,
                ..e.actor().entry(None, action, Some(detail))
            },
        }
    }
}

/// A change of the region's yardsticks; `None` leaves a value as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionSettingsInput {
    pub hours_per_included: Option<f64>,
    pub working_weeks: Option<f64>,
    pub capacity_band: Option<CapacityBand>,
    pub funding_categories: Option<(i32, Vec<FundingCategory>)>,
}

/// The region's settings with their history, for the settings page.
#[derive(Debug, Clone)]
pub struct RegionSettingsView {
    pub settings: RegionSettings,
    pub history: Vec<RegionSettingsChange>,
    pub contracts: Contracts,
    pub practices: Vec<Practice>,
}

fn check_year(y: i32, what: &str) -> std::result::Result<i32, String> {
    if YEARS.contains(&y) {
        Ok(y)
    } else {
        Err(format!("{what} {y} ligt niet tussen 2000 en 2100"))
    }
}

impl App {
    /// The practice with this AGB code, or `Invalid` naming it.
    pub async fn practice_by_agb(&self, agb: &str) -> Result<Practice> {
        self.db.practice_by_agb(agb.trim()).await?.ok_or_else(|| {
            Error::Invalid(vec![format!(
                "praktijk met AGB-code '{}' is onbekend (nog geen extract ingelezen)",
                agb.trim()
            )])
        })
    }

    /// The settings page: what is in force, the history and every practice's contract.
    pub async fn region_settings_view(&self, _staff: &RegionStaff) -> Result<RegionSettingsView> {
        Ok(RegionSettingsView {
            settings: self.db.region_settings().await?,
            history: self.db.region_settings_history().await?,
            contracts: self.db.contracts().await?,
            practices: self.db.practices().await?,
        })
    }

    /// Sets a practice's contract option for a year (and its transition year).
    pub async fn set_contract(
        &self,
        by: SettingsBy<'_>,
        practice_id: i64,
        year: i32,
        option: ContractOption,
        transition_year: Option<i32>,
    ) -> Result<()> {
        let mut problems = Vec::new();
        if let Err(e) = check_year(year, "jaar") {
            problems.push(e);
        }
        if let Some(t) = transition_year {
            if let Err(e) = check_year(t, "transitiejaar") {
                problems.push(e);
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let practice = self.db.practice(practice_id).await?;
        let mut ch = self.db.change().await?;
        ch.set_contract(practice_id, year, option, transition_year, &by.set_by())
            .await?;
        let detail = format!(
            "{} ({}): {} optie {}{}",
            practice.name,
            practice.agb_code,
            year,
            option.number(),
            transition_year.map_or(String::new(), |t| format!(", transitiejaar {t}"))
        );
        ch.commit(&[by.entry(Some(practice_id), None, Action::SetContract, detail)])
            .await?;
        Ok(())
    }

    /// Changes the region's yardsticks and/or a year's funding categories.
    pub async fn set_region_settings(&self, by: SettingsBy<'_>, input: RegionSettingsInput) -> Result<()> {
        let mut problems = Vec::new();
        if let Some(h) = input.hours_per_included {
            if let Err(e) = validate_hours_per_included(h) {
                problems.push(e);
            }
        }
        if let Some(w) = input.working_weeks {
            if let Err(e) = validate_working_weeks(w) {
                problems.push(e);
            }
        }
        if let Some(b) = input.capacity_band {
            if let Err(e) = CapacityBand::new(b.lower, b.upper) {
                problems.push(e);
            }
        }
        if let Some((y, cats)) = &input.funding_categories {
            if let Err(e) = check_year(*y, "jaar") {
                problems.push(e);
            }
            if let Err(e) = kernteam_domain::contract::validate_funding_categories(cats) {
                problems.push(e);
            }
        }
        if input == RegionSettingsInput::default() {
            problems.push("geef minstens één instelling om te wijzigen".into());
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let set_by = by.set_by();
        let mut ch = self.db.change().await?;
        let mut entries = Vec::new();
        if input.hours_per_included.is_some() || input.working_weeks.is_some() || input.capacity_band.is_some() {
            ch.set_region_settings(
                input.hours_per_included,
                input.working_weeks,
                input.capacity_band,
                &set_by,
            )
            .await?;
            let mut parts = Vec::new();
            if let Some(h) = input.hours_per_included {
                parts.push(format!("{} uur POH-O per geïncludeerde", hours_text(h)));
            }
            if let Some(w) = input.working_weeks {
                parts.push(format!("{} werkweken", hours_text(w)));
            }
            if let Some(b) = input.capacity_band {
                parts.push(format!("capaciteitsband {}–{}", b.lower, b.upper));
            }
            entries.push(by.entry(None, None, Action::SetRegionSettings, parts.join(", ")));
        }
        if let Some((y, cats)) = &input.funding_categories {
            ch.set_funding_categories(*y, cats, &set_by).await?;
            let list: Vec<String> = cats
                .iter()
                .map(|c| format!("{} vanaf {}%", c.name, c.lower_bound))
                .collect();
            entries.push(by.entry(
                None,
                None,
                Action::SetFundingCategories,
                format!("{y}: {}", list.join(", ")),
            ));
        }
        ch.commit(&entries).await?;
        Ok(())
    }

    /// Sets a practice's POH-O formation from a date, from the command line.
    pub async fn set_formation_by_operator(
        &self,
        op: &Operator,
        practice_id: i64,
        hours: f64,
        valid_from: NaiveDate,
    ) -> Result<()> {
        // A region moving over from another system may set formations ahead: the web
        // form's "at most a year ahead" rule does not bind the operator.
        let valid =
            kernteam_domain::formation::validate(Ok(hours), &valid_from.to_string(), valid_from.max(crate::today()))
                .map_err(Error::Invalid)?;
        let by = SettingsBy::Operator(op);
        let mut ch = self.db.change().await?;
        ch.set_poh_o_hours_by(practice_id, valid.valid_from, valid.hours, &by.set_by())
            .await?;
        let detail = format!("{} uur per week vanaf {}", hours_text(valid.hours), valid.valid_from);
        ch.commit(&[by.entry(Some(practice_id), None, Action::SetFormation, detail)])
            .await?;
        Ok(())
    }

    /// A patient's settings with their history.
    pub async fn patient_settings(&self, patient_id: i64) -> Result<PatientSettings> {
        Ok(self.db.patient_settings(patient_id).await?)
    }

    /// Sets a patient's hoofdbehandelaar and/or Wlz care setting from a date, by the
    /// command line's operator (practice and HIS id) or a decider on the record.
    pub async fn set_patient_settings(
        &self,
        by: PatientSettingsBy<'_>,
        hoofdbehandelaar: Option<Hoofdbehandelaar>,
        wlz_setting: Option<WlzSetting>,
        valid_from: NaiveDate,
    ) -> Result<()> {
        if hoofdbehandelaar.is_none() && wlz_setting.is_none() {
            return Err(Error::Invalid(vec![
                "geef een hoofdbehandelaar of een Wlz-zorgsetting (of beide)".into(),
            ]));
        }
        let (patient, set_by) = match &by {
            PatientSettingsBy::Operator(op, patient) => (patient.clone(), SettingsBy::Operator(op).set_by()),
            PatientSettingsBy::Decider(d) => (
                d.patient().clone(),
                SetBy {
                    user_id: Some(d.actor().user().id),
                    name: d.actor().user().display_name.clone(),
                },
            ),
        };
        let mut parts = Vec::new();
        if let Some(h) = hoofdbehandelaar {
            parts.push(format!("hoofdbehandelaar {}", h.label().to_lowercase()));
        }
        if let Some(w) = wlz_setting {
            parts.push(format!("Wlz-zorgsetting {}", w.label()));
        }
        let detail = format!("{} vanaf {valid_from}", parts.join(", "));
        let entry = match &by {
            PatientSettingsBy::Operator(op, p) => op.entry(
                Some(p.practice_id),
                Some(p.id),
                Action::SetPatientSettings,
                Some(detail),
            ),
            PatientSettingsBy::Decider(d) => {
                d.actor()
                    .entry(Some(d.patient()), Action::SetPatientSettings, Some(detail))
            }
        };
        let mut ch = self.db.change().await?;
        ch.set_patient_settings(patient.id, valid_from, hoofdbehandelaar, wlz_setting, &set_by)
            .await?;
        ch.commit(&[entry]).await?;
        Ok(())
    }

    /// The patient of a practice by HIS id, or `Invalid` naming it.
    pub async fn patient_by_his_id(
        &self,
        practice: &Practice,
        his_id: &str,
    ) -> Result<kernteam_store::care::PatientRef> {
        self.db
            .patient_by_his_id(practice.id, his_id.trim())
            .await?
            .ok_or_else(|| {
                Error::Invalid(vec![format!(
                    "patiënt '{}' is onbekend in praktijk {} ({})",
                    his_id.trim(),
                    practice.name,
                    practice.agb_code
                )])
            })
    }
}

/// Who sets a patient's settings.
pub enum PatientSettingsBy<'a> {
    Operator(&'a Operator, kernteam_store::care::PatientRef),
    Decider(&'a Decider),
}
