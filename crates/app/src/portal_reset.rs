//! A lost phone: the practice blocks or unblocks a portal account, or resets its second
//! factor. A reset does not let the next sign-in set up a new second factor with the
//! password alone (a password saved on the lost phone would then be enough): it closes
//! the account and makes a new letter with a one-time code, which re-opens the same
//! account with a new password and a new second factor. Only the practice's clinicians
//! (a [`Decider`]), only for an account of this patient; every step audited.

use kernteam_domain::portal::{self, code_from_bytes, CODE_LEN};
use kernteam_store::portal::{NewInvitation, PortalAccount};
use rand::RngCore;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::Decider;
use crate::portal::{code_hash, NewCode};
use crate::App;

impl App {
    /// The patient's account `user_id` that has not ended; `NotFound` otherwise.
    async fn open_portal_account(&self, d: &Decider, user_id: i64) -> Result<PortalAccount> {
        match self.db.portal_account(user_id).await? {
            Some(a) if a.patient_id == d.patient().id && a.ended_at.is_none() => Ok(a),
            _ => Err(Error::NotFound),
        }
    }

    /// Resets the second factor of one of the patient's portal accounts: the account is
    /// closed (its sessions end) until the new letter, returned with its code (shown once),
    /// is used. Earlier open letters for it no longer work.
    pub async fn reset_portal_second_factor(&self, d: &Decider, user_id: i64) -> Result<NewCode> {
        let account = self.open_portal_account(d, user_id).await?;
        if !self.in_programme(d.patient().id).await? {
            return Err(Error::invalid("De patiënt doet niet (meer) mee aan het programma."));
        }
        let mut bytes = [0u8; CODE_LEN];
        rand::rng().fill_bytes(&mut bytes);
        let code = code_from_bytes(&bytes);
        let expires = chrono::Utc::now() + portal::INVITATION_VALID;
        let email = self.db.user_email(user_id).await?;
        let mut ch = self.db.change().await?;
        let id = ch
            .reset_portal_account(
                &NewInvitation {
                    patient_id: d.patient().id,
                    kind: account.kind,
                    member_id: account.member_id,
                    code_hash: code_hash(&code),
                    created_by: d.actor().user().id,
                    expires_at: expires.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    email,
                    resets_user_id: Some(user_id),
                },
                user_id,
            )
            .await?;
        ch.commit(&[d.actor().entry(
            Some(d.patient()),
            Action::ResetPortalSecondFactor,
            Some(format!("account {user_id}, brief {id}")),
        )])
        .await?;
        Ok(NewCode {
            invitation_id: id,
            code,
            kind: account.kind,
            name: account.display_name,
            valid_until: expires.with_timezone(&chrono::Local).date_naive(),
        })
    }

    /// Blocks (`true`) or unblocks one of the patient's portal accounts. Unblocking an
    /// account whose second factor was reset is refused (`Conflict`): its letter opens it.
    pub async fn block_portal_account(&self, d: &Decider, user_id: i64, blocked: bool) -> Result<()> {
        self.open_portal_account(d, user_id).await?;
        let mut ch = self.db.change().await?;
        ch.set_portal_account_blocked(user_id, d.patient().id, blocked).await?;
        let action = if blocked {
            Action::BlockPortalAccount
        } else {
            Action::UnblockPortalAccount
        };
        ch.commit(&[d
            .actor()
            .entry(Some(d.patient()), action, Some(format!("account {user_id}")))])
            .await?;
        Ok(())
    }
}
