//! Searches of the practice list, held on the server so that the search words (a name, a
//! birth date, a BSN) never appear in a URL: not in the browser's history, the proxy's
//! access log or a `Referer` header. The search form posts the words; the server keeps them
//! under a random reference that only the same user can use, and the list's URL carries
//! that reference.
//!
//! Held in memory: a restart forgets them (the page then asks to search again). Each
//! expires after [`HELD_FOR`]; at most [`MAX_HELD`] are kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::RngCore;

use crate::error::{Error, Result};
use crate::gate::PracticeStaff;
use crate::App;

/// How long a held search can be used (a working day).
pub const HELD_FOR: Duration = Duration::from_secs(10 * 60 * 60);
/// At most this many searches are held; the oldest go first.
pub const MAX_HELD: usize = 10_000;
/// Longest search, in characters.
pub const SEARCH_MAX_CHARS: usize = 200;

#[derive(Debug)]
struct Held {
    user_id: i64,
    words: String,
    at: Instant,
}

#[derive(Debug, Default)]
pub(crate) struct HeldSearches(Mutex<HashMap<String, Held>>);

fn reference() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl HeldSearches {
    fn hold(&self, user_id: i64, words: &str, now: Instant) -> String {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|_, h| now.duration_since(h.at) < HELD_FOR);
        if let Some((r, h)) = held.iter_mut().find(|(_, h)| h.user_id == user_id && h.words == words) {
            h.at = now;
            return r.clone();
        }
        while held.len() >= MAX_HELD {
            let Some(oldest) = held.iter().min_by_key(|(_, h)| h.at).map(|(r, _)| r.clone()) else {
                break;
            };
            held.remove(&oldest);
        }
        let r = reference();
        held.insert(
            r.clone(),
            Held {
                user_id,
                words: words.to_string(),
                at: now,
            },
        );
        r
    }

    fn get(&self, user_id: i64, reference: &str, now: Instant) -> Option<String> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.get(reference)
            .filter(|h| h.user_id == user_id && now.duration_since(h.at) < HELD_FOR)
            .map(|h| h.words.clone())
    }
}

impl App {
    /// Holds the staff member's search words and returns the reference to put in the
    /// list's URL. Empty words need no reference (`None`: show everyone).
    pub fn hold_search(&self, staff: &PracticeStaff, words: &str) -> Result<Option<String>> {
        let words = words.trim();
        if words.is_empty() {
            return Ok(None);
        }
        if words.chars().count() > SEARCH_MAX_CHARS {
            return Err(Error::invalid(format!(
                "Een zoekopdracht mag hoogstens {SEARCH_MAX_CHARS} tekens lang zijn."
            )));
        }
        Ok(Some(self.lists.searches.hold(
            staff.actor().user().id,
            words,
            Instant::now(),
        )))
    }

    /// The search words held under `reference` for this staff member; `None` when it
    /// expired, was forgotten at a restart or belongs to someone else.
    pub fn held_search(&self, staff: &PracticeStaff, reference: &str) -> Option<String> {
        self.lists
            .searches
            .get(staff.actor().user().id, reference, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_search_is_for_its_user_and_expires() {
        let s = HeldSearches::default();
        let t0 = Instant::now();
        let r = s.hold(1, "jansen 1940", t0);
        assert_eq!(r.len(), 32);
        assert!(!r.contains("jansen"));
        assert_eq!(s.get(1, &r, t0).as_deref(), Some("jansen 1940"));
        assert_eq!(s.get(2, &r, t0), None, "another user");
        assert_eq!(s.get(1, "0000", t0), None);
        assert_eq!(s.hold(1, "jansen 1940", t0), r, "the same search keeps its reference");
        assert_ne!(s.hold(2, "jansen 1940", t0), r);
        assert_eq!(s.get(1, &r, t0 + HELD_FOR), None, "expired");
    }
}
