//! `kernteam audit …` and `kernteam backup`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};
use kernteam_store::audit::{AuditCheck, AuditFilter};
use kernteam_store::{Backend, Db};

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// De auditketen controleren met de sleutel uit het sleutelbestand en tegen het
    /// ankerbestand; noemt het eerste record dat is gewijzigd, verwijderd, opnieuw geketend
    /// of afgeknipt.
    Verify,
    /// Wie het dossier van een patiënt heeft ingezien, op verzoek van de patiënt (AVG art. 15, NEN 7513), als CSV.
    Export {
        /// Kernteam-nummer van de patiënt (zoals in het adres /patienten/NUMMER) …
        #[arg(long, conflicts_with_all = ["practice", "his_id"])]
        patient: Option<i64>,
        /// … of de AGB-code van de praktijk met het HIS-nummer van de patiënt.
        #[arg(long, requires = "his_id")]
        practice: Option<String>,
        #[arg(long, requires = "practice")]
        his_id: Option<String>,
        /// Vanaf deze datum (JJJJ-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Tot en met deze datum.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub async fn audit(db: &Db, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify => match db.verify_audit().await? {
            AuditCheck::Intact { records } => {
                println!("auditlog intact: {records} records, keten klopt");
                Ok(ExitCode::SUCCESS)
            }
            AuditCheck::Broken { seq, reason } => {
                println!("auditlog GEBROKEN bij record {seq}: {reason}");
                Ok(ExitCode::FAILURE)
            }
        },
        AuditCommand::Export {
            patient,
            practice,
            his_id,
            from,
            to,
            output,
        } => {
            let patient_id = match (patient, practice, his_id) {
                (Some(id), _, _) => {
                    db.patient(id)
                        .await
                        .with_context(|| format!("geen patiënt met id {id}"))?
                        .id
                }
                (None, Some(agb), Some(his)) => {
                    let p = db
                        .practice_by_agb(&agb)
                        .await?
                        .with_context(|| format!("geen praktijk met AGB-code {agb}"))?;
                    db.patient_by_his_id(p.id, &his)
                        .await?
                        .with_context(|| format!("geen patiënt {his} in praktijk {agb}"))?
                        .id
                }
                _ => bail!("geef --patient ID, of --practice AGB-CODE met --his-id ID"),
            };
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    bail!("--from ligt na --to");
                }
            }
            let filter = AuditFilter {
                patient_id: Some(patient_id),
                practice_id: None,
                from: from.map(|d| d.to_string()),
                to: to.map(|d| d.to_string()),
            };
            let records = db.audit_records(&filter).await?;
            let bytes = audit_csv(&records)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, bytes).with_context(|| format!("{} niet te schrijven", path.display()))?
                }
                None => std::io::stdout().write_all(&bytes)?,
            }
            eprintln!(
                "{} voor patiënt {patient_id}",
                kernteam_domain::text::count(records.len(), "toegangsrecord", "toegangsrecords")
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The access records as CSV for the patient. Every cell is text (user names and details
/// may be typed by anyone), so formula-like cells are neutralised
/// ([`kernteam_report::csv_safe`]).
fn audit_csv(records: &[kernteam_store::care::AuditRecord]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "tijdstip_utc",
        "gebruiker",
        "rol",
        "namens",
        "handeling",
        "uitkomst",
        "details",
        "adres",
    ])?;
    for r in records {
        let cells = [
            r.at.as_str(),
            r.username.as_str(),
            r.role.as_str(),
            r.on_behalf_of.as_deref().unwrap_or(""),
            r.action.as_str(),
            r.outcome.label(),
            r.detail.as_deref().unwrap_or(""),
            r.ip.as_deref().unwrap_or(""),
        ]
        .map(kernteam_report::csv_safe);
        w.write_record(cells.iter().map(|c| c.as_bytes()))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

pub async fn backup(db: &Db, url: &str, output: PathBuf) -> anyhow::Result<ExitCode> {
    if output.exists() {
        bail!("{} bestaat al; kies een nieuw bestand", output.display());
    }
    match db.backend() {
        Backend::Sqlite => {
            db.backup_sqlite(&output).await?;
            println!(
                "back-up geschreven naar {} (SQLite, consistent, tijdens gebruik gemaakt)",
                output.display()
            );
        }
        Backend::Postgres => {
            let status = Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&output)
                .arg(url)
                .status()
                .context("pg_dump niet gevonden: installeer postgresql-client (zie docs/security.md)")?;
            if !status.success() {
                bail!("pg_dump is mislukt ({status})");
            }
            println!(
                "back-up geschreven naar {} (pg_dump, custom format; terugzetten met pg_restore)",
                output.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use kernteam_store::care::AuditRecord;

    #[test]
    fn audit_export_neutralises_formula_like_cells() {
        let record = AuditRecord {
            id: 1,
            at: "2027-05-01T10:00:00Z".into(),
            username: "=HYPERLINK(\"http://x\",\"klik\")".into(),
            role: "huisarts".into(),
            patient_id: Some(7),
            action: "patient.view".into(),
            detail: Some("-1+1".into()),
            ip: Some("@127.0.0.1".into()),
            outcome: kernteam_store::audit::Outcome::Allowed,
            on_behalf_of: Some("+31 praktijk".into()),
        };
        let csv = String::from_utf8(super::audit_csv(&[record]).unwrap()).unwrap();
        let row = csv.lines().nth(1).unwrap();
        assert_eq!(
            row,
            "2027-05-01T10:00:00Z,\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\",huisarts,'+31 praktijk,patient.view,toegestaan,'-1+1,'@127.0.0.1"
        );
    }
}
