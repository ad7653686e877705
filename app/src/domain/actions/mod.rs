//! Change control: the runbook's risky steps as requests that other people approve, executed once
//! by the server. This module is the pure part — what an action is, which parameters are valid,
//! the policy per kind, and the request's state machine. Storage and execution live elsewhere.

mod action;
mod git_ref;
mod ledger;
mod policy;
mod review;
mod session;
mod view;

pub use action::{Action, ActionFields, ActionKind, RestoreCopy};
pub use ledger::{Decision, Ledger, Outcome, Refusal, State};
pub use policy::{ChangeSettings, Policy};
pub use session::DbSession;
pub use view::{DecisionView, RequestView, Resolution, Signed};
