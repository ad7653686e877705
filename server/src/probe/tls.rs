//! TLS for probes: the client settings (the system's roots plus an optional extra CA file), and
//! why a handshake failed, in words.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
}

pub fn tls_config(extra_ca: Option<&Path>) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    // Missing or unreadable system roots are not fatal: a private CA file may be all that is needed.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = extra_ca {
        let err = |reason: String| TlsSetupError::CaFile {
            path: path.display().to_string(),
            reason,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| err(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))?;
        if certs.is_empty() {
            return Err(err("no PEM certificate in it".into()));
        }
        for c in certs {
            roots.add(c).map_err(|e| err(e.to_string()))?;
        }
    }
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Why a handshake failed, in words.
pub(super) fn tls_reason(e: &std::io::Error) -> String {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(c)) => certificate_reason(c),
        Some(other) => other.to_string(),
        None => e.to_string(),
    }
}

/// Why the certificate was refused, in the words an operator acts on.
fn certificate_reason(c: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    let date = |secs: u64| {
        i64::try_from(secs)
            .ok()
            .and_then(|s| chrono::DateTime::<chrono::Utc>::from_timestamp(s, 0))
            .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "an unreadable date".into())
    };
    match c {
        C::Expired => "the certificate has expired".into(),
        C::ExpiredContext { not_after, .. } => format!(
            "the certificate expired on {}",
            date(not_after.as_secs())
        ),
        C::NotValidYetContext { not_before, .. } => format!(
            "the certificate is not valid before {}",
            date(not_before.as_secs())
        ),
        C::UnknownIssuer => {
            "certificate not accepted: its issuer is not trusted (a private CA goes in probe.ca_file)"
                .into()
        }
        other => format!("certificate not accepted: {other}"),
    }
}
