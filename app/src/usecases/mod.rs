//! Use cases: what opsdeck does, written against ports only.

pub mod cloud_metrics;
pub mod deploys;
pub mod env_detail;
pub mod probe_round;
