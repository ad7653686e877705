//! A throw-away certificate authority for the simulated world: production is served over https
//! with a certificate for `localhost` and `127.0.0.1` that expires soon, so the demo shows the
//! probe's TLS timing and the certificate check failing, as a real renewal that broke would.
//! The tests use it too, for hosts whose certificates expire on a chosen day.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A CA written to a PEM file (as an operator would configure `probe.ca_file`) and a server
/// configuration for one certificate it signed.
pub struct SimPki {
    ca_file: PathBuf,
    pub server: Arc<rustls::ServerConfig>,
}

impl SimPki {
    /// A CA and a certificate for `localhost` and `127.0.0.1` valid until `days` from now
    /// (negative: already expired). `tag` keeps the CA files of processes and tests apart.
    pub fn new(tag: &str, days: i64) -> anyhow::Result<Self> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "opsdeck simulated CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = ca_params.self_signed(&ca_key)?;

        let leaf_key = KeyPair::generate()?;
        let mut leaf_params = CertificateParams::new(vec!["localhost".to_owned()])?;
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let now = time::OffsetDateTime::now_utc();
        leaf_params.not_before = now - time::Duration::days(90 - days.clamp(-30, 60));
        leaf_params.not_after = now + time::Duration::days(days);
        let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key)?;

        let ca_file = std::env::temp_dir().join(format!(
            "opsdeck-sim-{}-{tag}-{:08x}-ca.pem",
            std::process::id(),
            fastrand::u32(..)
        ));
        std::fs::write(&ca_file, ca.pem())?;

        // Only ring is compiled in, so the provider is named rather than taken from the default.
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            ca_file,
            server: Arc::new(config),
        })
    }

    /// The CA's PEM file, for `probe.ca_file`.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }
}

impl Drop for SimPki {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}
