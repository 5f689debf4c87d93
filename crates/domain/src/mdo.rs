//! The input rules of multidisciplinary meetings (MDO): planning a meeting, the reason a
//! patient is on its agenda, the attendance per discipline and the minutes, whose
//! decisions become planned actions of the patient's care plan. Every rule lists every
//! problem, in Dutch.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::care::{ActionStatus, CareAction, MAX_TEXT};
use crate::events::{discipline_label, MdoLevel, DISCIPLINES};

/// Longest reason for putting a patient on the agenda.
pub const MAX_REASON: usize = 500;
/// Longest name of an attendee.
pub const MAX_NAME: usize = 200;
/// Longest place or video link of a meeting.
pub const MAX_PLACE: usize = 500;

/// The discipline whose attendance a professional with an account counts for.
pub fn discipline_of_role(role: Role) -> Option<&'static str> {
    Some(match role {
        Role::Huisarts => "huisarts",
        Role::PohO => "poh_o",
        Role::VerpleegkundigSpecialist | Role::PhysicianAssistant => "verpleegkundig_specialist",
        Role::Wijkverpleegkundige => "wijkverpleging",
        Role::SpecialistOuderengeneeskunde => "specialist_ouderengeneeskunde",
        Role::CasemanagerDementie => "casemanager_dementie",
        Role::Apotheker => "apotheker",
        Role::SociaalWijkteam | Role::MaatschappelijkWerker => "sociaal_domein",
        _ => return None,
    })
}

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
    /// Codes of [`DISCIPLINES`]: disciplines invited without a name (those of the
    /// invitees are added).
    pub invited: Vec<String>,
    /// `uu:mm`, or empty.
    pub time: String,
    /// Where the meeting is held, or empty.
    pub place: String,
    /// The link of a video meeting (`https://…`), or empty.
    pub video_link: String,
    /// Who is invited by name.
    pub invitees: Vec<InviteeInput>,
}

/// Someone invited by name: a professional from a care team or with an account.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MdoInviteeInput))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteeInput {
    pub name: String,
    /// What they do ("Wijkverpleegkundige"), shown beside the name.
    pub role: Option<String>,
    /// The discipline (a code of the disciplines) their attendance counts for.
    pub discipline: Option<String>,
    /// Their account, when they have one.
    pub user_id: Option<i64>,
}

/// A meeting, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub date: NaiveDate,
    pub level: MdoLevel,
    /// The invited disciplines: those chosen and those of the invitees.
    pub invited: Vec<String>,
    /// `hh:mm`.
    pub time: Option<String>,
    pub place: Option<String>,
    pub video_link: Option<String>,
    pub invitees: Vec<InviteeInput>,
}

fn optional_text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A video link is a web address that starts with `https://`, without spaces.
fn valid_link(link: &str) -> bool {
    link.strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace))
}

/// The rules of a meeting: a real date from 2000 up to two years ahead (meetings held
/// earlier may be recorded afterwards), a level, a valid time if any, a bounded place, a
/// video link starting with `https://`, someone invited (by name or a discipline), each
/// invitee named once with a known discipline if any. Invited disciplines (those chosen
/// and those of the invitees) are kept in the order of [`DISCIPLINES`].
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
    let time = optional_text(&input.time);
    let time = match time.as_deref().map(|t| NaiveTime::parse_from_str(t, "%H:%M")) {
        None => None,
        Some(Ok(t)) => Some(t.format("%H:%M").to_string()),
        Some(Err(_)) => {
            errors.push("Tijd: vul een geldige tijd in (uu:mm).".to_string());
            None
        }
    };
    let place = optional_text(&input.place);
    if place.as_ref().is_some_and(|p| p.chars().count() > MAX_PLACE) {
        errors.push(format!("De plaats mag hoogstens {MAX_PLACE} tekens lang zijn."));
    }
    let video_link = optional_text(&input.video_link);
    if video_link
        .as_ref()
        .is_some_and(|l| !valid_link(l) || l.chars().count() > MAX_PLACE)
    {
        errors.push("De videolink moet een webadres zijn dat begint met https://.".to_string());
    }
    let mut invitees: Vec<InviteeInput> = Vec::new();
    for i in &input.invitees {
        let name = i.name.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > MAX_NAME {
            errors.push(format!("Een naam mag hoogstens {MAX_NAME} tekens lang zijn."));
            continue;
        }
        if invitees.iter().any(|j| j.name.to_lowercase() == name.to_lowercase()) {
            errors.push(format!("{name} staat twee keer bij de genodigden."));
            continue;
        }
        let discipline = i.discipline.as_deref().map(str::trim).filter(|d| !d.is_empty());
        if let Some(d) = discipline.filter(|d| !DISCIPLINES.iter().any(|(c, _)| c == d)) {
            errors.push(format!("Onbekende discipline '{d}'."));
            continue;
        }
        invitees.push(InviteeInput {
            name: name.to_string(),
            role: i.role.as_deref().and_then(optional_text),
            discipline: discipline.map(str::to_string),
            user_id: i.user_id,
        });
    }
    let mut chosen: HashSet<&str> = input
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
    if chosen.is_empty() && invitees.is_empty() {
        errors.push("Nodig minstens één persoon of discipline uit.".to_string());
    }
    chosen.extend(invitees.iter().filter_map(|i| i.discipline.as_deref()));
    let (Some(date), Some(level)) = (date, level) else {
        return Err(errors);
    };
    let invited: Vec<String> = DISCIPLINES
        .iter()
        .filter(|(c, _)| chosen.contains(c))
        .map(|(c, _)| c.to_string())
        .collect();
    unless_empty(errors, || NewMeeting {
        date,
        level,
        invited,
        time,
        place,
        video_link,
        invitees,
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

/// An invitee as ticked on the attendance form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteePresence<'a> {
    pub name: &'a str,
    pub discipline: Option<&'a str>,
    pub present: bool,
}

/// The attendance per discipline from the rows entered and the invitees ticked: a
/// discipline with an invitee present is present, named by the invitees present when no
/// name was entered; one whose invitees were all absent is recorded absent. In the order of
/// [`DISCIPLINES`], then unknown codes as entered (for the rules to refuse).
pub fn attendance_with_invitees(list: &[AttendanceInput], invitees: &[InviteePresence]) -> Vec<AttendanceInput> {
    let mut out: Vec<AttendanceInput> = Vec::new();
    for (code, _) in DISCIPLINES {
        let entered: Vec<&AttendanceInput> = list.iter().filter(|a| a.discipline.trim() == code).collect();
        let theirs: Vec<&InviteePresence> = invitees.iter().filter(|i| i.discipline == Some(code)).collect();
        if entered.is_empty() && theirs.is_empty() {
            continue;
        }
        let here: Vec<&str> = theirs.iter().filter(|i| i.present).map(|i| i.name).collect();
        let mut rows: Vec<AttendanceInput> = entered.into_iter().cloned().collect();
        if rows.is_empty() {
            rows.push(AttendanceInput {
                discipline: code.to_string(),
                ..Default::default()
            });
        }
        let first = &mut rows[0];
        first.present |= !here.is_empty();
        if first.name.as_deref().is_none_or(|n| n.trim().is_empty()) && !here.is_empty() {
            first.name = Some(here.join(", "));
        }
        out.extend(rows);
    }
    out.extend(
        list.iter()
            .filter(|a| !DISCIPLINES.iter().any(|(c, _)| *c == a.discipline.trim()))
            .cloned(),
    );
    out
}

/// The rules of attendance: known disciplines, each once, someone present (a discipline, or
/// an invitee without one: `others_present`), names and notes bounded. Returns the list and
/// the notes (empty notes: none).
pub fn validate_attendance(
    list: &[AttendanceInput],
    others_present: bool,
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
    if !others_present && !out.iter().any(|a| a.present) && errors.is_empty() {
        errors.push("Vink aan wie er aanwezig was (minstens één).".to_string());
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
    /// Who does it, as text; ignored when `member` is given.
    pub who: String,
    /// The care-team member who does it (`care_team` id): their name becomes `who`.
    pub member: Option<i64>,
    /// `jjjj-mm-dd`, or empty.
    pub due: Option<String>,
}

impl DecisionInput {
    pub fn is_empty(&self) -> bool {
        self.decision.trim().is_empty()
            && self.what.trim().is_empty()
            && self.who.trim().is_empty()
            && self.member.is_none()
            && self.due.as_deref().is_none_or(|d| d.trim().is_empty())
    }
}

/// A member of the patient's care team a decision's action can be given to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamChoice {
    /// `care_team` id.
    pub id: i64,
    pub name: String,
    /// What they do, shown beside the name (not part of the action's "who").
    pub role: Option<String>,
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
/// not empty has an action (what) and who does it (a member of the patient's care team,
/// `team`, or a name), a valid due date if any, bounded texts; an action's "what" is new to
/// the care plan (`existing`) and not repeated. The actions say which meeting they come
/// from (`meeting`). Returns the trimmed text and the decisions.
pub fn validate_minutes(
    input: &MinutesInput,
    existing: &[CareAction],
    team: &[TeamChoice],
    meeting: Option<i64>,
) -> Result<(String, Vec<Decided>), Vec<String>> {
    let mut errors = Vec::new();
    let minutes = input.minutes.trim().to_string();
    if minutes.chars().count() > MAX_TEXT {
        errors.push(format!("Het verslag mag hoogstens {MAX_TEXT} tekens lang zijn."));
    }
    let mut decided: Vec<Decided> = Vec::new();
    for (i, row) in input.decisions.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
        let n = i + 1;
        let (decision, what) = (row.decision.trim(), row.what.trim());
        let label = if what.is_empty() {
            format!("Besluit {n}")
        } else {
            format!("Actie '{what}'")
        };
        if what.is_empty() {
            errors.push(format!("Besluit {n}: vul de actie in (wat er gebeurt)."));
        }
        let member = row.member.map(|id| team.iter().find(|m| m.id == id));
        let who = match member {
            Some(Some(m)) => m.name.trim(),
            Some(None) => {
                errors.push(format!("{label}: kies wie het doet uit het zorgteam."));
                ""
            }
            None => {
                if row.who.trim().is_empty() {
                    errors.push(format!("{label}: vul in wie het doet."));
                }
                row.who.trim()
            }
        };
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
                member: member.flatten().map(|m| m.id),
                from_mdo: meeting,
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
mod tests;
