use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(kind: DecisionKind, on: &str, seq: i64) -> Decision {
    Decision {
        kind,
        decided_on: d(on),
        seq,
    }
}

#[test]
fn status_follows_the_latest_decision_on_or_before_the_date() {
    let ds = [
        dec(DecisionKind::Inclusion, "2027-01-10", 1),
        dec(DecisionKind::Exclusion, "2027-05-01", 2),
        dec(DecisionKind::Inclusion, "2027-09-01", 3),
    ];
    assert_eq!(status_on(&ds, d("2027-01-09")), ProgramStatus::NotAssessed);
    assert_eq!(status_on(&ds, d("2027-01-10")), ProgramStatus::Included);
    assert_eq!(status_on(&ds, d("2027-05-01")), ProgramStatus::Excluded);
    assert_eq!(status_on(&ds, d("2027-09-30")), ProgramStatus::Included);
    let same_day = [
        dec(DecisionKind::Inclusion, "2027-03-01", 1),
        dec(DecisionKind::Exclusion, "2027-03-01", 2),
    ];
    assert_eq!(status_on(&same_day, d("2027-03-01")), ProgramStatus::Excluded);
}

#[test]
fn normalising_drops_empty_rows_and_refuses_novels() {
    let plan = CarePlan {
        goals: vec!["  Zelfstandig thuis blijven wonen ".into(), " ".into()],
        actions: vec![CareAction {
            what: "".into(),
            who: "x".into(),
            due: None,
            status: ActionStatus::Gepland,
            ..Default::default()
        }],
        ..Default::default()
    };
    let n = plan.normalised().unwrap();
    assert_eq!(n.goals, [Goal::from("Zelfstandig thuis blijven wonen")]);
    assert!(n.actions.is_empty());
    let long = CarePlan {
        wishes: "a".repeat(MAX_TEXT + 1),
        ..Default::default()
    };
    assert!(long.normalised().is_err());
}

#[test]
fn changes_describe_what_happened() {
    let old = CarePlan {
        goals: vec!["Veilig lopen".into()],
        actions: vec![CareAction {
            what: "Valrisico bespreken".into(),
            who: "POH-O".into(),
            due: Some(d("2027-02-01")),
            status: ActionStatus::Gepland,
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut new = old.clone();
    new.goals.push("Blijven zingen in het koor".into());
    new.actions[0].status = ActionStatus::Afgerond;
    new.evaluation_date = Some(d("2027-06-01"));
    let changes = care_plan_changes(&old, &new);
    assert_eq!(
        changes,
        [
            "Doel toegevoegd: Blijven zingen in het koor",
            "Actie gewijzigd: Valrisico bespreken (status Gepland → Afgerond)",
            "Evaluatiedatum — → 01-06-2027",
        ]
    );
    assert!(care_plan_changes(&new, &new).is_empty());
}

#[test]
fn goals_read_from_plain_strings_and_from_objects() {
    let plan: CarePlan =
        serde_json::from_str(r#"{"goals": ["Veilig lopen", {"domain": "maatschappelijk", "text": "Buren zien"}]}"#)
            .unwrap();
    assert_eq!(
        plan.goals,
        [
            Goal::new(None, "Veilig lopen"),
            Goal::new(Some(CareDomain::Maatschappelijk), "Buren zien")
        ]
    );
    let again: CarePlan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(again, plan);
}

#[test]
fn an_action_moved_to_another_domain_is_a_change() {
    let action = CareAction {
        what: "Huisbezoek".into(),
        ..Default::default()
    };
    let old = CarePlan {
        actions: vec![action.clone()],
        ..Default::default()
    };
    let new = CarePlan {
        actions: vec![CareAction {
            domain: Some(CareDomain::Functioneel),
            ..action
        }],
        ..Default::default()
    };
    assert_eq!(
        care_plan_changes(&old, &new),
        ["Actie gewijzigd: Huisbezoek (domein — → Functioneel)"]
    );
}
