//! Reusable pieces of the UI. Each takes plain domain values; pages decide what is reactive.

pub mod age;
pub mod certificate;
pub mod check_due;
pub mod cloud;
pub mod drill;
pub mod env_tile;
pub mod freeze;
pub mod header;
pub mod in_flight;
pub mod incident;
pub mod live;
pub mod log_line;
pub mod log_tail;
pub mod outcome;
pub mod refresh;
pub mod session;
pub mod sparkline;
pub mod status;
pub mod timing_bar;
pub mod waiting;
pub mod wall_incident;
pub mod watch;

pub use age::Age;
pub use env_tile::EnvTile;
pub use header::Header;
pub use sparkline::Sparkline;
pub use status::StatusBadge;
pub use timing_bar::TimingBar;
