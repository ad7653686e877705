//! The runbook's routines on the server: when configured change freezes are on.

pub mod windows;
