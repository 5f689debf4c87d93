//! Whom a meeting can invite by name — the accounts of the practice's clinicians and of the
//! network's professionals, the professionals on the care teams of the practice's patients,
//! and the care teams of the patients on the agenda — and inviting them.

use std::collections::HashSet;

use kernteam_domain::access::Scope;
use kernteam_domain::mdo::{discipline_of_role, validate_plan, InviteeInput, PlanInput};
use kernteam_store::program::{Invitee, NewInvitee};

use super::MdoMeeting;
use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{MdoOrganiser, PracticeStaff};
use crate::{today, App};

/// Someone a meeting can invite, as the forms offer them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteeChoice {
    /// How the form names the choice: `u<account>` or `t<care-team member>`.
    pub key: String,
    pub name: String,
    /// What they do, and for care-team members whose team they are on.
    pub role: Option<String>,
    pub discipline: Option<String>,
    pub user_id: Option<i64>,
    /// Where the choice comes from, for grouping: `praktijk`, `netwerk`, `zorgteam`.
    pub group: &'static str,
}

impl InviteeChoice {
    pub fn input(&self) -> InviteeInput {
        InviteeInput {
            name: self.name.clone(),
            role: self.role.clone(),
            discipline: self.discipline.clone(),
            user_id: self.user_id,
        }
    }
}

fn not_invited(choices: Vec<InviteeChoice>, invited: &[Invitee]) -> Vec<InviteeChoice> {
    let names: HashSet<String> = invited.iter().map(|i| i.name.to_lowercase()).collect();
    choices
        .into_iter()
        .filter(|c| !names.contains(&c.name.to_lowercase()))
        .collect()
}

impl App {
    /// Whom the practice's meetings can invite: the accounts of its clinicians, those of the
    /// network's professionals, and the professionals on its patients' care teams who have
    /// no account (each name once). No patient data.
    pub async fn mdo_invitee_choices(&self, staff: &PracticeStaff) -> Result<Vec<InviteeChoice>> {
        let practice = staff.practice_id();
        let mut out = Vec::new();
        let mut accounts: Vec<_> = self
            .db
            .users()
            .await?
            .into_iter()
            .filter(|u| u.active)
            .filter(|u| {
                (u.practice_id == Some(practice) && u.role.is_practice_clinician()) || u.role.scope() == Scope::Network
            })
            .collect();
        accounts.sort_by_key(|u| (u.role.scope() == Scope::Network, u.display_name.to_lowercase()));
        for u in &accounts {
            out.push(InviteeChoice {
                key: format!("u{}", u.id),
                name: u.display_name.clone(),
                role: Some(u.role.label().to_string()),
                discipline: discipline_of_role(u.role).map(str::to_string),
                user_id: Some(u.id),
                group: if u.role.scope() == Scope::Network {
                    "netwerk"
                } else {
                    "praktijk"
                },
            });
        }
        let with_account: HashSet<String> = out.iter().map(|c| c.name.to_lowercase()).collect();
        for p in self.db.practice_team_professionals(practice).await? {
            if p.user_id.is_some() || with_account.contains(&p.name.to_lowercase()) {
                continue;
            }
            out.push(InviteeChoice {
                key: format!("t{}", p.member_id),
                name: p.name,
                role: p.role,
                discipline: None,
                user_id: None,
                group: "zorgteam",
            });
        }
        Ok(out)
    }

    /// Whom this meeting can still invite: the practice's choices and the care teams of
    /// the patients on its agenda (already read for the page), less those invited.
    pub async fn mdo_meeting_invitee_choices(&self, m: &MdoMeeting) -> Result<Vec<InviteeChoice>> {
        let mut out = self.mdo_invitee_choices(&m.staff).await?;
        let names: HashSet<String> = out.iter().map(|c| c.name.to_lowercase()).collect();
        let mut seen = names;
        for item in self.db.agenda(m.meeting.id).await? {
            for t in self.db.team(item.patient_id).await? {
                if t.user_id.is_some() || !seen.insert(t.name.to_lowercase()) {
                    continue;
                }
                let what = if t.kind == "mantelzorger" {
                    Some(match &t.relation {
                        Some(r) => format!("mantelzorger, {r}"),
                        None => "mantelzorger".to_string(),
                    })
                } else {
                    t.role.clone()
                };
                out.push(InviteeChoice {
                    key: format!("t{}", t.id),
                    name: t.name,
                    role: what,
                    discipline: None,
                    user_id: None,
                    group: "zorgteam",
                });
            }
        }
        Ok(not_invited(out, &self.db.invitees(m.meeting.id).await?))
    }

    /// The meeting's invitees with their attendance (no patient data).
    pub async fn mdo_invitees(&self, m: &MdoMeeting) -> Result<Vec<Invitee>> {
        Ok(self.db.invitees(m.meeting.id).await?)
    }

    /// Invites more people to a meeting by name (the organisers: the practice's clinicians
    /// and its administrator). Every problem is listed; `Conflict` when someone is
    /// invited already. Returns the invitees as stored.
    pub async fn invite_to_mdo(&self, o: &MdoOrganiser, m: &MdoMeeting, list: &[InviteeInput]) -> Result<Vec<Invitee>> {
        if o.staff().practice_id() != m.meeting.practice_id {
            return Err(Error::NotFound);
        }
        // The plan's rules for names; the meeting's own date and level stand.
        let list = self.with_accounts(list).await?;
        let checked = validate_plan(
            &PlanInput {
                date: m.meeting.date.to_string(),
                level: m.meeting.level.clone(),
                invitees: list,
                ..Default::default()
            },
            m.meeting.date.min(today()),
        )
        .map_err(|e| {
            Error::Invalid(
                e.into_iter()
                    .map(|e| {
                        if e.starts_with("Nodig minstens") {
                            "Kies wie u wilt uitnodigen.".to_string()
                        } else {
                            e
                        }
                    })
                    .collect(),
            )
        })?;
        let rows = rows(&checked.invitees);
        let mut ch = self.db.change().await?;
        ch.invite(m.meeting.id, &rows).await?;
        ch.add_invited_disciplines(m.meeting.id, &checked.invited).await?;
        ch.commit(&[o.staff().actor().entry(
            None,
            Action::InviteToMdo,
            Some(format!(
                "{}: {}",
                m.label(),
                rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
            )),
        )])
        .await?;
        self.mdo_invitees(m).await
    }

    /// The invitees with what their accounts say: one with an account carries the
    /// account's name, and its role and discipline unless given.
    pub(super) async fn with_accounts(&self, list: &[InviteeInput]) -> Result<Vec<InviteeInput>> {
        let mut out = Vec::new();
        for i in list {
            let mut row = i.clone();
            if let Some(id) = i.user_id {
                let u = match self.db.user(id).await {
                    Ok(u) if u.active => u,
                    Ok(_) | Err(kernteam_store::StoreError::NotFound) => {
                        return Err(Error::Invalid(vec![format!("{}: onbekend account.", i.name.trim())]))
                    }
                    Err(e) => return Err(e.into()),
                };
                row.name = u.display_name.clone();
                row.role = row
                    .role
                    .filter(|r| !r.trim().is_empty())
                    .or_else(|| Some(u.role.label().to_string()));
                row.discipline = row
                    .discipline
                    .filter(|d| !d.trim().is_empty())
                    .or_else(|| discipline_of_role(u.role).map(str::to_string));
            }
            out.push(row);
        }
        Ok(out)
    }
}

/// Validated invitees as stored.
pub(super) fn rows(list: &[InviteeInput]) -> Vec<NewInvitee> {
    list.iter()
        .map(|i| NewInvitee {
            name: i.name.clone(),
            role: i.role.clone(),
            discipline: i.discipline.clone(),
            user_id: i.user_id,
        })
        .collect()
}
