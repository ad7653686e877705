//! Reading the server's certificate out of the probe's own TLS handshake: subject, issuer, the
//! names it covers and its validity. The bytes come from the remote host, so nothing here trusts
//! them beyond what the handshake already verified; a certificate that cannot be parsed is simply
//! not shown.

use app::domain::PeerCertificate;
use chrono::{DateTime, Utc};
use std::net::IpAddr;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// The most names kept from one certificate: a CDN's certificate can list hundreds.
const MAX_NAMES: usize = 20;

/// The end-entity certificate (the first of the chain) as opsdeck shows it.
pub fn read(der: &[u8]) -> Option<PeerCertificate> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let validity = cert.validity();
    let time = |t: i64| DateTime::<Utc>::from_timestamp(t, 0);
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => names.push((*d).to_owned()),
                GeneralName::IPAddress(bytes) => {
                    let ip = match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes).ok().map(IpAddr::from),
                        16 => <[u8; 16]>::try_from(*bytes).ok().map(IpAddr::from),
                        _ => None,
                    };
                    names.extend(ip.map(|ip| ip.to_string()));
                }
                _ => {}
            }
        }
    }
    names.truncate(MAX_NAMES);
    Some(PeerCertificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        names,
        not_before: time(validity.not_before.timestamp())?,
        not_after: time(validity.not_after.timestamp())?,
    })
}
