//! `kernteam`: the one binary of Kernteam, with subcommands.

mod admin;
mod allocator;
mod bench;
mod demo;
mod demo_portal;
mod fhir_token_cmd;
mod import_cmd;
mod loadtest;
mod mail_settings;
mod settings_cmd;
mod users;
mod writeback;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use kernteam_domain::codes::{CodeSets, IcpcSet, DEFAULT_FRAIL_CODES};
use kernteam_domain::period::{Period, ReportKind};
use kernteam_store::{Db, DEFAULT_DATABASE_URL};

/// The command line speaks Dutch, as the web application does: the help text below (the
/// doc comments of the options and commands are that help, so they are Dutch, unlike other
/// comments) and every message. Options and values keep the names the spec gives them
/// (`--practice`, `quarterly`, …).
#[derive(Parser)]
#[command(
    name = "kernteam",
    version,
    about = "Kernteam: integrale zorg voor kwetsbare ouderen — praktijk, netwerk en regio",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "Opdrachten",
    subcommand_value_name = "OPDRACHT",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    /// Deze hulp tonen.
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,

    /// Het versienummer tonen.
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,

    /// Database: sqlite://PAD (sqlite:///absoluut/pad) of postgres://… [standaard:
    /// sqlite://kernteam.db; bij `demo`: sqlite://kernteam-demo.db]
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,

    /// De geheime sleutel van deze installatie (HMAC van de auditketen, versleuteling van
    /// TOTP-geheimen), apart van de database bewaard; wordt bij het eerste gebruik aangemaakt
    /// (modus 0600) [standaard: naast een SQLite-database, bijv. kernteam.key; anders
    /// ./kernteam.key].
    #[arg(long, global = true, env = "KERNTEAM_KEY_FILE")]
    key_file: Option<PathBuf>,

    /// Bestand waaraan na elk record de kop van de auditketen wordt toegevoegd; bewaar het
    /// buiten deze server [standaard: het sleutelbestand met extensie .anchor, bijv.
    /// kernteam.anchor].
    #[arg(long, global = true, env = "KERNTEAM_AUDIT_ANCHOR")]
    audit_anchor: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

/// Clap's help layout with Dutch headings.
const HELP_TEMPLATE: &str = "{about-with-newline}\nGebruik: {usage}\n\n{all-args}{after-help}";

/// The command tree with Dutch help headings on every command (clap sets them per
/// command, so they are applied down the tree).
fn dutch(cmd: clap::Command) -> clap::Command {
    cmd.help_template(HELP_TEMPLATE)
        .subcommand_help_heading("Opdrachten")
        .subcommand_value_name("OPDRACHT")
        .disable_help_subcommand(true)
        .mut_args(|a| {
            if a.get_help_heading().is_some() {
                a
            } else if a.is_positional() {
                a.help_heading("Argumenten")
            } else {
                a.help_heading("Opties")
            }
        })
        .mut_subcommands(dutch)
}

#[derive(Subcommand)]
enum Command {
    /// HIS-extracten inlezen: elk PAD (een map of een .zip) komt er helemaal in of helemaal niet.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Weiger een extract waarvan de bestanden samen groter uitpakken dan dit aantal
        /// bytes (standaard 2 GiB; één bestand hoogstens 1 GiB of dit, het kleinste van de twee).
        #[arg(long, default_value_t = kernteam_import::Limits::default().max_total_bytes)]
        max_bytes: u64,
    },
    /// Een periodieke rapportage berekenen (kwartaal, halfjaar, financiering, declaraties).
    Report {
        kind: ReportKindArg,
        /// 2027-Q1 … 2027-Q4 (kwartaal), 2027-H1 / 2027-H2 (halfjaar) of 2027 (financiering).
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Naar dit bestand schrijven in plaats van naar standaarduitvoer.
        #[arg(long)]
        output: Option<PathBuf>,
        /// ICPC-codes van episodes van kwetsbare ouderen, bijv. "A05,A05.*,A49.01".
        #[arg(long, default_value = DEFAULT_FRAIL_CODES)]
        frail_codes: String,
        /// Alleen bij declaraties: één regel per patiënt en prestatie erbij
        /// (persoonsgegevens; wordt gelogd).
        #[arg(long)]
        patients: bool,
    },
    /// De contractoptie van een praktijk per jaar (region.md).
    #[command(subcommand)]
    Contract(settings_cmd::ContractCommand),
    /// De instellingen van de regio: normen voor de POH-O, capaciteitsband, financieringscategorieën.
    #[command(subcommand)]
    Region(settings_cmd::RegionCommand),
    /// De POH-O-formatie van een praktijk.
    #[command(subcommand)]
    Formation(settings_cmd::FormationCommand),
    /// De hoofdbehandelaar en de Wlz-zorgsetting van een patiënt.
    #[command(subcommand)]
    Patient(settings_cmd::PatientCommand),
    /// Programmabesluiten uit een eerder systeem.
    #[command(subcommand)]
    Inclusion(settings_cmd::InclusionCommand),
    /// Een synthetische regio schrijven: één extractmap per praktijk (alleen verzonnen gegevens).
    DemoData {
        #[arg(long, default_value_t = 5)]
        practices: u32,
        /// Patiënten per praktijk; standaard een willekeurig aantal tussen 2.500 en 3.500.
        #[arg(long)]
        patients_per_practice: Option<u32>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Datum van de extracten (JJJJ-MM-DD); standaard vandaag.
        #[arg(long)]
        extract_date: Option<NaiveDate>,
        #[arg(long)]
        out: PathBuf,
    },
    /// De ingebouwde migraties uitvoeren (dat gebeurt ook bij elke start).
    Migrate,
    /// De webapplicatie starten.
    Serve {
        /// Adres waarop de server luistert.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Kernteam is via TLS bereikbaar (direct of via een proxy): Secure-cookies en HSTS.
        #[arg(long, env = "KERNTEAM_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Een reverse proxy (IP-adres of CIDR-netwerk) wiens X-Forwarded-For de cliënt
        /// noemt; herhaal voor meerdere. Zonder deze optie geldt het adres van de verbinding.
        #[arg(long = "trusted-proxy", value_name = "ADDR")]
        trusted_proxies: Vec<kernteam_web::client_addr::TrustedNet>,
        /// The region's own frailty code list for case finding (CSV as
        /// crates/domain/data/frailty-deficits-v1.csv; docs/case-finding.md). Default: the
        /// embedded list, which is Kernteam's own and not clinically validated.
        #[arg(long, env = "KERNTEAM_FRAILTY_CODE_LIST", value_name = "PATH")]
        code_list: Option<PathBuf>,
        /// SMTP-server voor e-mail (meldingen zonder inhoud, inlogcodes voor het portaal):
        /// smtp://host:25 (zonder TLS: alleen voor een relay op deze machine of dit netwerk),
        /// smtp://host:587?tls=required (STARTTLS) of smtps://gebruiker:wachtwoord@host (TLS).
        /// Zonder deze optie verstuurt Kernteam geen e-mail.
        #[arg(long, env = "KERNTEAM_SMTP_URL", value_name = "URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// Afzender van de e-mail, bijvoorbeeld "Kernteam <kernteam@praktijk.nl>"; nodig bij --smtp-url.
        #[arg(long, env = "KERNTEAM_SMTP_FROM", value_name = "ADRES")]
        smtp_from: Option<String>,
    },
    /// Een synthetische demoregio aanmaken (de eerste keer) en starten, met een account voor elke rol.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Accounts beheren.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Een database klaarzetten voor scripts/load-test: ingelogde gebruikers en een wrk-script.
    #[command(hide = true)]
    LoadtestPrepare(loadtest::PrepareArgs),
    /// De manipulatiebestendige auditlog.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Tokens voor de FHIR-API (/fhir) van systemen van netwerkpartners.
    #[command(subcommand)]
    FhirToken(fhir_token_cmd::FhirTokenCommand),
    /// Een back-up van de database maken: SQLite online (VACUUM INTO), PostgreSQL met pg_dump.
    Backup {
        #[arg(long)]
        output: PathBuf,
    },
    /// Benchmark: 100k, 300k en 1M patiënten genereren, inlezen en rapporteren op SQLite
    /// en PostgreSQL; toont regels per seconde, seconden per fase en piekgeheugen.
    Bench(bench::BenchArgs),
    /// Voor `bench`: meerdere rapporten in één keer.
    #[command(hide = true)]
    BenchReports(bench::ReportsArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportKindArg {
    Quarterly,
    HalfYearly,
    Funding,
    /// De declaraties van contractoptie 1 (alleen per kwartaal).
    Declarations,
}

impl From<ReportKindArg> for ReportKind {
    fn from(k: ReportKindArg) -> Self {
        match k {
            ReportKindArg::Quarterly => ReportKind::Quarterly,
            ReportKindArg::HalfYearly => ReportKind::HalfYearly,
            ReportKindArg::Funding => ReportKind::Funding,
            ReportKindArg::Declarations => ReportKind::Quarterly,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

fn main() -> ExitCode {
    allocator::without_huge_pages();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn,kernteam=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = {
        use clap::{CommandFactory, FromArgMatches};
        let matches = dutch(Cli::command()).get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fout: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Where the key and anchor files are.
#[derive(Clone)]
struct KeyFiles {
    key: PathBuf,
    anchor: PathBuf,
}

/// Opens (and migrates) the database with the installation's key and anchor file; the key
/// file is created on first use and refused when others may read it.
async fn open(url: &str, files: &KeyFiles) -> anyhow::Result<Db> {
    let keys = kernteam_store::keys::Keys::load_or_create(&files.key)?;
    let db = Db::connect(url)
        .await
        .with_context(|| format!("database {url} niet te openen"))?;
    Ok(db.with_keys(keys, Some(files.anchor.clone())).await?)
}

/// `kernteam import`; the first import into an SQLite file builds it aside
/// ([`kernteam_store::new_file`]) and gives it its name when done.
async fn import(url: &str, files: &KeyFiles, paths: &[PathBuf], max_bytes: u64) -> anyhow::Result<ExitCode> {
    let Some(new) = kernteam_store::new_file::NewSqliteFile::for_url(url) else {
        return import_cmd::run(open(url, files).await?, paths, max_bytes).await;
    };
    let keys = kernteam_store::keys::Keys::load_or_create(&files.key)?;
    let db = new
        .connect()
        .await
        .with_context(|| format!("database {} niet aan te maken", new.target().display()))?
        .with_keys(keys, Some(files.anchor.clone()))
        .await?;
    let code = import_cmd::run(db.clone(), paths, max_bytes).await?;
    new.finish(db).await?;
    Ok(code)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let demo_default = matches!(cli.command, Command::Demo { .. });
    let database_url = cli.database_url.clone().unwrap_or_else(|| {
        if demo_default {
            "sqlite://kernteam-demo.db".to_string()
        } else {
            DEFAULT_DATABASE_URL.to_string()
        }
    });
    let key = cli
        .key_file
        .clone()
        .unwrap_or_else(|| kernteam_store::keys::default_key_file(&database_url));
    let files = KeyFiles {
        anchor: cli
            .audit_anchor
            .clone()
            .unwrap_or_else(|| kernteam_store::keys::default_anchor_file(&key)),
        key,
    };
    let connect = |url: &str| {
        let (url, files) = (url.to_string(), files.clone());
        async move { open(&url, &files).await }
    };
    match cli.command {
        Command::Import { paths, max_bytes } => import(&database_url, &files, &paths, max_bytes).await,
        Command::Report {
            kind,
            period,
            format,
            output,
            frail_codes,
            patients,
        } => {
            if patients && !matches!(kind, ReportKindArg::Declarations) {
                bail!("--patients hoort bij `kernteam report declarations`");
            }
            let period = Period::parse(kind.into(), &period)?;
            let codes = CodeSets {
                frail: IcpcSet::parse(&frail_codes).map_err(anyhow::Error::msg)?,
                ..CodeSets::default()
            };
            if format == Format::Xlsx && output.is_none() && std::io::stdout().is_terminal() {
                bail!("een Excel-werkboek hoort niet op het scherm: geef --output BESTAND.xlsx");
            }
            let db = connect(&database_url).await?;
            let bytes = if matches!(kind, ReportKindArg::Declarations) {
                let app = kernteam_app::App::new(db);
                let d = app
                    .declarations_by_operator(&app.operator(), &period, &codes, patients)
                    .await
                    .map_err(settings_cmd::refused)?;
                use kernteam_report::declarations as dec;
                match format {
                    Format::Json => dec::to_json(&d)?.into_bytes(),
                    Format::Csv => dec::to_csv(&d, patients)?,
                    Format::Xlsx => dec::to_xlsx(&d, patients)?,
                }
            } else {
                let report = kernteam_report::build_report(&db, &period, &codes, &mut |_, _| {}).await?;
                match format {
                    Format::Json => kernteam_report::to_json(&report)?.into_bytes(),
                    Format::Csv => kernteam_report::to_csv(&report)?,
                    Format::Xlsx => kernteam_report::to_xlsx(&report)?,
                }
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, bytes).with_context(|| format!("{} niet te schrijven", path.display()))?
                }
                None => std::io::stdout().write_all(&bytes)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoData {
            practices,
            patients_per_practice,
            seed,
            extract_date,
            out,
        } => {
            let extract_date = extract_date.unwrap_or_else(|| chrono::Local::now().date_naive());
            let opts = kernteam_synth::RegionOptions {
                practices,
                patients_per_practice,
                seed,
                extract_date,
            };
            let bar = indicatif::ProgressBar::new(u64::from(practices));
            let generated =
                kernteam_synth::generate_region(&opts, &out, &mut |done, _| bar.set_position(u64::from(done)))?;
            bar.finish_and_clear();
            let patients: u64 = generated.iter().map(|g| g.patients).sum();
            let rows: u64 = generated.iter().map(|g| g.rows).sum();
            println!(
                "{} extracten geschreven in {} ({patients} patiënten, {rows} regels, extractdatum {extract_date})",
                generated.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = connect(&database_url).await?;
            println!("database bijgewerkt ({})", db.backend().name());
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => bench::run(args).await,
        Command::BenchReports(args) => bench::reports(&database_url, args).await,
        Command::Serve {
            bind,
            secure_cookies,
            trusted_proxies,
            code_list,
            smtp_url,
            smtp_from,
        } => {
            let mailer = mail_settings::mailer(smtp_url.as_deref(), smtp_from.as_deref())?;
            let frailty_codes = match code_list {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("kan de codelijst {} niet lezen", path.display()))?;
                    let list = kernteam_domain::frailty::CodeList::parse(&text)
                        .map_err(|e| anyhow::anyhow!("codelijst {}: {e}", path.display()))?;
                    println!(
                        "kwetsbaarheidsindex: codelijst {} ({} deficits) uit {}",
                        list.version,
                        list.deficits.len(),
                        path.display()
                    );
                    std::sync::Arc::new(list)
                }
                None => std::sync::Arc::new(kernteam_domain::frailty::CodeList::default_list()),
            };
            let db = connect(&database_url).await?;
            // The safe default: a second factor for everyone who sees patient data and for
            // administrators.
            let config = kernteam_web::WebConfig {
                secure_cookies,
                trusted_proxies,
                frailty_codes,
                mailer,
                ..Default::default()
            };
            serve(db, &bind, config, None).await
        }
        Command::Demo { bind } => {
            let db = connect(&database_url).await?;
            let work = tempfile::tempdir()?;
            let today = chrono::Local::now().date_naive();
            demo::ensure_demo_region(&db, work.path(), today, std::io::stderr().is_terminal()).await?;
            drop(work);
            let mut lines =
                vec!["LET OP: demo met synthetische gegevens; tweestapsverificatie is hier NIET verplicht".to_string()];
            for a in demo::ACCOUNTS {
                lines.push(format!(
                    "login: {} {} {}",
                    a.role.code(),
                    a.username,
                    demo::DEMO_PASSWORD
                ));
            }
            for (role, username) in demo_portal::PORTAL_ACCOUNTS {
                lines.push(format!("login: {} {username} {}", role.code(), demo::DEMO_PASSWORD));
            }
            lines.push(demo::partner_token(&app(db.clone())).await?);
            serve(db, &bind, kernteam_web::WebConfig::demo(), Some(lines)).await
        }
        Command::Contract(cmd) => settings_cmd::contract(&app(connect(&database_url).await?), cmd).await,
        Command::Region(cmd) => settings_cmd::region(&app(connect(&database_url).await?), cmd).await,
        Command::Formation(cmd) => settings_cmd::formation(&app(connect(&database_url).await?), cmd).await,
        Command::Patient(cmd) => settings_cmd::patient(&app(connect(&database_url).await?), cmd).await,
        Command::Inclusion(cmd) => settings_cmd::inclusion(&app(connect(&database_url).await?), cmd).await,
        Command::User(cmd) => users::run(connect(&database_url).await?, cmd).await,
        Command::LoadtestPrepare(args) => loadtest::prepare(&connect(&database_url).await?, args).await,
        Command::Audit(cmd) => admin::audit(&connect(&database_url).await?, cmd).await,
        Command::FhirToken(cmd) => fhir_token_cmd::run(&app(connect(&database_url).await?), cmd).await,
        Command::Backup { output } => admin::backup(&connect(&database_url).await?, &database_url, output).await,
    }
}

fn app(db: Db) -> kernteam_app::App {
    kernteam_app::App::new(db)
}

/// Binds, prints the address (and demo log-ins), and serves until Ctrl-C.
async fn serve(
    db: Db,
    bind: &str,
    config: kernteam_web::WebConfig,
    logins: Option<Vec<String>>,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("kan niet luisteren op {bind}"))?;
    let addr = listener.local_addr()?;
    if config.require_two_factor {
        println!("tweestapsverificatie verplicht voor wie patiëntgegevens ziet en voor beheerders");
    }
    println!(
        "Kernteam draait op http://{addr}/ ({}); stoppen met Ctrl-C",
        db.backend().name()
    );
    for line in logins.unwrap_or_default() {
        println!("{line}");
    }
    let _ = std::io::stdout().flush();
    kernteam_web::serve(kernteam_web::AppState::new(db, config), listener).await?;
    Ok(ExitCode::SUCCESS)
}
