//! TLS configurations for the examples, always with rustls' *ring* crypto provider.
//!
//! - Server: [`server_acceptor_from_pem`] (`--tls-cert FILE --tls-key FILE`, see [`server_acceptor_from_args`])
//!   or [`self_signed_acceptor`], a certificate made on the spot with rcgen for the demo and tests.
//! - Client: [`client_config`] verifies the server against the system's root certificates (the PEM bundle
//!   named by `SSL_CERT_FILE`, or the usual distribution paths), or with `insecure` accepts any certificate
//!   through [`InsecureAcceptAnyCertificate`] (tests and self-signed lab servers only);
//!   [`client_config_trusting`] trusts exactly one certificate (the demo's self-signed one).

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{
    CryptoProvider, verify_tls12_signature, verify_tls13_signature,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    self, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme,
};

use super::args::Args;

/// The *ring* crypto provider, chosen explicitly for every configuration made here, and also
/// installed as the process default (the first call wins; an already installed default is kept).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            let ring = rustls::crypto::ring::default_provider();
            // Err means another default is installed already; ours is passed explicitly anyway.
            let _ = ring.clone().install_default();
            Arc::new(ring)
        })
        .clone()
}

fn tls_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("TLS: {e}"))
}

/// A server acceptor for this certificate chain (leaf first) and private key.
pub(crate) fn server_acceptor(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> io::Result<TlsAcceptor> {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(tls_error)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A server acceptor from PEM files: `cert` holds the chain (leaf first), `key` a PKCS#8, PKCS#1 or SEC1 key.
pub(crate) fn server_acceptor_from_pem(cert: &Path, key: &Path) -> io::Result<TlsAcceptor> {
    let open = |path: &Path| {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    };
    let chain = rustls_pemfile::certs(&mut open(cert)?).collect::<Result<Vec<_>, _>>()?;
    if chain.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no CERTIFICATE in the file", cert.display()),
        ));
    }
    let key = rustls_pemfile::private_key(&mut open(key)?)?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no PRIVATE KEY in the file", key.display()),
        )
    })?;
    server_acceptor(chain, key)
}

/// `--tls-cert FILE --tls-key FILE` from the command line: `None` when neither is given; one without
/// the other is a usage error; a file that cannot be loaded ends the program with a message.
pub(crate) fn server_acceptor_from_args(args: &mut Args) -> Option<TlsAcceptor> {
    match (args.value("--tls-cert"), args.value("--tls-key")) {
        (None, None) => None,
        (Some(cert), Some(key)) => {
            match server_acceptor_from_pem(Path::new(&cert), Path::new(&key)) {
                Ok(acceptor) => Some(acceptor),
                Err(e) => {
                    eprintln!("error: cannot load the TLS certificate: {e}");
                    std::process::exit(1)
                }
            }
        }
        _ => args.usage_error("--tls-cert and --tls-key go together"),
    }
}

/// A certificate made on the spot, with the acceptor serving it.
pub(crate) struct SelfSigned {
    /// Serves `cert` with its key.
    pub(crate) acceptor: TlsAcceptor,
    /// The certificate (DER), for [`client_config_trusting`].
    pub(crate) cert: CertificateDer<'static>,
    /// The certificate as PEM, to write to a file for other programs.
    pub(crate) cert_pem: String,
    /// The private key as PEM (PKCS#8).
    pub(crate) key_pem: String,
}

/// Makes a self-signed certificate for `names` (DNS names or IP addresses, e.g. `["localhost", "127.0.0.1"]`).
pub(crate) fn self_signed_acceptor(names: &[&str]) -> io::Result<SelfSigned> {
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let certified = rcgen::generate_simple_self_signed(names).map_err(tls_error)?;
    let cert = certified.cert.der().clone();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let key = PrivateKeyDer::from(certified.signing_key);
    let acceptor = server_acceptor(vec![cert.clone()], key)?;
    Ok(SelfSigned {
        acceptor,
        cert,
        cert_pem,
        key_pem,
    })
}

/// The system's trusted roots: the PEM bundle named by `SSL_CERT_FILE`, else the first bundle found at the
/// usual paths (Debian/Ubuntu/Alpine, Fedora/RHEL, openSUSE, macOS/BSD). Empty when none is found.
pub(crate) fn system_roots() -> RootCertStore {
    const BUNDLES: &[&str] = &[
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
    ];
    let mut roots = RootCertStore::empty();
    let named = std::env::var_os("SSL_CERT_FILE").map(std::path::PathBuf::from);
    let candidates = named
        .into_iter()
        .chain(BUNDLES.iter().map(std::path::PathBuf::from));
    for path in candidates {
        let Ok(file) = File::open(&path) else {
            continue;
        };
        let mut reader = BufReader::new(file);
        let certs = rustls_pemfile::certs(&mut reader).filter_map(Result::ok);
        let (added, _ignored) = roots.add_parsable_certificates(certs);
        if added > 0 {
            break;
        }
    }
    roots
}

fn client_with_roots(roots: RootCertStore) -> io::Result<ClientConfig> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The client configuration: verifies against [`system_roots`], or with `insecure` accepts any
/// certificate ([`InsecureAcceptAnyCertificate`]). Built once per kind and shared.
pub(crate) fn client_config(insecure: bool) -> Arc<ClientConfig> {
    static VERIFYING: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    static INSECURE: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    if insecure {
        INSECURE
            .get_or_init(|| {
                let verifier = Arc::new(InsecureAcceptAnyCertificate::new(provider()));
                let config = ClientConfig::builder_with_provider(provider())
                    .with_safe_default_protocol_versions()
                    .expect("ring supports the default TLS versions")
                    .dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth();
                Arc::new(config)
            })
            .clone()
    } else {
        VERIFYING
            .get_or_init(|| {
                let roots = system_roots();
                if roots.is_empty() {
                    eprintln!(
                        "warning: no system root certificates found (set SSL_CERT_FILE); \
                         every server certificate will be refused (use --insecure for a test server)"
                    );
                }
                Arc::new(client_with_roots(roots).expect("ring supports the default TLS versions"))
            })
            .clone()
    }
}

/// A client configuration that trusts exactly `cert` as a root (for a self-signed test server).
pub(crate) fn client_config_trusting(cert: &CertificateDer<'_>) -> io::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    roots.add(cert.clone().into_owned()).map_err(tls_error)?;
    Ok(Arc::new(client_with_roots(roots)?))
}

/// **TEST ONLY — NOT SECURE.** Accepts every server certificate, whoever issued it and whatever name it
/// carries: anyone on the path can impersonate the server. It is what `--insecure` selects, for talking to
/// a lab server with a self-signed certificate. It still checks that the handshake is signed by the key of
/// the certificate presented, so the connection is encrypted to *someone*, just not to a verified server.
#[derive(Debug)]
pub(crate) struct InsecureAcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl InsecureAcceptAnyCertificate {
    /// The verifier; `provider` supplies the signature algorithms for the handshake signature.
    pub(crate) fn new(provider: Arc<CryptoProvider>) -> Self {
        InsecureAcceptAnyCertificate { provider }
    }
}

impl ServerCertVerifier for InsecureAcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The client configuration for the `--insecure` and `--cafile FILE` options: with a CA file, the server
/// must present a certificate issued by one of the certificates in it (PEM), instead of the system roots.
pub(crate) fn client_config_for(
    insecure: bool,
    cafile: Option<&Path>,
) -> io::Result<Arc<ClientConfig>> {
    let Some(cafile) = cafile else {
        return Ok(client_config(insecure));
    };
    if insecure {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "--cafile and --insecure exclude each other",
        ));
    }
    let file = File::open(cafile)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", cafile.display())))?;
    let mut roots = RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut BufReader::new(file)) {
        roots.add(cert?).map_err(tls_error)?;
    }
    if roots.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no CERTIFICATE in the file", cafile.display()),
        ));
    }
    Ok(Arc::new(client_with_roots(roots)?))
}

impl<C: mailwire::Connection> super::Session<C> {
    /// Client side of STARTTLS verifying `server_name` against the system roots (unless `insecure`).
    pub(crate) async fn start_tls_client(
        &mut self,
        server_name: &str,
        insecure: bool,
    ) -> io::Result<()> {
        self.start_tls_client_with(client_config(insecure), server_name)
            .await
    }
}
