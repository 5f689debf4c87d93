//! `kernteam report declarations` (region.md, *Declarations*): per practice with contract
//! option 1 the counts of the prestaties declared for the quarter, and with `--patients`
//! one line per patient and prestatie. The rules per patient live in
//! `kernteam_domain::declarations`; this module gathers the facts and writes the formats.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use kernteam_domain::care::{status_on, Decision, ProgramStatus};
use kernteam_domain::codes::CodeSets;
use kernteam_domain::contract::ContractOption;
use kernteam_domain::declarations::{
    declare, is_transition_year, near_misses, DeclarationCounts, PatientSettingsOn, Prestatie,
};
use kernteam_domain::period::{choose_snapshot, Period, ReportKind};
use kernteam_store::extracts::SnapshotRef;
use kernteam_store::patient_settings::PatientSettings;
use kernteam_store::Db;
use serde::Serialize;
use serde_json::Value;

use crate::{csv_safe, ReportError};

/// One declaration line: a patient and a prestatie (personal data: see region.md).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeclarationLine {
    /// The HIS patient id.
    pub patient_id: String,
    /// Empty when the extract has none (region.md: "may be empty").
    pub bsn: String,
    pub birth_date: NaiveDate,
    pub prestatie: Prestatie,
    /// For `chain_care_conflict`: the chains, e.g. `dm,cvrm` (an extra key).
    pub chains: Option<String>,
    /// Kernteam's id of the patient, for links in the practice's own view.
    #[serde(skip)]
    pub kernteam_id: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PracticeDeclarations {
    pub agb_code: String,
    pub name: String,
    pub extract_date: NaiveDate,
    pub stale_extract: bool,
    pub contract_option: u8,
    /// Only for practices with option 1.
    #[serde(flatten)]
    pub counts: Option<DeclarationCounts>,
    /// With `--patients`, for practices with option 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patients: Option<Vec<DeclarationLine>>,
    /// Patients almost on the list, with the reasons (the practice's own check; never
    /// written into the region's formats).
    #[serde(skip)]
    pub near_misses: Vec<NearMiss>,
    #[serde(skip)]
    pub practice_id: i64,
}

/// A patient who is almost declared, and why not.
#[derive(Debug, Clone, PartialEq)]
pub struct NearMiss {
    pub kernteam_id: i64,
    pub patient_id: String,
    pub birth_date: NaiveDate,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeclarationTotals {
    /// Practices with option 1 (an extra key).
    pub practices: u64,
    #[serde(flatten)]
    pub counts: DeclarationCounts,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Declarations {
    pub report: &'static str,
    pub period: String,
    pub start: NaiveDate,
    pub reference_date: NaiveDate,
    pub practices: Vec<PracticeDeclarations>,
    pub totals: DeclarationTotals,
}

/// What to compute.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    /// Add the per-patient lines.
    pub patients: bool,
    /// Add the near misses (the practice's own check).
    pub near_misses: bool,
    /// Only this practice (its own staff's view).
    pub practice_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
#[error("declaraties gaan per kwartaal: geef een periode als 2027-Q2")]
pub struct NotQuarterly;

/// The declarations of a quarter. `progress(done, total)` is called after each practice.
pub async fn build_declarations(
    db: &Db,
    period: &Period,
    codes: &CodeSets,
    scope: Scope,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Declarations, ReportError> {
    if period.kind != ReportKind::Quarterly {
        return Err(ReportError::Period(NotQuarterly.to_string()));
    }
    let r = period.reference_date;
    let contracts = db.contracts().await?;
    let snapshots = db.snapshots().await?;
    let mut by_practice: Vec<(i64, Vec<&SnapshotRef>)> = Vec::new();
    for s in snapshots
        .iter()
        .filter(|s| scope.practice_id.is_none_or(|p| p == s.practice_id))
    {
        match by_practice.last_mut() {
            Some((id, list)) if *id == s.practice_id => list.push(s),
            _ => by_practice.push((s.practice_id, vec![s])),
        }
    }
    let total = by_practice.len();
    let mut practices = Vec::new();
    for (done, (practice_id, list)) in by_practice.iter().enumerate() {
        let dates: Vec<NaiveDate> = list.iter().map(|s| s.extract_date).collect();
        if let Some(choice) = choose_snapshot(&dates, r) {
            let snapshot = list
                .iter()
                .find(|s| s.extract_date == choice.extract_date)
                .expect("chosen from this list");
            let option = contracts.option(*practice_id, r.year());
            let mut p = PracticeDeclarations {
                agb_code: snapshot.agb_code.clone(),
                name: snapshot.practice_name.clone(),
                extract_date: choice.extract_date,
                stale_extract: choice.stale,
                contract_option: option.number(),
                counts: None,
                patients: None,
                near_misses: Vec::new(),
                practice_id: *practice_id,
            };
            if option == ContractOption::PerIncluded {
                let transition = is_transition_year(contracts.transition_year(*practice_id), r);
                practice_lines(db, snapshot.id, *practice_id, transition, r, codes, scope, &mut p).await?;
            }
            practices.push(p);
        }
        progress(done + 1, total);
    }
    practices.sort_by(|a, b| a.agb_code.cmp(&b.agb_code));
    let with_counts: Vec<&DeclarationCounts> = practices.iter().filter_map(|p| p.counts.as_ref()).collect();
    let totals = DeclarationTotals {
        practices: with_counts.len() as u64,
        counts: DeclarationCounts::sum(with_counts),
    };
    Ok(Declarations {
        report: "declarations",
        period: period.label.clone(),
        start: period.start,
        reference_date: r,
        practices,
        totals,
    })
}

#[allow(clippy::too_many_arguments)]
async fn practice_lines(
    db: &Db,
    snapshot_id: i64,
    practice_id: i64,
    transition: bool,
    r: NaiveDate,
    codes: &CodeSets,
    scope: Scope,
    out: &mut PracticeDeclarations,
) -> Result<(), ReportError> {
    let people: HashMap<String, kernteam_store::patients::Person> = db
        .snapshot_people(snapshot_id)
        .await?
        .into_iter()
        .map(|p| (p.his_id.clone(), p))
        .collect();
    let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
    for (patient, d) in db.practice_decisions(practice_id).await? {
        decisions.entry(patient).or_default().push(d);
    }
    let settings = db.practice_patient_settings(practice_id).await?;
    let none = PatientSettings::default();
    let mut counts = DeclarationCounts::default();
    let mut lines = Vec::new();
    let mut near = Vec::new();
    for (his_id, facts) in db.snapshot_facts_keyed(snapshot_id).await? {
        let Some(person) = people.get(&his_id) else {
            continue;
        };
        let s = settings.get(&person.patient_id).unwrap_or(&none);
        let included = facts.registered_on(r)
            && decisions
                .get(&person.patient_id)
                .is_some_and(|ds| status_on(ds, r) == ProgramStatus::Included);
        let on = PatientSettingsOn {
            included,
            hoofdbehandelaar: s.hoofdbehandelaar_on(r),
            wlz_setting: s.wlz_setting_on(r),
        };
        if scope.near_misses {
            let reasons = near_misses(&facts, &on, transition, r, codes);
            if !reasons.is_empty() {
                near.push(NearMiss {
                    kernteam_id: person.patient_id,
                    patient_id: his_id.clone(),
                    birth_date: person.birth_date,
                    reasons,
                });
            }
        }
        let Some(dec) = declare(&facts, &on, transition, r, codes) else {
            continue;
        };
        counts.add(&dec);
        if scope.patients {
            for prestatie in dec.prestaties() {
                lines.push(DeclarationLine {
                    patient_id: his_id.clone(),
                    bsn: person.bsn.clone().unwrap_or_default(),
                    birth_date: person.birth_date,
                    prestatie,
                    chains: (prestatie == Prestatie::ChainCareConflict).then(|| {
                        dec.chain_conflicts
                            .iter()
                            .map(|c| c.code())
                            .collect::<Vec<_>>()
                            .join(",")
                    }),
                    kernteam_id: person.patient_id,
                });
            }
        }
    }
    lines.sort_by(|a, b| (&a.patient_id, a.prestatie).cmp(&(&b.patient_id, b.prestatie)));
    near.sort_by(|a, b| a.patient_id.cmp(&b.patient_id));
    out.counts = Some(counts);
    out.patients = scope.patients.then_some(lines);
    out.near_misses = near;
    Ok(())
}

pub fn to_json(d: &Declarations) -> Result<String, ReportError> {
    let mut s = serde_json::to_string_pretty(d)?;
    s.push('\n');
    Ok(s)
}

const PRACTICE_COLUMNS: [&str; 11] = [
    "agb_code",
    "name",
    "extract_date",
    "stale_extract",
    "contract_option",
    "module",
    "wlz_plus",
    "insulin_transition",
    "chain_care_conflicts.dm",
    "chain_care_conflicts.cvrm",
    "chain_care_conflicts.copd_astma",
];

const LINE_COLUMNS: [&str; 7] = [
    "agb_code",
    "name",
    "patient_id",
    "bsn",
    "birth_date",
    "prestatie",
    "chains",
];

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => csv_safe(s).into_owned(),
        other => other.to_string(),
    }
}

/// The practice table: one row per practice (no counts for option 2), then `TOTAL`.
pub fn practice_rows(d: &Declarations) -> Result<Vec<Vec<Value>>, ReportError> {
    let mut rows = Vec::new();
    for p in &d.practices {
        let mut cells = Vec::new();
        let mut v = serde_json::to_value(p)?;
        if let Some(o) = v.as_object_mut() {
            o.remove("patients");
        }
        crate::flatten("", v, &mut cells);
        let map: HashMap<String, Value> = cells.into_iter().collect();
        rows.push(
            PRACTICE_COLUMNS
                .iter()
                .map(|k| map.get(*k).cloned().unwrap_or(Value::Null))
                .collect(),
        );
    }
    let mut cells = Vec::new();
    crate::flatten("", serde_json::to_value(&d.totals)?, &mut cells);
    let map: HashMap<String, Value> = cells.into_iter().collect();
    rows.push(
        PRACTICE_COLUMNS
            .iter()
            .map(|k| match *k {
                "agb_code" => Value::String("TOTAL".into()),
                k => map.get(k).cloned().unwrap_or(Value::Null),
            })
            .collect(),
    );
    Ok(rows)
}

/// The per-patient lines, each with its practice.
pub fn line_rows(d: &Declarations) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for p in &d.practices {
        for l in p.patients.iter().flatten() {
            rows.push(vec![
                Value::String(p.agb_code.clone()),
                Value::String(p.name.clone()),
                Value::String(l.patient_id.clone()),
                Value::String(l.bsn.clone()),
                Value::String(l.birth_date.to_string()),
                Value::String(l.prestatie.code().into()),
                l.chains.clone().map_or(Value::Null, Value::String),
            ]);
        }
    }
    rows
}

/// CSV: the practice table, or with `--patients` the per-patient lines.
pub fn to_csv(d: &Declarations, patients: bool) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let (header, rows): (&[&str], Vec<Vec<Value>>) = if patients {
        (&LINE_COLUMNS, line_rows(d))
    } else {
        (&PRACTICE_COLUMNS, practice_rows(d)?)
    };
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.iter().map(text))?;
    }
    w.flush().map_err(csv::Error::from)?;
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

/// Excel: a sheet with the practice table, and with `--patients` a sheet of lines.
pub fn to_xlsx(d: &Declarations, patients: bool) -> Result<Vec<u8>, ReportError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    crate::write_sheet(
        &mut book,
        &format!("declaraties {}", d.period),
        &PRACTICE_COLUMNS,
        &practice_rows(d)?,
    )?;
    if patients {
        crate::write_sheet(&mut book, "patiënten", &LINE_COLUMNS, &line_rows(d))?;
    }
    Ok(book.save_to_buffer()?)
}
