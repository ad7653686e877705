//! `[notify]`: where change-control notifications are posted and what they say.

use secrecy::SecretString;

/// Message templates. Placeholders: {id} {env} {action} {reason} {requester} {who} {comment}
/// {state} {result} {url}.
#[derive(Clone, Debug)]
pub struct Templates {
    pub requested: String,
    pub decided: String,
    pub outcome: String,
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            requested: ":raised_hand: {requester} asks: *{action}* on *{env}* — {reason} {url}"
                .into(),
            decided: "{who} {state} request {id} ({action} on {env}){comment} {url}".into(),
            outcome: ":gear: Request {id} ({action} on {env}): *{state}* — {result} {url}".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct NotifySettings {
    pub webhook_url: SecretString,
    pub templates: Templates,
    /// Where people open a request: `<public_url>/requests/{id}`.
    pub public_url: Option<url::Url>,
}
