//! The pre-deploy checklist, evaluated for a run waiting at the approval gate: tested first in the
//! earlier environment, no open incident in the target, no change freeze, the target healthy now,
//! a rollback target, and "migrations reviewed" when the commits touch migration paths. The same
//! evaluation draws the gate card (from live data) and decides on the server whether a review may
//! go to GitHub — the button alone is not a guard.

use super::freeze::ActiveFreeze;
use crate::domain::Level;
use serde::{Deserialize, Serialize};

/// `[gate]`: what the checklist requires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateSettings {
    /// A prod run whose commit was not deployed to the earlier environment first is refused.
    pub require_tested_first: bool,
    /// Changed files under these paths make "migrations reviewed" a box to tick.
    pub migration_paths: Vec<String>,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            require_tested_first: true,
            migration_paths: vec![
                "migrations/".into(),
                "alembic/".into(),
                "db/migrate/".into(),
            ],
        }
    }
}

impl GateSettings {
    /// The changed files a reviewer must look at as migrations.
    pub fn migration_files(&self, files: &[String]) -> Vec<String> {
        files
            .iter()
            .filter(|f| {
                self.migration_paths
                    .iter()
                    .any(|p| f.starts_with(p.as_str()) || f.contains(&format!("/{}", p.as_str())))
            })
            .cloned()
            .collect()
    }
}

/// Everything the checklist is evaluated from.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct GateFacts {
    pub target: String,
    /// `Some(env)` when the target has an environment commits must pass first.
    pub tested_first_in: Option<String>,
    /// Whether this run's commit went through it (`None` when not known or not configured).
    pub tested_first: Option<bool>,
    /// Open incidents concerning the target: (id, title).
    pub open_incidents: Vec<(i64, String)>,
    pub freeze: Option<ActiveFreeze>,
    /// The target's health level now.
    pub target_level: Level,
    /// The last known good deploy, in words ("abc1234 Fix checkout").
    pub rollback_target: Option<String>,
    /// Changed files under the migration paths.
    pub migration_files: Vec<String>,
    /// The approver ticked "migrations reviewed".
    pub migrations_reviewed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckState {
    Pass,
    Fail,
    /// Nothing to check here (no earlier environment configured, no migrations changed).
    NotApplicable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckItem {
    /// Stable name: `tested_first`, `no_incident`, `no_freeze`, `healthy`, `rollback_target`,
    /// `migrations`.
    pub key: String,
    pub label: String,
    pub state: CheckState,
    /// What it was decided on, in words.
    pub evidence: String,
    /// A failed required item blocks Approve unless overridden.
    pub required: bool,
}

impl CheckItem {
    pub fn level(&self) -> Level {
        match (self.state, self.required) {
            (CheckState::Pass, _) => Level::Ok,
            (CheckState::Fail, true) => Level::Critical,
            (CheckState::Fail, false) => Level::Warning,
            (CheckState::NotApplicable, _) => Level::Unknown,
        }
    }

    fn blocks(&self) -> bool {
        self.required && self.state == CheckState::Fail
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Checklist {
    pub items: Vec<CheckItem>,
}

/// Why the server refuses a review, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateRefusal {
    /// Migrations changed and the box is not ticked (an override does not replace reading them).
    MigrationsNotReviewed(Vec<String>),
    /// Required items fail and no override reason was given.
    Blocked(Vec<String>),
}

impl std::fmt::Display for GateRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GateRefusal::MigrationsNotReviewed(files) => write!(
                f,
                "this deploy changes migrations ({}): tick \"migrations reviewed\" after reading them",
                files.join(", ")
            ),
            GateRefusal::Blocked(items) => write!(
                f,
                "the pre-deploy checklist does not pass: {} — approve only with an override reason (recorded and reviewed by someone else)",
                items.join("; ")
            ),
        }
    }
}

impl Checklist {
    pub fn evaluate(f: &GateFacts, s: &GateSettings) -> Self {
        let item = |key: &str, label: String, state, evidence: String, required| CheckItem {
            key: key.into(),
            label,
            state,
            evidence,
            required,
        };
        let pass_if = |ok: bool| {
            if ok {
                CheckState::Pass
            } else {
                CheckState::Fail
            }
        };
        let target = &f.target;
        let mut items = Vec::new();
        items.push(match (&f.tested_first_in, f.tested_first) {
            (Some(first), Some(t)) => item(
                "tested_first",
                format!("Tested in {first} first"),
                pass_if(t),
                if t {
                    format!("this commit was deployed to {first} successfully before")
                } else {
                    format!("this commit was never deployed to {first} successfully")
                },
                s.require_tested_first,
            ),
            (Some(first), None) => item(
                "tested_first",
                format!("Tested in {first} first"),
                CheckState::Fail,
                format!("{first}'s deploys are not known yet"),
                s.require_tested_first,
            ),
            (None, _) => item(
                "tested_first",
                "Tested in an earlier environment first".into(),
                CheckState::NotApplicable,
                "no earlier environment is configured (tested_first_in)".into(),
                false,
            ),
        });
        items.push(item(
            "no_incident",
            format!("No open incident in {target}"),
            pass_if(f.open_incidents.is_empty()),
            match f.open_incidents.as_slice() {
                [] => "none open".into(),
                open => open
                    .iter()
                    .map(|(id, title)| format!("incident #{id} \u{201c}{title}\u{201d} is open"))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            true,
        ));
        items.push(item(
            "no_freeze",
            "Not inside a change freeze".into(),
            pass_if(f.freeze.is_none()),
            f.freeze
                .as_ref()
                .map_or_else(|| "no freeze now".into(), ActiveFreeze::words),
            true,
        ));
        items.push(item(
            "healthy",
            format!("{target} healthy now"),
            pass_if(f.target_level == Level::Ok),
            format!("{target} is {}", f.target_level.word().to_lowercase()),
            true,
        ));
        items.push(item(
            "rollback_target",
            "A rollback target exists".into(),
            pass_if(f.rollback_target.is_some()),
            f.rollback_target.as_ref().map_or_else(
                || "no earlier successful deploy of another commit to go back to".into(),
                |t| format!("last known good: {t}"),
            ),
            true,
        ));
        items.push(if f.migration_files.is_empty() {
            item(
                "migrations",
                "Migrations reviewed".into(),
                CheckState::NotApplicable,
                format!("no changed files under {}", s.migration_paths.join(", ")),
                false,
            )
        } else {
            item(
                "migrations",
                "Migrations reviewed".into(),
                pass_if(f.migrations_reviewed),
                format!(
                    "{} changed: {}",
                    plural(f.migration_files.len(), "migration file"),
                    f.migration_files.join(", ")
                ),
                true,
            )
        });
        Self { items }
    }

    /// The required items that fail, in words ("No open incident in prod: incident #3 … is open").
    pub fn blocking(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.blocks())
            .map(|i| format!("{}: {}", i.label, i.evidence))
            .collect()
    }

    pub fn passes(&self) -> bool {
        self.items.iter().all(|i| !i.blocks())
    }

    /// Whether an approval may go ahead, given an override reason (already validated) or none.
    /// Rejections are never gated.
    pub fn admit_approval(&self, override_reason: Option<&str>) -> Result<(), GateRefusal> {
        if let Some(m) = self
            .items
            .iter()
            .find(|i| i.key == "migrations" && i.blocks())
        {
            let files = m
                .evidence
                .split_once(": ")
                .map(|(_, f)| f.split(", ").map(str::to_owned).collect())
                .unwrap_or_default();
            return Err(GateRefusal::MigrationsNotReviewed(files));
        }
        let blocking = self.blocking();
        if blocking.is_empty() || override_reason.is_some() {
            Ok(())
        } else {
            Err(GateRefusal::Blocked(blocking))
        }
    }

    pub fn item(&self, key: &str) -> Option<&CheckItem> {
        self.items.iter().find(|i| i.key == key)
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> GateFacts {
        GateFacts {
            target: "prod".into(),
            tested_first_in: Some("dev".into()),
            tested_first: Some(true),
            target_level: Level::Ok,
            rollback_target: Some("abc1234 Fix checkout".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_run_passes_and_each_fact_can_block_it() {
        let s = GateSettings::default();
        let c = Checklist::evaluate(&good(), &s);
        assert!(c.passes(), "{:?}", c.blocking());
        assert_eq!(c.admit_approval(None), Ok(()));

        let untested = GateFacts {
            tested_first: Some(false),
            ..good()
        };
        let c = Checklist::evaluate(&untested, &s);
        assert_eq!(
            c.blocking(),
            vec!["Tested in dev first: this commit was never deployed to dev successfully"]
        );
        assert!(matches!(
            c.admit_approval(None),
            Err(GateRefusal::Blocked(_))
        ));
        assert_eq!(c.admit_approval(Some("hotfix, dev is broken")), Ok(()));

        let advisory = GateSettings {
            require_tested_first: false,
            ..GateSettings::default()
        };
        assert!(Checklist::evaluate(&untested, &advisory).passes());

        let incident = GateFacts {
            open_incidents: vec![(3, "checkout <b>down</b>".into())],
            target_level: Level::Critical,
            rollback_target: None,
            ..good()
        };
        let blocking = Checklist::evaluate(&incident, &s).blocking();
        assert_eq!(blocking.len(), 3, "{blocking:?}");
        assert!(blocking[0].contains("incident #3"));
        assert!(blocking[1].contains("prod is down"), "{blocking:?}");
    }

    #[test]
    fn migrations_must_be_ticked_and_an_override_does_not_replace_reading_them() {
        let s = GateSettings::default();
        let files = s.migration_files(&[
            "src/app.py".into(),
            "alembic/versions/42_orders.py".into(),
            "services/api/migrations/0007.sql".into(),
            "docs/migrations.md".into(),
        ]);
        assert_eq!(
            files,
            vec![
                "alembic/versions/42_orders.py",
                "services/api/migrations/0007.sql"
            ]
        );
        let f = GateFacts {
            migration_files: files.clone(),
            ..good()
        };
        let c = Checklist::evaluate(&f, &s);
        assert_eq!(
            c.admit_approval(Some("trust me")),
            Err(GateRefusal::MigrationsNotReviewed(files))
        );
        let ticked = GateFacts {
            migrations_reviewed: true,
            ..f
        };
        assert!(Checklist::evaluate(&ticked, &s).passes());
        assert_eq!(
            Checklist::evaluate(&good(), &s)
                .item("migrations")
                .map(|i| i.state),
            Some(CheckState::NotApplicable)
        );
    }
}
