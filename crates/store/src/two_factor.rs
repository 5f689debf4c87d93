//! Storage of the second factor: TOTP secrets, replay protection, recovery codes, and the
//! sessions' second-factor state.

use sqlx::Row;

use crate::change::Change;
use crate::keys::Keys;
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    /// The active secret (base32), decrypted.
    pub secret: Option<String>,
    pub enabled: bool,
    pub last_step: i64,
    /// A new authenticator's secret, waiting for its first code.
    pub pending: Option<String>,
    /// Wrong codes since the last correct one (a correct password does not reset them).
    pub failed_codes: i64,
    /// The account is locked until then (RFC 3339), after too many wrong codes.
    pub locked_until: Option<String>,
}

/// TOTP secrets are encrypted bound to their user, so that one cannot be moved to another.
fn context(user_id: i64) -> String {
    format!("totp:{user_id}")
}

impl Db {
    pub async fn totp_state(&self, user_id: i64) -> StoreResult<TotpState> {
        let r = sqlx::query(
            "SELECT totp_secret, totp_enabled, totp_last_step, totp_pending_secret, failed_codes, locked_until \
             FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let open = |v: Option<String>| -> StoreResult<Option<String>> {
            v.map(|s| self.keys()?.open(&context(user_id), &s)).transpose()
        };
        Ok(TotpState {
            secret: open(r.try_get(0)?)?,
            enabled: r.try_get::<i64, _>(1)? != 0,
            last_step: r.try_get(2)?,
            pending: open(r.try_get(3)?)?,
            failed_codes: r.try_get(4)?,
            locked_until: r.try_get(5)?,
        })
    }

    /// Stores a new, not yet confirmed secret (enrolment in progress), encrypted. The
    /// active secret, if any, stays in force until the new one is confirmed.
    pub async fn set_pending_totp_secret(&self, user_id: i64, secret: &str) -> StoreResult<()> {
        let sealed = self.keys()?.seal(&context(user_id), secret)?;
        sqlx::query("UPDATE users SET totp_pending_secret = $1 WHERE id = $2")
            .bind(sealed)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Confirms enrolment of `secret`: makes it the active secret, enables TOTP and
    /// replaces the recovery codes, in one transaction.
    pub async fn enable_totp(
        &self,
        user_id: i64,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
    ) -> StoreResult<()> {
        let sealed = self.keys()?.seal(&context(user_id), secret)?;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE users SET totp_secret = $1, totp_pending_secret = NULL, totp_enabled = 1, totp_last_step = $2 \
             WHERE id = $3",
        )
        .bind(sealed)
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for h in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Counts a wrong code; the number of wrong codes since the last correct one.
    pub async fn record_failed_code(&self, user_id: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("UPDATE users SET failed_codes = failed_codes + 1 WHERE id = $1 RETURNING failed_codes")
                .bind(user_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Locks the account until `until` (RFC 3339) and ends its sessions.
    pub async fn lock_account(&self, user_id: i64, until: &str) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
            .bind(until)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A correct code: the wrong-code count and the lock end.
    pub async fn reset_failed_codes(&self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_codes = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Encrypts TOTP secrets stored in plain text before migration 0007.
    pub(crate) async fn encrypt_plain_totp_secrets(&self) -> StoreResult<()> {
        let rows = sqlx::query("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
            .fetch_all(self.pool())
            .await?;
        for r in rows {
            let (id, secret): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
            if Keys::is_sealed(&secret) {
                continue;
            }
            let sealed = self.keys()?.seal(&context(id), &secret)?;
            sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
                .bind(sealed)
                .bind(id)
                .bind(&secret)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// Records an accepted time step, only if it is newer than the last one (no replay).
    pub async fn accept_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
            .bind(step)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses a recovery code (by hash) once; whether it was valid and unused.
    pub async fn use_recovery_code(&self, user_id: i64, code_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(user_id)
        .bind(code_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn unused_recovery_codes(&self, user_id: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn set_second_factor_done(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET second_factor_done = 1 WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

impl Change {
    /// Switches TOTP off (an administrator's reset), removing secret and recovery codes.
    pub async fn reset_totp(&mut self, user_id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled = 0, totp_last_step = 0, \
             failed_codes = 0, locked_until = NULL WHERE id = $1",
        )
        .bind(user_id)
        .execute(self.conn())
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
