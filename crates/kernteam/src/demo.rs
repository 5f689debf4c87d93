//! `kernteam demo`: a synthetic region with accounts for every role, served on localhost.
//! The first run generates and imports the region and seeds care records; later runs reuse
//! the database and start in seconds.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_domain::care::{ActionStatus, CareAction, CareDomain, CarePlan, DecisionKind, Goal, Problem};
use kernteam_domain::codes::CodeSets;
use kernteam_import::{import_extract, ImportOptions};
use kernteam_store::care::{NewDecision, NewTeamMember};
use kernteam_store::people::NewUser;
use kernteam_store::Db;

/// The password of every demo account (synthetic data only; never use in production).
pub const DEMO_PASSWORD: &str = "kernteam-demo-2027";
pub const DEMO_PRACTICES: u32 = 6;
pub const DEMO_SEED: u64 = 2027;

pub struct DemoAccount {
    pub role: Role,
    pub username: &'static str,
    pub name: &'static str,
    /// Index of the practice (0-based) for practice staff.
    pub practice: Option<usize>,
    /// Organisation for network professionals.
    pub organisation: Option<(OrganisationKind, &'static str)>,
    pub admin: bool,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Huisarts,
        username: "huisarts",
        name: "Dr. Anne Janssen",
        practice: Some(0),
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::PohO,
        username: "poh",
        name: "Marieke Op de Beeck",
        practice: Some(0),
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::VerpleegkundigSpecialist,
        username: "vs",
        name: "Ruud Hermans",
        practice: Some(0),
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::PhysicianAssistant,
        username: "pa",
        name: "Sanne Bemelmans",
        practice: Some(0),
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::Praktijkmanager,
        username: "praktijkmanager",
        name: "Ingrid Custers",
        practice: Some(0),
        organisation: None,
        admin: true,
    },
    DemoAccount {
        role: Role::PohO,
        username: "poh2",
        name: "Joyce Vliegen",
        practice: Some(1),
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::Huisarts,
        username: "huisarts2",
        name: "Dr. Koen Lemmens",
        practice: Some(1),
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::Wijkverpleegkundige,
        username: "wijkverpleging",
        name: "Lotte Frissen",
        practice: None,
        organisation: Some((OrganisationKind::Wijkverpleging, "Thuiszorg Heuvelland")),
        admin: false,
    },
    DemoAccount {
        role: Role::SpecialistOuderengeneeskunde,
        username: "so",
        name: "Dr. Hans Vroemen",
        practice: None,
        organisation: Some((
            OrganisationKind::SpecialistOuderengeneeskunde,
            "Ouderengeneeskunde Maas en Heuvel",
        )),
        admin: false,
    },
    DemoAccount {
        role: Role::CasemanagerDementie,
        username: "cmd",
        name: "Petra Schreurs",
        practice: None,
        organisation: Some((OrganisationKind::CasemanagementDementie, "Casemanagement Dementie Zuid")),
        admin: false,
    },
    DemoAccount {
        role: Role::Apotheker,
        username: "apotheker",
        name: "Bart Pluijmen",
        practice: None,
        organisation: Some((OrganisationKind::Apotheek, "Apotheek Jekerdal")),
        admin: false,
    },
    DemoAccount {
        role: Role::SociaalWijkteam,
        username: "wijkteam",
        name: "Fatima El Amrani",
        practice: None,
        organisation: Some((OrganisationKind::SociaalWijkteam, "Sociaal Wijkteam Heuvelland")),
        admin: false,
    },
    DemoAccount {
        role: Role::MaatschappelijkWerker,
        username: "maatschappelijkwerk",
        name: "Tom Gulpen",
        practice: None,
        organisation: Some((OrganisationKind::MaatschappelijkWerk, "Trajekt Maatschappelijk Werk")),
        admin: false,
    },
    DemoAccount {
        role: Role::Programmamanager,
        username: "programmamanager",
        name: "Eline Wolfs",
        practice: None,
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::Kaderarts,
        username: "kaderarts",
        name: "Dr. Paul Smeets",
        practice: None,
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::Declarant,
        username: "declarant",
        name: "Dirk Dassen",
        practice: None,
        organisation: None,
        admin: false,
    },
    DemoAccount {
        role: Role::Beheerder,
        username: "beheerder",
        name: "Noor Beckers",
        practice: None,
        organisation: None,
        admin: true,
    },
];

/// Makes sure the demo region exists in `db`; generates and imports it on first use.
pub async fn ensure_demo_region(db: &Db, work: &Path, today: NaiveDate, progress: bool) -> anyhow::Result<()> {
    if !db.practices().await?.is_empty() && db.credentials("poh").await?.is_some() {
        let hash = kernteam_web::hash_password(DEMO_PASSWORD.to_string()).await?;
        return crate::demo_portal::seed_portal(db, &hash).await;
    }
    eprintln!("Demoregio aanmaken: {DEMO_PRACTICES} praktijken met synthetische patiënten (eenmalig)…");
    let opts = kernteam_synth::RegionOptions {
        practices: DEMO_PRACTICES,
        patients_per_practice: None,
        seed: DEMO_SEED,
        extract_date: today,
    };
    let generated = kernteam_synth::generate_region(&opts, work, &mut |_, _| {})?;
    let import_opts = ImportOptions { today, progress };
    for g in &generated {
        import_extract(db, &g.dir, &import_opts)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", g.dir.display()))?;
    }
    db.checkpoint().await?;
    seed_people(db).await?;
    let included = seed_care(db, today).await?;
    seed_events(db, &included).await?;
    seed_contract(db, today).await?;
    let hash = kernteam_web::hash_password(DEMO_PASSWORD.to_string()).await?;
    crate::demo_portal::seed_portal(db, &hash).await?;
    Ok(())
}

/// The hospital and the ELV location the demo's handovers go to (besides the district
/// nursing organisation of the accounts).
pub const DEMO_HOSPITAL: &str = "Ziekenhuis Heuvelland";
pub const DEMO_ELV: &str = "ELV Huize Jekerdal";

/// A demo event: (patient index, kind, hours ago, notes, sent how many hours after and to
/// which organisation).
type DemoEvent = (usize, &'static str, i64, &'static str, Option<(i64, i64)>);

/// Events of the first included patients with the 24-hour handover clock in every state,
/// recorded and sent by the POH-O through the use cases, so that every handover in the
/// demo is a real document sent to a named organisation: sent in time (to the district
/// nursing, the hospital), sent late, still open, overdue; and a fall, which needs none.
async fn seed_events(db: &Db, included: &[i64]) -> anyhow::Result<()> {
    use chrono::{Duration, Utc};
    use kernteam_app::events::EventInput;
    let Some(poh) = db.credentials("poh").await?.map(|c| c.user) else {
        return Ok(());
    };
    let organisation = |kind: OrganisationKind, name: &'static str| {
        let db = db.clone();
        async move {
            match db.organisations().await?.into_iter().find(|o| o.name == name) {
                Some(o) => Ok::<i64, anyhow::Error>(o.id),
                None => Ok(kernteam_store::audited!(
                    db,
                    kernteam_store::care::AuditEntry::command_line("demogegevens", None),
                    |ch| ch.create_organisation(kind, name)
                )?),
            }
        }
    };
    let hospital = organisation(OrganisationKind::Ziekenhuis, DEMO_HOSPITAL).await?;
    let elv = organisation(OrganisationKind::Elv, DEMO_ELV).await?;
    let nursing = organisation(OrganisationKind::Wijkverpleging, "Thuiszorg Heuvelland").await?;
    let app = kernteam_app::App::new(db.clone());
    let actor = kernteam_app::Actor::signed_in(poh, None);
    let now = Utc::now();
    let plan: [DemoEvent; 6] = [
        (
            0,
            "ontslag_ziekenhuis",
            50,
            "Terug naar huis na een heupoperatie; thuiszorg start morgen.",
            Some((5, nursing)),
        ),
        (
            1,
            "seh_verwijzing",
            75,
            "Verward en gevallen; verwezen naar de SEH.",
            Some((1, hospital)),
        ),
        (
            2,
            "elv_hoog_complex",
            100,
            "Tijdelijk niet veilig thuis na een longontsteking.",
            Some((30, elv)),
        ),
        (
            3,
            "ontslag_ziekenhuis",
            6,
            "Ontslagen na hartfalen; medicatie gewijzigd.",
            None,
        ),
        (
            4,
            "ziekenhuisopname",
            40,
            "Opgenomen met een urineweginfectie en delier.",
            None,
        ),
        (5, "val", 240, "Gevallen in de badkamer, geen letsel.", None),
    ];
    for (i, kind, ago, notes, sent) in plan {
        let Some(&pid) = included.get(i) else { continue };
        let c = app
            .contributor(&actor, pid)
            .await
            .map_err(crate::settings_cmd::refused)?;
        let occurred = now - Duration::hours(ago);
        let event = app
            .record_event(
                &c,
                EventInput {
                    kind: kind.into(),
                    occurred_at: Ok(occurred),
                    notes: Some(notes.into()),
                },
            )
            .await
            .map_err(crate::settings_cmd::refused)?;
        if let Some((after, to)) = sent {
            app.send_handover(
                &c,
                event.id,
                Some(to),
                "http://127.0.0.1:8080/fhir",
                occurred + Duration::hours(after),
            )
            .await
            .map_err(crate::settings_cmd::refused)?;
        }
    }
    Ok(())
}

/// The first practice (the one with care records) works under contract option 1 this
/// year and last, so that the declarations have something to show.
async fn seed_contract(db: &Db, today: NaiveDate) -> anyhow::Result<()> {
    use chrono::Datelike;
    let practice = db.practices().await?.into_iter().next().context("no practices")?;
    let by = kernteam_store::contract::SetBy {
        user_id: None,
        name: "demogegevens".into(),
    };
    let mut ch = db.change().await?;
    for year in [today.year() - 1, today.year(), today.year() + 1] {
        ch.set_contract(
            practice.id,
            year,
            kernteam_domain::contract::ContractOption::PerIncluded,
            None,
            &by,
        )
        .await?;
    }
    ch.commit(&[kernteam_store::care::AuditEntry::command_line("demogegevens", None)])
        .await?;
    Ok(())
}

async fn seed_people(db: &Db) -> anyhow::Result<()> {
    let practices = db.practices().await?;
    let hash = kernteam_web::hash_password(DEMO_PASSWORD.to_string()).await?;
    for a in ACCOUNTS {
        if db.credentials(a.username).await?.is_some() {
            continue;
        }
        let organisation_id = match a.organisation {
            Some((kind, name)) => match db.organisations().await?.into_iter().find(|o| o.name == name) {
                Some(o) => Some(o.id),
                None => Some(kernteam_store::audited!(
                    db,
                    kernteam_store::care::AuditEntry::command_line("demogegevens", None),
                    |ch| ch.create_organisation(kind, name)
                )?),
            },
            None => None,
        };
        kernteam_store::audited!(
            db,
            kernteam_store::care::AuditEntry::command_line("demogegevens", None),
            |ch| ch.create_user(&NewUser {
                username: a.username.into(),
                display_name: a.name.into(),
                role: a.role,
                practice_id: a.practice.and_then(|i| practices.get(i)).map(|p| p.id),
                organisation_id,
                password_hash: hash.clone(),
                is_admin: a.admin,
            })
        )?;
    }
    Ok(())
}

/// Care records for the first practice: inclusions, care teams, first contacts, care plans.
/// Returns the included patients, in order.
async fn seed_care(db: &Db, today: NaiveDate) -> anyhow::Result<Vec<i64>> {
    let practices = db.practices().await?;
    let practice = practices.first().context("no practices")?;
    let snap = db.latest_snapshot(practice.id).await?.context("no snapshot")?;
    let people = db.snapshot_people(snap.snapshot_id).await?;
    let facts = db.snapshot_facts_keyed(snap.snapshot_id).await?;
    let codes = CodeSets::default();
    let frail: Vec<&str> = facts
        .iter()
        .filter(|(_, f)| f.registered_on(today) && f.frail_on(snap.extract_date, &codes) && f.age_on(today) >= 75)
        .map(|(h, _)| h.as_str())
        .collect();
    let user = |name: &str| {
        let db = db.clone();
        let name = name.to_string();
        async move { db.credentials(&name).await.map(|c| c.map(|c| c.user)) }
    };
    let (Some(gp), Some(poh), Some(wvk)) = (
        user("huisarts").await?,
        user("poh").await?,
        user("wijkverpleging").await?,
    ) else {
        return Ok(Vec::new());
    };
    let mut included = Vec::new();
    let wvk_org = db
        .organisation(wvk.organisation_id.context("wijkverpleging without organisation")?)
        .await?
        .name;
    for (i, his) in frail.iter().take(40).enumerate() {
        let Some(person) = people.iter().find(|p| p.his_id == *his) else {
            continue;
        };
        let pid = person.patient_id;
        included.push(pid);
        let decided_on = today - chrono::Duration::days(30 + 7 * i as i64);
        kernteam_store::audited!(
            db,
            kernteam_store::care::AuditEntry::command_line("demogegevens", None),
            |ch| ch.add_decision(
                pid,
                &NewDecision {
                    kind: DecisionKind::Inclusion,
                    decided_on,
                    deciding_gp: Some(gp.display_name.clone()),
                    reason: None,
                    considerations: Some(
                        "Kwetsbaar op meerdere domeinen; wil zo lang mogelijk thuis blijven wonen.".into(),
                    ),
                },
                gp.id,
            )
        )?;
        let poh_member = kernteam_store::audited!(
            db,
            kernteam_store::care::AuditEntry::command_line("demogegevens", None),
            |ch| ch.add_team_member(
                pid,
                &NewTeamMember {
                    kind: "professional".into(),
                    user_id: Some(poh.id),
                    name: poh.display_name.clone(),
                    role: Some(Role::PohO.label().into()),
                    organisation: Some(practice.name.clone()),
                    ..Default::default()
                },
                poh.id,
            )
        )?;
        kernteam_store::audited!(
            db,
            kernteam_store::care::AuditEntry::command_line("demogegevens", None),
            |ch| ch.add_team_member(
                pid,
                &NewTeamMember {
                    kind: "professional".into(),
                    user_id: Some(gp.id),
                    name: gp.display_name.clone(),
                    role: Some(Role::Huisarts.label().into()),
                    organisation: Some(practice.name.clone()),
                    ..Default::default()
                },
                poh.id,
            )
        )?;
        let mut first = poh_member;
        let mut wvk_member = None;
        if i % 3 == 0 {
            let m = kernteam_store::audited!(
                db,
                kernteam_store::care::AuditEntry::command_line("demogegevens", None),
                |ch| ch.add_team_member(
                    pid,
                    &NewTeamMember {
                        kind: "professional".into(),
                        user_id: Some(wvk.id),
                        name: wvk.display_name.clone(),
                        role: Some(Role::Wijkverpleegkundige.label().into()),
                        organisation: Some(wvk_org.clone()),
                        ..Default::default()
                    },
                    poh.id,
                )
            )?;
            first = m;
            wvk_member = Some(m);
        }
        if i % 2 == 0 {
            kernteam_store::audited!(
                db,
                kernteam_store::care::AuditEntry::command_line("demogegevens", None),
                |ch| ch.add_team_member(
                    pid,
                    &NewTeamMember {
                        kind: "mantelzorger".into(),
                        name: ["Ans", "Jos", "Mieke", "Sjef"][i % 4].to_string(),
                        relation: Some(["dochter", "zoon", "buurvrouw", "echtgenoot"][i % 4].into()),
                        phone: Some(format!("06-1234{:04}", i)),
                        ..Default::default()
                    },
                    poh.id,
                )
            )?;
        }
        // Most assignments are evaluated in the coming year; some are due this week.
        let first_contact_evaluation = if i % 6 == 1 {
            today + chrono::Duration::days(5)
        } else {
            today + chrono::Duration::days(200 + 7 * i as i64)
        };
        if i % 5 != 4 {
            kernteam_store::audited!(
                db,
                kernteam_store::care::AuditEntry::command_line("demogegevens", None),
                |ch| ch.set_first_contact(pid, first, poh.id, first_contact_evaluation)
            )?;
        }
        if i % 4 != 3 {
            let plan = CarePlan {
                problems: vec![
                    Problem {
                        domain: CareDomain::Functioneel,
                        description: "Valt de laatste maanden vaker; loopt met rollator.".into(),
                    },
                    Problem {
                        domain: CareDomain::Maatschappelijk,
                        description: "Weinig sociale contacten sinds overlijden partner.".into(),
                    },
                ],
                wishes: "Ik wil in mijn eigen huis blijven wonen en zelf boodschappen blijven doen.".into(),
                goals: vec![
                    Goal::new(None, "Veilig thuis blijven wonen"),
                    Goal::new(Some(CareDomain::Functioneel), "Zonder te vallen door het huis lopen"),
                    Goal::new(
                        Some(CareDomain::Maatschappelijk),
                        "Eén keer per week naar de ontmoetingsgroep",
                    ),
                ],
                actions: {
                    let mut actions = vec![
                        CareAction {
                            what: "Valrisico-inventarisatie en huisbezoek".into(),
                            who: poh.display_name.clone(),
                            member: Some(poh_member),
                            domain: Some(CareDomain::Functioneel),
                            due: Some(today + chrono::Duration::days(14)),
                            status: ActionStatus::Gepland,
                            ..Default::default()
                        },
                        CareAction {
                            what: "Aanmelden bij ontmoetingsgroep".into(),
                            who: "Sociaal wijkteam".into(),
                            domain: Some(CareDomain::Maatschappelijk),
                            due: Some(today - chrono::Duration::days(5)),
                            status: ActionStatus::Lopend,
                            ..Default::default()
                        },
                    ];
                    if let Some(m) = wvk_member {
                        actions.push(CareAction {
                            what: "Medicatie-uitzetting controleren bij huisbezoek".into(),
                            who: wvk.display_name.clone(),
                            member: Some(m),
                            domain: Some(CareDomain::Somatisch),
                            due: Some(today + chrono::Duration::days(7)),
                            status: ActionStatus::Gepland,
                            ..Default::default()
                        });
                    }
                    actions
                },
                evaluation_date: Some(today + chrono::Duration::days(if i % 8 == 1 { 6 } else { 90 })),
                caregiver_support: if i % 4 == 0 {
                    "Draagt veel alleen en is moe; wil één dagdeel per week ontlast worden. Aangemeld bij het steunpunt mantelzorg."
                        .into()
                } else {
                    String::new()
                },
                evaluations: Vec::new(),
            };
            let content = serde_json::to_string(&plan)?;
            kernteam_store::audited!(
                db,
                kernteam_store::care::AuditEntry::command_line("demogegevens", None),
                |ch| ch.save_care_plan(pid, 0, &content, "Zorgplan opgesteld", poh.id, &poh.display_name,)
            )?;
        }
    }
    Ok(included)
}

/// The account whose reads a partner's system makes in the demo: the district nurse of
/// Thuiszorg Heuvelland, on the care teams of the first practice's included patients.
pub const PARTNER_ACCOUNT: &str = "wijkverpleging";

/// A fresh FHIR token for the demo's partner system (Thuiszorg Heuvelland's ECD acting as
/// the district nurse), as the line the demo prints:
/// `fhir-token: wijkverpleging TOKEN` (use it as `Authorization: Bearer TOKEN` on `/fhir`).
pub async fn partner_token(app: &kernteam_app::App) -> anyhow::Result<String> {
    let t = app
        .issue_fhir_token(&app.operator(), PARTNER_ACCOUNT, "Demo: ECD Thuiszorg Heuvelland")
        .await
        .map_err(crate::settings_cmd::refused)?;
    Ok(format!("fhir-token: {} {}", t.user.username, t.token))
}
