//! The input rules of multidisciplinary meetings (MDO): planning a meeting, the reason a
//! patient is on its agenda, the attendance per discipline and the minutes, whose
//! decisions become planned actions of the patient's care plan. Every rule lists every
//! problem, in Dutch.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::care::{ActionStatus, CareAction, MAX_TEXT};
use crate::events::{discipline_label, MdoLevel, DISCIPLINES};

/// Longest reason for putting a patient on the agenda.
pub const MAX_REASON: usize = 500;
/// Longest name of an attendee.
pub const MAX_NAME: usize = 200;

fn dutch_date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn unless_empty<T>(errors: Vec<String>, ok: impl FnOnce() -> T) -> Result<T, Vec<String>> {
    if errors.is_empty() {
        Ok(ok())
    } else {
        Err(errors)
    }
}

/// A meeting as entered.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MdoPlanInput))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanInput {
    /// `jjjj-mm-dd`.
    pub date: String,
    /// `praktijk` or `netwerk`.
    pub level: String,
    /// Codes of [`DISCIPLINES`].
    pub invited: Vec<String>,
}

/// A meeting, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub date: NaiveDate,
    pub level: MdoLevel,
    pub invited: Vec<String>,
}

/// The rules of a meeting: a real date from 2000 up to two years ahead (meetings held
/// earlier may be recorded afterwards), a level, at least one invited discipline, each
/// known. Invited disciplines are kept in the order of [`DISCIPLINES`].
pub fn validate_plan(input: &PlanInput, today: NaiveDate) -> Result<NewMeeting, Vec<String>> {
    let mut errors = Vec::new();
    let date = match NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d") {
        Ok(d) if d.year() < 2000 => {
            errors.push("De datum ligt vóór 2000; controleer het jaar.".to_string());
            None
        }
        Ok(d) if d > today + Duration::days(2 * 366) => {
            errors.push("De datum ligt meer dan twee jaar vooruit.".to_string());
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push("Datum: vul een geldige datum in.".to_string());
            None
        }
    };
    let level = MdoLevel::from_code(input.level.trim());
    if level.is_none() {
        errors.push("Kies of het een praktijk-MDO of een netwerk-MDO is.".to_string());
    }
    let chosen: HashSet<&str> = input
        .invited
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let mut unknown: Vec<&str> = chosen
        .iter()
        .copied()
        .filter(|code| !DISCIPLINES.iter().any(|(c, _)| c == code))
        .collect();
    unknown.sort_unstable();
    errors.extend(unknown.iter().map(|code| format!("Onbekende discipline '{code}'.")));
    if chosen.is_empty() {
        errors.push("Kies minstens één discipline om uit te nodigen.".to_string());
    }
    let (Some(date), Some(level)) = (date, level) else {
        return Err(errors);
    };
    unless_empty(errors, || NewMeeting {
        date,
        level,
        invited: DISCIPLINES
            .iter()
            .filter(|(c, _)| chosen.contains(c))
            .map(|(c, _)| c.to_string())
            .collect(),
    })
}

/// Attendance, agenda and minutes are recorded from the meeting's day on.
pub fn not_before_the_meeting(meeting: NaiveDate, today: NaiveDate, what: &str) -> Result<(), Vec<String>> {
    if meeting > today {
        return Err(vec![format!(
            "Dit MDO is nog niet geweest (gepland op {}); {what} kan vanaf die dag worden vastgelegd.",
            dutch_date(meeting)
        )]);
    }
    Ok(())
}

/// The reason a patient is discussed: required, bounded. Returns it trimmed.
pub fn validate_reason(reason: &str) -> Result<String, Vec<String>> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(vec!["Vul de reden in waarom de patiënt besproken wordt.".to_string()])
    } else if reason.chars().count() > MAX_REASON {
        Err(vec![format!("De reden mag hoogstens {MAX_REASON} tekens lang zijn.")])
    } else {
        Ok(reason.to_string())
    }
}

/// Attendance of one discipline as entered.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MdoAttendanceRow))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttendanceInput {
    pub discipline: String,
    pub present: bool,
    pub name: Option<String>,
}

/// Attendance of one discipline, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attended {
    pub discipline: String,
    pub present: bool,
    pub name: Option<String>,
}

/// The rules of attendance: known disciplines, each once, at least one present, names and
/// notes bounded. Returns the list and the notes (empty notes: none).
pub fn validate_attendance(
    list: &[AttendanceInput],
    notes: Option<String>,
) -> Result<(Vec<Attended>, Option<String>), Vec<String>> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for a in list {
        let code = a.discipline.trim();
        if !DISCIPLINES.iter().any(|(c, _)| *c == code) {
            errors.push(format!("Onbekende discipline '{code}'."));
            continue;
        }
        if !seen.insert(code.to_string()) {
            errors.push(format!("{} staat twee keer in de lijst.", discipline_label(code)));
            continue;
        }
        let name = a
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME) {
            errors.push(format!(
                "De naam bij {} mag hoogstens {MAX_NAME} tekens lang zijn.",
                discipline_label(code)
            ));
        }
        out.push(Attended {
            discipline: code.to_string(),
            present: a.present,
            name,
        });
    }
    if !out.iter().any(|a| a.present) && errors.is_empty() {
        errors.push("Vink minstens één aanwezige discipline aan.".to_string());
    }
    let notes = notes.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_TEXT) {
        errors.push(format!("De aantekeningen mogen hoogstens {MAX_TEXT} tekens lang zijn."));
    }
    unless_empty(errors, || (out, notes))
}

/// One decision row of the minutes: the decision and the action that follows from it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MdoDecisionInput))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub decision: String,
    pub what: String,
    pub who: String,
    /// `jjjj-mm-dd`, or empty.
    pub due: Option<String>,
}

impl DecisionInput {
    pub fn is_empty(&self) -> bool {
        self.decision.trim().is_empty()
            && self.what.trim().is_empty()
            && self.who.trim().is_empty()
            && self.due.as_deref().is_none_or(|d| d.trim().is_empty())
    }
}

/// The minutes of one patient's discussion as entered.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MdoMinutesInput))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MinutesInput {
    pub minutes: String,
    pub decisions: Vec<DecisionInput>,
}

/// A decision, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub decision: String,
    pub action: CareAction,
}

/// The minutes as stored: the text, then the decisions with their actions.
pub fn minutes_text(minutes: &str, decided: &[Decided]) -> String {
    let mut out = minutes.trim().to_string();
    if !decided.is_empty() {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str("Besluiten:");
        for d in decided {
            out.push_str("\n- ");
            if !d.decision.is_empty() {
                out.push_str(&d.decision);
                out.push_str(" → ");
            }
            out.push_str(&d.action.what);
            let mut extra = vec![d.action.who.clone()];
            if let Some(due) = d.action.due {
                extra.push(format!("vóór {}", dutch_date(due)));
            }
            out.push_str(&format!(" ({})", extra.join(", ")));
        }
    }
    out
}

/// The rules of minutes: some text or at least one decision; every decision row that is
/// not empty has an action (what) and who does it, a valid due date if any, bounded texts;
/// an action's "what" is new to the care plan (`existing`) and not repeated. Returns the
/// trimmed text and the decisions.
pub fn validate_minutes(input: &MinutesInput, existing: &[CareAction]) -> Result<(String, Vec<Decided>), Vec<String>> {
    let mut errors = Vec::new();
    let minutes = input.minutes.trim().to_string();
    if minutes.chars().count() > MAX_TEXT {
        errors.push(format!("Het verslag mag hoogstens {MAX_TEXT} tekens lang zijn."));
    }
    let mut decided: Vec<Decided> = Vec::new();
    for (i, row) in input.decisions.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
        let n = i + 1;
        let (decision, what, who) = (row.decision.trim(), row.what.trim(), row.who.trim());
        let label = if what.is_empty() {
            format!("Besluit {n}")
        } else {
            format!("Actie '{what}'")
        };
        if what.is_empty() {
            errors.push(format!("Besluit {n}: vul de actie in (wat er gebeurt)."));
        }
        if who.is_empty() {
            errors.push(format!("{label}: vul in wie het doet."));
        }
        if [decision, what, who].iter().any(|t| t.chars().count() > MAX_TEXT) {
            errors.push(format!("{label}: een tekst is langer dan {MAX_TEXT} tekens."));
        }
        let due = match row.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(format!("{label}: '{d}' is geen geldige datum."));
                    None
                }
            },
        };
        if !what.is_empty() {
            if existing.iter().any(|a| a.what == what) {
                errors.push(format!(
                    "{label}: er staat al een actie met deze omschrijving in het zorgplan; omschrijf de nieuwe actie anders."
                ));
            } else if decided.iter().any(|d| d.action.what == what) {
                errors.push(format!("{label} staat twee keer in de besluiten."));
            }
        }
        decided.push(Decided {
            decision: decision.to_string(),
            action: CareAction {
                what: what.to_string(),
                who: who.to_string(),
                due,
                status: ActionStatus::Gepland,
                ..Default::default()
            },
        });
    }
    if minutes.is_empty() && decided.is_empty() {
        errors.push("Vul het verslag in of leg minstens één besluit vast.".to_string());
    }
    unless_empty(errors, || (minutes, decided))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ok_input() -> PlanInput {
        PlanInput {
            date: "2027-03-08".into(),
            level: "praktijk".into(),
            invited: vec!["huisarts".into()],
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
            validate_attendance(&[a("huisarts", false)], None).unwrap_err(),
            ["Vink minstens één aanwezige discipline aan."]
        );
        assert_eq!(
            validate_attendance(&[a("tandarts", true), a("huisarts", true), a("huisarts", true)], None).unwrap_err(),
            [
                "Onbekende discipline 'tandarts'.",
                "Huisarts staat twee keer in de lijst."
            ]
        );
        let (list, notes) = validate_attendance(&[a("huisarts", true)], Some("  ".into())).unwrap();
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
            validate_minutes(&input, &existing).unwrap_err(),
            [
                "Besluit 1: vul de actie in (wat er gebeurt).",
                "Besluit 1: vul in wie het doet.",
                "Actie 'Huisbezoek': 'morgen' is geen geldige datum.",
                "Actie 'Huisbezoek': er staat al een actie met deze omschrijving in het zorgplan; omschrijf de nieuwe actie anders.",
            ]
        );
        assert_eq!(
            validate_minutes(&MinutesInput::default(), &existing).unwrap_err(),
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
            }],
        };
        let (minutes, decided) = validate_minutes(&input, &[]).unwrap();
        assert_eq!(decided[0].action.status, ActionStatus::Gepland);
        assert_eq!(decided[0].action.due, Some(d("2027-03-15")));
        assert_eq!(
            minutes_text(&minutes, &decided),
            "Besproken: valt vaker.\n\nBesluiten:\n- Valpreventie → Fysiotherapie aanvragen (Huisarts, vóór 15-03-2027)"
        );
    }
}
