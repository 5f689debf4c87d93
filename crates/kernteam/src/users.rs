//! `kernteam user …`: accounts from the command line (the first administrator).

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kernteam_domain::access::{Role, Scope};
use kernteam_store::people::NewUser;

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Add an account. The password is read from standard input (one line) with
    /// --password-stdin; otherwise a strong one is generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        /// Full name as colleagues see it.
        #[arg(long)]
        name: String,
        /// Role code, e.g. beheerder, huisarts, poh_o, wijkverpleegkundige.
        #[arg(long)]
        role: String,
        /// AGB code of the practice (practice staff).
        #[arg(long)]
        practice: Option<String>,
        /// Organisation id (network professionals).
        #[arg(long)]
        organisation: Option<i64>,
        /// Administrator within their scope.
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
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
            let role = Role::from_code(&role).with_context(|| {
                let all: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
                format!("onbekende rol '{role}'; kies uit: {}", all.join(", "))
            })?;
            let practice_id = match (role.scope(), practice) {
                (Scope::Practice, Some(agb)) => Some(
                    db.practice_by_agb(&agb)
                        .await?
                        .with_context(|| format!("geen praktijk met AGB-code {agb}; importeer eerst een extract"))?
                        .id,
                ),
                (Scope::Practice, None) => {
                    bail!("praktijkmedewerkers horen bij een praktijk: geef --practice AGB-CODE")
                }
                (_, Some(_)) => bail!("--practice is alleen voor praktijkmedewerkers"),
                _ => None,
            };
            let organisation_id = match (role.scope(), organisation) {
                (Scope::Network, Some(id)) => Some(
                    db.organisation(id)
                        .await
                        .with_context(|| format!("geen organisatie met id {id}"))?
                        .id,
                ),
                (Scope::Network, None) => {
                    bail!("netwerkprofessionals horen bij een organisatie: geef --organisation ID")
                }
                (_, Some(_)) => bail!("--organisation is alleen voor netwerkprofessionals"),
                _ => None,
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
            let id = db
                .create_user(&NewUser {
                    username: username.clone(),
                    display_name: name,
                    role,
                    practice_id,
                    organisation_id,
                    password_hash: hash,
                    is_admin: admin,
                })
                .await?;
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
