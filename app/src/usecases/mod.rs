//! Use cases: what opsdeck does, written against ports only.

pub mod change;
pub mod checks;
pub mod cloud_metrics;
pub mod database;
pub mod deploy_review;
pub mod deploys;
pub mod env_detail;
pub mod incident;
pub mod logs;
pub mod probe_round;
pub mod routines;
pub mod weekly;
