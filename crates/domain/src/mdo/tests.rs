//! The MDO rules, case by case.

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ok_input() -> PlanInput {
    PlanInput {
        date: "2027-03-08".into(),
        level: "praktijk".into(),
        invited: vec!["huisarts".into()],
        ..Default::default()
    }
}

#[test]
fn a_plan_lists_every_problem_and_keeps_the_discipline_order() {
    let today = d("2027-03-01");
    let list = validate_plan(
        &PlanInput {
            date: "2027-02-30".into(),
            level: "wijk".into(),
            invited: vec!["tandarts".into()],
            ..Default::default()
        },
        today,
    )
    .unwrap_err();
    assert_eq!(
        list,
        [
            "Datum: vul een geldige datum in.",
            "Kies of het een praktijk-MDO of een netwerk-MDO is.",
            "Onbekende discipline 'tandarts'.",
        ]
    );
    let ok = validate_plan(
        &PlanInput {
            date: "2027-03-08".into(),
            level: "netwerk".into(),
            invited: vec!["apotheker".into(), "huisarts".into(), " ".into()],
            ..Default::default()
        },
        today,
    )
    .unwrap();
    assert_eq!(ok.level, MdoLevel::Network);
    assert_eq!(ok.invited, ["huisarts", "apotheker"]);
    assert!(validate_plan(
        &PlanInput {
            invited: vec![],
            ..ok_input()
        },
        today
    )
    .is_err());
    assert_eq!(
        validate_plan(
            &PlanInput {
                date: "2030-01-01".into(),
                ..ok_input()
            },
            today
        )
        .unwrap_err(),
        ["De datum ligt meer dan twee jaar vooruit."]
    );
}

#[test]
fn a_reason_is_required_and_bounded() {
    assert_eq!(validate_reason("  Valt vaker ").unwrap(), "Valt vaker");
    assert!(validate_reason(" ").is_err());
    assert!(validate_reason(&"x".repeat(MAX_REASON + 1)).is_err());
}

#[test]
fn attendance_needs_someone_present_and_known_disciplines_once() {
    let a = |code: &str, present| AttendanceInput {
        discipline: code.into(),
        present,
        name: Some(" ".into()),
    };
    assert_eq!(
        validate_attendance(&[a("huisarts", false)], false, None).unwrap_err(),
        ["Vink aan wie er aanwezig was (minstens één)."]
    );
    assert!(validate_attendance(&[a("huisarts", false)], true, None).is_ok());
    assert_eq!(
        validate_attendance(
            &[a("tandarts", true), a("huisarts", true), a("huisarts", true)],
            false,
            None
        )
        .unwrap_err(),
        [
            "Onbekende discipline 'tandarts'.",
            "Huisarts staat twee keer in de lijst."
        ]
    );
    let (list, notes) = validate_attendance(&[a("huisarts", true)], false, Some("  ".into())).unwrap();
    assert_eq!(list[0].name, None);
    assert_eq!(notes, None);
}

#[test]
fn nothing_is_recorded_before_the_meeting_day() {
    let e = not_before_the_meeting(d("2027-03-08"), d("2027-03-07"), "het verslag").unwrap_err();
    assert!(e[0].starts_with("Dit MDO is nog niet geweest (gepland op 08-03-2027)"));
    assert!(not_before_the_meeting(d("2027-03-08"), d("2027-03-08"), "het verslag").is_ok());
}

#[test]
fn minutes_need_an_action_and_someone_for_every_decision() {
    let existing = vec![CareAction {
        what: "Huisbezoek".into(),
        who: "POH-O".into(),
        due: None,
        status: ActionStatus::Gepland,
        ..Default::default()
    }];
    let input = MinutesInput {
        minutes: String::new(),
        decisions: vec![
            DecisionInput {
                decision: "Valrisico verkleinen".into(),
                ..Default::default()
            },
            DecisionInput::default(),
            DecisionInput {
                what: "Huisbezoek".into(),
                who: "Wijkverpleging".into(),
                due: Some("morgen".into()),
                ..Default::default()
            },
        ],
    };
    assert_eq!(
        validate_minutes(&input, &existing, &[], None).unwrap_err(),
        [
            "Besluit 1: vul de actie in (wat er gebeurt).",
            "Besluit 1: vul in wie het doet.",
            "Actie 'Huisbezoek': 'morgen' is geen geldige datum.",
            "Actie 'Huisbezoek': er staat al een actie met deze omschrijving in het zorgplan; omschrijf de nieuwe actie anders.",
        ]
    );
    assert_eq!(
        validate_minutes(&MinutesInput::default(), &existing, &[], None).unwrap_err(),
        ["Vul het verslag in of leg minstens één besluit vast."]
    );
}

#[test]
fn decisions_become_planned_actions_and_a_line_in_the_minutes() {
    let input = MinutesInput {
        minutes: " Besproken: valt vaker. ".into(),
        decisions: vec![DecisionInput {
            decision: "Valpreventie".into(),
            what: "Fysiotherapie aanvragen".into(),
            who: "Huisarts".into(),
            due: Some("2027-03-15".into()),
            ..Default::default()
        }],
    };
    let (minutes, decided) = validate_minutes(&input, &[], &[], None).unwrap();
    assert_eq!(decided[0].action.status, ActionStatus::Gepland);
    assert_eq!(decided[0].action.due, Some(d("2027-03-15")));
    assert_eq!(
        minutes_text(&minutes, &decided),
        "Besproken: valt vaker.\n\nBesluiten:\n- Valpreventie → Fysiotherapie aanvragen (Huisarts, vóór 15-03-2027)"
    );
}

#[test]
fn a_plan_has_a_time_a_place_or_link_and_invitees_by_name() {
    let today = d("2027-03-01");
    let invitee = |name: &str, discipline: Option<&str>| InviteeInput {
        name: name.into(),
        role: Some(" Wijkverpleegkundige ".into()),
        discipline: discipline.map(str::to_string),
        user_id: None,
    };
    let ok = validate_plan(
        &PlanInput {
            invited: vec![],
            time: "9:30".into(),
            place: " Praktijk, spreekkamer 2 ".into(),
            video_link: "https://meet.example.nl/mdo-12".into(),
            invitees: vec![invitee("Wim de Wijk", Some("wijkverpleging")), invitee(" ", None)],
            ..ok_input()
        },
        today,
    )
    .unwrap();
    assert_eq!(ok.time.as_deref(), Some("09:30"));
    assert_eq!(ok.place.as_deref(), Some("Praktijk, spreekkamer 2"));
    assert_eq!(ok.invited, ["wijkverpleging"], "the invitees' disciplines are invited");
    assert_eq!(ok.invitees.len(), 1);
    assert_eq!(ok.invitees[0].role.as_deref(), Some("Wijkverpleegkundige"));
    assert_eq!(
        validate_plan(
            &PlanInput {
                invited: vec![],
                time: "25:00".into(),
                video_link: "meet.example.nl".into(),
                invitees: vec![
                    invitee("Wim", Some("tandarts")),
                    invitee("Fysio", None),
                    invitee("fysio", None)
                ],
                ..ok_input()
            },
            today
        )
        .unwrap_err(),
        [
            "Tijd: vul een geldige tijd in (uu:mm).",
            "De videolink moet een webadres zijn dat begint met https://.",
            "Onbekende discipline 'tandarts'.",
            "fysio staat twee keer bij de genodigden.",
        ]
    );
    assert_eq!(
        validate_plan(
            &PlanInput {
                invited: vec![],
                ..ok_input()
            },
            today
        )
        .unwrap_err(),
        ["Nodig minstens één persoon of discipline uit."]
    );
    assert_eq!(discipline_of_role(Role::Wijkverpleegkundige), Some("wijkverpleging"));
    assert_eq!(discipline_of_role(Role::Praktijkmanager), None);
}

#[test]
fn invitees_ticked_present_make_their_discipline_present() {
    let entered = vec![AttendanceInput {
        discipline: "apotheker".into(),
        present: true,
        name: Some("Apotheek Centrum".into()),
    }];
    let ticked = [
        InviteePresence {
            name: "Dr. Jekerdal",
            discipline: Some("huisarts"),
            present: true,
        },
        InviteePresence {
            name: "Wim de Wijk",
            discipline: Some("wijkverpleging"),
            present: false,
        },
        InviteePresence {
            name: "Fysio Fit",
            discipline: None,
            present: true,
        },
    ];
    let merged = attendance_with_invitees(&entered, &ticked);
    let seen: Vec<_> = merged
        .iter()
        .map(|a| (a.discipline.as_str(), a.present, a.name.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("huisarts", true, Some("Dr. Jekerdal")),
            ("wijkverpleging", false, None),
            ("apotheker", true, Some("Apotheek Centrum")),
        ]
    );
}

#[test]
fn a_decision_given_to_a_care_team_member_names_them_and_its_meeting() {
    let team = [TeamChoice {
        id: 4,
        name: "Wim de Wijk".into(),
        role: None,
    }];
    let row = |member| DecisionInput {
        what: "Valrisico thuis beoordelen".into(),
        who: "genegeerd".into(),
        member: Some(member),
        due: Some("2027-03-15".into()),
        ..Default::default()
    };
    let input = MinutesInput {
        minutes: String::new(),
        decisions: vec![row(4)],
    };
    let (_, decided) = validate_minutes(&input, &[], &team, Some(12)).unwrap();
    let a = &decided[0].action;
    assert_eq!(
        (a.who.as_str(), a.member, a.from_mdo),
        ("Wim de Wijk", Some(4), Some(12))
    );
    let input = MinutesInput {
        minutes: String::new(),
        decisions: vec![row(5)],
    };
    assert_eq!(
        validate_minutes(&input, &[], &team, Some(12)).unwrap_err(),
        ["Actie 'Valrisico thuis beoordelen': kies wie het doet uit het zorgteam."]
    );
}
