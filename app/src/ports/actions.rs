//! Change control's outside world: the stored requests (Postgres) and the systems that carry
//! actions out (AWS, GitHub — or the demo's simulation).

use super::{PortError, UserToken};
use crate::domain::actions::{Action, Decision, Policy, RequestView, State};
use crate::domain::evidence::EnvEvidence;
use crate::domain::EnvName;

pub struct NewRequest {
    pub env: EnvName,
    pub action: Action,
    pub reason: String,
    pub requester_id: i64,
    pub requester: String,
    pub policy: Policy,
    pub evidence: Vec<EnvEvidence>,
}

#[async_trait::async_trait]
pub trait ActionRequests: Send + Sync {
    /// Store a new request (and its audit event); its id.
    async fn create(&self, r: NewRequest) -> Result<i64, PortError>;

    /// Record a decision atomically with the request's new state and its audit event. A refusal
    /// by the policy comes back as `PortError::Denied` with the reason in words.
    async fn decide(
        &self,
        id: i64,
        who: &str,
        decision: Decision,
        comment: &str,
    ) -> Result<State, PortError>;

    /// A second person's review of a break-glass execution.
    async fn review(&self, id: i64, user_id: i64, who: &str) -> Result<(), PortError>;

    async fn get(&self, id: i64) -> Result<Option<RequestView>, PortError>;

    /// Newest first.
    async fn list(&self, limit: i64) -> Result<Vec<RequestView>, PortError>;
}

#[async_trait::async_trait]
pub trait ActionExecutor: Send + Sync {
    /// Carry `action` out on `env`; AWS's or GitHub's answer in words. `token`: the approver's
    /// GitHub token, for actions GitHub must record as a person's (rollback).
    async fn execute(
        &self,
        env: &EnvName,
        action: &Action,
        token: Option<UserToken>,
    ) -> Result<String, PortError>;

    /// Look at the real state after an outcome became unknown: what is true now, in words.
    async fn verify(&self, env: &EnvName, action: &Action) -> Result<String, PortError>;
}
