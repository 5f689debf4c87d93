//! The thread behind [`super::SnapshotWriter`]: it puts a snapshot together from owned
//! rows sent in batches (tests, tools). The import fills a [`SnapshotBuilder`] on its
//! reader's own thread instead.

use tokio::sync::{mpsc, oneshot};

use super::builder::{ByHisId, SnapshotBuilder};
use super::SnapshotRow;
use crate::people::PracticeContact;
use crate::{StoreError, StoreResult};

/// What the buffer thread is told.
pub(super) enum Command {
    Contact(PracticeContact),
    Rows(Vec<SnapshotRow>),
    /// Hand over what is put together.
    Finish,
}

/// The writer's ends of the buffer thread's channels.
pub(super) struct BufferEnds {
    commands: mpsc::Sender<Command>,
    done: oneshot::Receiver<SnapshotBuilder>,
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
            let mut b = ByHisId::default();
            // A closed channel without `Finish` is an abandoned import: drop it all.
            while let Some(c) = rx.blocking_recv() {
                match c {
                    Command::Contact(c) => b.builder.contact(c),
                    Command::Rows(rows) => {
                        for row in &rows {
                            b.note(row);
                        }
                    }
                    Command::Finish => {
                        let _ = done_tx.send(b.builder);
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

    pub(super) async fn finish(mut self) -> StoreResult<SnapshotBuilder> {
        self.send(Command::Finish).await?;
        self.done.await.map_err(|_| gone())
    }
}
