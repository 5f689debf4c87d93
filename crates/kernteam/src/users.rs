//! `kernteam user …`: accounts from the command line (the first administrator).

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kernteam_domain::access::{affiliation_problems, AffiliationProblem, Role};
use kernteam_store::people::NewUser;

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Een account toevoegen. Met --password-stdin wordt het wachtwoord van standaardinvoer
    /// gelezen (één regel); anders wordt een sterk wachtwoord gemaakt en eenmalig getoond.
    Add {
        #[arg(long)]
        username: String,
        /// Volledige naam zoals collega's die zien.
        #[arg(long)]
        name: String,
        /// Rolcode, bijv. beheerder, huisarts, poh_o, wijkverpleegkundige.
        #[arg(long)]
        role: String,
        /// AGB-code van de praktijk (praktijkmedewerkers).
        #[arg(long)]
        practice: Option<String>,
        /// Nummer van de organisatie (netwerkprofessionals).
        #[arg(long)]
        organisation: Option<i64>,
        /// Beheerder binnen de eigen praktijk, organisatie of regio.
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        password_stdin: bool,
    },
    /// De accounts tonen.
    List,
}

pub async fn run(db: kernteam_store::Db, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            practice,
            organisation,
            admin,
            password_stdin,
        } => {
            let role = Role::staff_from_code(&role).with_context(|| {
                let all: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
                format!("onbekende rol '{role}'; kies uit: {}", all.join(", "))
            })?;
            // One rule for web and CLI: which affiliation fits which role.
            let misfits = affiliation_problems(role, practice.is_some(), organisation.is_some());
            if !misfits.is_empty() {
                let lines: Vec<String> = misfits
                    .iter()
                    .map(|p| format!("{} ({})", p.message(), cli_hint(*p)))
                    .collect();
                bail!("{}", lines.join("\n"));
            }
            let practice_id = match practice {
                Some(agb) => Some(
                    db.practice_by_agb(&agb)
                        .await?
                        .with_context(|| format!("geen praktijk met AGB-code {agb}; importeer eerst een extract"))?
                        .id,
                ),
                None => None,
            };
            let organisation_id = match organisation {
                Some(id) => Some(
                    db.organisation(id)
                        .await
                        .with_context(|| format!("geen organisatie met id {id}"))?
                        .id,
                ),
                None => None,
            };
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (kernteam_web::auth::random_token()[..24].to_string(), true)
            };
            kernteam_web::auth::check_password_for(&password, &username).map_err(anyhow::Error::msg)?;
            let hash = kernteam_web::hash_password(password.clone()).await?;
            let id = kernteam_store::audited!(
                db,
                kernteam_store::care::AuditEntry::command_line(
                    "account aangemaakt",
                    Some(format!("{username} ({})", role.label()))
                ),
                |ch| ch.create_user(&NewUser {
                    username: username.clone(),
                    display_name: name,
                    role,
                    practice_id,
                    organisation_id,
                    password_hash: hash,
                    is_admin: admin,
                })
            )?;
            println!("account {username} aangemaakt (id {id}, rol {})", role.label());
            if generated {
                if std::io::stdout().is_terminal() {
                    println!("wachtwoord (wordt niet opnieuw getoond): {password}");
                } else {
                    println!("{password}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List => {
            for u in db.users().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.id,
                    u.username,
                    u.role.code(),
                    if u.active { "actief" } else { "geblokkeerd" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What to give or leave out on the command line for an affiliation problem.
fn cli_hint(p: AffiliationProblem) -> &'static str {
    match p {
        AffiliationProblem::PracticeMissing => "geef --practice AGB-CODE",
        AffiliationProblem::PracticeNotForRole => "--practice is alleen voor praktijkmedewerkers",
        AffiliationProblem::OrganisationMissing => "geef --organisation ID",
        AffiliationProblem::OrganisationNotForRole => "--organisation is alleen voor netwerkprofessionals",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_affiliation_problem_has_a_command_line_hint() {
        for p in [
            AffiliationProblem::PracticeMissing,
            AffiliationProblem::PracticeNotForRole,
            AffiliationProblem::OrganisationMissing,
            AffiliationProblem::OrganisationNotForRole,
        ] {
            assert!(cli_hint(p).contains("--"));
        }
    }
}
