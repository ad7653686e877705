//! The runbook's routines on the server: when configured change freezes are on, and when the
//! routine checks are due in the team's time zone.

pub mod schedule;
pub mod windows;
