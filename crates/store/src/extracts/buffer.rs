//! The thread that puts a snapshot together in memory while the import's reader parses:
//! the facts of every patient and the kept records, encoded as the rows arrive, so that
//! the writers only store finished values. Memory holds one practice's encoded snapshot
//! (what the stored result needs), not its rows.

use tokio::sync::{mpsc, oneshot};

use super::{RowCounts, SnapshotRow};
use crate::facts_blob::FactsBuilder;
use crate::people::PracticeContact;
use crate::records_blob::RecordsBuilder;
use crate::{StoreError, StoreResult};

/// What the buffer thread is told.
pub(super) enum Command {
    Contact(PracticeContact),
    Rows(Vec<SnapshotRow>),
    /// Hand over what is put together.
    Finish,
}

/// A snapshot put together, ready to be written.
pub(crate) struct Buffered {
    pub contact: Option<PracticeContact>,
    pub facts: FactsBuilder,
    pub records: RecordsBuilder,
    pub counts: RowCounts,
}

/// The writer's ends of the buffer thread's channels.
pub(super) struct BufferEnds {
    commands: mpsc::Sender<Command>,
    done: oneshot::Receiver<Buffered>,
}

fn gone() -> StoreError {
    StoreError::Corrupt("de verwerking van het extract is onverwacht gestopt".into())
}

pub(super) fn start() -> StoreResult<BufferEnds> {
    let (commands, mut rx) = mpsc::channel::<Command>(4);
    let (done_tx, done) = oneshot::channel();
    std::thread::Builder::new()
        .name("kernteam-import-buffer".into())
        .spawn(move || {
            let mut b = Buffered {
                contact: None,
                facts: FactsBuilder::default(),
                records: RecordsBuilder::default(),
                counts: RowCounts::default(),
            };
            // A closed channel without `Finish` is an abandoned import: drop it all.
            while let Some(c) = rx.blocking_recv() {
                match c {
                    Command::Contact(c) => b.contact = Some(c),
                    Command::Rows(rows) => {
                        for row in &rows {
                            row.note(&mut b.facts, &mut b.records, &mut b.counts);
                        }
                    }
                    Command::Finish => {
                        let _ = done_tx.send(b);
                        return;
                    }
                }
            }
        })
        .map_err(|e| StoreError::Corrupt(format!("verwerkingsthread niet te starten: {e}")))?;
    Ok(BufferEnds { commands, done })
}

impl BufferEnds {
    pub(super) async fn send(&mut self, c: Command) -> StoreResult<()> {
        self.commands.send(c).await.map_err(|_| gone())
    }

    pub(super) async fn finish(mut self) -> StoreResult<Buffered> {
        self.send(Command::Finish).await?;
        self.done.await.map_err(|_| gone())
    }
}
