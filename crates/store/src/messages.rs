//! Messages about one patient, in threads, between the portal's users and the care team
//! (or within the team only); who read which message; notifications inside Kernteam.

use crate::change::Change;
use crate::convert::{all, flag, opt_timestamp, store_flag, timestamp};
use crate::direct_read::Arg;
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: i64,
    pub patient_id: i64,
    pub subject: String,
    /// Within the care team only: never shown in the portal.
    pub team_only: bool,
    pub created_at: String,
    /// The time of the latest message.
    pub last_at: String,
    pub messages: i64,
    /// Messages by others that the asking user has not read.
    pub unread: i64,
}

#[derive(sqlx::FromRow)]
struct ThreadRow {
    id: i64,
    patient_id: i64,
    subject: String,
    team_only: i64,
    created_at: String,
    last_at: Option<String>,
    messages: i64,
    unread: i64,
}

impl TryFrom<ThreadRow> for Thread {
    type Error = StoreError;
    fn try_from(r: ThreadRow) -> StoreResult<Thread> {
        let created_at = timestamp("message_threads.created_at", r.created_at)?;
        Ok(Thread {
            id: r.id,
            patient_id: r.patient_id,
            subject: r.subject,
            team_only: flag("message_threads.team_only", r.team_only)?,
            last_at: opt_timestamp("messages.created_at", r.last_at)?.unwrap_or_else(|| created_at.clone()),
            created_at,
            messages: r.messages,
            unread: r.unread,
        })
    }
}

/// The thread columns with counts for user `$1`.
const THREAD: &str = "SELECT t.id, t.patient_id, t.subject, t.team_only, t.created_at, \
     (SELECT MAX(m.created_at) FROM messages m WHERE m.thread_id = t.id) AS last_at, \
     (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id) AS messages, \
     (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.author_id <> $1 AND NOT EXISTS \
        (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id = $1)) AS unread \
     FROM message_threads t";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub author_id: i64,
    pub author_name: String,
    /// The author's role code (`poh_o`, `patient`, `mantelzorger` …).
    pub author_role: String,
    pub body: String,
    pub created_at: String,
    /// Who read it (not the author), with when: (name, role code, time).
    pub read_by: Vec<(String, String, String)>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    author_id: i64,
    author_name: String,
    author_role: String,
    body: String,
    created_at: String,
}

#[derive(sqlx::FromRow)]
struct ReadRow {
    message_id: i64,
    name: String,
    role: String,
    read_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub patient_id: Option<i64>,
    /// `team`, `action` or `message`.
    pub kind: String,
    pub text: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    patient_id: Option<i64>,
    kind: String,
    text: String,
    link: String,
    created_at: String,
    read_at: Option<String>,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = StoreError;
    fn try_from(r: NotificationRow) -> StoreResult<Notification> {
        Ok(Notification {
            id: r.id,
            patient_id: r.patient_id,
            kind: r.kind,
            text: r.text,
            link: r.link,
            created_at: timestamp("notifications.created_at", r.created_at)?,
            read_at: opt_timestamp("notifications.read_at", r.read_at)?,
        })
    }
}

/// A new notification for one user.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: i64,
    pub patient_id: Option<i64>,
    pub kind: &'static str,
    pub text: String,
    pub link: String,
}

impl Db {
    /// The patient's threads, latest activity first, with the counts for `user_id`;
    /// `with_team_only`: also the care team's own threads (never for the portal).
    pub async fn threads(&self, patient_id: i64, user_id: i64, with_team_only: bool) -> StoreResult<Vec<Thread>> {
        let rows = sqlx::query_as::<_, ThreadRow>(&format!(
            "{THREAD} WHERE t.patient_id = $2 AND (t.team_only = 0 OR $3 = 1) ORDER BY last_at DESC, t.id DESC"
        ))
        .bind(user_id)
        .bind(patient_id)
        .bind(store_flag(with_team_only))
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// One thread, with the counts for `user_id`.
    pub async fn thread(&self, id: i64, user_id: i64) -> StoreResult<Thread> {
        let r = sqlx::query_as::<_, ThreadRow>(&format!("{THREAD} WHERE t.id = $2"))
            .bind(user_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        r.map(Thread::try_from).transpose()?.ok_or(StoreError::NotFound)
    }

    /// The thread's messages, oldest first, each with who read it.
    pub async fn messages(&self, thread_id: i64) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query_as::<_, MessageRow>(
            "SELECT m.id, m.author_id, u.display_name AS author_name, u.role AS author_role, m.body, m.created_at \
             FROM messages m JOIN users u ON u.id = m.author_id WHERE m.thread_id = $1 ORDER BY m.id",
        )
        .bind(thread_id)
        .fetch_all(self.pool())
        .await?;
        let reads = sqlx::query_as::<_, ReadRow>(
            "SELECT r.message_id, u.display_name AS name, u.role, r.read_at FROM message_reads r \
             JOIN users u ON u.id = r.user_id JOIN messages m ON m.id = r.message_id \
             WHERE m.thread_id = $1 ORDER BY r.read_at, u.display_name",
        )
        .bind(thread_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Message {
                    read_by: reads
                        .iter()
                        .filter(|x| x.message_id == r.id)
                        .map(|x| (x.name.clone(), x.role.clone(), x.read_at.clone()))
                        .collect(),
                    id: r.id,
                    author_id: r.author_id,
                    author_name: r.author_name,
                    author_role: r.author_role,
                    body: r.body,
                    created_at: timestamp("messages.created_at", r.created_at)?,
                })
            })
            .collect()
    }

    /// Messages by others in the patient's threads that the user has not read (the
    /// portal's threads only unless `with_team_only`).
    pub async fn unread_messages(&self, patient_id: i64, user_id: i64, with_team_only: bool) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages m JOIN message_threads t ON t.id = m.thread_id \
             WHERE t.patient_id = $1 AND (t.team_only = 0 OR $3 = 1) AND m.author_id <> $2 AND NOT EXISTS \
             (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id = $2)",
        )
        .bind(patient_id)
        .bind(user_id)
        .bind(store_flag(with_team_only))
        .fetch_one(self.pool())
        .await?)
    }

    /// The user's notifications, newest first (at most 100).
    pub async fn notifications(&self, user_id: i64) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query_as::<_, NotificationRow>(
            "SELECT id, patient_id, kind, text, link, created_at, read_at FROM notifications \
             WHERE user_id = $1 ORDER BY id DESC LIMIT 100",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    pub async fn unread_notifications(&self, user_id: i64) -> StoreResult<i64> {
        Ok(self
            .read_row(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
                &[Arg::Int(user_id)],
                |c| c.int(0),
            )
            .await?
            .unwrap_or(0))
    }
}

impl Change {
    pub async fn add_thread(&mut self, patient_id: i64, subject: &str, team_only: bool, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO message_threads (patient_id, subject, team_only, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(patient_id)
        .bind(subject)
        .bind(store_flag(team_only))
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    pub async fn add_message(&mut self, thread_id: i64, by: i64, body: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO messages (thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(thread_id)
        .bind(by)
        .bind(body)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// Marks every message of the thread by others as read by the user; returns how many
    /// were new to them.
    pub async fn mark_thread_read(&mut self, thread_id: i64, user_id: i64) -> StoreResult<u64> {
        Ok(sqlx::query(
            "INSERT INTO message_reads (message_id, user_id, read_at) \
             SELECT m.id, $2, $3 FROM messages m WHERE m.thread_id = $1 AND m.author_id <> $2 \
             ON CONFLICT (message_id, user_id) DO NOTHING",
        )
        .bind(thread_id)
        .bind(user_id)
        .bind(now_timestamp())
        .execute(self.conn())
        .await?
        .rows_affected())
    }

    pub async fn add_notification(&mut self, n: &NewNotification) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notifications (user_id, patient_id, kind, text, link, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(n.user_id)
        .bind(n.patient_id)
        .bind(n.kind)
        .bind(&n.text)
        .bind(&n.link)
        .bind(now_timestamp())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn mark_notifications_read(&mut self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now_timestamp())
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
