//! The opsdeck server: configuration, startup, routes, the live hub and the adapters that
//! implement the application's ports. `main.rs` only parses the command line.

pub mod actions;
pub mod audit_head;
pub mod auth;
pub mod aws;
pub mod cli;
pub mod config;
pub mod dbdiag;
pub mod github;
pub mod live;
pub mod log_pattern;
pub mod logs;
pub mod metrics;
pub mod notify;
pub mod probe;
pub mod router;
pub mod routes;
pub mod routines;
pub mod sim;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod wiring;
