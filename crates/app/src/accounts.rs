//! The region administrator's use cases: organisations and accounts. Each takes the
//! [`Administrator`] token and writes its audit record.
//!
//! Passwords are checked and hashed by the caller (the web's and the CLI's password rules
//! and Argon2 live there); these use cases store the hash and never see the password.

use kernteam_domain::access::{affiliation_problems, AffiliationProblem, OrganisationKind, Role};
use kernteam_domain::accounts::{check_name, check_username, chosen_id, NAME_MAX_CHARS};
use kernteam_store::extracts::SnapshotRef;
use kernteam_store::people::{NewUser, Organisation, Practice, User};
use kernteam_store::StoreError;

use crate::audit::Action;
use crate::error::{invalid_unless_empty, Error, Result};
use crate::gate::Administrator;
use crate::App;

/// What the administration overview shows: practices with their extracts, network
/// organisations and every account.
#[derive(Debug, Clone)]
pub struct AdminOverview {
    pub practices: Vec<Practice>,
    pub organisations: Vec<Organisation>,
    pub users: Vec<User>,
    /// Every snapshot, by practice AGB code and date (the last per practice is its latest).
    pub snapshots: Vec<SnapshotRef>,
}

/// The new-account form as entered (ids as chosen in the selects).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub practice: String,
    pub organisation: String,
    pub is_admin: Option<String>,
}

/// An account that passed every rule; only [`App::check_account`] makes one.
#[derive(Debug, Clone)]
pub struct ValidAccount {
    username: String,
    display_name: String,
    role: Role,
    practice_id: Option<i64>,
    organisation_id: Option<i64>,
    is_admin: bool,
}

impl ValidAccount {
    pub fn username(&self) -> &str {
        &self.username
    }
}

const PICK_PRACTICE: &str = "Kies een praktijk uit de lijst.";
const PICK_ORGANISATION: &str = "Kies een organisatie uit de lijst.";

impl App {
    pub async fn admin_overview(&self, _admin: &Administrator) -> Result<AdminOverview> {
        Ok(AdminOverview {
            practices: self.db.practices().await?,
            organisations: self.db.organisations().await?,
            // Portal accounts are the practice's to manage, and their names are patient
            // data the region does not see.
            users: self
                .db
                .users()
                .await?
                .into_iter()
                .filter(|u| !u.role.is_portal())
                .collect(),
            snapshots: self.db.snapshots().await?,
        })
    }

    /// One account, for a change by the administrator; `NotFound` when there is none.
    pub async fn account(&self, _admin: &Administrator, user_id: i64) -> Result<User> {
        match self.db.user(user_id).await? {
            u if u.role.is_portal() => Err(Error::NotFound),
            u => Ok(u),
        }
    }

    /// Adds a network organisation. `Conflict` when the name is taken.
    pub async fn create_organisation(&self, admin: &Administrator, kind: &str, name: &str) -> Result<i64> {
        let mut problems = Vec::new();
        let kind = OrganisationKind::from_code(kind.trim());
        if kind.is_none() {
            problems.push("Kies de soort organisatie.".to_string());
        }
        let name = name.trim();
        check_name(name, "de naam van de organisatie", NAME_MAX_CHARS, &mut problems);
        let Some(kind) = kind.filter(|_| problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        let mut ch = self.db.change().await?;
        let id = ch.create_organisation(kind, name).await?;
        ch.commit(&[admin.actor().entry(
            None,
            Action::CreateOrganisation,
            Some(format!("{name} ({})", kind.label())),
        )])
        .await?;
        Ok(id)
    }

    /// Checks a new account against every rule: names, role, the role's affiliation
    /// (`kernteam_domain::access::affiliation_problems`, as `kernteam user add`), that the
    /// chosen practice or organisation exists. `password_problem` is the caller's verdict on
    /// the password, listed with the rest.
    pub async fn check_account(
        &self,
        _admin: &Administrator,
        input: &AccountInput,
        password_problem: Option<String>,
    ) -> Result<ValidAccount> {
        let mut problems = Vec::new();
        let username = input.username.trim();
        check_username(username, &mut problems);
        let display_name = input.display_name.trim();
        check_name(display_name, "de naam", NAME_MAX_CHARS, &mut problems);
        let role = Role::from_code(input.role.trim());
        if role.is_none() {
            problems.push("Kies een rol.".to_string());
        }
        let practice = chosen_id(&input.practice, PICK_PRACTICE, &mut problems);
        let organisation = chosen_id(&input.organisation, PICK_ORGANISATION, &mut problems);
        let (mut practice_id, mut organisation_id) = (None, None);
        if let Some(role) = role {
            let misfits = affiliation_problems(role, practice.is_some(), organisation.is_some());
            problems.extend(misfits.iter().map(|p| p.message().to_string()));
            let fits = |wrong: [AffiliationProblem; 2]| !misfits.iter().any(|p| wrong.contains(p));
            if let Some(id) = practice.filter(|_| {
                fits([
                    AffiliationProblem::PracticeMissing,
                    AffiliationProblem::PracticeNotForRole,
                ])
            }) {
                match self.db.practice(id).await {
                    Ok(p) => practice_id = Some(p.id),
                    Err(StoreError::NotFound) => problems.push(PICK_PRACTICE.to_string()),
                    Err(e) => return Err(e.into()),
                }
            }
            if let Some(id) = organisation.filter(|_| {
                fits([
                    AffiliationProblem::OrganisationMissing,
                    AffiliationProblem::OrganisationNotForRole,
                ])
            }) {
                match self.db.organisation(id).await {
                    Ok(o) => organisation_id = Some(o.id),
                    Err(StoreError::NotFound) => problems.push(PICK_ORGANISATION.to_string()),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        problems.extend(password_problem);
        invalid_unless_empty(problems)?;
        Ok(ValidAccount {
            username: username.to_string(),
            display_name: display_name.to_string(),
            role: role.expect("no problems, so a role"),
            practice_id,
            organisation_id,
            is_admin: input.is_admin.is_some(),
        })
    }

    /// Creates a checked account with the given password hash. `Conflict` when the
    /// username is taken. Returns the account's id.
    pub async fn create_account(&self, admin: &Administrator, a: ValidAccount, password_hash: String) -> Result<i64> {
        let mut ch = self.db.change().await?;
        let id = ch
            .create_user(&NewUser {
                username: a.username.clone(),
                display_name: a.display_name,
                role: a.role,
                practice_id: a.practice_id,
                organisation_id: a.organisation_id,
                password_hash,
                is_admin: a.is_admin,
            })
            .await?;
        ch.commit(&[admin.actor().entry(
            None,
            Action::CreateUser,
            Some(format!("{} ({})", a.username, a.role.label())),
        )])
        .await?;
        Ok(id)
    }

    /// Blocks (ending the user's sessions) or unblocks an account. An administrator cannot
    /// block their own account.
    pub async fn set_account_active(&self, admin: &Administrator, user_id: i64, active: bool) -> Result<User> {
        let user = self.db.user(user_id).await?;
        if !active && user.id == admin.actor().user().id {
            return Err(Error::invalid(
                "U kunt uw eigen account niet blokkeren; vraag dat zo nodig een andere beheerder.",
            ));
        }
        let action = if active { Action::UnblockUser } else { Action::BlockUser };
        let mut ch = self.db.change().await?;
        ch.set_user_active(user.id, active).await?;
        ch.commit(&[admin.actor().entry(None, action, Some(user.username.clone()))])
            .await?;
        Ok(user)
    }

    /// Switches an account's second factor off (lost phone, no recovery codes left); they
    /// enrol again at their next sign-in. Their sessions end.
    pub async fn reset_two_factor(&self, admin: &Administrator, user_id: i64) -> Result<User> {
        let user = self.db.user(user_id).await?;
        let mut ch = self.db.change().await?;
        ch.reset_totp(user.id).await?;
        ch.commit(&[admin
            .actor()
            .entry(None, Action::ResetTwoFactor, Some(user.username.clone()))])
            .await?;
        Ok(user)
    }

    /// Replaces an account's password by one the caller checked and hashed.
    pub async fn set_password(&self, admin: &Administrator, user: &User, password_hash: &str) -> Result<()> {
        let mut ch = self.db.change().await?;
        ch.set_password_hash(user.id, password_hash).await?;
        ch.commit(&[admin
            .actor()
            .entry(None, Action::ResetPassword, Some(user.username.clone()))])
            .await?;
        Ok(())
    }
}
