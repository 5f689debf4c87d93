//! A thread that does one small thing every so often beside long work (an import) and
//! stops at once when dropped: it waits on a channel, not in a sleep, so dropping it never
//! waits for the rest of an interval.

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// Stops and joins its thread when dropped.
pub struct Periodic {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Periodic {
    /// Starts a thread named `name` that first runs `setup` (on the thread itself, so that
    /// what it opens, say a connection, belongs to the thread) and then calls the tick it
    /// returns every `every` until dropped. A setup that returns `None` ends the thread at
    /// once; so does a thread that cannot be started: either way the work goes on without.
    pub fn start<S, T>(name: &str, every: Duration, setup: S) -> Periodic
    where
        S: FnOnce() -> Option<T> + Send + 'static,
        T: FnMut(),
    {
        let (stop, stopped) = channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let Some(mut tick) = setup() else { return };
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    tick();
                }
            })
            .ok();
        Periodic {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for Periodic {
    fn drop(&mut self) {
        // Closing the channel wakes the thread.
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn ticks_until_dropped_and_stops_at_once() {
        let ticks = Arc::new(AtomicUsize::new(0));
        let counted = ticks.clone();
        let p = Periodic::start("test-periodic", Duration::from_millis(5), move || {
            Some(move || {
                counted.fetch_add(1, Ordering::SeqCst);
            })
        });
        let started = Instant::now();
        while ticks.load(Ordering::SeqCst) < 3 {
            assert!(started.elapsed() < Duration::from_secs(10), "no ticks");
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(p);
        let after = ticks.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(ticks.load(Ordering::SeqCst), after, "ticked after drop");

        // A long interval does not make the drop wait for it.
        let slow = Periodic::start("test-periodic", Duration::from_secs(3600), || Some(|| {}));
        let dropping = Instant::now();
        drop(slow);
        assert!(dropping.elapsed() < Duration::from_secs(60));
    }

    #[test]
    fn a_setup_without_tick_ends_the_thread() {
        let p = Periodic::start("test-periodic", Duration::from_millis(1), || None::<fn()>);
        drop(p);
    }
}
