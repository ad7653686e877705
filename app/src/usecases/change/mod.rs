//! Change control's use cases: ask for an action, decide on a request, review a break-glass
//! execution, verify an outcome nobody knows, and read the pages. Every rule lives here (or in the
//! domain's state machine); the server functions only check the role, call these, and map errors.

mod decide;
mod read;
mod request;

pub use decide::{decide, resolve, review, verify};
pub use read::{actions_page, request_page};
pub use request::{request, RequestForm};

use crate::domain::evidence::EnvEvidence;
use crate::ports::Services;

/// Every environment's health and key metrics now.
fn evidence_now(services: &Services) -> Vec<EnvEvidence> {
    crate::usecases::env_detail::evidence_now(&services.live.dashboard())
}
