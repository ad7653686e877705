//! The audit log for its page: approvers and admins only.

use super::AppError;
use crate::domain::audit::{AuditEvent, AuditFilter};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "audit", input = GetUrl)]
pub async fn get_audit(filter: AuditFilter) -> Result<Vec<AuditEvent>, AppError> {
    super::require(crate::domain::Role::Approver)?;
    super::services()?
        .audit
        .search(&filter)
        .await
        .map_err(|e| super::respond(e.into()))
}
