//! Organisations, users and sessions.

use kernteam_domain::access::{OrganisationKind, Role};

use crate::change::Change;
use crate::convert::{code, flag, opt_timestamp, store_flag, timestamp};
use crate::direct_read::{Arg, Cols};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub kind: OrganisationKind,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practice {
    pub id: i64,
    pub agb_code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub practice_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub is_admin: bool,
    pub active: bool,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: User,
    pub csrf: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub second_factor_done: bool,
    /// The name of the user's practice or organisation ('' for regional staff).
    pub place: String,
}

/// A user with the secrets needed at sign-in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub practice_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub password_hash: String,
    pub is_admin: bool,
}

const USER_COLUMNS: &str = "id, username, display_name, role, practice_id, organisation_id, is_admin, active";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    practice_id: Option<i64>,
    organisation_id: Option<i64>,
    is_admin: i64,
    active: i64,
}

impl UserRow {
    /// The [`USER_COLUMNS`] from column `at` on.
    fn from_cols(c: &dyn Cols, at: usize) -> StoreResult<UserRow> {
        Ok(UserRow {
            id: c.int(at)?,
            username: c.text(at + 1)?,
            display_name: c.text(at + 2)?,
            role: c.text(at + 3)?,
            practice_id: c.opt_int(at + 4)?,
            organisation_id: c.opt_int(at + 5)?,
            is_admin: c.int(at + 6)?,
            active: c.int(at + 7)?,
        })
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<User> {
        Ok(User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: code("users.role", &r.role, Role::from_code)?,
            practice_id: r.practice_id,
            organisation_id: r.organisation_id,
            is_admin: flag("users.is_admin", r.is_admin)?,
            active: flag("users.active", r.active)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
    failed_logins: i64,
    locked_until: Option<String>,
}

impl TryFrom<CredentialsRow> for Credentials {
    type Error = StoreError;
    fn try_from(r: CredentialsRow) -> StoreResult<Credentials> {
        Ok(Credentials {
            user: r.user.try_into()?,
            password_hash: r.password_hash,
            failed_logins: r.failed_logins,
            locked_until: opt_timestamp("users.locked_until", r.locked_until)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionDbRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
    created_at: String,
    last_seen_at: String,
    second_factor_done: i64,
    place: String,
}

impl TryFrom<SessionDbRow> for SessionRow {
    type Error = StoreError;
    fn try_from(r: SessionDbRow) -> StoreResult<SessionRow> {
        Ok(SessionRow {
            user: r.user.try_into()?,
            csrf: r.csrf_token,
            created_at: timestamp("sessions.created_at", r.created_at)?,
            last_seen_at: timestamp("sessions.last_seen_at", r.last_seen_at)?,
            second_factor_done: flag("sessions.second_factor_done", r.second_factor_done)?,
            place: r.place,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PracticeRow {
    id: i64,
    agb_code: String,
    name: String,
}

impl From<PracticeRow> for Practice {
    fn from(r: PracticeRow) -> Self {
        Practice {
            id: r.id,
            agb_code: r.agb_code,
            name: r.name,
        }
    }
}

/// How patients reach the practice: its address and phone, as its extract gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PracticeContact {
    pub address: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    id: i64,
    kind: String,
    name: String,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrganisationRow) -> StoreResult<Organisation> {
        Ok(Organisation {
            id: r.id,
            kind: code("organisations.kind", &r.kind, OrganisationKind::from_code)?,
            name: r.name,
        })
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Db {
    pub async fn practices(&self) -> StoreResult<Vec<Practice>> {
        let rows = sqlx::query_as::<_, PracticeRow>("SELECT id, agb_code, name FROM practices ORDER BY agb_code")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(Practice::from).collect())
    }

    pub async fn practice(&self, id: i64) -> StoreResult<Practice> {
        let r = sqlx::query_as::<_, PracticeRow>("SELECT id, agb_code, name FROM practices WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(r.into())
    }

    /// The practice's address and phone (empty when its extracts have none).
    pub async fn practice_contact(&self, id: i64) -> StoreResult<PracticeContact> {
        sqlx::query_as::<_, PracticeContact>("SELECT address, city, phone FROM practices WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The practice with its address and phone, in one query.
    pub async fn practice_with_contact(&self, id: i64) -> StoreResult<(Practice, PracticeContact)> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            practice: PracticeRow,
            #[sqlx(flatten)]
            contact: PracticeContact,
        }
        let r =
            sqlx::query_as::<_, Row>("SELECT id, agb_code, name, address, city, phone FROM practices WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        Ok((r.practice.into(), r.contact))
    }

    pub async fn practice_by_agb(&self, agb: &str) -> StoreResult<Option<Practice>> {
        let r = sqlx::query_as::<_, PracticeRow>("SELECT id, agb_code, name FROM practices WHERE agb_code = $1")
            .bind(agb)
            .fetch_optional(self.pool())
            .await?;
        Ok(r.map(Practice::from))
    }

    pub async fn organisations(&self) -> StoreResult<Vec<Organisation>> {
        self.read_rows("SELECT id, kind, name FROM organisations ORDER BY name", &[], |c| {
            Organisation::try_from(OrganisationRow {
                id: c.int(0)?,
                kind: c.text(1)?,
                name: c.text(2)?,
            })
        })
        .await
    }

    pub async fn organisation(&self, id: i64) -> StoreResult<Organisation> {
        self.organisations()
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or(StoreError::NotFound)
    }

    pub async fn users(&self) -> StoreResult<Vec<User>> {
        self.read_rows(
            &format!("SELECT {USER_COLUMNS} FROM users ORDER BY display_name"),
            &[],
            |c| User::try_from(UserRow::from_cols(c, 0)?),
        )
        .await
    }

    pub async fn user(&self, id: i64) -> StoreResult<User> {
        let r = sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        r.try_into()
    }

    pub async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let r = sqlx::query_as::<_, CredentialsRow>(&format!(
            "SELECT {USER_COLUMNS}, password_hash, failed_logins, locked_until FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        r.map(Credentials::try_from).transpose()
    }

    /// Counts a failed sign-in; locks the account until `lock_until` when given.
    pub async fn record_failed_login(&self, user_id: i64, lock_until: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = failed_logins + 1, locked_until = COALESCE($1, locked_until) WHERE id = $2")
            .bind(lock_until)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn reset_failed_logins(&self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A new session; `second_factor_done` is false while the user still has to give (or
    /// enrol) their second factor.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf: &str,
        ip: Option<&str>,
        second_factor_done: bool,
    ) -> StoreResult<()> {
        let now = now_timestamp();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, ip, second_factor_done) \
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(&now)
        .bind(ip)
        .bind(store_flag(second_factor_done))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session's user, CSRF token, timestamps and second-factor state.
    pub async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRow>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT u.{}, s.csrf_token, s.created_at, s.last_seen_at, s.second_factor_done, \
                 COALESCE(p.name, o.name, '') AS place FROM sessions s JOIN users u ON u.id = s.user_id \
                 LEFT JOIN practices p ON p.id = u.practice_id LEFT JOIN organisations o ON o.id = u.organisation_id \
                 WHERE s.id_hash = $1 AND u.active = 1",
                USER_COLUMNS.replace(", ", ", u.")
            )
        });
        self.read_row(&SQL, &[Arg::Text(id_hash)], |c| {
            SessionRow::try_from(SessionDbRow {
                user: UserRow::from_cols(c, 0)?,
                csrf_token: c.text(8)?,
                created_at: c.text(9)?,
                last_seen_at: c.text(10)?,
                second_factor_done: c.int(11)?,
                place: c.text(12)?,
            })
        })
        .await
    }

    pub async fn touch_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now_timestamp())
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

impl Change {
    pub async fn create_organisation(&mut self, kind: OrganisationKind, name: &str) -> StoreResult<i64> {
        sqlx::query_scalar("INSERT INTO organisations (kind, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(kind.code())
            .bind(name)
            .bind(now_timestamp())
            .fetch_one(self.conn())
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict(format!("Er bestaat al een organisatie '{name}' van deze soort."))
                } else {
                    e.into()
                }
            })
    }

    pub async fn create_user(&mut self, u: &NewUser) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, practice_id, organisation_id, password_hash, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(u.role.code())
        .bind(u.practice_id)
        .bind(u.organisation_id)
        .bind(&u.password_hash)
        .bind(store_flag(u.is_admin))
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(format!("De gebruikersnaam '{}' is al in gebruik.", u.username))
            } else {
                e.into()
            }
        })
    }

    pub async fn set_user_active(&mut self, id: i64, active: bool) -> StoreResult<()> {
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(store_flag(active))
            .bind(id)
            .execute(self.conn())
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Sets a new password; the user's sessions end.
    pub async fn set_password_hash(&mut self, id: i64, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(self.conn())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
