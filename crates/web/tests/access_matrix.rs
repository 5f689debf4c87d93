//! The access matrix: every role × own/other practice × on/off the care team × route ×
//! method, with its expected status, on SQLite and PostgreSQL; and the portal's actors (the
//! patient, and a mantelzorger without consent, with the agreements, with the PZP), for
//! whom every staff route is 404.
//!
//! The routes are read from the route tables the router is built from
//! (`kernteam_web::page_routes`, `kernteam_web::api::route_table`); a route that
//! [`class_of`] does not classify fails the test, so a new route cannot slip in without a
//! decision about who may use it. For every route that names a patient the audit record
//! is checked too: an allowed read or change writes one for that patient and user, a
//! refusal writes one with outcome refused, and a request that is not signed in writes none.

mod common;

use std::collections::BTreeSet;
use std::fmt;

use axum::http::StatusCode;
use common::{csrf_of_page, Client};
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_domain::portal::ConsentLevel;
use kernteam_store::audit::Outcome;
use kernteam_store::care::NewTeamMember;
use kernteam_store::people::NewUser;
use kernteam_store::program::Document;
use kernteam_store::sqlx::{self, Row};
use kernteam_store::testing;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Read a patient's record.
    PatientRead,
    /// Add to a patient's care records (care plan, PZP, consultations, reviews, events).
    PatientContribute,
    /// Practice decisions: inclusion, exclusion, care team, first contact.
    PatientDecide,
    /// Edit the PZP: the practice's clinicians (network professionals read it).
    PzpEdit,
    /// Correct or withdraw a recorded consultation, review or event: the practice's
    /// clinicians; a network professional only what they recorded (here: nothing).
    RecordCorrect,
    /// A patient's audit trail (practice administrator).
    PatientAudit,
    /// Lists of one's own patients and work: practice staff and network professionals.
    OwnLists,
    /// Practice-level pages to read: MDO list, formation; the practice list's search.
    PracticeRead,
    /// Plan an MDO, record attendance (clinicians and the practice administrator).
    PracticePlan,
    /// Set the POH-O formation (huisarts or practice administrator).
    Formation,
    /// An MDO meeting of the practice, to read.
    MeetingRead,
    /// Record attendance at a meeting of the practice (as [`Class::PracticePlan`]).
    MeetingOrganise,
    /// Put patients on a meeting's agenda and write their minutes (clinicians).
    MeetingPatient,
    /// Region figures.
    Region,
    /// The region's settings: contract options, yardsticks, funding categories
    /// (programme manager and administrator).
    RegionSettings,
    /// Per-patient declaration lines: the region's declarant and practice staff.
    DeclarationLines,
    /// The region's quality cycle: practice visits, network collaboration, every practice's
    /// PDCA checklist (the programme manager and the kaderarts).
    QualityCycle,
    /// Keep the practice's own PDCA checklist (any practice staff).
    Pdca,
    /// A visit shared with the practice, to read: only its own practice's staff.
    VisitRead,
    /// The dashboard: the region's for region staff, the own practice's for its staff.
    Dashboard,
    /// Accounts and organisations.
    Admin,
    /// The accounts and organisations of care through FHIR (`Practitioner`,
    /// `PractitionerRole`, `Organization`): everyone who sees patient data.
    CareDirectory,
    /// Any signed-in member of staff (not a portal account): the notifications.
    Staff,
    /// The portal at all: its overview and one's own account (any portal account).
    PortalEnter,
    /// The portal's agreements (plan, printout): the patient, a mantelzorger with consent.
    PortalAgreements,
    /// The portal's PZP: the patient, a mantelzorger with the wider consent.
    PortalPzp,
    /// The portal's messages: as the agreements.
    PortalMessages,
    /// Proposals for the care plan: as the agreements.
    PortalPropose,
    /// The consent per mantelzorger: the patient only.
    PortalConsent,
    /// The mantelzorger's own load: any mantelzorger account.
    PortalOwnLoad,
}

fn class_of(method: &str, path: &str) -> Option<Class> {
    use Class::*;
    let p = path.strip_prefix("/api").unwrap_or(path);
    Some(match (method, p) {
        ("GET" | "POST", "/inloggen" | "/inloggen/activeren")
        | ("GET", "/static/style.css" | "/static/app.js" | "/static/mdo.js") => Public,
        // The portal (patients and mantelzorgers); the staff's side of it is below.
        ("GET", "/portaal" | "/portaal/account") | ("POST", "/portaal/account/beeindigen") => PortalEnter,
        ("GET", "/portaal/zorgplan" | "/portaal/afdrukken") => PortalAgreements,
        ("GET", "/portaal/wensen") => PortalPzp,
        ("GET" | "POST", "/portaal/berichten" | "/portaal/berichten/{thread}") => PortalMessages,
        ("POST", "/portaal/voorstel") => PortalPropose,
        ("GET" | "POST", "/portaal/toestemming") | ("POST", "/portaal/toestemming/accounts/{account}/beeindigen") => {
            PortalConsent
        }
        ("GET" | "POST", "/portaal/belasting") => PortalOwnLoad,
        ("GET", "/meldingen") | ("GET" | "POST", "/account/email") => Staff,
        ("GET", "/openapi.json") => Public,
        // The FHIR API: its CapabilityStatement is public, the patient's resources are read
        // as the record is, a network professional lists their shared patients.
        ("GET", "/fhir/metadata") => Public,
        ("GET", "/fhir/Patient") => OwnLists,
        ("GET", "/fhir/Practitioner/{practitioner}")
        | ("GET", "/fhir/PractitionerRole/{practitioner}")
        | ("GET", "/fhir/Organization/praktijk-{practice}") => CareDirectory,
        ("GET", p) if p.starts_with("/fhir/") && p.contains("{id}") => PatientRead,
        // A hospital's discharge letter for the patient it names adds to the record.
        ("POST", "/fhir") => PatientContribute,
        ("GET", "/")
        | ("POST", "/uitloggen")
        | ("GET" | "POST", "/inloggen/code" | "/account/tweestap" | "/account/wachtwoord")
        | ("POST", "/account/tweestap/nieuw")
        | ("POST", "/inloggen/code/opnieuw" | "/account/tweestap/email" | "/account/tweestap/email/bevestigen")
        | ("GET", "/v1/session") => SignedIn,
        ("GET", "/patienten" | "/werklijst" | "/v1/patients" | "/v1/worklist") => OwnLists,
        ("GET", "/mdo" | "/praktijk/formatie" | "/v1/mdo" | "/v1/practice/poh-o-hours") => PracticeRead,
        // Case finding: the practice's 75+ by frailty index (practice staff only).
        ("GET", "/opsporing") => PracticeRead,
        // Searching the practice list (the words are posted, never put in a URL).
        ("POST", "/patienten") => PracticeRead,
        ("POST", "/mdo" | "/v1/mdo") => PracticePlan,
        ("POST", "/praktijk/formatie" | "/v1/practice/poh-o-hours") => Formation,
        ("GET", "/mdo/{meeting}" | "/mdo/{meeting}/patienten/{id}" | "/v1/mdo/{meeting}") => MeetingRead,
        ("POST", "/mdo/{meeting}/aanwezigheid" | "/mdo/{meeting}/genodigden")
        | ("PUT", "/v1/mdo/{meeting}/attendance") => MeetingOrganise,
        ("POST" | "PUT", p) if p.starts_with("/mdo/{meeting}") || p.starts_with("/v1/mdo/{meeting}") => MeetingPatient,
        (
            "GET",
            "/regio"
            | "/regio/rapport.csv"
            | "/regio/rapport.xlsx"
            | "/regio/rapport-nl.csv"
            | "/regio/instellingen"
            | "/regio/capaciteit"
            | "/regio/declaraties",
        ) => Region,
        ("POST", "/regio/capaciteit/{practice}/gesprek" | "/regio/capaciteit/gesprek/{conversation}/afgerond") => {
            Region
        }
        ("POST", "/regio/instellingen" | "/regio/instellingen/financiering" | "/regio/contracten") => RegionSettings,
        ("GET", "/declaraties/regels") => DeclarationLines,
        ("GET", "/praktijk/declaraties") => PracticeRead,
        ("GET" | "POST", "/regio/bezoeken" | "/regio/bezoeken/{visit}" | "/regio/samenwerking")
        | ("POST", "/regio/bezoeken/{visit}/delen")
        | ("GET", "/regio/pdca" | "/regio/pdca/{practice}") => QualityCycle,
        ("GET", "/praktijk/bezoeken" | "/praktijk/pdca") => PracticeRead,
        ("POST", "/praktijk/pdca") => Pdca,
        ("GET", "/praktijk/bezoeken/{visit}") => VisitRead,
        ("GET", "/dashboard") => Dashboard,
        ("GET", "/dashboard/praktijken/{practice}" | "/dashboard/regiorapport" | "/dashboard/regiorapport.xlsx") => {
            Region
        }
        (_, p) if p.starts_with("/beheer") => Admin,
        ("GET", "/patienten/{id}/audit") => PatientAudit,
        ("POST", "/patienten/{id}/pzp") | ("PUT", "/v1/patients/{id}/pzp") => PzpEdit,
        ("POST", p) if p.ends_with("/{record}/intrekken") || p.ends_with("/{record}/corrigeren") => RecordCorrect,
        (
            "POST" | "PUT" | "DELETE",
            "/patienten/{id}/inclusie"
            | "/patienten/{id}/exclusie"
            | "/patienten/{id}/team"
            | "/patienten/{id}/team/{member}/verwijderen"
            | "/patienten/{id}/aanspreekpunt"
            | "/patienten/{id}/aanspreekpunt/evaluatie"
            | "/patienten/{id}/regeling"
            | "/patienten/{id}/kwetsbaarheid/conclusie"
            | "/patienten/{id}/portaal/uitnodigen"
            | "/patienten/{id}/portaal/uitnodigingen/{invitation}/intrekken"
            | "/patienten/{id}/portaal/accounts/{account}/beeindigen"
            | "/patienten/{id}/portaal/accounts/{account}/blokkeren"
            | "/patienten/{id}/portaal/accounts/{account}/deblokkeren"
            | "/patienten/{id}/portaal/accounts/{account}/tweestap-herstellen"
            | "/v1/patients/{id}/decisions"
            | "/v1/patients/{id}/team"
            | "/v1/patients/{id}/team/{member}"
            | "/v1/patients/{id}/first-contact",
        ) => PatientDecide,
        // The care-plan form is for those who may change the plan.
        ("GET", "/patienten/{id}/zorgplan/wijzigen" | "/patienten/{id}/zorgplan/evalueren") => PatientContribute,
        ("GET", p) if p.starts_with("/patienten/{id}") || p.starts_with("/v1/patients/{id}") => PatientRead,
        ("POST" | "PUT", p) if p.starts_with("/patienten/{id}") || p.starts_with("/v1/patients/{id}") => {
            PatientContribute
        }
        _ => return None,
    })
}

/// Who asks, relative to the patient (and meeting) in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// Practice staff of the patient's practice; the patient themself (portal).
    Own,
    /// A mantelzorger (portal) of the patient, with what the patient consented to.
    NoConsent,
    Agreements,
    AlsoPzp,
    /// A mantelzorger whom the PZP names as legal representative (no consent of their own).
    Representative,
    OtherPractice,
    OnTeam,
    OffTeam,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Forbidden,
    NotFound,
    SignIn,
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expect::Ok => "allowed",
            Expect::Forbidden => "403",
            Expect::NotFound => "404",
            Expect::SignIn => "sign in",
        })
    }
}

/// The matrix itself, written out independently of the code under test.
fn expected(class: Class, role: Option<Role>, rel: Relation) -> Expect {
    use Class::*;
    use Expect::*;
    let Some(role) = role else {
        return if class == Public { Ok } else { SignIn };
    };
    if role.is_portal() {
        // A portal account: its own patient's allowed parts; every staff route is 404.
        let patient = role == Role::Patient;
        // The legal representative acts for the patient: sees and chooses what they do.
        let for_patient = patient || rel == Relation::Representative;
        let sees = for_patient || matches!(rel, Relation::Agreements | Relation::AlsoPzp);
        let ok = match class {
            Public | SignedIn | PortalEnter => true,
            PortalAgreements | PortalMessages | PortalPropose => sees,
            PortalPzp => for_patient || rel == Relation::AlsoPzp,
            PortalConsent => for_patient,
            PortalOwnLoad => !patient,
            _ => false,
        };
        return if ok { Ok } else { NotFound };
    }
    let practice = matches!(
        role,
        Role::Huisarts | Role::PohO | Role::VerpleegkundigSpecialist | Role::PhysicianAssistant | Role::Praktijkmanager
    );
    let clinician = practice && role != Role::Praktijkmanager;
    let network = !practice
        && !matches!(
            role,
            Role::Programmamanager | Role::Kaderarts | Role::Beheerder | Role::Declarant
        );
    let region = !practice && !network;
    match class {
        Public | SignedIn | Staff => Ok,
        PortalEnter | PortalAgreements | PortalPzp | PortalMessages | PortalPropose | PortalConsent | PortalOwnLoad => {
            NotFound
        }
        OwnLists => {
            if region {
                Forbidden
            } else {
                Ok
            }
        }
        PracticeRead => {
            if practice {
                Ok
            } else {
                Forbidden
            }
        }
        PracticePlan => {
            if practice {
                Ok
            } else {
                Forbidden
            }
        }
        Formation => {
            if matches!(role, Role::Huisarts | Role::Praktijkmanager) {
                Ok
            } else {
                Forbidden
            }
        }
        // A meeting is visible only to the staff of its practice; to anyone else it does
        // not exist.
        MeetingRead | MeetingOrganise | MeetingPatient => match rel {
            Relation::Own if practice => {
                if class == MeetingPatient && !clinician {
                    Forbidden
                } else {
                    Ok
                }
            }
            _ => NotFound,
        },
        Region => {
            if region {
                Ok
            } else {
                Forbidden
            }
        }
        RegionSettings => {
            if matches!(role, Role::Programmamanager | Role::Beheerder) {
                Ok
            } else {
                Forbidden
            }
        }
        QualityCycle => {
            if matches!(role, Role::Programmamanager | Role::Kaderarts) {
                Ok
            } else {
                Forbidden
            }
        }
        DeclarationLines => {
            if practice || role == Role::Declarant {
                Ok
            } else {
                Forbidden
            }
        }
        Pdca => {
            if practice {
                Ok
            } else {
                Forbidden
            }
        }
        // Another practice's visit does not exist for a practice's staff.
        VisitRead => match rel {
            Relation::Own if practice => Ok,
            _ if practice => NotFound,
            _ => Forbidden,
        },
        Dashboard => {
            if network {
                Forbidden
            } else {
                Ok
            }
        }
        CareDirectory => {
            if region {
                Forbidden
            } else {
                Ok
            }
        }
        Admin => {
            if role == Role::Beheerder {
                Ok
            } else {
                Forbidden
            }
        }
        PatientRead | PatientContribute | PatientDecide | PatientAudit | PzpEdit | RecordCorrect => {
            let sees = match rel {
                Relation::Own => practice,
                Relation::OnTeam => network,
                _ => false,
            };
            if !sees {
                return NotFound;
            }
            let may = match class {
                PatientRead => true,
                PatientContribute => clinician || network,
                PatientDecide | PzpEdit | RecordCorrect => clinician,
                _ => role == Role::Praktijkmanager,
            };
            if may {
                Ok
            } else {
                Forbidden
            }
        }
    }
}

fn outcome(status: StatusCode, location: Option<&str>) -> Option<Expect> {
    Some(match status.as_u16() {
        401 => Expect::SignIn,
        303 if location == Some("/inloggen") => Expect::SignIn,
        403 => Expect::Forbidden,
        404 => Expect::NotFound,
        200..=399 | 400 | 409 | 422 => Expect::Ok,
        _ => return None,
    })
}

/// Every (method, path) of the application: the page routes from the table the router is
/// built from, the API's from its router, and the OpenAPI document.
fn all_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    routes.extend(kernteam_web::api::route_table());
    routes.extend(
        kernteam_web::page_routes()
            .into_iter()
            .map(|(m, p)| (m.to_string(), p.to_string())),
    );
    routes.insert(("GET".into(), kernteam_web::api::OPENAPI_PATH.into()));
    routes.extend(fhir_routes());
    routes
}

/// The FHIR API's routes (`kernteam_web::fhir::route_table`) as the requests the matrix
/// makes: the CapabilityStatement, a search by patient of every type of the record, reads
/// of the record's resources whose id is the patient's, the directory, the shared list.
fn fhir_routes() -> Vec<(String, String)> {
    let mut paths = vec!["/fhir/metadata".to_string(), "/fhir/Patient".to_string()];
    for ty in kernteam_fhir::COMPARTMENT {
        let param = if ty == "Patient" { "_id" } else { "patient" };
        paths.push(format!("/fhir/{ty}?{param}={{id}}"));
    }
    for ty in ["Patient", "CareTeam", "CarePlan"] {
        paths.push(format!("/fhir/{ty}/{{id}}"));
    }
    // A handover document sent for the patient.
    paths.push("/fhir/Bundle/{id}-overdracht-{handover}".into());
    paths.push("/fhir/Practitioner/{practitioner}".into());
    paths.push("/fhir/PractitionerRole/{practitioner}".into());
    paths.push("/fhir/Organization/praktijk-{practice}".into());
    let mut routes: Vec<(String, String)> = paths.into_iter().map(|p| ("GET".to_string(), p)).collect();
    routes.push(("POST".into(), "/fhir".into()));
    routes
}

#[test]
fn every_fhir_route_is_exercised() {
    let segments = |p: &str| {
        p.split('?')
            .next()
            .unwrap()
            .trim_start_matches("/fhir/")
            .split('/')
            .count()
    };
    for (method, template) in kernteam_web::fhir::route_table() {
        let covered = fhir_routes().iter().any(|(m, p)| {
            m == method
                && match template {
                    "/fhir/metadata" | "/fhir" => p == template,
                    "/fhir/{resource_type}" => segments(p) == 1 && p != "/fhir/metadata",
                    _ => segments(p) == 2,
                }
        });
        assert!(covered, "{method} {template} is not in the access matrix");
    }
}

#[test]
fn every_route_is_classified() {
    let routes = all_routes();
    assert!(routes.len() > 60, "found only {} routes", routes.len());
    let missing: Vec<_> = routes.iter().filter(|(m, p)| class_of(m, p).is_none()).collect();
    assert!(
        missing.is_empty(),
        "routes without a class in the access matrix: {missing:#?}"
    );
}

/// A request body that every form or JSON parser accepts, so that access decides.
fn body_for(path: &str, member: i64, patient: i64) -> (Vec<(String, String)>, serde_json::Value) {
    let form: Vec<(&str, String)> = if path.ends_with("/team") {
        vec![
            ("kind", "mantelzorger".into()),
            ("name", "Ans".into()),
            ("relation", "dochter".into()),
        ]
    } else if path.ends_with("/aanspreekpunt") {
        vec![("member_id", member.to_string())]
    } else if path.ends_with("/agenda") {
        vec![("patient_id", patient.to_string())]
    } else {
        vec![]
    };
    let json = if path == "/fhir" {
        // A discharge letter naming the patient, discharged an hour ago.
        serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": [
            { "resource": { "resourceType": "Encounter", "status": "finished",
                "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP" },
                "subject": { "reference": format!("Patient/{patient}") },
                "serviceProvider": { "display": "Ziekenhuis Zuid" },
                "period": { "end": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339() } } }
        ] })
    } else if path.ends_with("/first-contact") {
        serde_json::json!({ "member_id": member })
    } else if path.ends_with("/team") {
        serde_json::json!({ "kind": "mantelzorger", "name": "Ans", "relation": "dochter" })
    } else {
        serde_json::json!({})
    };
    (form.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), json)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_access_matrix_holds() {
    let routes = all_routes();
    let roles = Role::ALL;
    for t in testing::all().await {
        let mut failures = Vec::new();
        let mut checked = 0;
        // (role or anonymous, relation): a fresh region for each, so that changes made by
        // one actor's allowed requests cannot change what the next one finds.
        let mut actors: Vec<(Option<Role>, Relation)> = vec![(None, Relation::None)];
        for role in roles {
            match role.scope() {
                kernteam_domain::access::Scope::Practice => {
                    actors.push((Some(role), Relation::Own));
                    actors.push((Some(role), Relation::OtherPractice));
                }
                kernteam_domain::access::Scope::Network => {
                    actors.push((Some(role), Relation::OnTeam));
                    actors.push((Some(role), Relation::OffTeam));
                }
                kernteam_domain::access::Scope::Region => actors.push((Some(role), Relation::None)),
                kernteam_domain::access::Scope::Portal => unreachable!("Role::ALL holds the staff roles"),
            }
        }
        // The portal: the patient a1, and a mantelzorger of a1 without and with consent.
        actors.push((Some(Role::Patient), Relation::Own));
        for rel in [
            Relation::NoConsent,
            Relation::Agreements,
            Relation::AlsoPzp,
            Relation::Representative,
        ] {
            actors.push((Some(Role::Mantelzorger), rel));
        }
        for (role, rel) in actors {
            let scratch = fresh(&t).await;
            let db = scratch.db.clone();
            let w = common::seed(&db).await;
            // The acting user: in practice A, or in a network organisation and on a1's team.
            let username = format!("actor-{}", role.map_or("anon", |r| r.code()));
            let mut user_id = None;
            if let Some(role) = role.filter(|r| !r.is_portal()) {
                let org = match role.organisation_kind() {
                    Some(kind) => Some(
                        kernteam_store::audited!(db, testing::entry(), |ch| ch
                            .create_organisation(kind, &format!("Org {}", role.code())))
                        .unwrap(),
                    ),
                    None => None,
                };
                let hash = kernteam_web::hash_password(common::PASSWORD.to_string()).await.unwrap();
                let uid = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
                    username: username.clone(),
                    display_name: format!("Actor {}", role.label()),
                    role,
                    practice_id: (role.scope() == kernteam_domain::access::Scope::Practice).then_some(w.practice_a),
                    organisation_id: org,
                    password_hash: hash,
                    is_admin: false,
                }))
                .unwrap();
                user_id = Some(uid);
                if org.is_some() {
                    kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
                        w.a1,
                        &NewTeamMember {
                            kind: "professional".into(),
                            user_id: Some(uid),
                            name: "Actor".into(),
                            ..Default::default()
                        },
                        w.poh_a,
                    ))
                    .unwrap();
                }
            }
            let _ = OrganisationKind::ALL;
            // The patient, member, meeting and event the requests name.
            let (patient, practice, member) = match rel {
                Relation::OtherPractice => (w.b1, w.practice_b, w.b1_member),
                Relation::OffTeam => (w.a2, w.practice_a, w.a1_wvk_member),
                _ => (w.a1, w.practice_a, w.a1_wvk_member),
            };
            let poh = if practice == w.practice_a { w.poh_a } else { w.poh_b };
            // The portal's records the routes name: an invitation, another mantelzorger's
            // account with a proposal, a thread shared with the portal.
            let (invitation, other_account, proposal, thread) = portal_records(&db, patient, poh).await;
            let conversation = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_capacity_conversation(
                &kernteam_store::capacity_conversations::NewCapacityConversation {
                    practice_id: practice,
                    held_on: chrono::Local::now().date_naive(),
                    participants: "programmamanager en huisarts".into(),
                    agreements: "formatie uitbreiden".into(),
                    follow_up_on: Some(chrono::Local::now().date_naive()),
                },
                poh,
            ))
            .unwrap();
            let meeting = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
                practice,
                chrono::Local::now().date_naive(),
                "praktijk",
                &["huisarts".into()],
                poh,
            ))
            .unwrap();
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(
                meeting,
                patient,
                Some("bespreken")
            ))
            .unwrap();
            // A visit to the practice, recorded and shared with it.
            let today = chrono::Local::now().date_naive();
            let visit =
                kernteam_store::audited!(db, testing::entry(), |ch| ch.plan_visit(practice, today, poh)).unwrap();
            kernteam_store::audited!(db, testing::entry(), |ch| ch.record_visit(
                visit,
                &kernteam_store::visits::VisitRecord {
                    visited_on: today,
                    topics: Default::default(),
                    feedback: Some("Terugkoppeling".into()),
                },
                poh
            ))
            .unwrap();
            kernteam_store::audited!(db, testing::entry(), |ch| ch.share_visit(visit, poh)).unwrap();
            let event = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
                patient,
                "ontslag_ziekenhuis",
                "2027-01-01T10:00:00Z",
                None,
                poh
            ))
            .unwrap();
            // A handover of that event, sent to the seeded district-nursing organisation.
            let handover = {
                let org = db.user(w.wvk_team).await.unwrap().organisation_id.unwrap();
                let mut ch = db.change().await.unwrap();
                let h = ch
                    .add_handover(patient, event, org, "2027-01-01T12:00:00Z", poh)
                    .await
                    .unwrap();
                ch.set_handover_document(
                    h,
                    r#"{"resourceType":"Bundle","type":"document","entry":[{"resource":{"resourceType":"Composition","title":"Overdracht","section":[]}}]}"#,
                )
                .await
                .unwrap();
                ch.commit(&[testing::entry()]).await.unwrap();
                h
            };
            let consultation = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_consultation(
                patient,
                &kernteam_store::program::NewConsultation {
                    date: chrono::Local::now().date_naive(),
                    question: "Vraag".into(),
                    advice: None,
                    kind: "consultatie".into(),
                    funding: "zvw".into(),
                    so_name: "Sanne Oud".into(),
                },
                poh
            ))
            .unwrap();
            let review = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_medication_review(
                patient,
                &kernteam_store::program::NewMedicationReview {
                    date: chrono::Local::now().date_naive(),
                    indication: None,
                    participants: "huisarts".into(),
                    stopped: None,
                    started: None,
                    changed: None,
                    follow_up: None,
                },
                poh
            ))
            .unwrap();
            kernteam_store::audited!(db, testing::entry(), |ch| ch.save_version(
                Document::Pzp,
                patient,
                0,
                "{}",
                "PZP",
                poh,
                "POH"
            ))
            .unwrap();
            if db.care_plan_versions(patient).await.unwrap().is_empty() {
                kernteam_store::audited!(db, testing::entry(), |ch| ch
                    .save_care_plan(patient, 0, "{}", "Zorgplan", poh, "POH"))
                .unwrap();
            }

            let client = match role {
                Some(r) if r.is_portal() => {
                    let member = match r {
                        Role::Mantelzorger => {
                            let m = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
                                w.a1,
                                &NewTeamMember {
                                    kind: "mantelzorger".into(),
                                    name: "Actor Mantelzorger".into(),
                                    relation: Some("zoon".into()),
                                    ..Default::default()
                                },
                                w.poh_a,
                            ))
                            .unwrap();
                            let level = match rel {
                                Relation::Agreements => Some(ConsentLevel::Agreements),
                                Relation::AlsoPzp => Some(ConsentLevel::AlsoPzp),
                                _ => None,
                            };
                            if let Some(level) = level {
                                kernteam_store::audited!(db, testing::entry(), |ch| ch
                                    .set_consent(w.a1, m, level, w.poh_a))
                                .unwrap();
                            }
                            if rel == Relation::Representative {
                                let based_on = db
                                    .latest_version(Document::Pzp, w.a1)
                                    .await
                                    .unwrap()
                                    .map_or(0, |v| v.version);
                                let pzp = format!("{{\"representative_member\":{m}}}");
                                kernteam_store::audited!(db, testing::entry(), |ch| ch.save_version(
                                    Document::Pzp,
                                    w.a1,
                                    based_on,
                                    &pzp,
                                    "PZP",
                                    w.poh_a,
                                    "POH"
                                ))
                                .unwrap();
                            }
                            Some(m)
                        }
                        _ => None,
                    };
                    let code = common::portal::invitation(&db, w.a1, member, w.poh_a).await;
                    let c = common::portal::activate(&w.app, &code, &username).await;
                    user_id = Some(db.credentials(&username).await.unwrap().unwrap().user.id);
                    c
                }
                Some(_) => {
                    let mut c = Client::sign_in(&w.app, &username).await;
                    if c.csrf.is_empty() {
                        c.csrf = csrf_of_page(&c.get("/patienten").await.text());
                    }
                    c
                }
                None => Client::anonymous(&w.app),
            };
            let mut seen = audit_since(&db, 0).await.1;
            for (method, template) in &routes {
                let class = class_of(method, template).expect("classified");
                if class == Class::Public && method == "POST" {
                    continue; // signing in is tested elsewhere
                }
                if template == "/uitloggen" || template == "/portaal/account/beeindigen" {
                    continue; // would end the session for the rest of the routes
                }
                if template == "/account/tweestap/nieuw" && role.is_some_and(|r| r.is_portal()) {
                    continue; // with TOTP on (as portal accounts have it) this needs the current code
                }
                // Routes that end or change a membership get a member of their own, so that
                // one request cannot take away what the next one needs.
                let member = if template.contains("{member}")
                    || template.ends_with("/aanspreekpunt")
                    || template.ends_with("/first-contact")
                {
                    kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
                        patient,
                        &NewTeamMember {
                            kind: "professional".into(),
                            name: "Fenna Fysio".into(),
                            ..Default::default()
                        },
                        poh,
                    ))
                    .unwrap()
                } else {
                    member
                };
                // Blocking, unblocking and resetting an account get an account of their own
                // (the route that ends one may have run before them).
                let other_account = if template.starts_with("/patienten/{id}/portaal/accounts/{account}/")
                    && !template.ends_with("/beeindigen")
                {
                    portal_records(&db, patient, poh).await.1
                } else {
                    other_account
                };
                let path = template
                    .replace("{id}", &patient.to_string())
                    .replace("{member}", &member.to_string())
                    .replace("{meeting}", &meeting.to_string())
                    .replace("{event}", &event.to_string())
                    .replace(
                        "{record}",
                        &if template.contains("/consultaties/") {
                            consultation
                        } else if template.contains("/medicatiebeoordelingen/") {
                            review
                        } else {
                            event
                        }
                        .to_string(),
                    )
                    .replace("{version}", "1")
                    .replace("{practice}", &practice.to_string())
                    .replace("{conversation}", &conversation.to_string())
                    .replace("{visit}", &visit.to_string())
                    .replace("{practitioner}", &poh.to_string())
                    .replace("{handover}", &handover.to_string())
                    .replace("{invitation}", &invitation.to_string())
                    .replace("{account}", &other_account.to_string())
                    .replace("{proposal}", &proposal.to_string())
                    .replace("{thread}", &thread.to_string());
                let path = if path.starts_with("/beheer/gebruikers/") {
                    path.replacen(&patient.to_string(), &w.wvk_other.to_string(), 1)
                } else {
                    path
                };
                let (form, json) = body_for(template, member, patient);
                let resp = if template.starts_with("/api/") || template == "/fhir" {
                    client
                        .api(method, &path, (method != "GET" && method != "DELETE").then_some(json))
                        .await
                } else if method == "GET" {
                    client.get(&path).await
                } else {
                    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    client.post_form(&path, &fields).await
                };
                let want = expected(class, role, rel);
                let got = outcome(resp.status, resp.location());
                let (written, last) = audit_since(&db, seen).await;
                seen = last;
                checked += 1;
                let who = format!(
                    "{:<28} {:<13} {method:<6} {path:<48}",
                    role.map_or("anoniem", |r| r.code()),
                    format!("{rel:?}")
                );
                if got != Some(want) {
                    failures.push(format!("{who} expected {want}, got {}", resp.status));
                } else if let Some(problem) = audit_problem(
                    want,
                    method,
                    resp.status,
                    template,
                    patient,
                    user_id,
                    role.is_some_and(|r| r.is_portal()),
                    &written,
                ) {
                    failures.push(format!("{who} {}: {problem}; written: {written:?}", resp.status));
                }
            }
            scratch.finish().await;
        }
        assert!(
            failures.is_empty(),
            "{} of {checked} requests broke the access matrix on {:?}:\n{}",
            failures.len(),
            t.backend(),
            failures.join("\n")
        );
        eprintln!("access matrix on {:?}: {checked} requests as expected", t.backend());
        t.finish().await;
    }
}

/// An open invitation, another mantelzorger's portal account with a proposal, and a thread
/// shared with the portal, all of `patient`.
async fn portal_records(db: &kernteam_store::Db, patient: i64, poh: i64) -> (i64, i64, i64, i64) {
    use kernteam_domain::portal::{PortalKind, ProposalKind};
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let member = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
        patient,
        &NewTeamMember {
            kind: "mantelzorger".into(),
            name: "Mia Mantel".into(),
            relation: Some("buurvrouw".into()),
            ..Default::default()
        },
        poh,
    ))
    .unwrap();
    let invite = |hash: String| kernteam_store::portal::NewInvitation {
        patient_id: patient,
        kind: PortalKind::Mantelzorger,
        member_id: Some(member),
        code_hash: hash,
        created_by: poh,
        expires_at: "2099-01-01T00:00:00Z".into(),
        email: None,
        resets_user_id: None,
    };
    let open = kernteam_store::audited!(db, testing::entry(), |ch| ch
        .add_invitation(&invite(format!("open-{patient}-{n}"))))
    .unwrap();
    kernteam_store::audited!(db, testing::entry(), |ch| ch
        .add_invitation(&invite(format!("used-{patient}-{n}"))))
    .unwrap();
    let used = db
        .invitation_by_hash(&format!("used-{patient}-{n}"))
        .await
        .unwrap()
        .unwrap();
    let account = kernteam_store::audited!(db, testing::entry(), |ch| ch.activate_invitation(
        &used,
        &NewUser {
            username: format!("mia-{patient}-{n}"),
            display_name: "Mia Mantel".into(),
            role: Role::Mantelzorger,
            practice_id: None,
            organisation_id: None,
            password_hash: "x".into(),
            is_admin: false,
        }
    ))
    .unwrap();
    let proposal = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_proposal(
        patient,
        account,
        ProposalKind::Wish,
        "Thuis blijven"
    ))
    .unwrap();
    let thread =
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_thread(patient, "Vraag", false, poh)).unwrap();
    kernteam_store::audited!(db, testing::entry(), |ch| ch.add_message(thread, poh, "Hallo")).unwrap();
    (open, account, proposal, thread)
}

/// A new, empty database next to the test's own (same backend); it is removed when the
/// value is finished or dropped.
async fn fresh(t: &testing::TestDb) -> testing::TestDb {
    match t.backend() {
        kernteam_store::Backend::Sqlite => testing::sqlite().await,
        kernteam_store::Backend::Postgres => testing::postgres().await.expect("PostgreSQL for the test"),
    }
}

/// One record of the audit log, as far as the matrix checks it.
#[derive(Debug)]
struct Written {
    user_id: Option<i64>,
    patient_id: Option<i64>,
    action: String,
    outcome: Outcome,
}

/// The audit records after record `after` (an `audit_log` id), and the highest id now.
/// The records written since `after`, except the test's own set-up (re-creating what the
/// previous request removed is recorded as [`testing::entry`]).
async fn audit_since(db: &kernteam_store::Db, after: i64) -> (Vec<Written>, i64) {
    let set_up = testing::entry().action;
    let rows = sqlx::query(&format!(
        "SELECT id, user_id, patient_id, action, outcome FROM audit_log WHERE id > {after} ORDER BY id"
    ))
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut last = after;
    let written = rows
        .iter()
        .inspect(|r| last = r.try_get(0).unwrap())
        .filter(|r| r.try_get::<String, _>(3).unwrap() != set_up)
        .map(|r| Written {
            user_id: r.try_get(1).unwrap(),
            patient_id: r.try_get(2).unwrap(),
            action: r.try_get(3).unwrap(),
            outcome: Outcome::from_code(&r.try_get::<String, _>(4).unwrap()).unwrap(),
        })
        .collect();
    (written, last)
}

/// A route that names a patient (`{id}`; under `/beheer` it names an account).
fn names_patient(template: &str) -> bool {
    template.contains("{id}") && !template.starts_with("/beheer")
}

/// What is wrong with the audit records one request wrote, if anything. Not signed in:
/// none at all. For a route that names a patient: allowed, a read (or a change that went
/// through) is recorded for that patient and user and nothing is refused; refused (403 or
/// 404), a refusal ("toegang geweigerd", outcome refused) is recorded for the user — for
/// the patient itself unless the meeting in the path was what was refused — and no read or
/// change of the patient.
#[allow(clippy::too_many_arguments)]
fn audit_problem(
    want: Expect,
    method: &str,
    status: StatusCode,
    template: &str,
    patient: i64,
    user_id: Option<i64>,
    portal: bool,
    written: &[Written],
) -> Option<String> {
    if want == Expect::SignIn {
        return (!written.is_empty()).then(|| "a request that is not signed in wrote audit records".into());
    }
    if !names_patient(template) {
        return None;
    }
    let by_user = |w: &&Written| w.user_id == user_id && user_id.is_some();
    let refusals: Vec<&Written> = written
        .iter()
        .filter(by_user)
        .filter(|w| w.outcome == Outcome::Refused && w.action == "toegang geweigerd")
        .collect();
    let of_patient = written
        .iter()
        .filter(by_user)
        .any(|w| w.outcome == Outcome::Allowed && w.patient_id == Some(patient));
    match want {
        Expect::Ok => {
            if written.iter().any(|w| w.outcome == Outcome::Refused) {
                Some("an allowed request wrote a refusal".into())
            } else if (method == "GET" || status.as_u16() < 400) && !of_patient {
                Some(format!("no allowed record for patient {patient} by this user"))
            } else {
                None
            }
        }
        _ => {
            if refusals.is_empty() {
                Some("no refusal (outcome refused, 'toegang geweigerd') by this user".into())
            } else if !template.contains("{meeting}")
                && !portal
                && !refusals.iter().any(|w| w.patient_id == Some(patient))
            {
                // (A portal account is refused every staff route before any patient is
                // looked up: its refusal names the route, not a patient.)
                Some(format!("the refusal does not name patient {patient}"))
            } else if of_patient {
                Some("a refused request wrote an allowed record of the patient".into())
            } else {
                None
            }
        }
    }
}
