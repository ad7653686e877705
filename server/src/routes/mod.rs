//! Routes that are not server functions: the live stream, the JSON status for scripts, and
//! opsdeck's own health and metrics. They are registered in `router::build_app`.

pub mod audit_export;
pub mod incident_export;
pub mod live;
pub mod logs_tail;
pub mod ops;
pub mod same_origin;
pub mod security_headers;
pub mod status;
