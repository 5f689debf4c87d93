//! The practice's care of a portal account after a lost phone: blocking and unblocking it,
//! and resetting its second factor. A reset closes the account (its sessions end, its
//! TOTP secret, recovery codes and e-mail sign-in go) until the new letter made with it
//! is used: that letter re-opens the same account with a new password and a new second
//! factor, so a password saved on the lost phone opens nothing.

use crate::change::Change;
use crate::convert::store_flag;
use crate::portal::Invitation;
use crate::{now_timestamp, StoreError, StoreResult};

impl Change {
    /// The account of this patient that has not ended; `NotFound` otherwise.
    async fn open_account_of(&mut self, user_id: i64, patient_id: i64) -> StoreResult<()> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM portal_accounts WHERE user_id = $1 AND patient_id = $2 AND ended_at IS NULL",
        )
        .bind(user_id)
        .bind(patient_id)
        .fetch_optional(self.conn())
        .await?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    }

    /// Blocks (the user can no longer sign in, their sessions end) or unblocks an account
    /// of this patient. `NotFound` for an account that is not the patient's or has ended;
    /// `Conflict` when unblocking an account without a second factor (after a reset: only
    /// its new letter opens it again).
    pub async fn set_portal_account_blocked(
        &mut self,
        user_id: i64,
        patient_id: i64,
        blocked: bool,
    ) -> StoreResult<()> {
        self.open_account_of(user_id, patient_id).await?;
        if !blocked {
            let (totp, email): (i64, i64) =
                sqlx::query_as("SELECT totp_enabled, email_sign_in FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_one(self.conn())
                    .await?;
            if totp == 0 && email == 0 {
                return Err(StoreError::Conflict(
                    "Dit account heeft geen tweede stap meer. Maak een nieuwe brief; daarmee gaat het account weer open."
                        .into(),
                ));
            }
        }
        self.set_user_active(user_id, !blocked).await
    }

    /// Resets the second factor of an account of this patient and adds the new letter's
    /// invitation (`invitation.resets_user_id` is the account): the account is closed
    /// until that letter is used; earlier open letters for it are withdrawn. Returns the
    /// new invitation's id.
    pub async fn reset_portal_account(
        &mut self,
        invitation: &crate::portal::NewInvitation,
        user_id: i64,
    ) -> StoreResult<i64> {
        self.open_account_of(user_id, invitation.patient_id).await?;
        if invitation.resets_user_id != Some(user_id) {
            return Err(StoreError::Conflict(
                "the new letter must name the account it re-opens".into(),
            ));
        }
        self.reset_totp(user_id).await?;
        sqlx::query("UPDATE users SET email_sign_in = 0 WHERE id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        self.set_user_active(user_id, false).await?;
        sqlx::query(
            "UPDATE portal_invitations SET withdrawn_at = $1, withdrawn_by = $2 \
             WHERE resets_user_id = $3 AND withdrawn_at IS NULL AND used_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(invitation.created_by)
        .bind(user_id)
        .execute(self.conn())
        .await?;
        self.add_invitation(invitation).await
    }

    /// Uses a reset's letter: the account it names gets the user name and password chosen
    /// now and is open again (its second factor is set up next). `Conflict` when the letter
    /// was used or withdrawn in the meantime or the user name is taken; `NotFound` when the
    /// account has ended.
    pub async fn reopen_portal_account(
        &mut self,
        invitation: &Invitation,
        username: &str,
        password_hash: &str,
    ) -> StoreResult<i64> {
        let Some(user_id) = invitation.resets_user_id else {
            return Err(StoreError::NotFound);
        };
        self.open_account_of(user_id, invitation.patient_id).await?;
        let n = sqlx::query(
            "UPDATE portal_invitations SET used_at = $1, user_id = $2 \
             WHERE id = $3 AND used_at IS NULL AND withdrawn_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(user_id)
        .bind(invitation.id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("Deze code is al gebruikt of ingetrokken.".into()));
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1 AND id <> $2")
            .bind(username)
            .bind(user_id)
            .fetch_optional(self.conn())
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "De gebruikersnaam '{username}' is al in gebruik."
            )));
        }
        sqlx::query(
            "UPDATE users SET username = $1, password_hash = $2, active = $3, failed_logins = 0, failed_codes = 0, \
             locked_until = NULL WHERE id = $4",
        )
        .bind(username)
        .bind(password_hash)
        .bind(store_flag(true))
        .bind(user_id)
        .execute(self.conn())
        .await?;
        if let Some(email) = &invitation.email {
            self.set_user_email(user_id, Some(email)).await?;
        }
        Ok(user_id)
    }
}
