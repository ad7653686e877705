//! The demo's ready-made people: a viewer, an operator, two approvers and an admin.

use app::domain::{DemoUser, Grantee, Identity, Role, RoleGrants};

const PEOPLE: [(&str, &str, Role); 5] = [
    ("vera", "Vera Viewer", Role::Viewer),
    ("oscar", "Oscar Operator", Role::Operator),
    ("alice", "Alice Approver", Role::Approver),
    ("abel", "Abel Approver", Role::Approver),
    ("ada", "Ada Admin", Role::Admin),
];

/// The people and the grants that give them their roles, as configuration would.
pub fn people() -> (Vec<(DemoUser, Identity)>, RoleGrants) {
    let users = PEOPLE
        .iter()
        .map(|(key, name, role)| {
            let email = format!("{key}@demo.opsdeck");
            let user = DemoUser {
                key: (*key).to_owned(),
                name: (*name).to_owned(),
                roles: vec![*role],
            };
            let identity = Identity {
                provider: "demo".into(),
                subject: (*key).to_owned(),
                display_name: (*name).to_owned(),
                email: Some(email.clone()),
                login: None,
                groups: vec![],
                teams: vec![],
                verified_emails: vec![email],
            };
            (user, identity)
        })
        .collect();
    let grants = RoleGrants(
        Role::ALL
            .into_iter()
            .map(|role| {
                let who = PEOPLE
                    .iter()
                    .filter(|(_, _, r)| *r == role)
                    .map(|(key, _, _)| Grantee::User(format!("{key}@demo.opsdeck")))
                    .collect();
                (role, who)
            })
            .collect(),
    );
    (users, grants)
}
