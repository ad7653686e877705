//! The signed-in person's own page: who opsdeck thinks they are, and their GitHub connection.

use super::AppError;
use crate::domain::Role;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub roles: Vec<Role>,
    pub github_login: Option<String>,
    /// Whether "Connect GitHub" is available (GitHub sign-in is configured).
    pub can_connect_github: bool,
}

#[server(prefix = "/api/fn", endpoint = "profile", input = GetUrl)]
pub async fn get_profile() -> Result<Profile, AppError> {
    let me = super::require(Role::Viewer)?;
    let services = super::services()?;
    let github_login = services
        .people
        .github_login(me.user_id)
        .await
        .map_err(|e| super::respond(e.into()))?;
    Ok(Profile {
        name: me.display_name,
        roles: me.roles.into_iter().collect(),
        github_login,
        can_connect_github: services
            .sign_in_with
            .iter()
            .any(|(_, path)| path.contains("github")),
    })
}
