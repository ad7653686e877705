//! AWS SDK errors in words a person on call can act on: "AccessDenied: ecs:DescribeServices",
//! "ecs:DescribeServices: no answer within 10s". Mapped once, here, into the port's error.

use app::ports::PortError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Error codes that mean "slow down" across the services opsdeck calls.
fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown"
            | "PriorRequestNotComplete"
    )
}

fn is_denied(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "SignatureDoesNotMatch"
            | "AuthFailure"
    )
}

/// `op` names the API as IAM does ("ecs:DescribeServices").
pub fn port_error<E>(op: &str, err: SdkError<E, HttpResponse>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => {
            PortError::Unavailable(format!("{op}: AWS did not answer within the time limit"))
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            PortError::Unavailable(format!("{op}: AWS did not answer within the time limit"))
        }
        SdkError::DispatchFailure(d) if d.is_io() => PortError::Unavailable(format!(
            "{op}: could not reach AWS ({})",
            DisplayErrorContext(&err)
        )),
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => {
            PortError::Other(format!(
                "{op}: the request could not be made ({})",
                DisplayErrorContext(&err)
            ))
        }
        // An answer the SDK could not parse: an empty 5xx from a proxy, an HTML error page. The
        // SDK's own description of it is a dump of the raw response; the status says enough.
        SdkError::ResponseError(r) => match r.raw().status().as_u16() {
            429 => PortError::Throttled(format!("{op}: AWS asked opsdeck to slow down (HTTP 429)")),
            s if s >= 500 => PortError::Unavailable(format!("{op}: AWS answered HTTP {s}")),
            s => PortError::Unavailable(format!(
                "{op}: AWS's answer could not be read (HTTP {s}, not the expected format)"
            )),
        },
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let message = s.err().message().unwrap_or("").trim();
            let message = if message.is_empty() {
                String::new()
            } else {
                format!(" ({})", clip(message))
            };
            match s.err().code() {
                Some(c) if is_throttling(c) => PortError::Throttled(format!(
                    "{c}: {op} — AWS asked opsdeck to slow down{message}"
                )),
                Some(c) if is_denied(c) => PortError::Denied(format!("{c}: {op}{message}")),
                Some(c) => PortError::Other(format!("{c}: {op}{message}")),
                None if status == 429 => {
                    PortError::Throttled(format!("{op}: AWS asked opsdeck to slow down (HTTP 429)"))
                }
                None if status >= 500 => {
                    PortError::Unavailable(format!("{op}: AWS answered HTTP {status}"))
                }
                None => PortError::Other(format!("{op}: AWS answered HTTP {status}{message}")),
            }
        }
        _ => PortError::Other(format!("{op}: {}", DisplayErrorContext(&err))),
    }
}

/// For a call that changes something (one attempt, never retried): only a definite refusal — AWS
/// answered 4xx with its reason, or the request provably never left (it could not be built, the
/// connection was refused) — is a failure. Anything that leaves the outcome open (no answer within
/// the time limit after sending, a dropped connection, a 5xx, an unreadable answer) is
/// [`PortError::OutcomeUnknown`].
pub fn change_error<E>(op: &str, err: SdkError<E, HttpResponse>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let unknown = |why: String| {
        PortError::OutcomeUnknown(format!(
            "{op}: {why}; AWS may or may not have done it — verify the real state"
        ))
    };
    match &err {
        SdkError::ConstructionFailure(_) => port_error(op, err),
        SdkError::DispatchFailure(_) if never_sent(&err) => PortError::Unavailable(format!(
            "{op}: could not connect to AWS, nothing was sent ({})",
            DisplayErrorContext(&err)
        )),
        SdkError::TimeoutError(_) => unknown("no answer within the time limit".into()),
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            unknown("no answer within the time limit".into())
        }
        SdkError::DispatchFailure(_) => unknown(format!(
            "the connection failed while the request was under way ({})",
            DisplayErrorContext(&err)
        )),
        SdkError::ResponseError(r) => unknown(format!(
            "AWS's answer could not be read (HTTP {})",
            r.raw().status().as_u16()
        )),
        SdkError::ServiceError(s) if s.raw().status().is_server_error() => {
            unknown(format!("AWS answered HTTP {}", s.raw().status().as_u16()))
        }
        _ => port_error(op, err),
    }
}

/// Whether the error shows the request never reached AWS: the connection itself was refused or
/// could not be made (a connection that opened may have carried the request).
fn never_sent(err: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::HostUnreachable
            ) {
                return true;
            }
        }
        cur = e.source();
    }
    false
}

/// AWS messages can be long and come from outside: keep one line of reasonable length.
fn clip(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line.to_owned()
    }
}
