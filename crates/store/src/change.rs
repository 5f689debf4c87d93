//! A change of care records, accounts or organisations, and its audit records, in one
//! transaction.
//!
//! Every write that a use case makes is a method on [`Change`] (in the module of what it
//! writes: `decisions.rs`, `team.rs`, …), so no such write can happen outside one. A
//! change is made by [`Db::change`] and ends in [`Change::commit`], which appends the
//! change's audit records inside the same transaction and commits both, or neither:
//! a change without an audit record is refused, and dropping a change without committing
//! it rolls it back.

use crate::care::AuditEntry;
use crate::{Backend, Db, StoreError, StoreResult};

/// An open transaction for one change (see the module documentation).
pub struct Change {
    db: Db,
    tx: sqlx::Transaction<'static, sqlx::Any>,
}

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change").field("backend", &self.db.backend()).finish()
    }
}

impl Db {
    /// Begins a change. On SQLite the transaction takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that a change that reads before it writes never fails on
    /// upgrading its lock; on PostgreSQL rows are locked as they are written.
    pub async fn change(&self) -> StoreResult<Change> {
        let tx = match self.backend() {
            Backend::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool().begin().await?,
        };
        Ok(Change { db: self.clone(), tx })
    }
}

impl Change {
    /// Appends the change's audit records inside its transaction and commits both; then
    /// anchors the chain head. Refuses an empty list: a change is never unaudited.
    pub async fn commit(mut self, audit: &[AuditEntry]) -> StoreResult<()> {
        if audit.is_empty() {
            return Err(StoreError::Corrupt(
                "een wijziging zonder auditregel wordt niet opgeslagen".into(),
            ));
        }
        let head = self.db.audit_in(&mut self.tx, audit).await?;
        self.db.commit_audited(self.tx, head).await
    }

    /// The transaction's connection, for the write methods.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The transaction, for writes shared with other paths (see `documents::NewVersion`).
    pub(crate) fn tx(&mut self) -> &mut sqlx::Transaction<'static, sqlx::Any> {
        &mut self.tx
    }
}

impl AuditEntry {
    /// The audit record of a change made on the command line (`kernteam user add`, the
    /// demo data), where no signed-in user acts.
    pub fn command_line(action: &str, detail: Option<String>) -> AuditEntry {
        AuditEntry {
            username: "kernteam".into(),
            role: "opdrachtregel".into(),
            action: action.into(),
            detail,
            ..Default::default()
        }
    }
}

/// One write in a change of its own, committed with one audit record:
/// `audited!(db, entry, |ch| ch.add_decision(..))` is a `StoreResult` of what the write
/// returns. For the command line and tests; use cases that write more open a [`Change`].
#[macro_export]
macro_rules! audited {
    ($db:expr, $entry:expr, |$ch:ident| $write:expr) => {
        async {
            let mut $ch = $db.change().await?;
            let out = $write.await?;
            $ch.commit(&[$entry]).await?;
            Ok::<_, $crate::StoreError>(out)
        }
        .await
    };
}
