//! `kernteam fhir-token …`: bearer tokens of the FHIR API for a partner's system, issued to
//! a named account (audited under the operator; the token is printed once).

use std::process::ExitCode;

use kernteam_app::App;

use crate::settings_cmd::refused;

#[derive(clap::Subcommand)]
pub enum FhirTokenCommand {
    /// Een token uitgeven aan een account (bijv. het systeem van een wijkverpleging dat als
    /// netwerkpartner leest). Het token wordt één keer getoond; bewaard wordt alleen de hash.
    Issue {
        /// Gebruikersnaam van het account waarvoor het systeem leest.
        #[arg(long)]
        user: String,
        /// Naam van het token, bijv. het systeem dat het gebruikt ("ECD Wijkzorg De Linde").
        #[arg(long)]
        name: String,
    },
    /// Een token intrekken: daarna wordt het geweigerd (en die poging gelogd).
    Revoke {
        /// Nummer van het token (zie `kernteam fhir-token list`).
        id: i64,
    },
    /// De tokens tonen (nummer, account, naam, uitgegeven, laatst gebruikt, ingetrokken).
    List,
}

pub async fn run(app: &App, cmd: FhirTokenCommand) -> anyhow::Result<ExitCode> {
    let op = app.operator();
    match cmd {
        FhirTokenCommand::Issue { user, name } => {
            let t = app.issue_fhir_token(&op, &user, &name).await.map_err(refused)?;
            eprintln!(
                "FHIR-token {} '{}' uitgegeven voor {} ({}). Bewaar het nu: het wordt niet nog eens getoond.",
                t.id,
                t.label,
                t.user.username,
                t.user.role.label()
            );
            println!("{}", t.token);
        }
        FhirTokenCommand::Revoke { id } => {
            let t = app.revoke_fhir_token(&op, id).await.map_err(|e| match e {
                kernteam_app::Error::NotFound => anyhow::anyhow!("er is geen FHIR-token {id}"),
                other => refused(other),
            })?;
            println!("FHIR-token {} '{}' van {} ingetrokken.", t.id, t.label, t.username);
        }
        FhirTokenCommand::List => {
            for t in app.fhir_tokens(&op).await.map_err(refused)? {
                println!(
                    "{}\t{}\t{}\tuitgegeven {} door {}\tlaatst gebruikt {}\t{}",
                    t.id,
                    t.username,
                    t.label,
                    t.created_at,
                    t.created_by,
                    t.last_used_at.as_deref().unwrap_or("nooit"),
                    t.revoked_at
                        .map_or("geldig".to_string(), |r| format!("ingetrokken {r}"))
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
