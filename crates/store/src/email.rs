//! E-mail addresses of users, the choice to sign in with a code sent by e-mail instead of
//! an authenticator app, and those codes (only the SHA-256 of a code is kept; a code is
//! valid a few minutes, once, and a new one supersedes the older ones).

use crate::change::Change;
use crate::convert::store_flag;
use crate::{now_timestamp, Db, StoreResult};

impl Db {
    /// The user's e-mail address, if they have one.
    pub async fn user_email(&self, user_id: i64) -> StoreResult<Option<String>> {
        let email: Option<Option<String>> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(email.flatten().filter(|e| !e.is_empty()))
    }

    /// Whether the user signs in with a code sent by e-mail (instead of TOTP).
    pub async fn email_sign_in(&self, user_id: i64) -> StoreResult<bool> {
        let on: Option<i64> = sqlx::query_scalar("SELECT email_sign_in FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(on.unwrap_or(0) != 0)
    }

    /// How many codes were sent to the user since `since` (RFC 3339), and when the last one.
    pub async fn email_codes_since(&self, user_id: i64, since: &str) -> StoreResult<(i64, Option<String>)> {
        let (n, last): (i64, Option<String>) =
            sqlx::query_as("SELECT COUNT(*), MAX(created_at) FROM email_codes WHERE user_id = $1 AND created_at >= $2")
                .bind(user_id)
                .bind(since)
                .fetch_one(self.pool())
                .await?;
        Ok((n, last))
    }

    /// Uses the user's newest code if it has this hash, is unused and has not expired;
    /// whether it did.
    pub async fn use_email_code(&self, user_id: i64, code_hash: &str) -> StoreResult<bool> {
        let now = now_timestamp();
        let n = sqlx::query(
            "UPDATE email_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL \
             AND expires_at > $4",
        )
        .bind(&now)
        .bind(user_id)
        .bind(code_hash)
        .bind(&now)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n > 0)
    }
}

impl Change {
    /// Sets (or with `None` removes) the user's e-mail address.
    pub async fn set_user_email(&mut self, user_id: i64, email: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.filter(|e| !e.is_empty()))
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Switches sign-in by e-mailed code on or off for the user.
    pub async fn set_email_sign_in(&mut self, user_id: i64, on: bool) -> StoreResult<()> {
        sqlx::query("UPDATE users SET email_sign_in = $1 WHERE id = $2")
            .bind(store_flag(on))
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Keeps a new code (its hash) valid until `expires_at`; the user's older unused codes
    /// no longer work.
    pub async fn add_email_code(&mut self, user_id: i64, code_hash: &str, expires_at: &str) -> StoreResult<()> {
        let now = now_timestamp();
        sqlx::query("UPDATE email_codes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(&now)
            .bind(user_id)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO email_codes (user_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(code_hash)
            .bind(&now)
            .bind(expires_at)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
