//! Use cases: what opsdeck does, written against ports only.

pub mod env_detail;
pub mod probe_round;
