//! The GitHub adapter: one [`GithubRepo`] per repository implements `app`'s
//! [`DeploySource`](app::ports::DeploySource) (`deploys`), over a REST client that owns how
//! opsdeck talks to GitHub (`client`). Reads use the server's token and conditional requests
//! (an unchanged answer is a 304 that costs nothing against the hourly limit); reviews and
//! dispatches use the person's own token (`user_tokens`).
//!
//! octocrab is not used: its typed calls lack what the deploys panel reads (see README.md,
//! "Architecture").

mod client;
mod deploys;
mod payloads;
pub mod user_tokens;

pub use deploys::GithubRepo;
