//! The actions worker. Every opsdeck process runs one; they share the work through the store: an
//! approved request is claimed so no other worker can take it, re-checked with the state machine,
//! marked executing — and only then is AWS or GitHub called, within a time limit — and the outcome
//! recorded. If the process dies mid-call, the store notices (see `store::actions::execution`) and
//! a sweeper marks the request "outcome unknown — verify". Nothing is ever retried.
//!
//! The protocol (order, time limits, what counts as which outcome) lives here; how claims and
//! executions are held lives in the store, behind the `ActionRequests` port.

use app::domain::actions::{Action, State};
use app::ports::{ActionExecutor, ActionRequests, ExecutionContext, PortError, UserTokens};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// The longest a call to AWS or GitHub may take before its outcome counts as unknown.
const EXECUTION_BOUND: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct Worker {
    pub requests: Arc<dyn ActionRequests>,
    pub executor: Arc<dyn ActionExecutor>,
    pub tokens: Arc<dyn UserTokens>,
    /// Where the requests in flight are published.
    pub hub: Arc<crate::live::Hub>,
    /// Stopping all writes makes an incident: proposed, or declared with `auto_declare`.
    pub incidents: Arc<dyn app::ports::incidents::Incidents>,
    pub auto_declare: bool,
}

pub fn spawn(worker: Worker, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move {
        loop {
            if let Err(e) = worker.requests.sweep_abandoned().await {
                tracing::warn!("checking for abandoned executions failed: {e}");
            }
            if let Err(e) = worker.requests.expire_due(Utc::now()).await {
                tracing::warn!("expiring old requests failed: {e}");
            }
            loop {
                match run_one(&worker).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!("the actions worker could not claim work: {e}");
                        break;
                    }
                }
            }
            publish_in_flight(&worker).await;
            // Approvals are people's clicks: looking once a second is soon enough.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// Publish the requests waiting, running or unknown to the live stream (the `inbox` event).
async fn publish_in_flight(w: &Worker) {
    match w.requests.in_flight().await {
        Ok(open) => w.hub.set_inbox(open),
        Err(e) => tracing::warn!("listing the requests in flight failed: {e}"),
    }
}

/// Claim and execute one approved request; its id, or `None` when there is nothing to do.
pub async fn run_one(w: &Worker) -> Result<Option<i64>, PortError> {
    let Some(claim) = w.requests.claim_next().await? else {
        return Ok(None);
    };
    let id = claim.request().id;
    if !claim.ledger().executable(Utc::now()) {
        // Approved too late, or not by enough people: never executed.
        claim.expire("not executable when claimed").await?;
        return Ok(Some(id));
    }
    let action = claim.request().action.clone();
    let claim_reason = claim.request().reason.clone();
    let env = claim.request().env.clone();
    // The approver whose decision made it executable acts on GitHub (a rollback is theirs).
    let token = match (&action, claim.final_approver()) {
        (Action::Rollback { .. }, Some(user)) => w.tokens.token_for(user).await.ok(),
        _ => None,
    };
    let ctx = ExecutionContext {
        request_id: id,
        requester: claim.request().requester.clone(),
        token,
    };
    let running = claim.mark_executing().await?;
    // Everyone watching sees "executing" now, not when the outside system has answered.
    publish_in_flight(w).await;
    let (state, result) =
        match tokio::time::timeout(EXECUTION_BOUND, w.executor.execute(&env, &action, ctx)).await {
            Ok(Ok(words)) => (State::Succeeded, words),
            // Sent, and no definite answer: it may have happened. Verify; never retry.
            Ok(Err(PortError::OutcomeUnknown(why))) => (State::OutcomeUnknown, why),
            // A definite refusal, or never sent: it did not happen.
            Ok(Err(e)) => (State::Failed, e.detail().to_owned()),
            Err(_) => (
                State::OutcomeUnknown,
                "no answer within 5 minutes: verify the real state".to_owned(),
            ),
        };
    // The runbook: "document exact time of incident". Writes stopped now; the incident starts.
    let incident_started = matches!(action, Action::StopWrites) && state == State::Succeeded;
    let reason = claim_reason;
    running.finish(state, &result, incident_started).await?;
    tracing::info!(request = id, state = state.as_str(), "action executed");
    if incident_started {
        let why = format!("writes stopped by request {id}: {reason}");
        let r = app::usecases::incident::propose_or_declare(
            w.incidents.as_ref(),
            w.auto_declare,
            &env,
            Utc::now(),
            why,
            app::domain::incident::Severity::Critical,
        )
        .await;
        if let Err(e) = r {
            tracing::warn!(request = id, "proposing an incident failed: {e}");
        }
    }
    Ok(Some(id))
}
