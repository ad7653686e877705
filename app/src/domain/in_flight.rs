//! What is in flight right now: change-control requests waiting, running or with an unknown
//! outcome, with their age — the wall's "in flight" strip and the dashboard's.

use super::actions::State;
use super::EnvName;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A request waiting, running or with an unknown outcome: the "in flight" strip of the wall and
/// the dashboard, with its age.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenRequest {
    pub id: i64,
    pub env: EnvName,
    pub what: String,
    pub state: State,
    pub since: DateTime<Utc>,
}
