//! The region's settings on the command line (region.md, *Command line*): `contract set`,
//! `region set`, `formation set`, `patient set` and `inclusion import`. Each validates as
//! the web application does (the same use cases), exits non-zero with a clear message on
//! bad input, and is audited with the operator (the system user) as actor.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use kernteam_app::contract::{PatientSettingsBy, RegionSettingsInput, SettingsBy};
use kernteam_app::decision_import::DecisionImportError;
use kernteam_app::{App, Error};
use kernteam_domain::contract::{
    parse_funding_categories, parse_number, CapacityBand, ContractOption, Hoofdbehandelaar, WlzSetting,
};

#[derive(clap::Subcommand)]
pub enum ContractCommand {
    /// De contractoptie van een praktijk voor een kalenderjaar vastleggen (en het overgangsjaar).
    Set {
        /// AGB-code van de praktijk.
        #[arg(long)]
        practice: String,
        #[arg(long)]
        year: i32,
        /// 1 (per geïncludeerde patiënt) of 2 (per 75-plusser).
        #[arg(long)]
        option: String,
        /// Het eerste kalenderjaar na de overstap naar optie 1 (overgang insuline).
        #[arg(long)]
        transition_year: Option<i32>,
    },
}

#[derive(clap::Subcommand)]
pub enum RegionCommand {
    /// De instellingen van de regio wijzigen; wat niet wordt opgegeven, blijft zoals het is.
    Set {
        /// POH-O-uren per geïncludeerde patiënt per jaar (standaard 11,5; schrijf 11.5).
        #[arg(long)]
        hours_per_included: Option<String>,
        /// Werkweken per jaar (standaard 46).
        #[arg(long)]
        working_weeks: Option<String>,
        /// Onder- en bovengrens van de capaciteitsverhouding, bijv. 0.8,1.25.
        #[arg(long, value_name = "LO,HI")]
        capacity_band: Option<String>,
        /// De financieringscategorieën van een jaar: ondergrenzen van pct_75_plus, oplopend,
        /// bijv. 2027:laag=0,midden=8,hoog=12.
        #[arg(long, value_name = "Y:NAME=PCT,…")]
        funding_categories: Option<String>,
    },
}

#[derive(clap::Subcommand)]
pub enum FormationCommand {
    /// De POH-O-formatie van een praktijk vanaf een datum vastleggen.
    Set {
        #[arg(long)]
        practice: String,
        #[arg(long)]
        hours_per_week: String,
        #[arg(long, value_name = "DATE")]
        from: String,
    },
}

#[derive(clap::Subcommand)]
pub enum PatientCommand {
    /// De hoofdbehandelaar en/of Wlz-zorgsetting van een patiënt vanaf een datum vastleggen.
    Set {
        /// AGB-code van de praktijk.
        #[arg(long)]
        practice: String,
        /// Het HIS-nummer van de patiënt (patient_id in het extract).
        #[arg(long)]
        patient: String,
        /// huisarts of specialist_ouderengeneeskunde.
        #[arg(long)]
        hoofdbehandelaar: Option<String>,
        /// verblijf_zonder_behandeling, vpt, mpt, pgb of anders.
        #[arg(long)]
        wlz_setting: Option<String>,
        #[arg(long, value_name = "DATE")]
        from: String,
    },
}

#[derive(clap::Subcommand)]
pub enum InclusionCommand {
    /// Programmabesluiten uit een eerder systeem inlezen (alles of niets).
    Import { file: PathBuf },
}

fn date(s: &str, what: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .with_context(|| format!("{what} '{}' is geen datum (JJJJ-MM-DD)", s.trim()))
}

/// The message of a refused use case.
pub(crate) fn refused(e: Error) -> anyhow::Error {
    match e {
        Error::Invalid(problems) => anyhow::anyhow!("{}", problems.join("\n")),
        other => other.into(),
    }
}

fn count(n: usize, one: &str, more: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { more })
}

fn done(message: String) -> anyhow::Result<ExitCode> {
    println!("{message}");
    Ok(ExitCode::SUCCESS)
}

pub async fn contract(app: &App, cmd: ContractCommand) -> anyhow::Result<ExitCode> {
    let ContractCommand::Set {
        practice,
        year,
        option,
        transition_year,
    } = cmd;
    let option = ContractOption::parse(&option).map_err(anyhow::Error::msg)?;
    let p = app.practice_by_agb(&practice).await.map_err(refused)?;
    let op = app.operator();
    app.set_contract(SettingsBy::Operator(&op), p.id, year, option, transition_year)
        .await
        .map_err(refused)?;
    done(format!(
        "{} ({}): contractoptie {} voor {year}{}",
        p.name,
        p.agb_code,
        option.number(),
        transition_year.map_or(String::new(), |t| format!(", transitiejaar {t}"))
    ))
}

pub async fn region(app: &App, cmd: RegionCommand) -> anyhow::Result<ExitCode> {
    let RegionCommand::Set {
        hours_per_included,
        working_weeks,
        capacity_band,
        funding_categories,
    } = cmd;
    let mut problems = Vec::new();
    let mut number =
        |s: Option<String>, what: &str| s.and_then(|s| parse_number(&s, what).map_err(|e| problems.push(e)).ok());
    let hours_per_included = number(hours_per_included, "--hours-per-included");
    let working_weeks = number(working_weeks, "--working-weeks");
    let capacity_band = capacity_band.and_then(|b| CapacityBand::parse(&b).map_err(|e| problems.push(e)).ok());
    let funding_categories =
        funding_categories.and_then(|f| parse_funding_categories(&f).map_err(|e| problems.push(e)).ok());
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    let op = app.operator();
    app.set_region_settings(
        SettingsBy::Operator(&op),
        RegionSettingsInput {
            hours_per_included,
            working_weeks,
            capacity_band,
            funding_categories,
        },
    )
    .await
    .map_err(refused)?;
    done("regio-instellingen opgeslagen".into())
}

pub async fn formation(app: &App, cmd: FormationCommand) -> anyhow::Result<ExitCode> {
    let FormationCommand::Set {
        practice,
        hours_per_week,
        from,
    } = cmd;
    let hours = parse_number(&hours_per_week, "--hours-per-week").map_err(anyhow::Error::msg)?;
    let from = date(&from, "--from")?;
    let p = app.practice_by_agb(&practice).await.map_err(refused)?;
    app.set_formation_by_operator(&app.operator(), p.id, hours, from)
        .await
        .map_err(refused)?;
    done(format!(
        "{} ({}): formatie POH-O {hours} uur per week vanaf {from}",
        p.name, p.agb_code
    ))
}

pub async fn patient(app: &App, cmd: PatientCommand) -> anyhow::Result<ExitCode> {
    let PatientCommand::Set {
        practice,
        patient,
        hoofdbehandelaar,
        wlz_setting,
        from,
    } = cmd;
    let mut problems = Vec::new();
    let hoofdbehandelaar =
        hoofdbehandelaar.and_then(|h| Hoofdbehandelaar::parse(&h).map_err(|e| problems.push(e)).ok());
    let wlz_setting = wlz_setting.and_then(|w| WlzSetting::parse(&w).map_err(|e| problems.push(e)).ok());
    let from = date(&from, "--from").map_err(|e| problems.push(e.to_string())).ok();
    if hoofdbehandelaar.is_none() && wlz_setting.is_none() && problems.is_empty() {
        problems.push("geef --hoofdbehandelaar of --wlz-setting (of beide)".into());
    }
    let (Some(from), true) = (from, problems.is_empty()) else {
        bail!("{}", problems.join("\n"));
    };
    let p = app.practice_by_agb(&practice).await.map_err(refused)?;
    let patient_ref = app.patient_by_his_id(&p, &patient).await.map_err(refused)?;
    let op = app.operator();
    app.set_patient_settings(
        PatientSettingsBy::Operator(&op, patient_ref),
        hoofdbehandelaar,
        wlz_setting,
        from,
    )
    .await
    .map_err(refused)?;
    done(format!(
        "{} ({}): patiënt {} bijgewerkt vanaf {from}",
        p.name,
        p.agb_code,
        patient.trim()
    ))
}

pub async fn inclusion(app: &App, cmd: InclusionCommand) -> anyhow::Result<ExitCode> {
    let InclusionCommand::Import { file } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("{} niet te lezen", file.display()))?;
    let name = file.display().to_string();
    let refuse = |errors: Vec<kernteam_import::LocatedError>| {
        eprintln!("{name}: geweigerd, er is niets ingelezen. Fouten:");
        for e in &errors {
            eprintln!("{e}");
        }
        Ok(ExitCode::FAILURE)
    };
    let read = match kernteam_import::inclusions::read_decisions(&name, &bytes, kernteam_app::today()) {
        Ok(read) => read,
        Err(errors) => return refuse(errors),
    };
    match app.import_decisions(&app.operator(), &name, &read.lines).await {
        Ok(d) => {
            for w in &read.warnings {
                eprintln!("waarschuwing: {w}");
            }
            done(format!(
                "{name}: {} en {} ingelezen",
                count(d.inclusions, "inclusie", "inclusies"),
                count(d.exclusions, "exclusie", "exclusies")
            ))
        }
        Err(DecisionImportError::Invalid(errors)) => refuse(errors),
        Err(DecisionImportError::Other(e)) => Err(refused(e)),
    }
}
