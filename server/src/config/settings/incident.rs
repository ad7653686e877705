//! `[incident]`, `[[contacts]]` and `[[support]]`: the incident room's configuration (the
//! application's `IncidentSettings`), and where Terraform's state lock is read.

/// `[incident.terraform]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TerraformSettings {
    pub region: String,
    pub table: String,
    /// `bucket/key`: the lock item's `LockID`.
    pub state: String,
    pub endpoint_url: Option<url::Url>,
}
