//! The roots of trust: Mozilla's roots joined with the platform's store, and a CA bundle.

use std::path::Path;
use std::sync::LazyLock;

use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// Mozilla's roots joined with the platform's store, loaded once per process.
static DEFAULT_ROOTS: LazyLock<Vec<Certificate<'static>>> = LazyLock::new(|| {
    let mut certs: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    // Errors here mean an unreadable system store; Mozilla's roots still apply.
    let native = rustls_native_certs::load_native_certs();
    certs.extend(native.certs.iter().map(|der| Certificate::from_der(der.as_ref()).to_owned()));
    certs
});

/// [`DEFAULT_ROOTS`] as ureq takes them, shared by every client without a CA bundle.
static ROOT_CERTS: LazyLock<RootCerts> = LazyLock::new(|| RootCerts::from(DEFAULT_ROOTS.clone()));

/// The TLS settings of a client for `base_url`, trusting `extra_roots` besides the defaults.
pub(crate) fn tls_config(base_url: &str, extra_roots: Vec<Certificate<'static>>) -> TlsConfig {
    if !base_url.starts_with("https://") {
        return TlsConfig::default();
    }
    let roots = if extra_roots.is_empty() {
        ROOT_CERTS.clone()
    } else {
        RootCerts::from(DEFAULT_ROOTS.iter().cloned().chain(extra_roots).collect::<Vec<_>>())
    };
    TlsConfig::builder().root_certs(roots).build()
}

/// The certificates of a PEM CA bundle, or the problem with it (the path is not a secret).
pub(crate) fn read_ca_bundle(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| format!("the CA bundle {shown} cannot be read ({e})"))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(_) => return Err(format!("the CA bundle {shown} is not valid PEM")),
        }
    }
    if certs.is_empty() {
        return Err(format!("the CA bundle {shown} holds no certificate"));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_certificates_join_mozilla_and_the_platform() {
        let RootCerts::Specific(certs) = &*ROOT_CERTS else { panic!("not a specific root set") };
        // The platform's store may be empty on a minimal machine; Mozilla's roots are always there.
        assert!(certs.len() >= webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
        let native = rustls_native_certs::load_native_certs().certs.len();
        assert_eq!(certs.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() + native);
    }

    #[test]
    fn a_missing_or_empty_bundle_is_named() {
        let err = read_ca_bundle(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(err.contains("/nonexistent/ca.pem") && err.contains("cannot be read"), "{err}");
    }
}
