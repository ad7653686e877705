//! The incident room's use cases: declare (from a click or a proposal), change (lead, status,
//! severity, notes, escalation steps, resolution), and read the room and the list. The server's
//! watchers (proposals, timers) call `declare` too.

mod change;
mod declare;
mod room;

pub use change::{change, ChangeForm};
pub use declare::{declare, declare_as, dismiss, propose_or_declare, DeclareForm};
pub use room::{incidents_page, room, timeline};

use crate::domain::AppError;

fn bad(m: impl Into<String>) -> AppError {
    AppError::BadRequest(m.into())
}
