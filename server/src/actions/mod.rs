//! Executing approved action requests exactly once, and noticing executions a dead process left
//! behind. See the migration `action_requests` for the protocol.

pub mod db_sessions;
pub mod executor;
pub mod worker;
