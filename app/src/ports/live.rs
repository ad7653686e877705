//! Reading the live state the server's pollers keep current.

use crate::domain::Dashboard;

pub trait LiveStatus: Send + Sync {
    /// The current snapshot of every environment. Cheap: no upstream call is made.
    fn dashboard(&self) -> Dashboard;
}
