//! The portal's accounts, their invitations (the one-time code kept as its SHA-256 only)
//! and the patient's consent per mantelzorger (every choice kept; the latest counts).

use kernteam_domain::portal::{ConsentLevel, PortalKind};

use crate::change::Change;
use crate::convert::{all, code, opt_timestamp, timestamp};
use crate::people::NewUser;
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// An invitation (never its code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub patient_id: i64,
    pub kind: PortalKind,
    /// The mantelzorger's care-team record (`care_team_members.id`); `None` for the patient.
    pub member_id: Option<i64>,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: String,
    pub expires_at: String,
    pub withdrawn_at: Option<String>,
    pub used_at: Option<String>,
    /// The account the invitation became.
    pub user_id: Option<i64>,
    /// Where the invitee receives e-mail (copied to the account at activation).
    pub email: Option<String>,
    /// A new letter for an existing account (the practice reset its second factor): the
    /// account it re-opens.
    pub resets_user_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: i64,
    patient_id: i64,
    kind: String,
    member_id: Option<i64>,
    created_by: i64,
    created_by_name: String,
    created_at: String,
    expires_at: String,
    withdrawn_at: Option<String>,
    used_at: Option<String>,
    user_id: Option<i64>,
    email: Option<String>,
    resets_user_id: Option<i64>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;
    fn try_from(r: InvitationRow) -> StoreResult<Invitation> {
        Ok(Invitation {
            id: r.id,
            patient_id: r.patient_id,
            kind: code("portal_invitations.kind", &r.kind, PortalKind::from_code)?,
            member_id: r.member_id,
            created_by: r.created_by,
            created_by_name: r.created_by_name,
            created_at: timestamp("portal_invitations.created_at", r.created_at)?,
            expires_at: timestamp("portal_invitations.expires_at", r.expires_at)?,
            withdrawn_at: opt_timestamp("portal_invitations.withdrawn_at", r.withdrawn_at)?,
            used_at: opt_timestamp("portal_invitations.used_at", r.used_at)?,
            user_id: r.user_id,
            email: r.email,
            resets_user_id: r.resets_user_id,
        })
    }
}

const INVITATION: &str =
    "SELECT i.id, i.patient_id, i.kind, i.member_id, i.created_by, u.display_name AS created_by_name, \
     i.created_at, i.expires_at, i.withdrawn_at, i.used_at, i.user_id, i.email, i.resets_user_id FROM portal_invitations i \
     JOIN users u ON u.id = i.created_by";

/// A portal account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAccount {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub patient_id: i64,
    pub kind: PortalKind,
    pub member_id: Option<i64>,
    pub created_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
    /// The user may sign in: false when the account ended, or the practice blocked it
    /// or reset its second factor (until the new letter is used).
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    user_id: i64,
    username: String,
    display_name: String,
    patient_id: i64,
    kind: String,
    member_id: Option<i64>,
    created_at: String,
    ended_at: Option<String>,
    end_reason: Option<String>,
    active: i64,
}

impl TryFrom<AccountRow> for PortalAccount {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> StoreResult<PortalAccount> {
        Ok(PortalAccount {
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            patient_id: r.patient_id,
            kind: code("portal_accounts.kind", &r.kind, PortalKind::from_code)?,
            member_id: r.member_id,
            created_at: timestamp("portal_accounts.created_at", r.created_at)?,
            ended_at: opt_timestamp("portal_accounts.ended_at", r.ended_at)?,
            end_reason: r.end_reason,
            active: r.active != 0,
        })
    }
}

const ACCOUNT: &str = "SELECT a.user_id, u.username, u.display_name, a.patient_id, a.kind, a.member_id, a.created_at, \
     a.ended_at, a.end_reason, u.active FROM portal_accounts a JOIN users u ON u.id = a.user_id";

/// One choice of the patient about one mantelzorger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub member_id: i64,
    pub level: ConsentLevel,
    pub set_by_name: String,
    pub set_at: String,
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    member_id: i64,
    level: String,
    set_by_name: String,
    set_at: String,
}

impl TryFrom<ConsentRow> for Consent {
    type Error = StoreError;
    fn try_from(r: ConsentRow) -> StoreResult<Consent> {
        Ok(Consent {
            member_id: r.member_id,
            level: code("portal_consents.level", &r.level, ConsentLevel::from_code)?,
            set_by_name: r.set_by_name,
            set_at: timestamp("portal_consents.set_at", r.set_at)?,
        })
    }
}

/// A new invitation: the hash of its code and until when it can be used.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub patient_id: i64,
    pub kind: PortalKind,
    pub member_id: Option<i64>,
    pub code_hash: String,
    pub created_by: i64,
    pub expires_at: String,
    /// Where the invitee receives e-mail, when the practice knows it.
    pub email: Option<String>,
    /// For a new letter to an existing account: that account.
    pub resets_user_id: Option<i64>,
}

impl Db {
    /// The invitation whose code has this hash.
    pub async fn invitation_by_hash(&self, code_hash: &str) -> StoreResult<Option<Invitation>> {
        let r = sqlx::query_as::<_, InvitationRow>(&format!("{INVITATION} WHERE i.code_hash = $1"))
            .bind(code_hash)
            .fetch_optional(self.pool())
            .await?;
        r.map(Invitation::try_from).transpose()
    }

    /// The patient's invitations, newest first.
    pub async fn invitations(&self, patient_id: i64) -> StoreResult<Vec<Invitation>> {
        let rows =
            sqlx::query_as::<_, InvitationRow>(&format!("{INVITATION} WHERE i.patient_id = $1 ORDER BY i.id DESC"))
                .bind(patient_id)
                .fetch_all(self.pool())
                .await?;
        all(rows)
    }

    /// The portal account of a user, ended or not.
    pub async fn portal_account(&self, user_id: i64) -> StoreResult<Option<PortalAccount>> {
        let r = sqlx::query_as::<_, AccountRow>(&format!("{ACCOUNT} WHERE a.user_id = $1"))
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        r.map(PortalAccount::try_from).transpose()
    }

    /// The patient's portal accounts (ended ones too), oldest first.
    pub async fn portal_accounts(&self, patient_id: i64) -> StoreResult<Vec<PortalAccount>> {
        let rows = sqlx::query_as::<_, AccountRow>(&format!(
            "{ACCOUNT} WHERE a.patient_id = $1 ORDER BY a.created_at, a.user_id"
        ))
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// What the patient lets this mantelzorger see now (nothing until they choose).
    pub async fn consent(&self, member_id: i64) -> StoreResult<ConsentLevel> {
        let level: Option<String> =
            sqlx::query_scalar("SELECT level FROM portal_consents WHERE member_id = $1 ORDER BY id DESC LIMIT 1")
                .bind(member_id)
                .fetch_optional(self.pool())
                .await?;
        match level {
            Some(l) => code("portal_consents.level", &l, ConsentLevel::from_code),
            None => Ok(ConsentLevel::None),
        }
    }

    /// Every choice the patient made, newest first.
    pub async fn consent_history(&self, patient_id: i64) -> StoreResult<Vec<Consent>> {
        let rows = sqlx::query_as::<_, ConsentRow>(
            "SELECT c.member_id, c.level, u.display_name AS set_by_name, c.set_at FROM portal_consents c \
             JOIN users u ON u.id = c.set_by WHERE c.patient_id = $1 ORDER BY c.id DESC",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

impl Change {
    pub async fn add_invitation(&mut self, i: &NewInvitation) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO portal_invitations \
             (patient_id, kind, member_id, code_hash, created_by, created_at, expires_at, email, resets_user_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(i.patient_id)
        .bind(i.kind.code())
        .bind(i.member_id)
        .bind(&i.code_hash)
        .bind(i.created_by)
        .bind(now_timestamp())
        .bind(&i.expires_at)
        .bind(&i.email)
        .bind(i.resets_user_id)
        .fetch_one(self.conn())
        .await?)
    }

    /// Withdraws an open invitation of this patient; `NotFound` when there is none (another
    /// patient's, used, or withdrawn already).
    pub async fn withdraw_invitation(&mut self, id: i64, patient_id: i64, by: i64) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE portal_invitations SET withdrawn_at = $1, withdrawn_by = $2 \
             WHERE id = $3 AND patient_id = $4 AND withdrawn_at IS NULL AND used_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(by)
        .bind(id)
        .bind(patient_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Turns an open invitation into an account: the user, the invitation used, the
    /// account linked to the patient (and the mantelzorger's record). `Conflict` when the
    /// invitation was used or withdrawn in the meantime.
    pub async fn activate_invitation(&mut self, invitation: &Invitation, user: &NewUser) -> StoreResult<i64> {
        let user_id = self.create_user(user).await?;
        let now = now_timestamp();
        let n = sqlx::query(
            "UPDATE portal_invitations SET used_at = $1, user_id = $2 \
             WHERE id = $3 AND used_at IS NULL AND withdrawn_at IS NULL",
        )
        .bind(&now)
        .bind(user_id)
        .bind(invitation.id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("Deze code is al gebruikt of ingetrokken.".into()));
        }
        sqlx::query(
            "INSERT INTO portal_accounts (user_id, patient_id, kind, member_id, invitation_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(invitation.patient_id)
        .bind(invitation.kind.code())
        .bind(invitation.member_id)
        .bind(invitation.id)
        .bind(&now)
        .execute(self.conn())
        .await?;
        if let Some(email) = &invitation.email {
            self.set_user_email(user_id, Some(email)).await?;
        }
        Ok(user_id)
    }

    /// Ends a portal account of this patient: it can no longer sign in, its sessions end.
    /// `NotFound` when the account is not this patient's or has ended already.
    pub async fn end_portal_account(
        &mut self,
        user_id: i64,
        patient_id: i64,
        by: i64,
        reason: &str,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE portal_accounts SET ended_at = $1, ended_by = $2, end_reason = $3 \
             WHERE user_id = $4 AND patient_id = $5 AND ended_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(by)
        .bind(reason)
        .bind(user_id)
        .bind(patient_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.set_user_active(user_id, false).await
    }

    /// Ends every account of the patient and withdraws their open invitations (the patient
    /// left the programme); returns how many accounts ended.
    pub async fn end_portal_accounts_of(&mut self, patient_id: i64, by: i64, reason: &str) -> StoreResult<u64> {
        let users: Vec<i64> =
            sqlx::query_scalar("SELECT user_id FROM portal_accounts WHERE patient_id = $1 AND ended_at IS NULL")
                .bind(patient_id)
                .fetch_all(self.conn())
                .await?;
        for u in &users {
            self.end_portal_account(*u, patient_id, by, reason).await?;
        }
        sqlx::query(
            "UPDATE portal_invitations SET withdrawn_at = $1, withdrawn_by = $2 \
             WHERE patient_id = $3 AND withdrawn_at IS NULL AND used_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(by)
        .bind(patient_id)
        .execute(self.conn())
        .await?;
        Ok(users.len() as u64)
    }

    /// Records the patient's choice for one mantelzorger (kept beside the earlier ones).
    pub async fn set_consent(
        &mut self,
        patient_id: i64,
        member_id: i64,
        level: ConsentLevel,
        by: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO portal_consents (patient_id, member_id, level, set_by, set_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(patient_id)
        .bind(member_id)
        .bind(level.code())
        .bind(by)
        .bind(now_timestamp())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
