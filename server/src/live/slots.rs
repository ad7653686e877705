//! How many live streams may be open: in all (`[limits] max_live_streams`) and per session
//! (`live_streams_per_session`: tabs of one browser share a session), so one client cannot hold
//! thousands of streams. A slot is held for as long as its stream lives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct StreamSlots {
    max: u32,
    per_session: u32,
    open: Mutex<(u32, HashMap<String, u32>)>,
}

/// Why no stream was opened, in words.
#[derive(Debug, PartialEq)]
pub enum Full {
    Session(u32),
    Everyone(u32),
}

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Full::Session(n) => write!(
                f,
                "this browser already has {n} live streams open (the most one session may have): close other opsdeck tabs"
            ),
            Full::Everyone(n) => write!(
                f,
                "opsdeck is serving its maximum of {n} live streams: try again in a while"
            ),
        }
    }
}

/// An open stream's place; given back when dropped.
pub struct Slot {
    slots: Arc<StreamSlots>,
    session: Option<String>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|p| p.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(s) = &self.session {
            if let Some(n) = open.1.get_mut(s) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.1.remove(s);
                }
            }
        }
    }
}

impl StreamSlots {
    pub fn new(max: u32, per_session: u32) -> Arc<Self> {
        Arc::new(Self {
            max,
            per_session,
            open: Mutex::new((0, HashMap::new())),
        })
    }

    /// A slot for a stream of `session` (none when nobody signs in: only the overall limit).
    pub fn take(self: &Arc<Self>, session: Option<String>) -> Result<Slot, Full> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.0 >= self.max {
            return Err(Full::Everyone(self.max));
        }
        if let Some(s) = &session {
            let n = open.1.entry(s.clone()).or_insert(0);
            if *n >= self.per_session {
                return Err(Full::Session(self.per_session));
            }
            *n += 1;
        }
        open.0 += 1;
        Ok(Slot {
            slots: self.clone(),
            session,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_session_and_overall() {
        let slots = StreamSlots::new(3, 2);
        let a1 = slots.take(Some("a".into())).unwrap();
        let _a2 = slots.take(Some("a".into())).unwrap();
        assert_eq!(slots.take(Some("a".into())).err(), Some(Full::Session(2)));
        let _b = slots.take(Some("b".into())).unwrap();
        assert_eq!(slots.take(None).err(), Some(Full::Everyone(3)));
        drop(a1);
        assert!(
            slots.take(Some("a".into())).is_ok(),
            "a closed stream frees its slot"
        );
    }
}
