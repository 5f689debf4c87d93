//! Storage of the second factor: TOTP secrets, replay protection, recovery codes, and the
//! sessions' second-factor state.

use sqlx::Row;

use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    pub secret: Option<String>,
    pub enabled: bool,
    pub last_step: i64,
}

impl Db {
    pub async fn totp_state(&self, user_id: i64) -> StoreResult<TotpState> {
        let r = sqlx::query("SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(TotpState {
            secret: r.try_get(0)?,
            enabled: r.try_get::<i64, _>(1)? != 0,
            last_step: r.try_get(2)?,
        })
    }

    /// Stores a new, not yet confirmed secret (enrolment in progress).
    pub async fn set_pending_totp_secret(&self, user_id: i64, secret: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled = 0, totp_last_step = 0 WHERE id = $2")
            .bind(secret)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Confirms enrolment: enables TOTP and replaces the recovery codes, in one transaction.
    pub async fn enable_totp(&self, user_id: i64, step: i64, recovery_hashes: &[String]) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET totp_enabled = 1, totp_last_step = $1 WHERE id = $2")
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

    /// Switches TOTP off (an administrator's reset), removing secret and recovery codes.
    pub async fn reset_totp(&self, user_id: i64) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled = 0, totp_last_step = 0 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
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

    pub async fn set_second_factor_done(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET second_factor_done = 1 WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
