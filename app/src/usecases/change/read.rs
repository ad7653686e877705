//! Change control's pages: one request beside the evidence now, and the actions page.

use crate::domain::change::{ActionsPage, LastKnownGood, RequestPage};
use crate::domain::{AppError, Principal, Role};
use crate::ports::Services;

pub async fn request_page(
    services: &Services,
    who: &Principal,
    id: i64,
) -> Result<RequestPage, AppError> {
    let request = services
        .actions
        .get(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no request {id}")))?;
    let version_label = match &request.action {
        crate::domain::actions::Action::Rollback { version } => services
            .live
            .dashboard()
            .clouds
            .iter()
            .filter_map(|c| c.deploys.as_ref()?.value.as_ref())
            .flat_map(|p| p.runs.iter())
            .find(|r| r.head_sha == *version || r.tag.as_deref() == Some(version.as_str()))
            .map(|r| r.version_label()),
        _ => None,
    };
    let drill = if request.action.kind() == crate::domain::actions::ActionKind::Restore {
        services.routines.drill_for(id).await?
    } else {
        None
    };
    Ok(RequestPage {
        request,
        evidence_now: super::evidence_now(services),
        viewer_id: who.user_id,
        viewer_can_approve: who.has(Role::Approver),
        generated_at: chrono::Utc::now(),
        drill,
        viewer_can_record_drill: who.has(Role::Operator),
        version_label,
    })
}

pub async fn actions_page(services: &Services, who: &Principal) -> Result<ActionsPage, AppError> {
    let requests = services.actions.list(100).await?;
    let dashboard = services.live.dashboard();
    let last_known_good = dashboard
        .clouds
        .iter()
        .filter_map(|c| {
            let good = c.deploys.as_ref()?.value.as_ref()?.last_known_good()?;
            Some(LastKnownGood {
                env: c.name.clone(),
                sha: good.head_sha.clone(),
                message: good.message.clone().unwrap_or_default(),
                label: good.version_label(),
            })
        })
        .collect();
    Ok(ActionsPage {
        last_known_good,
        requests,
        environments: dashboard
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect(),
        session_actions: dashboard
            .environments
            .iter()
            .map(|e| e.name.clone())
            .filter(|n| services.change.offers_session_actions(n.as_str()))
            .collect(),
        policies: services.change.policies.clone(),
        max_tasks: services.change.max_tasks,
        viewer_id: who.user_id,
        viewer_can_request: who.has(Role::Operator),
        viewer_can_approve: who.has(Role::Approver),
        generated_at: chrono::Utc::now(),
    })
}
