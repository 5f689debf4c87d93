//! The portal's use cases: inviting a patient or mantelzorger (a one-time code on a
//! printed letter), activating the invitation, ending accounts, the patient's consent per
//! mantelzorger, what the portal shows (only through a [`PortalUser`] for that part), and
//! the contributions from the patient's side.

use chrono::NaiveDate;
use kernteam_domain::care::{ActionStatus, CareAction, CarePlan};
use kernteam_domain::portal::{
    self, check_text, code_from_bytes, invitation_usable, normalise_code, CarerLoad, ConsentLevel, InvitationProblem,
    PortalKind, ProposalKind, CODE_LEN,
};
use kernteam_domain::pzp::AdvanceCarePlan;
use kernteam_store::care::{AuditEntry, TeamMember};
use kernteam_store::people::{NewUser, User};
use kernteam_store::portal::{Consent, Invitation, NewInvitation, PortalAccount};
use kernteam_store::portal_contributions::{CarerReport, Proposal};
use kernteam_store::program::Document;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Contributor, PortalInviter, Visible};
use crate::portal_gate::{PortalPart, PortalUser};
use crate::{today, App};

/// A new invitation, with its code (shown once, on the letter; only its hash is kept).
#[derive(Debug, Clone)]
pub struct NewCode {
    pub invitation_id: i64,
    pub code: String,
    pub kind: PortalKind,
    /// Whom the letter is for: the patient's or the mantelzorger's name.
    pub name: String,
    pub valid_until: NaiveDate,
}

/// The hash an invitation's code is kept as.
pub fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("kernteam-portal|{}", normalise_code(code)).as_bytes(),
    ))
}

/// What the staff see of a patient's portal.
#[derive(Debug, Clone, Default)]
pub struct PortalOverview {
    pub accounts: Vec<PortalAccount>,
    pub invitations: Vec<Invitation>,
    /// The mantelzorgers on the team, each with the patient's current choice.
    pub carers: Vec<(TeamMember, ConsentLevel)>,
    pub consent_history: Vec<Consent>,
    pub proposals: Vec<Proposal>,
    pub carer_reports: Vec<CarerReport>,
    /// The mantelzorger the current PZP names as legal representative (acts for the patient).
    pub representative_member: Option<i64>,
    /// The accounts with an e-mail address.
    pub emails: Vec<i64>,
}

/// What the portal shows of the plan (the agreements).
#[derive(Debug, Clone, Default)]
pub struct PortalPlan {
    pub version: i64,
    pub saved_at: Option<String>,
    pub plan: CarePlan,
    pub first_contact: Option<TeamMember>,
    pub team: Vec<TeamMember>,
    /// Upcoming contacts: (date, what), soonest first.
    pub upcoming: Vec<(NaiveDate, String)>,
}

/// How to reach the practice, for every portal page ("not for urgent questions").
#[derive(Debug, Clone, Default)]
pub struct PortalFrame {
    pub patient_name: String,
    pub practice: String,
    pub practice_phone: String,
    pub practice_address: String,
    pub unread: i64,
}

/// An account as entered at activation.
#[derive(Debug, Clone)]
pub struct Activation {
    pub code: String,
    pub username: String,
    pub password_hash: String,
}

impl App {
    // --- Staff: invitations and accounts -------------------------------------------------

    /// Makes an invitation for the patient (`member_id` `None`) or one of their
    /// mantelzorgers (their care-team record); the code is returned once. `email`, when
    /// given, becomes the account's address (for sign-in by e-mailed code).
    pub async fn invite_to_portal(
        &self,
        i: &PortalInviter,
        member_id: Option<i64>,
        email: Option<&str>,
    ) -> Result<NewCode> {
        let patient = i.patient();
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if email.is_some_and(|e| !crate::mail::valid_address(e)) {
            return Err(Error::invalid("Vul een geldig e-mailadres in, of laat het leeg."));
        }
        if !self.in_programme(patient.id).await? {
            return Err(Error::invalid("De patiënt doet niet (meer) mee aan het programma."));
        }
        let (kind, name) = match member_id {
            None => (
                PortalKind::Patient,
                self.db
                    .current_person(patient)
                    .await?
                    .1
                    .map_or_else(|| patient.his_id.clone(), |p| p.name()),
            ),
            Some(m) => {
                let member = self
                    .db
                    .team(patient.id)
                    .await?
                    .into_iter()
                    .find(|t| t.id == m && t.kind == "mantelzorger")
                    .ok_or_else(|| Error::invalid("Kies een mantelzorger uit het zorgteam."))?;
                (PortalKind::Mantelzorger, member.name)
            }
        };
        let mut bytes = [0u8; CODE_LEN];
        rand::rng().fill_bytes(&mut bytes);
        let code = code_from_bytes(&bytes);
        let now = chrono::Utc::now();
        let expires = now + portal::INVITATION_VALID;
        let mut ch = self.db.change().await?;
        let id = ch
            .add_invitation(&NewInvitation {
                patient_id: patient.id,
                kind,
                member_id,
                code_hash: code_hash(&code),
                created_by: i.actor().user().id,
                expires_at: expires.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                email: email.map(str::to_string),
                resets_user_id: None,
            })
            .await?;
        ch.commit(&[i
            .actor()
            .entry(Some(patient), Action::InviteToPortal, Some(kind.code().to_string()))])
            .await?;
        Ok(NewCode {
            invitation_id: id,
            code,
            kind,
            name,
            valid_until: expires.with_timezone(&chrono::Local).date_naive(),
        })
    }

    pub async fn withdraw_portal_invitation(&self, i: &PortalInviter, invitation_id: i64) -> Result<()> {
        let mut ch = self.db.change().await?;
        ch.withdraw_invitation(invitation_id, i.patient().id, i.actor().user().id)
            .await?;
        ch.commit(&[i.actor().entry(
            Some(i.patient()),
            Action::WithdrawPortalInvitation,
            Some(invitation_id.to_string()),
        )])
        .await?;
        Ok(())
    }

    /// The practice ends one of the patient's accounts.
    pub async fn end_portal_account_by_practice(&self, i: &PortalInviter, user_id: i64) -> Result<()> {
        let mut ch = self.db.change().await?;
        ch.end_portal_account(user_id, i.patient().id, i.actor().user().id, "door de praktijk")
            .await?;
        ch.commit(&[i.actor().entry(
            Some(i.patient()),
            Action::EndPortalAccount,
            Some(format!("account {user_id}")),
        )])
        .await?;
        Ok(())
    }

    /// The patient's portal as the staff see it (the read is the token's).
    pub async fn portal_overview(&self, v: &Visible) -> Result<PortalOverview> {
        let p = v.patient().id;
        let mut carers = Vec::new();
        for m in self.db.team(p).await?.into_iter().filter(|m| m.kind == "mantelzorger") {
            let c = self.db.consent(m.id).await?;
            carers.push((m, c));
        }
        let accounts = self.db.portal_accounts(p).await?;
        let mut emails = Vec::new();
        for a in &accounts {
            if self.db.user_email(a.user_id).await?.is_some() {
                emails.push(a.user_id);
            }
        }
        let pzp = self.db.latest_version(Document::Pzp, p).await?;
        Ok(PortalOverview {
            representative_member: crate::pzp::current_of(pzp.as_slice())?.1.representative_member,
            emails,
            accounts,
            invitations: self.db.invitations(p).await?,
            carers,
            consent_history: self.db.consent_history(p).await?,
            proposals: self.db.proposals(p, false).await?,
            carer_reports: self.db.carer_reports(p).await?,
        })
    }

    /// The open proposals, for the care plan's editor (shown beside the form).
    pub async fn open_proposals(&self, v: &Visible) -> Result<Vec<Proposal>> {
        Ok(self.db.proposals(v.patient().id, true).await?)
    }

    /// Marks a proposal as taken into the care plan (or set aside).
    pub async fn take_proposal(&self, c: &Contributor, proposal_id: i64) -> Result<()> {
        let mut ch = self.db.change().await?;
        ch.take_proposal(proposal_id, c.patient().id, c.actor().user().id)
            .await?;
        ch.commit(&[c
            .actor()
            .entry(Some(c.patient()), Action::TakeProposal, Some(proposal_id.to_string()))])
            .await?;
        Ok(())
    }

    // --- Activation (no one signed in yet) ------------------------------------------------

    /// Turns a code into an account. Every refusal is audited (without the code) and
    /// answers the same `Invalid`, whatever the reason.
    pub async fn activate_portal(&self, a: &Activation, ip: Option<String>) -> Result<User> {
        let refused = || {
            Error::invalid(
                "Deze code kunnen we niet gebruiken. Controleer de code op uw brief. Werkt het niet? Bel de praktijk.",
            )
        };
        let audit = |detail: String, outcome| AuditEntry {
            username: a.username.chars().filter(|c| !c.is_control()).take(100).collect(),
            role: String::new(),
            action: Action::ActivatePortalAccount.label().into(),
            detail: Some(detail),
            ip: ip.clone(),
            outcome,
            ..Default::default()
        };
        let invitation = self.db.invitation_by_hash(&code_hash(&a.code)).await?;
        let problem = match &invitation {
            None => Some(InvitationProblem::Unknown),
            Some(i) => {
                let created = chrono::DateTime::parse_from_rfc3339(&i.created_at)
                    .map_err(|e| Error::Internal(e.into()))?
                    .naive_utc();
                invitation_usable(
                    created,
                    chrono::Utc::now().naive_utc(),
                    i.withdrawn_at.is_some(),
                    i.used_at.is_some(),
                )
                .err()
            }
        };
        let (Some(invitation), None) = (invitation, problem) else {
            let why = problem.unwrap_or(InvitationProblem::Unknown).audit_detail();
            self.record(&audit(why.to_string(), kernteam_store::audit::Outcome::Refused))
                .await?;
            return Err(refused());
        };
        if !self.in_programme(invitation.patient_id).await? {
            self.record(&audit(
                "patiënt niet meer in het programma".into(),
                kernteam_store::audit::Outcome::Refused,
            ))
            .await?;
            return Err(refused());
        }
        if let Some(uid) = invitation.resets_user_id {
            if self.db.portal_account(uid).await?.is_none_or(|a| a.ended_at.is_some()) {
                self.record(&audit(
                    "account beëindigd".into(),
                    kernteam_store::audit::Outcome::Refused,
                ))
                .await?;
                return Err(refused());
            }
        }
        let patient = self.db.patient(invitation.patient_id).await?;
        let name = match invitation.member_id {
            Some(m) => self
                .db
                .team(patient.id)
                .await?
                .into_iter()
                .find(|t| t.id == m)
                .map(|t| t.name)
                .ok_or_else(refused)?,
            None => self
                .db
                .current_person(&patient)
                .await?
                .1
                .map_or_else(|| patient.his_id.clone(), |p| p.name()),
        };
        let new = NewUser {
            username: a.username.trim().to_string(),
            display_name: name,
            role: invitation.kind.role(),
            practice_id: None,
            organisation_id: None,
            password_hash: a.password_hash.clone(),
            is_admin: false,
        };
        let mut ch = self.db.change().await?;
        // A letter after a reset re-opens the account it names; any other makes one.
        let (user_id, action) = match invitation.resets_user_id {
            Some(_) => (
                ch.reopen_portal_account(&invitation, &new.username, &new.password_hash)
                    .await?,
                Action::ReopenPortalAccount,
            ),
            None => (
                ch.activate_invitation(&invitation, &new).await?,
                Action::ActivatePortalAccount,
            ),
        };
        let entry = AuditEntry {
            user_id: Some(user_id),
            username: new.username.clone(),
            role: new.role.code().into(),
            practice_id: Some(patient.practice_id),
            patient_id: Some(patient.id),
            action: action.label().into(),
            detail: Some(format!("uitnodiging {}", invitation.id)),
            ..audit(String::new(), kernteam_store::audit::Outcome::Allowed)
        };
        ch.commit(&[entry]).await?;
        Ok(self.db.user(user_id).await?)
    }

    // --- The portal user's own view --------------------------------------------------------

    /// The frame of every portal page: whose view, how to reach the practice, unread.
    pub async fn portal_frame(&self, u: &PortalUser) -> Result<PortalFrame> {
        let p = u.patient();
        let contact = self.db.practice_contact(p.practice_id).await?;
        let unread = if u.may(PortalPart::Messages) {
            self.db.unread_messages(p.id, u.actor().user().id, false).await?
        } else {
            0
        };
        // A mantelzorger without the patient's consent is not even told the name the HIS has.
        let patient_name = if u.may(PortalPart::Agreements) {
            self.db
                .current_person(p)
                .await?
                .1
                .map_or_else(|| "de patiënt".to_string(), |x| x.name())
        } else {
            "de patiënt".to_string()
        };
        Ok(PortalFrame {
            patient_name,
            practice: self.db.practice(p.practice_id).await?.name,
            practice_phone: contact.phone.unwrap_or_default(),
            practice_address: [contact.address, contact.city]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            unread,
        })
    }

    /// The agreements: the plan's goals and actions, the first point of contact, the
    /// team, the upcoming contacts. `NotFound` unless the token admits to them.
    pub async fn portal_plan(&self, u: &PortalUser) -> Result<PortalPlan> {
        if !u.may(PortalPart::Agreements) {
            return Err(Error::NotFound);
        }
        let p = u.patient();
        let latest = self.db.latest_version(Document::CarePlan, p.id).await?;
        let (version, saved_at, plan) = match latest {
            Some(v) => (
                v.version,
                Some(v.created_at.clone()),
                crate::patients::parse_plan(&v.content)?,
            ),
            None => (0, None, CarePlan::default()),
        };
        let day = today();
        let mut upcoming = Vec::new();
        if let Some(d) = plan.evaluation_date.filter(|d| *d >= day) {
            upcoming.push((d, "We bekijken uw zorgplan samen".to_string()));
        }
        for (m, _) in self.db.patient_meetings(p.id).await? {
            if m.date >= day && !m.held {
                upcoming.push((m.date, "Het zorgteam bespreekt uw zorg (MDO)".to_string()));
            }
        }
        for r in self.db.medication_reviews(p.id).await? {
            if let Some(d) = r.follow_up.filter(|d| *d >= day && r.withdrawn_at.is_none()) {
                upcoming.push((d, "We kijken samen met de apotheker naar uw medicijnen".to_string()));
            }
        }
        upcoming.sort();
        Ok(PortalPlan {
            version,
            saved_at,
            plan: CarePlan {
                actions: plan
                    .actions
                    .iter()
                    .filter(|a| a.status != ActionStatus::Vervallen)
                    .cloned()
                    .collect::<Vec<CareAction>>(),
                ..plan
            },
            first_contact: self.db.first_contact(p.id).await?,
            team: self.db.team(p.id).await?,
            upcoming,
        })
    }

    /// The PZP (wishes and limits). `NotFound` unless the token admits to it.
    pub async fn portal_pzp(&self, u: &PortalUser) -> Result<Option<AdvanceCarePlan>> {
        if !u.may(PortalPart::Pzp) {
            return Err(Error::NotFound);
        }
        let versions = self.db.versions(Document::Pzp, u.patient().id).await?;
        Ok(match versions.first() {
            Some(v) => Some(crate::pzp::parse_pzp(&v.content)?),
            None => None,
        })
    }

    /// The patient's mantelzorgers on the team, each with what they may see now, and
    /// the history of the choices.
    pub async fn portal_consents(&self, u: &PortalUser) -> Result<(Vec<(TeamMember, ConsentLevel)>, Vec<Consent>)> {
        if !u.may(PortalPart::Consent) {
            return Err(Error::NotFound);
        }
        let p = u.patient().id;
        let mut out = Vec::new();
        for m in self.db.team(p).await?.into_iter().filter(|m| m.kind == "mantelzorger") {
            let c = self.db.consent(m.id).await?;
            out.push((m, c));
        }
        Ok((out, self.db.consent_history(p).await?))
    }

    /// The patient chooses what one mantelzorger sees (takes effect at once).
    pub async fn set_portal_consent(&self, u: &PortalUser, member_id: i64, level: ConsentLevel) -> Result<()> {
        if !u.may(PortalPart::Consent) {
            return Err(Error::NotFound);
        }
        let p = u.patient();
        if !self
            .db
            .team(p.id)
            .await?
            .iter()
            .any(|m| m.id == member_id && m.kind == "mantelzorger")
        {
            return Err(Error::NotFound);
        }
        let mut ch = self.db.change().await?;
        ch.set_consent(p.id, member_id, level, u.actor().user().id).await?;
        ch.commit(&[u.entry(
            Action::SetPortalConsent,
            Some(format!("mantelzorger {member_id}: {}", level.code())),
        )])
        .await?;
        Ok(())
    }

    /// A wish or goal proposed for the next care plan.
    pub async fn propose(&self, u: &PortalUser, kind: ProposalKind, text: &str) -> Result<i64> {
        if !u.may(PortalPart::Propose) {
            return Err(Error::NotFound);
        }
        let text = check_text(text, 2000, "uw voorstel").map_err(|e| Error::Invalid(vec![e]))?;
        let mut ch = self.db.change().await?;
        let id = ch
            .add_proposal(u.patient().id, u.actor().user().id, kind, &text)
            .await?;
        ch.commit(&[u.entry(Action::ProposeForCarePlan, Some(kind.code().into()))])
            .await?;
        Ok(id)
    }

    /// The mantelzorger's own load and support needs.
    pub async fn record_carer_load(&self, u: &PortalUser, load: CarerLoad, support_need: &str) -> Result<i64> {
        if !u.may(PortalPart::OwnLoad) {
            return Err(Error::NotFound);
        }
        let need = support_need.trim();
        if need.chars().count() > 2000 {
            return Err(Error::invalid("Wat u nodig hebt mag hoogstens 2000 tekens lang zijn."));
        }
        let mut ch = self.db.change().await?;
        let id = ch
            .add_carer_report(u.patient().id, u.account().member_id, u.actor().user().id, load, need)
            .await?;
        ch.commit(&[u.entry(Action::RecordCarerLoad, Some(load.code().into()))])
            .await?;
        Ok(id)
    }

    /// The portal user ends their own account (the patient, or a mantelzorger).
    pub async fn end_own_portal_account(&self, u: &PortalUser) -> Result<()> {
        let mut ch = self.db.change().await?;
        let uid = u.actor().user().id;
        ch.end_portal_account(uid, u.patient().id, uid, "door de gebruiker zelf")
            .await?;
        ch.commit(&[u.entry(Action::EndPortalAccount, Some("zelf".into()))])
            .await?;
        Ok(())
    }

    /// The patient ends a mantelzorger's account.
    pub async fn end_carer_account(&self, u: &PortalUser, user_id: i64) -> Result<()> {
        if !u.may(PortalPart::Consent) {
            return Err(Error::NotFound);
        }
        let account = self.db.portal_account(user_id).await?.ok_or(Error::NotFound)?;
        if account.patient_id != u.patient().id || account.kind != PortalKind::Mantelzorger {
            return Err(Error::NotFound);
        }
        let mut ch = self.db.change().await?;
        ch.end_portal_account(user_id, u.patient().id, u.actor().user().id, "door de patiënt")
            .await?;
        ch.commit(&[u.entry(Action::EndPortalAccount, Some(format!("account {user_id}")))])
            .await?;
        Ok(())
    }

    /// The patient's mantelzorger accounts (for the consent page).
    pub async fn portal_carer_accounts(&self, u: &PortalUser) -> Result<Vec<PortalAccount>> {
        if !u.may(PortalPart::Consent) {
            return Err(Error::NotFound);
        }
        Ok(self
            .db
            .portal_accounts(u.patient().id)
            .await?
            .into_iter()
            .filter(|a| a.kind == PortalKind::Mantelzorger)
            .collect())
    }
}
