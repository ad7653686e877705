//! The incident room's configuration as the application needs it: the escalation matrix, who to
//! contact, where to get help, and when opsdeck proposes (or declares) an incident by itself.

use super::escalation::{Contact, EscalationStep, SupportLink};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentSettings {
    pub escalation: Vec<EscalationStep>,
    pub contacts: Vec<Contact>,
    pub support: Vec<SupportLink>,
    /// An environment Down for this many probe rounds in a row makes a proposal.
    pub propose_after_probes: u32,
    /// Declare instead of proposing.
    pub auto_declare: bool,
    /// The infrastructure path whose commits "what changed recently" lists (the runbook's
    /// `iac/environments/prod`), in the environments' repository.
    pub infrastructure_path: Option<String>,
}

impl Default for IncidentSettings {
    fn default() -> Self {
        Self {
            escalation: EscalationStep::runbook(),
            contacts: Contact::runbook(),
            support: SupportLink::runbook(),
            propose_after_probes: 3,
            auto_declare: false,
            infrastructure_path: Some("iac/environments/prod".into()),
        }
    }
}
