//! Failed password sign-ins, counted per account name (whether it exists or not) and client
//! address, so that a stranger cannot lock someone else's account and the answer is the
//! same for every name; and the user's own change of password.

use sqlx::Row;

use crate::{now_timestamp, Db, StoreResult};

/// Failures of one name from one address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInFailures {
    pub failures: i64,
    /// No attempt is checked before then (RFC 3339).
    pub locked_until: Option<String>,
}

/// Names are compared as typed, trimmed and in lower case, capped in length.
fn key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(200).collect()
}

impl Db {
    pub async fn sign_in_failures(&self, username: &str, address: &str) -> StoreResult<SignInFailures> {
        let r = sqlx::query("SELECT failures, locked_until FROM sign_in_failures WHERE username = $1 AND address = $2")
            .bind(key(username))
            .bind(address)
            .fetch_optional(self.pool())
            .await?;
        Ok(match r {
            Some(r) => SignInFailures {
                failures: r.try_get(0)?,
                locked_until: r.try_get(1)?,
            },
            None => SignInFailures::default(),
        })
    }

    /// Counts a failure; failures older than `forget_before` (RFC 3339) are forgotten.
    /// Returns the count.
    pub async fn record_sign_in_failure(&self, username: &str, address: &str, forget_before: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO sign_in_failures (username, address, failures, last_at) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (username, address) DO UPDATE SET \
             failures = CASE WHEN sign_in_failures.last_at < $4 THEN 1 ELSE sign_in_failures.failures + 1 END, \
             last_at = $3 RETURNING failures",
        )
        .bind(key(username))
        .bind(address)
        .bind(now_timestamp())
        .bind(forget_before)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn lock_sign_in(&self, username: &str, address: &str, until: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sign_in_failures SET locked_until = $1 WHERE username = $2 AND address = $3")
            .bind(until)
            .bind(key(username))
            .bind(address)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn clear_sign_in_failures(&self, username: &str, address: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE username = $1 AND address = $2")
            .bind(key(username))
            .bind(address)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The user's own change of password: the new hash, and every other session ends.
    pub async fn change_own_password(&self, user_id: i64, hash: &str, keep_session: &str) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
