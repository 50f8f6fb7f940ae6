//! HTTPS for the sandbox: a test certificate authority made at start, and a server certificate
//! for the loopback names signed by it.
//!
//! The CA exists only in memory and in what [`Sandbox::ca_certificate_pem`](crate::Sandbox::ca_certificate_pem)
//! hands out, so a client trusts the sandbox only when it is told to (a CA bundle file), exactly
//! like a server behind a private CA; without it, the handshake fails as with an untrusted
//! server.

use std::io;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names the server certificate is valid for.
const SERVER_NAMES: [&str; 4] = ["localhost", "127.0.0.1", "::1", crate::TLS_TEST_HOST];

/// A generated CA and the server configuration that presents a certificate signed by it.
pub(crate) struct TlsIdentity {
    pub(crate) ca_pem: String,
    pub(crate) config: Arc<ServerConfig>,
}

fn invalid(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("sandbox TLS: {what}: {e}"))
}

impl TlsIdentity {
    /// Makes a fresh CA and a server certificate for `localhost`, `127.0.0.1` and `::1`.
    pub(crate) fn generate() -> io::Result<TlsIdentity> {
        let ca_key = KeyPair::generate().map_err(|e| invalid("CA key", e))?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| invalid("CA", e))?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "cloud-elements sandbox test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| invalid("CA certificate", e))?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(|e| invalid("server key", e))?;
        let names: Vec<String> = SERVER_NAMES.iter().map(|s| (*s).to_string()).collect();
        let mut params = CertificateParams::new(names).map_err(|e| invalid("server certificate", e))?;
        params.distinguished_name.push(DnType::CommonName, "cloud-elements sandbox");
        let server_cert = params.signed_by(&server_key, &issuer).map_err(|e| invalid("server certificate", e))?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid("protocol versions", e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| invalid("server certificate", e))?;
        Ok(TlsIdentity { ca_pem: ca_cert.pem(), config: Arc::new(config) })
    }
}
