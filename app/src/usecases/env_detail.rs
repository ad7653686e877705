//! The detail of one environment: its live snapshot plus stored history.

use crate::domain::deploys::ReviewAbility;
use crate::domain::evidence::EnvEvidence;
use crate::domain::{history, Endpoint, EnvName};
use crate::domain::{AppError, EnvDetail};
use crate::ports::{PortError, Services};
use chrono::{Duration, Utc};

#[tracing::instrument(skip(services, who))]
pub async fn env_detail(
    services: &Services,
    name: &str,
    who: &crate::domain::Principal,
) -> Result<EnvDetail, AppError> {
    let name = EnvName::parse(name).map_err(|e| AppError::NotFound(e.to_string()))?;
    let dashboard = services.live.dashboard();
    let snapshot = dashboard.env(name.as_str()).cloned().ok_or_else(|| {
        AppError::NotFound(format!(
            "no environment named {:?} is configured",
            name.as_str()
        ))
    })?;
    let now = Utc::now();
    // A failing database costs the stored history, never the live view.
    let stored = async {
        let points = services
            .samples
            .since(&name, Endpoint::Health, now - Duration::hours(24))
            .await?;
        let recent = services.samples.recent(&name, 60).await?;
        Ok::<_, PortError>((points, recent))
    };
    let (points, recent, history_error) = match stored.await {
        Ok((p, r)) => (p, r, None),
        Err(e) => {
            tracing::warn!("stored history unavailable: {e}");
            (
                vec![],
                vec![],
                Some(format!("Stored history is unavailable ({e}).")),
            )
        }
    };
    let evidence = evidence_now(&dashboard);
    let has_gate = services
        .deploys
        .iter()
        .any(|(n, t)| n == &name && t.approval_environment.is_some());
    let mut review = if !has_gate {
        ReviewAbility::default()
    } else if !who.has(crate::domain::Role::Approver) {
        ReviewAbility {
            can_review: false,
            why_not: Some("Reviewing deploys needs the approver role.".into()),
            ..Default::default()
        }
    } else {
        match services.user_tokens.token_for(who.user_id).await {
            Ok(_) => ReviewAbility {
                can_review: true,
                why_not: None,
                ..Default::default()
            },
            Err(e) => ReviewAbility {
                can_review: false,
                why_not: Some(format!("To review here, {}.", e.detail())),
                ..Default::default()
            },
        }
    };
    // What the gate card's checklist is evaluated with, live, in the browser.
    review.gate = services.gate.clone();
    review.tested_first_in = services
        .deploys
        .iter()
        .find(|(n, _)| n == &name)
        .and_then(|(_, t)| t.tested_first_name.clone());
    Ok(EnvDetail {
        evidence,
        review,
        snapshot,
        history_24h: history::buckets(&points, now, Duration::minutes(15), 96),
        recent,
        generated_at: now,
        history_error,
        demo: dashboard.demo,
        cloud: dashboard.cloud(name.as_str()).cloned(),
    })
}

/// Every environment's health and key metrics in `dashboard`: the evidence beside a deploy review
/// and stored with an action request.
pub fn evidence_now(dashboard: &crate::domain::Dashboard) -> Vec<EnvEvidence> {
    dashboard
        .environments
        .iter()
        .map(|e| EnvEvidence::of(e, dashboard.cloud(e.name.as_str())))
        .collect()
}
