//! Change control's outside world: the stored requests (Postgres) and the systems that carry
//! actions out (AWS, GitHub — or the demo's simulation).

use super::{PortError, UserToken};
use crate::domain::actions::{Action, Decision, Ledger, Policy, RequestView, State};
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

    /// A second person's review of a break-glass execution: once, under the request's row lock.
    async fn review(&self, id: i64, user_id: i64, who: &str) -> Result<(), PortError>;

    /// A person's verdict on an "outcome unknown" request after looking at the real state:
    /// `done` (it happened) or not, with a reason; the new state.
    async fn resolve(
        &self,
        id: i64,
        user_id: i64,
        who: &str,
        done: bool,
        reason: &str,
    ) -> Result<State, PortError>;

    async fn get(&self, id: i64) -> Result<Option<RequestView>, PortError>;

    /// Newest first.
    async fn list(&self, limit: i64) -> Result<Vec<RequestView>, PortError>;

    // What the actions worker needs. The worker owns the protocol (order, time limits); the
    // store owns how a claim and an execution are held (row locks, an execution lock that lives
    // exactly as long as the executing process's connection).

    /// Claim the oldest approved request that no one else holds, for execution.
    async fn claim_next(&self) -> Result<Option<Box<dyn ClaimedRequest>>, PortError>;

    /// Requests marked executing whose executing process is gone become "outcome unknown";
    /// how many.
    async fn sweep_abandoned(&self) -> Result<u64, PortError>;

    /// Pending requests past their expiry become expired; how many.
    async fn expire_due(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64, PortError>;

    /// Requests waiting for a decision, running, or with an unknown outcome, oldest first.
    async fn in_flight(&self) -> Result<Vec<crate::domain::in_flight::OpenRequest>, PortError>;
}

/// An approved request claimed by one worker; nobody else can claim it meanwhile.
#[async_trait::async_trait]
pub trait ClaimedRequest: Send {
    fn request(&self) -> &RequestView;
    /// The state machine's view, decisions by person included.
    fn ledger(&self) -> &Ledger;
    /// The person whose approval made it executable (a rollback is dispatched as them).
    fn final_approver(&self) -> Option<i64>;
    /// Not executable after all (approved too late, not enough approvals): expire it, unexecuted.
    async fn expire(self: Box<Self>, why: &str) -> Result<(), PortError>;
    /// Mark it executing and commit, before anything is called; the returned execution holds the
    /// execution lock until it is finished (or its process dies).
    async fn mark_executing(self: Box<Self>) -> Result<Box<dyn Execution>, PortError>;
}

/// A request being executed.
#[async_trait::async_trait]
pub trait Execution: Send {
    /// Record the outcome (`result`: AWS's or GitHub's answer in words) with its audit event;
    /// `incident_started` also records the start of an incident (stopping all writes).
    async fn finish(
        self: Box<Self>,
        state: State,
        result: &str,
        incident_started: bool,
    ) -> Result<(), PortError>;
}

/// What an execution is for: the request (tagged on what it creates), who asked, and the
/// approver's GitHub token for actions GitHub must record as a person's (rollback).
pub struct ExecutionContext {
    pub request_id: i64,
    pub requester: String,
    pub token: Option<UserToken>,
}

#[async_trait::async_trait]
pub trait ActionExecutor: Send + Sync {
    /// Complete an action when it is requested, with what it will copy from the environment (a
    /// restore's network and settings), so approvers see exactly what will be sent.
    async fn prepare(&self, env: &EnvName, action: Action) -> Result<Action, PortError>;

    /// Carry `action` out on `env`, once; AWS's or GitHub's answer in words. An answer that leaves
    /// the outcome open is [`PortError::OutcomeUnknown`].
    async fn execute(
        &self,
        env: &EnvName,
        action: &Action,
        ctx: ExecutionContext,
    ) -> Result<String, PortError>;

    /// Look at the real state after an outcome became unknown: what is true now, in words.
    async fn verify(&self, env: &EnvName, action: &Action) -> Result<String, PortError>;
}
