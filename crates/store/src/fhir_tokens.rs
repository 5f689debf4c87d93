//! Bearer tokens of the FHIR API: issued to a named account under a label, kept as the
//! SHA-256 of the token only, revocable.

use crate::change::Change;
use crate::convert::{opt_timestamp, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// A stored token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirToken {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub label: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    username: String,
    label: String,
    created_at: String,
    created_by: String,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
}

impl TryFrom<TokenRow> for FhirToken {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> StoreResult<FhirToken> {
        Ok(FhirToken {
            id: r.id,
            user_id: r.user_id,
            username: r.username,
            label: r.label,
            created_at: timestamp("fhir_tokens.created_at", r.created_at)?,
            created_by: r.created_by,
            revoked_at: opt_timestamp("fhir_tokens.revoked_at", r.revoked_at)?,
            last_used_at: opt_timestamp("fhir_tokens.last_used_at", r.last_used_at)?,
        })
    }
}

const SELECT: &str = "SELECT t.id, t.user_id, u.username, t.label, t.created_at, t.created_by, t.revoked_at, \
     t.last_used_at FROM fhir_tokens t JOIN users u ON u.id = t.user_id";

impl Db {
    /// Every token, newest first.
    pub async fn fhir_tokens(&self) -> StoreResult<Vec<FhirToken>> {
        let rows = sqlx::query_as::<_, TokenRow>(&format!("{SELECT} ORDER BY t.id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(FhirToken::try_from).collect()
    }

    /// The token with this hash, revoked or not.
    pub async fn fhir_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<FhirToken>> {
        let row = sqlx::query_as::<_, TokenRow>(&format!("{SELECT} WHERE t.token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?;
        row.map(FhirToken::try_from).transpose()
    }

    pub async fn fhir_token(&self, id: i64) -> StoreResult<FhirToken> {
        let row = sqlx::query_as::<_, TokenRow>(&format!("{SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(FhirToken::try_from).transpose()?.ok_or(StoreError::NotFound)
    }

    /// Notes the token's use (at most once a minute matters; every use is in the audit log).
    pub async fn touch_fhir_token(&self, id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE fhir_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now_timestamp())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

impl Change {
    /// Stores a new token (its hash) for the account; returns its id.
    pub async fn add_fhir_token(
        &mut self,
        user_id: i64,
        label: &str,
        token_hash: &str,
        created_by: &str,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO fhir_tokens (user_id, label, token_hash, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(label)
        .bind(token_hash)
        .bind(now_timestamp())
        .bind(created_by)
        .fetch_one(self.conn())
        .await?)
    }

    /// Revokes a token (a token already revoked keeps its first revocation time).
    pub async fn revoke_fhir_token(&mut self, id: i64) -> StoreResult<()> {
        let n = sqlx::query("UPDATE fhir_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
            .bind(now_timestamp())
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
