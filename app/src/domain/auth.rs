//! Who is acting: roles, the identity a sign-in produced, how configuration grants roles to it,
//! and the signed-in principal every check is made against.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a person may do. Admin implies every other role; any role implies viewing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read everything but secrets.
    Viewer,
    /// May request actions.
    Operator,
    /// May approve other people's requests.
    Approver,
    /// May manage wall tokens and see everything.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Operator, Role::Approver, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }
}

/// What an identity provider said about a person after a successful sign-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// `oidc`, `github` or `demo`.
    pub provider: String,
    pub subject: String,
    pub display_name: String,
    pub email: Option<String>,
    pub login: Option<String>,
    pub groups: Vec<String>,
    /// GitHub teams as `org/team-slug` (GitHub sign-in only).
    #[serde(default)]
    pub teams: Vec<String>,
    /// Addresses the provider says it verified (OpenID Connect's `email_verified`, GitHub's
    /// `/user/emails`). An unlinked sign-in whose verified address is a person's verified address
    /// is that person.
    #[serde(default)]
    pub verified_emails: Vec<String>,
}

/// Who a role is granted to, as written in the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grantee {
    /// `user:<email or login>` (case-insensitive).
    User(String),
    /// `group:<name>` from the groups claim (case-sensitive, as the provider spells it).
    Group(String),
    /// `team:<org>/<team-slug>`: a GitHub organisation team (case-insensitive, as GitHub is).
    Team(String),
    /// `*`: everyone who signs in.
    Everyone,
}

impl Grantee {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.split_once(':') {
            _ if raw == "*" => Ok(Grantee::Everyone),
            Some(("user", who)) if !who.is_empty() => Ok(Grantee::User(who.to_ascii_lowercase())),
            Some(("group", name)) if !name.is_empty() => Ok(Grantee::Group(name.to_owned())),
            Some(("team", team)) if team.split_once('/').is_some_and(|(o, t)| !o.is_empty() && !t.is_empty()) => {
                Ok(Grantee::Team(team.to_ascii_lowercase()))
            }
            _ => Err(format!(
                "{raw:?} is not a grantee: write \"user:<email or login>\", \"group:<name>\", \"team:<org>/<team>\" or \"*\""
            )),
        }
    }

    fn matches(&self, id: &Identity) -> bool {
        match self {
            Grantee::Everyone => true,
            Grantee::User(who) => [&id.email, &id.login]
                .into_iter()
                .flatten()
                .any(|v| v.eq_ignore_ascii_case(who)),
            Grantee::Group(name) => id.groups.iter().any(|g| g == name),
            Grantee::Team(team) => id.teams.iter().any(|t| t.eq_ignore_ascii_case(team)),
        }
    }
}

/// Role → grantees, from configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleGrants(pub Vec<(Role, Vec<Grantee>)>);

impl RoleGrants {
    pub fn roles_for(&self, id: &Identity) -> BTreeSet<Role> {
        self.0
            .iter()
            .filter(|(_, who)| who.iter().any(|g| g.matches(id)))
            .map(|(role, _)| *role)
            .collect()
    }
}

/// The signed-in person a request acts for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub display_name: String,
    pub roles: BTreeSet<Role>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        match role {
            Role::Viewer => !self.roles.is_empty(),
            other => self.roles.contains(&other) || self.roles.contains(&Role::Admin),
        }
    }

    /// Query texts and log lines carry whatever clients sent: operators and approvers may read
    /// them; viewers and wall screens get the figures only.
    pub fn may_read_client_text(&self) -> bool {
        self.has(Role::Operator) || self.has(Role::Approver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: &str, groups: &[&str]) -> Identity {
        Identity {
            provider: "oidc".into(),
            subject: "s1".into(),
            display_name: "Ada".into(),
            email: Some(email.into()),
            login: None,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            teams: vec!["conflicto/Oncall".into()],
            verified_emails: vec![email.into()],
        }
    }

    #[test]
    fn grants_by_user_group_and_everyone() {
        let grants = RoleGrants(vec![
            (Role::Viewer, vec![Grantee::parse("*").unwrap()]),
            (
                Role::Operator,
                vec![Grantee::parse("group:oncall").unwrap()],
            ),
            (
                Role::Admin,
                vec![Grantee::parse("user:Ada@Example.com").unwrap()],
            ),
        ]);
        let ada = grants.roles_for(&person("ada@example.com", &["oncall"]));
        assert_eq!(ada, [Role::Viewer, Role::Operator, Role::Admin].into());
        let bob = grants.roles_for(&person("bob@example.com", &["OnCall"]));
        assert_eq!(
            bob,
            [Role::Viewer].into(),
            "group names are matched exactly"
        );
    }

    #[test]
    fn bad_grantees_are_explained() {
        for raw in ["", "user:", "team:ops", "team:/x", "alice"] {
            assert!(
                Grantee::parse(raw)
                    .unwrap_err()
                    .contains("is not a grantee"),
                "{raw}"
            );
        }
    }

    #[test]
    fn admin_implies_every_role_and_no_role_means_nothing() {
        let p = |roles: &[Role]| Principal {
            user_id: 1,
            display_name: "x".into(),
            roles: roles.iter().copied().collect(),
        };
        let admin = p(&[Role::Admin]);
        assert!(Role::ALL.iter().all(|r| admin.has(*r)));
        let operator = p(&[Role::Operator]);
        assert!(operator.has(Role::Viewer) && operator.has(Role::Operator));
        assert!(!operator.has(Role::Approver) && !operator.has(Role::Admin));
        let nobody = p(&[]);
        assert!(Role::ALL.iter().all(|r| !nobody.has(*r)));
    }
}

/// What a page needs to know about the session: who, and the token state-changing requests
/// must carry. Put into each request by the server's sign-in guard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub principal: Principal,
    /// `None` when sign-in is not configured (nothing can be changed then).
    pub csrf_token: Option<String>,
    /// False when opsdeck runs without sign-in (everyone is an anonymous viewer).
    pub signed_in: bool,
    /// A wall screen's read-only session (opened with a wall token).
    #[serde(default)]
    pub wall: bool,
}

/// A ready-made person offered by the demo's sign-in page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoUser {
    pub key: String,
    pub name: String,
    pub roles: Vec<Role>,
}

/// A redirect target after sign-in: only a path on this site, never another origin.
pub fn local_path(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod next_tests {
    use super::local_path;

    #[test]
    fn next_may_only_be_a_local_path() {
        assert_eq!(local_path("/env/prod?x=1"), "/env/prod?x=1");
        for evil in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/\tx",
            "/a\\b",
        ] {
            assert_eq!(local_path(evil), "/", "{evil:?}");
        }
    }
}

/// A wall-screen token as an admin sees it (never the secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WallToken {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}
