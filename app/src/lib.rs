//! opsdeck's application crate: what the user sees and what the server does for them.
//!
//! - `domain`: pure types shared by server and browser (statuses, thresholds, health results, snapshots).
//! - `ports` (ssr): traits for the outside world, implemented by adapters in the `server` crate.
//! - `usecases` (ssr): orchestration of ports.
//! - `api`: thin server functions.
//! - `pages` and `components`: the UI.

pub mod api;
pub mod components;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
#[cfg(feature = "ssr")]
pub mod usecases;

mod root;

pub use root::{shell, App};
